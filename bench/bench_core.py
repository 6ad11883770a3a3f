"""Benchmark: the core's cost against hand-written Selenium, and what sessions save.

Three comparisons against the demo site (``/page/N``: three ``.product`` items each),
every one alternated A/B/A/B in one process and reported as medians:

* **first crawl**: ``WebCrawler()`` construction to the first result (browser start
  included), beside the same for hand-written Selenium (``webdriver.Chrome`` to the
  first parsed page).
* **overhead**: 60 pages in ONE session with a 2-field ``JsonCssExtractionStrategy``
  over WebDriver BiDi (the default transport; checked, not assumed), against the same
  work hand-written: one ``webdriver.Chrome`` with the same flags
  (``chromium_args(BrowserConfig())``), ``driver.get``, ``page_source``,
  ``BeautifulSoup(..., "lxml")`` and ``select``. Goal: ratio <= 1.05. Two more sides
  run in the same rotation: a **raw BiDi loop** (the lower bound: our
  :class:`~seleniumcrawl.browser.bidi.BidiConnection` to the same kind of driver's
  ``webSocketUrl``, ``browsingContext.navigate`` with ``wait=interactive`` (the
  readiness seleniumcrawl's default ``wait_until="domcontentloaded"`` asks for),
  ``script.evaluate`` of ``outerHTML``, the same parse) and seleniumcrawl on the
  **classic** path (``use_bidi=False``). Every side starts its browser and loads one
  warm-up page before the clock starts, so only per-page work is compared.
* **session reuse**: a 50-page crawl in one session (crawler construction to
  ``close()``, i.e. start-up amortised) against a fresh ``WebCrawler`` per page
  (construct, crawl, close). Goal: the session >= 8x faster per page.

A profiling pass then records every WebDriver command of a few crawls on each side
(name and duration), so the report can say which round trips the core adds and how
much of a crawl is Python (thread hand-off, parsing, markdown) rather than browser.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from typing import Any

from bs4 import BeautifulSoup
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from bench._util import (
    alternate,
    command_list,
    describe_commands,
    figure,
    median,
    paired_ratios,
    per_crawl,
    recorded_commands,
    rotate,
    summary,
    used_bidi,
)
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, JsonCssExtractionStrategy, WebCrawler
from seleniumcrawl.browser.bidi import BidiConnection
from seleniumcrawl.browser.launch import chromium_args
from seleniumcrawl.demo.site import DemoSite
from seleniumcrawl.models import CrawlResult

CHROMEDRIVER = "/usr/bin/chromedriver"
SCHEMA: dict[str, Any] = {
    "name": "products",
    "baseSelector": ".product",
    "fields": [
        {"name": "name", "selector": ".name", "type": "text"},
        {"name": "price", "selector": ".price", "type": "text"},
    ],
}
ITEMS_PER_PAGE = 3
WARM_UP_PAGE = 9999  # never one of the timed pages

OVERHEAD_GOAL = "<= 1.05"
#: The raw loops' ``browsingContext.navigate`` readiness.
RAW_READINESS = "interactive"
#: Seconds a raw BiDi command may take before the benchmark gives up.
RAW_TIMEOUT = 60.0
SESSION_GOAL = ">= 8"

FULL = {
    "first_rounds": 5,
    "overhead_rounds": 5,
    "overhead_pages": 60,
    "reuse_rounds": 3,
    "session_pages": 50,
    "fresh_pages": 20,
    "profile_pages": 10,
}
QUICK = {
    "first_rounds": 1,
    "overhead_rounds": 1,
    "overhead_pages": 15,
    "reuse_rounds": 1,
    "session_pages": 10,
    "fresh_pages": 3,
    "profile_pages": 5,
}


def check_transport(log: list[tuple[str, float]], bidi: bool) -> None:
    """Stop when the crawls recorded in ``log`` did not use the transport a side is about."""
    if used_bidi(log) != bidi:
        raise RuntimeError(
            f"expected the {'BiDi' if bidi else 'classic'} transport, "
            f"but the crawl sent {sorted({name for name, _ in log})}"
        )


def _config(session_id: str | None) -> CrawlerRunConfig:
    return CrawlerRunConfig(
        session_id=session_id, extraction_strategy=JsonCssExtractionStrategy(SCHEMA)
    )


def _check(result: CrawlResult) -> None:
    """A benchmark of failing crawls measures nothing: stop loudly instead."""
    import json

    if not result.success:
        raise RuntimeError(f"crawl of {result.url} failed: {result.error_message}")
    items = json.loads(result.extracted_content or "[]")
    if len(items) != ITEMS_PER_PAGE or not all(i.get("name") and i.get("price") for i in items):
        raise RuntimeError(f"crawl of {result.url} extracted {items!r}")


# -- the hand-written Selenium side -------------------------------------------------------


class _HandWrittenChrome(webdriver.Chrome):
    """``webdriver.Chrome`` whose driver and browser keep their temporary files in a
    directory of their own (``TMPDIR``), removed at ``quit()``: a browser that chromedriver
    ends abruptly leaves its singleton directory behind, and the hand-written sides must
    not fill /tmp (the same arrangement seleniumcrawl makes for its own browsers)."""

    def __init__(self, options: Options) -> None:
        self.temp_dir = tempfile.mkdtemp(prefix="sc-bench-")
        service = Service(executable_path=CHROMEDRIVER, env={**os.environ, "TMPDIR": self.temp_dir})
        try:
            super().__init__(options=options, service=service)
        except BaseException:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            raise

    def quit(self) -> None:
        try:
            super().quit()
        finally:
            shutil.rmtree(self.temp_dir, ignore_errors=True)


def selenium_driver(bidi: bool = False) -> WebDriver:
    """``webdriver.Chrome`` with exactly the flags seleniumcrawl gives Chromium.

    ``bidi=True`` also asks for a WebDriver BiDi socket (``webSocketUrl``).
    """
    options = Options()
    options.enable_bidi = bidi
    for arg in chromium_args(BrowserConfig()):
        options.add_argument(arg)
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary:
        options.binary_location = binary
    options.accept_insecure_certs = True  # as BrowserConfig(ignore_https_errors=True)
    return _HandWrittenChrome(options)


def selenium_page(driver: WebDriver, url: str) -> list[dict[str, str]]:
    """What a hand-written crawler does per page: load, take the HTML, parse, select."""
    driver.get(url)
    return parse_products(driver.page_source, url)


def parse_products(html: str, url: str) -> list[dict[str, str]]:
    """The hand-written sides' parse: BeautifulSoup(lxml) and ``select``; checked."""
    soup = BeautifulSoup(html, "lxml")
    items = []
    for product in soup.select(".product"):
        name, price = product.select_one(".name"), product.select_one(".price")
        items.append(
            {
                "name": name.get_text(strip=True) if name else "",
                "price": price.get_text(strip=True) if price else "",
            }
        )
    if len(items) != ITEMS_PER_PAGE:
        raise RuntimeError(f"hand-written crawl of {url} found {items!r}")
    return items


