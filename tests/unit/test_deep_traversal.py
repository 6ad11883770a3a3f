"""Deep-crawl traversal on a fake site (no browser): order, limits, links, state and resume."""

from __future__ import annotations

import asyncio
import collections
import math
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.content.generation import DefaultMarkdownGenerator
from seleniumcrawl.deep_crawling import (
    BestFirstCrawlingStrategy,
    BFSDeepCrawlStrategy,
    DeepCrawlStrategy,
    DFSDeepCrawlStrategy,
    FilterChain,
    KeywordRelevanceScorer,
    URLPatternFilter,
)
from seleniumcrawl.deep_crawling.state import SqliteState
from seleniumcrawl.deep_crawling.traversal import DeepCrawl, Traversal, open_deep_crawl
from seleniumcrawl.dispatcher import Dispatcher
from seleniumcrawl.errors import StateInUseError
from seleniumcrawl.models import CrawlResult

ROOT = "http://site.test/"


def tree(size: int, fanout: int) -> dict[str, list[str]]:
    """A site shaped as a tree: page n links to its children, then back to its parent."""
    pages: dict[str, list[str]] = {}
    for n in range(size):
        children = [c for c in range(fanout * n + 1, fanout * n + fanout + 1) if c < size]
        parent = (n - 1) // fanout
        links = [f"/p{c}" for c in children] + ([f"/p{parent}" if parent else "/"] if n else [])
        pages[ROOT if n == 0 else f"http://site.test/p{n}"] = links
    return pages


class FakeSite:
    """``crawl(url, config)`` for a Dispatcher: answers from a link graph, records calls."""

    def __init__(
        self,
        pages: dict[str, list[str]],
        *,
        delay: Callable[[str], float] = lambda url: 0.0,
        failing: set[str] | None = None,
    ) -> None:
        self.pages = pages
        self.delay = delay
        self.failing = failing or set()
        self.calls: list[str] = []
        self.lock = threading.Lock()
        self.active = 0
        self.max_active = 0
        self.gate: dict[str, threading.Event] = {}

    def __call__(self, url: str, config: CrawlerRunConfig) -> CrawlResult:
        with self.lock:
            self.calls.append(url)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            if url in self.gate:
                self.gate[url].wait(10)
            time.sleep(self.delay(url))
            if url in self.failing or url not in self.pages:
                return CrawlResult.failure(url, "not found here", config.session_id)
            internal: list[dict[str, str]] = []
            external: list[dict[str, str]] = []
            for href in self.pages[url]:
                bucket = (
                    external if href.startswith("http") and "site.test" not in href else internal
                )
                bucket.append({"href": href, "text": ""})
            return CrawlResult(
                url=url,
                success=True,
                status_code=200,
                redirected_url=url,
                session_id=config.session_id,
                html=f"<p>{url}</p>",
                links={"internal": internal, "external": external},
            )
        finally:
            with self.lock:
                self.active -= 1

    def counts(self) -> collections.Counter[str]:
        with self.lock:
            return collections.Counter(self.calls)


def deep(
    site: FakeSite,
    strategy: DeepCrawlStrategy,
    *,
    concurrency: int = 4,
    start: str = ROOT,
    config: CrawlerRunConfig | None = None,
) -> DeepCrawl:
    config = (config or CrawlerRunConfig()).clone(deep_crawl_strategy=strategy)
    return open_deep_crawl(start, config, Dispatcher(site, concurrency=concurrency))


def reference_bfs(pages: dict[str, list[str]], max_depth: int) -> list[str]:
    """Textbook one-at-a-time BFS over the fake site (the order results must have)."""
    order, seen, queue = [], {ROOT}, collections.deque([(ROOT, 0)])
    while queue:
        url, depth = queue.popleft()
        order.append(url)
        if depth == max_depth:
            continue
        for href in pages.get(url, []):
            child = "http://site.test" + href if href.startswith("/") else href
            if child not in seen:
                seen.add(child)
                queue.append((child, depth + 1))
    return order


# -- order -------------------------------------------------------------------------------


