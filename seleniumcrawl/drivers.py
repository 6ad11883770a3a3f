"""Finding and starting browsers: one :class:`ManagedDriver` per browser process.

The driver executable is looked up in SPEC order: ``BrowserConfig.driver_path``,
the ``SELENIUMCRAWL_CHROMEDRIVER`` (or ``SELENIUMCRAWL_GECKODRIVER``) variable,
the driver on ``PATH``, webdriver-manager when installed, then Selenium Manager.
Whenever we found a driver ourselves, Selenium Manager (which needs the network)
is skipped by handing the path to ``Service``.

Local and remote Chromium both go through ``webdriver.Remote`` with a
``ChromiumRemoteConnection``, so one code path serves both, CDP commands work on
both (``executeCdpCommand``), and every HTTP call has ``command_timeout``.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import os
import shutil
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.chrome.options import Options as ChromeOptions
from selenium.webdriver.chrome.service import Service as ChromeService
from selenium.webdriver.chromium.remote_connection import ChromiumRemoteConnection
from selenium.webdriver.common.service import Service
from selenium.webdriver.firefox.options import Options as FirefoxOptions
from selenium.webdriver.firefox.service import Service as FirefoxService
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.remote_connection import RemoteConnection
from selenium.webdriver.remote.webdriver import WebDriver

from seleniumcrawl import _procs
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.errors import DriverNotFoundError

log = logging.getLogger(__name__)

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


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def chromium_args(config: BrowserConfig) -> list[str]:
    """Command-line flags for Chromium built from ``config``."""
    args: list[str] = []
    # A node on this machine runs as our user; as root Chromium needs --no-sandbox there too.
    local_node = config.remote_url is None or _is_loopback(config.remote_url)
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
    ) -> None:
        self.driver = driver
        self.config = config
        self.name = name
        self._service = service
        self._pids: list[int] = []
        self._quit_lock = threading.Lock()
        self._quit = False
        self.page_load_timeout_ms: float | None = None
        self.script_timeout_ms: float | None = None
        self.last_used = time.monotonic()
        self.anchor_handle = driver.current_window_handle
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

    def set_script_timeout(self, ms: float) -> None:
        """Set the async-script timeout, skipping the round trip when it is unchanged."""
        if self.script_timeout_ms != ms:
            self.driver.set_script_timeout(ms / 1000)
            self.script_timeout_ms = ms

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

    def force_kill(self) -> None:
        """Kill the local processes outright (any thread): unblocks a stuck WebDriver call."""
        _procs.kill_all(self._pids)


def _client_config(url: str, config: BrowserConfig) -> ClientConfig:
    return ClientConfig(
        remote_server_addr=url, keep_alive=True, timeout=int(config.command_timeout)
    )


def _connection(url: str, config: BrowserConfig) -> RemoteConnection:
    if config.is_chromium:
        return ChromiumRemoteConnection(
            remote_server_addr=url,
            vendor_prefix="goog",
            browser_name="chrome",
            client_config=_client_config(url, config),
        )
    return RemoteConnection(client_config=_client_config(url, config))


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
    """Start a browser for ``config`` (locally, or on ``config.remote_url``)."""
    options = build_options(config, name)
    started = time.perf_counter()
    if config.remote_url is not None:
        driver = webdriver.Remote(
            command_executor=_connection(config.remote_url, config), options=options
        )
        managed = ManagedDriver(driver, config, None, name)
    else:
        service = _local_service(config)
        service.start()
        try:
            driver = webdriver.Remote(
                command_executor=_connection(service.service_url, config), options=options
            )
        except BaseException:
            service.stop()
            raise
        managed = ManagedDriver(driver, config, service, name)
    log.info(
        "started %s driver %s in %.0f ms",
        config.browser_type,
        name,
        (time.perf_counter() - started) * 1000,
    )
    return managed
