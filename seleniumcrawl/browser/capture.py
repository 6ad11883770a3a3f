"""Network and console capture of one crawl (``capture_network_requests``,
``capture_console_messages``), in Crawl4AI's format.

* Over BiDi a :class:`BidiRecorder` subscribes to ``network.*`` and ``log.entryAdded``
  for the crawl's browsing context when the crawl starts and unsubscribes when it ends;
  its listeners keep only events of that context, so pages in flight on the same
  browser never see each other's events. The same works through a Grid (its BiDi
  endpoint forwards the browser's).
* On the classic path (Chromium), CDP events cannot be received, so a
  :class:`ClassicRecorder` installs an in-page recorder (CDP
  ``Page.addScriptToEvaluateOnNewDocument``, so it runs before the page's own scripts):
  console calls, uncaught errors and rejections are recorded in the page, and requests
  come from the Resource Timing API at the end. That gives no request headers, no
  method (``GET`` is assumed), and no record of a document the crawl navigated away
  from; failed loads show as responses with ``status`` 0.

Timestamps are Unix seconds (Crawl4AI uses ``time.time()``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from seleniumcrawl.browser.bidi import BidiError, ContextSubscription
from seleniumcrawl.browser.tab import BidiTab, Tab
from seleniumcrawl.config.network import BODY_MAX_SIZE, body_wanted
from seleniumcrawl.errors import ConfigError

log = logging.getLogger(__name__)

#: Seconds the end of a capture waits for requests still under way to complete.
SETTLE_S = 0.25

_NETWORK_EVENTS = ("network.beforeRequestSent", "network.responseCompleted", "network.fetchError")
_CONSOLE_EVENT = "log.entryAdded"

_LEVELS = {"warn": "warning", "assert": "assert", "trace": "trace"}

_RESOURCE_TYPES = {
    "document": "document",
    "iframe": "document",
    "style": "stylesheet",
    "script": "script",
    "image": "image",
    "font": "font",
    "audio": "media",
    "video": "media",
    "track": "media",
    "manifest": "manifest",
}
_INITIATOR_TYPES = {
    "xmlhttprequest": "xhr",
    "fetch": "fetch",
    "img": "image",
    "image": "image",
    "css": "image",
    "link": "stylesheet",
    "script": "script",
    "beacon": "ping",
    "navigation": "document",
    "iframe": "document",
}

#: Chromium's resource types (``goog:resourceType``) in Crawl4AI's names.
_GOOG_TYPES = {
    "XHR": "xhr",
    "Fetch": "fetch",
    "WebSocket": "websocket",
    "Ping": "ping",
    "Manifest": "manifest",
    "Media": "media",
    "Font": "font",
    "Image": "image",
    "Stylesheet": "stylesheet",
    "Script": "script",
    "Document": "document",
    "EventSource": "eventsource",
}

#: Headers that carry our proxy login (Chromium sends it up front once the proxy knows
#: the context): recorded as "***", never their value (#25).
_SECRET_HEADERS = frozenset({"proxy-authorization"})


def _headers(raw: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for header in raw or []:
        name, value = str(header.get("name")), header.get("value")
        text = str(value.get("value") if isinstance(value, dict) else value)
        out[name] = "***" if name.lower() in _SECRET_HEADERS else text
    return out


def _resource_type(params: dict[str, Any]) -> str:
    request = params.get("request") or {}
    if params.get("navigation") is not None and not request.get("destination"):
        return "document"
    destination = str(request.get("destination") or "")
    if destination in _RESOURCE_TYPES:
        return _RESOURCE_TYPES[destination]
    initiator = _INITIATOR_TYPES.get(str(request.get("initiatorType") or ""))
    if initiator is not None:
        return initiator
    # Chromium's own kind (chromium-bidi gives no initiatorType for an XMLHttpRequest).
    return _GOOG_TYPES.get(str(request.get("goog:resourceType") or ""), "other")


def network_entry(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """One Crawl4AI network entry from a BiDi ``network.*`` event."""
    request = params.get("request") or {}
    entry: dict[str, Any] = {
        "url": request.get("url"),
        "method": request.get("method"),
        "headers": _headers(request.get("headers")),
        "resource_type": _resource_type(params),
        "timestamp": float(params.get("timestamp", 0)) / 1000,
    }
    if method == "network.beforeRequestSent":
        entry["event_type"] = "request"
        entry["is_navigation_request"] = params.get("navigation") is not None
    elif method == "network.responseCompleted":
        response = params.get("response") or {}
        entry.update(
            event_type="response",
            url=response.get("url") or request.get("url"),
            status=response.get("status"),
            status_text=response.get("statusText", ""),
            headers=_headers(response.get("headers")),
            request_headers=entry["headers"],
            from_service_worker=False,
        )
    else:
        entry.update(event_type="request_failed", failure_text=params.get("errorText", ""))
    return entry


def console_entry(params: dict[str, Any]) -> dict[str, Any]:
    """One Crawl4AI console message from a BiDi ``log.entryAdded`` event."""
    if params.get("type") == "javascript":
        kind = "error"
    else:
        method = str(params.get("method") or params.get("level") or "log")
        kind = _LEVELS.get(method, method)
    entry: dict[str, Any] = {
        "type": kind,
        "text": params.get("text") or "",
        "timestamp": float(params.get("timestamp", 0)) / 1000,
    }
    frames = (params.get("stackTrace") or {}).get("callFrames") or []
    if frames:
        top = frames[0]
        entry["location"] = {
            "url": top.get("url"),
            "lineNumber": top.get("lineNumber"),
            "columnNumber": top.get("columnNumber"),
        }
    return entry


class Recorder:
    """Records one crawl's events between :meth:`start` and :meth:`stop`."""

    def __init__(self, tab: Tab, *, network: bool, console: bool) -> None:
        self.tab = tab
        self.network = network
        self.console = console

    def start(self) -> None:
        """Begin recording (before the crawl's first step)."""
        raise NotImplementedError

    def stop(self) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        """End recording: (network entries, console messages), None for what was not asked."""
        raise NotImplementedError