def test_bfs_results_come_in_discovery_order_whatever_the_timing() -> None:
    """With 4 crawls at once and random durations, BFS gives a one-at-a-time BFS's order."""
    pages = tree(60, 3)
    rng = random.Random(7)
    durations = {url: rng.uniform(0, 0.02) for url in pages}
    site = FakeSite(pages, delay=lambda url: durations.get(url, 0.0))
    results = deep(site, BFSDeepCrawlStrategy(max_depth=3)).results()
    assert [r.url for r in results] == reference_bfs(pages, 3)
    assert site.max_active > 1
    assert all(r.success for r in results)
    assert max(site.counts().values()) == 1


def test_depth_and_parent_are_in_metadata() -> None:
    """Each result carries its depth and the page it was found on."""
    results = deep(FakeSite(tree(13, 3)), BFSDeepCrawlStrategy(max_depth=2)).results()
    meta = {r.url: (r.metadata["depth"], r.metadata["parent_url"]) for r in results}
    assert meta[ROOT] == (0, None)
    assert meta["http://site.test/p2"] == (1, ROOT)
    assert meta["http://site.test/p7"] == (2, "http://site.test/p2")
    assert max(d for d, _ in meta.values()) == 2 and len(results) == 13


def test_dfs_explores_a_branch_before_its_siblings() -> None:
    """One crawl at a time, DFS follows the first link down to max_depth first."""
    results = deep(FakeSite(tree(13, 3)), DFSDeepCrawlStrategy(max_depth=2), concurrency=1)
    paths = [r.url.removeprefix("http://site.test") for r in results.results()]
    expected = "/ /p1 /p4 /p5 /p6 /p2 /p7 /p8 /p9 /p3 /p10 /p11 /p12"
    assert paths == expected.split()


def test_best_first_crawls_higher_scores_first() -> None:
    """Best-first visits the links with the best keyword score first; scores in metadata."""
    pages = {
        ROOT: ["/a", "/python-docs", "/b", "/python"],
        "http://site.test/python": ["/python-docs/deep"],
        "http://site.test/python-docs": [],
        "http://site.test/a": [],
        "http://site.test/b": [],
        "http://site.test/python-docs/deep": [],
    }
    scorer = KeywordRelevanceScorer(["python", "docs"])
    strategy = BestFirstCrawlingStrategy(max_depth=2, url_scorer=scorer)
    results = deep(FakeSite(pages), strategy, concurrency=1).results()
    paths = [r.url.removeprefix("http://site.test") for r in results]
    assert paths == ["/", "/python-docs", "/python", "/python-docs/deep", "/a", "/b"]
    assert results[1].metadata["score"] == 1.0 and results[2].metadata["score"] == 0.5


def test_score_threshold_drops_low_scoring_links() -> None:
    """Links scoring below score_threshold are not followed (the start page always is)."""
    pages = {ROOT: ["/a", "/python"], "http://site.test/python": [], "http://site.test/a": []}
    strategy = BFSDeepCrawlStrategy(
        max_depth=1, url_scorer=KeywordRelevanceScorer(["python"]), score_threshold=0.5
    )
    results = deep(FakeSite(pages), strategy).results()
    assert [r.url for r in results] == [ROOT, "http://site.test/python"]


# -- limits --------------------------------------------------------------------------------


def test_max_pages_is_exact_and_nothing_more_is_fetched() -> None:
    """max_pages successful pages come back, and no page beyond them is crawled."""
    site = FakeSite(tree(200, 5), delay=lambda url: 0.005)
    results = deep(site, BFSDeepCrawlStrategy(max_depth=5, max_pages=17), concurrency=6).results()
    assert len(results) == 17 and all(r.success for r in results)
    assert len(site.calls) == 17
    assert [r.url for r in results] == reference_bfs(tree(200, 5), 5)[:17]


def test_failed_pages_do_not_count_towards_max_pages() -> None:
    """A failure is returned but frees its place: max_pages successes still come back."""
    failing = {"http://site.test/p2", "http://site.test/p5"}
    site = FakeSite(tree(50, 3), failing=failing)
    results = deep(site, BFSDeepCrawlStrategy(max_depth=4, max_pages=10)).results()
    assert sum(r.success for r in results) == 10
    assert {r.url for r in results if not r.success} == failing
    assert len(site.calls) == 12  # the failures' children were never found


