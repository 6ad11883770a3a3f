"""``seleniumcrawl crawl-status --state redis://... --crawl-id ID``: a shared crawl's pages
done, queued, leased and failed, overall and per worker (docs/distributed.md). No browser
is started; the crawl is only read."""

from __future__ import annotations

import argparse
import json
import sys

import attrs

from seleniumcrawl.cli.common import EXIT_FAILED, EXIT_OK, Parser, config_errors, fail, write_line


def add_crawl_status(commands: argparse._SubParsersAction[Parser], parents: list[Parser]) -> None:
    """The ``crawl-status`` command."""
    status = commands.add_parser(
        "crawl-status",
        parents=parents,
        help="a shared deep crawl's progress, per worker",
        description="Print a shared deep crawl's pages done, queued, leased and failed, "
        "overall and per worker.",
    )
    status.add_argument("--state", required=True, metavar="URL", help="redis://HOST:PORT/DB")
    status.add_argument("--crawl-id", required=True, metavar="ID", help="the shared crawl")
    status.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    status.set_defaults(handler=cmd_crawl_status)


def cmd_crawl_status(args: argparse.Namespace) -> int:
    """Print the crawl's counts (exit 1 when no such crawl is stored there)."""
    from seleniumcrawl.deep_crawling.redis_frontier import RedisFrontier, parse_redis_url, redacted

    with config_errors():
        parse_redis_url(args.state, "--state")
    frontier = RedisFrontier(args.state, args.crawl_id, retry_seconds=0)
    try:
        frontier.ping()
        status = frontier.status()
    finally:
        frontier.close()
    if status.start_url is None:
        return fail(f"no crawl {args.crawl_id!r} at {redacted(args.state)}", EXIT_FAILED)
    if args.json:
        write_line(sys.stdout, json.dumps({"crawl_id": args.crawl_id, **attrs.asdict(status)}))
        return EXIT_OK
    lines = [f"crawl {args.crawl_id}: {status.strategy} crawl of {status.start_url}"]
    lines.append(
        f"pages done {status.done} ({status.successes} successful, {status.failed} failed), "
        f"queued {status.queued}, leased {status.leased}; "
        f"leases expired {status.expired}, stale commits refused {status.refused}"
    )
    width = max([6, *(len(name) for name in status.workers)])
    lines.append(f"{'worker':<{width}}  {'done':>6}  {'failed':>6}  {'leased':>6}")
    for name, counts in status.workers.items():
        lines.append(f"{name:<{width}}  {counts.done:>6}  {counts.failed:>6}  {counts.leased:>6}")
    write_line(sys.stdout, "\n".join(lines))
    return EXIT_OK
