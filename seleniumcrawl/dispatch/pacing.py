"""When a dispatcher may start a crawl and when it retries one: the retry rule, backoff,
the per-domain :class:`DomainSlot`, and the protocols of the rate-limit and admission
policies (:mod:`seleniumcrawl.async_dispatcher` has Crawl4AI's implementations).
"""

from __future__ import annotations

import random
import urllib.parse
from typing import Protocol

import attrs

from seleniumcrawl.models import CrawlResult

BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 8.0
#: ``CrawlResult.error_type`` of failures that a retry cannot change.
PERMANENT_ERROR_TYPES: frozenset[str] = frozenset({"bad_input", "closed", "robots"})


def is_retryable(result: CrawlResult) -> bool:
    """Whether retrying a failed ``result`` could give a different answer."""
    if result.success:
        return False
    return result.error_type not in PERMANENT_ERROR_TYPES


def backoff_delay(retry: int, rng: random.Random) -> float:
    """Seconds to wait before retry number ``retry`` (1-based): 0.5, 1, 2, … capped at 8.

    "Equal jitter": half the step is fixed, half random, so the delays still grow
    while retries from many workers do not hit a struggling site in lockstep.
    """
    step = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** (retry - 1))
    return step / 2 + rng.uniform(0, step / 2)


def domain_of(url: str) -> str:
    """The pacing key: the URL's netloc ("" for raw:/file: URLs, which are never paced)."""
    try:
        return urllib.parse.urlsplit(url).netloc.lower()
    except ValueError:
        return ""


@attrs.define
class DomainSlot:
    """The pacing of one domain in one run: when its next crawl may start.

    Like scrapy's downloader slot: ``delay`` is the gap drawn for the last start
    (``uniform(0.5, 1.5) * mean_delay``, or the rate limiter's ``backoff`` when that is
    longer) and ``next_start`` the clock time before which no other crawl on the domain
    starts. ``backoff`` is the rate limiter's current gap between starts (0.0 without a
    rate limiter, or before the domain's first start). Guarded by the run's lock.
    """

    next_start: float
    delay: float = 0.0
    backoff: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until the domain is free at clock time ``now`` (<= 0: free)."""
        return self.next_start - now

    def reserve(self, now: float, delay: float) -> None:
        """Claim the domain's start at ``now``; the next start comes ``delay`` s later."""
        self.delay = delay
        self.next_start = now + delay

    def hold_until(self, when: float) -> None:
        """No start on the domain before clock time ``when`` (a server asked us to wait)."""
        self.next_start = max(self.next_start, when)


class RateLimitPolicy(Protocol):
    """What the dispatcher asks of a rate limiter (``async_dispatcher.RateLimiter``)."""

    max_retries: int

    def is_rate_limited(self, status_code: int | None) -> bool: ...

    def start_gap(self, slot: DomainSlot, rng: random.Random) -> float: ...

    def on_answer(self, slot: DomainSlot, rng: random.Random) -> None: ...

    def on_rate_limited(
        self, slot: DomainSlot, retry_after: float | None, rng: random.Random
    ) -> float: ...


class Admission(Protocol):
    """Whether a new page may start now (:class:`seleniumcrawl.async_dispatcher.MemoryGate`)."""

    def hold(self, now: float) -> float:
        """0.0 to admit a new page now, else seconds to wait before asking again."""
        ...
