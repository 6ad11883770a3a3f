"""Crawl4AI docs: core/simple-crawling.md ("Logging and Debugging", "Complete Example"),
core/cache-modes.md ("New Code"), core/browser-crawler-config.md (``clone``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from seleniumcrawl import AsyncWebCrawler, CacheMode
from seleniumcrawl.async_configs import BrowserConfig, CrawlerRunConfig


def _crawl_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.INFO and r.getMessage().startswith("crawled ")
    ]


async def test_simple_crawling_verbose_browser_config(
    pages_url: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    """ "Enable verbose logging in BrowserConfig": the crawl is reported at INFO."""
    browser_config = BrowserConfig(verbose=True)

    async with AsyncWebCrawler(config=browser_config) as crawler:
        run_config = CrawlerRunConfig()
        result = await crawler.arun(url=pages_url("blog-post.html"), config=run_config)

    assert result.success
    lines = _crawl_lines(caplog)
    assert len(lines) == 1
    assert lines[0].startswith(f"crawled {pages_url('blog-post.html')}: status 200, ")


async def test_cache_modes_new_code(
    pages_url: Callable[[str], str], caplog: pytest.LogCaptureFixture
) -> None:
    """cache-modes.md "New Code": AsyncWebCrawler(verbose=True) with CacheMode.BYPASS."""

    async def use_proxy() -> int:
        # Use CacheMode in CrawlerRunConfig
        config = CrawlerRunConfig(cache_mode=CacheMode.BYPASS)
        async with AsyncWebCrawler(verbose=True) as crawler:
            result = await crawler.arun(url=pages_url("news.html"), config=config)
            print(len(result.markdown))  # type: ignore[arg-type]
        return len(result.markdown)  # type: ignore[arg-type]

    assert await use_proxy() > 100
    assert len(_crawl_lines(caplog)) == 1


async def test_simple_crawling_complete_example(pages_url: Callable[[str], str]) -> None:
    """ "Complete Example": verbose browser, word threshold, excluded tags, cache ENABLED."""
    browser_config = BrowserConfig(verbose=True)
    run_config = CrawlerRunConfig(
        # Content filtering
        word_count_threshold=10,
        excluded_tags=["form", "header"],
        exclude_external_links=True,
        # Content processing
        process_iframes=True,
        remove_overlay_elements=True,
        # Cache control
        cache_mode=CacheMode.ENABLED,  # Use cache if available
    )

    async with AsyncWebCrawler(config=browser_config) as crawler:
        result = await crawler.arun(url=pages_url("blog-post.html"), config=run_config)
        assert result.success
        assert result.links["external"] == []


def test_browser_crawler_config_clone() -> None:
    """browser-crawler-config.md "Helper Methods": clone() keeps all settings but the given."""
    # Create a base configuration
    base_config = CrawlerRunConfig(
        cache_mode=CacheMode.ENABLED, word_count_threshold=200, wait_until="networkidle"
    )

    # Create variations for different use cases
    stream_config = base_config.clone(
        stream=True,  # Enable streaming mode
        cache_mode=CacheMode.BYPASS,
    )

    debug_config = base_config.clone(
        page_timeout=120000,  # Longer timeout for debugging
        verbose=True,
    )
    assert stream_config.word_count_threshold == debug_config.word_count_threshold == 200
    assert debug_config.verbose and not base_config.verbose
    assert stream_config.wait_until == debug_config.wait_until == "networkidle"
    assert stream_config.stream and stream_config.cache_mode is CacheMode.BYPASS