# -- the raw BiDi side (the lower bound) ----------------------------------------------------


class RawBidi:
    """A hand-written crawler over WebDriver BiDi: one driver, its first tab, no framework."""

    def __init__(self) -> None:
        self.driver = selenium_driver(bidi=True)
        try:
            url = self.driver.capabilities.get("webSocketUrl")
            if not isinstance(url, str):
                raise RuntimeError("chromedriver offered no webSocketUrl")
            self.bidi = BidiConnection(url)
            tree = self.bidi.call("browsingContext.getTree", {"maxDepth": 0}, RAW_TIMEOUT)
            self.context = str(tree["contexts"][0]["context"])
        except BaseException:
            self.driver.quit()
            raise

    def page(self, url: str, context: str | None = None) -> list[dict[str, str]]:
        """Navigate (wait for ``interactive``), read ``outerHTML``, parse and select."""
        return parse_products(self.html(url, context), url)

    def html(self, url: str, context: str | None = None) -> str:
        """Navigate ``context`` (default: the first tab) to ``url`` and return its HTML."""
        target = context or self.context
        self.bidi.call(
            "browsingContext.navigate",
            # What seleniumcrawl's default wait_until ("domcontentloaded") waits for, so
            # the raw loop never waits longer than the crawls it bounds.
            {"context": target, "url": url, "wait": RAW_READINESS},
            RAW_TIMEOUT,
        )
        out = self.bidi.call(
            "script.evaluate",
            {
                "expression": "document.documentElement.outerHTML",
                "target": {"context": target},
                "awaitPromise": False,
            },
            RAW_TIMEOUT,
        )
        html = (out.get("result") or {}).get("value")
        if not isinstance(html, str):
            raise RuntimeError(f"raw BiDi crawl of {url}: no HTML in {out!r}")
        return html

    def close(self) -> None:
        """Close the socket, then quit the driver and its browser."""
        try:
            self.bidi.close()
        finally:
            self.driver.quit()


