"""AdaptiveConcurrency: simulated pages (CPU-bound, latency-bound) drive the controller; it
settles near the best fixed number of pages in flight and backs off under host pressure."""

from __future__ import annotations

import heapq
from collections.abc import Callable

import pytest

from seleniumcrawl.dispatch.adaptive import AdaptiveConcurrency, memory_pressure

#: pages/s with n pages in flight.
Model = Callable[[int], float]


def cpu_bound(n: int) -> float:
    """Two cores, 0.25 s of CPU a page; each page beyond the cores costs 6% (switching,
    cache): best at 2 in flight, 16 in flight is half as fast."""
    return 8.0 * min(n, 2) / 2 * max(0.2, 1 - 0.06 * max(0, n - 2))


def latency_bound(n: int) -> float:
    """0.5 s pages, at most 12 served at once (6 connections per host, two hosts)."""
    return min(n, 12) / 0.5


_CLOCK = {"now": 0.0}  # one monotonic clock across a test's runs, as in a process


def simulate(controller: AdaptiveConcurrency, model: Model, pages: int) -> tuple[list[int], float]:
    """Run ``pages`` simulated pages: each page starting with n in flight takes
    n / model(n) s. Returns the limit after each completion and the pages/s of the
    second half of the run (once the controller had time to settle)."""
    now, started, limits = _CLOCK["now"], 0, []
    in_flight: list[tuple[float, float]] = []
    finish_times: list[float] = []
    while len(finish_times) < pages:
        while started < pages and len(in_flight) < controller.limit:
            n = len(in_flight) + 1
            heapq.heappush(in_flight, (now + n / model(n), now))
            started += 1
        done, began = heapq.heappop(in_flight)
        now = done
        controller.record(began, done)
        limits.append(controller.limit)
        finish_times.append(done)
    _CLOCK["now"] = now
    half = pages // 2
    return limits, (pages - half) / (finish_times[-1] - finish_times[half - 1])


def best_fixed(model: Model, cap: int) -> tuple[int, float]:
    best = max(range(1, cap + 1), key=model)
    return best, model(best)


@pytest.mark.parametrize(
    ("model", "cap"), [(cpu_bound, 16), (latency_bound, 16), (latency_bound, 8)],
    ids=["cpu-bound", "latency-bound", "latency-bound-cap-8"],
)  # fmt: skip
def test_converges_near_the_best_fixed_setting(model: Model, cap: int) -> None:
    """On CPU-bound pages the limit settles near the cores' count, on latency-bound pages
    near the cap; the second half of the run reaches >= 90% of the best fixed setting."""
    controller = AdaptiveConcurrency(cap, pressure=None)
    limits, achieved = simulate(controller, model, 600)
    best, best_rate = best_fixed(model, cap)
    assert achieved >= 0.9 * best_rate, (achieved, best_rate, controller.stats())
    settled = sorted(limits[300:])[150]  # the median limit once settled
    assert model(settled) >= 0.9 * best_rate, (settled, best, controller.stats())
    assert max(limits) <= cap


def test_cpu_bound_backs_off_from_a_high_start() -> None:
    """Started at 16 (the default start: the cap) on CPU-bound pages, it comes down near 2."""
    controller = AdaptiveConcurrency(16, start=16, pressure=None)
    limits, achieved = simulate(controller, cpu_bound, 600)
    assert sum(limits[300:]) / 300 <= 3.5, controller.stats()
    assert achieved >= 0.9 * best_fixed(cpu_bound, 16)[1]


def test_backs_off_under_host_pressure_and_climbs_after() -> None:
    """While pressure() says the host is short the limit falls to the floor, whatever the
    throughput; once the pressure is gone it climbs again."""
    pressed = [False]
    controller = AdaptiveConcurrency(16, pressure=lambda: pressed[0])
    simulate(controller, latency_bound, 200)
    high = controller.limit
    assert high >= 8
    pressed[0] = True
    simulate(controller, latency_bound, 200)
    assert controller.limit == 1
    assert controller.stats()["reason"] == "host pressure"
    pressed[0] = False
    simulate(controller, latency_bound, 300)
    assert controller.limit >= 8


def test_follows_a_site_that_gets_slower() -> None:
    """A run that turns from latency-bound to CPU-bound pages brings the limit down."""
    controller = AdaptiveConcurrency(16, pressure=None)
    simulate(controller, latency_bound, 300)
    assert controller.limit >= 8
    limits, _ = simulate(controller, cpu_bound, 600)
    assert sum(limits[300:]) / 300 <= 3.5, controller.stats()


def test_stats_report_the_choice() -> None:
    """stats() gives the current limit, cap, floor, changes, reason and history."""
    controller = AdaptiveConcurrency(8, pressure=None)
    assert controller.stats()["current"] == 8 and controller.stats()["history"] == []  # the cap
    simulate(controller, latency_bound, 100)
    stats = controller.stats()
    assert stats["current"] == controller.limit and stats["cap"] == 8 and stats["floor"] == 1
    assert stats["changes"] >= 2 and stats["history"] and stats["pages_per_s"] > 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"cap": 0}, "cap"), ({"cap": 4, "start": 0}, "start"), ({"cap": 2, "floor": 3}, "floor"),
     ({"cap": 4, "decrease": 1.0}, "decrease"), ({"cap": True}, "cap")],
)  # fmt: skip
def test_bad_settings_name_the_field(kwargs: dict[str, object], field: str) -> None:
    """A bad cap, start, floor or decrease is a ValueError naming it."""
    with pytest.raises(ValueError, match=field):
        AdaptiveConcurrency(**kwargs)  # type: ignore[arg-type]


def test_memory_pressure_reads_meminfo() -> None:
    """memory_pressure() is False on a host with memory to spare and True when the
    threshold is above what any host has available."""
    assert memory_pressure(0.0) is False
    assert memory_pressure(1.01) is True


@pytest.mark.parametrize("model", [cpu_bound, latency_bound], ids=["cpu-bound", "latency-bound"])
def test_climbs_from_a_low_start(model: Model) -> None:
    """Started at 1 it climbs (slow start, then additive steps) to near the best setting."""
    controller = AdaptiveConcurrency(16, start=1, pressure=None)
    _, achieved = simulate(controller, model, 600)
    assert achieved >= 0.9 * best_fixed(model, 16)[1], controller.stats()
