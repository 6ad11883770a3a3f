"""remote_url against a plain ``chromedriver --port=N``, the smallest W3C WebDriver server."""

from __future__ import annotations

import json
import urllib.request

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from tests.integration.conftest import bare_chromedriver
from tests.procs import chromium_temp_entries


def test_sessions_work_through_a_remote_webdriver(chromedriver_url: str, site: DemoSite) -> None:
    """With remote_url the pool, sessions and js_only work unchanged."""
    config = BrowserConfig(remote_url=chromedriver_url, max_drivers=1)
    with WebCrawler(config=config) as crawler:
        first = crawler.run(
            site.url("/page/1"), CrawlerRunConfig(session_id="r", js_code="window.__n = 1;")
        )
        assert first.success, first.error_message
        again = crawler.run(
            site.url("/page/1"),
            CrawlerRunConfig(session_id="r", js_only=True, js_code="return ++window.__n;"),
        )
        assert again.js_execution_result == {"success": True, "results": [2]}
        assert crawler.crawler_strategy.pool.drivers()[0].is_remote
        shot = crawler.run(site.url("/page/2"), CrawlerRunConfig(screenshot=True))
        assert shot.success and shot.screenshot
    with urllib.request.urlopen(chromedriver_url + "/status", timeout=5) as response:
        assert json.load(response)["value"]["ready"], "the remote session was quit on close"


def test_a_bare_chromedriver_leaves_nothing_in_the_temp_dir(site: DemoSite) -> None:
    """A crawl through the bare chromedriver (the CLI's and this module's remote server)
    adds no entry to the system temp directory: its Chromium's org.chromium.Chromium.*
    singleton directory goes into a TMPDIR removed with the driver."""
    before = chromium_temp_entries()
    with bare_chromedriver() as url:
        config = BrowserConfig(remote_url=url, max_drivers=1)
        with WebCrawler(config=config) as crawler:
            assert crawler.run(site.url("/page/1")).success
    assert chromium_temp_entries() - before == set()
