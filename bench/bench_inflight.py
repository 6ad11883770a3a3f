"""Benchmark: pages in flight, i.e. what one browser does when it has many pages at once.

Every figure is taken on ONE driver (``max_drivers=1``) with the default
``max_pages_per_driver``; each side's browser is started and warmed before its
clock starts, so start-up (``core.first_crawl_ms``) is not in these numbers. Every
seleniumcrawl side checks that its crawls really went over the transport it is
named after (WebDriver BiDi or classic), and every crawl is checked.

* **local**: ``run_many`` over 80 CPU-bound local pages (``/page/N``, a 2-field
  schema) against a hand-written Selenium loop on the same 80 pages (one
  ``webdriver.Chrome`` with the same flags: ``get`` + ``page_source`` +
  ``BeautifulSoup(html, "lxml")`` + ``select``, bench_core's helper), and against a
  raw BiDi loop with ``max_pages_per_driver`` (8) windows at once doing the same parse
  (the lower bound). Pages/s each and the ratios. Goal: >= 1.0x.
* **slow**: 40 pages of one host that answer after 0.5 s (``/slow?ms=500&n=i``, no
  URL repeats), ``run_many`` over BiDi against the classic path (``use_bidi=False``)
  and a raw BiDi loop with as many windows at once as ``max_pages_per_driver`` (8).
  Goal: BiDi >= 9 pages/s (the ceiling is 12: Chromium opens at most 6 connections
  per host).
* **sessions**: 10 sessions opened first, then each crawls a 0.5 s page of one host
  at once (``asyncio.gather`` of ``arun`` with 10 ``session_id``s): wall seconds of
  that second crawl of each session. Goal: <= 1.3 s (floor 1.0 s: 6 connections per
  host). The classic path is reported beside it, and two lower bounds: a **raw BiDi**
  loop (one driver, 10 windows, ``browsingContext.navigate`` with ``wait=interactive`` +
  ``script.evaluate`` of ``outerHTML``, no framework) limited like us to
  ``max_pages_per_driver`` (8) pages at once, and the same raw loop with all 10 at once.
* **memory**: 20 isolated sessions (``session_isolation=True``: a BiDi user context
  each, on the one driver) against 20 shared sessions (tabs of one context), each
  with one ``/page/N`` loaded: the browsers' PSS (``bench._util.browser_memory``)
  and the ratio. Goal: <= 2.6x.

Each comparison is alternated over rounds (A, B, A, B, ...); figures are medians,
ratios medians of per-round ratios.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench._util import (
    alternate,
    browser_memory,
    figure,
    median,
    paired_ratios,
    recorded_commands,
    rotate,
    summary,
)
from bench.bench_core import (
    ITEMS_PER_PAGE,
    SCHEMA,
    RawBidi,
    check_transport,
    parse_products,
    selenium_driver,
    selenium_page,
)
from seleniumcrawl import (
    AsyncWebCrawler,
    BrowserConfig,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    WebCrawler,
)
from seleniumcrawl.demo.site import DemoSite
from seleniumcrawl.models import CrawlResult

LOCAL_GOAL = ">= 1.0"
SLOW_GOAL = ">= 9"
SESSIONS_GOAL = "<= 1.3"
MEMORY_GOAL = "<= 2.6"
SLOW_MS = 500
#: First /page/N of the warm-up pages, never among the timed ones (the site has 1..10000).
WARM_UP = 9_900

FULL = {
    "local_rounds": 3,
    "local_pages": 80,
    "slow_rounds": 3,
    "slow_pages": 40,
    "session_rounds": 3,
    "sessions": 10,
    "memory_rounds": 2,
    "memory_sessions": 20,
}
QUICK = {
    "local_rounds": 1,
    "local_pages": 20,
    "slow_rounds": 1,
    "slow_pages": 16,
    "session_rounds": 1,
    "sessions": 10,
    "memory_rounds": 1,
    "memory_sessions": 6,
}


def _browser(bidi: bool) -> BrowserConfig:
    return BrowserConfig(max_drivers=1, use_bidi=bidi)


def _check_all(results: Sequence[CrawlResult], expected: int, *, products: bool) -> None:
    """A benchmark of failing crawls measures nothing: stop loudly instead."""
    failed = [r for r in results if not r.success]
    if failed or len(results) != expected:
        raise RuntimeError(
            f"{len(results)} results for {expected} crawls, failures: "
            + "; ".join(f"{r.url}: {r.error_message}" for r in failed[:3])
        )
    if products:
        for r in results:
            items = json.loads(r.extracted_content or "[]")
            if len(items) != ITEMS_PER_PAGE:
                raise RuntimeError(f"crawl of {r.url} extracted {items!r}")


def _warm(crawler: WebCrawler, site: DemoSite, bidi: bool) -> None:
    """Start the driver and open its tabs (one per page slot over BiDi), checking the transport."""
    slots = crawler.config.max_pages_per_driver if bidi else 1
    urls = [site.url(f"/page/{WARM_UP + i}") for i in range(slots)]
    with recorded_commands() as log:
        results = crawler.run_many(urls, CrawlerRunConfig())
    _check_all(list(results), slots, products=False)
    check_transport(log, bidi)


def _many_pages_per_s(site: DemoSite, urls: list[str], bidi: bool, schema: bool) -> float:
    """Pages/s of one ``run_many(urls)`` call on one warm driver."""
    config = CrawlerRunConfig(
        extraction_strategy=JsonCssExtractionStrategy(SCHEMA) if schema else None
    )
    with WebCrawler(_browser(bidi)) as crawler:
        _warm(crawler, site, bidi)
        started = time.perf_counter()
        results = crawler.run_many(urls, config)
        elapsed = time.perf_counter() - started
        _check_all(list(results), len(urls), products=schema)
    return len(urls) / elapsed


def _selenium_pages_per_s(site: DemoSite, urls: list[str]) -> float:
    """Pages/s of the hand-written loop (one warm ``webdriver.Chrome``)."""
    driver = selenium_driver()
    try:
        selenium_page(driver, site.url(f"/page/{WARM_UP}"))
        started = time.perf_counter()
        for url in urls:
            selenium_page(driver, url)
        return len(urls) / (time.perf_counter() - started)
    finally:
        driver.quit()


# -- 1. CPU-bound local pages ------------------------------------------------------------------


def local_pages(site: DemoSite, p: dict[str, int]) -> dict[str, list[float]]:
    """run_many (BiDi, 1 driver) against the hand-written loop; same pages in a round."""
    n = p["local_pages"]
    offsets = iter(range(0, 1_000 * n, n))
    page_sets: list[list[str]] = []

    def next_set() -> list[str]:
        start = next(offsets)
        page_sets.append([site.url(f"/page/{start + i + 1}") for i in range(n)])
        return page_sets[-1]

    slots = BrowserConfig().max_pages_per_driver
    sides = rotate(
        p["local_rounds"],
        {
            "seleniumcrawl": lambda: _many_pages_per_s(site, next_set(), bidi=True, schema=True),
            "selenium": lambda: _selenium_pages_per_s(site, page_sets[-1]),
            "raw": lambda: _raw_pages_per_s(site, page_sets[-1], slots, _products),
        },
    )
    sc, se = sides["seleniumcrawl"], sides["selenium"]
    return {
        **sides,
        "ratios": paired_ratios(sc, se),
        "raw_ratios": paired_ratios(sides["raw"], se),
    }


def _products(url: str, html: str) -> bool:
    parse_products(html, url)  # raises unless the page's three products are there
    return True


# -- 2. pages that answer after 0.5 s ----------------------------------------------------------


def _slow_urls(site: DemoSite, count: int, first: int) -> list[str]:
    # ``n`` is ignored by the server: it only makes every URL distinct.
    return [site.url(f"/slow?ms={SLOW_MS}&n={first + i}") for i in range(count)]


def _warm_windows(raw: RawBidi, site: DemoSite, count: int) -> list[str]:
    """``count`` new windows of the raw driver (``window`` contexts, as seleniumcrawl opens
    them), each holding a warm-up page before any clock starts."""
    windows = [
        str(raw.bidi.call("browsingContext.create", {"type": "window"}, 60)["context"])
        for _ in range(count)
    ]
    for i, window in enumerate(windows):
        raw.page(site.url(f"/page/{WARM_UP + i}"), context=window)
    return windows


def _slow_page(url: str, html: str) -> bool:
    return "Answered after" in html


def _raw_pages_per_s(
    site: DemoSite, urls: list[str], slots: int, check: Callable[[str, str], bool]
) -> float:
    """The lower bound: pages/s of a raw BiDi loop over ``urls``, ``slots`` windows at once,
    each window's thread taking the next URL; ``check(url, html)`` vets every page."""
    raw = RawBidi()
    try:
        windows = _warm_windows(raw, site, slots)
        todo = iter(urls)
        lock = threading.Lock()

        def worker(window: str) -> int:
            done = 0
            while True:
                with lock:
                    url = next(todo, None)
                if url is None:
                    return done
                if not check(url, raw.html(url, window)):
                    raise RuntimeError(f"a raw BiDi crawl of {url} got the wrong page")
                done += 1

        with ThreadPoolExecutor(max_workers=slots) as pool:
            started = time.perf_counter()
            crawled = sum(pool.map(worker, windows))
            elapsed = time.perf_counter() - started
        if crawled != len(urls):
            raise RuntimeError(f"the raw BiDi loop crawled {crawled} of {len(urls)} pages")
        return len(urls) / elapsed
    finally:
        raw.close()


