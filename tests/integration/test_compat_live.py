"""Issue 14 in a real browser: status fields, scroll_delay, viewport, verbose on stderr,
the new strategies and narrowing on crawled pages of the demo site."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from seleniumcrawl import (
    BrowserConfig,
    CacheMode,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    JsonLxmlExtractionStrategy,
    RegexExtractionStrategy,
    WebCrawler,
)
from seleniumcrawl.demo.site import DemoSite

PRODUCTS = {
    "baseSelector": "div.product",
    "baseFields": [{"name": "id", "type": "attribute", "attribute": "data-id"}],
    "fields": [
        {"name": "name", "selector": ".name", "type": "text"},
        {"name": "price", "selector": ".price", "type": "text"},
    ],
}


@pytest.mark.parametrize("code", [301, 302, 307])
def test_status_code_is_the_first_hop_and_redirected_status_code_the_final(
    shared_crawler: WebCrawler, site: DemoSite, transport: str, code: int
) -> None:
    """As in Crawl4AI, status_code is the redirect's own status over BiDi (its network
    events show the first hop; the classic path sees only the final one), and
    redirected_status_code is the final page's."""
    result = shared_crawler.run(site.url(f"/redirect?to=/page/2&code={code}&n={transport}"))
    assert result.success, result.error_message
    assert result.redirected_url == site.url("/page/2")
    first = code if transport == "bidi" else 200
    assert (result.status_code, result.redirected_status_code) == (first, 200)
    direct = shared_crawler.run(site.url("/page/3"))
    assert (direct.status_code, direct.redirected_status_code) == (200, 200)
    missing = shared_crawler.run(site.url("/status/404"))
    assert (missing.status_code, missing.redirected_status_code) == (404, 404)


