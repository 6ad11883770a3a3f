"""The many-URL dispatcher: ordering, concurrency, sessions, retries, pacing, progress, stop."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.dispatcher import (
    Dispatcher,
    aiter_completed,
    arun_all,
    backoff_delay,
    is_retryable,
    select_config,
)
from seleniumcrawl.models import CrawlResult

DEFAULT = CrawlerRunConfig()


@attrs.define
class Call:
    url: str
    thread: int
    start: float
    end: float = 0.0


class FakeCrawl:
    """A blocking crawl that records calls, threads, start/end times and overlap.

    ``behave(url, attempt)`` returns a duration (s) and optionally a result or an
    exception to raise; by default each crawl succeeds at once.
    """

    def __init__(self, behave: Callable[[str, int], Any] | None = None) -> None:
        self.behave = behave or (lambda url, attempt: 0.0)
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0

    def __call__(self, url: str, config: CrawlerRunConfig) -> CrawlResult:
        with self.lock:
            attempt = sum(1 for c in self.calls if c.url == url)
            call = Call(url, threading.get_ident(), time.monotonic())
            self.calls.append(call)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        outcome = self.behave(url, attempt)
        duration, result = outcome if isinstance(outcome, tuple) else (outcome, None)
        try:
            time.sleep(duration)
            if isinstance(result, BaseException):
                raise result
            return result or CrawlResult(url=url, success=True, session_id=config.session_id)
        finally:
            with self.lock:
                call.end = time.monotonic()
                self.active -= 1

    def urls(self) -> list[str]:
        return [c.url for c in self.calls]


def failure(message: str, error_type: str = "crawl") -> Callable[[str, int], Any]:
    return lambda url, attempt: (0.0, CrawlResult.failure(url, message, error_type=error_type))


def urls_of(n: int, host: str = "h") -> list[str]:
    return [f"http://{host}{i}.test/" for i in range(n)]


def dispatch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("seleniumcrawl-dispatch")]


def finishing_in_reverse(urls: list[str]) -> tuple[FakeCrawl, Callable[..., None]]:
    """A crawl whose URL i finishes only after URL i+1 was reported: completion is reversed.

    Ordering by events rather than sleeps keeps the test exact on a loaded machine.
    """
    reported = {url: threading.Event() for url in urls}

    def behave(url: str, attempt: int) -> float:
        position = urls.index(url)
        if position + 1 < len(urls):
            assert reported[urls[position + 1]].wait(10)
        return 0.0

    def progress(done: int, total: int, result: CrawlResult) -> None:
        reported[result.url].set()

    return FakeCrawl(behave), progress


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


# -- select_config ----------------------------------------------------------------------


def test_select_config_first_match_wins() -> None:
    """The first config whose url_matcher matches is chosen; later matches are ignored."""
    pdfs = CrawlerRunConfig(url_matcher="*.pdf", pdf=True)
    docs = CrawlerRunConfig(url_matcher="*/docs/*", screenshot=True)
    api = CrawlerRunConfig(url_matcher=lambda u: "api." in u, max_retries=2)
    both = CrawlerRunConfig(url_matcher=["*blog*", lambda u: u.endswith("/news")], mean_delay=1)
    rest = CrawlerRunConfig(scan_full_page=True)
    configs = [pdfs, docs, api, both, rest]
    assert select_config("http://a.test/docs/x.pdf", configs) is pdfs
    assert select_config("http://a.test/docs/x.html", configs) is docs
    assert select_config("http://api.a.test/v1", configs) is api
    assert select_config("http://a.test/blog/1", configs) is both
    assert select_config("http://a.test/news", configs) is both
    assert select_config("http://a.test/other", configs) is rest


def test_select_config_none_when_nothing_matches() -> None:
    """Without a catch-all, an unmatched URL gets None; a single config always applies."""
    only = CrawlerRunConfig(url_matcher="*.pdf")
    assert select_config("http://a.test/x.html", [only]) is None
    assert select_config("http://a.test/x.html", []) is None
    assert select_config("http://a.test/x.html", only) is only


def test_unmatched_url_fails_without_crawling() -> None:
    """A URL no config matches fails with a clear message and never reaches crawl."""
    crawl = FakeCrawl()
    results = Dispatcher(crawl, concurrency=2).run(
        ["http://a.test/x.pdf", "http://a.test/x.html"], [CrawlerRunConfig(url_matcher="*.pdf")]
    )
    assert results[0].success
    assert not results[1].success
    assert "No CrawlerRunConfig matches URL" in (results[1].error_message or "")
    assert crawl.urls() == ["http://a.test/x.pdf"]


# -- ordering and concurrency -----------------------------------------------------------


def test_run_returns_input_order() -> None:
    """run() returns results in input order although later URLs finish first."""
    urls = urls_of(4)
    durations = dict(zip(urls, [0.2, 0.15, 0.1, 0.0], strict=True))
    results = Dispatcher(FakeCrawl(lambda u, a: durations[u]), concurrency=4).run(urls, DEFAULT)
    assert [r.url for r in results] == urls


def test_iter_completed_yields_completion_order() -> None:
    """iter_completed() yields each result as it completes, fastest first."""
    urls = urls_of(4)
    crawl, progress = finishing_in_reverse(urls)
    d = Dispatcher(crawl, concurrency=4, progress=progress)
    assert [r.url for r in d.iter_completed(urls, DEFAULT)] == list(reversed(urls))


def test_concurrency_bound_is_respected() -> None:
    """At most `concurrency` crawls run at once, and that many do run together."""
    crawl = FakeCrawl(lambda u, a: 0.08)
    results = Dispatcher(crawl, concurrency=3).run(urls_of(12), DEFAULT)
    assert all(r.success for r in results)
    assert crawl.max_active == 3
    assert len({c.thread for c in crawl.calls}) == 3


def test_empty_input_and_bad_arguments() -> None:
    """No URLs gives no results; a str for urls or a bad concurrency raise."""
    d = Dispatcher(FakeCrawl(), concurrency=1)
    assert d.run([], DEFAULT) == []
    assert list(d.iter_completed([], DEFAULT)) == []
    with pytest.raises(TypeError, match="not a single str"):
        d.run("http://a.test/", DEFAULT)
    with pytest.raises(ValueError, match="concurrency"):
        Dispatcher(FakeCrawl(), concurrency=0)


def test_session_urls_run_in_order_on_one_thread() -> None:
    """A session's URLs run one after another in input order on one worker, never overlapping."""
    session = CrawlerRunConfig(url_matcher="*/s/*", session_id="s")
    urls = [
        "http://a.test/s/1",
        "http://b.test/1",
        "http://a.test/s/2",
        "http://c.test/1",
        "http://a.test/s/3",
        "http://d.test/1",
    ]
    crawl = FakeCrawl(lambda u, a: 0.05)
    results = Dispatcher(crawl, concurrency=3).run(urls, [session, DEFAULT])
    assert [r.url for r in results] == urls
    runs = [c for c in crawl.calls if "/s/" in c.url]
    assert [c.url for c in runs] == ["http://a.test/s/1", "http://a.test/s/2", "http://a.test/s/3"]
    assert len({c.thread for c in runs}) == 1
    assert all(later.start >= earlier.end for earlier, later in itertools.pairwise(runs))