def slow_pages(site: DemoSite, p: dict[str, int]) -> dict[str, list[float]]:
    """run_many of 0.5 s pages of one host, BiDi against classic and against the raw BiDi
    lower bound (as many pages at once as ``max_pages_per_driver``), on one driver."""
    n = p["slow_pages"]
    slots = BrowserConfig().max_pages_per_driver
    offsets = iter(range(0, 1_000_000, n))
    sides = rotate(
        p["slow_rounds"],
        {
            "bidi": lambda: _many_pages_per_s(
                site, _slow_urls(site, n, next(offsets)), True, False
            ),
            "classic": lambda: _many_pages_per_s(
                site, _slow_urls(site, n, next(offsets)), False, False
            ),
            "raw": lambda: _raw_pages_per_s(
                site, _slow_urls(site, n, next(offsets)), slots, _slow_page
            ),
        },
    )
    return {**sides, "ratios": paired_ratios(sides["bidi"], sides["classic"])}


# -- 3. sessions at once -----------------------------------------------------------------------


async def _sessions_at_once(site: DemoSite, sessions: int, first: int, bidi: bool) -> float:
    """Open ``sessions`` sessions, then time one 0.5 s crawl in each, all at once."""
    configs = [CrawlerRunConfig(session_id=f"s{i}") for i in range(sessions)]
    async with AsyncWebCrawler(_browser(bidi)) as crawler:
        with recorded_commands() as log:
            opened = await asyncio.gather(
                *(
                    crawler.arun(site.url(f"/page/{WARM_UP + i}"), config)
                    for i, config in enumerate(configs)
                )
            )
        _check_all(opened, sessions, products=False)
        check_transport(log, bidi)
        urls = _slow_urls(site, sessions, first)
        started = time.perf_counter()
        results = await asyncio.gather(
            *(crawler.arun(url, config) for url, config in zip(urls, configs, strict=True))
        )
        elapsed = time.perf_counter() - started
        _check_all(results, sessions, products=False)
        if len(crawler.sessions()) != sessions:
            raise RuntimeError(f"expected {sessions} sessions, got {crawler.sessions()}")
    return elapsed