# -- (a) time to first crawl ---------------------------------------------------------------


def _first_crawl_sc(site: DemoSite) -> float:
    started = time.perf_counter()
    crawler = WebCrawler()
    try:
        result = crawler.run(site.url("/page/1"), _config(None))
        elapsed = time.perf_counter() - started
        _check(result)
    finally:
        crawler.close()
    return elapsed * 1000


def _first_crawl_selenium(site: DemoSite) -> float:
    started = time.perf_counter()
    driver = selenium_driver()
    try:
        selenium_page(driver, site.url("/page/1"))
        elapsed = time.perf_counter() - started
    finally:
        driver.quit()
    return elapsed * 1000


# -- (b) overhead in one session -------------------------------------------------------------


def _session_pages_sc(site: DemoSite, pages: int, bidi: bool = True) -> float:
    """ms per page for ``pages`` crawls in one warm session on the given transport."""
    with WebCrawler(BrowserConfig(use_bidi=bidi)) as crawler:
        config = _config("bench")
        with recorded_commands() as log:
            _check(crawler.run(site.url(f"/page/{WARM_UP_PAGE}"), config))
        check_transport(log, bidi)
        started = time.perf_counter()
        for n in range(1, pages + 1):
            _check(crawler.run(site.url(f"/page/{n}"), config))
        return (time.perf_counter() - started) * 1000 / pages


def _session_pages_selenium(site: DemoSite, pages: int) -> float:
    driver = selenium_driver()
    try:
        selenium_page(driver, site.url(f"/page/{WARM_UP_PAGE}"))
        started = time.perf_counter()
        for n in range(1, pages + 1):
            selenium_page(driver, site.url(f"/page/{n}"))
        return (time.perf_counter() - started) * 1000 / pages
    finally:
        driver.quit()


def _session_pages_raw_bidi(site: DemoSite, pages: int) -> float:
    raw = RawBidi()
    try:
        raw.page(site.url(f"/page/{WARM_UP_PAGE}"))
        started = time.perf_counter()
        for n in range(1, pages + 1):
            raw.page(site.url(f"/page/{n}"))
        return (time.perf_counter() - started) * 1000 / pages
    finally:
        raw.close()


# -- (c) session reuse -------------------------------------------------------------------------


def _one_session_sc(site: DemoSite, pages: int) -> dict[str, float]:
    """Construction to close() of a crawler that crawls ``pages`` pages in one session."""
    started = time.perf_counter()
    crawler = WebCrawler()
    try:
        config = _config("bench")
        loop_start = 0.0
        for n in range(1, pages + 1):
            if n == 2:
                loop_start = time.perf_counter()
            _check(crawler.run(site.url(f"/page/{n}"), config))
        warm = (time.perf_counter() - loop_start) * 1000 / max(pages - 1, 1)
    finally:
        crawler.close()
    return {"ms_per_page": (time.perf_counter() - started) * 1000 / pages, "warm": warm}


def _fresh_crawler_per_page(site: DemoSite, pages: int, offset: int) -> list[float]:
    """ms for each page crawled by its own crawler (construct, crawl, close)."""
    times = []
    for n in range(offset + 1, offset + pages + 1):
        started = time.perf_counter()
        crawler = WebCrawler()
        try:
            _check(crawler.run(site.url(f"/page/{n}"), _config(None)))
        finally:
            crawler.close()
        times.append((time.perf_counter() - started) * 1000)
    return times


# -- profiling -----------------------------------------------------------------------------------