# -- failures and retries ---------------------------------------------------------------


def test_retries_back_off_and_keep_the_last_result() -> None:
    """A failing URL is tried 1 + max_retries times with growing jittered backoff."""
    sleeps: list[float] = []
    crawl = FakeCrawl(lambda u, a: (0.0, CrawlResult.failure(u, f"Connection refused #{a}")))
    d = Dispatcher(crawl, concurrency=1, sleep=sleeps.append, rng=random.Random(7))
    [result] = d.run(["http://a.test/"], CrawlerRunConfig(max_retries=6))
    assert len(crawl.calls) == 7
    assert result.error_message == "Connection refused #6"
    steps = [0.5, 1, 2, 4, 8, 8]
    assert len(sleeps) == len(steps)
    assert all(step / 2 <= s <= step for s, step in zip(sleeps, steps, strict=True))
    assert sleeps[:4] == sorted(sleeps[:4])


def test_retries_stop_at_first_success() -> None:
    """Retrying stops as soon as an attempt succeeds."""
    sleeps: list[float] = []

    def behave(url: str, attempt: int) -> Any:
        return (0.0, None) if attempt == 2 else (0.0, CrawlResult.failure(url, "timeout"))

    crawl = FakeCrawl(behave)
    [result] = Dispatcher(crawl, concurrency=1, sleep=sleeps.append).run(
        ["http://a.test/"], CrawlerRunConfig(max_retries=5)
    )
    assert result.success
    assert len(crawl.calls) == 3 and len(sleeps) == 2


@pytest.mark.parametrize("message", ["Unsupported URL scheme 'ftp'", "Invalid URL: 'http://'"])
def test_permanent_failures_are_not_retried(message: str) -> None:
    """Bad or unsupported URLs (error_type bad_input) fail once: a retry cannot change them."""
    sleeps: list[float] = []
    crawl = FakeCrawl(failure(message, "bad_input"))
    [result] = Dispatcher(crawl, concurrency=1, sleep=sleeps.append).run(
        ["ftp://a.test/"], CrawlerRunConfig(max_retries=3)
    )
    assert result.error_message == message
    assert len(crawl.calls) == 1 and sleeps == []


