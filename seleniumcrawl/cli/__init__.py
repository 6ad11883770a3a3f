"""The ``seleniumcrawl`` command: ``crawl``, ``crawl-many``, ``demo``, ``doctor``, ``profile``,
``seed``, ``crawl-status`` (see README).

Exit status: 0 success; 1 a crawl failed (or the demo, or a doctor check); 2 bad usage
(options, configuration or schema values, unreadable files); 130 interrupted (Ctrl-C), after
the crawler closed its browsers. Errors are one line on stderr (``seleniumcrawl: error:
...``); ``--verbose`` adds DEBUG logging and tracebacks.

This module holds the parser, ``main``, ``crawl``, ``crawl-many`` and ``demo``; ``crawl
--deep-crawl`` is in :mod:`.deep`, ``doctor`` in :mod:`.doctor`, ``profile`` in
:mod:`.profile`, ``seed`` in :mod:`.seed`, ``crawl-status`` in :mod:`.status`, and what
they all share (configurations from the options, the JSON view of a result, output and
Ctrl-C handling) in :mod:`.common`. The package is the program's user interface, so it
writes to stdout/stderr directly; the library below it only logs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seleniumcrawl.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    Parser,
    UsageError,
    build_browser_config,
    build_run_config,
    close_on_interrupt,
    error,
    fail,
    load_schema,
    output,
    progress_bar,
    reason,
    result_record,
    write_line,
)
from seleniumcrawl.cli.deep import (
    DEEP_DEPTH,
    DEEP_ONLY,
    DEEP_STRATEGIES,
    build_deep_strategy,
    cmd_deep_crawl,
)
from seleniumcrawl.cli.doctor import add_doctor
from seleniumcrawl.cli.profile import add_profile
from seleniumcrawl.cli.proxy import add_proxy_options, browser_proxy_options, run_proxy_options
from seleniumcrawl.cli.seed import add_seed
from seleniumcrawl.cli.status import add_crawl_status
from seleniumcrawl.config import BROWSER_TYPES

if TYPE_CHECKING:
    from seleniumcrawl.models import CrawlResult

OUTPUTS = ("json", "markdown", "html", "text")


_Parser = Parser


# -- the command line ----------------------------------------------------------------------


def _whole_number(text: str, minimum: int, bound: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{bound}, got {value}")
    return value


def _count(text: str) -> int:
    return _whole_number(text, 0, "must be 0 or more")


def _positive_int(text: str) -> int:
    return _whole_number(text, 1, "must be at least 1")


def _common_options() -> _Parser:
    """Options every command takes: which browser, where, and how chatty."""
    parent = _Parser(add_help=False)
    browser = parent.add_argument_group("browser")
    browser.add_argument(
        "--browser", choices=BROWSER_TYPES, default="chromium", help="default: chromium"
    )
    browser.add_argument(
        "--remote-url", metavar="URL", help="a Selenium Grid or other W3C WebDriver server"
    )
    browser.add_argument("--headful", action="store_true", help="show the browser window")
    parent.add_argument(
        "-v", "--verbose", action="store_true", help="DEBUG logging and tracebacks on stderr"
    )
    return parent


def _verbose_option() -> _Parser:
    """``-v`` alone, for commands that start no browser (``seed``)."""
    parent = _Parser(add_help=False)
    parent.add_argument(
        "-v", "--verbose", action="store_true", help="DEBUG logging and tracebacks on stderr"
    )
    return parent


def _crawl_options() -> _Parser:
    """What each crawl does (shared by ``crawl`` and ``crawl-many``)."""
    parent = _Parser(add_help=False)
    crawl = parent.add_argument_group("crawl")
    crawl.add_argument("--schema", metavar="FILE", help="JSON file with a Crawl4AI schema")
    crawl.add_argument(
        "--xpath", action="store_true", help="the schema's selectors are XPath, not CSS"
    )
    crawl.add_argument(
        "--js", action="append", metavar="CODE", help="JavaScript to run after load (repeatable)"
    )
    crawl.add_argument("--wait-for", metavar="COND", help="'css:SELECTOR' or 'js:EXPRESSION'")
    crawl.add_argument("--session-id", metavar="ID", help="crawl in this named session (tab)")
    crawl.add_argument("--css-selector", metavar="SEL", help="keep only the matching content")
    crawl.add_argument(
        "--page-timeout", type=float, metavar="MS", help="navigation timeout (default: 60000)"
    )
    crawl.add_argument(
        "--check-robots-txt",
        action="store_true",
        help="skip URLs the site's robots.txt disallows (they fail with status 403)",
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The ``seleniumcrawl`` argument parser with its four commands."""
    from seleniumcrawl import __version__

    parser = _Parser(prog=PROG, description="Selenium-based crawler with a Crawl4AI-style API.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common, crawl = _common_options(), _crawl_options()
    _add_crawl(commands, [crawl, common])
    _add_crawl_many(commands, [crawl, common])
    _add_demo(commands, [common])
    add_doctor(commands, [common])
    add_profile(commands, [common])
    add_seed(commands, [_verbose_option()])
    add_crawl_status(commands, [_verbose_option()])
    return parser


def _add_crawl(
    commands: argparse._SubParsersAction[_Parser],
    parents: list[_Parser],
) -> None:
    one = commands.add_parser(
        "crawl", parents=parents, help="crawl one URL", description="Crawl one URL."
    )
    one.add_argument("url", metavar="URL", help="http(s)://, file:// or raw:<html>")
    one.add_argument("-o", "--output", choices=OUTPUTS, default="json", help="default: json")
    one.add_argument(
        "--fit",
        action="store_true",
        help="the page's main content: fit_markdown with -o markdown, fit_html with -o html, "
        "an added fit_markdown key with -o json",
    )
    one.add_argument("--screenshot", metavar="FILE", help="write a PNG of the page to FILE")
    add_proxy_options(one, rotation=False)
    deep = one.add_argument_group("deep crawl (JSON lines out, one per page)")
    deep.add_argument(
        "--deep-crawl", choices=DEEP_STRATEGIES, help="follow links from URL in this order"
    )
    deep.add_argument(
        "--max-depth", type=_count, metavar="N", help=f"clicks from URL (default: {DEEP_DEPTH})"
    )
    deep.add_argument(
        "--max-pages", type=_positive_int, metavar="N", help="stop after N pages crawled well"
    )
    deep.add_argument(
        "--state",
        metavar="FILE|URL",
        help="keep the crawl in FILE (or sqlite:///FILE); the same command resumes it. "
        "redis://HOST:PORT/DB with --crawl-id: a crawl shared by many workers",
    )
    deep.add_argument(
        "--crawl-id", metavar="ID", help="with a redis:// --state: the shared crawl to work on"
    )
    deep.add_argument(
        "--worker",
        nargs="?",
        const="",
        metavar="NAME",
        help="run as one worker of the shared crawl (NAME default: host:pid)",
    )
    deep.add_argument(
        "--lease-seconds",
        type=float,
        metavar="S",
        help="with Redis: a silent worker's pages go to others after S s (default: 30)",
    )
    deep.add_argument(
        "--include-external", action="store_true", help="follow links to other hosts too"
    )
    deep.add_argument(
        "--seed-from-sitemap",
        action="store_true",
        help="also queue the site's sitemap URLs (as links of the start page)",
    )
    deep.add_argument(
        "--keywords", nargs="+", metavar="WORD", help="score links by these words in the URL"
    )
    deep.add_argument(
        "-c", "--concurrency", type=_positive_int, default=2, help="browsers (default: 2)"
    )
    deep.add_argument("-O", "--output-file", metavar="FILE", help="write JSON lines to FILE")
    deep.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    one.set_defaults(handler=_cmd_crawl)


def _add_crawl_many(
    commands: argparse._SubParsersAction[_Parser],
    parents: list[_Parser],
) -> None:
    many = commands.add_parser(
        "crawl-many",
        parents=parents,
        help="crawl many URLs, JSON lines out",
        description="Crawl many URLs; one JSON object per line, in completion order.",
    )
    many.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE|URL",
        help="URLs, or files of URLs (one per line; - is stdin)",
    )
    many.add_argument(
        "-c", "--concurrency", type=_positive_int, default=2, help="browsers (default: 2)"
    )
    many.add_argument("-O", "--output-file", metavar="FILE", help="write JSON lines to FILE")
    many.add_argument("--max-retries", type=int, default=0, help="retries per failed URL")
    many.add_argument("--mean-delay", type=float, default=0, help="seconds between same-host hits")
    add_proxy_options(many, rotation=True)
    many.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    many.set_defaults(handler=_cmd_crawl_many)