def test_normalised_spellings_are_crawled_once() -> None:
    """Fragments, default ports, host case and a bare host lead to one crawl per page."""
    pages = {
        ROOT: ["/a#top", "HTTP://SITE.TEST:80/a", "http://site.test/a?", "//site.test/b#x", "/b"],
        "http://site.test/a": ["http://site.test", "/a#again"],
        "http://site.test/b": [],
    }
    site = FakeSite(pages)
    results = deep(site, BFSDeepCrawlStrategy(max_depth=3), start="http://Site.Test").results()
    assert [r.url for r in results] == [ROOT, "http://site.test/a", "http://site.test/b"]
    assert site.counts() == {ROOT: 1, "http://site.test/a": 1, "http://site.test/b": 1}


def test_external_links_only_with_include_external() -> None:
    """Links to other hosts are followed only with include_external=True."""
    pages = {
        ROOT: ["/a", "http://other.test/x"],
        "http://site.test/a": [],
        "http://other.test/x": [],
    }
    inside = deep(FakeSite(pages), BFSDeepCrawlStrategy(max_depth=1)).results()
    assert [r.url for r in inside] == [ROOT, "http://site.test/a"]
    both = deep(FakeSite(pages), BFSDeepCrawlStrategy(max_depth=1, include_external=True))
    assert [r.url for r in both.results()] == [ROOT, "http://site.test/a", "http://other.test/x"]


def test_filter_chain_applies_to_links_but_not_to_the_start_url() -> None:
    """A URLPatternFilter keeps only matching links; the start URL is never filtered."""
    chain = FilterChain([URLPatternFilter(["*/p1", "*/p4", "*/p1[345]"])])
    results = deep(FakeSite(tree(40, 3)), BFSDeepCrawlStrategy(max_depth=3, filter_chain=chain))
    urls = [r.url for r in results.results()]
    assert urls[0] == ROOT
    assert urls[1:] == [f"http://site.test/p{n}" for n in (1, 4, 13, 14, 15)]


def test_session_crawls_run_one_at_a_time() -> None:
    """With a session_id the pages are crawled one after another, in that session."""
    site = FakeSite(tree(20, 3), delay=lambda url: 0.002)
    config = CrawlerRunConfig(session_id="walk")
    results = deep(site, BFSDeepCrawlStrategy(max_depth=3), concurrency=4, config=config)
    got = results.results()
    assert site.max_active == 1 and len(got) == 20
    assert {r.session_id for r in got} == {"walk"}


def test_stream_yields_the_same_results_in_the_same_order() -> None:
    """stream() gives what results() gives, one at a time."""
    pages = tree(30, 2)
    streamed = [r.url for r in deep(FakeSite(pages), BFSDeepCrawlStrategy(max_depth=4)).stream()]
    assert streamed == reference_bfs(pages, 4)


async def test_async_stream_and_list() -> None:
    """aresults() and astream() give the BFS order without blocking the event loop."""
    pages = tree(25, 3)
    listed = await deep(FakeSite(pages), BFSDeepCrawlStrategy(max_depth=2)).aresults()
    streamed = [
        r.url async for r in deep(FakeSite(pages), BFSDeepCrawlStrategy(max_depth=2)).astream()
    ]
    assert [r.url for r in listed] == streamed == reference_bfs(pages, 2)


# -- Crawl4AI's state dicts ----------------------------------------------------------------


def test_on_state_change_gets_crawl4ai_state_after_each_page() -> None:
    """on_state_change receives Crawl4AI's dict (visited, pending, pages_crawled) per page."""
    states: list[dict[str, Any]] = []
    strategy = BFSDeepCrawlStrategy(max_depth=2, on_state_change=states.append)
    results = deep(FakeSite(tree(13, 3)), strategy, concurrency=1).results()
    assert len(states) == len(results) == 13
    assert states[0]["strategy_type"] == "bfs" and states[0]["pages_crawled"] == 1
    assert [p["url"] for p in states[0]["pending"]][:3] == [
        f"http://site.test/p{n}" for n in (1, 2, 3)
    ]
    assert states[-1]["pending"] == [] and states[-1]["pages_crawled"] == 13


