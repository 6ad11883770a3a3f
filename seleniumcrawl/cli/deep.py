"""``seleniumcrawl crawl URL --deep-crawl bfs|dfs|best-first``: JSON lines as pages come, a
progress bar on stderr; Ctrl-C stops cleanly (exit status 130) and, with ``--state FILE``,
the same command goes on from where it stopped (see README, "Crawls that survive")."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from seleniumcrawl.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    UsageError,
    build_browser_config,
    build_run_config,
    close_on_interrupt,
    config_errors,
    fail,
    output,
    progress_bar,
    result_record,
    write_line,
)
from seleniumcrawl.cli.proxy import browser_proxy_options
from seleniumcrawl.models import CrawlResult

DEEP_STRATEGIES = ("bfs", "dfs", "best-first")
DEEP_DEPTH = 2
#: Options of ``crawl`` that only a deep crawl uses, with their "not given" values.
DEEP_ONLY = {
    "max_depth": None,
    "max_pages": None,
    "state": None,
    "crawl_id": None,
    "worker": None,
    "lease_seconds": None,
    "include_external": False,
    "keywords": None,
    "output_file": None,
    "seed_from_sitemap": False,
}


def build_deep_strategy(args: argparse.Namespace) -> Any:
    """The deep-crawl strategy of ``crawl --deep-crawl``; a bad value is a UsageError."""
    import math

    from seleniumcrawl.deep_crawling import (
        BestFirstCrawlingStrategy,
        BFSDeepCrawlStrategy,
        DFSDeepCrawlStrategy,
        KeywordRelevanceScorer,
    )

    kinds: dict[str, Callable[..., Any]] = {
        "bfs": BFSDeepCrawlStrategy,
        "dfs": DFSDeepCrawlStrategy,
        "best-first": BestFirstCrawlingStrategy,
    }
    with config_errors():
        scorer = KeywordRelevanceScorer(args.keywords) if args.keywords else None
        return kinds[args.deep_crawl](
            max_depth=DEEP_DEPTH if args.max_depth is None else args.max_depth,
            max_pages=math.inf if args.max_pages is None else args.max_pages,
            include_external=args.include_external,
            url_scorer=scorer,
            seed_from_sitemap=args.seed_from_sitemap,
            **state_options(args),
        )


def state_options(args: argparse.Namespace) -> dict[str, Any]:
    """The strategy's state parameters from ``--state``, ``--crawl-id``, ``--worker``,
    ``--lease-seconds``: a path is ``state_path``, a URL ``state_url``."""
    state = args.state
    shared = state is not None and state.split("://", 1)[0] in ("redis", "rediss", "unix")
    if not shared:
        for option, value in (
            ("--crawl-id", args.crawl_id),
            ("--worker", args.worker),
            ("--lease-seconds", args.lease_seconds),
        ):
            if value is not None:
                raise UsageError(f"{option} needs a shared crawl: --state redis://HOST:PORT/DB")
        if state is not None and state.startswith("sqlite:"):
            return {"state_url": state}
        return {"state_path": state}
    if args.crawl_id is None:
        raise UsageError("a redis:// --state needs --crawl-id ID (the crawl the workers share)")
    options: dict[str, Any] = {"state_url": state, "crawl_id": args.crawl_id}
    if args.worker:
        options["worker_id"] = args.worker
    if args.lease_seconds is not None:
        options["lease_seconds"] = args.lease_seconds
    return options


class DeepProgress:
    """A tqdm bar of pages crawled (total: --max-pages when given)."""

    def __init__(self, total: int | None, enabled: bool | None) -> None:
        self.failed = 0
        self.pages = 0
        self._bar = progress_bar(total, desc="deep crawl", unit="page", enabled=enabled)

    def add(self, result: CrawlResult) -> None:
        self.pages += 1
        if not result.success:
            self.failed += 1
            self._bar.set_postfix(failed=self.failed, refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def cmd_deep_crawl(args: argparse.Namespace) -> int:
    """``seleniumcrawl crawl URL --deep-crawl ...``: JSON lines as pages come, a progress bar;
    Ctrl-C stops cleanly (130) and, with ``--state``, the same command goes on from there."""
    from seleniumcrawl.crawler import WebCrawler

    if args.output != "json":
        raise UsageError("--deep-crawl writes JSON lines: --output must be json")
    if args.screenshot is not None:
        raise UsageError("--screenshot takes one page: it does not go with --deep-crawl")
    strategy = build_deep_strategy(args)
    browser_config = build_browser_config(
        args, max_drivers=args.concurrency, **browser_proxy_options(args)
    )
    run_config = build_run_config(
        args, stream=True, deep_crawl_strategy=strategy, check_robots_txt=args.check_robots_txt
    )
    with output(args.output_file) as out:
        progress = DeepProgress(args.max_pages, args.progress)
        try:
            with WebCrawler(browser_config) as crawler, close_on_interrupt(crawler):
                with config_errors():  # a state file of another crawl
                    results = crawler.run(args.url, run_config)
                for result in results:  # type: ignore[attr-defined]
                    write_line(out, json.dumps(result_record(result), default=str))
                    progress.add(result)
        except KeyboardInterrupt:
            progress.close()
            where = ""
            if args.crawl_id is not None:
                where = f"; its leased pages go to the other workers of {args.crawl_id}"
            elif args.state:
                where = f"; the same command resumes from {args.state}"
            return fail(f"interrupted after {progress.pages} pages{where}", EXIT_INTERRUPTED)
        finally:
            progress.close()
    if progress.failed:
        return fail(f"{progress.failed} of {progress.pages} pages failed", EXIT_FAILED)
    return EXIT_OK
