"""Crawl4AI's dispatchers for ``arun_many(urls, config, dispatcher=...)`` and deep crawls.

These are policies, not a second scheduler: each configures the one many-URL
mechanism of :mod:`seleniumcrawl.dispatcher` (worker threads, retries, per-domain
:class:`~seleniumcrawl.dispatcher.DomainSlot` pacing, progress) that ``run_many``,
``arun_many`` and deep crawls share.

- :class:`RateLimiter`: a gap of ``uniform(*base_delay)`` seconds between starts on one
  domain; an answer with a status in ``rate_limit_codes`` holds the whole domain back
  for the server's ``Retry-After`` (seconds or an HTTP-date, read with a plain request
  since the browser does not show response headers), or else for an exponential
  backoff capped at ``max_delay``, then retries the URL, at most ``max_retries`` times.
  Good answers shrink the gap back towards ``base_delay``.
- :class:`SemaphoreDispatcher`: ``semaphore_count`` crawls at once.
- :class:`MemoryAdaptiveDispatcher`: up to ``max_session_permit`` crawls at once, and no
  new page starts while system memory use is at or above ``memory_threshold_percent``,
  until it falls below ``recovery_threshold_percent``.

The names are Crawl4AI's; the classes run on threads like the rest of seleniumcrawl.
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from seleniumcrawl.dispatcher import (
    Admission,
    CrawlFunction,
    Dispatcher,
    DomainSlot,
    ProgressCallback,
)

logger = logging.getLogger(__name__)

#: Smallest backoff step after a rate-limit answer, when ``base_delay`` is (0, 0).
_MIN_BACKOFF_S = 0.5
MEMINFO = Path("/proc/meminfo")


def _number(owner: str, name: str, value: object, *, low: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise TypeError(f"{owner}.{name} must be a number, got {value!r}")
    if value < low:
        raise ValueError(f"{owner}.{name} must be >= {low:g}, got {value!r}")
    return float(value)


def _count(owner: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{owner}.{name} must be an int, got {value!r}")
    if value < 1:
        raise ValueError(f"{owner}.{name} must be >= 1, got {value!r}")
    return value


class RateLimiter:
    """Per-domain gaps and backoff on rate-limit answers (Crawl4AI's parameters).

    The state of each domain lives in the run's :class:`DomainSlot` (``backoff``:
    the current gap between starts); this object holds only the policy, so one
    limiter may serve many runs.
    """

    def __init__(
        self,
        base_delay: tuple[float, float] = (1.0, 3.0),
        max_delay: float = 60.0,
        max_retries: int = 3,
        rate_limit_codes: Iterable[int] | None = None,
    ) -> None:
        if not isinstance(base_delay, (tuple, list)) or len(base_delay) != 2:
            raise TypeError(
                f"RateLimiter.base_delay must be (low, high) seconds, got {base_delay!r}"
            )
        low = _number("RateLimiter", "base_delay[0]", base_delay[0])
        high = _number("RateLimiter", "base_delay[1]", base_delay[1])
        if high < low:
            raise ValueError(
                f"RateLimiter.base_delay must be (low, high) with low <= high, got {base_delay!r}"
            )
        self.base_delay = (low, high)
        self.max_delay = _number("RateLimiter", "max_delay", max_delay)
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"RateLimiter.max_retries must be an int >= 0, got {max_retries!r}")
        self.max_retries = max_retries
        codes = [429, 503] if rate_limit_codes is None else list(rate_limit_codes)
        if not all(isinstance(c, int) and not isinstance(c, bool) for c in codes):
            raise TypeError(f"RateLimiter.rate_limit_codes must be ints, got {codes!r}")
        self.rate_limit_codes = frozenset(codes)

    def is_rate_limited(self, status_code: int | None) -> bool:
        """Whether ``status_code`` asks us to slow down."""
        return status_code in self.rate_limit_codes

    def start_gap(self, slot: DomainSlot, rng: random.Random) -> float:
        """The gap after a start on the slot's domain; the first start draws ``base_delay``."""
        if slot.backoff <= 0:
            slot.backoff = rng.uniform(*self.base_delay)
        return slot.backoff

    def on_answer(self, slot: DomainSlot, rng: random.Random) -> None:
        """A normal answer: the gap shrinks by a quarter, never below ``base_delay``."""
        slot.backoff = max(rng.uniform(*self.base_delay), slot.backoff * 0.75)

    def on_rate_limited(
        self, slot: DomainSlot, retry_after: float | None, rng: random.Random
    ) -> float:
        """A rate-limit answer: the gap doubles (with jitter, capped at ``max_delay``);
        returns how long the domain now waits: ``Retry-After`` when the server gave one
        (capped at ``max_delay``, with a warning), else the new gap."""
        step = max(slot.backoff, self.base_delay[1], _MIN_BACKOFF_S)
        slot.backoff = min(self.max_delay, step * 2 * rng.uniform(0.75, 1.25))
        if retry_after is None:
            return slot.backoff
        if retry_after > self.max_delay:
            logger.warning(
                "Retry-After %.0f s is longer than max_delay %.0f s: retrying after max_delay",
                retry_after,
                self.max_delay,
            )
            return self.max_delay
        return retry_after

    def __repr__(self) -> str:
        return (
            f"RateLimiter(base_delay={self.base_delay}, max_delay={self.max_delay}, "
            f"max_retries={self.max_retries}, rate_limit_codes={sorted(self.rate_limit_codes)})"
        )


