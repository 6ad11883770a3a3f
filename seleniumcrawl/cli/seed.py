"""``seleniumcrawl seed URL``: a site's URLs from its sitemaps, as JSON lines (docs/seeding.md).

Each line is one :meth:`~seleniumcrawl.discovery.UrlSeeder.urls` entry (``url``,
``status``, ``lastmod``, ``head_data``, and ``relevance_score`` with ``--query``);
``crawl-many`` reads such a file (each line's ``url``). No browser is started.
"""

from __future__ import annotations

import argparse
import json

from seleniumcrawl.cli.common import (
    EXIT_OK,
    Parser,
    config_errors,
    output,
    write_line,
)


def add_seed(commands: argparse._SubParsersAction[Parser], parents: list[Parser]) -> None:
    """The ``seed`` command."""
    seed = commands.add_parser(
        "seed",
        parents=parents,
        help="list a site's URLs from its sitemaps (JSON lines)",
        description="List a site's URLs from robots.txt's sitemaps (or /sitemap.xml), "
        "one JSON object per line. No browser is started.",
    )
    seed.add_argument("url", metavar="URL", help="the site: a URL or a bare domain (https)")
    seed.add_argument("--pattern", metavar="GLOB", default="*", help="keep URLs matching it")
    seed.add_argument(
        "--query", metavar="WORDS", help="order by BM25 relevance to WORDS (best first)"
    )
    seed.add_argument(
        "--score-threshold", type=float, metavar="X", help="with --query: keep scores >= X (0..1)"
    )
    seed.add_argument(
        "--live-check", action="store_true", help="HEAD each URL; status valid/not_valid"
    )
    seed.add_argument(
        "--extract-head", action="store_true", help="read each page's <head> (title, meta, ...)"
    )
    seed.add_argument("--max-urls", type=int, default=-1, metavar="N", help="stop after N URLs")
    seed.add_argument("--concurrency", type=int, default=10, metavar="N", help="default: 10")
    seed.add_argument(
        "--hits-per-sec", type=float, default=5.0, metavar="N", help="per host; 0: no limit"
    )
    seed.add_argument(
        "--check-robots-txt", action="store_true", help="leave out what robots.txt disallows"
    )
    seed.add_argument("--force", action="store_true", help="read the sitemaps, not the cache")
    seed.add_argument("--output", "-o", metavar="FILE", help="write the lines here, not stdout")
    seed.set_defaults(handler=cmd_seed)


def cmd_seed(args: argparse.Namespace) -> int:
    """``seleniumcrawl seed``: the seeder's entries as JSON lines."""
    from seleniumcrawl.discovery import SeedingConfig, UrlSeeder

    with config_errors():
        config = SeedingConfig(
            pattern=args.pattern,
            query=args.query,
            score_threshold=args.score_threshold,
            live_check=args.live_check,
            extract_head=args.extract_head,
            max_urls=args.max_urls,
            concurrency=args.concurrency,
            hits_per_sec=args.hits_per_sec or None,
            check_robots_txt=args.check_robots_txt,
            force=args.force,
            verbose=args.verbose,
        )
    with UrlSeeder() as seeder, output(args.output) as out:
        with config_errors():
            entries = seeder.urls(args.url, config)
        for entry in entries:
            write_line(out, json.dumps(entry, ensure_ascii=False))
    return EXIT_OK


__all__ = ["add_seed", "cmd_seed"]
