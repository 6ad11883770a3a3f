"""Finding and starting browsers: one :class:`ManagedDriver` per browser process.

The driver executable is looked up in SPEC order: ``BrowserConfig.driver_path``,
the ``SELENIUMCRAWL_CHROMEDRIVER`` (or ``SELENIUMCRAWL_GECKODRIVER``) variable,
the driver on ``PATH``, webdriver-manager when installed, then Selenium Manager.
Whenever we found a driver ourselves, Selenium Manager (which needs the network)
is skipped by handing the path to ``Service``.

Local and remote Chromium both go through ``webdriver.Remote`` with a
``ChromiumRemoteConnection``, so one code path serves both, CDP commands work on
both (``executeCdpCommand``), and every HTTP call has ``command_timeout``.

A WebDriver server that stops answering (a hung node, a Grid whose slots are all
busy) must cost one ``command_timeout``, not hang the crawl, and a failure to
start a browser must read as one line saying why: :func:`create_driver` raises
:class:`~seleniumcrawl.errors.CrawlError` with such a line
(:func:`start_failure_message`), and :func:`is_timeout` tells "no answer in
time" apart from other transport errors.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import urllib3
from selenium import webdriver
from selenium.common.exceptions import SessionNotCreatedException, WebDriverException
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.chromium.remote_connection import ChromiumRemoteConnection
from selenium.webdriver.common.service import Service
from selenium.webdriver.firefox.options import Options as FirefoxOptions
from selenium.webdriver.firefox.service import Service as FirefoxService
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.remote.webdriver import WebDriver
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from seleniumcrawl import _procs
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.errors import CrawlError, DriverNotFoundError
from seleniumcrawl.urls import is_loopback_host

log = logging.getLogger(__name__)

#: Seconds an HTTP call may run past a timeout the browser enforces itself (page load,
#: async script), so the browser's own, clearer timeout error arrives before ours.
HTTP_TIMEOUT_SLACK = 10.0
#: Client timeout for the goodbye calls (quit) to a driver that already stopped answering.
UNRESPONSIVE_QUIT_TIMEOUT = 2.0
#: force_kill only needs its DELETE delivered, not answered (the answer waits for the stuck call).
_FORCE_DELETE_TIMEOUT = 1.0
#: What the Grid says when a new-session request waited in its queue too long.
_QUEUE_TIMEOUT_MARKER = "new session request timed out"
#: Errors of the HTTP layer below Selenium (urllib3, sockets); Selenium does not wrap them.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    urllib3.exceptions.HTTPError,
    ConnectionError,
    TimeoutError,
)
_START_ERRORS: tuple[type[BaseException], ...] = (WebDriverException, *TRANSPORT_ERRORS)

#: Flags without which Chromium tries to reach Google's hosts and stalls on a closed network.
QUIET_CHROMIUM_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--mute-audio",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
)

_CHROMIUM_BINARIES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)

_INSTALL_HINT = {
    "chromedriver": (
        "install one (Debian/Ubuntu: 'apt-get install chromium chromium-driver'), "
        "or set BrowserConfig(driver_path=...) or SELENIUMCRAWL_CHROMEDRIVER, "
        "or 'pip install seleniumcrawl[wdm]' to let webdriver-manager download it"
    ),
    "geckodriver": (
        "download geckodriver from Mozilla's releases and put it on PATH, "
        "or set BrowserConfig(driver_path=...) or SELENIUMCRAWL_GECKODRIVER"
    ),
}


def describe_error(exc: BaseException) -> str:
    """A one-line description of ``exc`` (Selenium's ``msg`` without its stack trace).

    Selenium appends a documentation link to every message; it is dropped here, it
    only makes a one-line ``error_message`` two lines long.
    """
    text = str(getattr(exc, "msg", None) or str(exc) or type(exc).__name__).strip()
    first = text.splitlines()[0].strip() if text else type(exc).__name__
    return first.split("; For documentation on this error")[0].strip() or type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, its causes/contexts and urllib3's ``MaxRetryError.reason`` (cycle-safe)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        reason = item.reason if isinstance(item, MaxRetryError) else None
        todo.extend([reason, item.__cause__, item.__context__])
    return seen


def is_timeout(exc: BaseException) -> bool:
    """Whether ``exc`` means the WebDriver server did not answer within the client timeout.

    urllib3 makes ``NewConnectionError`` (connection refused: an instant answer) a
    subclass of its connect-timeout error, so it is excluded by name.
    """
    return any(
        isinstance(e, (urllib3.exceptions.TimeoutError, TimeoutError))
        and not isinstance(e, NewConnectionError)
        for e in _chain(exc)
    )


def transport_reason(exc: BaseException) -> str:
    """A short reason for a transport error (urllib3 buries it in a long repr)."""
    for e in _chain(exc):
        if isinstance(e, ConnectionRefusedError) or "connection refused" in str(e).lower():
            return "connection refused"
        if isinstance(e, (ConnectionResetError, urllib3.exceptions.ProtocolError)):
            return "the connection was closed without an answer"
    for e in _chain(exc):
        if isinstance(e, MaxRetryError) and e.reason is not None:
            return describe_error(e.reason)
    return describe_error(exc)


def start_failure_message(exc: BaseException, config: BrowserConfig, elapsed: float) -> str:
    """One line saying why a browser could not be started (``elapsed`` s after asking).

    Distinguishes what a user acts on differently: a Grid whose slots stayed busy
    past its ``session-request-timeout``, a server that did not answer within
    ``command_timeout``, a server that cannot be reached, and anything else.
    """
    where = config.remote_url or "the local driver"
    grid = config.remote_url is not None
    text = describe_error(exc)
    if grid and isinstance(exc, SessionNotCreatedException):
        if _QUEUE_TIMEOUT_MARKER in text.lower():
            return (
                f"Selenium Grid could not start a session: no free slot within {elapsed:.0f} s "
                f"at {where} (the Grid's session-request-timeout passed: every slot stayed "
                "busy, or the browser took longer than that to start); lower max_drivers, add "
                "slots or nodes, or raise the Grid's --session-request-timeout"
            )
        return f"Selenium Grid could not start a session at {where}: {text}"
    if is_timeout(exc):
        hint = (
            "; a Grid holds a new-session request until a slot is free or its "
            "session-request-timeout passes, so keep command_timeout above that"
            if grid
            else ""
        )
        return (
            f"could not start a browser: the WebDriver server at {where} did not answer "
            f"within command_timeout={config.command_timeout:g} s{hint}"
        )
    if not isinstance(exc, WebDriverException):
        return f"could not start a browser: cannot reach {where}: {transport_reason(exc)}"
    return f"could not start a browser: {text}"


def running_as_root() -> bool:
    """Chromium refuses to start as root without ``--no-sandbox``."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _driver_name(config: BrowserConfig) -> str:
    return "chromedriver" if config.is_chromium else "geckodriver"


def _from_webdriver_manager(config: BrowserConfig) -> str | None:
    try:
        if config.is_chromium:
            from webdriver_manager.chrome import ChromeDriverManager

            return str(ChromeDriverManager().install())
        from webdriver_manager.firefox import GeckoDriverManager

        return str(GeckoDriverManager().install())
    except ImportError:
        return None
    except Exception as exc:  # offline, rate-limited, unknown version: fall through
        log.debug("webdriver-manager could not provide a driver: %s", exc)
        return None


def find_driver(config: BrowserConfig, *, use_manager: bool = True) -> str | None:
    """The driver executable for ``config``, or None to let Selenium Manager try."""
    if config.driver_path:
        return config.driver_path
    name = _driver_name(config)
    env = os.environ.get(f"SELENIUMCRAWL_{name.upper()}")
    if env:
        if not os.path.isfile(env):
            raise DriverNotFoundError(f"SELENIUMCRAWL_{name.upper()}={env!r} is not a file")
        return env
    on_path = shutil.which(name)
    if on_path:
        return on_path
    return _from_webdriver_manager(config) if use_manager else None


def find_browser(config: BrowserConfig) -> str | None:
    """The browser binary, when we can name it (else the driver's own default)."""
    if config.browser_path:
        return config.browser_path
    names = _CHROMIUM_BINARIES if config.is_chromium else ("firefox", "firefox-esr")
    if config.browser_type == "chrome":
        names = ("google-chrome", "google-chrome-stable", "chrome", "chromium", "chromium-browser")
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_args(config: BrowserConfig) -> list[str]:
    """Command-line flags for Chromium built from ``config``."""
    args: list[str] = []
    # A node on this machine runs as our user; as root Chromium needs --no-sandbox there too.
    local_node = config.remote_url is None or is_loopback_host(urlsplit(config.remote_url).hostname)
    if running_as_root() and local_node:
        args.append("--no-sandbox")
    if config.headless:
        args.append("--headless=new")
    args.extend(QUIET_CHROMIUM_ARGS)
    args.append(f"--window-size={config.viewport_width},{config.viewport_height}")
    if config.user_agent:
        args.append(f"--user-agent={config.user_agent}")
    if config.proxy:
        args.append(f"--proxy-server={config.proxy}")
    if config.ignore_https_errors:
        args.append("--ignore-certificate-errors")
    if config.text_mode:
        args.append("--blink-settings=imagesEnabled=false")
    if config.user_data_dir:
        args.append(f"--user-data-dir={config.user_data_dir}")
    args.extend(config.extra_args)
    return args


def build_options(config: BrowserConfig, session_name: str) -> ChromeOptions | FirefoxOptions:
    """Selenium options (capabilities) for ``config``; ``se:name`` labels it in the Grid UI."""
    options: ChromeOptions | FirefoxOptions
    if config.is_chromium:
        options = ChromeOptions()
        for arg in chromium_args(config):
            options.add_argument(arg)
        if config.remote_url is None:
            binary = find_browser(config)
            if binary:
                options.binary_location = binary
        if not config.java_script_enabled:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2}
            )
    else:
        options = FirefoxOptions()
        if config.headless:
            options.add_argument("-headless")
        options.add_argument(f"--width={config.viewport_width}")
        options.add_argument(f"--height={config.viewport_height}")
        for arg in config.extra_args:
            options.add_argument(arg)
        if config.user_agent:
            options.set_preference("general.useragent.override", config.user_agent)
        if not config.java_script_enabled:
            options.set_preference("javascript.enabled", False)
        if config.text_mode:
            options.set_preference("permissions.default.image", 2)
        if config.remote_url is None:
            binary = find_browser(config)
            if binary:
                options.binary_location = binary
    options.accept_insecure_certs = config.ignore_https_errors
    options.page_load_strategy = "normal"
    # Like Crawl4AI (Playwright): dialogs are dismissed. Selenium's default ("dismiss and
    # notify") fails the next command with "unexpected alert open" - a page that alerts on
    # load could never be crawled, and a session's next crawl failed for an old dialog.
    options.unhandled_prompt_behavior = "dismiss"
    if config.remote_url is not None:
        options.set_capability("se:name", session_name)
    return options


