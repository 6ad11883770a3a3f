"""The benchmark helpers: statistics, goals, A/B alternation, process trees, memory parsing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

import pytest

from bench import _util
from bench.run import _adapt_extraction, _names, format_table
from seleniumcrawl.browser.bidi import BidiClosedError, BidiConnection


def test_median_odd_count_is_middle_value() -> None:
    """An odd count gives the middle value of the sorted input, whatever the input order."""
    assert _util.median([9, 1, 5]) == 5


def test_median_even_count_is_mean_of_middle_two() -> None:
    """An even count gives the mean of the two middle values."""
    assert _util.median([4, 1, 3, 2]) == 2.5


def test_median_ignores_outliers() -> None:
    """One huge outlier (a stalled round) does not move the median."""
    assert _util.median([10, 11, 12, 10_000]) == 11.5


def test_median_of_nothing_raises() -> None:
    """An empty input is an error, not a silent zero."""
    with pytest.raises(ValueError, match="no values"):
        _util.median([])


def test_median_accepts_generators() -> None:
    """Any iterable works, including a generator consumed once."""
    assert _util.median(x * 2 for x in (1, 2, 3)) == 4


def test_summary_keeps_spread_and_values() -> None:
    """summary() reports median, min, max, count and the rounded values."""
    got = _util.summary([3.14159, 1.0, 2.0], digits=1)
    assert got == {"median": 2.0, "min": 1.0, "max": 3.1, "n": 3, "values": [3.1, 1.0, 2.0]}


def test_paired_ratios_divide_round_by_round() -> None:
    """Each round's A is divided by the same round's B, keeping round order."""
    assert _util.paired_ratios([2.0, 9.0, 3.0], [1.0, 3.0, 2.0]) == [2.0, 3.0, 1.5]


def test_paired_ratio_median_resists_a_loaded_round() -> None:
    """A round where load slowed both sides shows up in both, unlike pooled medians."""
    ratios = _util.paired_ratios([100.0, 300.0, 110.0], [10.0, 30.0, 11.0])
    assert _util.median(ratios) == pytest.approx(10.0)


def test_paired_ratios_need_matching_rounds() -> None:
    """Unequal or empty round lists are refused."""
    with pytest.raises(ValueError, match="equal"):
        _util.paired_ratios([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="equal"):
        _util.paired_ratios([], [])


def test_slope_of_a_line_and_of_flat_noise() -> None:
    """slope() recovers a linear trend exactly and gives ~0 for symmetric noise."""
    assert _util.slope([0, 1, 2, 3], [5, 7, 9, 11]) == pytest.approx(2.0)
    assert _util.slope([1, 2, 3, 4], [10, 12, 12, 10]) == pytest.approx(0.0)


def test_slope_needs_two_distinct_x() -> None:
    """One point, or all x equal, has no slope."""
    with pytest.raises(ValueError):
        _util.slope([1], [1])
    with pytest.raises(ValueError):
        _util.slope([2, 2], [1, 3])


def test_alternate_runs_a_then_b_each_round() -> None:
    """alternate() interleaves the sides A, B, A, B and returns each side's results."""
    calls: list[str] = []

    def side(name: str) -> Any:
        def run() -> str:
            calls.append(name)
            return f"{name}{len(calls)}"

        return run

    a, b = _util.alternate(3, side("a"), side("b"))
    assert calls == ["a", "b", "a", "b", "a", "b"]
    assert a == ["a1", "a3", "a5"]
    assert b == ["b2", "b4", "b6"]


def test_rotate_runs_every_side_in_turn_each_round() -> None:
    """rotate() runs the sides in order within each round and returns each side's results."""
    calls: list[str] = []

    def side(name: str) -> Any:
        def run() -> str:
            calls.append(name)
            return f"{name}{len(calls)}"

        return run

    out = _util.rotate(2, {"a": side("a"), "b": side("b"), "c": side("c")})
    assert calls == ["a", "b", "c", "a", "b", "c"]
    assert out == {"a": ["a1", "a4"], "b": ["b2", "b5"], "c": ["c3", "c6"]}


def test_rotate_needs_a_round_and_a_side() -> None:
    """Zero rounds or no sides is refused: it would produce no measurement."""
    with pytest.raises(ValueError, match="rounds"):
        _util.rotate(0, {"a": lambda: 1})
    with pytest.raises(ValueError, match="side"):
        _util.rotate(1, {})


def test_recorded_commands_log_bidi_commands() -> None:
    """A BiDi command is logged as "bidi:<method>" once answered (here: failed at once)."""
    conn = BidiConnection.__new__(BidiConnection)  # no socket: a connection already closed
    conn._lock = threading.Lock()
    conn._closed_reason = "closed for the test"
    with _util.recorded_commands() as log:
        future = conn.send("browsingContext.navigate", {})
    assert isinstance(future.exception(), BidiClosedError)
    assert [name for name, _ in log] == ["bidi:browsingContext.navigate"]
    assert _util.used_bidi(log)
    conn.send("script.evaluate", {})  # after the block: no longer recorded
    assert len(log) == 1