def test_a_form_post_reports_the_status_of_the_page_it_led_to(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """After js_code posts a form, status_code is the posted page's (401 for a wrong
    password; 200 for the dashboard the 303 led to), not the first hop of the crawl's
    own navigation, on both transports."""
    post = (
        "document.querySelector('#username').value = 'demo';"
        "document.querySelector('#password').value = '%s';"
        "document.querySelector('#login-form').submit();"
    )
    refused = shared_crawler.run(
        site.url("/login"),
        CrawlerRunConfig(session_id="post", js_code=post % "wrong", wait_for="css:.error"),
    )
    assert refused.success, refused.error_message
    assert (refused.status_code, refused.redirected_status_code) == (401, 401)
    welcomed = shared_crawler.run(
        site.url("/login"),
        CrawlerRunConfig(session_id="post", js_code=post % "secret", wait_for="css:.user-profile"),
    )
    assert welcomed.success, welcomed.error_message
    assert (welcomed.status_code, welcomed.redirected_status_code) == (200, 200)
    shared_crawler.kill_session("post")


def test_a_cache_hit_keeps_both_statuses(transport: str, site: DemoSite, tmp_path: Path) -> None:
    """A page served from the cache reports the statuses the crawl that stored it saw."""
    enabled = CrawlerRunConfig(cache_mode=CacheMode.ENABLED)
    url = site.url(f"/redirect?to=/page/4&code=301&cache={transport}")
    with WebCrawler(config=BrowserConfig(max_drivers=1), base_directory=tmp_path) as crawler:
        fetched = crawler.run(url, enabled)
        cached = crawler.run(url, enabled)
    assert fetched.success and cached.success
    assert cached.cache_status == "hit"
    first = 301 if transport == "bidi" else 200
    assert (fetched.status_code, fetched.redirected_status_code) == (first, 200)
    assert (cached.status_code, cached.redirected_status_code) == (first, 200)


def test_file_and_raw_crawls_have_no_redirected_status(
    shared_crawler: WebCrawler, tmp_path: Path
) -> None:
    """file:// pages report status_code 200 (what the browser says) and, as in Crawl4AI,
    no redirected_status_code; raw: HTML has neither."""
    page = tmp_path / "local.html"
    page.write_text("<html><body><h1>Local</h1></body></html>")
    local = shared_crawler.run(page.as_uri())
    assert local.success
    assert (local.status_code, local.redirected_status_code) == (200, None)
    raw = shared_crawler.run("raw:<p>x</p>", CrawlerRunConfig(js_code="return 1"))
    assert (raw.status_code, raw.redirected_status_code) == (None, None)


def test_scroll_delay_gives_lazy_content_time_to_load(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """scan_full_page waits scroll_delay between steps: a feed that takes 300 ms per batch
    is read to its end with 0.6 s, and stops early with 0.05 s."""
    url = site.url("/infinite?batch=10&max=40&delay=300")

    def items(scroll_delay: float) -> int:
        config = CrawlerRunConfig(scan_full_page=True, scroll_delay=scroll_delay)
        result = shared_crawler.run(url, config)
        assert result.success, result.error_message
        return result.html.count('class="feed-item"')

    assert items(0.6) == 40
    assert items(0.05) < 40


def test_viewport_dict_sizes_the_window(site: DemoSite) -> None:
    """BrowserConfig(viewport={...}) gives the browser window that width and height."""
    config = BrowserConfig(viewport={"width": 820, "height": 560})
    with WebCrawler(config=config) as crawler:
        result = crawler.run(
            site.url("/"), CrawlerRunConfig(js_code="return [window.outerWidth, window.innerWidth]")
        )
    assert result.js_execution_result == {"success": True, "results": [[820, 820]]}


def test_json_lxml_and_regex_on_a_crawled_page(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """JsonLxml gives JsonCss's records on a crawled page; Regex finds its prices."""
    url = site.url("/page/7")
    css = shared_crawler.run(
        url, CrawlerRunConfig(extraction_strategy=JsonCssExtractionStrategy(PRODUCTS))
    )
    lxml = shared_crawler.run(
        url, CrawlerRunConfig(extraction_strategy=JsonLxmlExtractionStrategy(PRODUCTS))
    )
    records = json.loads(lxml.extracted_content or "")
    assert records == json.loads(css.extracted_content or "")
    assert [r["name"] for r in records] == ["Product 7-1", "Product 7-2", "Product 7-3"]
    prices = shared_crawler.run(
        url,
        CrawlerRunConfig(
            extraction_strategy=RegexExtractionStrategy(custom={"price": r"\$\d+\.\d\d"})
        ),
    )
    assert [m["value"] for m in json.loads(prices.extracted_content or "")] == [
        r["price"] for r in records
    ]


def test_css_selector_and_target_elements_on_a_crawled_page(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """css_selector narrows the extraction; target_elements narrows content but not links."""
    url = site.url("/page/3")
    strategy = JsonCssExtractionStrategy(PRODUCTS)
    narrowed = shared_crawler.run(
        url, CrawlerRunConfig(css_selector="div.product:nth-child(2)", extraction_strategy=strategy)
    )
    assert [r["id"] for r in json.loads(narrowed.extracted_content or "")] == ["32"]
    targeted = shared_crawler.run(
        url, CrawlerRunConfig(target_elements=["div.products"], extraction_strategy=strategy)
    )
    assert len(json.loads(targeted.extracted_content or "")) == 3
    assert "Next page" not in (targeted.markdown or "")
    hrefs = {link["href"] for link in targeted.links["internal"]}
    assert site.url("/page/4") in hrefs  # the nav link, outside the target, is still there


def test_verbose_prints_crawls_on_stderr_without_logging_setup(site: DemoSite) -> None:
    """A script that sets up no logging sees verbose=True crawl lines on stderr, once each."""
    script = textwrap.dedent(
        f"""
        import asyncio
        from seleniumcrawl import AsyncWebCrawler, CrawlerRunConfig

        async def main():
            async with AsyncWebCrawler(verbose=True) as crawler:
                await crawler.arun({site.url("/page/1")!r}, config=CrawlerRunConfig(verbose=True))
                await crawler.arun({site.url("/page/2")!r})

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=90, check=True
    )
    lines = [line for line in done.stderr.splitlines() if "crawled " in line]
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("[INFO] seleniumcrawl.engine: crawled ")
    assert site.url("/page/1") in lines[0] and "status 200" in lines[0]
    assert done.stdout == ""
