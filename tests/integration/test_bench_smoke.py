"""Smoke test of ``make bench``: the runner, the core benchmark and the results file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Inherited by every process the bench starts, so its leftovers can be told from others'.
MARK_ENV = "SELENIUMCRAWL_BENCH_SMOKE"
CORE_FIGURES = {
    "first_crawl_ms",
    "session_ms_per_page",
    "selenium_bs4_ms_per_page",
    "overhead_ratio",
    "one_session_ms_per_page",
    "new_driver_ms_per_page",
    "session_speedup",
}


def _marked(mark: str) -> set[int]:
    needle = f"{MARK_ENV}={mark}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "environ").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


def _still_running(mark: str, timeout: float = 10.0) -> set[int]:
    """Processes carrying ``mark`` that are still there after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while (left := _marked(mark)) and time.monotonic() < deadline:
        time.sleep(0.2)  # polling /proc for exits; there is no event to wait on
    return left


@pytest.mark.timeout(300)
def test_quick_core_bench_writes_results(tmp_path: Path) -> None:
    """`bench.run --quick --only core` exits 0, writes every core figure, leaves no browser."""
    output = tmp_path / "results.json"
    mark = uuid.uuid4().hex
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--only", "core", "--output", str(output)],
        cwd=REPO,
        env={**os.environ, MARK_ENV: mark},
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "overhead_ratio" in done.stdout

    results = json.loads(output.read_text())
    assert {"cores", "memory_mb", "python", "chromium", "selenium", "date"} <= set(
        results["machine"]
    )
    assert results["run"]["quick"] is True
    assert list(results["benchmarks"]) == ["core"]
    core = results["benchmarks"]["core"]
    assert "error" not in core
    assert set(core["figures"]) >= CORE_FIGURES
    for name, fig in core["figures"].items():
        assert {"value", "unit", "goal", "met"} <= set(fig), name
        assert fig["value"] > 0, name
    assert core["figures"]["overhead_ratio"]["goal"] == "<= 1.10"
    assert isinstance(core["figures"]["overhead_ratio"]["met"], bool)
    assert core["profile"]["seleniumcrawl"]["commands"]["get"]["per_page"] == 1
    assert not core.get("notes") or not any("still running" in n for n in core["notes"])
    assert not _still_running(mark), "the bench left processes running"
