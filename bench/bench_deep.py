"""Benchmark: a BFS deep crawl of a 1,000-page local site, and what ``state_path`` costs.

The demo site's tree (``/tree/1000/10/0-alpha``: every page links to ten children, its
parent and a fragment spelling of its first child) is crawled with
``BFSDeepCrawlStrategy(max_depth=10, max_pages=1000)`` through the default dispatcher.
Each crawl gets a fresh ``WebCrawler`` whose drivers are warmed (every page slot of
every driver filled once through ``run_many``) before the clock starts, so the figure
is the crawl, not the browsers' start-up.

Each round runs three crawls: one driver; two drivers; two drivers with ``state_path``
(a new SQLite file per crawl). The two-driver pair alternates its order from round to
round, and the cost of ``state_path`` is the median of the per-round time ratios
(with / without); the goal is <= 1.10.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import figure, median, paired_ratios, summary
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy
from seleniumcrawl.demo.site import DemoSite

STATE_GOAL = "<= 1.10"
FULL = {"rounds": 2, "pages": 1000, "fanout": 10}
QUICK = {"rounds": 1, "pages": 100, "fanout": 10}


def deep_crawl(site: DemoSite, drivers: int, pages: int, fanout: int, state: Path | None) -> float:
    """Seconds for a BFS crawl of ``pages`` pages on warm drivers (``state``: state_path)."""
    strategy = BFSDeepCrawlStrategy(max_depth=10, max_pages=pages, state_path=state)
    config = CrawlerRunConfig(deep_crawl_strategy=strategy)
    browser = BrowserConfig(max_drivers=drivers)
    with WebCrawler(browser) as crawler:
        # A second driver starts once the first has every page slot busy: fill them all.
        slots = drivers * (browser.max_pages_per_driver if browser.use_bidi else 1)
        warm = crawler.run_many([site.url(f"/slow?ms=300&warm={i}") for i in range(slots)])
        if crawler.crawler_strategy.pool.size != drivers or not all(r.success for r in warm):
            raise RuntimeError(f"the warm-up did not start {drivers} working drivers")
        started = time.perf_counter()
        # strategy.run: the deep crawl's typed entry point (crawler.run is typed for one page).
        results = strategy.run(site.url(f"/tree/{pages + 3}/{fanout}/0-alpha"), crawler, config)
        elapsed = time.perf_counter() - started
    if not isinstance(results, list):
        raise RuntimeError("a deep crawl without stream=True returns a list")
    failed = [r for r in results if not r.success]
    if len(results) != pages or failed:
        raise RuntimeError(
            f"deep crawl gave {len(results)} results for max_pages={pages}; failures: "
            + "; ".join(f"{r.url}: {r.error_message}" for r in failed[:3])
        )
    return elapsed


def run(quick: bool = False) -> dict[str, Any]:
    """Alternated rounds of (1 driver, 2 drivers, 2 drivers + state_path)."""
    p = QUICK if quick else FULL
    pages, fanout = p["pages"], p["fanout"]
    one: list[float] = []
    two: list[float] = []
    stateful: list[float] = []
    with DemoSite() as site, tempfile.TemporaryDirectory(prefix="bench-deep-") as tmp:
        for n in range(p["rounds"]):
            one.append(deep_crawl(site, 1, pages, fanout, None))
            state = Path(tmp) / f"round{n}.db"
            if n % 2 == 0:
                two.append(deep_crawl(site, 2, pages, fanout, None))
                stateful.append(deep_crawl(site, 2, pages, fanout, state))
            else:
                stateful.append(deep_crawl(site, 2, pages, fanout, state))
                two.append(deep_crawl(site, 2, pages, fanout, None))
            state_bytes = state.stat().st_size
    pps1 = [pages / s for s in one]
    pps2 = [pages / s for s in two]
    ratios = paired_ratios(stateful, two)
    return {
        "figures": {
            "bfs_pages_per_s_1_driver": figure(
                median(pps1),
                "pages/s",
                rounds=summary(pps1),
                note=f"BFS of a {pages}-page tree (fanout {fanout}), max_drivers=1, warm",
            ),
            "bfs_pages_per_s_2_drivers": figure(
                median(pps2),
                "pages/s",
                rounds=summary(pps2),
                note="the same crawl with max_drivers=2",
            ),
            "bfs_speedup_2_drivers": figure(
                median(paired_ratios(pps2, pps1)),
                "x",
                note="2 drivers / 1 driver, pages/s, median of per-round ratios (2 cores shared)",
            ),
            "state_path_ratio": figure(
                median(ratios),
                "x",
                STATE_GOAL,
                digits=3,
                per_round=[round(r, 3) for r in ratios],
                note="crawl time with state_path / without, 2 drivers, paired per round",
            ),
        },
        "params": {**p, "max_depth": 10, "state_file_bytes_last_round": state_bytes},
    }
