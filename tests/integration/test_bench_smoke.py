"""Smoke test of ``make bench``: the runner, the core and inflight benchmarks, the results file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.procs import pids_with_env

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
    "raw_bidi_ms_per_page",
    "bidi_to_raw_bidi_ratio",
    "raw_bidi_to_selenium_ratio",
    "classic_session_ms_per_page",
    "bidi_to_classic_ratio",
    "classic_overhead_ratio",
}
INFLIGHT_GOALS = {
    "local_ratio": ">= 1.0",
    "slow_pages_per_s": ">= 9",
    "sessions_at_once_s": "<= 1.3",
    "isolated_to_shared_ratio": "<= 2.6",
}
INFLIGHT_FIGURES = set(INFLIGHT_GOALS) | {
    "local_pages_per_s",
    "local_selenium_pages_per_s",
    "local_raw_pages_per_s",
    "local_raw_ratio",
    "slow_raw_pages_per_s",
    "slow_classic_pages_per_s",
    "slow_bidi_to_classic",
    "sessions_at_once_raw_s",
    "sessions_at_once_raw_all_s",
    "sessions_at_once_classic_s",
    "shared_sessions_mb",
    "isolated_sessions_mb",
}


def _marked(mark: str) -> set[int]:
    return pids_with_env(MARK_ENV, mark)


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
    assert core["figures"]["overhead_ratio"]["goal"] == "<= 1.05"
    assert isinstance(core["figures"]["overhead_ratio"]["met"], bool)
    # The profiled crawls went over BiDi: one navigation per page, no classic `get`.
    profiled = core["profile"]["seleniumcrawl"]["commands"]
    assert profiled["bidi:browsingContext.navigate"]["per_page"] == 1
    assert "get" not in profiled
    assert core["profile"]["selenium_bs4"]["commands"]["get"]["per_page"] == 1
    assert not core.get("notes") or not any("still running" in n for n in core["notes"])
    assert not _still_running(mark), "the bench left processes running"


@pytest.mark.timeout(400)
def test_quick_inflight_bench_writes_results(tmp_path: Path) -> None:
    """`bench.run --quick --only inflight` exits 0, writes every inflight figure and goal."""
    output = tmp_path / "results.json"
    mark = uuid.uuid4().hex
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--quick",
            "--only",
            "inflight",
            "--output",
            str(output),
        ],
        cwd=REPO,
        env={**os.environ, MARK_ENV: mark},
        capture_output=True,
        text=True,
        timeout=380,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    inflight = json.loads(output.read_text())["benchmarks"]["inflight"]
    assert "error" not in inflight
    assert set(inflight["figures"]) == INFLIGHT_FIGURES
    for name, fig in inflight["figures"].items():
        assert fig["value"] > 0, name
        assert fig["goal"] == INFLIGHT_GOALS.get(name), name
        assert isinstance(fig["met"], bool) == (name in INFLIGHT_GOALS), name
    memory = inflight["figures"]["isolated_sessions_mb"]["samples"]
    assert all(sample["drivers"] == 1 for sample in memory)
    assert inflight["params"]["max_drivers"] == 1
    assert not inflight.get("notes") or not any("still running" in n for n in inflight["notes"])
    assert not _still_running(mark), "the bench left processes running"
