"""Heap sweeps (seleniumcrawl/browser/sweeper.py): a local Chromium over BiDi gets a
sweeper that makes the V8 of chromedriver's BiDi mapper and of every page collect
garbage; the classic path has no mapper and no sweeper."""

from __future__ import annotations

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite


def test_local_bidi_browser_sweeps_its_mapper_and_pages(site: DemoSite) -> None:
    """After crawls in two sessions, a sweep collects the mapper's heap and both session
    pages' (found over the browser's DevTools endpoint), and the sessions go on."""
    with WebCrawler(config=BrowserConfig(max_drivers=1)) as crawler:
        for number in range(1, 4):
            for sid in ("a", "b"):
                result = crawler.run(site.url(f"/page/{number}"), CrawlerRunConfig(session_id=sid))
                assert result.success, result.error_message
        (driver,) = crawler.crawler_strategy.pool.drivers()
        assert driver.sweeper is not None
        assert driver.sweeper.collect() >= 3, "the mapper and the two session pages"
        assert driver.sweeper.sweeps == 1
        after = crawler.run(
            site.url("/page/4"), CrawlerRunConfig(session_id="a", js_only=True, js_code="return 1")
        )
        assert after.success, after.error_message


def test_classic_path_has_no_mapper_to_sweep(site: DemoSite) -> None:
    """use_bidi=False: no mapper runs in the browser, so the driver has no sweeper."""
    with WebCrawler(config=BrowserConfig(max_drivers=1, use_bidi=False)) as crawler:
        assert crawler.run(site.url("/page/1")).success
        (driver,) = crawler.crawler_strategy.pool.drivers()
        assert driver.sweeper is None


@pytest.mark.timeout(60)
def test_every_nth_crawl_starts_a_sweep(site: DemoSite) -> None:
    """The sweeper counts the pool's crawls: 50 crawls on one browser start one sweep in
    the background (the crawls do not wait for it)."""
    with WebCrawler(config=BrowserConfig(max_drivers=1)) as crawler:
        assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="s")).success
        (driver,) = crawler.crawler_strategy.pool.drivers()
        assert driver.sweeper is not None
        every = driver.sweeper.every
        for number in range(2, every + 1):
            assert crawler.run(
                site.url(f"/page/{number}"), CrawlerRunConfig(session_id="s")
            ).success
        assert driver.sweeper.wait_for_sweeps(1, timeout=10), "no sweep after the 50th crawl"