def _add_demo(
    commands: argparse._SubParsersAction[_Parser],
    parents: list[_Parser],
) -> None:
    demo = commands.add_parser(
        "demo",
        parents=parents,
        help="run the session workflows against the bundled demo site",
        description="Serve the demo site on 127.0.0.1 and run the session workflows on it.",
    )
    demo.add_argument("--port", type=int, default=0, help="demo site port (default: any free)")
    demo.set_defaults(handler=_cmd_demo)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE)
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    _setup_logging(args.verbose)
    try:
        status: int = args.handler(args)
    except UsageError as exc:
        return fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_FAILED
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        return fail(f"{type(exc).__name__}: {exc}", EXIT_FAILED)
    return status


def _silence_stdout() -> None:
    """The reader of stdout went away (``| head``): stop quietly, as Unix tools do, and keep
    the interpreter's final flush from raising again."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (captured in tests)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _setup_logging(verbose: bool) -> None:
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG,
            stream=sys.stderr,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    elif not logging.getLogger().handlers:
        # Without --verbose, failures are reported as one line each; library warnings
        # (urllib3 retries while a driver dies...) would only repeat them.
        logging.getLogger().addHandler(logging.NullHandler())


# -- results -----------------------------------------------------------------------------------


def page_text(result: CrawlResult) -> str:
    """The visible text of the crawled content, one non-empty line per block."""
    from seleniumcrawl.content.parse import parse_html

    text = parse_html(result.cleaned_html or result.html).get_text("\n")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _render(result: CrawlResult, output: str, fit: bool = False) -> str:
    if output == "json":
        record = result_record(result)
        if fit:
            record["fit_markdown"] = result.markdown.fit_markdown if result.markdown else None
        return json.dumps(record, indent=2, ensure_ascii=False, default=str)
    if output == "markdown":
        if fit:
            return result.markdown.fit_markdown if result.markdown else ""
        return result.markdown or ""
    if output == "html":
        if fit:
            return result.markdown.fit_html if result.markdown else ""
        return result.html
    return page_text(result)


# -- crawl -------------------------------------------------------------------------------------


def _check_writable(path: str) -> None:
    """Fail before crawling when an output file could not be written."""
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {path!r}: no such directory {str(parent)!r}")
    if not os.access(parent, os.W_OK) or Path(path).is_dir():
        raise UsageError(f"cannot write {path!r}: permission denied or a directory")


def _cmd_crawl(args: argparse.Namespace) -> int:
    """``seleniumcrawl crawl URL``: one crawl, printed as ``--output``."""
    from seleniumcrawl.crawler import WebCrawler

    if args.deep_crawl is not None:
        return cmd_deep_crawl(args)
    given = [name for name, unset in DEEP_ONLY.items() if getattr(args, name) != unset]
    if given:
        option = "--" + given[0].replace("_", "-")
        raise UsageError(f"{option} needs --deep-crawl bfs|dfs|best-first")
    if args.screenshot is not None:
        _check_writable(args.screenshot)
    if args.fit and args.output == "text":
        raise UsageError("--fit works with --output markdown, html or json")
    browser_config = build_browser_config(args, **browser_proxy_options(args))
    run_config = build_run_config(
        args, screenshot=args.screenshot is not None, check_robots_txt=args.check_robots_txt
    )
    with WebCrawler(browser_config) as crawler:
        result = crawler.run(args.url, run_config)
    if result.success or args.output == "json":
        write_line(sys.stdout, _render(result, args.output, fit=args.fit))
    if not result.success:
        return fail(f"crawl of {result.url} failed: {result.error_message}", EXIT_FAILED)
    if args.screenshot is not None:
        if not result.screenshot:
            return fail("the browser returned no screenshot", EXIT_FAILED)
        import base64

        Path(args.screenshot).write_bytes(base64.b64decode(result.screenshot))
    return EXIT_OK


# -- crawl-many --------------------------------------------------------------------------------


def read_urls(inputs: Sequence[str]) -> list[str]:
    """URLs from arguments: an existing file (or ``-``, stdin) is a list of URLs, one per
    line (blank lines and ``#`` comments skipped); anything else must be a URL."""
    urls: list[str] = []
    for item in inputs:
        if item == "-":
            urls.extend(_url_lines(sys.stdin.read()))
        elif os.path.isfile(item):
            try:
                urls.extend(_url_lines(Path(item).read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"cannot read URL file {item!r}: {reason(exc)}") from exc
        elif "://" in item or item.startswith("raw:"):
            urls.append(item)
        else:
            raise UsageError(f"{item!r} is neither a URL nor an existing file")
    if not urls:
        raise UsageError("no URLs to crawl")
    return urls


def _url_lines(text: str) -> list[str]:
    """One URL per line; a JSON object line (``seleniumcrawl seed``'s output) gives its "url"."""
    lines = (line.strip() for line in text.splitlines())
    return [_url_of(line) for line in lines if line and not line.startswith("#")]


def _url_of(line: str) -> str:
    if not line.startswith("{"):
        return line
    try:
        url = json.loads(line).get("url")
    except (ValueError, AttributeError):
        url = None
    if not isinstance(url, str):
        raise UsageError(f'a JSON line without a "url": {line[:80]!r}')
    return url


class _Progress:
    """A tqdm bar on stderr fed by ``run_many``'s progress callback (from worker threads)."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self._failed = 0
        self._bar = progress_bar(total, desc="crawling", unit="url", enabled=enabled)

    def __call__(self, done: int, total: int, result: CrawlResult) -> None:
        # The dispatcher serialises progress calls, so no lock is needed here.
        if not result.success:
            self._failed += 1
            self._bar.set_postfix(failed=self._failed, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


def _cmd_crawl_many(args: argparse.Namespace) -> int:
    """``seleniumcrawl crawl-many``: JSON lines, as crawls complete, with a progress bar."""
    from seleniumcrawl.crawler import WebCrawler

    urls = read_urls(args.inputs)
    browser_config = build_browser_config(
        args, max_drivers=args.concurrency, **browser_proxy_options(args)
    )
    run_config = build_run_config(
        args,
        stream=True,
        max_retries=args.max_retries,
        mean_delay=args.mean_delay,
        check_robots_txt=args.check_robots_txt,
        **run_proxy_options(args),
    )
    failed = 0
    with output(args.output_file) as out:
        progress = _Progress(len(urls), args.progress)
        try:
            with WebCrawler(browser_config) as crawler, close_on_interrupt(crawler):
                for result in crawler.run_many(urls, run_config, progress=progress):
                    write_line(out, json.dumps(result_record(result), default=str))
                    failed += not result.success
        finally:
            progress.close()
    if failed:
        return fail(f"{failed} of {len(urls)} crawls failed (success=false lines)", EXIT_FAILED)
    return EXIT_OK


# -- demo --------------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    """``seleniumcrawl demo``: serve the demo site and run the session workflows on it."""
    import asyncio

    from seleniumcrawl.demo.site import DemoSite
    from seleniumcrawl.demo.workflows import DemoFailed, run_demo, write_summary

    browser_config = build_browser_config(args)
    site = DemoSite(port=args.port)
    try:
        site.start()
    except OSError as exc:
        raise UsageError(f"cannot serve the demo site on port {args.port}: {reason(exc)}") from exc
    with site:
        write_line(sys.stdout, f"Demo site: {site.base_url}/")
        try:
            data = asyncio.run(run_demo(site.base_url, browser_config=browser_config))
        except DemoFailed as exc:
            return fail(f"demo failed: {exc}", EXIT_FAILED)
    write_summary(data, sys.stdout)
    write_line(sys.stdout, "All three workflows succeeded.")
    return EXIT_OK


__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "PROG",
    "UsageError",
    "build_browser_config",
    "build_deep_strategy",
    "build_parser",
    "build_run_config",
    "error",
    "load_schema",
    "main",
    "read_urls",
    "result_record",
]


if __name__ == "__main__":
    sys.exit(main())