def profile(site: DemoSite, pages: int) -> dict[str, Any]:
    """Where a crawl's time goes on each side, command by command (warm drivers)."""
    with WebCrawler(BrowserConfig(use_bidi=True)) as crawler:
        config = _config("profile")
        _check(crawler.run(site.url(f"/page/{WARM_UP_PAGE}"), config))

        def sc(n: int) -> dict[str, float]:
            result = crawler.run(site.url(f"/page/{n}"), config)
            _check(result)
            return dict(result.timings)

        sc_walls, sc_commands, sc_steps = per_crawl(sc, pages)
    driver = selenium_driver()
    try:
        selenium_page(driver, site.url(f"/page/{WARM_UP_PAGE}"))

        def hand(n: int) -> None:
            selenium_page(driver, site.url(f"/page/{n}"))

        se_walls, se_commands, _ = per_crawl(hand, pages)
        # The price of one WebDriver round trip that does nothing in the browser.
        with recorded_commands() as trips:
            for _ in range(20):
                driver.current_window_handle  # noqa: B018 - the round trip is the point
        round_trip = median(ms for _, ms in trips)
    finally:
        driver.quit()
    step_names = sorted({k for s in sc_steps for k in s})
    return {
        "pages": pages,
        "seleniumcrawl": {
            **describe_commands(sc_walls, sc_commands),
            "core_steps_median_ms": {
                k: round(median(s[k] for s in sc_steps if k in s), 2) for k in step_names
            },
        },
        "selenium_bs4": describe_commands(se_walls, se_commands),
        "empty_round_trip_ms": round(round_trip, 2),
    }


def _profile_notes(prof: dict[str, Any]) -> list[str]:
    sc, se = prof["seleniumcrawl"], prof["selenium_bs4"]
    extra = sc["commands_per_page"] - se["commands_per_page"]
    steps = sc["core_steps_median_ms"]
    return [
        f"per page: seleniumcrawl {sc['wall_ms_per_page']} ms "
        f"({sc['webdriver_ms_per_page']} ms in WebDriver commands, "
        f"{sc['outside_webdriver_ms_per_page']} ms outside them), hand-written "
        f"{se['wall_ms_per_page']} ms ({se['webdriver_ms_per_page']} ms / "
        f"{se['outside_webdriver_ms_per_page']} ms)",
        f"WebDriver commands per page: seleniumcrawl {sc['commands_per_page']} "
        f"({command_list(sc)}), "
        f"hand-written {se['commands_per_page']} "
        f"({command_list(se)}); "
        f"{extra:g} extra round trip(s), an empty round trip costs "
        f"{prof['empty_round_trip_ms']} ms",
        "core steps (result.timings, median ms): "
        + ", ".join(f"{k} {v}" for k, v in steps.items()),
    ]


# -- entry point -------------------------------------------------------------------------------


