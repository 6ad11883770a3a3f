"""Faults from outside: a browser killed between or during crawls, a server that never answers.

To kill a browser the tests use the pool's test hooks (``crawler.crawler_strategy.pool``:
``session(id)`` gives the session's thread, whose ``ManagedDriver`` recorded the pids):
the browser's main process is the child of the ``chromedriver`` process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.browser import procs as _procs
from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.demo.site import DemoSite
from tests.integration.test_cleanup import assert_none_left, our_browser_pids, wait_for_request
from tests.procs import wait_until_gone

pytestmark = pytest.mark.usefixtures("transport")

#: Remembers something in the window's sessionStorage, which lives as long as the tab.
_REMEMBER = "sessionStorage.setItem('life', 'first'); return sessionStorage.getItem('life');"
_RECALL = "return sessionStorage.getItem('life');"


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rfind(")") + 2 :].split()[1])


def session_driver(crawler: WebCrawler, session_id: str) -> ManagedDriver:
    """The live driver holding ``session_id`` (pool test hook → session → thread → driver)."""
    session = crawler.crawler_strategy.pool.session(session_id)
    assert session is not None
    driver = session.thread.managed
    assert driver is not None
    return driver


def browser_main_pid(driver: ManagedDriver) -> int:
    """The browser's main process: the chromedriver process's browser child."""
    assert driver.driver_pid is not None, "a local driver was expected"
    mains = [pid for pid in driver.browser_pids if _parent(pid) == driver.driver_pid]
    assert len(mains) == 1, f"expected one browser under chromedriver, found {mains}"
    return mains[0]


def kill_browser(driver: ManagedDriver, victim: str = "browser") -> set[int]:
    """SIGKILL the browser's main process (or chromedriver); returns the tree before the kill."""
    assert driver.driver_pid is not None
    tree = {driver.driver_pid, *driver.browser_pids}
    os.kill(browser_main_pid(driver) if victim == "browser" else driver.driver_pid, signal.SIGKILL)
    return tree


@pytest.fixture
def crawler() -> Iterator[WebCrawler]:
    """A one-driver crawler, so the crawls after a kill must use the replacement driver."""
    before = our_browser_pids()
    with WebCrawler(BrowserConfig(max_drivers=1)) as running:
        yield running
    assert_none_left(before)


@pytest.mark.parametrize("victim", ["browser", "chromedriver"])
def test_browser_killed_between_crawls(site: DemoSite, crawler: WebCrawler, victim: str) -> None:
    """A killed browser (or driver) fails the next crawl saying so; its session restarts fresh."""
    first = crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="s", js_code=_REMEMBER))
    assert first.success, first.error_message
    assert first.js_execution_result == {"success": True, "results": ["first"]}
    old = session_driver(crawler, "s")
    victim_pid = browser_main_pid(old) if victim == "browser" else old.driver_pid
    old_tree = kill_browser(old, victim)
    assert victim_pid is not None
    assert not wait_until_gone({victim_pid}, timeout=5)

    started = time.monotonic()
    failed = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="s"))
    took = time.monotonic() - started
    assert not failed.success
    assert "browser died" in (failed.error_message or "")
    assert took < 5, f"the crawl on the dead browser took {took:.1f} s to fail"
    assert "s" not in crawler.sessions()
    # The dead driver was quit: chromedriver and the browser's other processes are gone.
    assert not wait_until_gone(old_tree)

    lost = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="s", js_only=True))
    assert not lost.success
    assert "'s' does not exist" in (lost.error_message or "")

    fresh = crawler.run(site.url("/page/3"), CrawlerRunConfig(session_id="s", js_code=_RECALL))
    assert fresh.success, fresh.error_message
    assert "<h1>Page 3</h1>" in fresh.html
    assert fresh.js_execution_result == {"success": True, "results": [None]}
    replacement = session_driver(crawler, "s")
    assert replacement is not old
    assert replacement.driver_pid != old.driver_pid
    assert crawler.crawler_strategy.pool.size == 1
    assert crawler.run(site.url("/page/4")).success


