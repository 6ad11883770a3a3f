"""Counting browser and driver processes for leak checks (Linux /proc)."""

from __future__ import annotations

import os
import time
from pathlib import Path

#: Environment variable marking the processes of one test run (or one xdist worker):
#: inherited by chromedriver, the browser's main process and its crash handler.
RUN_MARK = "SELENIUMCRAWL_TEST_RUN"

_NAMES = ("chromium", "chrome", "chromedriver", "chrome_crashpad", "firefox", "geckodriver")


def _live(entry: Path) -> tuple[str, str] | None:
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    state = stat[stat.rindex(")") + 2 :].split()[0]
    return name, state


def live_browser_pids() -> set[int]:
    """PIDs of running (non-zombie) browser and driver processes on this machine."""
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        info = _live(entry)
        if info is None:
            continue
        name, state = info
        if state != "Z" and name.startswith(_NAMES):
            found.add(int(entry.name))
    return found


def pids_with_env(name: str, value: str) -> set[int]:
    """PIDs of the processes whose environment holds ``name=value`` (a mark a test gives the
    processes it starts: their children inherit it)."""
    needle = f"{name}={value}".encode()
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def wait_until_gone(pids: set[int], timeout: float = 10.0) -> set[int]:
    """Wait (polling /proc) until none of ``pids`` runs; return the ones still running."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = pids & live_browser_pids()
        if not remaining or time.monotonic() > deadline:
            return remaining
        time.sleep(0.1)  # polling /proc, not waiting on a browser condition


def crawler_pids(crawler: object) -> set[int]:
    """The driver and browser processes a crawler's pool started (recorded at driver start).

    Uses the pool's test hook ``drivers()``: counting only this crawler's own processes
    keeps leak checks exact when other browsers run on the machine.
    """
    pool = crawler.crawler_strategy.pool  # type: ignore[attr-defined]
    pids: set[int] = set()
    for drv in pool.drivers():
        drv.record_pids()
        pids.update(drv.pids)
    return pids


#: Names Chromium gives what it leaves in TMPDIR: its singleton directory
#: (``org.chromium.Chromium.XXXXXX``, Chrome's ``.com.google.Chrome.XXXXXX``) and
#: chromedriver's ``scoped_dir*`` profiles.
CHROMIUM_TEMP_PREFIXES = (
    "org.chromium.Chromium.",
    ".org.chromium.Chromium.",
    ".com.google.Chrome.",
    "scoped_dir",
)


def chromium_temp_entries() -> set[str]:
    """The entries of the system temp directory that a Chromium or its driver left there
    (our own drivers keep theirs in a TMPDIR of their own, so none should appear)."""
    import tempfile

    try:
        names = os.listdir(tempfile.gettempdir())
    except OSError:
        return set()
    return {name for name in names if name.startswith(CHROMIUM_TEMP_PREFIXES)}
