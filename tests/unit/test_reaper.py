"""The reaper process that ends our browsers when the crawler's process dies uncleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from seleniumcrawl.browser import procs as _procs
from seleniumcrawl.browser import reaper as _reaper


def _sleeper_tree() -> subprocess.Popen[bytes]:
    code = (
        "import subprocess, sys, time;"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        "time.sleep(60)"
    )
    return subprocess.Popen([sys.executable, "-c", code])


def _children(pid: int) -> list[int]:
    deadline = time.monotonic() + 10
    while not (found := _procs.descendants(pid)) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling /proc for a child process to appear
    return found


def test_serve_tracks_and_forgets() -> None:
    """track adds pids, forget removes them, junk is ignored."""
    lines = ["track 10 11 12\n", "forget 11\n", "track x 13\n", "forget 99\n"]
    assert _reaper._serve(lines) == {10, 12, 13}


def test_reap_kills_tracked_trees() -> None:
    """A tracked pid and its descendants are killed; untracked ones are left alone."""
    tracked, spared = _sleeper_tree(), _sleeper_tree()
    try:
        grandchild = _children(tracked.pid)[0]
        assert _reaper.reap({tracked.pid}) == 2
        tracked.wait(5)
        assert not _procs.is_alive(grandchild) or _wait_dead(grandchild)
        assert spared.poll() is None
    finally:
        for proc in (tracked, spared):
            _procs.kill_all([proc.pid, *_procs.descendants(proc.pid)])
            proc.wait()


def _wait_dead(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while _procs.is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)  # polling /proc for the process to end
    return not _procs.is_alive(pid)


def test_reaper_process_kills_when_its_pipe_closes() -> None:
    """When the parent's pipe closes (parent died), the reaper kills what it tracks."""
    victim = _sleeper_tree()
    reaper = _reaper.Reaper()
    try:
        reaper.track([victim.pid])
        reaper.close()  # closing stdin is what the kernel does when we die
        assert victim.wait(10) != 0
    finally:
        _procs.kill_all([victim.pid, *_procs.descendants(victim.pid)])
        victim.wait()


def test_forgotten_pids_are_left_alone() -> None:
    """A pid forgotten after a normal quit is never signalled (pids get reused)."""
    survivor = _sleeper_tree()
    reaper = _reaper.Reaper()
    try:
        reaper.track([survivor.pid])
        reaper.forget([survivor.pid])
        reaper.close()
        assert survivor.poll() is None
    finally:
        _procs.kill_all([survivor.pid, *_procs.descendants(survivor.pid)])
        survivor.wait()


def test_serve_tracks_and_forgets_directories() -> None:
    """track-dir / forget-dir keep the set of directories to remove (paths with spaces too)."""
    dirs: set[str] = set()
    lines = ["track-dir /tmp/sc-a\n", "track-dir /tmp/sc b\n", "forget-dir /tmp/sc-a\n"]
    assert _reaper._serve(lines, dirs=dirs) == set()
    assert dirs == {"/tmp/sc b"}


def test_strays_with_our_tmpdir_are_killed_and_the_directory_removed(tmp_path: Path) -> None:
    """A process outside the tracked trees that still writes into one of our directories
    (as Chromium's crash handler does) is found by its TMPDIR, killed, and the directory
    removed once it has ended."""
    ours = tmp_path / "sc-dir"
    ours.mkdir()
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, itertools, tempfile\n"
            "for n in itertools.count():\n"
            "    open(os.path.join(tempfile.gettempdir(), f'f{n % 50}'), 'w').write('x')\n",
        ],
        env={**os.environ, "TMPDIR": str(ours)},
    )
    try:
        deadline = time.monotonic() + 10
        while not any(ours.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.02)  # polling for the writer's first file
        found = _reaper.strays({str(ours)})
        assert found == {writer.pid}
        _reaper.reap(found)
        _reaper.remove_dirs({str(ours)}, found)
        assert writer.wait(5) != 0
        assert not ours.exists()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
