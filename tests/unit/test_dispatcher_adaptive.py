"""The dispatcher with an AdaptiveConcurrency: the limit holds pages in flight below the
worker count, the controller hears every crawl, and stalled pages free their place."""

from __future__ import annotations

from seleniumcrawl.dispatch.adaptive import AdaptiveConcurrency
from seleniumcrawl.dispatcher import Dispatcher
from tests.unit.test_dispatcher import DEFAULT, FakeCrawl, urls_of


def test_pages_in_flight_stay_within_the_limit() -> None:
    """With 8 workers and a controller that never moves from 2, at most 2 crawls overlap;
    every crawl reaches the controller."""
    crawl = FakeCrawl(lambda url, attempt: 0.05)
    adaptive = AdaptiveConcurrency(8, start=2, min_epoch=10_000, pressure=None)
    results = Dispatcher(crawl, concurrency=8, adaptive=adaptive).run(urls_of(12), DEFAULT)
    assert all(r.success for r in results) and len(results) == 12
    assert crawl.max_active == 2


def test_the_limit_moves_during_a_run() -> None:
    """Latency-bound crawls (0.1 s, no CPU) let the limit climb above its start, never past
    the cap (the worker count)."""
    crawl = FakeCrawl(lambda url, attempt: 0.1)
    adaptive = AdaptiveConcurrency(6, start=1, min_epoch=2, pressure=None)
    Dispatcher(crawl, concurrency=6, adaptive=adaptive).run(urls_of(60), DEFAULT)
    assert adaptive.stats()["changes"] >= 1 and adaptive.limit > 1
    assert crawl.max_active <= 6


def test_a_stalled_page_does_not_hold_a_place() -> None:
    """Limit 1: a page far slower than the stall horizon stops counting, so the fast pages
    run beside it instead of queueing behind it."""
    crawl = FakeCrawl(lambda url, attempt: 1.0 if url.startswith("http://slow") else 0.01)
    adaptive = AdaptiveConcurrency(4, start=1, min_epoch=10_000, stall_floor=0.2, pressure=None)
    urls = urls_of(1, "slow") + urls_of(5, "fast")
    Dispatcher(crawl, concurrency=4, adaptive=adaptive).run(urls, DEFAULT)
    slow = next(c for c in crawl.calls if c.url.startswith("http://slow"))
    fast = [c for c in crawl.calls if c.url.startswith("http://fast")]
    assert all(c.end < slow.end for c in fast), "the fast pages waited for the slow one"
    assert crawl.max_active == 2  # one stalled, one counted: the limit still holds