def test_is_retryable_and_backoff_delay() -> None:
    """Only failures are retryable, not permanent ones; backoff doubles from 0.5 s up to 8 s."""
    assert not is_retryable(CrawlResult(url="u", success=True))
    assert is_retryable(CrawlResult.failure("u", "page_timeout 100 ms exceeded"))
    assert not is_retryable(
        CrawlResult.failure("u", "Unsupported URL: ftp://x", error_type="bad_input")
    )
    assert not is_retryable(CrawlResult.failure("u", "closed", error_type="closed"))
    top = random.Random()
    top.uniform = lambda a, b: b  # type: ignore[method-assign]
    assert [backoff_delay(n, top) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 8, 8]


def test_exception_in_crawl_becomes_failed_result() -> None:
    """An exception from crawl is a failed result with a one-line message; others proceed."""

    def behave(url: str, attempt: int) -> Any:
        return (0.0, RuntimeError("boom\nsecond line")) if "1" in url else 0.0

    results = Dispatcher(FakeCrawl(behave), concurrency=2).run(urls_of(3), DEFAULT)
    assert [r.success for r in results] == [True, False, True]
    assert results[1].error_message == "RuntimeError: boom second line"


def test_keyboard_interrupt_propagates_after_stopping_workers() -> None:
    """KeyboardInterrupt inside crawl stops the run, joins the workers and propagates."""

    def behave(url: str, attempt: int) -> Any:
        return (0.0, KeyboardInterrupt()) if url.startswith("http://h2.") else 0.02

    crawl = FakeCrawl(behave)
    with pytest.raises(KeyboardInterrupt):
        Dispatcher(crawl, concurrency=2).run(urls_of(40), DEFAULT)
    assert dispatch_threads() == []
    assert len(crawl.calls) < 40


# -- pacing -----------------------------------------------------------------------------


def test_same_domain_is_paced_while_others_proceed() -> None:
    """Starts on one domain are >= 0.5*mean_delay apart; another domain does not wait."""
    urls = ["http://a.test/1", "http://a.test/2", "http://a.test/3", "http://b.test/1"]
    crawl = FakeCrawl()
    t0 = time.monotonic()
    Dispatcher(crawl, concurrency=2, rng=random.Random(1)).run(
        urls, CrawlerRunConfig(mean_delay=0.4)
    )
    starts = {c.url: c.start - t0 for c in crawl.calls}
    a = sorted(v for k, v in starts.items() if "a.test" in k)
    # Tolerance: a worker may be descheduled between reserving its start and calling crawl.
    assert all(later - earlier >= 0.2 - 0.1 for earlier, later in itertools.pairwise(a))
    assert starts["http://b.test/1"] < a[1]  # not queued behind a.test's pacing


