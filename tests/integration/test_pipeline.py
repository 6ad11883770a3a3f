"""The crawl pipeline: URL kinds, navigation, js_code, wait_for, capture."""

from __future__ import annotations

import base64
import json
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

pytestmark = pytest.mark.usefixtures("transport")


def _window_count(crawler: WebCrawler) -> int:
    counts = crawler.crawler_strategy.pool.on_driver_threads(
        lambda drv: len(drv.webdriver.window_handles)
    )
    return sum(counts)


def test_status_code_and_redirected_url(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """The real HTTP status comes back, and the URL after redirects."""
    missing = shared_crawler.run(site.url("/status/404"))
    assert missing.success and missing.status_code == 404
    moved = shared_crawler.run(site.url("/redirect?to=/page/7"))
    assert moved.redirected_status_code == 200
    assert moved.redirected_url == site.url("/page/7")
    assert moved.url == site.url("/redirect?to=/page/7")


def test_sessionless_crawl_uses_a_temporary_window(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """Crawls without session_id leave no window behind (later ones reuse the first's)."""
    assert shared_crawler.run(site.url("/page/8")).success
    before = _window_count(shared_crawler)
    for n in range(3):
        assert shared_crawler.run(site.url(f"/page/{n + 9}")).success
    assert _window_count(shared_crawler) == before


def test_raw_html_without_browser_step_starts_no_browser(site: DemoSite) -> None:
    """raw: HTML with only content asked for is parsed without any browser."""
    with WebCrawler() as crawler:
        result = crawler.run("raw:<html><body><h1>Hi</h1><a href='/x'>x</a></body></html>")
        assert result.success and "<h1>Hi</h1>" in result.html
        assert crawler.crawler_strategy.pool.size == 0


def test_raw_html_with_js_is_loaded_into_a_window(shared_crawler: WebCrawler) -> None:
    """raw: HTML with js_code is loaded into a window and the script sees its DOM."""
    result = shared_crawler.run(
        "raw:<p id='p'>one</p>",
        CrawlerRunConfig(js_code="document.getElementById('p').textContent = 'two'; return 5;"),
    )
    assert result.success, result.error_message
    assert result.js_execution_result == {"success": True, "results": [5]}
    assert "two" in result.html and result.status_code is None


def test_file_urls_are_crawled(shared_crawler: WebCrawler, tmp_path: Path) -> None:
    """file:// pages load in the browser."""
    page = tmp_path / "local.html"
    page.write_text("<title>Local</title><p class='x'>from disk</p>")
    result = shared_crawler.run(page.as_uri())
    assert result.success and "from disk" in result.html


def test_js_results_promises_and_values(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """Each script is a function body: return values, awaited promises, null for none."""
    result = shared_crawler.run(
        site.url("/page/1"),
        CrawlerRunConfig(
            js_code=[
                "return document.title;",
                "return new Promise(r => setTimeout(() => r({n: 3}), 50));",
                "document.body.dataset.touched = 'yes';",
            ]
        ),
    )
    assert result.success, result.error_message
    title, promised, nothing = result.js_execution_result["results"]  # type: ignore[index]
    assert isinstance(title, str) and title
    assert promised == {"n": 3} and nothing is None
    assert 'data-touched="yes"' in result.html


def test_thrown_js_error_fails_with_its_message(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """With fail_on_js_error, a script that throws fails the crawl with the JS error's message."""
    result = shared_crawler.run(
        site.url("/page/1"),
        CrawlerRunConfig(
            js_code=["return 1", "throw new TypeError('nope')"], fail_on_js_error=True
        ),
    )
    assert not result.success
    assert result.error_message == "js_code[1] threw TypeError: nope"


def test_thrown_js_error_is_recorded_and_the_page_returned(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """By default (as in Crawl4AI) a script that throws is recorded; later scripts still run."""
    result = shared_crawler.run(
        site.url("/page/1"),
        CrawlerRunConfig(js_code=["throw new TypeError('nope')", "return 2"]),
    )
    assert result.success, result.error_message
    assert result.js_execution_result == {
        "success": False,
        "results": [None, 2],
        "errors": [{"index": 0, "error": "TypeError: nope"}],
    }
    assert "<h1" in result.html


def test_navigation_started_by_a_script_is_waited_for(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """A link click in js_code is followed by a wait for the new page before the next step."""
    result = shared_crawler.run(
        site.url("/page/1"),
        CrawlerRunConfig(
            js_code=[
                "document.querySelector('a[href$=\"/page/2\"]').click();",
                "return location.pathname;",
            ]
        ),
    )
    assert result.success, result.error_message
    assert result.js_execution_result["results"][1] == "/page/2"  # type: ignore[index]
    assert result.redirected_url == site.url("/page/2")


@pytest.mark.parametrize(
    "condition",
    ["css:.never-there", ".never-there", "js:() => false", "() => window.__nope === 1"],
)
def test_wait_for_timeouts_fail_within_the_timeout(
    shared_crawler: WebCrawler, site: DemoSite, condition: str
) -> None:
    """A condition that never holds fails after wait_for_timeout, naming it and the wait."""
    started = time.monotonic()
    result = shared_crawler.run(
        site.url("/page/1"), CrawlerRunConfig(wait_for=condition, wait_for_timeout=1000)
    )
    elapsed = time.monotonic() - started
    assert not result.success
    assert condition in (result.error_message or "") and "1000 ms" in (result.error_message or "")
    assert 1.0 <= elapsed < 1.0 + 2.0


def test_wait_for_waits_for_js_rendered_content(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """wait_for holds off capture until the JS-rendered list is there."""
    result = shared_crawler.run(
        site.url("/commits?initial_delay=400"), CrawlerRunConfig(wait_for="css:li.commit-item")
    )
    assert result.success and result.html.count("commit-item") >= 10


def test_screenshot_and_pdf(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """screenshot gives a base64 PNG and pdf the PDF bytes."""
    result = shared_crawler.run(site.url("/page/1"), CrawlerRunConfig(screenshot=True, pdf=True))
    assert result.success
    assert base64.b64decode(result.screenshot or "").startswith(b"\x89PNG")
    assert (result.pdf or b"").startswith(b"%PDF")


def test_refused_port_fails_with_the_network_error(shared_crawler: WebCrawler) -> None:
    """A closed port gives success=False with the browser's network error."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = shared_crawler.run(f"http://127.0.0.1:{port}/")
    assert not result.success
    assert "ERR_CONNECTION_REFUSED" in (result.error_message or "")


def test_page_timeout_bounds_navigation(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """A page slower than page_timeout fails naming page_timeout; the next crawl works."""
    started = time.monotonic()
    slow = shared_crawler.run(site.url("/slow?ms=5000"), CrawlerRunConfig(page_timeout=1000))
    assert not slow.success and "page_timeout" in (slow.error_message or "")
    assert time.monotonic() - started < 4
    assert shared_crawler.run(site.url("/page/1")).success


def test_url_falls_back_to_config_url(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """run(url=None, config=...) crawls config.url; no URL at all is a ValueError."""
    result = shared_crawler.run(config=CrawlerRunConfig(url=site.url("/page/2")))
    assert result.success and result.url == site.url("/page/2")
    with pytest.raises(ValueError, match="no URL"):
        shared_crawler.run()


def test_headers_and_cookies_from_browser_config(site: DemoSite) -> None:
    """BrowserConfig headers reach the server and cookies are set before the first page."""
    config = BrowserConfig(
        headers={"X-Crawler": "seleniumcrawl"},
        cookies=[{"name": "flavour", "value": "oat", "url": site.url("/")}],
        user_agent="SeleniumCrawlTest/1.0",
    )
    with WebCrawler(config=config) as crawler:
        headers = crawler.run(site.url("/echo-headers"))
        assert "seleniumcrawl" in headers.html and "SeleniumCrawlTest/1.0" in headers.html
        cookies = crawler.run(site.url("/cookies"))
        assert "oat" in cookies.html


def test_timings_report_each_step(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """timings has milliseconds per step of the crawl."""
    result = shared_crawler.run(
        site.url("/page/1"), CrawlerRunConfig(js_code="return 1", wait_for="css:h1")
    )
    for step in ("navigate", "js_code", "wait_for", "capture", "scrape", "total"):
        assert result.timings[step] >= 0


def test_capture_falls_back_to_execute_script_without_cdp(
    site: DemoSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where CDP is unavailable (Firefox, a Grid that refuses it) capture uses executeScript."""
    from selenium.common.exceptions import WebDriverException

    from seleniumcrawl.browser.driver import ManagedDriver

    def no_cdp(self: ManagedDriver, cmd: str, params: object = None) -> object:
        raise WebDriverException("unknown command: goog/cdp/execute")

    monkeypatch.setattr(ManagedDriver, "cdp", no_cdp)
    with WebCrawler() as crawler:
        result = crawler.run(site.url("/status/404"))
        assert result.success and result.status_code == 404
        assert result.redirected_url == site.url("/status/404") and "404" in result.html
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        refused = crawler.run(f"http://127.0.0.1:{port}/")
        assert not refused.success and "ERR_CONNECTION_REFUSED" in (refused.error_message or "")


def test_failures_carry_their_error_type(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """Each kind of failure names itself in error_type (retries and users decide on it)."""
    assert shared_crawler.run("ftp://example.test/").error_type == "bad_input"
    assert shared_crawler.run("http://127.0.0.1:1/").error_type == "navigation"
    hung = shared_crawler.run(site.url("/hang"), CrawlerRunConfig(page_timeout=1000))
    assert hung.error_type == "timeout"
    waited = shared_crawler.run(
        site.url("/page/1"), CrawlerRunConfig(wait_for="css:#never", wait_for_timeout=300)
    )
    assert waited.error_type == "timeout"
    thrown = shared_crawler.run(
        site.url("/page/1"), CrawlerRunConfig(js_code="throw new Error('x')", fail_on_js_error=True)
    )
    assert thrown.error_type == "script"
    ok = shared_crawler.run(site.url("/page/1"))
    assert ok.success and ok.error_type is None


def test_windows_start_no_browser_ui_pages(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """The windows that hold pages in flight start no omnibox-popup WebUI pages (Chromium
    would start two per window): the browser's target list has only our pages."""
    urls = [site.url(f"/page/{n}") for n in range(20, 23)]
    assert all(r.success for r in shared_crawler.run_many(urls, CrawlerRunConfig()))

    def targets(drv: Any) -> list[str]:
        address = drv.webdriver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen(f"http://{address}/json/list", timeout=10) as answer:
            return [f"{t['type']} {t['url']}" for t in json.load(answer)]

    for listed in shared_crawler.crawler_strategy.pool.on_driver_threads(targets):
        assert not [t for t in listed if "omnibox" in t], listed
