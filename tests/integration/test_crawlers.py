"""The two front ends: same engine, context managers, close, misuse."""

from __future__ import annotations

import threading

import pytest

from seleniumcrawl import (
    AsyncWebCrawler,
    BrowserConfig,
    CrawlerClosedError,
    CrawlerRunConfig,
    WebCrawler,
)
from seleniumcrawl.demo.site import DemoSite
from seleniumcrawl.errors import WrongThreadError
from tests.procs import crawler_pids, live_browser_pids, wait_until_gone

pytestmark = pytest.mark.usefixtures("transport")


def test_close_quits_every_browser_and_is_idempotent(site: DemoSite) -> None:
    """After close() no browser or driver process started by the crawler remains."""
    crawler = WebCrawler(config=BrowserConfig(max_drivers=2))
    for name in ("one", "two"):
        assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id=name)).success
    started = crawler_pids(crawler)
    assert len(started) > 2, "two drivers and their browsers run"
    assert started <= live_browser_pids()
    crawler.close()
    crawler.close()
    assert wait_until_gone(started) == set()


async def test_async_context_manager_closes_on_error(site: DemoSite) -> None:
    """An exception inside ``async with`` still quits the browsers."""
    started: set[int] = set()
    with pytest.raises(RuntimeError, match="boom"):
        async with AsyncWebCrawler() as crawler:
            assert (await crawler.arun(site.url("/page/1"))).success
            started = crawler_pids(crawler)
            raise RuntimeError("boom")
    assert started and wait_until_gone(started) == set()


def test_use_after_close_raises(site: DemoSite) -> None:
    """A closed crawler refuses work with CrawlerClosedError, not a Selenium traceback."""
    crawler = WebCrawler()
    crawler.close()
    with pytest.raises(CrawlerClosedError):
        crawler.run(site.url("/page/1"))
    with pytest.raises(CrawlerClosedError):
        crawler.start()


async def test_async_use_after_close_raises(site: DemoSite) -> None:
    """The async crawler refuses work after close() too."""
    crawler = AsyncWebCrawler()
    await crawler.close()
    with pytest.raises(CrawlerClosedError):
        await crawler.arun(site.url("/page/1"))


def test_unknown_keyword_arguments_raise(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """Unknown keywords to crawlers and run() are TypeErrors, never ignored."""
    with pytest.raises(TypeError):
        # (verbose is a crawler argument since the Crawl4AI names landed; this one is not)
        WebCrawler(config=BrowserConfig(), not_an_option=True)
    with pytest.raises(TypeError):
        shared_crawler.run(site.url("/page/1"), bypass_cache=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="CrawlerRunConfig"):
        shared_crawler.run(site.url("/page/1"), config={"session_id": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="BrowserConfig"):
        WebCrawler(config={"headless": True})  # type: ignore[arg-type]


async def test_async_and_blocking_give_the_same_result(
    shared_crawler: WebCrawler, acrawler: AsyncWebCrawler, site: DemoSite
) -> None:
    """Both front ends drive one implementation: the same page gives the same content."""
    blocking = shared_crawler.run(site.url("/page/12"))
    awaited = await acrawler.arun(site.url("/page/12"))
    assert blocking.success and awaited.success
    assert blocking.cleaned_html == awaited.cleaned_html
    assert blocking.status_code == awaited.status_code == 200


async def test_driver_work_runs_on_the_owning_thread(
    acrawler: AsyncWebCrawler, site: DemoSite
) -> None:
    """Every crawl of a session runs on one driver thread, never the event loop's."""
    names: set[str] = set()
    pool = acrawler.crawler_strategy.pool
    for _ in range(3):
        future = pool.run_in_session("own", lambda drv: threading.current_thread().name)
        names.add(future.result(30))
    assert len(names) == 1 and next(iter(names)).startswith("seleniumcrawl-driver-")
    assert threading.current_thread().name not in names


def test_blocking_call_from_a_driver_thread_raises(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """Calling the blocking API from a driver thread raises instead of deadlocking."""
    pool = shared_crawler.crawler_strategy.pool

    def reenter(drv: object) -> str:
        try:
            shared_crawler.run(site.url("/page/1"))
        except WrongThreadError as exc:
            return str(exc)
        return "no error"

    message = pool.run_temporary(reenter).result(30)
    assert "would deadlock" in message


def test_many_urls_on_a_closed_crawler_raise(site: DemoSite) -> None:
    """run_many on a closed crawler raises like run() does, instead of failing each URL."""
    crawler = WebCrawler()
    crawler.close()
    with pytest.raises(CrawlerClosedError):
        crawler.run_many([site.url("/page/1")])


async def test_async_many_urls_on_a_closed_crawler_raise(site: DemoSite) -> None:
    """arun_many on a closed crawler raises CrawlerClosedError."""
    crawler = AsyncWebCrawler()
    await crawler.close()
    with pytest.raises(CrawlerClosedError):
        await crawler.arun_many([site.url("/page/1")])
