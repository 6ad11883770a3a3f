"""A WebDriver BiDi connection: many commands in flight, answered through futures.

Selenium's own BiDi client waits for each answer by polling and starts a thread per
event; a crawler with eight pages in flight per browser needs neither. This is a
small client of our own over the same ``websocket-client`` package:

* :meth:`BidiConnection.send` may be called from any thread at once: a command is
  tagged with an id, written under a lock, and answered through a
  ``concurrent.futures.Future`` that the reader thread completes.
* One reader thread per connection reads every message. Answers complete their
  future; events go to the listeners registered for their method (called on the
  reader thread: they must be quick and must not send commands and wait).
* When the socket closes (the browser or the driver died, the Grid dropped the
  session), every pending and later command fails at once with
  :class:`BidiClosedError`, so pages in flight fail within a moment, not after their
  timeouts.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import json
import logging
import threading
import urllib.request
from collections.abc import Callable
from typing import Any

import websocket

log = logging.getLogger(__name__)

Listener = Callable[[dict[str, Any]], None]

#: Chromium reports a renderer crash as this CDP event (forwarded by chromedriver's BiDi).
CRASH_EVENT = "goog:cdp.Inspector.targetCrashed"
#: Every response (a redirect's too); navigations' first hops give ``status_code``.
RESPONSE_EVENT = "network.responseCompleted"

_names = itertools.count(1)


class BidiError(Exception):
    """The remote end answered a command with an error."""

    def __init__(self, error: str, message: str) -> None:
        super().__init__(f"{error}: {message}" if message else error)
        self.error = error
        self.message = message


class BidiClosedError(BidiError):
    """The connection is gone: the browser, its driver or the Grid session ended."""

    def __init__(self, reason: str) -> None:
        super().__init__("connection closed", reason)


class BidiTimeoutError(BidiError, TimeoutError):
    """No answer within the caller's timeout (the command may still run)."""

    def __init__(self, method: str, timeout: float) -> None:
        super().__init__("timeout", f"no answer to {method} within {timeout:g} s")


class BidiConnection:
    """One WebSocket to a browser's BiDi endpoint, shared by all of its pages."""

    def __init__(self, url: str, *, connect_timeout: float = 30.0) -> None:
        self.url = url
        self.name = f"seleniumcrawl-bidi-{next(_names)}"
        self._ws = websocket.create_connection(
            url,
            timeout=connect_timeout,
            suppress_origin=True,
            enable_multithread=True,
            # websocket-client checks every text frame's UTF-8 byte by byte in Python
            # (without the optional wsaccel): a third of our Python CPU per crawl, for a
            # page's HTML. recv() decodes the frame with bytes.decode("utf-8") anyway, so
            # a malformed frame still fails, as a lost connection, like before.
            skip_utf8_validation=True,
        )
        # Reads block until a message arrives; the reader ends when the socket closes.
        self._ws.settimeout(None)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pending: dict[int, tuple[str, concurrent.futures.Future[dict[str, Any]]]] = {}
        self._listeners: dict[str, list[Listener]] = {}
        self._closed_reason: str | None = None
        self._reader = threading.Thread(target=self._read, name=self.name, daemon=True)
        self._reader.start()

    @property
    def closed(self) -> bool:
        """Whether the connection is gone (no command can succeed any more)."""
        return self._closed_reason is not None

    def send(
        self, method: str, params: dict[str, Any], *, session_id: str | None = None
    ) -> concurrent.futures.Future[dict[str, Any]]:
        """Send a command from any thread; the future gets its ``result`` or a BidiError.

        ``session_id`` addresses a CDP target session (flat mode) when the connection is a
        DevTools one; BiDi commands have none."""
        future: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()
        with self._lock:
            if self._closed_reason is not None:
                future.set_exception(BidiClosedError(self._closed_reason))
                return future
            command_id = next(self._ids)
            self._pending[command_id] = (method, future)
            message: dict[str, Any] = {"id": command_id, "method": method, "params": params}
            if session_id is not None:
                message["sessionId"] = session_id
            try:
                self._ws.send(json.dumps(message))
            except Exception as exc:
                del self._pending[command_id]
                future.set_exception(BidiClosedError(f"sending {method} failed: {exc}"))
        return future

    def call(
        self,
        method: str,
        params: dict[str, Any],
        timeout: float,
        *,
        session_id: str | None = None,
    ) -> dict[str, Any]:
        """Send a command and wait up to ``timeout`` s for its result."""
        future = self.send(method, params, session_id=session_id)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise BidiTimeoutError(method, timeout) from None

    def add_listener(self, method: str, listener: Listener) -> None:
        """Call ``listener(params)`` on the reader thread for every ``method`` event."""
        with self._lock:
            self._listeners.setdefault(method, []).append(listener)

    def remove_listener(self, method: str, listener: Listener) -> None:
        """Stop calling ``listener`` (unknown listeners are fine)."""
        with self._lock:
            listeners = self._listeners.get(method, [])
            if listener in listeners:
                listeners.remove(listener)

    def close(self) -> None:
        """Close the socket; pending commands fail with BidiClosedError. Idempotent."""
        self._fail_all("the connection was closed")
        try:
            self._ws.close(timeout=1)
        except Exception as exc:
            log.debug("%s: closing the socket failed: %s", self.name, exc)
        if threading.current_thread() is not self._reader:
            self._reader.join(2)

    # -- reader thread ---------------------------------------------------------------

    def _read(self) -> None:
        reason = "the browser closed the connection"
        while True:
            try:
                raw = self._ws.recv()
            except Exception as exc:
                if not self.closed:
                    reason = f"the connection to the browser was lost ({type(exc).__name__})"
                break
            if not raw:
                break
            try:
                self._dispatch(json.loads(raw))
            except Exception:
                log.exception("%s: handling a message failed", self.name)
        self._fail_all(reason)

    def _dispatch(self, message: dict[str, Any]) -> None:
        command_id = message.get("id")
        if command_id is not None:
            with self._lock:
                entry = self._pending.pop(command_id, None)
            if entry is None:
                return  # the caller gave up waiting (timeout)
            _, future = entry
            cdp_error = message.get("error")
            if isinstance(cdp_error, dict):  # a DevTools (CDP) connection's error
                error = BidiError(str(cdp_error.get("code")), str(cdp_error.get("message") or ""))
                _settle(future, error=error)
            elif message.get("type") == "error":
                error = BidiError(str(message.get("error")), str(message.get("message") or ""))
                _settle(future, error=error)
            else:
                _settle(future, result=message.get("result") or {})
            return
        method = message.get("method")
        if method is None:
            return
        with self._lock:
            listeners = list(self._listeners.get(method, ()))
        params = message.get("params") or {}
        for listener in listeners:
            try:
                listener(params)
            except Exception:
                log.exception("%s: a listener of %s failed", self.name, method)

    def _fail_all(self, reason: str) -> None:
        with self._lock:
            if self._closed_reason is None:
                self._closed_reason = reason
            pending = list(self._pending.values())
            self._pending.clear()
        for method, future in pending:
            _settle(future, error=BidiClosedError(f"{reason} (during {method})"))