def _raw_sessions_at_once(site: DemoSite, sessions: int, first: int, slots: int) -> float:
    """The lower bound: ``sessions`` windows of one raw BiDi driver, ``slots`` pages at once."""
    raw = RawBidi()
    try:
        windows = _warm_windows(raw, site, sessions)
        gate = threading.Semaphore(slots)

        def crawl(url: str, window: str) -> str:
            with gate:
                return raw.html(url, window)

        urls = _slow_urls(site, sessions, first)
        with ThreadPoolExecutor(max_workers=sessions) as pool:
            started = time.perf_counter()
            pages = list(pool.map(crawl, urls, windows))
            elapsed = time.perf_counter() - started
        if not all("Answered after" in page for page in pages):
            raise RuntimeError("a raw BiDi crawl of a slow page got the wrong page")
        return elapsed
    finally:
        raw.close()


def sessions_at_once(site: DemoSite, p: dict[str, int]) -> dict[str, list[float]]:
    """BiDi against classic and the raw BiDi lower bounds: wall seconds of one crawl in
    each of the sessions at once."""
    n = p["sessions"]
    slots = BrowserConfig().max_pages_per_driver
    offsets = iter(range(2_000_000, 3_000_000, n))
    return rotate(
        p["session_rounds"],
        {
            "bidi": lambda: asyncio.run(_sessions_at_once(site, n, next(offsets), bidi=True)),
            "classic": lambda: asyncio.run(_sessions_at_once(site, n, next(offsets), bidi=False)),
            "raw": lambda: _raw_sessions_at_once(site, n, next(offsets), slots),
            "raw_all": lambda: _raw_sessions_at_once(site, n, next(offsets), n),
        },
    )


