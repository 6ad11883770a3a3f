"""What every ``seleniumcrawl`` command shares: exit statuses, usage errors, the parser
class, the one-line error report, configurations built from the options, the JSON view of
a result and the output helpers (imported by :mod:`seleniumcrawl.cli` and its commands).

This package is the program's user interface, so it writes to stdout/stderr directly; the
library below it only logs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig

if TYPE_CHECKING:
    from seleniumcrawl.content.extraction import ExtractionStrategy
    from seleniumcrawl.crawler import WebCrawler
    from seleniumcrawl.models import CrawlResult

PROG = "seleniumcrawl"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A bad command line, configuration value, schema or input file: exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (raised, so ``main`` can return 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def error(message: str) -> None:
    """``seleniumcrawl: error: <message>`` on one line of stderr."""
    sys.stderr.write(f"{PROG}: error: {' '.join(str(message).split())}\n")
    sys.stderr.flush()


def fail(message: str, status: int) -> int:
    """Print ``message`` as one error line on stderr; return ``status``."""
    error(message)
    return status


def reason(exc: BaseException) -> str:
    """An OS error's text without its errno prefix; any other error's message."""
    return getattr(exc, "strerror", None) or str(exc)


def write_line(out: TextIO, text: str) -> None:
    """``text`` and a newline (unless it ends with one), flushed at once."""
    out.write(text if text.endswith("\n") else text + "\n")
    out.flush()


def progress_bar(total: int | None, *, desc: str, unit: str, enabled: bool | None) -> Any:
    """A tqdm bar on stderr; ``enabled=None`` shows it only when stderr is a terminal."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=sys.stderr,
        disable=None if enabled is None else not enabled,
        dynamic_ncols=True,
    )


# -- configurations from the options ------------------------------------------------------


@contextlib.contextmanager
def config_errors() -> Iterator[None]:
    """Configuration and schema validation name the field: make that a usage error."""
    try:
        yield
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from exc


def build_browser_config(args: argparse.Namespace, **changes: Any) -> BrowserConfig:
    """The crawler's configuration from the browser options; a bad value is a UsageError."""
    with config_errors():
        return BrowserConfig(
            browser_type=args.browser,
            headless=not args.headful,
            remote_url=args.remote_url,
            verbose=args.verbose,
            **changes,
        )


def load_schema(path: str) -> dict[str, Any]:
    """The JSON object in ``path``; :class:`UsageError` when unreadable or not an object."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read schema file {path!r}: {reason(exc)}") from exc
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
    from seleniumcrawl.content.extraction import (
        JsonCssExtractionStrategy,
        JsonXPathExtractionStrategy,
    )

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


def build_run_config(args: argparse.Namespace, **changes: Any) -> CrawlerRunConfig:
    """The crawl's configuration from the crawl options; a bad value is a UsageError."""
    strategy = _strategy(args)
    if args.page_timeout is not None:
        changes["page_timeout"] = args.page_timeout
    with config_errors():
        return CrawlerRunConfig(
            js_code=args.js,
            wait_for=args.wait_for,
            session_id=args.session_id,
            css_selector=args.css_selector,
            extraction_strategy=strategy,
            **changes,
        )


# -- results and where they go -------------------------------------------------------------


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


@contextlib.contextmanager
def output(path: str | None) -> Iterator[TextIO]:
    """``path`` opened for writing (a UsageError if it cannot be), else stdout."""
    if path is None:
        yield sys.stdout
        return
    try:
        stream = open(path, "w", encoding="utf-8")  # noqa: SIM115 -- closed below
    except OSError as exc:
        raise UsageError(f"cannot write {path!r}: {reason(exc)}") from exc
    with stream:
        yield stream


@contextlib.contextmanager
def close_on_interrupt(crawler: WebCrawler) -> Iterator[None]:
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