async def test_async_on_state_change_is_awaited() -> None:
    """An async on_state_change is awaited once per page by the asyncio front end."""
    seen: list[int] = []

    async def save(state: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        seen.append(state["pages_crawled"])

    strategy = BFSDeepCrawlStrategy(max_depth=1, on_state_change=save)
    await deep(FakeSite(tree(4, 3)), strategy, concurrency=1).aresults()
    assert seen == [1, 2, 3, 4]


def test_resume_state_starts_from_a_crawl4ai_dict() -> None:
    """resume_state: visited pages are not crawled again, pending ones are crawled."""
    states: list[dict[str, Any]] = []
    first = BFSDeepCrawlStrategy(max_depth=2, max_pages=5, on_state_change=states.append)
    deep(FakeSite(tree(13, 3)), first, concurrency=1).results()
    site = FakeSite(tree(13, 3))
    again = BFSDeepCrawlStrategy(max_depth=2, resume_state=states[-1])
    rest = deep(site, again, concurrency=1).results()
    assert {r.url for r in rest} == set(reference_bfs(tree(13, 3), 2)[5:])
    assert max(site.counts().values()) == 1


# -- state_path: survival ------------------------------------------------------------------


def rows(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT url, state FROM pages").fetchall())


def test_state_file_resumes_after_an_early_stop(tmp_path: Path) -> None:
    """Stopping a streamed crawl and starting it again crawls every page once in all,
    except pages in flight at the stop, and hands out every result (the last one handed
    out before the stop once more: it counts as delivered when the next is asked for)."""
    pages = tree(40, 3)
    state = tmp_path / "crawl.db"
    site = FakeSite(pages, delay=lambda url: 0.01)
    first: list[str] = []
    stream = deep(site, BFSDeepCrawlStrategy(max_depth=5, state_path=state)).stream()
    for result in stream:
        first.append(result.url)
        if len(first) == 12:
            break
    stream.close()  # type: ignore[attr-defined]
    second = [
        r.url for r in deep(site, BFSDeepCrawlStrategy(max_depth=5, state_path=state)).stream()
    ]
    assert set(first) | set(second) == set(pages)
    # The result in hand when the stream was closed was not acknowledged: it comes again.
    assert set(first) & set(second) == {first[-1]}
    twice = [url for url, n in site.counts().items() if n > 1]
    assert len(twice) <= 4  # at most the crawls in flight at the stop (concurrency 4)
    assert not set(twice) & set(first)
    assert set(rows(state).values()) == {"delivered"}


def test_results_stored_but_not_delivered_are_handed_out_on_resume(tmp_path: Path) -> None:
    """A page finished but not yet handed out when the process died is not fetched again:
    its stored result comes out first when the crawl resumes."""
    state = tmp_path / "crawl.db"
    pages = tree(13, 3)
    strategy = BFSDeepCrawlStrategy(max_depth=2, state_path=state)
    config = CrawlerRunConfig(deep_crawl_strategy=strategy)
    site = FakeSite(pages)
    store = SqliteState(state)
    traversal = Traversal(strategy, ROOT, config, store=store)
    reserve: Callable[[Any], float] = lambda item: 0.0  # noqa: E731
    (root,) = traversal.take(reserve)  # type: ignore[misc]
    traversal.finish(root, site(root.url, config))
    (one,) = traversal.take(reserve)  # type: ignore[misc]
    (two,) = traversal.take(reserve)  # type: ignore[misc]
    page = site(two.url, config)
    page.cleaned_html = (
        "<main><h1>Page two</h1><p>" + "Words of the page two body. " * 20 + "</p></main>"
    )
    page.markdown = DefaultMarkdownGenerator().generate_markdown(page.cleaned_html, two.url)
    assert traversal.finish(two, page) == []  # waits for p1, started first
    store._conn.close()  # the process dies: no close(), no delivery recorded
    store._lock_file.close()
    assert rows(state)[two.url] == "fetched"

    site.calls.clear()
    again = deep(site, BFSDeepCrawlStrategy(max_depth=2, state_path=state)).results()
    urls = [r.url for r in again]
    assert urls[:2] == [ROOT, two.url]  # stored results first (the root was never delivered)
    stored = again[1].markdown
    assert stored is not None and "Page two" in stored.fit_markdown  # lazy attributes are back
    assert sorted(urls) == sorted(reference_bfs(pages, 2))
    assert two.url not in site.calls and ROOT not in site.calls
    assert site.counts()[one.url] == 1  # it was in flight: fetched again


def test_finished_crawl_on_its_state_file_does_nothing(tmp_path: Path) -> None:
    """Running a finished crawl again with its state_path crawls nothing and returns []."""
    state = tmp_path / "crawl.db"
    site = FakeSite(tree(10, 3))
    assert len(deep(site, BFSDeepCrawlStrategy(max_depth=3, state_path=state)).results()) == 10
    assert deep(site, BFSDeepCrawlStrategy(max_depth=3, state_path=state)).results() == []
    assert len(site.calls) == 10


def test_resumed_crawl_logs_done_and_remaining(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A resumed crawl says in the log how many pages were done and how many remain."""
    state = tmp_path / "crawl.db"
    site = FakeSite(tree(30, 3))
    deep(
        site, BFSDeepCrawlStrategy(max_depth=3, max_pages=8, state_path=state), concurrency=1
    ).results()
    with caplog.at_level("INFO", logger="seleniumcrawl.deep_crawling.traversal"):
        deep(site, BFSDeepCrawlStrategy(max_depth=3, state_path=state)).results()
    assert "8 pages done, 17 remain queued" in caplog.text


def test_state_file_of_another_crawl_is_refused(tmp_path: Path) -> None:
    """A state file started from another URL or strategy raises a clear ValueError."""
    state = tmp_path / "crawl.db"
    deep(FakeSite(tree(4, 3)), BFSDeepCrawlStrategy(max_depth=1, state_path=state)).results()
    with pytest.raises(ValueError, match=r"bfs crawl of http://site\.test/"):
        deep(FakeSite(tree(4, 3)), DFSDeepCrawlStrategy(max_depth=1, state_path=state))
    with pytest.raises(ValueError, match=r"not a bfs crawl of http://site\.test/p1"):
        deep(
            FakeSite(tree(4, 3)),
            BFSDeepCrawlStrategy(max_depth=1, state_path=state),
            start="http://site.test/p1",
        )


def test_second_crawl_on_a_state_file_in_use_is_refused(tmp_path: Path) -> None:
    """While one crawl holds the state file, another (here or in another process) gets
    StateInUseError naming the holder's pid; once it is closed, the file is free."""
    state = tmp_path / "crawl.db"
    held = SqliteState(state)
    with pytest.raises(StateInUseError, match=r"in use by another crawl \(pid \d+\)"):
        SqliteState(state)
    code = (
        "import sys\n"
        "from seleniumcrawl.deep_crawling.state import SqliteState\n"
        "from seleniumcrawl.errors import StateInUseError\n"
        "try:\n"
        f"    SqliteState({str(state)!r})\n"
        "except StateInUseError as exc:\n"
        "    print(exc); sys.exit(3)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert "in use by another crawl" in done.stdout
    held.close()
    SqliteState(state).close()


def test_strategy_parameters_are_validated() -> None:
    """Bad strategy parameters raise TypeError/ValueError naming the field."""
    with pytest.raises(ValueError, match="max_depth must be >= 0"):
        BFSDeepCrawlStrategy(max_depth=-1)
    with pytest.raises(TypeError, match="max_pages must be an int"):
        BFSDeepCrawlStrategy(max_depth=1, max_pages=2.5)
    with pytest.raises(TypeError, match="filter_chain must be a FilterChain"):
        BFSDeepCrawlStrategy(max_depth=1, filter_chain=[])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="resume_state or state_path"):
        BFSDeepCrawlStrategy(max_depth=1, resume_state={}, state_path="x.db")
    with pytest.raises(TypeError, match="unexpected keyword"):
        BFSDeepCrawlStrategy(max_depth=1, bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="http"):
        deep(FakeSite({}), BFSDeepCrawlStrategy(max_depth=1), start="file:///etc/hosts")
    assert BFSDeepCrawlStrategy(2).max_pages == math.inf
