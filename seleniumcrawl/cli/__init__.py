"""The ``seleniumcrawl`` command: ``crawl``, ``crawl-many``, ``demo``, ``doctor``, ``profile``
(see README).

Exit status: 0 success; 1 a crawl failed (or the demo, or a doctor check); 2 bad usage
(options, configuration or schema values, unreadable files); 130 interrupted (Ctrl-C), after
the crawler closed its browsers. Errors are one line on stderr (``seleniumcrawl: error:
...``); ``--verbose`` adds DEBUG logging and tracebacks.

This module is the program's user interface, so it writes to stdout/stderr directly; the
library below it only logs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

from seleniumcrawl.cli.common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    Parser,
    UsageError,
    error,
)
from seleniumcrawl.cli.profile import add_profile
from seleniumcrawl.config import BROWSER_TYPES, BrowserConfig, CrawlerRunConfig
from seleniumcrawl.content.extraction import (
    ExtractionStrategy,
    JsonCssExtractionStrategy,
    JsonXPathExtractionStrategy,
)
from seleniumcrawl.models import CrawlResult

if TYPE_CHECKING:
    from seleniumcrawl.crawler import WebCrawler

OUTPUTS = ("json", "markdown", "html", "text")
DEEP_STRATEGIES = ("bfs", "dfs", "best-first")
DEEP_DEPTH = 2
#: Options of ``crawl`` that only a deep crawl uses, with their "not given" values.
_DEEP_ONLY = {
    "max_depth": None,
    "max_pages": None,
    "state": None,
    "include_external": False,
    "keywords": None,
    "output_file": None,
}


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
    _add_doctor(commands, [common])
    add_profile(commands, [common])
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
        "--state", metavar="FILE", help="keep the crawl in FILE; the same command resumes it"
    )
    deep.add_argument(
        "--include-external", action="store_true", help="follow links to other hosts too"
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


def _add_doctor(
    commands: argparse._SubParsersAction[_Parser],
    parents: list[_Parser],
) -> None:
    doctor = commands.add_parser(
        "doctor",
        parents=parents,
        help="check the browser, driver and versions",
        description="Check that a browser can be started and crawl; report how to fix what fails.",
    )
    doctor.set_defaults(handler=_cmd_doctor)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    _setup_logging(args.verbose)
    try:
        status: int = args.handler(args)
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_FAILED
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        return _fail(f"{type(exc).__name__}: {exc}", EXIT_FAILED)
    return status


def _silence_stdout() -> None:
    """The reader of stdout went away (``| head``): stop quietly, as Unix tools do, and keep
    the interpreter's final flush from raising again."""
    with contextlib.suppress(OSError, ValueError):  # not a real file (captured in tests)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _fail(message: str, status: int) -> int:
    """Print ``message`` as one error line on stderr; return ``status``."""
    error(message)
    return status


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


# -- building configurations ----------------------------------------------------------------


def load_schema(path: str) -> dict[str, Any]:
    """The JSON object in ``path``; :class:`UsageError` when unreadable or not an object."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read schema file {path!r}: {_reason(exc)}") from exc
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"schema file {path!r} is not valid JSON: {exc}") from exc
    if not isinstance(schema, dict):
        raise UsageError(
            f"schema file {path!r} must hold a JSON object, got {type(schema).__name__}"
        )
    return schema


def _strategy(args: argparse.Namespace) -> ExtractionStrategy | None:
    if args.schema is None:
        if args.xpath:
            raise UsageError("--xpath needs --schema FILE")
        return None
    schema = load_schema(args.schema)
    cls = JsonXPathExtractionStrategy if args.xpath else JsonCssExtractionStrategy
    try:
        return cls(schema)
    except (ValueError, TypeError) as exc:
        raise UsageError(f"bad schema in {args.schema!r}: {exc}") from exc


@contextlib.contextmanager
def _config_errors() -> Iterator[None]:
    """Configuration and schema validation name the field: make that a usage error."""
    try:
        yield
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from exc


def build_browser_config(args: argparse.Namespace, **changes: Any) -> BrowserConfig:
    """The crawler's configuration from the browser options; a bad value is a UsageError."""
    with _config_errors():
        return BrowserConfig(
            browser_type=args.browser,
            headless=not args.headful,
            remote_url=args.remote_url,
            verbose=args.verbose,
            **changes,
        )


def build_run_config(args: argparse.Namespace, **changes: Any) -> CrawlerRunConfig:
    """The crawl's configuration from the crawl options; a bad value is a UsageError."""
    strategy = _strategy(args)
    if args.page_timeout is not None:
        changes["page_timeout"] = args.page_timeout
    with _config_errors():
        return CrawlerRunConfig(
            js_code=args.js,
            wait_for=args.wait_for,
            session_id=args.session_id,
            css_selector=args.css_selector,
            extraction_strategy=strategy,
            **changes,
        )


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)


