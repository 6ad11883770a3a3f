"""Finding and starting browsers: one :class:`ManagedDriver` per browser process.

The driver executable is looked up in this order: ``BrowserConfig.driver_path``,
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
(:mod:`~seleniumcrawl.browser.failures` words it and tells "no answer in
time" apart from other transport errors.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from types import TracebackType
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
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
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from seleniumcrawl.browser.bidi import CRASH_EVENT, RESPONSE_EVENT, BidiConnection
from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.browser.failures import (
    TRANSPORT_ERRORS,
    describe_error,
    is_timeout,
    start_failure_message,
)
from seleniumcrawl.browser.sweeper import HeapSweeper
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.config.network import LIGHT_MODE_ARGS, TEXT_MODE_ARGS
from seleniumcrawl.errors import CrawlError, DriverNotFoundError
from seleniumcrawl.urls import is_loopback_host

log = logging.getLogger(__name__)

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
    # WebUIOmniboxPopup*: every window (each page in flight has one) would otherwise
    # start two omnibox-popup WebUI pages of its own, renderers that cost CPU and memory.
    "--disable-features=Translate,OptimizationHints,MediaRouter,"
    "WebUIOmniboxPopup,WebUIOmniboxAimPopup",
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
        args.extend(TEXT_MODE_ARGS)
    if config.light_mode:
        args.extend(LIGHT_MODE_ARGS)
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
    # "eager": a classic get() returns once the document is parsed (DOMContentLoaded);
    # crawls that ask for more (wait_until="load") wait in the page (ClassicTab.navigate).
    # The strategy is per WebDriver session, wait_until per crawl.
    options.page_load_strategy = "eager"
    # Ask for a BiDi WebSocket (``webSocketUrl``); without one the classic path is used.
    options.enable_bidi = config.use_bidi
    # Like Crawl4AI (Playwright): dialogs are dismissed. Selenium's default ("dismiss and
    # notify") fails the next command with "unexpected alert open" - a page that alerts on
    # load could never be crawled, and a session's next crawl failed for an old dialog.
    options.unhandled_prompt_behavior = "dismiss"
    if config.remote_url is not None:
        options.set_capability("se:name", session_name)
    return options


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


def _local_service(config: BrowserConfig, env: dict[str, str] | None = None) -> Service:
    path = find_driver(config)
    name = _driver_name(config)
    service_cls = ChromeService if config.is_chromium else FirefoxService
    if path is not None:
        return service_cls(executable_path=path, env=env)
    if config.browser_type == "firefox":
        raise DriverNotFoundError(f"no {name} found for Firefox: {_INSTALL_HINT[name]}")
    # Last resort, Selenium Manager: it needs the network, so its failure gets our hint.
    try:
        from selenium.webdriver.common.driver_finder import DriverFinder

        options = ChromeOptions()
        found = DriverFinder(service_cls(), options).get_driver_path()
    except Exception as exc:
        raise DriverNotFoundError(f"no {name} found: {_INSTALL_HINT[name]}") from exc
    return service_cls(executable_path=found, env=env)


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
    temp_dir: str | None = None
    if config.remote_url is None:
        # The driver and its browser put their temporary profile, singleton and
        # scoped_dir directories under TMPDIR: a directory of ours, removed at quit
        # (or by the reaper), so a killed browser leaves nothing in /tmp.
        # A short name: Chromium's singleton socket lives below it, and a Unix socket's
        # path may not exceed 107 bytes.
        temp_dir = tempfile.mkdtemp(prefix="sc-")
        service = _local_service(config, {**os.environ, "TMPDIR": temp_dir})
    try:
        if service is not None:
            service.start()
        url = service.service_url if service is not None else config.remote_url
        assert url is not None  # no service means a remote_url
        client = _client_config(url, config)
        remote = webdriver.Remote(command_executor=_connection(client, config), options=options)
        try:
            bidi = _connect_bidi(remote, config, name)
            address = _debugger_address(remote, config) if service is not None else None
            sweeper = _heap_sweeper(address, config) if bidi else None
            return ManagedDriver(
                remote,
                config,
                service,
                name,
                client,
                bidi=bidi,
                temp_dir=temp_dir,
                debugger_address=address,
                sweeper=sweeper,
            )
        except BaseException:
            _quietly_quit(remote)  # the session exists: end it rather than leak a browser
            raise
    except BaseException:
        if service is not None:
            service.stop()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise


def _connect_bidi(remote: WebDriver, config: BrowserConfig, name: str) -> BidiConnection | None:
    """The session's BiDi connection, or None for the classic path.

    None when BiDi is off (``use_bidi=False``) or the remote end offers no
    ``webSocketUrl``; a connection that cannot be made is logged and the classic
    path is used, so a proxy that drops WebSockets costs speed, not crawls.
    """
    url = remote.caps.get("webSocketUrl")
    if not config.use_bidi or not isinstance(url, str):
        if config.use_bidi:
            log.info("driver %s: the remote end offers no WebDriver BiDi; classic path", name)
        return None
    try:
        bidi = BidiConnection(url, connect_timeout=config.command_timeout)
    except Exception as exc:
        log.warning("driver %s: BiDi connection to %s failed (%s); classic path", name, url, exc)
        return None
    # Responses give each navigation's first-hop status (Crawl4AI's status_code); on
    # Chromium, renderer crashes reach us as CDP events: a crashed tab fails at once.
    events = [RESPONSE_EVENT, CRASH_EVENT] if config.is_chromium else [RESPONSE_EVENT]
    bidi.call("session.subscribe", {"events": events}, config.command_timeout)
    return bidi


def _heap_sweeper(address: str | None, config: BrowserConfig) -> HeapSweeper | None:
    """The heap sweeper of a local Chromium over BiDi (browser/sweeper.py), when its
    DevTools address is known."""
    if address is None:
        return None
    return HeapSweeper(address, timeout=min(config.command_timeout, 10.0))


def _debugger_address(remote: WebDriver, config: BrowserConfig) -> str | None:
    """A local Chromium's DevTools ``host:port``, or None (not Chromium, or not offered)."""
    address = (remote.caps.get("goog:chromeOptions") or {}).get("debuggerAddress")
    return address if config.is_chromium and isinstance(address, str) and address else None


def _quietly_quit(remote: WebDriver) -> None:
    try:
        remote.quit()
    except Exception as exc:
        log.debug("quitting a half-started driver failed: %s", describe_error(exc))
