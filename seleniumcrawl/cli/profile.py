"""``seleniumcrawl profile``: save a login as a storage state file, list and delete them.

``profile create NAME --url URL`` opens a browser window at URL for a person to log in,
waits until they press Enter in the terminal (or close the window), then writes the
browser's cookies and localStorage to ``<profiles dir>/NAME.json`` (mode 0600) for
``BrowserConfig(storage_state=...)``. The profiles directory is ``--dir``, else
``$SELENIUMCRAWL_HOME/profiles``, else ``~/.seleniumcrawl/profiles``.

``--headless`` opens no window (scripts and tests: the page at URL does the login, a line
on stdin saves). The state holds secrets: it is never printed, only its counts.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seleniumcrawl.cli.common import EXIT_FAILED, EXIT_OK, Parser, UsageError, error
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig, seleniumcrawl_home
from seleniumcrawl.storage_state import write_private_json

if TYPE_CHECKING:
    from seleniumcrawl.crawler import WebCrawler

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SESSION = "profile"
#: Seconds between the snapshots kept while the person logs in.
_POLL = 1.0
#: Failed snapshots in a row that mean the window (or the browser) was closed.
_CLOSED_AFTER = 3


def profiles_dir(given: str | None) -> Path:
    """``--dir``, else ``$SELENIUMCRAWL_HOME/profiles``, else ``~/.seleniumcrawl/profiles``."""
    return Path(given).expanduser() if given else Path(seleniumcrawl_home()) / "profiles"


def profile_path(directory: Path, name: str) -> Path:
    """``directory/NAME.json``; a name that could leave the directory is a usage error."""
    if not _NAME.match(name) or name.endswith(".json"):
        raise UsageError(
            f"bad profile name {name!r}: letters, digits, '.', '_' and '-' (no '.json' suffix)"
        )
    return directory / f"{name}.json"


def add_profile(commands: argparse._SubParsersAction[Parser], parents: list[Parser]) -> None:
    """The ``profile`` command and its actions."""
    profile = commands.add_parser(
        "profile",
        help="save a login as a storage state file (create, list, delete)",
        description="Save a login as a storage state file for BrowserConfig(storage_state=...).",
    )
    actions = profile.add_subparsers(dest="action", metavar="ACTION", required=True)
    where = Parser(add_help=False)
    where.add_argument(
        "--dir",
        metavar="DIR",
        help="profiles directory (default: $SELENIUMCRAWL_HOME/profiles, "
        "else ~/.seleniumcrawl/profiles)",
    )
    create = actions.add_parser(
        "create",
        parents=[*parents, where],
        help="open a browser at URL, log in, press Enter: saves NAME.json",
        description=(
            "Open a browser window at URL. Log in there, then press Enter in this terminal "
            "(or close the window) to save the cookies and localStorage to DIR/NAME.json "
            "(mode 0600). Needs a display: on a server use xvfb-run or ssh -X."
        ),
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument("--url", required=True, metavar="URL", help="the page to log in on")
    create.add_argument(
        "--headless",
        action="store_true",
        help="no window (scripts, tests): the page at URL logs in by itself; a line on stdin saves",
    )
    create.set_defaults(handler=cmd_create)
    listing = actions.add_parser("list", parents=[where], help="list the saved profiles")
    listing.set_defaults(handler=cmd_list, verbose=False)
    delete = actions.add_parser("delete", parents=[where], help="delete a saved profile")
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(handler=cmd_delete, verbose=False)


def _no_display(args: argparse.Namespace) -> bool:
    return (
        not args.headless
        and args.remote_url is None
        and sys.platform.startswith("linux")
        and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    )


def cmd_create(args: argparse.Namespace) -> int:
    """``profile create NAME --url URL``: see the module docstring."""
    from seleniumcrawl.crawler import WebCrawler

    directory = profiles_dir(args.dir)
    target = profile_path(directory, args.name)
    if not re.match(r"^(https?|file)://", args.url):
        raise UsageError(f"--url must be an http(s):// or file:// URL, got {args.url!r}")
    if _no_display(args):
        raise UsageError(
            "no display to open the browser window on: run this on a machine with a desktop, "
            "or under xvfb-run, or over ssh -X (or pass --headless if the page logs in by itself)"
        )
    try:
        config = BrowserConfig(
            browser_type=args.browser,
            headless=args.headless,
            remote_url=args.remote_url,
            verbose=args.verbose,
            max_drivers=1,
        )
    except (TypeError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    with WebCrawler(config=config) as crawler:
        result = crawler.run(args.url, config=CrawlerRunConfig(session_id=_SESSION))
        if not result.success:
            error(f"could not open {args.url}: {result.error_message}")
            return EXIT_FAILED
        if not args.headless:
            sys.stderr.write(
                "Log in in the browser window, then press Enter here to save "
                "(or close the window).\n"
            )
            sys.stderr.flush()
        state = _wait_for_login(crawler)
    if state is None:
        error("the browser window closed before anything could be read; nothing saved")
        return EXIT_FAILED
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = write_private_json(target, state)
    origins = sum(1 for o in state["origins"] if o["localStorage"])
    sys.stdout.write(
        f"Saved profile {args.name!r} to {written} (mode 0600): "
        f"{len(state['cookies'])} cookies, localStorage of {origins} origins.\n"
        f'Use it: BrowserConfig(storage_state="{written}")\n'
    )
    return EXIT_OK


def _wait_for_login(crawler: WebCrawler) -> dict[str, Any] | None:
    """Snapshots of the session's state until Enter on stdin (then one more) or until the
    window is gone (then the last one). Closed stdin: only the window's closing ends it."""
    pressed = threading.Event()

    def read_stdin() -> None:
        try:
            line = sys.stdin.readline()
        except (OSError, ValueError):
            return
        if line:
            pressed.set()

    threading.Thread(target=read_stdin, name="profile-stdin", daemon=True).start()
    last: dict[str, Any] | None = None
    failures = 0
    while True:
        try:
            last = crawler.crawler_strategy.export_storage_state(session_id=_SESSION)
            failures = 0
        except Exception:  # a page in the middle of navigating, or the window gone
            failures += 1
            if failures >= _CLOSED_AFTER:
                return last
        if pressed.is_set():
            if failures == 0:
                return last
            time.sleep(0.2)  # the read right after Enter failed (a navigation): once more
        else:
            pressed.wait(_POLL)


def cmd_list(args: argparse.Namespace) -> int:
    """``profile list``: NAME, modification time and path of each saved profile."""
    directory = profiles_dir(args.dir)
    found = sorted(directory.glob("*.json")) if directory.is_dir() else []
    if not found:
        sys.stderr.write(f"no profiles in {directory}\n")
    for path in found:
        stamp = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
        sys.stdout.write(f"{path.stem}\t{stamp}\t{path}\n")
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    """``profile delete NAME``."""
    target = profile_path(profiles_dir(args.dir), args.name)
    try:
        target.unlink()
    except FileNotFoundError:
        error(f"no profile {args.name!r} ({target} does not exist)")
        return EXIT_FAILED
    sys.stdout.write(f"Deleted {target}\n")
    return EXIT_OK
