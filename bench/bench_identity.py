"""Benchmark: what a network identity per session costs (#25).

* **identities vs isolated**: 20 sessions at once in one browser (BiDi, ``max_drivers=1``),
  each through its own tinyproxy with its own Basic-auth login, user agent and locale
  (a user context per identity), against 20 isolated sessions without proxies (a user
  context each, the same browser layout). Memory is the browser's PSS once every session
  holds its page (:func:`bench._util.browser_memory`; the tinyproxies are not counted);
  wall time is for the 20 first crawls started together. 4 rounds, the order swapped
  every other round;
  goals: memory <= 1.15x, wall <= 1.2x (medians of the per-round ratios).
* **login overhead**: per-page time of a session crawling new URLs through a tinyproxy
  with a login, against the same crawls through a tinyproxy without one; 8 rounds, the
  order swapped every other round, mean per page over each run, median of the paired
  ratios; goal <= 1.10x. The first page of a context pays the 407
  round trip, later ones send the login up front (Chromium keeps it per context).

The site and proxies are on 127.0.0.1 (``--proxy-bypass-list=<-loopback>``), so the
figures are the crawler's and the proxy hop's costs, not a network's.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from bench._util import (
    browser_memory,
    figure,
    load_average,
    median,
    paired_ratios,
    skipped,
    summary,
)
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, ProxyConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from tools.tinyproxy import Tinyproxy, available

FULL = {"rounds": 4, "sessions": 20, "pages": 30, "login_rounds": 8}
QUICK = {"rounds": 1, "sessions": 6, "pages": 8, "login_rounds": 2}
MEMORY_GOAL = "<= 1.15"
WALL_GOAL = "<= 1.2"
LOGIN_GOAL = "<= 1.10"
BYPASS = "--proxy-bypass-list=<-loopback>"
T = TypeVar("T")


@contextlib.contextmanager
def _proxies(count: int, login: bool) -> Iterator[list[ProxyConfig]]:
    started: list[Tinyproxy] = []
    try:
        for i in range(count):
            user, password = (f"user{i}", f"pw-{i}-bench") if login else (None, None)
            started.append(Tinyproxy(f"bench-{i}", user, password))
        yield [
            ProxyConfig(p.server, *((f"user{i}", f"pw-{i}-bench") if login else (None, None)))
            for i, p in enumerate(started)
        ]
    finally:
        for proxy in started:
            proxy.stop()


def _sessions_at_once(site: DemoSite, configs: list[CrawlerRunConfig]) -> dict[str, Any]:
    """Crawl one page per session, all started together; wall time and browser memory."""
    with WebCrawler(BrowserConfig(max_drivers=1, extra_args=[BYPASS])) as crawler:
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(configs)) as pool:
            results = list(
                pool.map(
                    lambda nc: crawler.run(site.url(f"/page/{nc[0] + 1}"), config=nc[1]),
                    enumerate(configs),
                )
            )
        wall = time.perf_counter() - started
        failed = [r for r in results if not r.success]
        if failed:
            raise RuntimeError(f"{len(failed)} crawls failed, e.g. {failed[0].error_message}")
        memory = browser_memory()
    return {"wall_s": wall, **memory}


def identities(site: DemoSite, proxies: list[ProxyConfig]) -> dict[str, Any]:
    configs = [
        CrawlerRunConfig(
            session_id=f"id{i}",
            proxy_config=proxy,
            user_agent=f"BenchBot/{i}",
            locale=("de-DE", "fr-FR", "ja-JP", "en-GB")[i % 4],
        )
        for i, proxy in enumerate(proxies)
    ]
    return _sessions_at_once(site, configs)


def isolated(site: DemoSite, sessions: int) -> dict[str, Any]:
    configs = [
        CrawlerRunConfig(session_id=f"iso{i}", session_isolation=True) for i in range(sessions)
    ]
    return _sessions_at_once(site, configs)


def per_page(site: DemoSite, proxy: ProxyConfig, pages: int, tag: str) -> float:
    """Mean seconds per page of a session crawling ``pages`` new URLs through ``proxy``."""
    config = CrawlerRunConfig(session_id="login-bench", proxy_config=proxy)
    with WebCrawler(BrowserConfig(max_drivers=1, extra_args=[BYPASS])) as crawler:
        crawler.run(site.url(f"/page/9000?{tag}"), config=config)  # the browser and context start
        started = time.perf_counter()
        for n in range(pages):
            result = crawler.run(site.url(f"/page/{n + 1}?{tag}"), config=config)
            if not result.success:
                raise RuntimeError(result.error_message)
        return (time.perf_counter() - started) / pages


def _abba(rounds: int, a: Callable[[], T], b: Callable[[], T]) -> tuple[list[T], list[T]]:
    """Like :func:`bench._util.alternate`, but every other round runs ``b`` first: the
    per-page times drift with the shared machine's load, and the second side of a round
    was seen to gain from the first's warm caches."""
    side_a: list[T] = []
    side_b: list[T] = []
    for i in range(rounds):
        if i % 2:
            side_b.append(b())
            side_a.append(a())
        else:
            side_a.append(a())
            side_b.append(b())
    return side_a, side_b


def run(quick: bool = False) -> dict[str, Any]:
    """Both comparisons; skipped where tinyproxy is missing."""
    if not available():
        return skipped("tinyproxy is not installed (make system-deps installs it)")
    p = QUICK if quick else FULL
    n = p["sessions"]
    load_before = load_average()
    with DemoSite() as site, _proxies(n, login=True) as logins:
        ident, iso = _abba(p["rounds"], lambda: identities(site, logins), lambda: isolated(site, n))
        with _proxies(1, login=False) as [open_proxy]:
            with_login, without = _abba(
                p["login_rounds"],
                lambda: per_page(site, logins[0], p["pages"], "a"),
                lambda: per_page(site, open_proxy, p["pages"], "b"),
            )
    memory_ratios = paired_ratios(
        [r["browsers_mb"] for r in ident], [r["browsers_mb"] for r in iso]
    )
    wall_ratios = paired_ratios([r["wall_s"] for r in ident], [r["wall_s"] for r in iso])
    login_ratios = paired_ratios(with_login, without)
    return {
        "figures": {
            "identities_mb": figure(
                median(r["browsers_mb"] for r in ident),
                "MB",
                rounds=summary([r["browsers_mb"] for r in ident]),
                note=f"{n} sessions, each its own proxy with a login, UA and locale",
            ),
            "isolated_mb": figure(
                median(r["browsers_mb"] for r in iso),
                "MB",
                rounds=summary([r["browsers_mb"] for r in iso]),
                note=f"{n} isolated sessions without proxies, one browser",
            ),
            "memory_ratio": figure(median(memory_ratios), "x", MEMORY_GOAL, digits=3),
            "identities_wall_s": figure(median(r["wall_s"] for r in ident), "s", digits=3),
            "isolated_wall_s": figure(median(r["wall_s"] for r in iso), "s", digits=3),
            "wall_ratio": figure(median(wall_ratios), "x", WALL_GOAL, digits=3),
            "login_page_ms": figure(median(with_login) * 1000, "ms"),
            "open_page_ms": figure(median(without) * 1000, "ms"),
            "login_overhead_ratio": figure(median(login_ratios), "x", LOGIN_GOAL, digits=3),
        },
        "params": {**p, "load_average_before": load_before, "load_average_after": load_average()},
    }