def test_browser_killed_during_a_page_load(site: DemoSite, crawler: WebCrawler) -> None:
    """A browser killed mid-navigation fails that crawl within seconds; the next crawl works."""
    assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="s")).success
    old = session_driver(crawler, "s")
    baseline = site.count("/slow")
    killed: list[tuple[float, set[int]]] = []

    def kill_once_requested() -> None:
        wait_for_request(site, "/slow", baseline)
        tree = kill_browser(old)
        killed.append((time.monotonic(), tree))

    killer = threading.Thread(target=kill_once_requested, daemon=True)
    killer.start()
    failed = crawler.run(site.url("/slow?ms=5000"), CrawlerRunConfig(session_id="s"))
    failed_at = time.monotonic()
    killer.join(10)
    assert killed, "the killer thread did not run"
    killed_at, tree = killed[0]
    assert not failed.success
    assert "browser died" in (failed.error_message or "")
    # The page answers 5 s after its request reached the server, i.e. after the kill.
    took = failed_at - killed_at
    assert took < 4, f"the in-flight crawl failed {took:.1f} s after the kill"
    assert not wait_until_gone(tree)

    after = crawler.run(site.url("/page/2"))
    assert after.success, after.error_message
    assert "<h1>Page 2</h1>" in after.html
    again = crawler.run(site.url("/page/3"), CrawlerRunConfig(session_id="s"))
    assert again.success, again.error_message


def test_server_that_never_answers_hits_page_timeout(site: DemoSite, crawler: WebCrawler) -> None:
    """/hang with page_timeout=2000 fails in ~2 s naming page_timeout; the session still works."""
    config = CrawlerRunConfig(session_id="h", page_timeout=2000)
    started = time.monotonic()
    hung = crawler.run(site.url("/hang"), config)
    took = time.monotonic() - started
    assert not hung.success
    assert "page_timeout of 2000 ms" in (hung.error_message or "")
    # A generous bound (slow CI machines): the point is page_timeout, not the 120 s default.
    assert 1.9 <= took < 2 + 5, f"the hanging crawl took {took:.1f} s"

    same = crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="h"))
    assert same.success, same.error_message
    assert "<h1>Page 1</h1>" in same.html
    assert same.status_code == 200
    temporary = crawler.run(site.url("/page/2"))
    assert temporary.success, temporary.error_message


def test_hang_without_session_then_normal_crawl(site: DemoSite, crawler: WebCrawler) -> None:
    """A timed-out temporary window does not poison the driver for the next crawl."""
    hung = crawler.run(site.url("/hang"), CrawlerRunConfig(page_timeout=2000))
    assert not hung.success
    assert "page_timeout" in (hung.error_message or "")
    after = crawler.run(site.url("/page/5"))
    assert after.success, after.error_message
    assert "<h1>Page 5</h1>" in after.html


def crash_tab(crawler: WebCrawler, session_id: str) -> None:
    """Crash the session's page (CDP ``Page.crash``), on the driver's own thread."""
    session = crawler.crawler_strategy.pool.session(session_id)
    assert session is not None
    handle = session.handle
    assert handle is not None

    def crash(drv: ManagedDriver) -> None:
        drv.webdriver.switch_to.window(handle)
        with contextlib.suppress(WebDriverException):  # the command's own tab crashed
            drv.cdp("Page.crash")

    session.thread.submit(crash).result(timeout=30)


def renderer_pids(driver: ManagedDriver) -> set[int]:
    """The browser's renderer processes (one per site instance, shared by its tabs)."""
    renderers = set()
    for pid in _procs.descendants(browser_main_pid(driver)):
        with contextlib.suppress(OSError):
            if b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes():
                renderers.add(pid)
    return renderers


def test_crashed_tab_loses_only_its_session(site: DemoSite, crawler: WebCrawler) -> None:
    """A session whose page crashed fails saying so; the driver and other sessions carry on."""
    other = crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="t", js_code=_REMEMBER))
    assert other.success, other.error_message
    assert crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="s")).success
    driver = session_driver(crawler, "s")
    crash_tab(crawler, "s")

    started = time.monotonic()
    crashed = crawler.run(site.url("/page/3"), CrawlerRunConfig(session_id="s"))
    took = time.monotonic() - started
    assert not crashed.success
    assert "crashed" in (crashed.error_message or "")
    assert took < 5, f"the crawl on the crashed page took {took:.1f} s to fail"

    # Same browser; the other session keeps its tab and state; temporary windows work.
    kept = crawler.run(site.url("/page/4"), CrawlerRunConfig(session_id="t", js_code=_RECALL))
    assert kept.success, kept.error_message
    assert kept.js_execution_result == {"success": True, "results": ["first"]}
    assert crawler.run(site.url("/page/5")).success
    assert session_driver(crawler, "t") is driver
    again = crawler.run(site.url("/page/6"), CrawlerRunConfig(session_id="s", js_code=_RECALL))
    assert again.success, again.error_message
    assert again.js_execution_result == {"success": True, "results": [None]}


