"""A page (tab) the browser steps of a crawl talk to, over either transport.

The steps in :mod:`seleniumcrawl.browser.page` are written once against :class:`Tab`;
two classes carry them to the browser:

* :class:`BidiTab` addresses a browsing context by id over the driver's
  :class:`~seleniumcrawl.browser.bidi.BidiConnection`. Any thread may use it (the
  connection is thread-safe), so many tabs of one browser are in flight at once; the
  pool lets one thread at a time drive a given tab.
* :class:`ClassicTab` uses the classic WebDriver client, which is not thread-safe:
  only the driver's own thread may use it, and only after the pool focused the tab's
  window (``switch_to.window``). One crawl per driver at a time.

Every script runs inside one wrapper (:data:`_WRAP`) that awaits it and returns a JSON
text of ``{ok, value}`` or ``{ok: false, error}``, so both transports give the same
plain values and the same error texts.
"""

from __future__ import annotations

import base64
import concurrent.futures
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urldefrag

from selenium.common.exceptions import (
    JavascriptException,
    TimeoutException,
    UnexpectedAlertPresentException,
    WebDriverException,
)

from seleniumcrawl.browser.bidi import (
    CRASH_EVENT,
    RESPONSE_EVENT,
    BidiConnection,
    BidiError,
    BidiTimeoutError,
)
from seleniumcrawl.browser.downloads import DownloadWatcher
from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.browser.failures import describe_error

log = logging.getLogger(__name__)

#: Seconds a BiDi command may run past a bound the page enforces itself.
_SLACK = 10.0
#: A tab command unanswered this long makes us check that the browser still answers...
PROBE_AFTER = 5.0
#: ...within this many seconds (at most ``command_timeout``).
PROBE_TIMEOUT = 10.0
#: Seconds to wait for a tab to close (a close is never worth a long wait).
_CLOSE_TIMEOUT = 3.0
#: First hops kept per tab for navigations not (yet) asked about, e.g. script-started ones.
_FIRST_HOPS_KEPT = 8

# ``fn`` is the caller's function expression; ``args`` a JSON text of its arguments.
_WRAP = """
async (args) => {
  const fn = (%s);
  const plain = (v) => {
    if (v === undefined) return null;
    if (typeof Element !== 'undefined' && v instanceof Element) return v.outerHTML;
    try { return JSON.parse(JSON.stringify(v)); } catch (e) { return String(v); }
  };
  const describe = (e) =>
    (e && e.name && e.message !== undefined) ? `${e.name}: ${e.message}` : String(e);
  try {
    return JSON.stringify({ok: true, value: plain(await fn(...JSON.parse(args)))});
  } catch (e) {
    return JSON.stringify({ok: false, error: describe(e)});
  }
}
"""

#: ``(timeoutMs) -> bool``: whether the document's load event came within the bound.
_LOADED = """
(timeoutMs) => new Promise((resolve) => {
  if (document.readyState === 'complete') return resolve(true);
  const timer = setTimeout(() => resolve(document.readyState === 'complete'), timeoutMs);
  window.addEventListener('load', () => { clearTimeout(timer); resolve(true); }, {once: true});
})
"""

_CLASSIC_CALL = (
    "const done = arguments[arguments.length - 1];\n"
    "(%s)(arguments[0]).then(done, (e) => done(JSON.stringify({ok: false, error: String(e)})));"
)


class PageGoneError(Exception):
    """The document went away (navigated, reloaded or closed) while a script ran."""


class ScriptTimeoutError(Exception):
    """A script did not settle within the caller's bound."""


class JsError(Exception):
    """A script threw; the message is ``Name: message`` as the page reported it."""


class BidiUnresponsiveError(BidiTimeoutError):
    """The browser did not answer a liveness probe over BiDi while a command waited."""

    def __init__(self, waiting_for: str, timeout: float) -> None:
        super().__init__("browsingContext.getTree", timeout)
        self.waiting_for = waiting_for