def test_pacing_with_fake_clock() -> None:
    """With an injected clock, waits are exactly what the domain's schedule asks for."""
    now = [0.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    rng = random.Random(3)
    expected = random.Random(3)
    starts: list[float] = []

    def crawl(url: str, config: CrawlerRunConfig) -> CrawlResult:
        starts.append(now[0])
        return CrawlResult(url=url, success=True)

    Dispatcher(crawl, concurrency=1, sleep=sleep, clock=lambda: now[0], rng=rng).run(
        ["http://a.test/1", "http://a.test/2", "http://a.test/3"], CrawlerRunConfig(mean_delay=2)
    )
    gaps = [expected.uniform(1, 3) for _ in range(2)]
    assert starts == pytest.approx([0, gaps[0], gaps[0] + gaps[1]])


# -- progress and stopping --------------------------------------------------------------


def test_progress_is_called_once_per_url_serialized() -> None:
    """progress(done, total, result) runs once per URL, done 1..total, never concurrently."""
    calls: list[tuple[int, int, str]] = []
    active = [0, 0]  # current, max

    def progress(done: int, total: int, result: CrawlResult) -> None:
        active[0] += 1
        active[1] = max(active)
        time.sleep(0.005)
        calls.append((done, total, result.url))
        active[0] -= 1

    urls = urls_of(10)
    Dispatcher(FakeCrawl(lambda u, a: 0.01), concurrency=4, progress=progress).run(urls, DEFAULT)
    assert [c[0] for c in calls] == list(range(1, 11))
    assert {c[1] for c in calls} == {10}
    assert sorted(c[2] for c in calls) == sorted(urls)
    assert active[1] == 1


def test_progress_error_propagates() -> None:
    """An exception from the progress callback stops the run and reaches the caller."""

    def progress(done: int, total: int, result: CrawlResult) -> None:
        raise ValueError("bad callback")

    with pytest.raises(ValueError, match="bad callback"):
        Dispatcher(FakeCrawl(), concurrency=2, progress=progress).run(urls_of(5), DEFAULT)
    assert dispatch_threads() == []


def test_closing_the_stream_early_stops_workers() -> None:
    """Closing iter_completed() after two results stops new crawls and joins the workers."""
    crawl = FakeCrawl(lambda u, a: 0.05)
    stream = Dispatcher(crawl, concurrency=2).iter_completed(urls_of(30), DEFAULT)
    first = [next(stream), next(stream)]
    stream.close()
    assert all(r.success for r in first)
    assert dispatch_threads() == []
    started = len(crawl.calls)
    assert started < 8
    time.sleep(0.1)
    assert len(crawl.calls) == started


def test_closing_stops_a_worker_waiting_in_backoff() -> None:
    """A worker waiting in retry backoff (real time) is woken by close, not after the delay."""
    crawl = FakeCrawl(lambda u, a: (0.0, CrawlResult.failure(u, "timeout")) if "h0" in u else 0.0)
    urls = ["http://a.test/", *urls_of(1)]
    stream = Dispatcher(crawl, concurrency=1).iter_completed(urls, CrawlerRunConfig(max_retries=9))
    next(stream)
    assert wait_until(lambda: len(crawl.calls) == 4)  # h0 failed 3 times: now in a 1-2 s backoff
    t0 = time.monotonic()
    stream.close()
    assert time.monotonic() - t0 < 0.5
    assert dispatch_threads() == []
    assert len(crawl.calls) == 4


# -- asyncio bridge ---------------------------------------------------------------------


async def test_arun_all_returns_input_order() -> None:
    """arun_all() gives input order and leaves the event loop free while crawls block."""
    urls = urls_of(4)
    durations = dict(zip(urls, [0.2, 0.1, 0.05, 0.0], strict=True))
    gate = threading.Event()  # opened by the loop: crawls can only succeed if it keeps running

    def behave(url: str, attempt: int) -> Any:
        opened = gate.wait(10)
        return durations[url], None if opened else CrawlResult.failure(url, "loop was blocked")

    async def open_gate() -> None:
        await asyncio.sleep(0.05)
        gate.set()

    opener = asyncio.create_task(open_gate())
    results = await arun_all(Dispatcher(FakeCrawl(behave), concurrency=4), urls, DEFAULT)
    await opener
    assert [r.url for r in results] == urls
    assert all(r.success for r in results)


async def test_aiter_completed_yields_completion_order() -> None:
    """aiter_completed() yields results as they complete."""
    urls = urls_of(4)
    crawl, progress = finishing_in_reverse(urls)
    d = Dispatcher(crawl, concurrency=4, progress=progress)
    got = [r.url async for r in aiter_completed(d, urls, DEFAULT)]
    assert got == list(reversed(urls))


async def test_aiter_completed_early_close_stops_workers() -> None:
    """Closing the async stream after one result stops the dispatcher and its threads."""
    crawl = FakeCrawl(lambda u, a: 0.05)
    d = Dispatcher(crawl, concurrency=2)
    async with contextlib.aclosing(aiter_completed(d, urls_of(30), DEFAULT)) as stream:
        async for result in stream:
            assert result.success
            break
    assert wait_until(lambda: dispatch_threads() == [])
    started = len(crawl.calls)
    assert started < 8
    await asyncio.sleep(0.1)
    assert len(crawl.calls) == started


async def test_async_bridge_forwards_fatal_errors() -> None:
    """An error that stops the workers is raised in the awaiting coroutine."""

    def progress(done: int, total: int, result: CrawlResult) -> None:
        raise ValueError("bad callback")

    d = Dispatcher(FakeCrawl(), concurrency=2, progress=progress)
    with pytest.raises(ValueError, match="bad callback"):
        await arun_all(d, urls_of(3), DEFAULT)
    assert wait_until(lambda: dispatch_threads() == [])


def test_domain_slot_spaces_starts_by_the_reserved_delay() -> None:
    """A DomainSlot is free at its next start; reserving pushes the next start by the delay."""
    from seleniumcrawl.dispatcher import DomainSlot

    slot = DomainSlot(next_start=10.0)
    assert slot.wait(10.0) == 0.0
    slot.reserve(10.0, 2.5)
    assert (slot.delay, slot.next_start) == (2.5, 12.5)
    assert slot.wait(11.0) == 1.5
    assert slot.wait(13.0) < 0
