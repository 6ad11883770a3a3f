"""Many concurrent crawls: sessions never interleave, same-session calls keep arrival order.

Each crawl's script appends ``start:<n>`` and ``end:<n>`` to a log kept in the
window's ``sessionStorage`` (per tab, and it survives same-origin navigation),
yielding to the event loop in between. A crawl run in the wrong window, or two
crawls overlapping in one window, shows up as a log that does not alternate
start/end in the order the crawls were submitted.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, CrawlResult, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from tests.integration.test_cleanup import assert_none_left, our_browser_pids

pytestmark = pytest.mark.usefixtures("transport")

_MARK = """
const read = () => JSON.parse(sessionStorage.getItem('log') || '[]');
const write = (entry) => sessionStorage.setItem('log', JSON.stringify([...read(), entry]));
write('start:%(n)d');
await new Promise(r => setTimeout(r, 20));
write('end:%(n)d');
return read();
"""
_READ_LOG = "return JSON.parse(sessionStorage.getItem('log') || '[]');"


def marked(n: int, session_id: str, **options: object) -> CrawlerRunConfig:
    """A crawl of ``session_id`` whose script logs ``start:n`` / ``end:n`` in its window."""
    return CrawlerRunConfig(session_id=session_id, js_code=_MARK % {"n": n}, **options)  # type: ignore[arg-type]


def alternating(numbers: list[int]) -> list[str]:
    """The log of crawls ``numbers`` run one after another, in that order."""
    return [f"{kind}:{n}" for n in numbers for kind in ("start", "end")]


async def test_sixty_crawls_over_ten_sessions_on_three_drivers(site: DemoSite) -> None:
    """60 concurrent crawls on 10 sessions, 3 drivers: all succeed, no session interleaves."""
    before = our_browser_pids()
    per_session: dict[str, list[int]] = defaultdict(list)
    async with AsyncWebCrawler(BrowserConfig(max_drivers=3)) as crawler:
        tasks = []
        for n in range(60):
            session_id = f"load-{n % 10}"
            per_session[session_id].append(n)
            url = site.url(f"/page/{n + 1}")
            tasks.append(asyncio.ensure_future(crawler.arun(url, marked(n, session_id))))
        results = await asyncio.gather(*tasks)

        failures = [(r.url, r.error_message) for r in results if not r.success]
        assert not failures
        for n, result in enumerate(results):
            assert result.session_id == f"load-{n % 10}"
            assert f"<h1>Page {n + 1}</h1>" in result.html
        pool = crawler.crawler_strategy.pool
        assert pool.size == 3
        drivers_used = {id(pool.session(sid).thread) for sid in per_session}  # type: ignore[union-attr]
        assert len(drivers_used) == 3, "the sessions were not spread over the three drivers"
        assert sorted(crawler.sessions()) == sorted(per_session)

        for session_id, numbers in per_session.items():
            final = await crawler.arun(
                site.url("/page/1"),
                CrawlerRunConfig(session_id=session_id, js_only=True, js_code=_READ_LOG),
            )
            assert final.success, final.error_message
            log = final.js_execution_result["results"][0]  # type: ignore[index]
            assert log == alternating(numbers), f"session {session_id} interleaved: {log}"
    assert_none_left(before)


async def test_concurrent_calls_on_one_session_run_in_arrival_order(site: DemoSite) -> None:
    """Four arun() calls gathered on one session run one after another, first come first."""
    async with AsyncWebCrawler(BrowserConfig(max_drivers=2)) as crawler:
        opened = await crawler.arun(site.url("/page/1"), CrawlerRunConfig(session_id="fifo"))
        assert opened.success, opened.error_message
        results = await asyncio.gather(
            *(
                crawler.arun(site.url(f"/page/{n + 2}"), marked(n, "fifo", js_only=True))
                for n in range(4)
            )
        )
        assert all(r.success for r in results), [r.error_message for r in results]
        logs = [r.js_execution_result["results"][0] for r in results]  # type: ignore[index]
        for n, log in enumerate(logs):
            assert log == alternating(list(range(n + 1))), f"crawl {n} saw {log}"


def test_threads_on_one_session_run_in_arrival_order(site: DemoSite) -> None:
    """Four threads calling run() on one session are served one at a time, in arrival order."""
    with WebCrawler(BrowserConfig(max_drivers=2)) as crawler:
        assert crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="fifo")).success
        session = crawler.crawler_strategy.pool.session("fifo")
        assert session is not None
        results: dict[int, CrawlResult] = {}

        def call(n: int, url: str, config: CrawlerRunConfig) -> None:
            results[n] = crawler.run(url, config)

        # The first crawl holds the window on a slow page while the others queue up behind it;
        # each thread starts only once the one before it is queued (the session's in-flight
        # count, read from the pool), which fixes the arrival order.
        threads = []
        for n in range(4):
            url = site.url("/slow?ms=2500") if n == 0 else site.url(f"/page/{n + 2}")
            thread = threading.Thread(target=call, args=(n, url, marked(n, "fifo")))
            thread.start()
            threads.append(thread)
            deadline = time.monotonic() + 10
            while session.inflight < n + 1:
                assert time.monotonic() < deadline, f"crawl {n} never reached the session queue"
                time.sleep(0.005)  # polling the pool's bookkeeping, not the browser
        for thread in threads:
            thread.join(60)
        assert sorted(results) == [0, 1, 2, 3]
        for n in range(4):
            result = results[n]
            assert result.success, result.error_message
            log = result.js_execution_result["results"][0]  # type: ignore[index]
            assert log == alternating(list(range(n + 1))), f"crawl {n} saw {log}"
