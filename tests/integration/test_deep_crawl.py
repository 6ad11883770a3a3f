"""Deep crawls, robots.txt and the dispatchers with a real Chromium on the demo site's tree."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, CrawlResult, WebCrawler
from seleniumcrawl.async_dispatcher import (
    MemoryAdaptiveDispatcher,
    RateLimiter,
    SemaphoreDispatcher,
)
from seleniumcrawl.deep_crawling import (
    BestFirstCrawlingStrategy,
    BFSDeepCrawlStrategy,
    DeepCrawlStrategy,
    DFSDeepCrawlStrategy,
    FilterChain,
    KeywordRelevanceScorer,
    URLPatternFilter,
)
from seleniumcrawl.demo.site import DemoSite
from tests.procs import pids_with_env

REPO = Path(__file__).resolve().parents[2]
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon")


def node(size: int, fanout: int, n: int) -> str:
    return f"/tree/{size}/{fanout}/{n}-{WORDS[n % 5]}"


def bfs_paths(size: int, fanout: int, max_depth: int) -> list[str]:
    """The demo tree's pages in BFS order (root's extra links included), as paths."""
    order = [node(size, fanout, 0)]
    level = [0]
    extras = ["/private/tree", "/members/tree"]
    for depth in range(1, max_depth + 1):
        nxt = [c for n in level for c in range(fanout * n + 1, fanout * n + fanout + 1) if c < size]
        order += [node(size, fanout, c) for c in nxt]
        if depth == 1:
            order += extras
        elif depth == 2:
            order += [p + "/more" for p in extras]
        level = nxt
    return order


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def deep_config(strategy: DeepCrawlStrategy, **changes: Any) -> CrawlerRunConfig:
    return CrawlerRunConfig(deep_crawl_strategy=strategy, **changes)


def deep_run(
    crawler: WebCrawler,
    url: str,
    config: CrawlerRunConfig,
    dispatcher: SemaphoreDispatcher | None = None,
) -> list[CrawlResult]:
    """``run`` of a deep crawl: a list (``run`` is typed for the single-page crawl)."""
    results = crawler.run(url, config, dispatcher=dispatcher)
    assert isinstance(results, list)
    return results


@pytest.fixture(scope="module")
def crawler() -> Iterator[WebCrawler]:
    """One blocking crawler for the module (two drivers)."""
    with WebCrawler(BrowserConfig(max_drivers=2)) as one:
        yield one


def hits(site: DemoSite, since: int) -> collections.Counter[str]:
    """Requests per path since position ``since`` of the site's log (static files left out)."""
    return collections.Counter(p for _, p in site.requests[since:] if not p.startswith("/static/"))


# -- traversal ---------------------------------------------------------------------------


def test_bfs_walks_the_tree_in_discovery_order_once_per_page(
    crawler: WebCrawler, site: DemoSite
) -> None:
    """BFS to depth 2: every page once, in discovery order, with depth and parent; the
    root's other spellings of its children (#fragment, HTTP://, //host) are not re-crawled."""
    since = len(site.requests)
    start = site.url(node(40, 3, 0))
    results = deep_run(crawler, start, deep_config(BFSDeepCrawlStrategy(max_depth=2)))
    assert isinstance(results, list)
    expected = bfs_paths(40, 3, 2)
    assert [path_of(r.url) for r in results] == expected
    assert all(r.success and r.status_code == 200 for r in results)
    by_path = {path_of(r.url): r for r in results}
    assert by_path[node(40, 3, 0)].metadata["depth"] == 0
    assert by_path[node(40, 3, 0)].metadata["parent_url"] is None
    assert by_path[node(40, 3, 8)].metadata["depth"] == 2
    assert by_path[node(40, 3, 8)].metadata["parent_url"] == site.url(node(40, 3, 2))
    assert hits(site, since) == {path: 1 for path in expected}


