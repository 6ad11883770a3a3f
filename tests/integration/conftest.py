"""Integration fixtures: real Chromium crawlers against the demo site.

``transport`` runs a module's tests on both ways of talking to the browser: over
WebDriver BiDi (many pages in flight per browser) and over the classic WebDriver
protocol (one at a time). It sets ``SELENIUMCRAWL_USE_BIDI`` for the module, so every
``BrowserConfig()`` the tests build, the shared crawler's included, takes that path.
The shared crawlers use it; a module whose tests build their own crawlers opts in with
``pytestmark = pytest.mark.usefixtures("transport")``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, WebCrawler

TRANSPORTS = ("bidi", "classic")


@pytest.fixture(scope="module", params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> Iterator[str]:
    """The module's tests run once over BiDi and once over the classic protocol."""
    name = str(request.param)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELENIUMCRAWL_USE_BIDI", "1" if name == "bidi" else "0")
        yield name


@pytest.fixture(scope="module")
def shared_crawler(transport: str) -> Iterator[WebCrawler]:
    """One blocking crawler per test module and transport (drivers are expensive to start)."""
    with WebCrawler(config=BrowserConfig()) as crawler:
        yield crawler


@pytest.fixture
async def acrawler(transport: str) -> AsyncIterator[AsyncWebCrawler]:
    """A fresh asyncio crawler for one test."""
    async with AsyncWebCrawler(config=BrowserConfig()) as crawler:
        yield crawler
