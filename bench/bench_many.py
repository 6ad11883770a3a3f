"""Benchmark: ``run_many`` throughput with two drivers against one.

40 local URLs through ``WebCrawler.run_many`` with ``max_drivers=2`` and with
``max_drivers=1``, alternated over several rounds, in pages per second. Each browser
has one page in flight (``max_pages_per_driver=1``): this is the browser as the unit of
scale-out (what a Grid adds); what one browser does with many pages in flight is
``bench_inflight``'s.

Warm drivers: each round first crawls one page per driver (through ``run_many``,
so the pool starts every driver it will use) and only then starts the clock. The
figure is the steady-state throughput of the pool, not the browsers' start-up,
which ``bench_core``'s first-crawl figure measures.

Two kinds of pages:

* ``/slow?ms=200``: the server answers after 200 ms. In real crawling the wait for
  the network dominates, and that is what a second browser overlaps. The goal
  (>= 1.5x) applies here.
* ``/page/N``: answered at once, so the time is Chromium's and ours (CPU). On a
  2-core machine two browsers compete for the same cores; reported for information.
"""

from __future__ import annotations

import time
from typing import Any

from bench._util import (
    alternate,
    chromedriver_pids,
    command_list,
    cpu_seconds,
    describe_commands,
    figure,
    median,
    paired_ratios,
    per_crawl,
    summary,
)
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

SPEEDUP_GOAL = ">= 1.5"
SLOW_MS = 200
FULL = {"rounds": 3, "urls": 40, "profile_pages": 10}
QUICK = {"rounds": 1, "urls": 10, "profile_pages": 3}


def _urls(site: DemoSite, kind: str, count: int, offset: int) -> list[str]:
    if kind == "slow":
        # Distinct URLs (the extra parameter is ignored by the server): no page repeats.
        return [site.url(f"/slow?ms={SLOW_MS}&n={offset + i}") for i in range(count)]
    return [site.url(f"/page/{offset + i + 1}") for i in range(count)]


def _check(results: Any, expected: int) -> None:
    results = list(results)
    failed = [r for r in results if not r.success]
    if failed or len(results) != expected:
        raise RuntimeError(
            f"run_many gave {len(results)} results, failures: "
            + "; ".join(f"{r.url}: {r.error_message}" for r in failed[:3])
        )


def throughput(site: DemoSite, drivers: int, urls: list[str]) -> dict[str, float]:
    """Pages per second of ``run_many(urls)`` on a pool of ``drivers`` warm drivers."""
    with WebCrawler(BrowserConfig(max_drivers=drivers, max_pages_per_driver=1)) as crawler:
        warm = [site.url(f"/page/{9000 + i}") for i in range(drivers)]
        _check(crawler.run_many(warm, CrawlerRunConfig()), drivers)
        running = len(chromedriver_pids())
        started = time.perf_counter()
        results = crawler.run_many(urls, CrawlerRunConfig())
        elapsed = time.perf_counter() - started
        _check(results, len(urls))
    return {"pages_per_s": len(urls) / elapsed, "drivers_running": running}


def _compare(site: DemoSite, kind: str, p: dict[str, int]) -> dict[str, Any]:
    offsets = iter(range(0, 100_000, p["urls"]))
    two, one = alternate(
        p["rounds"],
        lambda: throughput(site, 2, _urls(site, kind, p["urls"], next(offsets))),
        lambda: throughput(site, 1, _urls(site, kind, p["urls"], next(offsets))),
    )
    if any(r["drivers_running"] != 2 for r in two):
        raise RuntimeError(f"the warm-up did not start two drivers: {two}")
    pps2 = [r["pages_per_s"] for r in two]
    pps1 = [r["pages_per_s"] for r in one]
    return {"two": pps2, "one": pps1, "speedups": paired_ratios(pps2, pps1)}