class ManagedDriver:
    """One WebDriver plus what we need to end it for sure (service, recorded pids).

    Owned by one driver thread; only :meth:`force_kill` may be called from others.
    """

    def __init__(
        self,
        driver: WebDriver,
        config: BrowserConfig,
        service: Service | None,
        name: str,
        client_config: ClientConfig | None = None,
    ) -> None:
        self.driver = driver
        self.config = config
        self.name = name
        self._service = service
        #: Our HTTP client settings; Selenium reads ``timeout`` from it on every request.
        self._client_config = client_config
        self._pids: list[int] = []
        #: Called after quit() ended the processes (the pool forgets their pids).
        self.on_quit: Callable[[ManagedDriver], None] | None = None
        self._quit_lock = threading.Lock()
        self._quit = False
        self.page_load_timeout_ms: float | None = None
        self.script_timeout_ms: float | None = None
        self.last_used = time.monotonic()
        self.anchor_handle = driver.current_window_handle
        #: The window WebDriver commands go to, when known; saves a switch per crawl.
        #: None means unknown (after any failure), so the next crawl switches explicitly.
        self.focused: str | None = self.anchor_handle
        self.record_pids()

    @property
    def is_remote(self) -> bool:
        """True when the browser runs behind a remote WebDriver server (a Grid)."""
        return self._service is None

    @property
    def driver_pid(self) -> int | None:
        """The local driver process (chromedriver), or None for remote drivers."""
        process = getattr(self._service, "process", None)
        return process.pid if process is not None else None

    def record_pids(self) -> None:
        """Remember the driver's process tree so a dead driver's browser can still be ended."""
        pid = self.driver_pid
        if pid is not None:
            self._pids = [pid, *_procs.descendants(pid)]

    @property
    def pids(self) -> list[int]:
        """The driver and browser processes recorded at start (empty for remote drivers)."""
        return list(self._pids)

    @property
    def browser_pids(self) -> list[int]:
        """The browser processes started by the driver (recorded at start)."""
        return self._pids[1:]

    def processes_alive(self) -> bool:
        """For local drivers: the driver and its main browser process still run."""
        if self.is_remote or not self._pids:
            return True
        return all(_procs.is_alive(pid) for pid in self._pids[:2])

    def cdp(self, cmd: str, params: dict[str, Any] | None = None) -> Any:
        """Run a Chrome DevTools Protocol command on the current window (Chromium only)."""
        return self.driver.execute("executeCdpCommand", {"cmd": cmd, "params": params or {}})[
            "value"
        ]

    def set_page_load_timeout(self, ms: float) -> None:
        """Set the page-load timeout, skipping the round trip when it is unchanged."""
        if self.page_load_timeout_ms != ms:
            self.driver.set_page_load_timeout(ms / 1000)
            self.page_load_timeout_ms = ms
            self._fit_http_timeout()

    def set_script_timeout(self, ms: float) -> None:
        """Set the async-script timeout, skipping the round trip when it is unchanged."""
        if self.script_timeout_ms != ms:
            self.driver.set_script_timeout(ms / 1000)
            self.script_timeout_ms = ms
            self._fit_http_timeout()

    @property
    def http_timeout(self) -> float | None:
        """Seconds the next HTTP call to the driver may take (None: not ours to manage)."""
        return None if self._client_config is None else float(self._client_config.timeout)

    def _fit_http_timeout(self) -> None:
        """Let a call the browser bounds itself outlast that bound.

        A ``page_timeout`` above ``command_timeout`` would otherwise end a slow page
        load with a client-side timeout, which reads as a hung driver, instead of
        the browser's own page-load timeout.
        """
        if self._client_config is None:
            return
        longest = max(self.page_load_timeout_ms or 0, self.script_timeout_ms or 0) / 1000
        self._client_config.timeout = max(self.config.command_timeout, longest + HTTP_TIMEOUT_SLACK)

    def mark_unresponsive(self) -> None:
        """The driver stopped answering: its goodbye calls (quit) get a short timeout.

        Without this, quitting a hung remote driver would wait another full
        ``command_timeout`` per call before the pool could replace it.
        """
        if self._client_config is not None:
            self._client_config.timeout = min(
                self.config.command_timeout, UNRESPONSIVE_QUIT_TIMEOUT
            )

    def screenshot_png_b64(self) -> str:
        """A PNG of the whole page where CDP allows it, else of the viewport."""
        if self.config.is_chromium:
            try:
                shot = self.cdp(
                    "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
                )
                return str(shot["data"])
            except Exception as exc:
                log.debug("full-page screenshot failed, using the viewport: %s", exc)
        return str(self.driver.get_screenshot_as_base64())

    def print_pdf(self) -> bytes:
        """The page printed to PDF (W3C Print, supported by headless Chromium)."""
        return base64.b64decode(self.driver.print_page())

    def quit(self) -> None:
        """End the browser and driver; safe to call twice, never raises."""
        with self._quit_lock:
            if self._quit:
                return
            self._quit = True
        try:
            self.driver.quit()
        except Exception as exc:
            log.debug("driver %s: quit failed (%s); killing its processes", self.name, exc)
        if self._service is not None:
            try:
                self._service.stop()
            except Exception as exc:
                log.debug("driver %s: service stop failed: %s", self.name, exc)
        _procs.kill_all(self._pids)
        if self.on_quit is not None:
            self.on_quit(self)

    def force_kill(self) -> None:
        """End the browser from any thread: unblocks a stuck WebDriver call.

        A local browser's processes are killed. A remote one has no process here, so
        its session is deleted through a connection of our own (the driver's is busy
        with the stuck call). The driver runs a session's commands in order, so the
        delete waits behind the stuck call on the server, but it is queued there: the
        session ends when that call returns, even if this process has exited by then,
        instead of holding a Grid slot until the Grid's session timeout. Hence no
        waiting for the answer here.
        """
        _procs.kill_all(self._pids)
        if self.is_remote and self.config.remote_url is not None and self.driver.session_id:
            url = f"{self.config.remote_url.rstrip('/')}/session/{self.driver.session_id}"
            try:
                urllib3.request("DELETE", url, timeout=_FORCE_DELETE_TIMEOUT, retries=False)
            except Exception as exc:  # a timeout is the expected outcome, see above
                log.debug("driver %s: remote session delete sent (%s)", self.name, exc)