def test_used_bidi_false_for_classic_commands_only() -> None:
    """A log of classic WebDriver commands alone does not count as BiDi."""
    assert not _util.used_bidi([("get", 12.0), ("getPageSource", 3.0)])
    assert not _util.used_bidi([])


def test_alternate_needs_a_round() -> None:
    """Zero rounds is refused: it would produce no measurement."""
    with pytest.raises(ValueError, match="rounds"):
        _util.alternate(0, lambda: 1, lambda: 2)


@pytest.mark.parametrize(
    ("value", "goal", "met"),
    [
        (1.10, "<= 1.10", True),
        (1.11, "<= 1.10", False),
        (8.0, ">= 8", True),
        (7.99, ">=8", False),
        (2.0, "< 2", False),
        (2.1, "> 2", True),
    ],
)
def test_goal_met(value: float, goal: str, met: bool) -> None:
    """Goals compare with their operator, boundaries included for <= and >=."""
    assert _util.goal_met(value, goal) is met


def test_parse_goal_rejects_unknown_operator() -> None:
    """A goal without a known operator raises instead of passing silently."""
    with pytest.raises(ValueError, match="goal"):
        _util.parse_goal("about 1.1")


def test_figure_with_goal_records_met() -> None:
    """figure() rounds the value and says whether the goal holds; details are kept."""
    fig = _util.figure(1.23456, "x", "<= 1.10", digits=3, note="n")
    assert fig == {"value": 1.235, "unit": "x", "goal": "<= 1.10", "met": False, "note": "n"}


def test_figure_without_goal_has_met_none() -> None:
    """A figure with no goal reports met=None, not True."""
    assert _util.figure(5, "ms")["met"] is None


def test_descendants_walks_the_whole_tree() -> None:
    """descendants() finds children and grandchildren of every root, but not the roots."""
    parents = {10: 1, 11: 10, 12: 11, 13: 10, 20: 1, 21: 20, 30: 99}
    assert _util.descendants([10], parents) == {11, 12, 13}
    assert _util.descendants([10, 20], parents) == {11, 12, 13, 21}
    assert _util.descendants([42], parents) == set()


def test_parse_kb_reads_named_line() -> None:
    """parse_kb() takes the number of the exact key from a smaps_rollup text."""
    text = (
        "00400000-7ffd [rollup]\nRss:              120520 kB\nPss:               61234 kB\n"
        "Pss_Anon:          40000 kB\n"
    )
    assert _util.parse_kb(text, "Pss") == 61234
    assert _util.parse_kb(text, "Rss") == 120520
    assert _util.parse_kb(text, "Swap") is None


def test_memory_of_this_process_is_positive() -> None:
    """memory_kb() reads our own process (PSS where the kernel offers it)."""
    sample = _util.memory_kb(os.getpid())
    assert sample is not None
    kb, method = sample
    assert kb > 1000
    assert method in ("pss", "rss")


def test_browser_memory_counts_children_of_given_roots() -> None:
    """browser_memory() sums the processes below the given roots and counts the roots apart."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        got = _util.browser_memory([os.getpid()])
        assert got["drivers"] == 1
        assert got["processes"] >= 1
        assert got["browsers_mb"] > 1
        assert got["drivers_mb"] > 1
    finally:
        child.kill()
        child.wait()


def test_cpu_seconds_counts_work_done_by_a_reaped_child() -> None:
    """cpu_seconds() grows with a child's CPU time, even after the child exited."""
    before = _util.cpu_seconds()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass",
        ],
        check=True,
    )
    assert _util.cpu_seconds() - before >= 0.25


def test_chromedriver_pids_ignores_other_children() -> None:
    """Only children named chromedriver count as drivers of our pools."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        assert child.pid not in _util.chromedriver_pids()
    finally:
        child.kill()
        child.wait()


def test_adapt_extraction_makes_figures_and_goal() -> None:
    """bench_extraction's flat dict becomes figures; its ratio gets its goal."""
    raw = {
        "items": 2000,
        "parser": "lxml",
        "parse_ms": 100.0,
        "extract_ms": 120.0,
        "extract_to_parse_ratio": 1.2,
        "goal_ratio": 1.5,
        "goal_met": True,
    }
    adapted = _adapt_extraction(raw)
    assert adapted["figures"]["parse_ms"]["unit"] == "ms"
    ratio = adapted["figures"]["extract_to_parse_ratio"]
    assert (ratio["goal"], ratio["met"]) == ("<= 1.5", True)
    assert adapted["params"] == {"items": 2000, "parser": "lxml"}


def test_only_accepts_commas_and_repeats_and_rejects_unknown() -> None:
    """--only takes repeated or comma-separated names and refuses unknown ones."""
    assert _names(["core,many", "grid"]) == ["core", "many", "grid"]
    assert _names(None)[0] == "core"
    with pytest.raises(SystemExit, match="nope"):
        _names(["nope"])


def test_table_shows_goal_status_and_skips() -> None:
    """The printed table names each figure, marks a missed goal and shows skip reasons."""
    table = format_table(
        {
            "core": {"figures": {"ratio": _util.figure(1.5, "x", "<= 1.10")}},
            "grid": {"skipped": "no Java", "figures": {}},
        }
    )
    assert "ratio" in table
    assert "MISSED" in table
    assert "no Java" in table