# -- results -----------------------------------------------------------------------------------


def result_record(result: CrawlResult, *, html: bool = False) -> dict[str, Any]:
    """A JSON-ready view of ``result`` (``extracted_content`` parsed; HTML only if asked)."""
    record: dict[str, Any] = {
        "url": result.url,
        "success": result.success,
        "status_code": result.status_code,
        "redirected_url": result.redirected_url,
        "error_message": result.error_message,
        "session_id": result.session_id,
        "extracted_content": _parsed(result.extracted_content),
        "js_execution_result": result.js_execution_result,
        "metadata": result.metadata,
        "links": result.links,
        "media": result.media,
        "markdown": result.markdown,
        "cache_status": result.cache_status,
        "timings": result.timings,
    }
    if html:
        record["html"] = result.html
        record["cleaned_html"] = result.cleaned_html
    return record


def _parsed(content: str | None) -> Any:
    if content is None:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content


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


def _write_line(out: TextIO, text: str) -> None:
    out.write(text if text.endswith("\n") else text + "\n")
    out.flush()


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
        return _cmd_deep_crawl(args)
    given = [name for name, unset in _DEEP_ONLY.items() if getattr(args, name) != unset]
    if given:
        option = "--" + given[0].replace("_", "-")
        raise UsageError(f"{option} needs --deep-crawl bfs|dfs|best-first")
    if args.screenshot is not None:
        _check_writable(args.screenshot)
    if args.fit and args.output == "text":
        raise UsageError("--fit works with --output markdown, html or json")
    browser_config = build_browser_config(args)
    run_config = build_run_config(
        args, screenshot=args.screenshot is not None, check_robots_txt=args.check_robots_txt
    )
    with WebCrawler(browser_config) as crawler:
        result = crawler.run(args.url, run_config)
    if result.success or args.output == "json":
        _write_line(sys.stdout, _render(result, args.output, fit=args.fit))
    if not result.success:
        return _fail(f"crawl of {result.url} failed: {result.error_message}", EXIT_FAILED)
    if args.screenshot is not None:
        if not result.screenshot:
            return _fail("the browser returned no screenshot", EXIT_FAILED)
        import base64

        Path(args.screenshot).write_bytes(base64.b64decode(result.screenshot))
    return EXIT_OK


# -- crawl --deep-crawl ------------------------------------------------------------------------


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
    with _config_errors():
        scorer = KeywordRelevanceScorer(args.keywords) if args.keywords else None
        return kinds[args.deep_crawl](
            max_depth=DEEP_DEPTH if args.max_depth is None else args.max_depth,
            max_pages=math.inf if args.max_pages is None else args.max_pages,
            include_external=args.include_external,
            url_scorer=scorer,
            state_path=args.state,
        )


