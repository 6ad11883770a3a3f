"""The blocking front end, for scripts and legacy synchronous code."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from seleniumcrawl.config import (
    BrowserConfig,
    CrawlerRunConfig,
    browser_config_of,
    refuse_deep_many,
)
from seleniumcrawl.crawler_strategy import SeleniumCrawlerStrategy
from seleniumcrawl.dispatcher import ProgressCallback
from seleniumcrawl.engine import CrawlEngine
from seleniumcrawl.errors import CrawlerClosedError
from seleniumcrawl.models import CrawlResult

if TYPE_CHECKING:
    from seleniumcrawl.async_dispatcher import BaseDispatcher

#: Seconds a running crawl may still take when the crawler is left by KeyboardInterrupt.
_INTERRUPTED_GRACE = 0.5


class WebCrawler:
    """Blocking crawler: ``with WebCrawler() as c: c.run(url, config=...)``.

    Thread-safe: any thread may call :meth:`run`; the work is queued to the
    thread that owns the session's driver. Calling it from a hook (a driver
    thread) raises :class:`~seleniumcrawl.errors.WrongThreadError`. ``verbose=True``
    logs every crawl at INFO, as on :class:`~seleniumcrawl.AsyncWebCrawler`.
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
        self.crawler_strategy = SeleniumCrawlerStrategy(self._engine)

    def __enter__(self) -> WebCrawler:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # On Ctrl-C the user wants out now: a running crawl is not waited for.
        self._engine.close(grace=_INTERRUPTED_GRACE if exc_type is KeyboardInterrupt else 5.0)

    def start(self) -> WebCrawler:
        """Browsers start lazily on first use; this only checks the crawler is open."""
        if self._engine.closed:
            raise CrawlerClosedError("the crawler is closed; create a new one")
        return self

    def close(self) -> None:
        """Quit every browser and driver (idempotent)."""
        self._engine.close()

    def run(
        self,
        url: str | None = None,
        config: CrawlerRunConfig | None = None,
        *,
        dispatcher: BaseDispatcher | None = None,
    ) -> CrawlResult:
        """Crawl one URL (or ``config.url``) and wait for the result.

        With ``config.deep_crawl_strategy`` it crawls the site from there and returns a
        list of results (an iterator with ``stream=True``), run by ``dispatcher`` (a
        :mod:`seleniumcrawl.async_dispatcher` policy) or the default one.
        """
        self._engine.check_thread()
        if isinstance(config, CrawlerRunConfig) and config.deep_crawl_strategy is not None:
            deep = self._engine.deep(url, config, dispatcher)
            # Typed for the common single page; a deep crawl returns many (Crawl4AI's API).
            return deep.stream() if config.stream else deep.results()  # type: ignore[return-value]
        if dispatcher is not None:
            raise TypeError("dispatcher= applies to run_many and to deep crawls only")
        return self._engine.submit(url, config).result()

    def run_many(
        self,
        urls: Sequence[str],
        config: CrawlerRunConfig | Sequence[CrawlerRunConfig] | None = None,
        *,
        progress: ProgressCallback | None = None,
        dispatcher: BaseDispatcher | None = None,
    ) -> list[CrawlResult] | Iterator[CrawlResult]:
        """Crawl many URLs over the pool's drivers.

        Results come in input order, or as an iterator in completion order when
        the (first) config has ``stream=True``. ``dispatcher`` (a
        :mod:`seleniumcrawl.async_dispatcher` policy) sets concurrency, rate limiting
        and memory admission.
        """
        self._engine.check_thread()
        self.start()
        refuse_deep_many(config)
        many, configs, stream = self._engine.many(config, progress, dispatcher)
        if stream:
            return many.iter_completed(list(urls), configs)
        return many.run(list(urls), configs)

    def kill_session(self, session_id: str) -> None:
        """Close a session's window (idempotent; unknown ids are fine)."""
        self.crawler_strategy.kill_session(session_id)

    def stats(self) -> dict[str, Any]:
        """What the crawler chose: ``{"concurrency": {"current", "cap", "floor", "changes",
        "reason", "pages_per_s", "history", "adaptive"}}``, the pages in flight of
        ``run_many`` / deep crawls without a ``semaphore_count`` (adapted to throughput and
        host pressure; ``adaptive`` says whether a run used it)."""
        return self._engine.stats()

    def sessions(self) -> list[str]:
        """Ids of the live sessions."""
        return self._engine.sessions()


__all__ = ["WebCrawler"]
