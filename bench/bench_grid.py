"""Benchmark: crawling through a local Selenium Grid against driving Chromium directly.

A standalone Grid (``tools.grid.GridServer``) on 127.0.0.1 drives the same
local Chromium, so the difference is the Grid's extra HTTP hop (client -> Grid ->
chromedriver) on every WebDriver command. Each round, alternated remote/local:

* **session start**: a fresh ``WebCrawler(BrowserConfig(remote_url=...))`` to its
  first result (the Grid creates a browser session: ``newSession`` through the
  Grid's queue and node), against the same with a local driver.
  The Grid's very first session (JVM still cold) is taken once before the rounds
  and reported on its own.
* **ms/page**: a 50-page crawl in one session on that warm driver.

Skipped, with the reason, when Java or the Grid jar (``make grid-jar``) is missing:
the benchmark never downloads anything.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from bench._util import alternate, figure, median, paired_ratios, skipped, summary
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

FULL = {"rounds": 3, "pages": 50}
QUICK = {"rounds": 1, "pages": 10}
_GRID_START_TIMEOUT_S = 180


def _jar() -> Path | None:
    """The Grid jar if already on disk (``$SELENIUMCRAWL_GRID_JAR`` or the build cache)."""
    from tools import grid

    override = os.environ.get(grid.ENV_JAR)
    if override:
        return Path(override) if Path(override).is_file() else None
    cached = grid.default_cache_dir() / f"selenium-server-{grid.GRID_VERSION}.jar"
    return cached if cached.is_file() and cached.stat().st_size > 0 else None


def _why_not() -> str | None:
    if shutil.which("java") is None:
        return "Java is not installed (the Selenium Grid needs Java 11+)"
    try:
        import tools.grid  # noqa: F401
    except ImportError as exc:
        return f"tools.grid is not importable: {exc}"
    if _jar() is None:
        return "the Selenium Grid jar is missing; run 'make grid-jar'"
    return None


def session_run(site: DemoSite, config: BrowserConfig, pages: int) -> dict[str, float]:
    """First crawl on a fresh driver (ms), then ms/page over ``pages`` crawls in its session."""
    run_config = CrawlerRunConfig(session_id="bench")
    started = time.perf_counter()
    with WebCrawler(config) as crawler:
        first = crawler.run(site.url("/page/9000"), run_config)
        first_ms = (time.perf_counter() - started) * 1000
        if not first.success:
            raise RuntimeError(f"first crawl failed: {first.error_message}")
        loop = time.perf_counter()
        for n in range(1, pages + 1):
            result = crawler.run(site.url(f"/page/{n}"), run_config)
            if not result.success:
                raise RuntimeError(f"crawl of {result.url} failed: {result.error_message}")
        per_page = (time.perf_counter() - loop) * 1000 / pages
    return {"first_ms": first_ms, "ms_per_page": per_page}


def run(quick: bool = False) -> dict[str, Any]:
    """Remote against local, alternated; skipped when the Grid cannot run here."""
    reason = _why_not()
    if reason is not None:
        return skipped(reason)
    from tools.grid import GridServer

    p = QUICK if quick else FULL
    with DemoSite() as site:
        grid = GridServer("standalone", jar=_jar())
        try:
            url = grid.start(timeout=_GRID_START_TIMEOUT_S)
            # The Grid's first session also warms up the JVM: reported, kept out of the medians.
            cold = session_run(site, BrowserConfig(remote_url=url), 1)
            remote, local = alternate(
                p["rounds"],
                lambda: session_run(site, BrowserConfig(remote_url=url), p["pages"]),
                lambda: session_run(site, BrowserConfig(), p["pages"]),
            )
        finally:
            grid.stop()
    remote_page = median(r["ms_per_page"] for r in remote)
    local_page = median(r["ms_per_page"] for r in local)
    ratios = paired_ratios([r["ms_per_page"] for r in remote], [r["ms_per_page"] for r in local])
    return {
        "figures": {
            "grid_startup_s": figure(
                grid.startup_seconds or 0.0,
                "s",
                note="java -jar ... standalone until /status ready",
            ),
            "remote_session_start_cold_ms": figure(
                cold["first_ms"], "ms", note="the first session of a just-started Grid (JVM cold)"
            ),
            "remote_session_start_ms": figure(
                median(r["first_ms"] for r in remote),
                "ms",
                rounds=summary([r["first_ms"] for r in remote]),
                note="fresh WebCrawler(remote_url=Grid) to its first result",
            ),
            "local_session_start_ms": figure(
                median(r["first_ms"] for r in local),
                "ms",
                rounds=summary([r["first_ms"] for r in local]),
                note="fresh local WebCrawler to its first result",
            ),
            "remote_ms_per_page": figure(
                remote_page,
                "ms/page",
                rounds=summary([r["ms_per_page"] for r in remote]),
                note=f"{p['pages']}-page crawl in one session through the Grid",
            ),
            "local_ms_per_page": figure(
                local_page,
                "ms/page",
                rounds=summary([r["ms_per_page"] for r in local]),
                note=f"{p['pages']}-page crawl in one session, local driver",
            ),
            "remote_to_local_ratio": figure(
                median(ratios),
                "x",
                digits=3,
                per_round=[round(r, 3) for r in ratios],
                note="remote ms/page / local ms/page, median of per-round ratios",
            ),
        },
        "params": p,
    }