def run(quick: bool = False) -> dict[str, Any]:
    """All three comparisons plus the profile; figures as in ``bench/_util.figure``."""
    p = QUICK if quick else FULL
    with DemoSite() as site:
        first_sc, first_se = alternate(
            p["first_rounds"], lambda: _first_crawl_sc(site), lambda: _first_crawl_selenium(site)
        )
        pages = p["overhead_pages"]
        over = rotate(
            p["overhead_rounds"],
            {
                "bidi": lambda: _session_pages_sc(site, pages, bidi=True),
                "selenium": lambda: _session_pages_selenium(site, pages),
                "raw_bidi": lambda: _session_pages_raw_bidi(site, pages),
                "classic": lambda: _session_pages_sc(site, pages, bidi=False),
            },
        )
        over_sc, over_se = over["bidi"], over["selenium"]
        offsets = iter(range(0, 10_000, p["fresh_pages"]))
        sessions, fresh_rounds = alternate(
            p["reuse_rounds"],
            lambda: _one_session_sc(site, p["session_pages"]),
            lambda: _fresh_crawler_per_page(site, p["fresh_pages"], next(offsets)),
        )
        prof = profile(site, p["profile_pages"])

    ratios = paired_ratios(over_sc, over_se)
    raw_ratios = paired_ratios(over_sc, over["raw_bidi"])
    classic_ratios = paired_ratios(over_sc, over["classic"])
    classic_to_selenium = paired_ratios(over["classic"], over_se)
    # What the transport alone costs: a hand-written loop over BiDi against one over
    # classic WebDriver. overhead_ratio cannot go below it on the BiDi path.
    raw_to_selenium = paired_ratios(over["raw_bidi"], over_se)
    session_per_round = [s["ms_per_page"] for s in sessions]
    session_ms = median(session_per_round)
    fresh = [ms for r in fresh_rounds for ms in r]
    fresh_ms = median(fresh)
    speedups = paired_ratios([median(r) for r in fresh_rounds], session_per_round)
    return {
        "figures": {
            "first_crawl_ms": figure(
                median(first_sc),
                "ms",
                rounds=summary(first_sc),
                note="WebCrawler() to the first result, browser start included",
            ),
            "first_crawl_selenium_ms": figure(
                median(first_se),
                "ms",
                rounds=summary(first_se),
                note="hand-written: webdriver.Chrome() to the first parsed page",
            ),
            "session_ms_per_page": figure(
                median(over_sc),
                "ms/page",
                rounds=summary(over_sc),
                note=f"{p['overhead_pages']} pages, one warm session, 2-field schema, BiDi",
            ),
            "selenium_bs4_ms_per_page": figure(
                median(over_se),
                "ms/page",
                rounds=summary(over_se),
                note="same pages: driver.get + page_source + BeautifulSoup(lxml) + select",
            ),
            "overhead_ratio": figure(
                median(ratios),
                "x",
                OVERHEAD_GOAL,
                digits=3,
                per_round=[round(r, 3) for r in ratios],
                note="seleniumcrawl (BiDi) ms/page / hand-written ms/page, "
                "median of per-round ratios",
            ),
            "raw_bidi_ms_per_page": figure(
                median(over["raw_bidi"]),
                "ms/page",
                rounds=summary(over["raw_bidi"]),
                note="same pages, raw BiDi: browsingContext.navigate (wait=interactive) + "
                "script.evaluate(outerHTML) + BeautifulSoup(lxml) + select",
            ),
            "bidi_to_raw_bidi_ratio": figure(
                median(raw_ratios),
                "x",
                digits=3,
                per_round=[round(r, 3) for r in raw_ratios],
                note="seleniumcrawl (BiDi) ms/page / raw BiDi loop ms/page (the lower bound)",
            ),
            "raw_bidi_to_selenium_ratio": figure(
                median(raw_to_selenium),
                "x",
                digits=3,
                per_round=[round(r, 3) for r in raw_to_selenium],
                note="raw BiDi loop ms/page / hand-written (classic) ms/page: the BiDi "
                "transport's own cost, the floor under overhead_ratio",
            ),
            "classic_session_ms_per_page": figure(
                median(over["classic"]),
                "ms/page",
                rounds=summary(over["classic"]),
                note="same pages, seleniumcrawl with use_bidi=False (the classic path)",
            ),
            "bidi_to_classic_ratio": figure(
                median(classic_ratios),
                "x",
                digits=3,
                per_round=[round(r, 3) for r in classic_ratios],
                note="seleniumcrawl ms/page, BiDi / classic, median of per-round ratios",
            ),
            "classic_overhead_ratio": figure(
                median(classic_to_selenium),
                "x",
                digits=3,
                per_round=[round(r, 3) for r in classic_to_selenium],
                note="seleniumcrawl (classic) ms/page / hand-written ms/page",
            ),
            "one_session_ms_per_page": figure(
                session_ms,
                "ms/page",
                rounds=summary([s["ms_per_page"] for s in sessions]),
                warm_ms_per_page=summary([s["warm"] for s in sessions]),
                note=f"{p['session_pages']}-page crawl in one session, construction to close()",
            ),
            "new_driver_ms_per_page": figure(
                fresh_ms,
                "ms/page",
                pages=summary(fresh),
                note="a fresh WebCrawler per page: construct, crawl, close",
            ),
            "session_speedup": figure(
                median(speedups),
                "x",
                SESSION_GOAL,
                per_round=[round(r, 2) for r in speedups],
                note="new-driver ms/page / one-session ms/page, median of per-round ratios",
            ),
        },
        "profile": prof,
        "notes": _profile_notes(prof),
        "params": p,
    }