def recorder(
    tab: Tab,
    *,
    network: bool,
    console: bool,
    bodies: bool | tuple[str, ...] = False,
    body_max_size: int = BODY_MAX_SIZE,
) -> Recorder:
    """The recorder for this tab's transport (``bodies``: ``capture_response_bodies``;
    ConfigError on the classic path, which cannot read them)."""
    if isinstance(tab, BidiTab):
        rec = BidiRecorder(tab, network=network, console=console)
        rec.bodies, rec.body_max_size = bodies, body_max_size
        return rec
    if bodies:
        raise ConfigError(
            "capture_response_bodies: response bodies are read through WebDriver BiDi data "
            "collectors, and this browser has none (use_bidi=False)"
        )
    return ClassicRecorder(tab, network=network, console=console)


class BidiRecorder(Recorder):
    """A per-crawl BiDi subscription for the crawl's browsing context."""

    #: ``capture_response_bodies`` and its cap (set by :func:`recorder`).
    bodies: bool | tuple[str, ...] = False
    body_max_size: int = BODY_MAX_SIZE

    def __init__(self, tab: BidiTab, *, network: bool, console: bool) -> None:
        super().__init__(tab, network=network, console=console)
        self.bidi_tab = tab
        self._lock = threading.Condition()
        #: Response entries -> their BiDi request id (for their bodies).
        self._response_ids: list[tuple[dict[str, Any], str]] = []
        self._collector: str | None = None
        #: Requests seen without their response or failure yet (BiDi request ids).
        self._open: set[str] = set()
        self._network: list[dict[str, Any]] = []
        self._console: list[dict[str, Any]] = []
        listeners = [(m, self._network_listener(m)) for m in _NETWORK_EVENTS if network]
        if console:
            listeners.append((_CONSOLE_EVENT, self._on_console))
        self._subscription = ContextSubscription(
            tab.bidi, tab.handle, listeners, tab.command_timeout
        )

    def _network_listener(self, method: str) -> Any:
        def listener(params: dict[str, Any]) -> None:
            if params.get("context") == self.tab.handle:
                entry = network_entry(method, params)
                request_id = str((params.get("request") or {}).get("request"))
                with self._lock:
                    self._network.append(entry)
                    if method == "network.responseCompleted":
                        self._response_ids.append((entry, request_id))
                    if method == "network.beforeRequestSent":
                        self._open.add(request_id)
                    else:
                        self._open.discard(request_id)
                        self._lock.notify_all()

        return listener

    def _on_console(self, params: dict[str, Any]) -> None:
        if (params.get("source") or {}).get("context") == self.tab.handle:
            entry = console_entry(params)
            with self._lock:
                self._console.append(entry)

    def start(self) -> None:
        if self.bodies:
            params = {
                "dataTypes": ["response"],
                "maxEncodedDataSize": self.body_max_size,
                "contexts": [self.tab.handle],
            }
            tab = self.bidi_tab
            got = tab.bidi.call("network.addDataCollector", params, tab.command_timeout)
            self._collector = str(got["collector"])
        self._subscription.start()

    def stop(self) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        with self._lock:
            # A fetch the page awaited resolves at its headers; its responseCompleted
            # event follows with the body: give requests under way a moment to end.
            self._lock.wait_for(lambda: not self._open, SETTLE_S)
        self._subscription.stop("capture")
        if self._collector is not None:
            self._read_bodies(self._collector)
        with self._lock:
            network, console = list(self._network), list(self._console)
        return (network if self.network else None, console if self.console else None)

    def _read_bodies(self, collector: str) -> None:
        """Read the wanted bodies from the data collector (all requested at once), then
        remove it; a body the collector did not keep (over the cap) or that the browser
        no longer has gets ``body_omitted`` with the reason."""
        bidi, timeout = self.bidi_tab.bidi, self.bidi_tab.command_timeout
        with self._lock:
            wanted = [
                (entry, request_id)
                for entry, request_id in self._response_ids
                if body_wanted(
                    self.bodies,
                    str(entry.get("url")),
                    str(_header(entry.get("headers"), "content-type")),
                )
            ]
        asks = [
            bidi.send(
                "network.getData",
                {"dataType": "response", "request": request_id, "collector": collector},
            )
            for _, request_id in wanted
        ]
        for (entry, _), ask in zip(wanted, asks, strict=True):
            try:
                data = ask.result(timeout).get("bytes") or {}
            except Exception as exc:  # a BidiError, or no answer in time
                entry["body"] = None
                entry["body_omitted"] = _omitted(exc, self.body_max_size)
                continue
            value = str(data.get("value", ""))
            encoded = data.get("type") == "base64"
            size = len(value) * 3 // 4 if encoded else len(value.encode("utf-8"))
            if size > self.body_max_size:
                entry["body"] = None
                entry["body_omitted"] = f"larger than the {self.body_max_size}-byte cap"
                continue
            entry["body"] = value
            entry["body_encoding"] = "base64" if encoded else "text"
        try:
            bidi.call("network.removeDataCollector", {"collector": collector}, timeout)
        except BidiError as exc:
            log.debug("removing the data collector of tab %s failed: %s", self.tab.handle, exc)


