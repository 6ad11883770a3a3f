"""HeapSweeper's counting without a browser: every n-th crawl starts one collection in
the background, a failed collection is only logged, and none overlaps another."""

from __future__ import annotations

import threading

import pytest

from seleniumcrawl.browser.sweeper import HeapSweeper


class _Counting(HeapSweeper):
    """A sweeper whose collection only counts (and may be held open by a test)."""

    def __init__(self, every: int) -> None:
        super().__init__("127.0.0.1:9", timeout=1, every=every)
        self.calls = 0
        self.release = threading.Event()
        self.release.set()

    def collect(self) -> int:
        self.calls += 1
        self.release.wait(5)
        with self._lock:
            self.sweeps += 1
            self._done.notify_all()
        return 1


def test_every_nth_crawl_starts_one_collection() -> None:
    """every=3: nine crawls make three collections, two crawls none."""
    sweeper = _Counting(every=3)
    for _ in range(2):
        sweeper.crawled()
    assert sweeper.calls == 0
    for _ in range(7):
        sweeper.crawled()
        _settle(sweeper)
    assert sweeper.sweeps == 3 and sweeper.calls == 3


def test_a_collection_still_running_is_not_doubled() -> None:
    """While one collection runs, the next due one is skipped (not queued behind it)."""
    sweeper = _Counting(every=1)
    sweeper.release.clear()
    sweeper.crawled()
    sweeper.crawled()
    sweeper.release.set()
    assert sweeper.wait_for_sweeps(1, timeout=5)
    assert sweeper.calls == 1


def test_a_failed_collection_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    """No browser at the address: the background collection fails, logs at DEBUG, and the
    next one may start."""
    caplog.set_level("DEBUG", logger="seleniumcrawl.browser.sweeper")
    sweeper = HeapSweeper("127.0.0.1:9", timeout=0.5, every=1)
    sweeper.crawled()
    _settle(sweeper)
    assert sweeper.sweeps == 0
    assert "heap sweep of the browser at 127.0.0.1:9 failed" in caplog.text


def _settle(sweeper: HeapSweeper) -> None:
    """Wait until no collection runs (the sweeper notifies when one ends)."""
    with sweeper._done:
        assert sweeper._done.wait_for(lambda: not sweeper._sweeping, 5)
