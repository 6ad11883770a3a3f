"""Integration fixtures: real Chromium crawlers against the demo site."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, WebCrawler


@pytest.fixture(scope="module")
def shared_crawler() -> Iterator[WebCrawler]:
    """One blocking crawler per test module (drivers are expensive to start)."""
    with WebCrawler(config=BrowserConfig()) as crawler:
        yield crawler


@pytest.fixture
async def acrawler() -> AsyncIterator[AsyncWebCrawler]:
    """A fresh asyncio crawler for one test."""
    async with AsyncWebCrawler(config=BrowserConfig()) as crawler:
        yield crawler
