"""A real tinyproxy for the tests and benchmarks: started on a free 127.0.0.1 port with a
generated config (optionally Basic auth), stopped and waited for at the end.

``make system-deps`` installs Debian's ``tinyproxy``; :func:`available` says whether it is
there (the proxy tests skip, saying so, where it is not)."""

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
    """The tinyproxy executable, or None."""
    found = shutil.which("tinyproxy")
    if found:
        return found
    for path in ("/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"):
        if Path(path).exists():
            return path
    return None


def available() -> bool:
    """Whether tinyproxy is installed."""
    return binary() is not None


class Tinyproxy:
    """One tinyproxy process; ``name`` appears in the ``Via`` header it adds."""

    def __init__(self, name: str, username: str | None = None, password: str | None = None) -> None:
        executable = binary()
        if executable is None:
            raise RuntimeError("tinyproxy is not installed (make system-deps installs it)")
        self.name = name
        self.port = free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="sc-tinyproxy-"))
        self.log = self._dir / "tinyproxy.log"
        lines = [
            f"Port {self.port}",
            "Listen 127.0.0.1",
            "Timeout 30",
            f'LogFile "{self.log}"',
            "LogLevel Connect",
            "MaxClients 100",
            f'ViaProxyName "{name}"',
        ]
        if username is not None:
            lines.append(f"BasicAuth {username} {password}")
        conf = self._dir / "tinyproxy.conf"
        conf.write_text("\n".join(lines) + "\n")
        self.process = subprocess.Popen(
            [executable, "-d", "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.02)  # a process start-up, not a browser: no event to wait on
        self.stop()
        raise RuntimeError(f"tinyproxy {name} did not start")

    @property
    def server(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def requests_for(self, fragment: str) -> int:
        """How many requests for URLs containing ``fragment`` this proxy forwarded."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return sum(
            1
            for line in text.splitlines()
            if "Request (file descriptor" in line and fragment in line
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Tinyproxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