async def test_async_stream_gives_the_same_order(site: DemoSite) -> None:
    """stream=True: an async iterator over the same results, as they come."""
    async with AsyncWebCrawler(BrowserConfig(max_drivers=2)) as crawler:
        # arun is typed for the single-page crawl; a streamed deep crawl is an async iterator.
        stream = cast(
            AsyncIterator[CrawlResult],
            await crawler.arun(
                site.url(node(30, 2, 0)),
                deep_config(BFSDeepCrawlStrategy(max_depth=2), stream=True),
            ),
        )
        paths = [path_of(r.url) async for r in stream]
    assert paths == bfs_paths(30, 2, 2)


def test_max_pages_is_exact(crawler: WebCrawler, site: DemoSite) -> None:
    """max_pages=7: exactly the first 7 pages in BFS order, and no other page requested."""
    since = len(site.requests)
    strategy = BFSDeepCrawlStrategy(max_depth=5, max_pages=7)
    results = deep_run(crawler, site.url(node(200, 4, 0)), deep_config(strategy))
    expected = bfs_paths(200, 4, 5)[:7]
    assert [path_of(r.url) for r in results] == expected
    assert hits(site, since) == {path: 1 for path in expected}


def test_filters_keep_the_crawl_inside_the_tree(crawler: WebCrawler, site: DemoSite) -> None:
    """A URLPatternFilter on /tree/ drops the root's /private/ and /members/ links."""
    chain = FilterChain([URLPatternFilter(["*/tree/*"])])
    results = deep_run(
        crawler,
        site.url(node(20, 3, 0)),
        deep_config(BFSDeepCrawlStrategy(max_depth=1, filter_chain=chain)),
    )
    assert [path_of(r.url) for r in results] == [node(20, 3, n) for n in range(4)]


def test_external_links_are_followed_only_when_asked(crawler: WebCrawler, site: DemoSite) -> None:
    """The root's link to localhost (another host) is followed with include_external=True."""
    start = site.url(node(4, 3, 0))
    inside = deep_run(crawler, start, deep_config(BFSDeepCrawlStrategy(max_depth=1)))
    assert not any("localhost" in r.url for r in inside)
    both = deep_run(
        crawler, start, deep_config(BFSDeepCrawlStrategy(max_depth=2, include_external=True))
    )
    external = [r for r in both if "localhost" in r.url]
    assert [path_of(r.url) for r in external] == ["/external/tree", "/external/tree/more"]
    assert all(r.success for r in external)
    assert external[1].metadata["parent_url"] == external[0].url


def test_bare_host_start_is_normalised(crawler: WebCrawler, site: DemoSite) -> None:
    """A start URL without a path is crawled as "/" (trailing slash on a bare host)."""
    (result,) = deep_run(crawler, site.base_url, deep_config(BFSDeepCrawlStrategy(max_depth=0)))
    assert result.url == site.base_url + "/" and result.success


def test_dfs_and_best_first_orders(crawler: WebCrawler, site: DemoSite) -> None:
    """One crawl at a time: DFS goes down the first branch first; best-first visits the
    links whose URL has the keyword first."""
    one = SemaphoreDispatcher(semaphore_count=1)
    start = site.url(node(13, 3, 0))
    chain = FilterChain([URLPatternFilter(["*/tree/*"])])
    dfs = deep_run(
        crawler,
        start,
        deep_config(DFSDeepCrawlStrategy(max_depth=2, filter_chain=chain)),
        dispatcher=one,
    )
    numbers = [int(path_of(r.url).rsplit("/", 1)[1].split("-")[0]) for r in dfs]
    assert numbers == [0, 1, 4, 5, 6, 2, 7, 8, 9, 3, 10, 11, 12]
    best = BestFirstCrawlingStrategy(
        max_depth=2, filter_chain=chain, url_scorer=KeywordRelevanceScorer(["gamma"])
    )
    ordered = deep_run(crawler, start, deep_config(best), dispatcher=one)
    words = [path_of(r.url).rsplit("-", 1)[1] for r in ordered]
    assert words[:3] == ["alpha", "gamma", "gamma"]  # the root, then pages 2 and 7
    assert ordered[1].metadata["score"] == 1.0 and ordered[-1].metadata["score"] == 0.0


