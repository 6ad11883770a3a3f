"""The crawl cache (README: "Cache") against a real browser: modes, keys, re-extraction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from seleniumcrawl import (
    BrowserConfig,
    CacheMode,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    WebCrawler,
)
from seleniumcrawl.demo.site import DemoSite

NAMES = JsonCssExtractionStrategy(
    {"baseSelector": ".product", "fields": [{"name": "name", "selector": ".name", "type": "text"}]}
)
PRICES = JsonCssExtractionStrategy(
    {
        "baseSelector": ".product",
        "fields": [{"name": "price", "selector": ".price", "type": "text"}],
    }
)


@pytest.fixture(scope="module")
def cached_crawler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebCrawler]:
    """A crawler whose cache lives in a temporary directory."""
    base = tmp_path_factory.mktemp("cache-home")
    with WebCrawler(config=BrowserConfig(max_drivers=1), base_directory=base) as crawler:
        yield crawler


def _fetches(site: DemoSite, path: str) -> int:
    return sum(1 for method, p in site.requests if p == path)


def test_hit_makes_no_request_and_reextracts(cached_crawler: WebCrawler, site: DemoSite) -> None:
    """ENABLED: the second crawl is served from the cache (no request) with today's schema."""
    url = site.url("/page/301")
    first = cached_crawler.run(
        url, CrawlerRunConfig(cache_mode=CacheMode.ENABLED, extraction_strategy=NAMES)
    )
    assert first.success and first.cache_status == "miss"
    before = _fetches(site, "/page/301")
    second = cached_crawler.run(
        url, CrawlerRunConfig(cache_mode=CacheMode.ENABLED, extraction_strategy=PRICES)
    )
    assert second.cache_status == "hit" and second.success
    assert _fetches(site, "/page/301") == before, "a hit must not touch the server"
    assert json.loads(second.extracted_content or "[]")[0].keys() == {"price"}
    assert second.html == first.html and second.status_code == 200


def test_bypass_and_disabled_neither_read_nor_write(
    cached_crawler: WebCrawler, site: DemoSite
) -> None:
    """BYPASS and DISABLED always fetch and leave the cache untouched."""
    url = site.url("/page/302")
    for mode in (CacheMode.BYPASS, CacheMode.DISABLED):
        result = cached_crawler.run(url, CrawlerRunConfig(cache_mode=mode))
        assert result.success and result.cache_status is None
    before = _fetches(site, "/page/302")
    read = cached_crawler.run(url, CrawlerRunConfig(cache_mode=CacheMode.READ_ONLY))
    assert read.cache_status == "miss" and _fetches(site, "/page/302") == before + 1


def test_write_only_then_read_only(cached_crawler: WebCrawler, site: DemoSite) -> None:
    """WRITE_ONLY stores without reading; READ_ONLY reads without storing."""
    url = site.url("/page/303")
    written = cached_crawler.run(url, CrawlerRunConfig(cache_mode=CacheMode.WRITE_ONLY))
    again = cached_crawler.run(url, CrawlerRunConfig(cache_mode=CacheMode.WRITE_ONLY))
    assert written.cache_status is None and again.cache_status is None
    before = _fetches(site, "/page/303")
    read = cached_crawler.run(url, CrawlerRunConfig(cache_mode=CacheMode.READ_ONLY))
    assert read.cache_status == "hit" and _fetches(site, "/page/303") == before

    other = site.url("/page/304")
    assert (
        cached_crawler.run(other, CrawlerRunConfig(cache_mode=CacheMode.READ_ONLY)).cache_status
        == "miss"
    )
    assert (
        cached_crawler.run(other, CrawlerRunConfig(cache_mode=CacheMode.READ_ONLY)).cache_status
        == "miss"
    )


def test_key_covers_what_the_browser_runs(cached_crawler: WebCrawler, site: DemoSite) -> None:
    """Different js_code or wait_for is a different cache entry; the schema is not."""
    url = site.url("/page/305")
    enabled = CrawlerRunConfig(cache_mode=CacheMode.ENABLED)
    assert cached_crawler.run(url, enabled).cache_status == "miss"
    assert cached_crawler.run(url, enabled.clone(extraction_strategy=NAMES)).cache_status == "hit"
    assert cached_crawler.run(url, enabled.clone(js_code="return 1")).cache_status == "miss"
    assert cached_crawler.run(url, enabled.clone(wait_for="css:h1")).cache_status == "miss"


def test_session_crawls_never_read_the_cache(cached_crawler: WebCrawler, site: DemoSite) -> None:
    """Session crawls (js_only or not) run in their window even when the URL is cached."""
    url = site.url("/page/306")
    enabled = CrawlerRunConfig(cache_mode=CacheMode.ENABLED)
    cached_crawler.run(url, enabled)
    before = _fetches(site, "/page/306")
    opened = cached_crawler.run(url, enabled.clone(session_id="c"))
    assert opened.success and opened.cache_status is None
    assert _fetches(site, "/page/306") == before + 1
    result = cached_crawler.run(
        url, enabled.clone(session_id="c", js_only=True, js_code="return 'live';")
    )
    assert result.cache_status is None
    assert result.js_execution_result == {"success": True, "results": ["live"]}
    cached_crawler.kill_session("c")


def test_cache_location_follows_selenumcrawl_home(
    site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without base_directory the cache goes to $SELENIUMCRAWL_HOME/cache.db."""
    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path / "home"))
    with WebCrawler() as crawler:
        result = crawler.run(site.url("/page/307"), CrawlerRunConfig(cache_mode=CacheMode.ENABLED))
        assert result.success
    assert (tmp_path / "home" / "cache.db").is_file()
    assert (tmp_path / "home").stat().st_mode & 0o077 == 0, "the cache directory is private"


def test_broken_cache_file_does_not_break_crawls(site: DemoSite, tmp_path: Path) -> None:
    """A cache file that is not a database is logged and bypassed; crawls still succeed."""
    (tmp_path / "cache.db").write_bytes(b"this is not an sqlite database" * 100)
    with WebCrawler(base_directory=tmp_path) as crawler:
        result = crawler.run(site.url("/page/308"), CrawlerRunConfig(cache_mode=CacheMode.ENABLED))
    assert result.success and result.cache_status == "miss"