def memory_percent(meminfo: Path = MEMINFO) -> float:
    """System memory in use, in percent: ``100 * (MemTotal - MemAvailable) / MemTotal``."""
    fields: dict[str, int] = {}
    for line in meminfo.read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("MemTotal", "MemAvailable"):
            fields[name] = int(rest.split()[0])
    total = fields.get("MemTotal", 0)
    if total <= 0 or "MemAvailable" not in fields:
        raise OSError(f"{meminfo} has no MemTotal/MemAvailable")
    return 100.0 * (total - fields["MemAvailable"]) / total


class MemoryGate:
    """Admission by memory: hold new pages at or above ``threshold`` percent, release
    below ``recovery``. Held longer than ``wait_timeout`` seconds, it raises
    ``MemoryError`` (which ends the run), as Crawl4AI's dispatcher does."""

    def __init__(
        self,
        threshold: float,
        recovery: float,
        source: Callable[[], float],
        check_interval: float,
        wait_timeout: float | None,
    ) -> None:
        self.threshold = threshold
        self.recovery = recovery
        self._source = source
        self.check_interval = check_interval
        self.wait_timeout = wait_timeout
        self._lock = threading.Lock()
        self._held_since: float | None = None
        self.last_percent: float | None = None

    @property
    def holding(self) -> bool:
        """Whether new pages are being held back now."""
        return self._held_since is not None

    def hold(self, now: float) -> float:
        """0.0 to let a new page start; else seconds until the next memory check."""
        percent = self._source()
        with self._lock:
            self.last_percent = percent
            if self._held_since is None:
                if percent < self.threshold:
                    return 0.0
                self._held_since = now
                logger.info(
                    "memory at %.1f %% (threshold %.1f %%): holding back new pages",
                    percent,
                    self.threshold,
                )
            elif percent < self.recovery:
                logger.info("memory at %.1f %%: new pages may start again", percent)
                self._held_since = None
                return 0.0
            if self.wait_timeout is not None and now - self._held_since >= self.wait_timeout:
                raise MemoryError(
                    f"memory stayed at or above {self.threshold:g} % for "
                    f"{self.wait_timeout:g} s (now {percent:.1f} %)"
                )
            return self.check_interval


class BaseDispatcher:
    """What every dispatcher shares: a rate limiter, and how the run is built."""

    def __init__(self, rate_limiter: RateLimiter | None = None) -> None:
        if rate_limiter is not None and not isinstance(rate_limiter, RateLimiter):
            raise TypeError(
                f"{type(self).__name__}.rate_limiter must be a RateLimiter, got {rate_limiter!r}"
            )
        self.rate_limiter = rate_limiter

    def concurrency(self, default: int) -> int:
        """Crawls at once (``default``: what the crawler would use without a dispatcher)."""
        return default

    def admission(self) -> Admission | None:
        """The gate new pages pass, if any."""
        return None

    def build(
        self,
        crawl: CrawlFunction,
        *,
        default_concurrency: int,
        progress: ProgressCallback | None = None,
        retry_after: Callable[[str], float | None] | None = None,
    ) -> Dispatcher:
        """The dispatcher that runs ``crawl`` with this policy."""
        return Dispatcher(
            crawl,
            concurrency=self.concurrency(default_concurrency),
            progress=progress,
            rate_limiter=self.rate_limiter,
            retry_after=retry_after,
            admission=self.admission(),
        )