class _NoRetryAfterTimeout(Retry):
    """urllib3's retry policy as Selenium uses it, except that a timeout is final.

    Selenium's default ``Retry(3)`` repeats an idempotent request (every GET) after a
    read timeout, so one call to a hung server would take 4 x ``command_timeout``.
    A refused connection is not retried either (``connect=0``): the retries come at
    once, so they cannot outlast a restart, and each logs a urllib3 warning. Other
    retries (a keep-alive connection the server closed meanwhile) stay.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> _NoRetryAfterTimeout:
        if error is not None and is_timeout(error):
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def _client_config(url: str, config: BrowserConfig) -> ClientConfig:
    client = ClientConfig(
        remote_server_addr=url,
        keep_alive=True,
        # Selenium reads this key one level down; these kwargs go to urllib3's PoolManager.
        init_args_for_pool_manager={
            "init_args_for_pool_manager": {"retries": _NoRetryAfterTimeout(3, connect=0)}
        },
    )
    # Set after construction: the constructor's annotation says int, and a fractional
    # command_timeout (int() would make 0.5 s "0", i.e. no wait at all) must stay as given.
    client.timeout = config.command_timeout
    return client


def _connection(client: ClientConfig, config: BrowserConfig) -> RemoteConnection:
    if config.is_chromium:
        return ChromiumRemoteConnection(
            remote_server_addr=client.remote_server_addr,
            vendor_prefix="goog",
            browser_name="chrome",
            client_config=client,
        )
    return RemoteConnection(client_config=client)


def _local_service(config: BrowserConfig) -> Service:
    path = find_driver(config)
    name = _driver_name(config)
    service_cls = ChromeService if config.is_chromium else FirefoxService
    if path is not None:
        return service_cls(executable_path=path)
    if config.browser_type == "firefox":
        raise DriverNotFoundError(f"no {name} found for Firefox: {_INSTALL_HINT[name]}")
    # Last resort, Selenium Manager: it needs the network, so its failure gets our hint.
    try:
        from selenium.webdriver.common.driver_finder import DriverFinder

        options = ChromeOptions()
        found = DriverFinder(service_cls(), options).get_driver_path()
    except Exception as exc:
        raise DriverNotFoundError(f"no {name} found: {_INSTALL_HINT[name]}") from exc
    return service_cls(executable_path=found)


def create_driver(config: BrowserConfig, name: str) -> ManagedDriver:
    """Start a browser for ``config`` (locally, or on ``config.remote_url``).

    A browser that cannot be started raises :class:`CrawlError` with a one-line
    reason (:func:`start_failure_message`), so the crawl that asked for it fails
    with ``success=False``; nothing is kept, and the next crawl tries again.
    """
    options = build_options(config, name)
    started = time.perf_counter()
    try:
        managed = _start(config, name, options)
    except _START_ERRORS as exc:
        elapsed = time.perf_counter() - started
        message = start_failure_message(exc, config, elapsed)
        log.warning("driver %s: %s", name, message)
        raise CrawlError(message) from exc
    log.info(
        "started %s driver %s in %.0f ms",
        config.browser_type,
        name,
        (time.perf_counter() - started) * 1000,
    )
    return managed


def _start(
    config: BrowserConfig, name: str, options: ChromeOptions | FirefoxOptions
) -> ManagedDriver:
    service: Service | None = None
    if config.remote_url is None:
        service = _local_service(config)
        service.start()
    try:
        url = service.service_url if service is not None else config.remote_url
        assert url is not None  # no service means a remote_url
        client = _client_config(url, config)
        driver = webdriver.Remote(command_executor=_connection(client, config), options=options)
        try:
            return ManagedDriver(driver, config, service, name, client)
        except BaseException:
            _quietly_quit(driver)  # the session exists: end it rather than leak a browser
            raise
    except BaseException:
        if service is not None:
            service.stop()
        raise


def _quietly_quit(driver: WebDriver) -> None:
    try:
        driver.quit()
    except Exception as exc:
        log.debug("quitting a half-started driver failed: %s", describe_error(exc))