# -- 4. isolated sessions' memory --------------------------------------------------------------


def sessions_memory(site: DemoSite, sessions: int, isolated: bool) -> dict[str, Any]:
    """Browsers' memory once ``sessions`` sessions on ONE BiDi driver each hold a page."""
    with WebCrawler(_browser(True)) as crawler:
        urls = [site.url(f"/page/{i + 1}") for i in range(sessions)]
        configs = [
            CrawlerRunConfig(session_id=f"m{i}", session_isolation=isolated)
            for i in range(sessions)
        ]
        # Several at once, as a user would open them (a list of configs given to
        # run_many is matched by URL, not by position, so it cannot name the sessions).
        slots = crawler.config.max_pages_per_driver
        with recorded_commands() as log, ThreadPoolExecutor(max_workers=slots) as pool:
            results = list(pool.map(crawler.run, urls, configs))
        _check_all(results, sessions, products=False)
        check_transport(log, True)
        if len(crawler.sessions()) != sessions:
            raise RuntimeError(f"expected {sessions} live sessions, got {crawler.sessions()}")
        contexts = sum(1 for name, _ in log if name == "bidi:browser.createUserContext")
        if contexts != (sessions if isolated else 0):
            raise RuntimeError(f"{contexts} user contexts created for {sessions} sessions")
        memory = browser_memory()
        if memory["drivers"] != 1:
            raise RuntimeError(f"expected one driver, found {memory['drivers']}")
        return memory


def isolation_memory(site: DemoSite, p: dict[str, int]) -> dict[str, Any]:
    """Shared-context tabs against user contexts, alternated; browsers' MB and the ratio."""
    n = p["memory_sessions"]
    shared, isolated = alternate(
        p["memory_rounds"],
        lambda: sessions_memory(site, n, isolated=False),
        lambda: sessions_memory(site, n, isolated=True),
    )
    shared_mb = [s["browsers_mb"] for s in shared]
    isolated_mb = [s["browsers_mb"] for s in isolated]
    return {
        "shared": shared,
        "isolated": isolated,
        "shared_mb": shared_mb,
        "isolated_mb": isolated_mb,
        "ratios": paired_ratios(isolated_mb, shared_mb),
    }


# -- entry point -------------------------------------------------------------------------------