def _header(headers: Any, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value)
    return ""


def _omitted(exc: BaseException, cap: int) -> str:
    if isinstance(exc, BidiError) and exc.error in (
        "no such network data",
        "unavailable network data",
    ):
        return f"not kept by the browser (larger than the {cap}-byte cap, or no body)"
    return f"could not be read: {exc}"


_IN_PAGE = r"""
(() => {
  const rec = window.__scCapture;
  if (rec) { rec.console = []; rec.since = performance.now(); return; }
  const r = window.__scCapture = {console: [], since: 0};
  const now = () => Date.now() / 1000;
  const text = (a) => {
    if (typeof a === 'string') return a;
    if (a instanceof Error) return String(a);
    try { return JSON.stringify(a); } catch (e) { return String(a); }
  };
  const kinds = {log: 'log', info: 'info', warn: 'warning', error: 'error', debug: 'debug'};
  for (const m of Object.keys(kinds)) {
    const orig = console[m];
    console[m] = function (...args) {
      try { r.console.push({type: kinds[m], text: args.map(text).join(' '), timestamp: now()}); }
      catch (e) {}
      return orig.apply(this, args);
    };
  }
  window.addEventListener('error', (e) => {
    if (!e.message) return;
    r.console.push({type: 'error', text: e.message.replace(/^Uncaught /, ''), timestamp: now(),
      location: {url: e.filename, lineNumber: e.lineno, columnNumber: e.colno}});
  });
  window.addEventListener('unhandledrejection', (e) => {
    r.console.push({type: 'error', text: text(e.reason),
      timestamp: now()});
  });
})()
"""

_READ = """() => {
  const r = window.__scCapture || {console: [], since: 0};
  const origin = performance.timeOrigin / 1000;
  const entries = performance.getEntriesByType('navigation')
    .concat(performance.getEntriesByType('resource'))
    .filter((e) => e.startTime >= r.since);
  const net = entries.map((e) => ({url: e.name, initiator: e.initiatorType,
    start: origin + e.startTime / 1000, end: origin + e.responseEnd / 1000,
    status: e.responseStatus === undefined ? null : e.responseStatus,
    navigation: e.entryType === 'navigation'}));
  return {console: r.console, network: net};
}"""


class ClassicRecorder(Recorder):
    """An in-page recorder (Chromium classic path); see the module docstring."""

    _script_id: str | None = None

    def start(self) -> None:
        if not self.tab.is_chromium:
            log.warning("capture on the classic path needs Chromium (CDP); nothing recorded")
            return
        got = self.tab.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": _IN_PAGE})
        self._script_id = got.get("identifier")
        self.tab.cdp("Runtime.evaluate", {"expression": _IN_PAGE})

    def stop(self) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        if self._script_id is None:
            return ([] if self.network else None, [] if self.console else None)
        self.tab.cdp("Page.removeScriptToEvaluateOnNewDocument", {"identifier": self._script_id})
        got = self.tab.evaluate(_READ) or {"console": [], "network": []}
        network: list[dict[str, Any]] = []
        for e in got["network"]:
            kind = "document" if e["navigation"] else _INITIATOR_TYPES.get(e["initiator"], "other")
            base = {"url": e["url"], "method": "GET", "headers": {}, "resource_type": kind}
            network.append({**base, "event_type": "request", "timestamp": e["start"]})
            network.append(
                {
                    **base,
                    "event_type": "response",
                    "status": e["status"],
                    "status_text": "",
                    "timestamp": e["end"],
                }
            )
        network.sort(key=lambda n: float(n["timestamp"]))
        return (network if self.network else None, list(got["console"]) if self.console else None)