def test_killed_renderers_are_recovered_from(site: DemoSite, crawler: WebCrawler) -> None:
    """SIGKILL of every renderer (an OOM sweep) fails at most one crawl; the next ones work."""
    assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="s")).success
    driver = session_driver(crawler, "s")
    renderers = renderer_pids(driver)
    assert renderers
    for pid in renderers:
        os.kill(pid, signal.SIGKILL)
    assert not wait_until_gone(renderers, timeout=5)

    first = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="s"))
    if not first.success:
        assert "crashed" in (first.error_message or "") or "died" in (first.error_message or "")
    for number in (3, 4):
        after = crawler.run(site.url(f"/page/{number}"), CrawlerRunConfig(session_id="s"))
        assert after.success, after.error_message
        assert f"<h1>Page {number}</h1>" in after.html
    assert crawler.run(site.url("/page/5")).success


def test_frozen_browser_is_killed_and_replaced(site: DemoSite) -> None:
    """A browser that stops answering (SIGSTOP) fails its crawl in bounded time and is replaced."""
    before = our_browser_pids()
    # Short page_timeout: the HTTP timeout to the driver follows the longest browser-side bound.
    config = CrawlerRunConfig(session_id="s", page_timeout=2000)
    with WebCrawler(BrowserConfig(max_drivers=1, command_timeout=10)) as crawler:
        assert crawler.run(site.url("/page/1"), config).success
        old = session_driver(crawler, "s")
        main = browser_main_pid(old)
        os.kill(main, signal.SIGSTOP)
        try:
            started = time.monotonic()
            frozen = crawler.run(site.url("/page/2"), config)
            took = time.monotonic() - started
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.kill(main, signal.SIGCONT)
        assert not frozen.success
        assert "stopped responding" in (frozen.error_message or "")
        assert "command_timeout" in (frozen.error_message or "")
        # ~12 s of HTTP timeout (max of command_timeout, page_timeout + slack) plus the quit.
        assert took < 40, f"the crawl on a frozen browser took {took:.1f} s to fail"
        after = crawler.run(site.url("/page/3"), config)
        assert after.success, after.error_message
        assert session_driver(crawler, "s").driver_pid != old.driver_pid
    assert_none_left(before)


def test_browser_killed_with_eight_pages_loading(site: DemoSite, transport: str) -> None:
    """Eight pages in flight on one browser (8 sessions) all fail soon after the browser is
    killed, saying it died; the driver is replaced and the next crawls work."""
    if transport != "bidi":
        pytest.skip("eight pages in flight on one browser need BiDi (classic: one at a time)")
    before = our_browser_pids()
    with WebCrawler(BrowserConfig(max_drivers=1)) as crawler:
        assert crawler.run(site.url("/page/1")).success
        (old,) = crawler.crawler_strategy.pool.drivers()
        baseline = site.count("/slow")
        with ThreadPoolExecutor(8) as pool:
            futures = [
                pool.submit(
                    crawler.run,
                    site.url(f"/slow?ms=8000&n={n}"),
                    CrawlerRunConfig(session_id=f"s{n}"),
                )
                for n in range(8)
            ]
            wait_for_request(site, "/slow", baseline + 5)  # Chromium: 6 connections per host
            tree = kill_browser(old)
            killed_at = time.monotonic()
            results = [f.result(timeout=60) for f in futures]
            took = time.monotonic() - killed_at
        assert all(not r.success for r in results)
        assert all("died" in (r.error_message or "") for r in results), [
            r.error_message for r in results
        ]
        # The pages would answer 8 s after their requests: they failed because of the kill.
        assert took < 6, f"the pages in flight failed {took:.1f} s after the kill"
        assert not wait_until_gone(tree)
        after = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="s1"))
        assert after.success, after.error_message
        (new,) = crawler.crawler_strategy.pool.drivers()
        assert new.driver_pid != old.driver_pid
    assert_none_left(before)


def test_a_hanging_page_does_not_hold_up_the_others(site: DemoSite, transport: str) -> None:
    """A page hanging until its page_timeout does not delay the other pages of its browser."""
    if transport != "bidi":
        pytest.skip("pages of one browser run one at a time on the classic path")
    with WebCrawler(BrowserConfig(max_drivers=1)) as crawler:
        assert crawler.run(site.url("/page/1")).success
        with ThreadPoolExecutor(6) as pool:
            hung = pool.submit(crawler.run, site.url("/hang"), CrawlerRunConfig(page_timeout=20000))
            others = [pool.submit(crawler.run, site.url(f"/page/{n}")) for n in range(2, 7)]
            done = [f.result(timeout=20) for f in others]
            assert not hung.done(), "the others finished while the hanging page still waited"
            assert all(r.success for r in done), [r.error_message for r in done]
            late = hung.result(timeout=60)
        assert not late.success and "page_timeout" in (late.error_message or "")