class _DeepProgress:
    """A tqdm bar of pages crawled (total: --max-pages when given)."""

    def __init__(self, total: int | None, enabled: bool | None) -> None:
        from tqdm import tqdm

        self.failed = 0
        self.pages = 0
        self._bar = tqdm(
            total=total,
            desc="deep crawl",
            unit="page",
            file=sys.stderr,
            disable=None if enabled is None else not enabled,
            dynamic_ncols=True,
        )

    def add(self, result: CrawlResult) -> None:
        self.pages += 1
        if not result.success:
            self.failed += 1
            self._bar.set_postfix(failed=self.failed, refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def _cmd_deep_crawl(args: argparse.Namespace) -> int:
    """``seleniumcrawl crawl URL --deep-crawl ...``: JSON lines as pages come, a progress bar;
    Ctrl-C stops cleanly (130) and, with ``--state``, the same command goes on from there."""
    from seleniumcrawl.crawler import WebCrawler

    if args.output != "json":
        raise UsageError("--deep-crawl writes JSON lines: --output must be json")
    if args.screenshot is not None:
        raise UsageError("--screenshot takes one page: it does not go with --deep-crawl")
    strategy = build_deep_strategy(args)
    browser_config = build_browser_config(args, max_drivers=args.concurrency)
    run_config = build_run_config(
        args, stream=True, deep_crawl_strategy=strategy, check_robots_txt=args.check_robots_txt
    )
    with _output(args.output_file) as out:
        progress = _DeepProgress(args.max_pages, args.progress)
        try:
            with WebCrawler(browser_config) as crawler, _close_on_interrupt(crawler):
                with _config_errors():  # a state file of another crawl
                    results = crawler.run(args.url, run_config)
                for result in results:  # type: ignore[attr-defined]
                    _write_line(out, json.dumps(result_record(result), default=str))
                    progress.add(result)
        except KeyboardInterrupt:
            progress.close()
            where = f"; the same command resumes from {args.state}" if args.state else ""
            return _fail(f"interrupted after {progress.pages} pages{where}", EXIT_INTERRUPTED)
        finally:
            progress.close()
    if progress.failed:
        return _fail(f"{progress.failed} of {progress.pages} pages failed", EXIT_FAILED)
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
                raise UsageError(f"cannot read URL file {item!r}: {_reason(exc)}") from exc
        elif "://" in item or item.startswith("raw:"):
            urls.append(item)
        else:
            raise UsageError(f"{item!r} is neither a URL nor an existing file")
    if not urls:
        raise UsageError("no URLs to crawl")
    return urls


def _url_lines(text: str) -> list[str]:
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


class _Progress:
    """A tqdm bar on stderr fed by ``run_many``'s progress callback (from worker threads)."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        from tqdm import tqdm

        self._failed = 0
        # disable=None: tqdm shows the bar only when stderr is a terminal.
        self._bar = tqdm(
            total=total,
            desc="crawling",
            unit="url",
            file=sys.stderr,
            disable=None if enabled is None else not enabled,
            dynamic_ncols=True,
        )

    def __call__(self, done: int, total: int, result: CrawlResult) -> None:
        # The dispatcher serialises progress calls, so no lock is needed here.
        if not result.success:
            self._failed += 1
            self._bar.set_postfix(failed=self._failed, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 -- closed below
    except OSError as exc:
        raise UsageError(f"cannot write {path!r}: {_reason(exc)}") from exc
    with stream:
        yield stream


@contextlib.contextmanager
def _close_on_interrupt(crawler: WebCrawler) -> Iterator[None]:
    """On Ctrl-C, close the crawler *before* KeyboardInterrupt unwinds ``run_many``.

    Unwinding joins the dispatcher's workers, which would first finish their crawls in
    flight (up to ``page_timeout`` each); with the browsers gone they end at once. The main
    thread only waits for results meanwhile, so closing from the handler takes no lock it
    holds. A second Ctrl-C interrupts as usual; an ignored SIGINT stays ignored.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN or threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, previous)
        crawler.close()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _cmd_crawl_many(args: argparse.Namespace) -> int:
    """``seleniumcrawl crawl-many``: JSON lines, as crawls complete, with a progress bar."""
    from seleniumcrawl.crawler import WebCrawler

    urls = read_urls(args.inputs)
    browser_config = build_browser_config(args, max_drivers=args.concurrency)
    run_config = build_run_config(
        args,
        stream=True,
        max_retries=args.max_retries,
        mean_delay=args.mean_delay,
        check_robots_txt=args.check_robots_txt,
    )
    failed = 0
    with _output(args.output_file) as out:
        progress = _Progress(len(urls), args.progress)
        try:
            with WebCrawler(browser_config) as crawler, _close_on_interrupt(crawler):
                for result in crawler.run_many(urls, run_config, progress=progress):
                    _write_line(out, json.dumps(result_record(result), default=str))
                    failed += not result.success
        finally:
            progress.close()
    if failed:
        return _fail(f"{failed} of {len(urls)} crawls failed (success=false lines)", EXIT_FAILED)
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
        raise UsageError(f"cannot serve the demo site on port {args.port}: {_reason(exc)}") from exc
    with site:
        _write_line(sys.stdout, f"Demo site: {site.base_url}/")
        try:
            data = asyncio.run(run_demo(site.base_url, browser_config=browser_config))
        except DemoFailed as exc:
            return _fail(f"demo failed: {exc}", EXIT_FAILED)
    write_summary(data, sys.stdout)
    _write_line(sys.stdout, "All three workflows succeeded.")
    return EXIT_OK


# -- doctor ------------------------------------------------------------------------------------

_PACKAGES = ("selenium", "beautifulsoup4", "soupsieve", "lxml", "attrs", "snowballstemmer", "tqdm")
_DOCTOR_HTML = "raw:<html><head><title>doctor</title></head><body><p>ok</p></body></html>"


