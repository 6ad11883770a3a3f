"""The pytest plugin (registered through the ``pytest11`` entry point as ``seleniumcrawl``).

Fixtures:

- ``crawler``: a blocking :class:`~seleniumcrawl.crawler.WebCrawler`, one per test session
  (browsers start lazily, so a run that never crawls starts none), closed at the end;
- ``async_crawler``: an :class:`~seleniumcrawl.async_crawler.AsyncWebCrawler` per test;
- ``crawl_session``: a fresh, unique ``session_id`` for ``crawler``, killed after the test;
- ``demo_site``: the base URL of the bundled demo site (``$SELENIUMCRAWL_DEMO_URL`` if set);
- ``sc_browser_config``: the :class:`~seleniumcrawl.config.BrowserConfig` both crawlers use,
  built from ``--sc-browser``, ``--sc-headful`` and ``--sc-remote-url`` (override it in a
  ``conftest.py`` to change anything else).

When a test fails, every session window it used (windows opened during the test on
``crawler``, and every window of its ``async_crawler``) is captured as a PNG and its HTML
under ``<basetemp>/seleniumcrawl-failures/<test name>/``; the report lists the paths.
Crawls of the test that asked for ``capture_console_messages`` or
``capture_network_requests`` add ``console.log`` and ``network.har`` (HAR 1.2) there.

Importing this module is cheap: pytest loads it in every project where seleniumcrawl is
installed, so seleniumcrawl's crawling modules (Selenium, BeautifulSoup) are imported only
when a fixture is used, and no hook does anything before then.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
import logging
import re
import uuid
from collections.abc import Callable, Coroutine, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

from seleniumcrawl.config import BROWSER_TYPES

if TYPE_CHECKING:
    from seleniumcrawl.async_crawler import AsyncWebCrawler
    from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
    from seleniumcrawl.crawler import WebCrawler
    from seleniumcrawl.models import CrawlResult

log = logging.getLogger(__name__)

_T = TypeVar("_T")

#: The browsers ``--sc-browser`` accepts (configs import no parser, so this is cheap).
BROWSER_CHOICES = BROWSER_TYPES

#: Sub-directory of pytest's base temp dir that holds the windows of failed tests.
FAILURES_DIR = "seleniumcrawl-failures"

#: A ``js_only`` crawl never navigates, so its URL only labels the result; the window's real
#: address comes back as ``redirected_url``.
_CAPTURE_URL = "http://seleniumcrawl.invalid/failure-capture"

#: pytest plugins that run ``async def`` tests (pytest-asyncio registers as "asyncio").
_ASYNC_PLUGINS = ("asyncio", "anyio")

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass
class _State:
    """What the hooks need to know about the crawlers the fixtures handed out."""

    crawler: WebCrawler | None = None
    async_crawler: AsyncWebCrawler | None = None
    failures_dir: Path | None = None
    #: The running test's HAR (``--sc-record-har`` / ``--sc-replay-har``): (mode, path).
    har: tuple[str, str] | None = None
    #: Results of the running test's crawls that carry a network or console capture.
    captured: list[CrawlResult] = field(default_factory=list)

    def observe(self, result: CrawlResult) -> None:
        """Keep a result with captured events (called from the crawlers' threads)."""
        if result.network_requests is not None or result.console_messages is not None:
            self.captured.append(result)


_STATE = pytest.StashKey[_State]()
_SESSIONS_BEFORE = pytest.StashKey[frozenset[str]]()
_CAPTURED = pytest.StashKey[bool]()


# -- options -------------------------------------------------------------------------------


def _remote_url(value: str) -> str:
    """argparse type: fail at the command line, not in every test, on a bad Grid URL."""
    import argparse

    if not re.match(r"^https?://[^/\s]+", value):
        raise argparse.ArgumentTypeError(f"must be an http(s) URL, got {value!r}")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--sc-browser``, ``--sc-headful`` and ``--sc-remote-url``."""
    group = parser.getgroup("seleniumcrawl", "seleniumcrawl browser fixtures")
    group.addoption(
        "--sc-browser",
        default="chromium",
        choices=BROWSER_CHOICES,
        help="browser of the crawler fixtures (default: chromium)",
    )
    group.addoption(
        "--sc-headful",
        action="store_true",
        default=False,
        help="show the browser windows of the crawler fixtures (needs a display)",
    )
    group.addoption(
        "--sc-remote-url",
        default=None,
        type=_remote_url,
        metavar="URL",
        help="run the crawler fixtures' browsers on this Selenium Grid / WebDriver server",
    )
    group.addoption(
        "--sc-record-har",
        dest="sc_record_har",
        metavar="DIR",
        default=None,
        help="record each test's crawls (crawler/async_crawler fixtures) to DIR/<test>.har",
    )
    group.addoption(
        "--sc-replay-har",
        dest="sc_replay_har",
        metavar="DIR",
        default=None,
        help="answer each test's crawls from DIR/<test>.har, with no network",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Give the run its (empty) plugin state."""
    config.stash[_STATE] = _State()


def browser_config_from_options(config: pytest.Config) -> BrowserConfig:
    """The BrowserConfig the ``--sc-*`` options describe."""
    from seleniumcrawl.config import BrowserConfig

    return BrowserConfig(
        browser_type=config.getoption("sc_browser"),
        headless=not config.getoption("sc_headful"),
        remote_url=config.getoption("sc_remote_url"),
    )


def _state(config: pytest.Config) -> _State:
    state = config.stash.get(_STATE, None)
    if state is None:
        state = config.stash[_STATE] = _State()
    return state


def _remember_failures_dir(config: pytest.Config, factory: pytest.TempPathFactory) -> None:
    _state(config).failures_dir = factory.getbasetemp() / FAILURES_DIR


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sc_browser_config(pytestconfig: pytest.Config) -> BrowserConfig:
    """The BrowserConfig of ``crawler`` and ``async_crawler`` (from the ``--sc-*`` options)."""
    return browser_config_from_options(pytestconfig)


@pytest.fixture(scope="session")
def crawler(
    pytestconfig: pytest.Config,
    sc_browser_config: BrowserConfig,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[WebCrawler]:
    """A blocking WebCrawler shared by the whole test session, closed at its end."""
    from seleniumcrawl.crawler import WebCrawler

    state = _state(pytestconfig)
    _remember_failures_dir(pytestconfig, tmp_path_factory)
    with WebCrawler(sc_browser_config) as shared:
        state.crawler = shared
        shared._engine.observers.append(state.observe)
        shared._engine.har_override = lambda: state.har
        try:
            yield shared
        finally:
            state.crawler = None


@pytest.fixture
def async_crawler(
    request: pytest.FixtureRequest,
    sc_browser_config: BrowserConfig,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[AsyncWebCrawler]:
    """An AsyncWebCrawler for one ``async def`` test, closed after it.

    A plain (synchronous) fixture on purpose: the crawler binds to no event loop (``arun``
    only awaits a driver thread's future), so it serves pytest-asyncio in strict or auto
    mode and with any loop scope, and anyio's runner too.
    """
    if not any(request.config.pluginmanager.hasplugin(name) for name in _ASYNC_PLUGINS):
        pytest.skip(
            "the async_crawler fixture needs a plugin that runs async tests: "
            "pip install pytest-asyncio (or use the blocking `crawler` fixture)"
        )
    from seleniumcrawl.async_crawler import AsyncWebCrawler

    state = _state(request.config)
    _remember_failures_dir(request.config, tmp_path_factory)
    own = AsyncWebCrawler(sc_browser_config)
    own._engine.observers.append(state.observe)
    own._engine.har_override = lambda: state.har
    state.async_crawler = own
    try:
        yield own
    finally:
        state.async_crawler = None
        _run_coroutine(own.close())


@pytest.fixture
def crawl_session(request: pytest.FixtureRequest, crawler: WebCrawler) -> Iterator[str]:
    """A fresh session id for ``crawler``; its window is killed after the test."""
    session_id = f"pytest-{_safe_name(request.node.name)[:60]}-{uuid.uuid4().hex[:8]}"
    yield session_id
    try:
        crawler.kill_session(session_id)
    except Exception as exc:  # a closed crawler has no window left to kill
        log.debug("crawl_session %s: kill_session failed: %s", session_id, exc)


@pytest.fixture(autouse=True)
def _sc_har(request: pytest.FixtureRequest) -> Iterator[None]:
    """With ``--sc-record-har DIR`` each test's crawls (through ``crawler`` and
    ``async_crawler``) are recorded to ``DIR/<test id>.har`` (made anew, bodies embedded,
    0600); with ``--sc-replay-har DIR`` they are answered from it, no network at all
    (a request it does not hold is aborted); a test with no recording fails, saying so.
    Both options given: recording wins."""
    record = request.config.getoption("sc_record_har", None)
    replay = request.config.getoption("sc_replay_har", None)
    if not record and not replay:
        yield
        return
    state = _state(request.config)
    name = _safe_name(request.node.nodeid)[:150] + ".har"
    if record:
        path = Path(record).resolve() / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        state.har = ("record", str(path))
    else:
        path = Path(replay).resolve() / name
        if not path.exists():
            pytest.fail(
                f"--sc-replay-har: no recording for this test ({path}); record it first "
                "with --sc-record-har",
                pytrace=False,
            )
        state.har = ("replay", str(path))
    try:
        yield
    finally:
        state.har = None


@pytest.fixture(scope="session")
def demo_site() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of the bundled demo site, served for the session."""
    from seleniumcrawl.demo.site import demo_base_url

    with demo_base_url() as base_url:
        yield base_url


# -- failure capture ---------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Note the shared crawler's sessions before the test, to tell which ones it opened."""
    state = item.config.stash.get(_STATE, None)
    item.stash[_SESSIONS_BEFORE] = frozenset(_live_sessions(state.crawler if state else None))
    if state is not None:
        state.captured.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failed setup or call, save the test's windows before teardown closes them."""
    report = yield
    if report.failed and report.when in ("setup", "call") and not item.stash.get(_CAPTURED, False):
        item.stash[_CAPTURED] = True
        try:
            lines = _capture_failure(item)
        except Exception as exc:  # a broken capture must never hide the test's own failure
            log.debug("seleniumcrawl failure capture failed", exc_info=True)
            lines = [f"could not capture the browser windows: {type(exc).__name__}: {exc}"]
        if lines:
            report.sections.append(("seleniumcrawl: browser windows", "\n".join(lines)))
    return report


_Capture = Callable[["CrawlerRunConfig"], "CrawlResult"]


def _capture_failure(item: pytest.Item) -> list[str]:
    """Save every window the test used; return one report line per file or problem."""
    state = item.config.stash.get(_STATE, None)
    if state is None or state.failures_dir is None:
        return []
    targets = _windows_of_test(item, state)
    captured = list(state.captured)
    if not targets and not captured:
        return []
    directory = _unique_dir(state.failures_dir, _safe_name(item.name))
    lines: list[str] = []
    for label, session_id, capture in targets:
        lines.extend(_save_window(capture, label, session_id, directory))
    lines.extend(_save_captures(captured, directory))
    return lines


def _save_captures(results: list[CrawlResult], directory: Path) -> list[str]:
    """The console log (text) and network log (HAR) of the test's capturing crawls."""
    from seleniumcrawl.har import to_har

    lines: list[str] = []
    consoles = [r for r in results if r.console_messages is not None]
    if consoles:
        path = directory / "console.log"
        with path.open("w", encoding="utf-8") as out:
            for result in consoles:
                out.write(f"# {result.url}\n")
                for message in result.console_messages or []:
                    out.write(f"{message['timestamp']:.3f} [{message['type']}] {message['text']}\n")
        lines.append(f"console log: {path}")
    networks = [r.network_requests for r in results if r.network_requests is not None]
    if networks:
        path = directory / "network.har"
        path.write_text(json.dumps(to_har(networks), indent=1), encoding="utf-8")
        lines.append(f"network log (HAR): {path}")
    return lines


def _windows_of_test(item: pytest.Item, state: _State) -> list[tuple[str, str, _Capture]]:
    """(file label, session id, capture function) of each window the test may have used."""
    targets: list[tuple[str, str, _Capture]] = []
    shared = state.crawler
    if shared is not None:
        before = item.stash.get(_SESSIONS_BEFORE, frozenset())
        for session_id in sorted(set(_live_sessions(shared)) - before):
            targets.append((session_id, session_id, _blocking_capture(shared)))
    own = state.async_crawler
    if own is not None:
        for session_id in sorted(_live_sessions(own)):
            targets.append((f"async-{session_id}", session_id, _async_capture(own)))
    return targets


def _blocking_capture(shared: WebCrawler) -> _Capture:
    return lambda config: shared.run(_CAPTURE_URL, config)


def _async_capture(own: AsyncWebCrawler) -> _Capture:
    return lambda config: _run_coroutine(own.arun(_CAPTURE_URL, config))


def _save_window(capture: _Capture, label: str, session_id: str, directory: Path) -> list[str]:
    """Re-capture the window's current DOM and screenshot (``js_only``: no navigation)."""
    from seleniumcrawl.config import CrawlerRunConfig

    config = CrawlerRunConfig(session_id=session_id, js_only=True, screenshot=True)
    result = capture(config)
    if not result.success:
        return [f"session {session_id!r}: could not capture the window: {result.error_message}"]
    stem = _safe_name(label)
    lines = [f"session {session_id!r} at {result.redirected_url}"]
    if result.screenshot:
        png = directory / f"{stem}.png"
        png.write_bytes(base64.b64decode(result.screenshot))
        lines.append(f"  screenshot: {png}")
    html = directory / f"{stem}.html"
    html.write_text(result.html, encoding="utf-8")
    lines.append(f"  html: {html}")
    return lines


def _live_sessions(crawler: WebCrawler | AsyncWebCrawler | None) -> list[str]:
    if crawler is None:
        return []
    try:
        return crawler.sessions()
    except Exception:  # a closed or broken crawler has no windows to save
        return []


def _run_coroutine(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coroutine`` on a private loop in a worker thread.

    Called between test phases, when no loop runs; a fresh thread keeps the calling thread's
    event loop (which pytest-asyncio may own) untouched.
    """
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=1, thread_name_prefix="seleniumcrawl-pytest"
    ) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def _safe_name(name: str) -> str:
    """``name`` as one file-name component (test ids hold ``[``, ``/``, spaces...)."""
    return _SAFE_NAME.sub("_", name).strip("._") or "test"


def _unique_dir(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``... when a same-named test failed already."""
    parent.mkdir(parents=True, exist_ok=True)
    candidate, number = parent / name, 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            number += 1
            candidate = parent / f"{name}-{number}"


__all__ = [
    "BROWSER_CHOICES",
    "FAILURES_DIR",
    "async_crawler",
    "browser_config_from_options",
    "crawl_session",
    "crawler",
    "demo_site",
    "sc_browser_config",
]
