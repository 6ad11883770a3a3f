"""A reaper process that ends our browsers if this process dies without cleaning up.

``close()``, ``with`` blocks, Ctrl-C and the pool's ``weakref.finalize`` (which runs
at interpreter exit) cover every way out of Python that runs Python code. SIGTERM
with its default action, SIGKILL and a crash do not run any. For those, the pool
starts this small process on its first local driver and tells it, over a pipe, the
pids of each driver and its browser. When the pipe reaches end-of-file, which the
kernel guarantees once our process is gone for whatever reason, the reaper kills
the process trees it still tracks and exits. On a normal close the trees are
already gone (and forgotten), so it has nothing to do.

Each local driver also gets a temporary directory of its own (its browser's profile
and singleton files go there, as the driver's and browser's TMPDIR); the reaper also kills
the processes that left the tracked trees but still have such a TMPDIR (Chromium's crash
handler), waits for the killed processes to end, then removes the directories it still
tracks.

Protocol, one command per line on stdin: ``track PID...``, ``forget PID...``,
``track-dir PATH``, ``forget-dir PATH``.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time

from seleniumcrawl.browser import procs

log = logging.getLogger(__name__)


class Reaper:
    """The parent side: starts the reaper lazily and sends it pids; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._closed = False

    def track(self, pids: list[int]) -> None:
        """Have these processes (and their descendants) killed if we die."""
        self._send("track", pids)

    def forget(self, pids: list[int]) -> None:
        """These processes ended normally; never signal their (reusable) pids."""
        self._send("forget", pids)

    def track_dir(self, path: str) -> None:
        """Have this directory removed if we die."""
        self._write(f"track-dir {path}")

    def forget_dir(self, path: str) -> None:
        """This directory was removed normally."""
        self._write(f"forget-dir {path}")

    def _send(self, verb: str, pids: list[int]) -> None:
        if pids:
            self._write(f"{verb} {' '.join(map(str, pids))}")

    def _write(self, line: str) -> None:
        with self._lock:
            if self._closed:
                return
            if self._process is None:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "seleniumcrawl.browser.reaper"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    # Its own session: a Ctrl-C or SIGTERM sent to our process group
                    # must not take the reaper down before it has done its job.
                    start_new_session=True,
                    close_fds=True,
                )
            assert self._process.stdin is not None
            try:
                self._process.stdin.write(f"{line}\n".encode())
                self._process.stdin.flush()
            except OSError as exc:
                log.warning("browser reaper is gone (%s); relying on close()", exc)

    def close(self) -> None:
        """Stop the reaper (it kills whatever it still tracks, normally nothing)."""
        with self._lock:
            self._closed = True
            process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("browser reaper did not exit cleanly: %s", exc)
            process.kill()


def _serve(lines: list[str] | None = None, dirs: set[str] | None = None) -> set[int]:
    """Read commands until end-of-file; return the pids still tracked (and fill ``dirs``)."""
    tracked: set[int] = set()
    dirs = set() if dirs is None else dirs
    source = lines if lines is not None else sys.stdin
    for line in source:
        verb, _, rest = line.strip().partition(" ")
        pids = {int(arg) for arg in rest.split() if arg.isdigit()}
        if verb == "track":
            tracked |= pids
        elif verb == "forget":
            tracked -= pids
        elif verb == "track-dir":
            dirs.add(rest)
        elif verb == "forget-dir":
            dirs.discard(rest)
    return tracked


def trees(roots: set[int]) -> list[int]:
    """Each live pid of ``roots`` and everything below it (children first)."""
    found: list[int] = []
    for pid in roots:
        if procs.is_alive(pid):
            found.extend([*procs.descendants(pid), pid])
    return found


def reap(tracked: set[int]) -> int:
    """Kill each tracked process and everything below it; returns how many were signalled."""
    return procs.kill_all(trees(tracked))


#: Seconds the reaper waits for the processes it killed to end before removing their
#: directories (a process killed in the middle of a write finishes that write first).
_EXIT_WAIT = 10.0


def strays(dirs: set[str]) -> set[int]:
    """Processes outside the tracked trees that still use one of our directories as their
    TMPDIR: Chromium's crash handler leaves its parent's tree and goes on writing there."""
    return {pid for path in dirs for pid in procs.pids_with_environ(f"TMPDIR={path}")}


def remove_dirs(dirs: set[str], victims: set[int], timeout: float = _EXIT_WAIT) -> None:
    """Remove ``dirs`` once the ``victims`` have ended (up to ``timeout`` s); a removal is
    tried again while something still writes into the directory."""
    deadline = time.monotonic() + timeout
    pending = set(dirs)
    while True:
        alive = {pid for pid in victims if procs.is_alive(pid)}
        if not alive:
            for path in list(pending):
                shutil.rmtree(path, ignore_errors=True)
                if not os.path.exists(path):
                    pending.discard(path)
        if not pending or time.monotonic() >= deadline:
            break
        victims = alive
        time.sleep(0.05)  # polling /proc: a killed process's end has no event to wait on
    for path in pending:
        shutil.rmtree(path, ignore_errors=True)
        if os.path.exists(path):
            log.warning("could not remove %s", path)


def main() -> None:
    """Entry point of the reaper process."""
    dirs: set[str] = set()
    tracked = _serve(dirs=dirs)
    victims = trees(tracked | strays(dirs))
    procs.kill_all(victims)
    remove_dirs(dirs, set(victims))


if __name__ == "__main__":
    main()
