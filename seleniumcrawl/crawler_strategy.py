"""Crawler strategies: the ``crawler.crawler_strategy`` object Crawl4AI code reaches for.

Crawl4AI session code calls ``crawler.crawler_strategy.kill_session(id)``; on
:class:`~seleniumcrawl.AsyncWebCrawler` that call is awaitable, on
:class:`~seleniumcrawl.WebCrawler` it blocks. Both façades front the same
:class:`~seleniumcrawl.engine.CrawlEngine`. ``crawler.crawler_strategy.pool`` is the
driver pool, for tests and tools (Crawl4AI's strategy exposes its browser manager alike).
"""

from __future__ import annotations

import asyncio

from seleniumcrawl.browser.pool import DriverPool
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.engine import CrawlEngine
from seleniumcrawl.hooks import Hook


class _StrategyBase:
    def __init__(self, engine: CrawlEngine) -> None:
        self._engine = engine

    @property
    def browser_config(self) -> BrowserConfig:
        """The configuration the pool's browsers were started with."""
        return self._engine.browser_config

    def sessions(self) -> list[str]:
        """Ids of the live sessions."""
        return self._engine.sessions()

    def set_hook(self, name: str, fn: Hook) -> None:
        """Register a Crawl4AI hook (``on_browser_created``, ``before_goto``, ...).

        Unknown names raise ``ValueError``, a non-callable ``fn`` raises ``TypeError``.
        """
        self._engine.set_hook(name, fn)

    @property
    def pool(self) -> DriverPool:
        """The driver pool behind the crawler, for tests and tools (its ``drivers()``,
        ``session()`` and ``stats()`` hooks); crawls go through the crawler."""
        return self._engine.pool


class SeleniumCrawlerStrategy(_StrategyBase):
    """Blocking strategy façade (``WebCrawler.crawler_strategy``)."""

    def kill_session(self, session_id: str) -> None:
        """Close the session's window and wait for it (idempotent)."""
        self._engine.check_thread()
        self._engine.kill_session(session_id).result()


class AsyncSeleniumCrawlerStrategy(_StrategyBase):
    """Awaitable strategy façade (``AsyncWebCrawler.crawler_strategy``)."""

    async def kill_session(self, session_id: str) -> None:
        """Close the session's window (idempotent; unknown ids are fine)."""
        await asyncio.wrap_future(self._engine.kill_session(session_id))


__all__ = ["AsyncSeleniumCrawlerStrategy", "SeleniumCrawlerStrategy"]
