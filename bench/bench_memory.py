"""Benchmark: what sessions cost in memory, and whether a long run leaks.

Memory is the browsers' total: the PSS (proportional set size, from
``/proc/PID/smaps_rollup``) of every process descending from the pool's
chromedriver processes, i.e. Chromium's browser, renderer, GPU, utility and zygote
processes. PSS splits each shared page among the processes that map it, so the
sum over Chromium's processes is what they really occupy together (RSS would count
the shared code once per process). chromedriver itself is reported apart
(``drivers_mb``). See :func:`bench._util.browser_memory`.

* **windows vs isolated**: 20 sessions as windows (tabs) on 2 drivers
  (``max_drivers=2``) against 20 isolated sessions (``session_isolation=True``,
  ``max_drivers=20``: a browser each), both on the classic path (``use_bidi=False``;
  over BiDi an isolated session is a user context on a shared browser, which
  ``bench_inflight`` measures), each session having loaded one ``/page/N``; alternated
  over rounds, medians.
* **soak**: 1,000 session crawls (10 sessions x 100 rounds over ``/page/N``, every
  crawl a new URL) on the default 2 drivers; memory after the first 100 crawls and
  after all 1,000. Goal: growth <= 10 % (a shrink is not a leak and passes).
  ``--quick`` runs 200.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

from bench._util import alternate, browser_memory, figure, median, slope, summary
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

GROWTH_GOAL = "<= 10"
FULL = {"rounds": 2, "sessions": 20, "soak_sessions": 10, "soak_rounds": 100}
QUICK = {"rounds": 1, "sessions": 6, "soak_sessions": 10, "soak_rounds": 20}
#: Crawls submitted at once: enough that both drivers always have work queued.
_PARALLEL = 4


def _crawl_all(crawler: WebCrawler, jobs: list[tuple[str, CrawlerRunConfig]]) -> None:
    """Run the crawls (several in flight, so every driver is busy); any failure stops us."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=_PARALLEL) as pool:
        results = list(pool.map(lambda job: crawler.run(*job), jobs))
    failed = [r for r in results if not r.success]
    if failed:
        raise RuntimeError(f"{len(failed)} crawls failed, e.g. {failed[0].error_message}")


def sessions_memory(site: DemoSite, sessions: int, isolated: bool) -> dict[str, Any]:
    """Browsers' memory once ``sessions`` sessions each hold a loaded page."""
    drivers = sessions if isolated else 2
    with WebCrawler(BrowserConfig(max_drivers=drivers, use_bidi=False)) as crawler:
        jobs = [
            (
                site.url(f"/page/{n + 1}"),
                CrawlerRunConfig(session_id=f"s{n}", session_isolation=isolated),
            )
            for n in range(sessions)
        ]
        _crawl_all(crawler, jobs)
        if len(crawler.sessions()) != sessions:
            raise RuntimeError(f"expected {sessions} live sessions, got {crawler.sessions()}")
        return browser_memory()


def soak(site: DemoSite, sessions: int, rounds: int) -> dict[str, Any]:
    """``sessions x rounds`` session crawls; memory sampled every 100 crawls."""
    samples: list[dict[str, Any]] = []
    with WebCrawler() as crawler:
        for r in range(rounds):
            _crawl_all(
                crawler,
                [
                    (
                        site.url(f"/page/{r * sessions + s + 1}"),
                        CrawlerRunConfig(session_id=f"soak{s}"),
                    )
                    for s in range(sessions)
                ],
            )
            if ((r + 1) * sessions) % 100 == 0:
                samples.append({"crawls": (r + 1) * sessions, **browser_memory()})
    return {"samples": samples}


def run(quick: bool = False) -> dict[str, Any]:
    """Windows against isolated sessions, then the soak."""
    p = QUICK if quick else FULL
    n = p["sessions"]
    with DemoSite() as site:
        windows, isolated = alternate(
            p["rounds"],
            lambda: sessions_memory(site, n, isolated=False),
            lambda: sessions_memory(site, n, isolated=True),
        )
        soaked = soak(site, p["soak_sessions"], p["soak_rounds"])
    win_mb = median(w["browsers_mb"] for w in windows)
    iso_mb = median(i["browsers_mb"] for i in isolated)
    samples = soaked["samples"]
    after_100 = next(s for s in samples if s["crawls"] >= 100)
    final = samples[-1]
    growth = (final["browsers_mb"] / after_100["browsers_mb"] - 1) * 100
    trend = slope([s["crawls"] for s in samples], [s["browsers_mb"] for s in samples]) * 100
    method = windows[0]["method"]
    return {
        "figures": {
            "windows_mb": figure(
                win_mb,
                "MB",
                rounds=summary([w["browsers_mb"] for w in windows]),
                samples=windows,
                note=f"{n} sessions as windows on 2 drivers ({method})",
            ),
            "isolated_mb": figure(
                iso_mb,
                "MB",
                rounds=summary([i["browsers_mb"] for i in isolated]),
                samples=isolated,
                note=f"{n} isolated sessions, a browser each ({method})",
            ),
            "windows_mb_per_session": figure(win_mb / n, "MB"),
            "isolated_mb_per_session": figure(iso_mb / n, "MB"),
            "isolated_to_windows_ratio": figure(iso_mb / win_mb, "x"),
            "soak_after_100_mb": figure(
                after_100["browsers_mb"], "MB", note="after the first 100 session crawls"
            ),
            "soak_final_mb": figure(
                final["browsers_mb"], "MB", note=f"after all {final['crawls']} session crawls"
            ),
            "soak_growth_pct": figure(
                growth,
                "%",
                GROWTH_GOAL,
                note="(final / after-100 - 1) x 100; a shrink passes",
            ),
            "soak_trend_mb_per_100_crawls": figure(
                trend, "MB", note="least-squares slope over every sample (one per 100 crawls)"
            ),
        },
        "soak_samples": samples,
        "params": {**p, "memory": method, "parallel_crawls": _PARALLEL},
    }
