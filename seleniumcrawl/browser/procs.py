"""Process-tree helpers (Linux /proc), the last line of defence against leaked browsers.

Selenium's ``quit()`` normally ends the driver and its browser. When the driver
is already dead (killed, crashed) or stuck, its browser children would be
orphaned, so the pool records them and ends them here.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

log = logging.getLogger(__name__)


def _ppid_map() -> dict[int, int]:
    """pid -> parent pid for every live process (empty when /proc is unavailable)."""
    parents: dict[int, int] = {}
    proc = Path("/proc")
    if not proc.is_dir():
        return parents
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may contain spaces and parentheses; split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(pid: int) -> list[int]:
    """All live descendants of ``pid`` (children first), excluding ``pid`` itself."""
    children: dict[int, list[int]] = {}
    for child, parent in _ppid_map().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    stack = list(children.get(pid, []))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def is_alive(pid: int) -> bool:
    """True when ``pid`` runs and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    return state[state.rfind(")") + 2 :].split()[0] != "Z"


def kill_all(pids: list[int]) -> int:
    """SIGKILL every live pid in ``pids``; returns how many were signalled."""
    killed = 0
    for pid in pids:
        if not is_alive(pid):
            continue
        try:
            os.kill(pid, signal.SIGKILL)
            killed += 1
        except (ProcessLookupError, PermissionError):
            continue
    if killed:
        log.debug("killed %d leftover browser/driver processes", killed)
    return killed


def pids_with_environ(entry: str) -> list[int]:
    """Processes whose environment holds ``entry`` (``NAME=value``); how a launcher finds
    the children that left its process group (e.g. Chromium's crash handler)."""
    needle = entry.encode()
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for item in proc.iterdir():
        if not item.name.isdigit():
            continue
        try:
            environ = (item / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(item.name))
    return found
