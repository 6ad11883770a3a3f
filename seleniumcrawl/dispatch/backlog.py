"""Where a dispatcher's work comes from: :func:`plan` groups URLs into units (a session's URLs
form one), :class:`Backlog` is what a run takes them from, and :class:`UnitList` is the
backlog of ``run_many`` (a deep crawl's frontier is the other, in
:mod:`seleniumcrawl.deep_crawling.traversal`).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import attrs

from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.dispatch.pacing import domain_of
from seleniumcrawl.models import CrawlResult

Configs = CrawlerRunConfig | Sequence[CrawlerRunConfig]


def select_config(url: str, configs: Configs) -> CrawlerRunConfig | None:
    """The config for ``url``: Crawl4AI's list-of-configs rule, first match wins.

    A single config applies to every URL (its ``url_matcher`` is not consulted,
    as in Crawl4AI). In a list, ``url_matcher`` may be a glob (``fnmatch``,
    case-sensitive), a callable ``url -> bool``, or a list of those (any of them);
    ``None`` matches everything. Returns None when no config matches.
    """
    if isinstance(configs, CrawlerRunConfig):
        return configs
    for config in configs:
        if _matches(config.url_matcher, url):
            return config
    return None


def _matches(matcher: Any, url: str) -> bool:
    if matcher is None:
        return True
    if isinstance(matcher, str):
        return fnmatch.fnmatchcase(url, matcher)
    if isinstance(matcher, (list, tuple)):
        return any(_matches(m, url) for m in matcher)
    return bool(matcher(url))


@attrs.frozen
class WorkItem:
    """One URL of a run: ``index`` orders the results, ``domain`` is the pacing key."""

    index: int
    url: str
    config: CrawlerRunConfig | None
    domain: str

    @property
    def mean_delay(self) -> float:
        return self.config.mean_delay if self.config is not None else 0.0


Unit = tuple[WorkItem, ...]
#: What :meth:`Backlog.take` answers when nothing is ready until a crawl finishes.
UNTIL_A_CRAWL_FINISHES = math.inf


class Backlog(Protocol):
    """Where a run's work comes from and where its results go.

    A list of URLs is one backlog (:class:`UnitList`); a deep crawl's frontier is another,
    which grows as pages finish. The run calls every method under its own locks:
    :meth:`take` never concurrently with itself, :meth:`finish` never concurrently with
    itself.
    """

    def preload(self) -> list[tuple[int, CrawlResult]]:
        """Results to hand out before any crawl (a resumed deep crawl's undelivered pages)."""
        ...

    def take(self, reserve: Callable[[WorkItem], float]) -> Unit | float | None:
        """The next unit to crawl, or the seconds to wait before asking again
        (:data:`UNTIL_A_CRAWL_FINISHES` when only a finished crawl can bring more work),
        or None when there is nothing left to do. ``reserve(item)`` claims the item's
        domain slot and returns 0.0, or says how long until the domain is free."""
        ...

    def finish(self, item: WorkItem, result: CrawlResult) -> list[tuple[int, CrawlResult]]:
        """Record ``item``'s final result; return the results now ready for the consumer."""
        ...

    def total(self) -> int:
        """The number of results the run will have given (so far as known now)."""
        ...

    def workers(self, concurrency: int) -> int:
        """How many worker threads are worth starting."""
        ...


def plan(urls: Sequence[str], configs: Configs) -> list[Unit]:
    """Split ``urls`` into units in input order; a session's URLs form one unit."""
    if isinstance(urls, str):
        raise TypeError("urls must be a sequence of URLs, not a single str")
    units: list[list[WorkItem]] = []
    sessions: dict[str, list[WorkItem]] = {}
    for index, url in enumerate(urls):
        config = select_config(url, configs)
        item = WorkItem(index, url, config, domain_of(url))
        session_id = config.session_id if config is not None else None
        if session_id is None:
            units.append([item])
        elif session_id in sessions:
            sessions[session_id].append(item)
        else:
            sessions[session_id] = [item]
            units.append(sessions[session_id])
    return [tuple(unit) for unit in units]


class UnitList:
    """The backlog of ``run_many``: a fixed list of units, taken in input order, except
    that a unit whose domain must wait is passed over for the next ready one."""

    def __init__(self, units: list[Unit]) -> None:
        self._pending = units
        self._total = sum(len(unit) for unit in units)

    def preload(self) -> list[tuple[int, CrawlResult]]:
        return []

    def take(self, reserve: Callable[[WorkItem], float]) -> Unit | float | None:
        if not self._pending:
            return None
        shortest = math.inf
        for i, unit in enumerate(self._pending):
            wait = reserve(unit[0])
            if wait <= 0:
                return self._pending.pop(i)
            shortest = min(shortest, wait)
        return shortest

    def finish(self, item: WorkItem, result: CrawlResult) -> list[tuple[int, CrawlResult]]:
        return [(item.index, result)]

    def total(self) -> int:
        return self._total

    def workers(self, concurrency: int) -> int:
        return min(concurrency, len(self._pending))
