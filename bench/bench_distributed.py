"""Benchmark: a deep crawl shared by worker processes through Redis (docs/distributed.md).

- Scaling: 1, 2 and 4 worker processes (each its own Chromium with one page at a time,
  ``max_pages_per_driver=1``, so the pages, not the CPU, bound the rate) crawl the demo
  tree's pages that answer after 0.5 s. Pages/s is measured on the site's own request
  log, from the first page fetched to the last (the browsers' start-up left out). The
  scaling figure is pages/s with 4 workers / (4 x pages/s with 1); goal >= 0.8.
- Redis commands per page (``INFO stats`` before and after: leases, commits, renewals).
- One worker, Redis vs SQLite: the same BFS crawl of fast local pages on one warm
  driver with ``state_url="redis://..."`` and with ``state_path``, alternated per round;
  the median of the per-round time ratios (Redis / SQLite), goal <= 1.10.

The machine is shared: the load average is recorded with each figure.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path
from typing import Any

from bench._util import figure, load_average, median, paired_ratios, skipped, summary
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy
from seleniumcrawl.demo.site import DemoSite
from tools import redis_server

_RUNS = itertools.count()
REPO = Path(__file__).resolve().parents[1]
SCALING_GOAL = ">= 0.8"
OVERHEAD_GOAL = "<= 1.10"
FULL = {"rounds": 2, "slow_pages": 80, "fast_pages": 200}
QUICK = {"rounds": 1, "slow_pages": 32, "fast_pages": 60}

_WORKER = """
import sys
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy

start, url, crawl_id, pages = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
strategy = BFSDeepCrawlStrategy(max_depth=10, max_pages=pages, state_url=url, crawl_id=crawl_id)
with WebCrawler(BrowserConfig(max_drivers=1, max_pages_per_driver=1)) as crawler:
    for result in crawler.run(start, CrawlerRunConfig(deep_crawl_strategy=strategy, stream=True)):
        assert result.success, result.error_message
"""


def shared_crawl(site: DemoSite, url: str, workers: int, pages: int) -> tuple[float, int]:
    """(pages/s from first to last page fetched, Redis commands) for ``workers`` processes."""
    import redis

    client: Any = redis.Redis.from_url(url)  # Any: redis-py types sync and async at once
    before = int(client.info("stats")["total_commands_processed"])
    tag = uuid.uuid4().hex[:8]
    # A tree size of its own per run: the tree links carry ?ms= but no other query.
    prefix = f"/tree/{pages + 3 + next(_RUNS)}/4/"
    start = site.url(f"{prefix}0-alpha?ms=500")
    since = len(site.requests)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(_WORKER), start, url, tag, str(pages)],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"a worker failed: {err[-500:]}")
    after = int(client.info("stats")["total_commands_processed"])
    client.close()
    times = [
        when
        for (_, path), when in zip(site.requests[since:], site.times()[since:], strict=True)
        if not path.startswith("/static/")  # this run's pages only: nothing else crawls
    ]
    if len(times) < pages:
        raise RuntimeError(f"{len(times)} page fetches for {pages} pages")
    # Each fetch answers 0.5 s after it starts: the span of starts plus one page's time.
    return pages / (max(times) - min(times) + 0.5), after - before


def one_worker(site: DemoSite, pages: int, **state: Any) -> float:
    """Seconds for a BFS crawl of ``pages`` fast pages on one warm driver."""
    strategy = BFSDeepCrawlStrategy(max_depth=10, max_pages=pages, **state)
    config = CrawlerRunConfig(deep_crawl_strategy=strategy)
    with WebCrawler(BrowserConfig(max_drivers=1)) as crawler:
        crawler.run_many([site.url(f"/slow?ms=100&warm={i}") for i in range(8)])
        started = time.perf_counter()
        results = strategy.run(site.url(f"/tree/{pages + 3}/10/0-alpha"), crawler, config)
        elapsed = time.perf_counter() - started
    if not isinstance(results, list) or len(results) != pages:
        raise RuntimeError("the one-worker crawl did not give max_pages results")
    return elapsed


def run(quick: bool = False) -> dict[str, Any]:
    """Scaling rounds (1, 2, 4 workers), then alternated Redis / SQLite one-worker rounds."""
    if not redis_server.available():
        return skipped("redis-server missing (make system-deps installs it)")
    p = QUICK if quick else FULL
    rates: dict[int, list[float]] = {1: [], 2: [], 4: []}
    commands: list[float] = []
    redis_times: list[float] = []
    sqlite_times: list[float] = []
    load_before = load_average()
    with (
        DemoSite() as site,
        redis_server.RedisServer() as server,
        tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp,
    ):
        for n in range(p["rounds"]):
            for workers in (1, 2, 4) if n % 2 == 0 else (4, 2, 1):
                rate, count = shared_crawl(site, server.url, workers, p["slow_pages"])
                rates[workers].append(rate)
                commands.append(count / p["slow_pages"])
        for n in range(p["rounds"] * 2):
            sides = {
                "redis": lambda n=n: one_worker(
                    site, p["fast_pages"], state_url=server.url, crawl_id=f"fast-{n}"
                ),
                "sqlite": lambda n=n: one_worker(
                    site, p["fast_pages"], state_path=str(Path(tmp) / f"{n}.db")
                ),
            }
            order = ("redis", "sqlite") if n % 2 == 0 else ("sqlite", "redis")
            got = {side: sides[side]() for side in order}
            redis_times.append(got["redis"])
            sqlite_times.append(got["sqlite"])
    load = {"before": load_before, "after": load_average()}
    one, four = median(rates[1]), median(rates[4])
    note = f"{p['slow_pages']} pages of 0.5 s, each worker one page at a time"
    return {
        "figures": {
            "pages_per_s_1_worker": figure(one, "pages/s", rounds=summary(rates[1]), note=note),
            "pages_per_s_2_workers": figure(median(rates[2]), "pages/s", rounds=summary(rates[2])),
            "pages_per_s_4_workers": figure(four, "pages/s", rounds=summary(rates[4])),
            "scaling_4_workers": figure(
                four / (4 * one),
                "x linear",
                SCALING_GOAL,
                note="pages/s with 4 workers / (4 x pages/s with 1)",
                load_average=load,
            ),
            "redis_commands_per_page": figure(
                median(commands), "commands", rounds=summary(commands), digits=1
            ),
            "redis_vs_sqlite_one_worker": figure(
                median(paired_ratios(redis_times, sqlite_times)),
                "x time",
                OVERHEAD_GOAL,
                note=f"BFS of {p['fast_pages']} fast pages, one warm driver, alternated",
                redis_s=summary(redis_times),
                sqlite_s=summary(sqlite_times),
                load_average=load,
            ),
        }
    }
