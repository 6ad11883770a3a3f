"""A crawl's trip through the pool as a job: :class:`_Serial` starts a session's jobs one at
a time, :class:`_Job` runs one on its driver thread and settles its future after its
bookkeeping.
"""

from __future__ import annotations

import collections
import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.errors import CrawlerClosedError


class _Serial:
    """Starts jobs one at a time in arrival order: a session's crawls never interleave.

    ``submit(start)`` calls ``start(done)`` now or once every earlier job called its
    ``done``; each ``start`` must make ``done`` be called exactly once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: collections.deque[Callable[[Callable[[], None]], None]] = collections.deque()
        self._busy = False

    def submit(self, start: Callable[[Callable[[], None]], None]) -> None:
        with self._lock:
            if self._busy:
                self._waiting.append(start)
                return
            self._busy = True
        start(self._next)

    def _next(self) -> None:
        with self._lock:
            if not self._waiting:
                self._busy = False
                return
            start = self._waiting.popleft()
        start(self._next)


T = TypeVar("T")


class _Job(Generic[T]):
    """One crawl handed to a driver: runs once or fails once, then calls ``on_end``."""

    def __init__(
        self,
        outer: concurrent.futures.Future[T],
        body: Callable[[ManagedDriver], T],
        on_end: Callable[[], None],
        release: Callable[[], None] | None = None,
    ) -> None:
        self.outer = outer
        self._body = body
        self._on_end = on_end
        self._release = release
        self._lock = threading.Lock()
        self._claimed = False

    def _claim(self) -> bool:
        with self._lock:
            claimed, self._claimed = self._claimed, True
        return not claimed

    def run(self, drv: ManagedDriver) -> None:
        """Run the body (unless the caller cancelled while it waited)."""
        if not self._claim():
            return
        outcome: tuple[bool, Any] | None = None
        try:
            if self.outer.set_running_or_notify_cancel():
                try:
                    outcome = (True, self._body(drv))
                except BaseException as exc:
                    outcome = (False, exc)
        finally:
            self._end_then_settle(outcome)

    def fail(self, exc: BaseException) -> None:
        """The job cannot run (its browser did not start, the pool closed)."""
        if not self._claim():
            return
        running = self.outer.set_running_or_notify_cancel()
        self._end_then_settle((False, exc) if running else None)

    def _end_then_settle(self, outcome: tuple[bool, Any] | None) -> None:
        """The pool's bookkeeping first (``on_end``: counts; a session that never opened
        is dropped), then the caller's future, so what the caller reads next agrees with
        its result; ``release`` last (the session's next crawl starts after this one's
        result is out)."""
        try:
            self._on_end()
        finally:
            try:
                if outcome is not None:
                    ok, value = outcome
                    if ok:
                        self.outer.set_result(value)
                    else:
                        self.outer.set_exception(value)
            finally:
                if self._release is not None:
                    self._release()


def _nothing() -> None:
    """A job's ``on_end`` when it has no bookkeeping."""


def _fail_unless_ran(job: _Job[Any], queued: concurrent.futures.Future[None]) -> None:
    """``queued`` ended without handing ``job`` on: fail it with the reason."""
    if queued.cancelled():
        job.fail(CrawlerClosedError("the crawler was closed before this ran"))
        return
    exc = queued.exception()
    if exc is not None:
        job.fail(exc)
