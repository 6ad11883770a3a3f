"""Many URLs through a real pool: order, streaming, sessions, retries, progress."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, CrawlResult, WebCrawler
from seleniumcrawl.demo.site import DemoSite

pytestmark = pytest.mark.usefixtures("transport")


@pytest.fixture(scope="module")
def two_drivers(transport: str) -> Iterator[WebCrawler]:
    """A blocking crawler with two drivers (two pages each over BiDi, so both fill up)."""
    with WebCrawler(config=BrowserConfig(max_drivers=2, max_pages_per_driver=2)) as crawler:
        yield crawler


def test_results_come_back_in_input_order(two_drivers: WebCrawler, site: DemoSite) -> None:
    """run_many returns one result per URL, in input order, spread over both drivers."""
    urls = [site.url(f"/slow?ms={ms}") for ms in (300, 10, 200, 10, 100, 10)]
    results = two_drivers.run_many(urls)
    assert isinstance(results, list)
    assert [r.url for r in results] == urls and all(r.success for r in results)
    assert two_drivers.crawler_strategy.pool.size == 2


def test_stream_yields_in_completion_order(two_drivers: WebCrawler, site: DemoSite) -> None:
    """With stream=True the fast page arrives before the slow one."""
    urls = [site.url("/slow?ms=1500"), site.url("/slow?ms=1")]
    stream = two_drivers.run_many(urls, CrawlerRunConfig(stream=True))
    assert not isinstance(stream, list)
    assert [r.url for r in stream] == [urls[1], urls[0]]


def test_progress_reports_every_url(two_drivers: WebCrawler, site: DemoSite) -> None:
    """The progress callback sees done = 1..total with each result."""
    seen: list[tuple[int, int, bool]] = []
    lock = threading.Lock()

    def progress(done: int, total: int, result: CrawlResult) -> None:
        with lock:
            seen.append((done, total, result.success))

    two_drivers.run_many([site.url(f"/page/{n}") for n in range(20, 25)], progress=progress)
    assert sorted(seen) == [(n, 5, True) for n in range(1, 6)]


def test_one_session_runs_urls_one_after_another(two_drivers: WebCrawler, site: DemoSite) -> None:
    """A session_id shared by many URLs crawls them in order in one window."""
    config = CrawlerRunConfig(
        session_id="walk",
        js_code="window.name = (window.name ? window.name + ',' : '') + location.pathname;"
        " return window.name;",
    )
    urls = [site.url(f"/page/{n}") for n in (31, 32, 33)]
    results = two_drivers.run_many(urls, config)
    assert isinstance(results, list)
    trail = results[-1].js_execution_result["results"][0]  # type: ignore[index]
    assert trail == "/page/31,/page/32,/page/33"
    two_drivers.kill_session("walk")


def test_failures_are_retried(two_drivers: WebCrawler, site: DemoSite) -> None:
    """A failing URL is tried 1 + max_retries times; a bad URL is not retried."""
    site.reset_counts()
    config = CrawlerRunConfig(max_retries=2, wait_for="css:.never", wait_for_timeout=200)
    results = two_drivers.run_many([site.url("/page/40"), "ftp://nope"], config)
    assert isinstance(results, list)
    assert not results[0].success and not results[1].success
    assert site.count("/page/40") == 3
    assert "Unsupported URL" in (results[1].error_message or "")


def test_configs_by_url_pattern(two_drivers: WebCrawler, site: DemoSite) -> None:
    """With a list of configs the first whose url_matcher matches is used."""
    configs = [
        CrawlerRunConfig(url_matcher="*/page/5*", js_code="return 'five';"),
        CrawlerRunConfig(js_code="return 'other';"),
    ]
    results = two_drivers.run_many([site.url("/page/51"), site.url("/page/61")], configs)
    assert isinstance(results, list)
    assert [r.js_execution_result["results"][0] for r in results] == ["five", "other"]  # type: ignore[index]


async def test_async_arun_many_list_and_stream(site: DemoSite) -> None:
    """arun_many gives a list, or with stream=True an async iterator (Crawl4AI's shape)."""
    urls = [site.url(f"/page/{n}") for n in range(70, 74)]
    async with AsyncWebCrawler(config=BrowserConfig(max_drivers=2)) as crawler:
        results = await crawler.arun_many(urls)
        assert isinstance(results, list) and [r.url for r in results] == urls
        stream = await crawler.arun_many(urls, CrawlerRunConfig(stream=True))
        assert isinstance(stream, AsyncIterator)
        streamed = [r.url async for r in stream]
        assert sorted(streamed) == sorted(urls)
        other = asyncio.create_task(crawler.arun(site.url("/page/80")))
        assert (await other).success
