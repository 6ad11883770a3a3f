"""The deep-crawl and dispatcher API at the front ends: what is refused, before any browser."""

from __future__ import annotations

import pytest

from seleniumcrawl import (
    AsyncWebCrawler,
    BFSDeepCrawlStrategy,
    CrawlerRunConfig,
    SemaphoreDispatcher,
    WebCrawler,
)


def test_config_checks_the_new_fields() -> None:
    """deep_crawl_strategy must be a strategy and check_robots_txt a bool, naming the field."""
    with pytest.raises(TypeError, match="deep_crawl_strategy must be DeepCrawlStrategy"):
        CrawlerRunConfig(deep_crawl_strategy=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="check_robots_txt must be bool"):
        CrawlerRunConfig(check_robots_txt="yes")  # type: ignore[arg-type]
    config = CrawlerRunConfig(deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=1))
    assert config.clone(stream=True).deep_crawl_strategy is config.deep_crawl_strategy


def test_front_ends_refuse_misplaced_deep_crawls_and_dispatchers() -> None:
    """run_many takes no deep crawl; dispatcher= is for run_many and deep crawls only;
    a dispatcher must be one of ours. Nothing starts a browser."""
    deep = CrawlerRunConfig(deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=1))
    with WebCrawler() as crawler:
        with pytest.raises(ValueError, match="a deep crawl starts from one URL"):
            crawler.run_many(["http://127.0.0.1:9/"], deep)
        with pytest.raises(TypeError, match="dispatcher= applies"):
            crawler.run("http://127.0.0.1:9/", dispatcher=SemaphoreDispatcher(2))
        with pytest.raises(TypeError, match="SemaphoreDispatcher or MemoryAdaptiveDispatcher"):
            crawler.run_many(["http://127.0.0.1:9/"], dispatcher=object())  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="http"):
            crawler.run("raw:<p>x</p>", deep)
        assert crawler.crawler_strategy.pool.size == 0


async def test_async_front_end_refuses_the_same() -> None:
    """arun_many refuses a deep config, arun refuses a dispatcher without one."""
    deep = CrawlerRunConfig(deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=1))
    async with AsyncWebCrawler() as crawler:
        with pytest.raises(ValueError, match="a deep crawl starts from one URL"):
            await crawler.arun_many(["http://127.0.0.1:9/"], [deep])
        with pytest.raises(TypeError, match="dispatcher= applies"):
            await crawler.arun("http://127.0.0.1:9/", dispatcher=SemaphoreDispatcher(2))


def test_strategy_arun_needs_a_config() -> None:
    """Crawl4AI's strategy.run/arun entry points need a CrawlerRunConfig, like Crawl4AI's."""
    with WebCrawler() as crawler, pytest.raises(ValueError, match="CrawlerRunConfig must be"):
        BFSDeepCrawlStrategy(max_depth=1).run("http://127.0.0.1:9/", crawler, None)
