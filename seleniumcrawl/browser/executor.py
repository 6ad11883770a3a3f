"""Thread confinement: one thread owns one driver; its pages may have threads of their own.

The ownership rule, in two sentences:

* A driver's **classic WebDriver client** (HTTP, not thread-safe) is used only by the
  :class:`DriverThread` that started it; work for it is queued to that thread and
  answered through a ``concurrent.futures.Future`` (awaitable with ``wrap_future``).
  ``ManagedDriver.webdriver`` raises ``WrongThreadError`` on any other thread.
* Over **WebDriver BiDi** the same driver runs up to ``max_pages_per_driver`` crawls at
  once, each on one of the driver's *page threads* and in a tab of its own; a page thread
  talks to the browser only through the driver's BiDi connection (thread-safe) and
  addresses its tab by id. The pool lets one page thread at a time drive a given tab.

The driver is started lazily, on the owning thread, by the first task; page threads are
started with the first BiDi crawl and never wait for the driver thread (it may be
waiting for them, at close).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.errors import CrawlerClosedError

log = logging.getLogger(__name__)

T = TypeVar("T")
Task = Callable[[ManagedDriver], Any]

_STOP = object()
_ids = itertools.count(1)
_local = threading.local()


def current_driver_thread() -> DriverThread | None:
    """The DriverThread whose thread (or page thread) runs the calling code, else None."""
    return getattr(_local, "owner", None)


class DriverThread:
    """A thread owning one managed driver; tasks run in submission (FIFO) order."""

    def __init__(
        self,
        factory: Callable[[str], ManagedDriver],
        *,
        isolated: bool = False,
        page_slots: int = 1,
    ) -> None:
        self.name = f"seleniumcrawl-driver-{next(_ids)}"
        self.isolated = isolated
        #: Page threads for BiDi crawls (``max_pages_per_driver``).
        self.page_slots = page_slots
        self._pages: concurrent.futures.ThreadPoolExecutor | None = None
        #: Crawls given to this driver and not finished (queued, on this thread or a page
        #: thread); the pool balances drivers by it and changes it under its lock.
        self.crawls = 0
        self._factory = factory
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._pending = 0
        self._pending_lock = threading.Lock()
        self._closed = False
        #: The live managed driver; replaced when it dies. Other threads read it only to kill it.
        self.managed: ManagedDriver | None = None
        #: Bumped each time the driver is replaced: windows of an older generation are gone.
        self.generation = 0
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Tasks queued or running."""
        return self._pending

    @property
    def accepting(self) -> bool:
        """False once the thread was told to finish or stop."""
        return not self._closed

    def is_alive(self) -> bool:
        """Whether the thread still runs."""
        return self._thread.is_alive()

    def submit(self, fn: Callable[[ManagedDriver], T]) -> concurrent.futures.Future[T]:
        """Queue ``fn(driver)`` to run on this thread; its result arrives in the future."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._pending_lock:
            if self._closed:
                raise CrawlerClosedError("the driver pool is closed")
            self._pending += 1
            self._queue.put((fn, future))
        return future

    def ensure_driver(self) -> ManagedDriver:
        """The thread's driver, started on first use (call on this thread only)."""
        if self.managed is None:
            self.managed = self._factory(self.name)
        return self.managed

    def discard_driver(self, generation: int | None = None) -> None:
        """Quit the current driver (dead or alive); the next task starts a fresh one.

        With ``generation``, only if the driver is still that generation: several
        pages in flight may all report one death, and only the first replaces it.
        """
        if generation is not None and generation != self.generation:
            return
        if self.managed is not None:
            self.managed.quit()
            self.managed = None
            self.generation += 1

    def run_on_page_thread(self, fn: Callable[[], None]) -> concurrent.futures.Future[None]:
        """Run ``fn()`` on one of this driver's page threads (started on first use).

        At most ``page_slots`` run at once; the rest wait in submission order. The
        returned future is cancelled if the thread stops before ``fn`` started.
        """
        with self._pending_lock:
            if self._pages is None:
                self._pages = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.page_slots,
                    thread_name_prefix=f"{self.name}-page",
                    initializer=self._mark_page_thread,
                )
            pages = self._pages
        return pages.submit(fn)

    def _mark_page_thread(self) -> None:
        _local.owner = self

    def _stop_page_threads(self) -> None:
        """Cancel page work not yet started and wait for the running pages to end."""
        with self._pending_lock:
            pages, self._pages = self._pages, None
        if pages is not None:
            pages.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> None:
        _local.owner = self
        while True:
            item = self._queue.get()
            if item is _STOP:
                break
            fn, future = item
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn(self.ensure_driver()))
                    except BaseException as exc:
                        future.set_exception(exc)
            finally:
                with self._pending_lock:
                    self._pending -= 1
        # Pages in flight end before their browser does (at close they get the grace period).
        self._stop_page_threads()
        self.discard_driver()

    def cancel_queued(self) -> int:
        """Fail every task still waiting in the queue (the running one goes on)."""
        cancelled = 0
        kept: list[Any] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                kept.append(item)
                continue
            _, future = item
            if future.set_running_or_notify_cancel():
                future.set_exception(CrawlerClosedError("the crawler was closed before this ran"))
            with self._pending_lock:
                self._pending -= 1
            cancelled += 1
        for item in kept:
            self._queue.put(item)
        return cancelled

    def finish(self) -> None:
        """Stop taking work; the queued tasks still run, then the driver quits (no wait)."""
        with self._pending_lock:
            if self._closed:
                return
            self._closed = True
        self._queue.put(_STOP)

    def stop(self, grace: float) -> None:
        """Stop taking work, let the running task finish for ``grace`` s, then kill the browser."""
        self.request_stop()
        self.await_stop(time.monotonic() + grace)

    def request_stop(self) -> None:
        """Fail the queued tasks and queue the stop marker; does not wait."""
        with self._pending_lock:
            already = self._closed
            self._closed = True
        self.cancel_queued()
        if not already:
            self._queue.put(_STOP)

    def await_stop(self, deadline: float) -> None:
        """Wait until ``deadline`` (monotonic) for the thread to end, then kill its browser.

        Killing the processes makes a stuck WebDriver call fail at once, so the
        thread reaches the stop marker and quits its driver on its own thread.
        """
        if threading.current_thread() is self._thread:
            return
        self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread.is_alive():
            managed = self.managed
            log.warning("%s still busy at close; killing its browser", self.name)
            if managed is not None:
                managed.force_kill()
            self._thread.join(10)
        if self._thread.is_alive():
            log.error("%s did not stop", self.name)
