"""The asyncio front end with Crawl4AI's API. It only awaits the driver threads' futures."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from seleniumcrawl.config import (
    BrowserConfig,
    CrawlerRunConfig,
    browser_config_of,
    refuse_deep_many,
)
from seleniumcrawl.crawler_strategy import AsyncSeleniumCrawlerStrategy
from seleniumcrawl.dispatcher import ProgressCallback, aiter_completed, arun_all
from seleniumcrawl.engine import CrawlEngine
from seleniumcrawl.errors import CrawlerClosedError
from seleniumcrawl.models import CrawlResult

if TYPE_CHECKING:
    from seleniumcrawl.async_dispatcher import BaseDispatcher


class AsyncWebCrawler:
    """Asyncio crawler: ``async with AsyncWebCrawler() as c: await c.arun(url, config=...)``.

    ``verbose=True`` (or ``BrowserConfig(verbose=True)``) logs every crawl at INFO, on
    stderr when the application configured no logging (:mod:`seleniumcrawl.verbosity`).
    """

    def __init__(
        self,
        config: BrowserConfig | None = None,
        *,
        base_directory: str | os.PathLike[str] | None = None,
        verbose: bool = False,
        **browser_options: Any,
    ) -> None:
        self.config = browser_config_of(config, browser_options)
        self._engine = CrawlEngine(self.config, base_directory=base_directory, verbose=verbose)
        self.crawler_strategy = AsyncSeleniumCrawlerStrategy(self._engine)

    async def __aenter__(self) -> AsyncWebCrawler:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        interrupted = exc_type is not None and issubclass(
            exc_type, (KeyboardInterrupt, asyncio.CancelledError)
        )
        # On Ctrl-C or cancellation a running crawl is not waited for.
        await asyncio.to_thread(self._engine.close, 0.5 if interrupted else 5.0)

    async def start(self) -> AsyncWebCrawler:
        """Browsers start lazily on first use; this only checks the crawler is open."""
        if self._engine.closed:
            raise CrawlerClosedError("the crawler is closed; create a new one")
        return self

    async def close(self) -> None:
        """Quit every browser and driver (idempotent); runs off the event loop."""
        await asyncio.to_thread(self._engine.close)

    async def arun(
        self,
        url: str | None = None,
        config: CrawlerRunConfig | None = None,
        *,
        dispatcher: BaseDispatcher | None = None,
    ) -> CrawlResult:
        """Crawl one URL (or ``config.url``).

        With ``config.deep_crawl_strategy`` it crawls the site from there and returns a
        list of results (an async iterator with ``stream=True``), run by ``dispatcher``
        (a :mod:`seleniumcrawl.async_dispatcher` policy) or the default one.
        """
        if isinstance(config, CrawlerRunConfig) and config.deep_crawl_strategy is not None:
            deep = await asyncio.to_thread(self._engine.deep, url, config, dispatcher)
            # Typed for the common single page; a deep crawl returns many (Crawl4AI's API).
            if config.stream:
                return deep.astream()  # type: ignore[return-value]
            return await deep.aresults()  # type: ignore[return-value]
        if dispatcher is not None:
            raise TypeError("dispatcher= applies to arun_many and to deep crawls only")
        return await asyncio.wrap_future(self._engine.submit(url, config))

    async def arun_many(
        self,
        urls: Sequence[str],
        config: CrawlerRunConfig | Sequence[CrawlerRunConfig] | None = None,
        *,
        progress: ProgressCallback | None = None,
        dispatcher: BaseDispatcher | None = None,
    ) -> list[CrawlResult] | AsyncIterator[CrawlResult]:
        """Crawl many URLs: a list in input order, or with ``stream=True`` an async
        iterator in completion order (``async for r in await crawler.arun_many(...)``).
        ``dispatcher`` (a :mod:`seleniumcrawl.async_dispatcher` policy) sets
        concurrency, rate limiting and memory admission."""
        await self.start()
        refuse_deep_many(config)
        many, configs, stream = self._engine.many(config, progress, dispatcher)
        if stream:
            return aiter_completed(many, list(urls), configs)
        return await arun_all(many, list(urls), configs)

    async def kill_session(self, session_id: str) -> None:
        """Close a session's window (idempotent; unknown ids are fine)."""
        await self.crawler_strategy.kill_session(session_id)

    def stats(self) -> dict[str, Any]:
        """What the crawler chose: ``{"concurrency": {"current", "cap", "floor", "changes",
        "reason", "pages_per_s", "history", "adaptive"}}``, the pages in flight of
        ``run_many`` / deep crawls without a ``semaphore_count`` (adapted to throughput and
        host pressure; ``adaptive`` says whether a run used it)."""
        return self._engine.stats()

    def sessions(self) -> list[str]:
        """Ids of the live sessions."""
        return self._engine.sessions()


__all__ = ["AsyncWebCrawler"]
