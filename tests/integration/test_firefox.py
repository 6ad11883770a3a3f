"""Firefox through geckodriver, where one is installed (Debian ships no geckodriver)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.browser.launch import find_browser, find_driver
from seleniumcrawl.demo.site import DemoSite

_CONFIG = BrowserConfig(browser_type="firefox")
_FIREFOX = shutil.which("firefox") or shutil.which("firefox-esr")

pytestmark = pytest.mark.skipif(
    find_driver(_CONFIG, use_manager=False) is None or find_browser(_CONFIG) is None,
    reason=(
        "Firefox tests need firefox (apt-get install firefox-esr) and a geckodriver on PATH "
        f"or in SELENIUMCRAWL_GECKODRIVER; found firefox={_FIREFOX}, "
        f"geckodriver={shutil.which('geckodriver')}"
    ),
)


def test_firefox_session_keeps_state(site: DemoSite) -> None:
    """A Firefox session keeps JS state across crawls, like Chromium's."""
    with WebCrawler(config=_CONFIG) as crawler:
        first = crawler.run(
            site.url("/page/1"), CrawlerRunConfig(session_id="fx", js_code="window.__n = 1;")
        )
        assert first.success, first.error_message
        again = crawler.run(
            site.url("/page/1"),
            CrawlerRunConfig(session_id="fx", js_only=True, js_code="return ++window.__n;"),
        )
        assert again.js_execution_result == {"success": True, "results": [2]}
        assert first.status_code == 200


def test_firefox_downloads(site: DemoSite, tmp_path: Path) -> None:
    """Firefox over BiDi: a clicked attachment is saved and listed (browser.setDownloadBehavior)."""
    from seleniumcrawl.demo.site import download_bytes

    config = BrowserConfig(
        browser_type="firefox", accept_downloads=True, downloads_path=str(tmp_path)
    )
    with WebCrawler(config=config) as crawler:
        result = crawler.run(
            site.url("/downloads"),
            CrawlerRunConfig(js_code="document.querySelector('#report').click();"),
        )
    assert result.success, result.error_message
    assert result.downloaded_files == [str(tmp_path / "report.csv")]
    assert (tmp_path / "report.csv").read_bytes() == download_bytes("report.csv")