def test_a_session_walks_the_site_in_one_window(crawler: WebCrawler, site: DemoSite) -> None:
    """With session_id every page loads in the session's one tab, one after another."""
    config = deep_config(
        BFSDeepCrawlStrategy(max_depth=1, filter_chain=FilterChain([URLPatternFilter("*/tree/*")])),
        session_id="deep-walk",
        js_code="window.name = (window.name ? window.name + ',' : '') + location.pathname;"
        " return window.name;",
    )
    try:
        results = deep_run(crawler, site.url(node(8, 3, 0)), config)
        assert {r.session_id for r in results} == {"deep-walk"}
        trail = results[-1].js_execution_result["results"][0].split(",")  # type: ignore[index]
        assert trail == [path_of(r.url) for r in results]
        assert crawler.sessions() == ["deep-walk"]
    finally:
        crawler.kill_session("deep-walk")


# -- robots.txt ---------------------------------------------------------------------------


def test_robots_txt_on_every_crawl_path(site: DemoSite, tmp_path: Path) -> None:
    """check_robots_txt: /private/ is refused (403, never requested) on arun, run_many and
    deep crawls; /members/ is allowed for our user agent's group; robots.txt is fetched
    once, and a second crawler finds it in the cache file."""
    since = len(site.requests)
    check = CrawlerRunConfig(check_robots_txt=True)
    with WebCrawler(BrowserConfig(max_drivers=1), base_directory=tmp_path) as crawler:
        blocked = crawler.run(site.url("/private/one"), check)
        assert (blocked.success, blocked.status_code) == (False, 403)
        assert blocked.error_message == "blocked by robots.txt"
        assert blocked.error_type == "robots"
        many = crawler.run_many([site.url("/private/two"), site.url("/members/two")], check)
        assert isinstance(many, list)
        assert [r.success for r in many] == [False, True]
        deep = deep_run(
            crawler,
            site.url(node(4, 3, 0)),
            deep_config(BFSDeepCrawlStrategy(max_depth=1), check_robots_txt=True),
        )
        refused = [r for r in deep if not r.success]
        assert [path_of(r.url) for r in refused] == ["/private/tree"]
        assert refused[0].status_code == 403 and refused[0].metadata["depth"] == 1
    with WebCrawler(BrowserConfig(max_drivers=1), base_directory=tmp_path) as again:
        assert again.run(site.url("/private/three"), check).status_code == 403
    other_config = BrowserConfig(max_drivers=1, user_agent="OtherBot/1.0")
    with WebCrawler(other_config, base_directory=tmp_path / "other") as other:
        assert other.run(site.url("/members/three"), check).status_code == 403
    seen = hits(site, since)
    assert not any(path.startswith("/private/") for path in seen)
    assert seen["/robots.txt"] == 2  # ours once (then cached in the file), OtherBot's (own file)


# -- dispatchers ----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["seconds", "date"])
def test_429_with_retry_after_is_waited_out(crawler: WebCrawler, site: DemoSite, form: str) -> None:
    """A 429 with Retry-After (seconds, or an HTTP-date) is retried after the wait, and the
    crawl ends with the page; only one browser fetch happens before the time is up."""
    key = f"k{uuid.uuid4().hex[:8]}"
    path = f"/ratelimit/{key}?seconds=2" + ("&date=1" if form == "date" else "")
    limiter = RateLimiter(base_delay=(0.0, 0.0), max_delay=10.0, max_retries=3)
    started = time.monotonic()
    (result,) = crawler.run_many(
        [site.url(path)], dispatcher=SemaphoreDispatcher(semaphore_count=2, rate_limiter=limiter)
    )
    assert result.success and result.status_code == 200, result.error_message
    times = site.times(f"/ratelimit/{key}")
    gets = [
        t
        for (method, p), t in zip(site.requests, site.times(), strict=True)
        if p.startswith(f"/ratelimit/{key}") and method == "GET"
    ]
    assert len(gets) == 2 and gets[1] - gets[0] >= 1.9
    assert len(times) == 3  # the two browser GETs and our HEAD for the header
    assert time.monotonic() - started >= 1.9


