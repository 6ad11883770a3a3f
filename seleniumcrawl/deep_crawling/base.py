"""What every deep-crawl strategy is: Crawl4AI's parameters, validated, plus ``state_path``.

A strategy is configuration: the traversal of one crawl
(:mod:`seleniumcrawl.deep_crawling.traversal`) holds the crawl's state, so one
strategy object may serve many crawls, one after another or at once (each with its
own ``state_path``). Subclasses say which queued page goes next (:meth:`order_key`).
"""

from __future__ import annotations

import inspect
import logging
import math
import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, cast

from seleniumcrawl.config.run import DeepCrawlStrategyBase
from seleniumcrawl.deep_crawling.filters import FilterChain, _verdict
from seleniumcrawl.deep_crawling.scorers import URLScorer
from seleniumcrawl.deep_crawling.state import Node

if TYPE_CHECKING:
    from seleniumcrawl.config import CrawlerRunConfig
    from seleniumcrawl.discovery.config import SeedingConfig
    from seleniumcrawl.models import CrawlResult

StateCallback = Callable[[dict[str, Any]], Awaitable[None] | None]


def _seeding(owner: str, value: bool | SeedingConfig) -> SeedingConfig | None:
    """``seed_from_sitemap``'s SeedingConfig (``True``: the defaults), or None."""
    from seleniumcrawl.discovery.config import SeedingConfig

    if isinstance(value, SeedingConfig):
        return value
    if not isinstance(value, bool):
        raise TypeError(
            f"{owner}.seed_from_sitemap must be a bool or a SeedingConfig, got {value!r}"
        )
    return SeedingConfig() if value else None


def _shared_state(
    owner: str, state_url: Any, crawl_id: Any, state_path: Any
) -> tuple[str | None, str | None]:
    """``state_url`` and ``crawl_id`` checked: a Redis URL needs a crawl_id, a SQLite one
    takes none; neither goes with ``state_path``."""
    from seleniumcrawl.deep_crawling.backends import backend_of

    if crawl_id is not None and (not isinstance(crawl_id, str) or not crawl_id.strip()):
        raise TypeError(f"{owner}.crawl_id must be a non-empty str, got {crawl_id!r}")
    if state_url is None:
        if crawl_id is not None:
            raise ValueError(f"{owner}.crawl_id needs a state_url (redis://host:port/db)")
        return None, None
    try:
        backend = backend_of(state_url)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{owner}.{exc}") from None
    if state_path is not None:
        raise ValueError(f"{owner}: give state_path or state_url, not both")
    if backend == "redis" and crawl_id is None:
        raise ValueError(f"{owner}.crawl_id is needed with a Redis state_url (workers share it)")
    if backend == "sqlite" and crawl_id is not None:
        raise ValueError(f"{owner}.crawl_id goes with a Redis state_url, not a SQLite one")
    return state_url, crawl_id


