"""One started browser: :class:`ManagedDriver`, a WebDriver plus what ends it for sure.

A ``ManagedDriver`` is owned by one :class:`~seleniumcrawl.browser.executor.DriverThread`;
its ``webdriver`` (Selenium's ``WebDriver``) is called on that thread only. It records
the driver's process tree at start, so a browser whose driver died can still be ended,
and manages the HTTP client timeout of each call (``command_timeout``, or longer for a
call the browser bounds itself).
"""

from __future__ import annotations

import base64
import logging
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any

import urllib3
from selenium.webdriver.common.service import Service
from selenium.webdriver.remote.client_config import ClientConfig
from selenium.webdriver.remote.webdriver import WebDriver

from seleniumcrawl.browser import procs
from seleniumcrawl.browser.bidi import BidiConnection
from seleniumcrawl.browser.downloads import DownloadWatcher
from seleniumcrawl.browser.sweeper import HeapSweeper
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.errors import WrongThreadError

log = logging.getLogger(__name__)

#: Seconds an HTTP call may run past a timeout the browser enforces itself (page load,
#: async script), so the browser's own, clearer timeout error arrives before ours.
HTTP_TIMEOUT_SLACK = 10.0
#: Client timeout for the goodbye calls (quit) to a driver that already stopped answering.
UNRESPONSIVE_QUIT_TIMEOUT = 2.0
#: force_kill only needs its DELETE delivered, not answered (the answer waits for the stuck call).
_FORCE_DELETE_TIMEOUT = 1.0


class ManagedDriver:
    """One WebDriver plus what we need to end it for sure (service, recorded pids).

    Owned by one driver thread; only :meth:`force_kill` may be called from others.
    """

    def __init__(
        self,
        webdriver: WebDriver,
        config: BrowserConfig,
        service: Service | None,
        name: str,
        client_config: ClientConfig | None = None,
        *,
        bidi: BidiConnection | None = None,
        temp_dir: str | None = None,
        debugger_address: str | None = None,
        sweeper: HeapSweeper | None = None,
    ) -> None:
        #: The thread that created this driver: the only one allowed to use ``webdriver``.
        self.owner = threading.current_thread()
        self._webdriver = webdriver
        #: The driver's WebDriver BiDi connection (thread-safe), or None on the classic path.
        self.bidi = bidi
        #: A local Chromium's DevTools ``host:port`` (CDP connections of our own), else None.
        self.debugger_address = debugger_address
        #: Keeps the BiDi mapper's and pages' heaps flat (local Chromium over BiDi), else None.
        self.sweeper = sweeper
        #: The browser's download events (``accept_downloads``; set by the crawler's set-up).
        self.downloads: DownloadWatcher | None = None
        #: A directory of our own for the browser's temporary files, removed at quit.
        self.temp_dir = temp_dir
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
        self.anchor_handle = webdriver.current_window_handle
        #: The window WebDriver commands go to, when known; saves a switch per crawl.
        #: None means unknown (after any failure), so the next crawl switches explicitly.
        self.focused: str | None = self.anchor_handle
        self.record_pids()

    @property
    def webdriver(self) -> WebDriver:
        """Selenium's classic client, which is not thread-safe: owner thread only.

        Any other thread gets :class:`~seleniumcrawl.errors.WrongThreadError`, so two
        threads can never talk over one classic client at once (page threads use
        :attr:`bidi`, which is thread-safe).
        """
        if threading.current_thread() is not self.owner:
            raise WrongThreadError(
                f"the classic WebDriver client of {self.name} belongs to thread "
                f"{self.owner.name}; submit the call to that thread"
            )
        return self._webdriver

    def crawl_ended(self) -> None:
        """A crawl on this browser ended (any thread): idle time starts, the heap
        sweeper counts it."""
        self.last_used = time.monotonic()
        if self.sweeper is not None:
            self.sweeper.crawled()

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
            self._pids = [pid, *procs.descendants(pid)]

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
        return all(procs.is_alive(pid) for pid in self._pids[:2])

    def cdp(self, cmd: str, params: dict[str, Any] | None = None) -> Any:
        """Run a Chrome DevTools Protocol command on the current window (Chromium only)."""
        return self.webdriver.execute("executeCdpCommand", {"cmd": cmd, "params": params or {}})[
            "value"
        ]

    def set_page_load_timeout(self, ms: float) -> None:
        """Set the page-load timeout, skipping the round trip when it is unchanged."""
        if self.page_load_timeout_ms != ms:
            self.webdriver.set_page_load_timeout(ms / 1000)
            self.page_load_timeout_ms = ms
            self._fit_http_timeout()

    def set_script_timeout(self, ms: float) -> None:
        """Set the async-script timeout, skipping the round trip when it is unchanged."""
        if self.script_timeout_ms != ms:
            self.webdriver.set_script_timeout(ms / 1000)
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
        return str(self.webdriver.get_screenshot_as_base64())

    def print_pdf(self) -> bytes:
        """The page printed to PDF (W3C Print, supported by headless Chromium)."""
        return base64.b64decode(self.webdriver.print_page())

    def quit(self) -> None:
        """End the browser and driver; safe to call twice, never raises."""
        with self._quit_lock:
            if self._quit:
                return
            self._quit = True
        if self.downloads is not None:
            self.downloads.close()
        if self.bidi is not None:
            self.bidi.close()
        try:
            self._webdriver.quit()
        except Exception as exc:
            log.debug("driver %s: quit failed (%s); killing its processes", self.name, exc)
        if self._service is not None:
            try:
                self._service.stop()
            except Exception as exc:
                log.debug("driver %s: service stop failed: %s", self.name, exc)
        procs.kill_all(self._pids)
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
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
        procs.kill_all(self._pids)
        if self.downloads is not None:
            self.downloads.close()
        if self.bidi is not None:
            self.bidi.close()  # pages waiting on it fail now, not at their timeouts
        if self.is_remote and self.config.remote_url is not None and self._webdriver.session_id:
            url = f"{self.config.remote_url.rstrip('/')}/session/{self._webdriver.session_id}"
            try:
                urllib3.request("DELETE", url, timeout=_FORCE_DELETE_TIMEOUT, retries=False)
            except Exception as exc:  # a timeout is the expected outcome, see above
                log.debug("driver %s: remote session delete sent (%s)", self.name, exc)


__all__ = ["HTTP_TIMEOUT_SLACK", "UNRESPONSIVE_QUIT_TIMEOUT", "ManagedDriver"]
