"""A real redis-server for the tests, the cluster demo and the benchmarks: started on a
free 127.0.0.1 port in a directory of its own (no RDB snapshots; AOF only when asked),
stopped and waited for at the end, its directory removed.

``make system-deps`` installs Debian's ``redis-server``; :func:`available` says whether it
is there (the Redis tests skip, saying so, where it is not)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tools.ports import free_port


def binary() -> str | None:
    """The redis-server executable, or None."""
    found = shutil.which("redis-server")
    if found:
        return found
    return "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None


def available() -> bool:
    """Whether redis-server is installed."""
    return binary() is not None


class RedisServer:
    """One redis-server process on 127.0.0.1; :meth:`restart` keeps its port and, with
    ``appendonly=True``, its data (the AOF in its directory)."""

    def __init__(self, *, appendonly: bool = False) -> None:
        executable = binary()
        if executable is None:
            raise RuntimeError("redis-server is not installed (make system-deps installs it)")
        self._executable = executable
        self.appendonly = appendonly
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="sc-redis-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (after :meth:`stop`: on the same port and directory)."""
        args = [
            self._executable,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.dir),
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--appendfsync",
            "always",
            "--daemonize",
            "no",
            "--logfile",
            str(self.dir / "redis.log"),
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                if self.process.poll() is not None:
                    break
            time.sleep(0.02)  # a process start-up, not a browser: no event to wait on
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Stop the server and wait for it (its directory stays until :meth:`close`)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and remove its directory (idempotent)."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
