"""Process-tree helpers used to make sure no browser outlives the pool."""

from __future__ import annotations

import subprocess
import sys

from seleniumcrawl.browser import procs as _procs


def test_descendants_finds_grandchildren_and_kill_all_ends_them() -> None:
    """A child's own children are found, and kill_all ends the whole tree."""
    code = (
        "import subprocess, sys, time;"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        "time.sleep(60)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline_found: list[int] = []
        for _ in range(100):
            deadline_found = _procs.descendants(parent.pid)
            if deadline_found:
                break
            subprocess.run(["sleep", "0.05"], check=True)
        assert deadline_found, "the grandchild process was not found"
        grandchild = deadline_found[0]
        assert _procs.is_alive(grandchild)
        assert _procs.kill_all([parent.pid, grandchild]) == 2
        parent.wait(5)
        assert not _procs.is_alive(parent.pid)
    finally:
        parent.kill()
        parent.wait()


def test_is_alive_is_false_for_unknown_pid() -> None:
    """A pid that does not exist is not alive, and killing it is a no-op."""
    assert not _procs.is_alive(2**22 + 12345)
    assert _procs.kill_all([2**22 + 12345]) == 0
