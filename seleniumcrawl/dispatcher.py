"""Many URLs over the pool: worker threads, sessions, retries, per-domain pacing, progress.

One synchronous implementation serves both front ends: ``run_many`` uses
:meth:`Dispatcher.run` / :meth:`Dispatcher.iter_completed`, ``arun_many`` uses
the asyncio bridge :func:`arun_all` / :func:`aiter_completed`, which runs the
same workers and hands results to the event loop with ``call_soon_threadsafe``.

Scheduling, in short:

- ``concurrency`` worker threads (one per pool driver) take *units* from a
  shared list in input order. A unit is one URL, or every URL of one
  ``session_id`` (a session is one window: its crawls run one after another, in
  input order, on one worker).
- Per-domain pacing: each domain has a :class:`DomainSlot` (scrapy's downloader slot);
  a crawl on a domain starts ``uniform(0.5, 1.5) * mean_delay`` seconds after the
  previous start there. A worker takes the first unit whose domain is ready, so a
  paced domain never holds up the others.
- A failed crawl is retried ``max_retries`` times with exponential backoff and
  jitter, unless :func:`is_retryable` says retrying cannot help.

Where the work comes from is a :class:`Backlog`: a fixed list of URLs (:class:`UnitList`,
``run_many``) or a deep crawl's frontier, which grows as pages finish
(:mod:`seleniumcrawl.deep_crawling.traversal`). Both run on the same workers, so the
policies of :mod:`seleniumcrawl.async_dispatcher` apply to both: a ``rate_limiter``
(a per-domain gap kept in the :class:`DomainSlot`, backoff and retries on 429/503, the
server's ``Retry-After`` honoured) and an ``admission`` gate (no new page while memory
is short).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import queue
import random
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator, Iterator, Sequence
from typing import cast

from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.dispatch.adaptive import AdaptiveConcurrency
from seleniumcrawl.dispatch.backlog import (
    UNTIL_A_CRAWL_FINISHES,
    Backlog,
    Configs,
    Unit,
    UnitList,
    WorkItem,
    plan,
    select_config,
)
from seleniumcrawl.dispatch.pacing import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    PERMANENT_ERROR_TYPES,
    Admission,
    DomainSlot,
    RateLimitPolicy,
    backoff_delay,
    domain_of,
    is_retryable,
)
from seleniumcrawl.models import CrawlResult

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int, CrawlResult], None]
CrawlFunction = Callable[[str, CrawlerRunConfig], CrawlResult]


class Dispatcher:
    """Crawls many URLs with ``concurrency`` worker threads calling the blocking ``crawl``.

    ``crawl(url, config)`` is the single-URL crawl; crawl errors should come back
    as ``success=False``, but an exception is turned into a failed result too
    (KeyboardInterrupt and SystemExit stop the run and reach the caller).
    ``progress(done, total, result)`` is called on a worker thread once per URL,
    never concurrently. A dispatcher holds no per-run state: it may serve several
    runs, each with its own workers and pacing.

    Policies a user dispatcher (:mod:`seleniumcrawl.async_dispatcher`) adds:
    ``rate_limiter`` (per-domain gaps, backoff and retries on rate-limit answers, which
    ``retry_after(url)`` reads the server's ``Retry-After`` for) and ``admission``
    (holds back new pages, e.g. while memory is short).

    ``adaptive`` (:class:`~seleniumcrawl.dispatch.adaptive.AdaptiveConcurrency`) keeps at
    most its ``limit`` pages in flight (``concurrency`` workers stay the cap) and learns
    from each crawl's start and end times; it may outlive the run (the crawler's default
    keeps one for all its runs, so what it learnt carries over).

    ``sleep``/``clock`` exist for tests: by default waits are on an event that
    stopping interrupts and the clock is ``time.monotonic``. A test may inject a
    fake pair (``sleep`` advancing ``clock``).
    """

    def __init__(
        self,
        crawl: CrawlFunction,
        *,
        concurrency: int,
        progress: ProgressCallback | None = None,
        rate_limiter: RateLimitPolicy | None = None,
        retry_after: Callable[[str], float | None] | None = None,
        admission: Admission | None = None,
        adaptive: AdaptiveConcurrency | None = None,
        sleep: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            raise ValueError(f"Dispatcher concurrency must be an int >= 1, got {concurrency!r}")
        self._crawl = crawl
        self.concurrency = concurrency
        self._progress = progress
        self.rate_limiter = rate_limiter
        self._retry_after = retry_after
        self.admission = admission
        self.adaptive = adaptive
        self._sleep = sleep
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()

    # -- what a run asks of its dispatcher ----------------------------------------------

    @property
    def rng(self) -> random.Random:
        """The random source of pacing gaps and backoff jitter."""
        return self._rng

    def now(self) -> float:
        """The pacing clock (``time.monotonic`` unless a test gave another)."""
        return self._clock()

    def pause(self, seconds: float, stop: threading.Event) -> None:
        """Wait ``seconds``, returning early when ``stop`` is set (unless a test's
        ``sleep`` replaces the wait)."""
        if self._sleep is None:
            stop.wait(seconds)
        else:
            self._sleep(seconds)

    def pacing_gap(self, mean_delay: float) -> float:
        """The gap before the next start on a domain: ``uniform(0.5, 1.5) * mean_delay``."""
        return self._rng.uniform(0.5 * mean_delay, 1.5 * mean_delay)

    def start_gap(self, slot: DomainSlot, mean_delay: float) -> float:
        """The gap after a start on ``slot``'s domain: pacing, or the rate limiter's, if longer."""
        gap = self.pacing_gap(mean_delay) if mean_delay > 0 else 0.0
        if self.rate_limiter is not None:
            gap = max(gap, self.rate_limiter.start_gap(slot, self._rng))
        return gap

    def retry_delay(self, retry: int) -> float:
        """Seconds before retry number ``retry`` (:func:`backoff_delay`)."""
        return backoff_delay(retry, self._rng)

    def server_wait(self, url: str) -> float | None:
        """The ``Retry-After`` the server gives for ``url`` now, in seconds, if any."""
        if self._retry_after is None:
            return None
        try:
            return self._retry_after(url)
        except Exception:
            logger.warning("reading Retry-After for %s failed", url, exc_info=True)
            return None

    def crawl_one(self, url: str, config: CrawlerRunConfig) -> CrawlResult:
        """``crawl``, with an unexpected exception turned into a failed result."""
        try:
            return self._crawl(url, config)
        except Exception as exc:
            logger.error("crawl of %s raised", url, exc_info=True)
            return CrawlResult.failure(
                url, f"{type(exc).__name__}: {exc}", session_id=config.session_id
            )

    def report(self, done: int, total: int, result: CrawlResult) -> None:
        """Call the progress callback, if any (the run serialises the calls)."""
        if self._progress is not None:
            self._progress(done, total, result)

    # -- running ------------------------------------------------------------------------

    def iter_completed(
        self, urls: Sequence[str], configs: Configs
    ) -> Generator[CrawlResult, None, None]:
        """Results in completion order (``stream=True``). Closing the iterator stops the workers."""
        with self.start(urls, configs) as run:
            for _, result in run:
                yield result

    def run(self, urls: Sequence[str], configs: Configs) -> list[CrawlResult]:
        """Results in input order."""
        with self.start(urls, configs) as run:
            results: list[CrawlResult | None] = [None] * run.total
            for index, result in run:
                results[index] = result
        return cast(list[CrawlResult], results)

    def start(self, urls: Sequence[str], configs: Configs) -> Run:
        """Start the workers of one run; iterate it for ``(index, result)``, close it to stop."""
        return self.start_backlog(UnitList(plan(urls, configs)))

    def start_backlog(self, backlog: Backlog) -> Run:
        """Start the workers of one run over any :class:`Backlog` (a deep crawl's frontier)."""
        run = Run(self, backlog)
        run.start()
        return run


class _Stopped(Exception):
    """Internal: the run was stopped while a worker waited."""


_WAKE = object()


class Run:
    """The state of one run: workers, its backlog, results.

    Iterating yields ``(index, result)`` as results become ready; it ends when the
    backlog is done and every worker has left, or the run was stopped, and raises
    what killed a worker (KeyboardInterrupt, SystemExit, an exception from the
    progress callback or the backlog).
    """

    def __init__(self, dispatcher: Dispatcher, backlog: Backlog) -> None:
        self._d = dispatcher
        self._backlog = backlog
        self._lock = threading.Lock()  # guards the backlog's take, _slots and _running
        self._finished = threading.Condition(self._lock)  # notified when a crawl finishes
        self._slots: dict[str, DomainSlot] = {}
        self._stop = threading.Event()
        self._report_lock = threading.Lock()  # serializes finish and progress calls
        self._done = 0
        self._running = 0  # worker threads still in their loop
        self._starts: dict[int, float] = {}  # worker thread -> start of its unit in flight
        self._fatal: BaseException | None = None
        self._results: queue.Queue[object] = queue.Queue()
        self._threads: list[threading.Thread] = []

    @property
    def total(self) -> int:
        """Results this run gives (grows while a deep crawl discovers pages)."""
        return self._backlog.total()

    # -- consumer side --------------------------------------------------------------

    def start(self) -> None:
        with self._report_lock:
            for index, result in self._backlog.preload():
                self._hand_out(index, result)
        count = self._backlog.workers(self._d.concurrency)
        self._running = count
        if count == 0:
            self._results.put(_WAKE)
        for n in range(count):
            thread = threading.Thread(
                target=self._work, name=f"seleniumcrawl-dispatch-{n}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def __iter__(self) -> Iterator[tuple[int, CrawlResult]]:
        return self

    def __next__(self) -> tuple[int, CrawlResult]:
        item = self._results.get()
        if item is _WAKE:
            self._results.put(_WAKE)  # later calls end too
            if self._fatal is not None:
                raise self._fatal
            raise StopIteration
        return cast(tuple[int, CrawlResult], item)

    def stop(self) -> None:
        """Workers finish the crawl in hand and take nothing new. Safe from any thread."""
        self._stop.set()
        with self._lock:
            self._finished.notify_all()
        self._results.put(_WAKE)

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called (results arriving after it are dropped)."""
        return self._stop.is_set()

    def close(self) -> None:
        """Stop and join the workers."""
        self.stop()
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- worker side ------------------------------------------------------------------

    def _work(self) -> None:
        try:
            while (unit := self._take()) is not None:
                try:
                    for position, item in enumerate(unit):
                        # _take reserved the pacing slot for the unit's first crawl.
                        result = self._crawl_with_retries(item, slot_reserved=position == 0)
                        self._finish(item, result)
                finally:
                    with self._lock:
                        self._starts.pop(threading.get_ident(), None)
                        self._finished.notify_all()
        except _Stopped:
            pass
        except BaseException as exc:  # KeyboardInterrupt, SystemExit, a callback's error
            if self._fatal is None:  # the consumer re-raises it after joining the workers
                self._fatal = exc
            self.stop()
        finally:
            with self._lock:
                self._running -= 1
                last = self._running == 0
                self._finished.notify_all()
            if last:
                self._results.put(_WAKE)

    def _take(self) -> Unit | None:
        """The next unit whose domain is ready (its slot reserved); None when done."""
        while True:
            with self._lock:
                if self._stop.is_set():
                    return None
                now = self._d.now()
                adaptive = self._d.adaptive
                if adaptive is not None:
                    busy, frees_in = adaptive.busy(now - t for t in self._starts.values())
                    if busy >= adaptive.limit:
                        # A finishing crawl, or a stalled one, frees a place.
                        self._finished.wait(frees_in)
                        continue
                held = self._d.admission.hold(now) if self._d.admission is not None else 0.0
                if held <= 0:
                    got = self._backlog.take(functools.partial(self._reserve, now=now))
                    if isinstance(got, tuple):
                        self._starts[threading.get_ident()] = now
                    if got is None or isinstance(got, tuple):
                        return got
                    if got == UNTIL_A_CRAWL_FINISHES:
                        self._finished.wait()
                        continue
                    held = got
            self._pause(held)

    def _reserve(self, item: WorkItem, now: float) -> float:
        """Claim the domain's next start for ``item`` (0.0) or say how long until it is free."""
        if item.config is None or not item.domain:
            return 0.0  # nothing will be fetched from a domain
        slot = self._slots.setdefault(item.domain, DomainSlot(next_start=now))
        wait = slot.wait(now)
        if wait > 0:
            return wait
        gap = self._d.start_gap(slot, item.mean_delay)
        if gap > 0:
            slot.reserve(now, gap)
        return 0.0

    def _await_slot(self, item: WorkItem) -> None:
        while True:
            with self._lock:
                if self._stop.is_set():
                    raise _Stopped
                wait = self._reserve(item, self._d.now())
            if wait <= 0:
                return
            self._pause(wait)

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds``; raises _Stopped if the run is (or gets) stopped."""
        self._d.pause(seconds, self._stop)
        if self._stop.is_set():
            raise _Stopped

    def _crawl_with_retries(self, item: WorkItem, *, slot_reserved: bool) -> CrawlResult:
        config = item.config
        if config is None:
            return CrawlResult.failure(
                item.url,
                f"No CrawlerRunConfig matches URL {item.url!r} (check url_matcher)",
                error_type="bad_input",
            )
        retry = limited = 0
        while True:
            if not slot_reserved:
                self._await_slot(item)
            slot_reserved = False
            started = self._d.now()
            result = self._d.crawl_one(item.url, config)
            if self._d.adaptive is not None:
                self._d.adaptive.record(started, self._d.now())
            limiter = self._d.rate_limiter
            if limiter is not None and item.domain:
                if limiter.is_rate_limited(_final_status(result)):
                    limited += 1
                    if limited > limiter.max_retries:
                        return _rate_limit_failure(result, limiter.max_retries)
                    self._rate_limited(item, result, limited, limiter)
                    continue
                with self._lock:
                    limiter.on_answer(self._slot(item), self._d.rng)
            if result.success or retry >= config.max_retries or not is_retryable(result):
                return result
            retry += 1
            delay = self._d.retry_delay(retry)
            logger.info(
                "retry %d/%d of %s in %.2f s after: %s",
                retry,
                config.max_retries,
                item.url,
                delay,
                result.error_message,
            )
            self._pause(delay)

    def _slot(self, item: WorkItem) -> DomainSlot:
        return self._slots.setdefault(item.domain, DomainSlot(next_start=self._d.now()))

    def _rate_limited(
        self, item: WorkItem, result: CrawlResult, attempt: int, limiter: RateLimitPolicy
    ) -> None:
        """Hold the whole domain back for ``Retry-After`` (or the backoff) before the retry."""
        retry_after = self._d.server_wait(item.url)
        with self._lock:
            slot = self._slot(item)
            wait = limiter.on_rate_limited(slot, retry_after, self._d.rng)
            slot.hold_until(self._d.now() + wait)
        logger.info(
            "%s answered HTTP %s: retry %d/%d in %.2f s (%s)",
            item.url,
            _final_status(result),
            attempt,
            limiter.max_retries,
            wait,
            "Retry-After" if retry_after is not None else "backoff",
        )

    def _finish(self, item: WorkItem, result: CrawlResult) -> None:
        with self._report_lock:
            if self._stop.is_set():
                raise _Stopped
            ready = self._backlog.finish(item, result)
            for index, ready_result in ready:
                self._hand_out(index, ready_result)
        with self._lock:
            self._finished.notify_all()

    def _hand_out(self, index: int, result: CrawlResult) -> None:
        """Report progress and queue the result for the consumer (under the report lock)."""
        self._done += 1
        self._d.report(self._done, self._backlog.total(), result)
        self._results.put((index, result))


def _final_status(result: CrawlResult) -> int | None:
    """The status of the page that answered (after redirects): the one that may say 429."""
    return result.redirected_status_code or result.status_code


def _rate_limit_failure(result: CrawlResult, retries: int) -> CrawlResult:
    """The last answer of a URL that stayed rate-limited: a failure that keeps its status."""
    failed = CrawlResult.failure(
        result.url,
        f"rate limited: HTTP {_final_status(result)} after {retries} retries",
        result.session_id,
        "rate_limited",
    )
    failed.status_code = result.status_code
    failed.redirected_status_code = result.redirected_status_code
    failed.redirected_url = result.redirected_url
    return failed


# -- asyncio bridge -------------------------------------------------------------------


async def aiter_run(run: Run) -> AsyncGenerator[tuple[int, CrawlResult], None]:
    """Forward a started run's ``(index, result)`` pairs to the event loop (a pump thread
    iterates the run). Closing the generator stops the run and joins its workers."""
    loop = asyncio.get_running_loop()
    inbox: asyncio.Queue[object] = asyncio.Queue()

    def send(item: object) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody listens
            loop.call_soon_threadsafe(inbox.put_nowait, item)

    def pump() -> None:
        try:
            for item in run:
                send(item)
            send(_WAKE)
        except BaseException as exc:
            send(exc)

    pump_thread = threading.Thread(target=pump, name="seleniumcrawl-dispatch-pump", daemon=True)
    pump_thread.start()
    try:
        while (item := await inbox.get()) is not _WAKE:
            if isinstance(item, BaseException):
                raise item
            yield cast(tuple[int, CrawlResult], item)
    finally:
        run.stop()  # at once, so no new crawl starts while we wait for the joins

        def join() -> None:
            run.close()
            pump_thread.join()

        await asyncio.to_thread(join)


async def _aiter_indexed(
    dispatcher: Dispatcher, urls: Sequence[str], configs: Configs
) -> AsyncGenerator[tuple[int, CrawlResult], None]:
    """Run the dispatcher's workers over ``urls``; results reach the loop as they come."""
    async with contextlib.aclosing(aiter_run(dispatcher.start(urls, configs))) as items:
        async for item in items:
            yield item


async def aiter_completed(
    dispatcher: Dispatcher, urls: Sequence[str], configs: Configs
) -> AsyncGenerator[CrawlResult, None]:
    """Results in completion order, for ``arun_many(stream=True)``.

    Closing it (``aclose()``, ``contextlib.aclosing``) stops the run: no new crawl
    starts and the workers are joined. A consumer that just breaks out of
    ``async for`` leaves that to asyncio's finalizer when the generator is dropped.
    """
    async with contextlib.aclosing(_aiter_indexed(dispatcher, urls, configs)) as items:
        async for _, result in items:
            yield result


async def arun_all(
    dispatcher: Dispatcher, urls: Sequence[str], configs: Configs
) -> list[CrawlResult]:
    """Results in input order, for ``arun_many``."""
    results: list[CrawlResult | None] = [None] * len(urls)
    async with contextlib.aclosing(_aiter_indexed(dispatcher, urls, configs)) as items:
        async for index, result in items:
            results[index] = result
    return cast(list[CrawlResult], results)


__all__ = [
    "BACKOFF_BASE_S",
    "BACKOFF_CAP_S",
    "PERMANENT_ERROR_TYPES",
    "UNTIL_A_CRAWL_FINISHES",
    "Admission",
    "Backlog",
    "Configs",
    "CrawlFunction",
    "Dispatcher",
    "DomainSlot",
    "ProgressCallback",
    "RateLimitPolicy",
    "Run",
    "Unit",
    "UnitList",
    "WorkItem",
    "aiter_completed",
    "aiter_run",
    "arun_all",
    "backoff_delay",
    "domain_of",
    "is_retryable",
    "plan",
    "select_config",
]