async def test_memory_dispatcher_holds_pages_back_until_memory_is_free(site: DemoSite) -> None:
    """Above the threshold no page starts; once memory falls below recovery they all run."""
    level = [97.0]
    checks = threading.Event()
    count = [0]

    def memory() -> float:
        count[0] += 1
        if count[0] >= 5:
            checks.set()
        return level[0]

    dispatcher = MemoryAdaptiveDispatcher(
        memory_threshold_percent=90.0, check_interval=0.05, memory_source=memory
    )
    urls = [site.url(f"/page/{n}?held={uuid.uuid4().hex[:6]}") for n in range(3)]
    async with AsyncWebCrawler(BrowserConfig(max_drivers=1)) as crawler:
        task = asyncio.ensure_future(crawler.arun_many(urls, dispatcher=dispatcher))
        assert await asyncio.to_thread(checks.wait, 30)
        assert not any(any(u.endswith(p) for u in urls) for _, p in site.requests)
        level[0] = 40.0
        results = await asyncio.wait_for(task, 60)
    assert [r.success for r in results] == [True] * 3  # type: ignore[union-attr]


# -- surviving a SIGKILL ---------------------------------------------------------------------

_RESUMABLE = """
import sys
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy

start, state = sys.argv[1], sys.argv[2]
strategy = BFSDeepCrawlStrategy(max_depth=3, state_path=state)
with WebCrawler(BrowserConfig(max_drivers=1)) as crawler:
    for result in crawler.run(start, CrawlerRunConfig(deep_crawl_strategy=strategy, stream=True)):
        print(result.url, result.success, flush=True)
print("done", flush=True)
"""


def _marked(mark: str) -> set[int]:
    return pids_with_env("SELENIUMCRAWL_DEEP_TEST", mark)


def _run(mark: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_RESUMABLE), *args],
        cwd=REPO,
        env={**os.environ, "SELENIUMCRAWL_DEEP_TEST": mark},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.timeout(240)
def test_sigkill_mid_crawl_then_resume_fetches_each_page_once(
    site: DemoSite, tmp_path: Path
) -> None:
    """A crawl killed with SIGKILL mid-way and started again with the same state_path
    delivers every page, fetches each finished page once across both runs, and fetches
    again only pages that were in flight at the kill (at most the crawls at once)."""
    mark = uuid.uuid4().hex
    state = str(tmp_path / "crawl.db")
    start = site.url(node(85, 4, 0) + "?ms=150")
    expected = {path_of(site.url(p)) for p in bfs_paths(85, 4, 3)}
    since = len(site.requests)
    first = _run(mark, start, state)
    lines: list[str] = []
    try:
        assert first.stdout is not None
        while len(lines) < 12:
            line = first.stdout.readline()
            assert line, first.stderr.read() if first.stderr else "no output"
            lines.append(line)
        first.send_signal(signal.SIGKILL)
        first.wait(30)
        # What it printed before it died. (Not communicate(): it reads the pipe directly and
        # would miss what readline() already buffered.)
        lines += first.stdout.read().splitlines()
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    delivered_first = [line.split()[0] for line in lines]
    fetched_first = hits(site, since)

    second = _run(mark, start, state)
    out, err = second.communicate(timeout=200)
    assert second.returncode == 0, err[-2000:]
    delivered_second = [line.split()[0] for line in out.splitlines() if line != "done"]

    all_paths = {path_of(u).split("?")[0] for u in delivered_first + delivered_second}
    assert all_paths == {p.split("?")[0] for p in expected}
    fetched = hits(site, since)
    pages = {p: n for p, n in fetched.items() if p.split("?")[0] in all_paths}
    again = {p for p, n in pages.items() if n > 1}
    assert all(n <= 2 for n in pages.values())
    assert len(again) <= 8, again  # in flight at the kill: 1 driver x 8 pages at once
    assert not {path_of(u) for u in delivered_first} & again
    assert all(fetched_first[p] == 1 for p in fetched_first if p in pages)
    repeated = set(delivered_first) & set(delivered_second)
    assert len(repeated) <= 1  # only the result being printed at the kill may come again
    deadline = time.monotonic() + 20
    while _marked(mark) and time.monotonic() < deadline:
        time.sleep(0.2)  # the reaper ends the killed script's browser; poll /proc for it
    assert not _marked(mark), "the killed crawl left processes behind"
    json.dumps(sorted(again))  # the pages fetched twice, for the report on failure