class TabCrashedError(Exception):
    """The tab's renderer crashed; the browser and its other tabs live on."""


class NavigationFailed(Exception):
    """The browser could not load a URL; the message carries its ``net::ERR_`` code."""


class NavigationTimeout(Exception):
    """A page load did not finish within its bound (the load was stopped)."""


def _decode(raw: Any) -> Any:
    if not isinstance(raw, str):
        raise JsError(f"unexpected script answer {raw!r}")
    outcome = json.loads(raw)
    if not outcome.get("ok"):
        raise JsError(str(outcome.get("error")))
    return outcome.get("value")


#: BiDi error texts that mean the document (its realm) went away under a script.
_GONE_MARKERS = (
    "navigated or closed",
    "cannot find context with specified id",
    "execution context was destroyed",
    "no such frame",
)


def _page_gone(exc: BidiError) -> bool:
    text = f"{exc.error} {exc.message}".lower()
    return any(marker in text for marker in _GONE_MARKERS)


def _same_document(url: str, previous: str) -> bool:
    return urldefrag(url)[0] == urldefrag(previous)[0]


def _net_error(text: str) -> str | None:
    if "net::ERR_" in text:
        return text[text.index("net::ERR_") :].split()[0].rstrip(".,;")
    return None


class Tab:
    """What the page steps need of a tab; see the module docstring."""

    #: The browsing context id (the classic window handle: the same string on Chromium).
    handle: str
    #: Whether the browser is a Chromium (CDP available).
    is_chromium: bool
    #: Whether the protocol itself waits for a navigation a script started (classic does).
    waits_for_navigation: bool = False
    #: The browser's download events (``accept_downloads``), or None.
    downloads: DownloadWatcher | None = None

    def navigate(self, url: str, timeout_ms: float, wait: str = "complete") -> int | None:
        """Load ``url`` and wait until its document is ``wait`` ("interactive": parsed,
        "complete": loaded), bounded by ``timeout_ms``.

        Returns the HTTP status of the navigation's first response (a redirect's 3xx
        when it was redirected) where the transport sees it (BiDi network events),
        else None.
        """
        raise NotImplementedError

    def shows_own_navigation(self) -> bool:
        """Whether the document shown is still the one the last :meth:`navigate` loaded
        (no script-started navigation since), as far as the transport can tell."""
        return True

    def call(self, function: str, *args: Any, timeout_ms: float) -> Any:
        """Run a JS function expression (may be async) with JSON ``args``; its JSON value."""
        raise NotImplementedError

    def evaluate(self, function: str, *args: Any) -> Any:
        """Call a synchronous JS function with JSON ``args``; its JSON value (fast path).

        Not awaited: a dialog the function opens is dismissed and it goes on.
        """
        raise NotImplementedError

    def screenshot_png_b64(self) -> str:
        """A PNG of the whole page (the viewport where the browser cannot)."""
        raise NotImplementedError

    def print_pdf(self) -> bytes:
        """The page printed to PDF."""
        raise NotImplementedError

    def cdp(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """A Chrome DevTools Protocol command on this tab (Chromium only)."""
        raise NotImplementedError


class BidiTab(Tab):
    """A browsing context addressed by id over the driver's BiDi connection.

    Made by :class:`BidiTabs`, which tells it when its renderer crashed: every command
    waiting on it then fails at once with :class:`TabCrashedError` (a crashed page
    never answers), and so does every later one.
    """

    def __init__(
        self,
        bidi: BidiConnection,
        handle: str,
        *,
        is_chromium: bool,
        command_timeout: float,
        user_context: str | None = None,
        downloads: DownloadWatcher | None = None,
    ) -> None:
        self.bidi = bidi
        self.handle = handle
        self.downloads = downloads
        self.is_chromium = is_chromium
        self.command_timeout = command_timeout
        #: The BiDi user context (own cookies and storage) of an isolated session.
        self.user_context = user_context
        #: The URL this tab was last sent to (a reused tab compares the next one with it).
        self.last_url: str | None = None
        self.cdp_session: str | None = None
        #: Set by :meth:`BidiTabs.close`.
        self.closed = False
        #: Called once when the tab closes (its routes' intercepts are removed, #26).
        self.on_close: list[Callable[[], None]] = []
        #: A sessionless crawl's tab, reused: the next URL must load a new document.
        self.reused = False
        #: Seconds a liveness probe may take (see :meth:`_probe`).
        self.probe_timeout = min(command_timeout, PROBE_TIMEOUT)
        self._crashed: concurrent.futures.Future[None] = concurrent.futures.Future()
        #: Navigation id -> status of its first response, filled from network events.
        self._first_hops: dict[str, int] = {}
        self._hops_lock = threading.Lock()
        #: The navigation the latest document response belonged to, and the one
        #: :meth:`navigate` last started.
        self._latest_navigation: str | None = None
        self._own_navigation: str | None = None

    def note_response(self, navigation: str, redirect_count: int, status: int) -> None:
        """Called by :class:`BidiTabs` for each response of a navigation of this tab."""
        with self._hops_lock:
            self._latest_navigation = navigation
            if redirect_count != 0:
                return
            self._first_hops[navigation] = status
            while len(self._first_hops) > _FIRST_HOPS_KEPT:  # navigations nobody asked about
                del self._first_hops[next(iter(self._first_hops))]

    def _first_hop(self, navigated: Any) -> int | None:
        navigation = navigated.get("navigation") if isinstance(navigated, dict) else None
        with self._hops_lock:
            self._own_navigation = str(navigation) if navigation else None
            return self._first_hops.pop(str(navigation), None) if navigation else None

    def shows_own_navigation(self) -> bool:
        with self._hops_lock:
            return self._latest_navigation in (None, self._own_navigation)

    @property
    def crashed(self) -> bool:
        """Whether the tab's renderer crashed (the tab is of no further use)."""
        return self._crashed.done()

    def mark_crashed(self) -> None:
        """Called by :class:`BidiTabs` when the browser reports the crash."""
        if self._crashed.set_running_or_notify_cancel():
            self._crashed.set_result(None)

    def _send(self, method: str, params: dict[str, Any], timeout: float) -> Any:
        """One command, failing early when the tab crashes while it waits."""
        if self.crashed:
            raise TabCrashedError(f"the page crashed (before {method})")
        future = self.bidi.send(method, params)
        waited: list[concurrent.futures.Future[Any]] = [future, self._crashed]
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            concurrent.futures.wait(
                waited, min(remaining, PROBE_AFTER), return_when=concurrent.futures.FIRST_COMPLETED
            )
            if future.done():
                return future.result()
            if self.crashed:
                future.cancel()
                raise TabCrashedError(f"the page crashed (during {method})")
            if time.monotonic() >= deadline:
                future.cancel()
                raise BidiTimeoutError(method, timeout)
            self._probe(method)

    def _probe(self, waiting_for: str) -> None:
        """A command is taking long: check that the browser still answers over BiDi.

        A page may legitimately take long (a slow load, a long script), but a browser
        whose BiDi side is gone (frozen, or the BiDi mapper's renderer killed) would
        otherwise hold every page until its timeout.
        """
        try:
            self.bidi.call("browsingContext.getTree", {"maxDepth": 0}, self.probe_timeout)
        except BidiTimeoutError as exc:
            raise BidiUnresponsiveError(waiting_for, self.probe_timeout) from exc

    def _call(self, method: str, params: dict[str, Any], timeout: float | None = None) -> Any:
        return self._send(method, params, timeout or self.command_timeout)

    def navigate(self, url: str, timeout_ms: float, wait: str = "complete") -> int | None:
        params = {"context": self.handle, "url": url, "wait": wait}
        if self.reused and self.last_url and _same_document(url, self.last_url):
            # Only the fragment differs: the browser would scroll the old document.
            blank = {"context": self.handle, "url": "about:blank", "wait": "complete"}
            self._send("browsingContext.navigate", blank, timeout_ms / 1000)
        try:
            self.last_url = url
            try:
                navigated = self._send("browsingContext.navigate", params, timeout_ms / 1000)
            except BidiError as exc:
                if "concurrent navigation" not in exc.message:
                    raise
                # A navigation the page started itself was still under way: ours wins now.
                navigated = self._send("browsingContext.navigate", params, timeout_ms / 1000)
        except BidiUnresponsiveError:
            raise
        except BidiTimeoutError as exc:
            self._stop_loading()
            raise NavigationTimeout(f"page_timeout of {timeout_ms:g} ms exceeded") from exc
        except BidiError as exc:
            code = _net_error(exc.message)
            if code is None:
                raise
            raise NavigationFailed(code) from exc
        # The network events of a navigation arrive before its answer (load comes last).
        return self._first_hop(navigated)

    def _stop_loading(self) -> None:
        """End a load that outlived its bound, keeping what arrived (Chromium) or not.

        A browser that does not answer this either is frozen: that timeout propagates,
        so the pool replaces the browser instead of reporting a slow page.
        """
        try:
            if self.is_chromium:
                self.cdp("Page.stopLoading")
            else:
                params = {"context": self.handle, "url": "about:blank", "wait": "none"}
                self._call("browsingContext.navigate", params)
        except BidiTimeoutError:
            raise
        except BidiError as exc:
            log.debug("stopping a timed-out load failed: %s", exc)

    def call(self, function: str, *args: Any, timeout_ms: float) -> Any:
        params = {
            "functionDeclaration": _WRAP % function,
            "arguments": [{"type": "string", "value": json.dumps(args)}],
            "target": {"context": self.handle},
            "awaitPromise": True,
            "resultOwnership": "none",
        }
        try:
            raw = self._script("script.callFunction", params, timeout_ms / 1000 + _SLACK)
        except BidiUnresponsiveError:
            raise
        except BidiTimeoutError as exc:
            raise ScriptTimeoutError(str(exc)) from exc
        return _decode(raw)

    def _script(self, method: str, params: dict[str, Any], timeout: float | None = None) -> Any:
        """A ``script.*`` command's result value; the page's own failures translated."""
        try:
            out = self._call(method, params, timeout)
        except BidiError as exc:
            if _page_gone(exc):
                raise PageGoneError(exc.message) from exc
            raise
        if out.get("type") == "exception":
            details = out.get("exceptionDetails") or {}
            raise JsError(str(details.get("text") or "the script threw"))
        return (out.get("result") or {}).get("value")

    def evaluate(self, function: str, *args: Any) -> Any:
        params: dict[str, Any] = {
            "target": {"context": self.handle},
            "awaitPromise": False,
            "resultOwnership": "none",
        }
        if args:
            method = "script.callFunction"
            params["functionDeclaration"] = (
                f"(args) => JSON.stringify(({function})(...JSON.parse(args)))"
            )
            params["arguments"] = [{"type": "string", "value": json.dumps(args)}]
        else:
            method = "script.evaluate"
            params["expression"] = f"JSON.stringify(({function})())"
        return json.loads(self._script(method, params) or "null")

    def screenshot_png_b64(self) -> str:
        params = {"context": self.handle, "origin": "document"}
        return str(self._call("browsingContext.captureScreenshot", params)["data"])

    def print_pdf(self) -> bytes:
        out = self._call("browsingContext.print", {"context": self.handle})
        return base64.b64decode(out["data"])

    def cdp(self, method: str, params: dict[str, Any] | None = None) -> Any:
        if self.cdp_session is None:
            got = self._call("goog:cdp.getSession", {"context": self.handle})
            self.cdp_session = str(got["session"])
        out = self._call(
            "goog:cdp.sendCommand",
            {"method": method, "params": params or {}, "session": self.cdp_session},
        )
        return out.get("result", {})


class BidiTabs:
    """The tabs of one BiDi driver: opens and closes them, routes crash events to them."""

    def __init__(
        self,
        bidi: BidiConnection,
        *,
        is_chromium: bool,
        command_timeout: float,
        downloads: DownloadWatcher | None = None,
    ) -> None:
        self.bidi = bidi
        self.is_chromium = is_chromium
        self.command_timeout = command_timeout
        self.downloads = downloads
        self._lock = threading.Lock()
        self._by_cdp_session: dict[str, BidiTab] = {}
        self._by_context: dict[str, BidiTab] = {}
        if is_chromium:
            bidi.add_listener(CRASH_EVENT, self._on_crash)
        bidi.add_listener(RESPONSE_EVENT, self._on_response)

    def open(self, user_context: str | None = None) -> BidiTab:
        """A new tab (in ``user_context`` when given), in the background."""
        # A window, not a tab: every page stays visible, so its timers are not
        # throttled and requestAnimationFrame runs (it never does in a background tab).
        params: dict[str, Any] = {"type": "window"}
        if user_context is not None:
            params["userContext"] = user_context
        handle = self.bidi.call("browsingContext.create", params, self.command_timeout)["context"]
        tab = BidiTab(
            self.bidi,
            str(handle),
            is_chromium=self.is_chromium,
            command_timeout=self.command_timeout,
            user_context=user_context,
            downloads=self.downloads,
        )
        with self._lock:
            self._by_context[tab.handle] = tab
        if self.is_chromium:
            # Crash events name the CDP session; learn it now, while the page is healthy.
            got = self.bidi.call(
                "goog:cdp.getSession", {"context": tab.handle}, self.command_timeout
            )
            tab.cdp_session = str(got["session"])
            with self._lock:
                self._by_cdp_session[tab.cdp_session] = tab
        return tab

    def close(self, tab: BidiTab) -> None:
        """Close the tab (never raises: a tab that is gone is closed)."""
        tab.closed = True
        for callback in tab.on_close:
            try:
                callback()
            except Exception as exc:
                log.debug("a close callback of tab %s failed: %s", tab.handle, exc)
        tab.on_close.clear()
        with self._lock:
            self._by_context.pop(tab.handle, None)
            if tab.cdp_session is not None:
                self._by_cdp_session.pop(tab.cdp_session, None)
        timeout = min(self.command_timeout, _CLOSE_TIMEOUT)
        try:
            if self.is_chromium:
                # Chromium's target close: chromedriver 156 leaves browsingContext.close
                # unanswered (and the tab open) after a navigation that ended on an error
                # page. The browsing context id is the CDP target id.
                params = {"method": "Target.closeTarget", "params": {"targetId": tab.handle}}
                self.bidi.call("goog:cdp.sendCommand", params, timeout)
            else:
                self.bidi.call("browsingContext.close", {"context": tab.handle}, timeout)
        except BidiError as exc:
            log.debug("closing tab %s failed: %s", tab.handle, exc)

    def _on_response(self, params: dict[str, Any]) -> None:
        navigation = params.get("navigation")
        if not navigation:
            return  # a subresource: only navigations' documents are of interest
        with self._lock:
            tab = self._by_context.get(str(params.get("context")))
        response = params.get("response") or {}
        status, hops = response.get("status"), params.get("redirectCount")
        if tab is not None and isinstance(status, int) and isinstance(hops, int):
            tab.note_response(str(navigation), hops, status)

    def _on_crash(self, params: dict[str, Any]) -> None:
        with self._lock:
            tab = self._by_cdp_session.get(str(params.get("session")))
        if tab is not None:
            log.warning("the renderer of tab %s crashed", tab.handle)
            tab.mark_crashed()


class ClassicTab(Tab):
    """A window of the classic WebDriver client; driver thread only, window focused."""

    waits_for_navigation = True

    def __init__(self, drv: ManagedDriver, handle: str) -> None:
        self.drv = drv
        self.handle = handle
        self.is_chromium = drv.config.is_chromium
        self.downloads = drv.downloads

    def navigate(self, url: str, timeout_ms: float, wait: str = "complete") -> int | None:
        """``get`` returns at DOMContentLoaded (the "eager" page load strategy); for
        ``wait="complete"`` the load event is then awaited in the page."""
        started = time.monotonic()
        self.drv.set_page_load_timeout(timeout_ms)
        try:
            self.drv.webdriver.get(url)
            if wait == "complete":
                left = max(0.0, timeout_ms - (time.monotonic() - started) * 1000)
                if not self.call(_LOADED, left, timeout_ms=left + _SLACK * 1000):
                    raise TimeoutException("the load event did not come in time")
        except TimeoutException as exc:
            self._stop()
            raise NavigationTimeout(f"page_timeout of {timeout_ms:g} ms exceeded") from exc
        except (JsError, PageGoneError, ScriptTimeoutError) as exc:
            # The document changed or hung while we waited for its load event.
            self._stop()
            raise NavigationTimeout(f"page_timeout of {timeout_ms:g} ms exceeded") from exc
        except WebDriverException as exc:
            code = _net_error(describe_error(exc))
            if code is None:
                raise
            raise NavigationFailed(code) from exc
        return None  # the classic protocol shows no redirect chain

    def _stop(self) -> None:
        try:
            self.drv.webdriver.execute_script("window.stop();")
        except WebDriverException as stop_exc:
            log.debug("window.stop() after a page timeout failed: %s", describe_error(stop_exc))

    def call(self, function: str, *args: Any, timeout_ms: float) -> Any:
        self.drv.set_script_timeout(timeout_ms)
        script = _CLASSIC_CALL % (_WRAP % function)
        try:
            raw = self.drv.webdriver.execute_async_script(script, json.dumps(args))
        except TimeoutException as exc:
            raise ScriptTimeoutError(describe_error(exc)) from exc
        except UnexpectedAlertPresentException as exc:
            raise JsError("interrupted by a JavaScript dialog") from exc
        except JavascriptException as exc:
            if "unloaded" in describe_error(exc):
                raise PageGoneError(describe_error(exc)) from exc
            # The function itself did not parse (a bad wait_for expression).
            raise JsError(describe_error(exc).removeprefix("javascript error: ")) from exc
        if raw is None:
            # Chromedriver abandons an async script that opens a dialog and answers null.
            raise JsError("interrupted by a JavaScript dialog")
        return _decode(raw)

    def evaluate(self, function: str, *args: Any) -> Any:
        """Without arguments, on Chromium, through CDP's ``Runtime.evaluate``, which
        answers in about half the time of WebDriver's ``executeScript`` (chromedriver
        wraps and checks every script); else, or if anything is unexpected, ``executeScript``."""
        if self.is_chromium and not args:
            try:
                out = self.drv.cdp(
                    "Runtime.evaluate",
                    {"expression": f"JSON.stringify(({function})())", "returnByValue": True},
                )
                value = out.get("result", {}).get("value")
                if "exceptionDetails" not in out and isinstance(value, str):
                    return json.loads(value)
            except WebDriverException as exc:
                log.debug("CDP evaluate failed, using executeScript: %s", describe_error(exc))
        try:
            raw = self.drv.webdriver.execute_script(
                f"return JSON.stringify(({function})(...arguments));", *args
            )
        except JavascriptException as exc:
            raise JsError(describe_error(exc)) from exc
        return json.loads(raw) if isinstance(raw, str) else None

    def screenshot_png_b64(self) -> str:
        return self.drv.screenshot_png_b64()

    def print_pdf(self) -> bytes:
        return self.drv.print_pdf()

    def cdp(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.drv.cdp(method, params)