def run(quick: bool = False) -> dict[str, Any]:
    """The four comparisons, in one run; figures as in ``bench._util.figure``."""
    p = QUICK if quick else FULL
    with DemoSite() as site:
        local = local_pages(site, p)
        slow = slow_pages(site, p)
        sessions = sessions_at_once(site, p)
        memory = isolation_memory(site, p)
    lp, sp, sn, mn = p["local_pages"], p["slow_pages"], p["sessions"], p["memory_sessions"]
    method = memory["shared"][0]["method"]
    return {
        "figures": {
            "local_pages_per_s": figure(
                median(local["seleniumcrawl"]),
                "pages/s",
                rounds=summary(local["seleniumcrawl"]),
                note=f"run_many over {lp} x /page/N, 2-field schema, 1 driver, BiDi",
            ),
            "local_selenium_pages_per_s": figure(
                median(local["selenium"]),
                "pages/s",
                rounds=summary(local["selenium"]),
                note="same pages, hand-written: get + page_source + BeautifulSoup(lxml) + select",
            ),
            "local_raw_pages_per_s": figure(
                median(local["raw"]),
                "pages/s",
                rounds=summary(local["raw"]),
                note="the lower bound: same pages, raw BiDi loop (navigate wait=interactive + "
                "script.evaluate + BeautifulSoup(lxml) + select), "
                f"{BrowserConfig().max_pages_per_driver} windows at once",
            ),
            "local_raw_ratio": figure(
                median(local["raw_ratios"]),
                "x",
                digits=3,
                per_round=[round(r, 3) for r in local["raw_ratios"]],
                note="raw BiDi loop pages/s / hand-written pages/s: the ratio the transport "
                "itself reaches",
            ),
            "local_ratio": figure(
                median(local["ratios"]),
                "x",
                LOCAL_GOAL,
                digits=3,
                per_round=[round(r, 3) for r in local["ratios"]],
                note="run_many pages/s / hand-written pages/s, median of per-round ratios",
            ),
            "slow_pages_per_s": figure(
                median(slow["bidi"]),
                "pages/s",
                SLOW_GOAL,
                rounds=summary(slow["bidi"]),
                note=f"run_many over {sp} x /slow?ms={SLOW_MS} of one host, 1 driver, BiDi "
                "(ceiling 12: 6 connections per host)",
            ),
            "slow_raw_pages_per_s": figure(
                median(slow["raw"]),
                "pages/s",
                rounds=summary(slow["raw"]),
                note="the lower bound: same pages, raw BiDi loop (navigate wait=interactive + "
                f"script.evaluate), {BrowserConfig().max_pages_per_driver} windows at once",
            ),
            "slow_classic_pages_per_s": figure(
                median(slow["classic"]),
                "pages/s",
                rounds=summary(slow["classic"]),
                note="same, use_bidi=False (one page at a time per driver)",
            ),
            "slow_bidi_to_classic": figure(
                median(slow["ratios"]),
                "x",
                per_round=[round(r, 2) for r in slow["ratios"]],
                note="BiDi pages/s / classic pages/s, median of per-round ratios",
            ),
            "sessions_at_once_s": figure(
                median(sessions["bidi"]),
                "s",
                SESSIONS_GOAL,
                digits=3,
                rounds=summary(sessions["bidi"], 3),
                note=f"{sn} open sessions each crawl a {SLOW_MS} ms page at once "
                "(asyncio.gather of arun), 1 driver, BiDi; floor 1.0 s",
            ),
            "sessions_at_once_raw_s": figure(
                median(sessions["raw"]),
                "s",
                digits=3,
                rounds=summary(sessions["raw"], 3),
                note=f"the lower bound: raw BiDi loop, {sn} windows of one driver, at most "
                f"{BrowserConfig().max_pages_per_driver} (max_pages_per_driver's default) "
                "pages at once",
            ),
            "sessions_at_once_raw_all_s": figure(
                median(sessions["raw_all"]),
                "s",
                digits=3,
                rounds=summary(sessions["raw_all"], 3),
                note=f"same raw loop with all {sn} pages at once (no page limit)",
            ),
            "sessions_at_once_classic_s": figure(
                median(sessions["classic"]),
                "s",
                digits=3,
                rounds=summary(sessions["classic"], 3),
                note="same, use_bidi=False",
            ),
            "shared_sessions_mb": figure(
                median(memory["shared_mb"]),
                "MB",
                rounds=summary(memory["shared_mb"], 1),
                samples=memory["shared"],
                note=f"{mn} sessions as tabs of one context, 1 driver ({method})",
            ),
            "isolated_sessions_mb": figure(
                median(memory["isolated_mb"]),
                "MB",
                rounds=summary(memory["isolated_mb"], 1),
                samples=memory["isolated"],
                note=f"{mn} isolated sessions, a BiDi user context each, 1 driver ({method})",
            ),
            "isolated_to_shared_ratio": figure(
                median(memory["ratios"]),
                "x",
                MEMORY_GOAL,
                digits=3,
                per_round=[round(r, 3) for r in memory["ratios"]],
                note="isolated MB / shared MB, median of per-round ratios",
            ),
        },
        "params": {**p, "slow_ms": SLOW_MS, "max_drivers": 1, "warm_drivers": True},
    }
