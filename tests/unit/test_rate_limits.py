"""Retry-After parsing, the RateLimiter's backoff, and the memory-adaptive admission, on the
dispatcher with a fake clock and a fake crawl (no browser)."""

from __future__ import annotations

import email.utils
import itertools
import random
from collections.abc import Callable
from pathlib import Path
from typing import cast

import pytest

from seleniumcrawl.async_dispatcher import (
    BaseDispatcher,
    MemoryAdaptiveDispatcher,
    MemoryGate,
    RateLimiter,
    SemaphoreDispatcher,
    memory_percent,
)
from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.dispatcher import Dispatcher, DomainSlot
from seleniumcrawl.models import CrawlResult
from seleniumcrawl.plain_http import parse_retry_after


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (" 0 ", 0.0), (None, None), ("soon", None), ("-5", None), ("1.5", None)],
)
def test_retry_after_seconds(value: str | None, expected: float | None) -> None:
    """Retry-After as delay-seconds; anything unreadable gives None."""
    assert parse_retry_after(value) == expected


def test_retry_after_http_date() -> None:
    """Retry-After as an HTTP-date counts from now; a past date gives 0."""
    now = 1_700_000_000.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == 30.0
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=now) == 0.0
    assert parse_retry_after(email.utils.formatdate(now + 5, localtime=False), now=now) == 5.0