def window_profile(site: DemoSite, pages: int) -> dict[str, Any]:
    """WebDriver commands of a crawl without a session (a temporary tab) and in a session.

    ``run_many`` without ``session_id`` crawls each URL in a temporary tab, so the
    tab's opening and closing is part of every page's cost; this shows how much, in
    wall time and in CPU time (which is what two browsers on two cores compete for).
    """
    with WebCrawler(BrowserConfig(max_drivers=1)) as crawler:
        _check([crawler.run(site.url("/page/9000"))], 1)

        def temporary(n: int) -> None:
            _check([crawler.run(site.url(f"/page/{n}"))], 1)

        cpu = cpu_seconds()
        temp = describe_commands(*per_crawl(temporary, pages)[:2])
        temp["cpu_ms_per_page"] = round((cpu_seconds() - cpu) * 1000 / pages, 1)
        session = CrawlerRunConfig(session_id="profile")
        _check([crawler.run(site.url("/page/9001"), session)], 1)

        def in_session(n: int) -> None:
            _check([crawler.run(site.url(f"/page/{n}"), session)], 1)

        cpu = cpu_seconds()
        kept = describe_commands(*per_crawl(in_session, pages)[:2])
        kept["cpu_ms_per_page"] = round((cpu_seconds() - cpu) * 1000 / pages, 1)
    return {"pages": pages, "temporary_tab": temp, "session_tab": kept}


def _notes(prof: dict[str, Any]) -> list[str]:
    temp, kept = prof["temporary_tab"], prof["session_tab"]
    return [
        f"a crawl without session_id (what run_many does) takes {temp['wall_ms_per_page']} "
        f"ms/page on /page/N and {temp['cpu_ms_per_page']} ms of CPU "
        "(browsers, Python, demo server), "
        f"against {kept['wall_ms_per_page']} ms and {kept['cpu_ms_per_page']} ms CPU in a "
        f"session; commands per page: temporary tab {command_list(temp)}; "
        f"session {command_list(kept)}"
    ]


def run(quick: bool = False) -> dict[str, Any]:
    """Both page kinds, alternated rounds; the goal is on the network-bound kind."""
    p = QUICK if quick else FULL
    with DemoSite() as site:
        slow = _compare(site, "slow", p)
        fast = _compare(site, "page", p)
        prof = window_profile(site, p["profile_pages"])
    n = p["urls"]
    return {
        "figures": {
            "slow_pages_per_s_2_drivers": figure(
                median(slow["two"]),
                "pages/s",
                rounds=summary(slow["two"]),
                note=f"{n} x /slow?ms={SLOW_MS}, max_drivers=2, warm drivers",
            ),
            "slow_pages_per_s_1_driver": figure(
                median(slow["one"]),
                "pages/s",
                rounds=summary(slow["one"]),
                note=f"{n} x /slow?ms={SLOW_MS}, max_drivers=1, warm driver",
            ),
            "slow_speedup": figure(
                median(slow["speedups"]),
                "x",
                SPEEDUP_GOAL,
                per_round=[round(r, 2) for r in slow["speedups"]],
                note="2 drivers / 1 driver, pages/s, median of per-round ratios; network-bound",
            ),
            "page_pages_per_s_2_drivers": figure(
                median(fast["two"]),
                "pages/s",
                rounds=summary(fast["two"]),
                note=f"{n} x /page/N (instant answers: CPU-bound), max_drivers=2",
            ),
            "page_pages_per_s_1_driver": figure(
                median(fast["one"]),
                "pages/s",
                rounds=summary(fast["one"]),
                note=f"{n} x /page/N, max_drivers=1",
            ),
            "page_speedup": figure(
                median(fast["speedups"]),
                "x",
                per_round=[round(r, 2) for r in fast["speedups"]],
                note="2 drivers / 1 driver on CPU-bound pages (no goal: 2 cores shared)",
            ),
        },
        "profile": prof,
        "notes": _notes(prof),
        "params": {**p, "slow_ms": SLOW_MS, "warm_drivers": True},
    }
