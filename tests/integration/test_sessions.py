"""Sessions: windows that keep state, isolation, ordering, lifetime."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from seleniumcrawl import (
    AsyncWebCrawler,
    BrowserConfig,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    WebCrawler,
)
from seleniumcrawl.demo.site import DemoSite

pytestmark = pytest.mark.usefixtures("transport")

COMMITS = JsonCssExtractionStrategy(
    {
        "name": "commits",
        "baseSelector": "li.commit-item",
        "fields": [{"name": "title", "selector": "h4.markdown-title", "type": "text"}],
    }
)

NEXT_PAGE = """
window.__firstTitle = document.querySelector('li.commit-item h4').textContent;
document.querySelector('a.pagination-next').click();
"""
PAGE_CHANGED = (
    "js:() => { const h = document.querySelector('li.commit-item h4');"
    " return h && h.textContent !== window.__firstTitle; }"
)

LOGIN = """
document.querySelector('#username').value = 'demo';
document.querySelector('#password').value = 'secret';
document.querySelector('#login-form').submit();
"""


async def test_pagination_over_three_pages_with_js_only(
    acrawler: AsyncWebCrawler, site: DemoSite
) -> None:
    """Three pages in one session: the first navigates, the next two only run JS."""
    session = "commits"
    pages: list[list[str]] = []
    for page in range(3):
        config = CrawlerRunConfig(
            session_id=session,
            js_code=NEXT_PAGE if page else None,
            js_only=page > 0,
            wait_for=PAGE_CHANGED if page else "css:li.commit-item",
            extraction_strategy=COMMITS,
        )
        result = await acrawler.arun(url=site.url("/commits"), config=config)
        assert result.success, result.error_message
        pages.append([item["title"] for item in json.loads(result.extracted_content or "[]")])
    await acrawler.crawler_strategy.kill_session(session)
    assert [len(p) for p in pages] == [10, 10, 10]
    assert len({tuple(p) for p in pages}) == 3, "each page shows different commits"
    assert site.count("/commits") >= 1
    assert acrawler.sessions() == []


async def test_cookies_survive_login_and_isolated_session_does_not_see_them(
    acrawler: AsyncWebCrawler, site: DemoSite
) -> None:
    """Login in one session reaches the dashboard; an isolated session is logged out."""
    login = await acrawler.arun(
        url=site.url("/login"), config=CrawlerRunConfig(session_id="user", js_code=LOGIN)
    )
    assert login.success, login.error_message
    assert login.redirected_url is not None and login.redirected_url.endswith("/dashboard")

    dashboard = await acrawler.arun(
        url=site.url("/dashboard"),
        config=CrawlerRunConfig(session_id="user", wait_for="css:.user-profile"),
    )
    assert dashboard.success, dashboard.error_message
    assert "Demo User" in dashboard.html

    isolated = await acrawler.arun(
        url=site.url("/dashboard"),
        config=CrawlerRunConfig(
            session_id="stranger", session_isolation=True, wait_for="css:.login-required"
        ),
    )
    assert isolated.success, isolated.error_message
    assert "user-profile" not in isolated.html


async def test_concurrent_calls_on_one_session_run_in_arrival_order(
    acrawler: AsyncWebCrawler, site: DemoSite
) -> None:
    """Four concurrent crawls on one session never interleave and keep arrival order."""
    first = await acrawler.arun(site.url("/page/1"), CrawlerRunConfig(session_id="fifo"))
    assert first.success
    script = """
    window.__log = window.__log || [];
    window.__log.push('start-' + {i});
    await new Promise(r => setTimeout(r, 150));
    window.__log.push('end-' + {i});
    return window.__log.slice();
    """
    calls = [
        acrawler.arun(
            site.url("/page/1"),
            CrawlerRunConfig(
                session_id="fifo", js_only=True, js_code=script.replace("{i}", str(i))
            ),
        )
        for i in range(4)
    ]
    results = await asyncio.gather(*calls)
    assert all(r.success for r in results), [r.error_message for r in results]
    final_log = results[-1].js_execution_result["results"][0]  # type: ignore[index]
    assert final_log == [f"{edge}-{i}" for i in range(4) for edge in ("start", "end")]


def test_threads_on_one_session_run_one_after_another(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """Blocking crawls from 4 threads on one session never overlap."""
    assert shared_crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="threads")).success
    script = """
    window.__busy = window.__busy || 0;
    if (window.__busy) return 'overlap';
    window.__busy = 1;
    await new Promise(r => setTimeout(r, 100));
    window.__busy = 0;
    return 'ok';
    """
    outcomes: list[object] = []
    lock = threading.Lock()

    def crawl() -> None:
        result = shared_crawler.run(
            site.url("/page/2"),
            CrawlerRunConfig(session_id="threads", js_only=True, js_code=script),
        )
        with lock:
            outcomes.append(result.js_execution_result and result.js_execution_result["results"][0])

    threads = [threading.Thread(target=crawl) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes == ["ok"] * 4
    shared_crawler.kill_session("threads")


def test_session_keeps_dom_and_js_state(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """A later crawl of a session sees JS state set by an earlier one."""
    config = CrawlerRunConfig(session_id="state", js_code="window.__counter = 41;")
    assert shared_crawler.run(site.url("/page/3"), config).success
    again = shared_crawler.run(
        site.url("/page/3"),
        CrawlerRunConfig(session_id="state", js_only=True, js_code="return ++window.__counter;"),
    )
    assert again.js_execution_result == {"success": True, "results": [42]}
    shared_crawler.kill_session("state")


def test_js_only_on_unknown_session_fails_clearly(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """js_only on a session that does not exist fails, and opens no blank window."""
    result = shared_crawler.run(
        site.url("/page/1"), CrawlerRunConfig(session_id="ghost", js_only=True, js_code="1")
    )
    assert not result.success
    assert "session 'ghost' does not exist" in (result.error_message or "")
    assert "ghost" not in shared_crawler.sessions()


def test_kill_session_is_idempotent_and_reachable_both_ways(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """kill_session closes the window; unknown ids and repeats are fine."""
    assert shared_crawler.run(site.url("/page/4"), CrawlerRunConfig(session_id="k")).success
    assert "k" in shared_crawler.sessions()
    shared_crawler.kill_session("k")
    shared_crawler.crawler_strategy.kill_session("k")
    shared_crawler.kill_session("never-existed")
    assert "k" not in shared_crawler.sessions()
    after = shared_crawler.run(
        site.url("/page/4"), CrawlerRunConfig(session_id="k", js_only=True, js_code="1")
    )
    assert not after.success, "a killed session is gone"


def test_idle_sessions_are_closed_after_ttl(site: DemoSite) -> None:
    """A session idle longer than session_ttl is closed by the pool."""
    with WebCrawler(config=BrowserConfig(session_ttl=0.5)) as crawler:
        assert crawler.run(site.url("/page/5"), CrawlerRunConfig(session_id="idle")).success
        assert "idle" in crawler.sessions()
        deadline = time.monotonic() + 10
        while "idle" in crawler.sessions() and time.monotonic() < deadline:
            threading.Event().wait(0.1)  # polling the pool's own state, not a browser
        assert "idle" not in crawler.sessions()
        # The window closes just after the session leaves the table (over BiDi, on a
        # page thread): wait for the browser's window list to show it.
        while True:
            (handles,) = crawler.crawler_strategy.pool.on_driver_threads(
                lambda drv: drv.webdriver.window_handles
            )
            if len(handles) == 1 or time.monotonic() >= deadline:
                break
            threading.Event().wait(0.05)  # polling the browser's window list
        assert len(handles) == 1, "only the anchor window is left"


@pytest.mark.parametrize("isolated", [False, True])
def test_sessions_spread_over_drivers(site: DemoSite, isolated: bool, transport: str) -> None:
    """Classic: new sessions go to new drivers up to max_drivers, isolation takes a driver
    each. BiDi: sessions share one browser (tabs; isolated ones in user contexts)."""
    with WebCrawler(config=BrowserConfig(max_drivers=2)) as crawler:
        for name in ("a", "b"):
            config = CrawlerRunConfig(session_id=name, session_isolation=isolated)
            assert crawler.run(site.url("/page/6"), config).success
        assert crawler.crawler_strategy.pool.size == (1 if transport == "bidi" else 2)
        third = crawler.run(
            site.url("/page/6"), CrawlerRunConfig(session_id="c", session_isolation=isolated)
        )
        if isolated and transport == "classic":
            assert not third.success and "max_drivers" in (third.error_message or "")
        else:
            assert third.success, third.error_message
            assert crawler.crawler_strategy.pool.size == (1 if transport == "bidi" else 2)