class ContextSubscription:
    """Events of one browsing context, for as long as a step needs them: the listeners
    are registered and the events subscribed for that context only by :meth:`start`,
    and both undone by :meth:`stop` (capture, ``networkidle``)."""

    def __init__(
        self,
        bidi: BidiConnection,
        context: str,
        listeners: list[tuple[str, Listener]],
        timeout: float,
    ) -> None:
        self.bidi = bidi
        self.context = context
        self.listeners = listeners
        self.timeout = timeout
        self._id: str | None = None

    def _params(self) -> dict[str, Any]:
        events = list(dict.fromkeys(method for method, _ in self.listeners))
        return {"events": events, "contexts": [self.context]}

    def start(self) -> None:
        """Listen, then subscribe (raises BidiError when the browser refuses)."""
        for method, listener in self.listeners:
            self.bidi.add_listener(method, listener)
        got = self.bidi.call("session.subscribe", self._params(), self.timeout)
        self._id = got.get("subscription")

    def stop(self, what: str) -> None:
        """Unsubscribe and stop listening; never raises (a failure is logged at DEBUG,
        naming ``what`` the subscription was for)."""
        try:
            if self._id is not None:
                params: dict[str, Any] = {"subscriptions": [self._id]}
            else:
                params = self._params()
            self.bidi.call("session.unsubscribe", params, self.timeout)
        except BidiError as exc:
            log.debug("unsubscribing the %s of tab %s failed: %s", what, self.context, exc)
        finally:
            for method, listener in self.listeners:
                self.bidi.remove_listener(method, listener)


def connect_devtools(debugger_address: str, timeout: float) -> BidiConnection:
    """A connection of our own to a local Chromium's DevTools (CDP) browser endpoint,
    found from its ``host:port`` (``goog:chromeOptions.debuggerAddress``). Raises
    ``OSError`` (unreachable), ``ValueError``/``KeyError`` (not a DevTools endpoint)."""
    version = f"http://{debugger_address}/json/version"
    with urllib.request.urlopen(version, timeout=timeout) as answer:
        url = str(json.load(answer)["webSocketDebuggerUrl"])
    return BidiConnection(url, connect_timeout=timeout)


def _settle(
    future: concurrent.futures.Future[dict[str, Any]],
    *,
    result: dict[str, Any] | None = None,
    error: BaseException | None = None,
) -> None:
    """Complete ``future`` unless its caller already cancelled it (gave up waiting)."""
    if not future.set_running_or_notify_cancel():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result or {})
