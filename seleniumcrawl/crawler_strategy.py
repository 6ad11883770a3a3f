"""Crawler strategies: the ``crawler.crawler_strategy`` object Crawl4AI code reaches for.

Crawl4AI session code calls ``crawler.crawler_strategy.kill_session(id)``; on
:class:`~seleniumcrawl.AsyncWebCrawler` that call is awaitable, on
:class:`~seleniumcrawl.WebCrawler` it blocks. Both façades front the same
:class:`~seleniumcrawl.engine.CrawlEngine`. ``crawler.crawler_strategy.pool`` is the
driver pool, for tests and tools (Crawl4AI's strategy exposes its browser manager alike).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from seleniumcrawl.browser.pool import DriverPool
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.engine import CrawlEngine
from seleniumcrawl.hooks import Hook
from seleniumcrawl.storage_state import write_private_json


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

    def export_storage_state(
        self, path: str | os.PathLike[str] | None = None, session_id: str | None = None
    ) -> dict[str, Any]:
        """The storage state (cookies + localStorage, Playwright's format) of the session's
        browser context, or of the shared one without ``session_id``; also written to
        ``path`` (mode 0600) when given. An unknown ``session_id`` raises ``SessionError``."""
        self._engine.check_thread()
        state = self._engine.export_storage_state(session_id).result()
        if path is not None:
            write_private_json(path, state)
        return state

    def kill_session(self, session_id: str) -> None:
        """Close the session's window and wait for it (idempotent)."""
        self._engine.check_thread()
        self._engine.kill_session(session_id).result()


class AsyncSeleniumCrawlerStrategy(_StrategyBase):
    """Awaitable strategy façade (``AsyncWebCrawler.crawler_strategy``)."""

    async def export_storage_state(
        self, path: str | os.PathLike[str] | None = None, session_id: str | None = None
    ) -> dict[str, Any]:
        """The storage state (cookies + localStorage, Playwright's format) of the session's
        browser context, or of the shared one without ``session_id``; also written to
        ``path`` (mode 0600) when given. An unknown ``session_id`` raises ``SessionError``."""
        state = await asyncio.wrap_future(self._engine.export_storage_state(session_id))
        if path is not None:
            await asyncio.to_thread(write_private_json, path, state)
        return state

    async def kill_session(self, session_id: str) -> None:
        """Close the session's window (idempotent; unknown ids are fine)."""
        await asyncio.wrap_future(self._engine.kill_session(session_id))


__all__ = ["AsyncSeleniumCrawlerStrategy", "SeleniumCrawlerStrategy"]