class Clock:
    """A fake clock: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


Starts = list[tuple[str, float]]


def statuses(
    plan: dict[str, list[int]], clock: Clock, starts: Starts
) -> Callable[[str, CrawlerRunConfig], CrawlResult]:
    """A crawl answering each URL with its next planned status (the last one repeats)."""

    def crawl(url: str, config: CrawlerRunConfig) -> CrawlResult:
        starts.append((url, clock.now))
        queue = plan[url]
        status = queue.pop(0) if len(queue) > 1 else queue[0]
        return CrawlResult(url=url, success=True, status_code=status)

    return crawl


def build(
    policy: BaseDispatcher,
    crawl: Callable[[str, CrawlerRunConfig], CrawlResult],
    clock: Clock,
    retry_after: Callable[[str], float | None] | None = None,
) -> Dispatcher:
    d = policy.build(crawl, default_concurrency=1, retry_after=retry_after)
    d._sleep = clock.sleep
    d._clock = lambda: clock.now
    d._rng = random.Random(5)
    return d


def test_retry_after_holds_the_domain_then_the_url_is_retried() -> None:
    """A 429 with Retry-After 7 s: the URL is retried 7 s later, and the domain's other
    URLs wait too; the final result is the good answer."""
    clock, starts = Clock(), cast(Starts, [])
    plan = {"http://a.test/1": [429, 200], "http://a.test/2": [200], "http://b.test/1": [200]}
    limiter = RateLimiter(base_delay=(0.0, 0.0), max_delay=60)
    d = build(
        SemaphoreDispatcher(1, rate_limiter=limiter),
        statuses(plan, clock, starts),
        clock,
        retry_after=lambda url: 7.0,
    )
    results = d.run(list(plan), CrawlerRunConfig())
    assert [r.status_code for r in results] == [200, 200, 200] and all(r.success for r in results)
    when = dict(reversed(starts))  # first start of each URL
    retry = [t for url, t in starts if url == "http://a.test/1"][1]
    assert retry == pytest.approx(7.0)
    assert when["http://a.test/2"] >= 7.0  # the whole domain was held back


def test_a_held_domain_does_not_hold_the_others() -> None:
    """While a.test waits out its Retry-After, a second worker crawls b.test at once."""
    import time

    t0 = time.monotonic()
    starts: dict[str, float] = {}
    answers = {"http://a.test/1": [429, 200]}

    def crawl(url: str, config: CrawlerRunConfig) -> CrawlResult:
        starts.setdefault(url, time.monotonic() - t0)
        queue = answers.get(url, [200])
        return CrawlResult(
            url=url, success=True, status_code=queue.pop(0) if len(queue) > 1 else 200
        )

    limiter = RateLimiter(base_delay=(0.0, 0.0))
    d = SemaphoreDispatcher(2, rate_limiter=limiter).build(
        crawl, default_concurrency=1, retry_after=lambda url: 0.5
    )
    d.run(["http://a.test/1", "http://a.test/2", "http://b.test/1"], CrawlerRunConfig())
    assert starts["http://a.test/2"] >= 0.5
    assert starts["http://b.test/1"] < 0.4


def test_without_retry_after_the_backoff_doubles_and_gives_up_after_max_retries() -> None:
    """No Retry-After: waits grow (doubling, capped); after max_retries the URL fails."""
    clock, starts = Clock(), cast(Starts, [])
    limiter = RateLimiter(base_delay=(1.0, 1.0), max_delay=5.0, max_retries=3)
    d = build(
        SemaphoreDispatcher(1, rate_limiter=limiter),
        statuses({"http://a.test/": [503]}, clock, starts),
        clock,
    )
    (result,) = d.run(["http://a.test/"], CrawlerRunConfig())
    assert not result.success and result.status_code == 503
    assert result.error_message == "rate limited: HTTP 503 after 3 retries"
    assert result.error_type == "rate_limited"
    times = [t for _, t in starts]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) == 4 and gaps[0] >= 1.5 and gaps[-1] <= 5.0 + 1e-9
    assert gaps[1] >= gaps[0] - 1e-9


def test_rate_limiter_gap_and_recovery() -> None:
    """base_delay spaces starts on a domain; good answers shrink a raised gap by a quarter."""
    limiter = RateLimiter(base_delay=(2.0, 2.0), max_delay=30)
    slot, rng = DomainSlot(next_start=0.0), random.Random(1)
    assert limiter.start_gap(slot, rng) == 2.0
    wait = limiter.on_rate_limited(slot, None, rng)
    assert 3.0 <= wait <= 5.0 and slot.backoff == wait
    limiter.on_answer(slot, rng)
    assert slot.backoff == pytest.approx(max(2.0, wait * 0.75))
    assert limiter.on_rate_limited(slot, 120.0, rng) == 30  # Retry-After capped at max_delay
    assert limiter.on_rate_limited(slot, 3.0, rng) == 3.0
    with pytest.raises(ValueError, match="low <= high"):
        RateLimiter(base_delay=(3, 1))
    with pytest.raises(TypeError, match="rate_limit_codes"):
        RateLimiter(rate_limit_codes=["429"])  # type: ignore[list-item]


def test_memory_gate_holds_until_recovery_then_times_out() -> None:
    """Above the threshold new pages wait; below the recovery threshold they go; held too
    long, MemoryError."""
    readings = iter([50.0, 91.0, 88.0, 84.0, 95.0, 95.0, 95.0])
    gate = MemoryGate(90.0, 85.0, lambda: next(readings), check_interval=1.0, wait_timeout=10.0)
    assert gate.hold(0.0) == 0.0
    assert gate.hold(1.0) == 1.0 and gate.holding
    assert gate.hold(2.0) == 1.0  # 88 %: above recovery, still held
    assert gate.hold(3.0) == 0.0 and not gate.holding
    assert gate.hold(4.0) == 1.0
    assert gate.hold(9.0) == 1.0
    with pytest.raises(MemoryError, match="90 %"):
        gate.hold(14.0)


def test_memory_dispatcher_starts_nothing_while_memory_is_high() -> None:
    """No crawl starts until memory falls below the recovery threshold."""
    clock, starts = Clock(), cast(Starts, [])
    readings = [97.0, 96.0, 93.0, 70.0]

    def memory() -> float:
        return readings.pop(0) if len(readings) > 1 else readings[0]

    policy = MemoryAdaptiveDispatcher(
        memory_threshold_percent=90, check_interval=0.5, memory_source=memory
    )
    plan = {f"http://a.test/{n}": [200] for n in range(3)}
    d = build(policy, statuses(plan, clock, starts), clock)
    assert d.concurrency == 20
    results = d.run(list(plan), CrawlerRunConfig())
    assert all(r.success for r in results)
    assert min(t for _, t in starts) == pytest.approx(1.5)  # three checks of 0.5 s held it


def test_dispatcher_parameters_are_checked(tmp_path: Path) -> None:
    """Bad dispatcher values raise naming the field; /proc/meminfo is read as used %."""
    with pytest.raises(ValueError, match="semaphore_count must be >= 1"):
        SemaphoreDispatcher(0)
    with pytest.raises(ValueError, match="recovery_threshold_percent"):
        MemoryAdaptiveDispatcher(memory_threshold_percent=80, recovery_threshold_percent=85)
    with pytest.raises(TypeError, match="rate_limiter must be a RateLimiter"):
        SemaphoreDispatcher(2, rate_limiter=object())  # type: ignore[arg-type]
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:  1000 kB\nMemFree: 10 kB\nMemAvailable:   250 kB\n")
    assert memory_percent(meminfo) == 75.0
    assert 0 < memory_percent() < 100