def _check_int(owner: str, name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{owner}.{name} must be an int, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{owner}.{name} must be >= {low}, got {value!r}")


class AsyncCrawler(Protocol):
    """What :meth:`DeepCrawlStrategy.arun` needs of its crawler: an
    :class:`~seleniumcrawl.AsyncWebCrawler` (typed here, as the front ends sit above the
    deep crawl)."""

    async def arun(self, url: str | None = ..., config: CrawlerRunConfig | None = ...) -> object:
        """Crawl ``url`` with ``config``."""
        ...


class BlockingCrawler(Protocol):
    """What :meth:`DeepCrawlStrategy.run` needs of its crawler: a
    :class:`~seleniumcrawl.WebCrawler`."""

    def run(self, url: str | None = ..., config: CrawlerRunConfig | None = ...) -> object:
        """Crawl ``url`` with ``config``."""
        ...


class DeepCrawlStrategy(DeepCrawlStrategyBase, ABC):
    """Base of :class:`BFSDeepCrawlStrategy`, :class:`DFSDeepCrawlStrategy` and
    :class:`BestFirstCrawlingStrategy`.

    - ``max_depth``: links are followed up to this many clicks from the start page.
    - ``max_pages``: at most this many pages crawled *successfully* (exactly this many
      when the site has them); failed pages are returned too but do not count.
    - ``include_external``: also follow links to other hosts.
    - ``filter_chain``: a :class:`FilterChain` every followed link must pass (the start
      URL is not filtered).
    - ``url_scorer`` / ``score_threshold``: links scoring below the threshold are not
      followed; each result's ``metadata["score"]`` holds its page's score.
    - ``resume_state`` / ``on_state_change``: Crawl4AI's hand-made persistence: a dict
      to start from, and a callback (plain or async) given that dict after each page.
    - ``state_path`` (beyond Crawl4AI): a SQLite file holding the frontier, the pages
      done and the results not yet delivered; a crawl started again on it goes on where
      the last one stopped, however that one ended.
    - ``seed_from_sitemap`` (beyond Crawl4AI): ``True`` or a
      :class:`~seleniumcrawl.discovery.SeedingConfig`: when the start page is done, the
      URLs of the site's sitemaps join its links at depth 1 (through the same filter
      chain, scorer and threshold), so pages nothing links to are crawled too. They are
      recorded as the start page's links, so ``state_path`` resume covers them.
    - ``state_url`` / ``crawl_id`` (beyond Crawl4AI; docs/distributed.md):
      ``sqlite:///PATH`` is ``state_path=PATH``; ``redis://host:port/db`` with a
      ``crawl_id`` shares the crawl between any number of worker processes (each started
      with the same strategy and start URL). ``worker_id`` names this worker (default
      ``host:pid``), ``lease_seconds`` is how long a page stays a silent worker's,
      ``results="redis"`` also writes each result to the crawl's Redis stream.
    """

    #: Crawl4AI's ``strategy_type`` in state dicts.
    strategy_type: str = ""

    def __init__(
        self,
        max_depth: int,
        filter_chain: FilterChain | None = None,
        url_scorer: URLScorer | None = None,
        include_external: bool = False,
        score_threshold: float = -math.inf,
        max_pages: int | float = math.inf,
        logger: logging.Logger | None = None,
        resume_state: dict[str, Any] | None = None,
        on_state_change: StateCallback | None = None,
        state_path: str | os.PathLike[str] | None = None,
        seed_from_sitemap: bool | SeedingConfig = False,
        state_url: str | None = None,
        crawl_id: str | None = None,
        worker_id: str | None = None,
        lease_seconds: float = 30.0,
        results: str = "local",
    ) -> None:
        owner = type(self).__name__
        _check_int(owner, "max_depth", max_depth, 0)
        if max_pages != math.inf:
            _check_int(owner, "max_pages", max_pages, 1)
        if filter_chain is None:
            filter_chain = FilterChain()
        if not isinstance(filter_chain, FilterChain):
            raise TypeError(f"{owner}.filter_chain must be a FilterChain, got {filter_chain!r}")
        if url_scorer is not None and not isinstance(url_scorer, URLScorer):
            raise TypeError(f"{owner}.url_scorer must be a URLScorer, got {url_scorer!r}")
        if not isinstance(include_external, bool):
            raise TypeError(f"{owner}.include_external must be a bool, got {include_external!r}")
        if isinstance(score_threshold, bool) or not isinstance(score_threshold, (int, float)):
            raise TypeError(f"{owner}.score_threshold must be a number, got {score_threshold!r}")
        if resume_state is not None and not isinstance(resume_state, dict):
            raise TypeError(f"{owner}.resume_state must be a dict, got {resume_state!r}")
        if on_state_change is not None and not callable(on_state_change):
            raise TypeError(f"{owner}.on_state_change must be callable, got {on_state_change!r}")
        if state_path is not None and not isinstance(state_path, (str, os.PathLike)):
            raise TypeError(f"{owner}.state_path must be a path, got {state_path!r}")
        if state_path is not None and resume_state is not None:
            raise ValueError(
                f"{owner}: give resume_state or state_path, not both (state_path resumes by itself)"
            )
        self.max_depth = max_depth
        self.max_pages = max_pages
        self.include_external = include_external
        self.filter_chain = filter_chain
        self.url_scorer = url_scorer
        self.score_threshold = float(score_threshold)
        self.logger = (
            logger
            if isinstance(logger, logging.Logger)
            else logging.getLogger("seleniumcrawl.deep_crawling")
        )
        self.resume_state = resume_state
        self.on_state_change = on_state_change
        self.state_path = state_path
        self.seed_from_sitemap = _seeding(owner, seed_from_sitemap)
        self.state_url, self.crawl_id = _shared_state(owner, state_url, crawl_id, state_path)
        if self.state_url is not None and self.state_url.startswith("sqlite:"):
            from seleniumcrawl.deep_crawling.backends import sqlite_path

            self.state_path = sqlite_path(self.state_url)
        shared = self.crawl_id is not None
        if shared and self.seed_from_sitemap is not None:
            raise ValueError(f"{owner}: seed_from_sitemap does not go with a Redis state_url yet")
        if self.state_url is not None and resume_state is not None:
            raise ValueError(f"{owner}: give resume_state or state_url, not both")
        if worker_id is not None and (not isinstance(worker_id, str) or not worker_id.strip()):
            raise TypeError(f"{owner}.worker_id must be a non-empty str, got {worker_id!r}")
        if isinstance(lease_seconds, bool) or not isinstance(lease_seconds, (int, float)):
            raise TypeError(f"{owner}.lease_seconds must be a number, got {lease_seconds!r}")
        if not 0.1 <= lease_seconds <= 86400:
            raise ValueError(f"{owner}.lease_seconds must be in 0.1..86400, got {lease_seconds!r}")
        if results not in ("local", "redis"):
            raise ValueError(f"{owner}.results must be 'local' or 'redis', got {results!r}")
        if results == "redis" and not shared:
            raise ValueError(f"{owner}.results='redis' needs a redis:// state_url and crawl_id")
        self.worker_id = worker_id
        self.lease_seconds = float(lease_seconds)
        self.results = results

    # -- what subclasses decide --------------------------------------------------------

    @abstractmethod
    def order_key(self, node: Node) -> tuple[float, ...]:
        """Queued pages are crawled in increasing order of this key."""

    # -- link rules ----------------------------------------------------------------------

    def can_process_url(self, url: str, depth: int) -> bool:
        """Whether a link found at ``depth`` may be followed (the filter chain's say)."""
        return depth == 0 or self.filter_chain.apply(url)

    def score(self, url: str) -> float:
        """The scorer's score of ``url`` (0.0 without a scorer)."""
        return self.url_scorer.score(url) if self.url_scorer is not None else 0.0

    def follows(self, url: str, depth: int) -> bool:
        """:meth:`can_process_url` as a bool (an async override is run to its end)."""
        return _verdict(self.can_process_url(url, depth), f"{type(self).__name__}.can_process_url")

    # -- Crawl4AI's entry points ------------------------------------------------------------

    async def arun(
        self,
        start_url: str,
        crawler: AsyncCrawler,
        config: CrawlerRunConfig | None = None,
    ) -> list[CrawlResult] | AsyncIterator[CrawlResult]:
        """Crawl from ``start_url`` with ``crawler``: a list, or with ``config.stream``
        an async iterator (the same as ``crawler.arun(start_url, config)`` with this
        strategy as ``deep_crawl_strategy``)."""
        if config is None:
            raise ValueError("CrawlerRunConfig must be provided")
        config = config.clone(deep_crawl_strategy=self)
        # crawler.arun is typed for the common single-page crawl; with a deep strategy
        # it returns what this method's annotation says.
        return cast(
            "list[CrawlResult] | AsyncIterator[CrawlResult]",
            await crawler.arun(start_url, config=config),
        )

    def run(
        self,
        start_url: str,
        crawler: BlockingCrawler,
        config: CrawlerRunConfig | None = None,
    ) -> list[CrawlResult] | Iterator[CrawlResult]:
        """The blocking :meth:`arun`, for :class:`~seleniumcrawl.WebCrawler`."""
        if config is None:
            raise ValueError("CrawlerRunConfig must be provided")
        config = config.clone(deep_crawl_strategy=self)
        return cast(
            "list[CrawlResult] | Iterator[CrawlResult]", crawler.run(start_url, config=config)
        )

    async def shutdown(self) -> None:
        """Crawl4AI's clean-up hook: a strategy holds no resources here."""

    def __repr__(self) -> str:
        extra = f", state_path={str(self.state_path)!r}" if self.state_path is not None else ""
        if self.crawl_id is not None and self.state_url is not None:
            from seleniumcrawl.deep_crawling.redis_frontier import redacted

            extra = f", state_url={redacted(self.state_url)!r}, crawl_id={self.crawl_id!r}"
        return (
            f"{type(self).__name__}(max_depth={self.max_depth}, max_pages={self.max_pages}, "
            f"include_external={self.include_external}{extra})"
        )


def call_state_callback(callback: StateCallback, state: dict[str, Any]) -> Awaitable[None] | None:
    """Call ``on_state_change``; the awaitable of an async callback is returned to await."""
    value = callback(state)
    return value if inspect.isawaitable(value) else None


__all__ = [
    "AsyncCrawler",
    "BlockingCrawler",
    "DeepCrawlStrategy",
    "StateCallback",
    "call_state_callback",
]