class SemaphoreDispatcher(BaseDispatcher):
    """``semaphore_count`` crawls at once, with an optional rate limiter."""

    def __init__(self, semaphore_count: int = 5, rate_limiter: RateLimiter | None = None) -> None:
        super().__init__(rate_limiter)
        self.semaphore_count = _count("SemaphoreDispatcher", "semaphore_count", semaphore_count)

    def concurrency(self, default: int) -> int:
        return self.semaphore_count

    def __repr__(self) -> str:
        return (
            f"SemaphoreDispatcher(semaphore_count={self.semaphore_count}, "
            f"rate_limiter={self.rate_limiter!r})"
        )


class MemoryAdaptiveDispatcher(BaseDispatcher):
    """Up to ``max_session_permit`` crawls at once; new pages wait while memory is short.

    ``memory_source`` (beyond Crawl4AI) returns the memory in use in percent; by default
    it reads ``/proc/meminfo`` (:func:`memory_percent`). Tests inject their own.
    """

    def __init__(
        self,
        memory_threshold_percent: float = 90.0,
        recovery_threshold_percent: float | None = None,
        check_interval: float = 1.0,
        max_session_permit: int = 20,
        memory_wait_timeout: float | None = 600.0,
        rate_limiter: RateLimiter | None = None,
        memory_source: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(rate_limiter)
        owner = "MemoryAdaptiveDispatcher"
        self.memory_threshold_percent = _number(
            owner, "memory_threshold_percent", memory_threshold_percent
        )
        if not 0 < self.memory_threshold_percent <= 100:
            raise ValueError(
                f"{owner}.memory_threshold_percent must be in (0, 100], "
                f"got {memory_threshold_percent!r}"
            )
        recovery = (
            self.memory_threshold_percent - 5.0
            if recovery_threshold_percent is None
            else _number(owner, "recovery_threshold_percent", recovery_threshold_percent)
        )
        if recovery > self.memory_threshold_percent:
            raise ValueError(
                f"{owner}.recovery_threshold_percent ({recovery:g}) must not exceed "
                f"memory_threshold_percent ({self.memory_threshold_percent:g})"
            )
        self.recovery_threshold_percent = recovery
        self.check_interval = _number(owner, "check_interval", check_interval)
        if self.check_interval <= 0:
            raise ValueError(f"{owner}.check_interval must be > 0, got {check_interval!r}")
        self.max_session_permit = _count(owner, "max_session_permit", max_session_permit)
        self.memory_wait_timeout = (
            None
            if memory_wait_timeout is None
            else _number(owner, "memory_wait_timeout", memory_wait_timeout)
        )
        if memory_source is not None and not callable(memory_source):
            raise TypeError(f"{owner}.memory_source must be callable, got {memory_source!r}")
        self.memory_source = memory_source or memory_percent

    def concurrency(self, default: int) -> int:
        return self.max_session_permit

    def admission(self) -> Admission | None:
        return MemoryGate(
            self.memory_threshold_percent,
            self.recovery_threshold_percent,
            self.memory_source,
            self.check_interval,
            self.memory_wait_timeout,
        )

    def __repr__(self) -> str:
        return (
            f"MemoryAdaptiveDispatcher(memory_threshold_percent={self.memory_threshold_percent}, "
            f"max_session_permit={self.max_session_permit}, rate_limiter={self.rate_limiter!r})"
        )


__all__ = [
    "BaseDispatcher",
    "MemoryAdaptiveDispatcher",
    "MemoryGate",
    "RateLimiter",
    "SemaphoreDispatcher",
    "memory_percent",
]
