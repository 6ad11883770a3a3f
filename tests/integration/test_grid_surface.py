"""Hooks and capture through a Selenium Grid (BiDi through the Grid's endpoint)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, Page, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from tests.integration.test_grid import _start_grid
from tools.grid import GridServer


@pytest.fixture(scope="module")
def grid() -> Iterator[GridServer]:
    """One standalone Grid for the module."""
    server = _start_grid(max_sessions=2, session_timeout=60)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("use_bidi", [True, False], ids=["bidi", "classic"])
def test_capture_and_hooks_through_the_grid(
    grid: GridServer, site: DemoSite, use_bidi: bool
) -> None:
    """On a Grid, capture records the page's events and an async hook drives the page."""
    seen: dict[str, Any] = {}

    async def before_retrieve_html(page: Page, **kw: Any) -> None:
        element = await page.wait_for_selector("#done")
        assert element is not None
        seen["done"] = await element.text_content()

    config = BrowserConfig(remote_url=grid.url, use_bidi=use_bidi)
    with WebCrawler(config=config) as crawler:
        crawler.crawler_strategy.set_hook("before_retrieve_html", before_retrieve_html)
        result = crawler.run(
            site.url("/capture"),
            config=CrawlerRunConfig(
                capture_network_requests=True,
                capture_console_messages=True,
                wait_for="js:() => document.getElementById('done').textContent !== 'waiting'",
            ),
        )
        transport = "bidi" if crawler.crawler_strategy.pool.drivers()[0].bidi else "classic"
    assert result.success, result.error_message
    assert transport == ("bidi" if use_bidi else "classic")
    assert seen["done"].startswith("done 401")
    statuses = {
        e["url"]: e["status"]
        for e in result.network_requests or []
        if e["event_type"] == "response"
    }
    assert statuses[site.url("/api/me")] == 401
    assert ("warning", "a warning") in [
        (m["type"], m["text"]) for m in result.console_messages or []
    ]