class _Doctor:
    """Collects the report lines of ``seleniumcrawl doctor``; counts the problems."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.problems = 0

    def info(self, label: str, text: str) -> None:
        _write_line(self.out, f"{label + ':':<16}{text}")

    def problem(self, what: str, fix: str) -> None:
        self.problems += 1
        _write_line(self.out, f"problem: {' '.join(what.split())} -- fix: {fix}")


def _cmd_doctor(args: argparse.Namespace) -> int:
    """``seleniumcrawl doctor``: versions, browser, driver, a real crawl; 1 on any problem."""
    browser_config = build_browser_config(args)
    doctor = _Doctor(sys.stdout)
    _check_versions(doctor)
    if browser_config.remote_url is not None:
        _check_remote(doctor, browser_config.remote_url)
    else:
        _check_local(doctor, browser_config)
    if doctor.problems == 0:
        _check_crawl(doctor, browser_config)
    if doctor.problems:
        return _fail(f"doctor found {doctor.problems} problem(s); see 'problem:' above", 1)
    _write_line(sys.stdout, "all checks passed")
    return EXIT_OK


def _check_versions(doctor: _Doctor) -> None:
    from importlib import metadata

    from seleniumcrawl import __version__

    doctor.info("seleniumcrawl", __version__)
    doctor.info("python", f"{sys.version.split()[0]} ({sys.executable})")
    for name in _PACKAGES:
        try:
            doctor.info(name, metadata.version(name))
        except metadata.PackageNotFoundError:
            doctor.problem(f"Python package {name} is not installed", f"pip install {name}")


def _program_version(path: str) -> str | None:
    """First line of ``path --version`` (Debian's chromium wrapper chatters on stderr)."""
    import subprocess

    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[0].strip() if done.returncode == 0 and lines else None


def _major(version: str | None) -> int | None:
    import re

    match = re.search(r"(\d+)\.\d+", version or "")
    return int(match.group(1)) if match else None


def _check_local(doctor: _Doctor, config: BrowserConfig) -> None:
    from seleniumcrawl.browser.launch import find_browser, find_driver, running_as_root
    from seleniumcrawl.errors import DriverNotFoundError

    browser = find_browser(config)
    browser_version = _program_version(browser) if browser else None
    if browser is None:
        doctor.problem(
            f"no {config.browser_type} binary found on PATH",
            "apt-get install chromium (Debian/Ubuntu), or set BrowserConfig(browser_path=...)",
        )
    else:
        doctor.info("browser", f"{browser} ({browser_version or 'version unknown'})")
    try:
        driver = find_driver(config)
    except DriverNotFoundError as exc:
        doctor.problem(str(exc), "point the variable at an existing driver executable")
        return
    driver_version = _program_version(driver) if driver else None
    if driver is None:
        doctor.info("driver", "none found; Selenium Manager will try to download one")
    else:
        doctor.info("driver", f"{driver} ({driver_version or 'version unknown'})")
    majors = _major(browser_version), _major(driver_version)
    if None not in majors and majors[0] != majors[1]:
        doctor.problem(
            f"browser version {majors[0]} does not match driver version {majors[1]}",
            "install the driver built for your browser (Debian: chromium-driver next to "
            "chromium), or set SELENIUMCRAWL_CHROMEDRIVER to it",
        )
    root = "yes: Chromium runs with --no-sandbox" if running_as_root() else "no"
    doctor.info("root", root)


def _check_remote(doctor: _Doctor, url: str) -> None:
    from seleniumcrawl.browser.remote import GridError, grid_status

    try:
        status = grid_status(url)
    except GridError as exc:
        doctor.problem(str(exc), f"start the Grid (make grid) or check --remote-url {url}")
        return
    if status["kind"] == "webdriver":
        doctor.info("remote", f"{url}: WebDriver server, ready={status['ready']}")
    else:
        doctor.info(
            "remote",
            f"{url}: Selenium Grid ({status['kind']}), ready={status['ready']}, "
            f"nodes up {status['nodes_up']}/{status['nodes']}, "
            f"free slots {status['free_slots']}/{status['total_slots']}, "
            f"sessions {status['sessions']}",
        )
        if status["ready"] and status["free_slots"] == 0:
            doctor.info("warning", "no free slot now: new sessions wait in the Grid's queue")
    if not status["ready"]:
        doctor.problem(
            f"{url} is not ready: {status['message'] or 'no reason given'}",
            "wait for the Grid's nodes to register, or check the Grid's log",
        )


def _check_crawl(doctor: _Doctor, config: BrowserConfig) -> None:
    """Start a browser and crawl a ``raw:`` page in it (a JS step forces the browser)."""
    import time

    from seleniumcrawl.crawler import WebCrawler

    run_config = CrawlerRunConfig(js_code="return navigator.userAgent", page_timeout=30000)
    started = time.perf_counter()
    with WebCrawler(config) as crawler:
        result = crawler.run(_DOCTOR_HTML, run_config)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if not result.success:
        doctor.problem(
            f"the browser could not crawl a page: {result.error_message}",
            "run 'seleniumcrawl doctor --verbose' for the driver's log",
        )
        return
    agent = (result.js_execution_result or {}).get("results", [None])[0]
    doctor.info("first crawl", f"OK in {elapsed_ms:.0f} ms (browser start included)")
    doctor.info("user agent", str(agent))


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
    "main",
    "read_urls",
    "result_record",
]


if __name__ == "__main__":
    sys.exit(main())
