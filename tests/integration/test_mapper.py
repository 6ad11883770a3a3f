"""Chromium's BiDi mapper is swept (seleniumcrawl/browser/mapper.py): a local Chromium
over BiDi gets a sweeper that finds the mapper's tab and makes its V8 collect garbage;
the classic path has no mapper and no sweeper."""

from __future__ import annotations

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite


def test_local_bidi_browser_sweeps_its_mapper(site: DemoSite) -> None:
    """After crawls in a session, a collection of the mapper's garbage completes (it finds
    the 'BiDi-CDP Mapper' target over the browser's DevTools endpoint), and crawls go on."""
    with WebCrawler(config=BrowserConfig(max_drivers=1)) as crawler:
        for number in range(1, 4):
            result = crawler.run(site.url(f"/page/{number}"), CrawlerRunConfig(session_id="s"))
            assert result.success, result.error_message
        (driver,) = crawler.crawler_strategy.pool.drivers()
        assert driver.mapper is not None
        driver.mapper.collect()
        assert driver.mapper.sweeps == 1
        after = crawler.run(site.url("/page/4"), CrawlerRunConfig(session_id="s"))
        assert after.success, after.error_message


def test_classic_path_has_no_mapper_to_sweep(site: DemoSite) -> None:
    """use_bidi=False: no mapper runs in the browser, so the driver has no sweeper."""
    with WebCrawler(config=BrowserConfig(max_drivers=1, use_bidi=False)) as crawler:
        assert crawler.run(site.url("/page/1")).success
        (driver,) = crawler.crawler_strategy.pool.drivers()
        assert driver.mapper is None


@pytest.mark.timeout(60)
def test_every_nth_crawl_starts_a_sweep(site: DemoSite) -> None:
    """The sweeper counts the pool's crawls: 50 crawls on one browser start one collection
    in the background (the crawls do not wait for it)."""
    with WebCrawler(config=BrowserConfig(max_drivers=1)) as crawler:
        assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="s")).success
        (driver,) = crawler.crawler_strategy.pool.drivers()
        assert driver.mapper is not None
        every = driver.mapper.every
        for number in range(2, every + 1):
            assert crawler.run(
                site.url(f"/page/{number}"), CrawlerRunConfig(session_id="s")
            ).success
        assert driver.mapper.wait_for_sweeps(1, timeout=10), "no collection after the 50th crawl"
