"""What a page fetches: URL blocking per tab, and BiDi network intercepts that always answer.

* :func:`apply_blocking` gives a tab its crawl's :class:`ResourcePolicy` URL patterns
  through Chromium's own URL blocking (CDP ``Network.setBlockedURLs``, over BiDi by
  ``goog:cdp.sendCommand`` like every CDP command of :mod:`browser.tab`, on the classic
  path by chromedriver's CDP). The browser refuses a matching request itself
  (``net::ERR_BLOCKED_BY_CLIENT``): no request pauses, no round trip to us. A tab keeps
  its patterns until a crawl with other ones runs in it (a session's next step).
* :class:`NetworkInterceptor` is the one owner of ``network.addIntercept`` on a BiDi
  connection. Each :meth:`~NetworkInterceptor.add` registers a handler for one phase
  (``beforeRequestSent``, ``responseStarted``, ``authRequired``), for some browsing
  contexts or for the whole browser, and returns an :class:`Intercept` to remove. The
  handler gets a :class:`PausedRequest` and answers it (``continue_``, ``fail``,
  ``provide_response``, ``continue_with_auth``).

  Always answered: handlers run on a small thread pool, never on the BiDi reader
  thread. A request that no handler answers is continued; a handler that raises fails
  the request (``authRequired``: the browser's default answer), logged, and the owner's
  ``on_error`` hears of it; a handler that takes longer than ``handler_timeout`` gets the
  same. Answers after the first are ignored, and a page that closed under a paused
  request (``no such request``) is no error.
"""

from __future__ import annotations

import base64
import concurrent.futures
import http
import itertools
import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any

from seleniumcrawl.browser.bidi import BidiClosedError, BidiConnection, BidiError
from seleniumcrawl.browser.capture import network_entry
from seleniumcrawl.browser.tab import ClassicTab, Tab
from seleniumcrawl.config.network import ResourcePolicy
from seleniumcrawl.errors import ConfigError

log = logging.getLogger(__name__)

#: The intercept phases and the event that reports each.
PHASES = {
    "beforeRequestSent": "network.beforeRequestSent",
    "responseStarted": "network.responseStarted",
    "authRequired": "network.authRequired",
}

#: Seconds a handler may take before its request is answered without it.
HANDLER_TIMEOUT_S = 30.0
#: Threads that run handlers per connection.
HANDLER_THREADS = 4

_ids = itertools.count(1)


def apply_blocking(tab: Tab, policy: ResourcePolicy, option: str = "block_resources") -> None:
    """Give ``tab`` the policy's URL patterns (none: clear what an earlier crawl set).

    Raises ConfigError naming ``option`` when the browser has no CDP (Firefox)."""
    patterns = tuple(policy.url_patterns)
    # What each window was given; a classic tab is made anew for each crawl of its
    # window, so the table lives with the driver (a BiDi tab: with the tab).
    holder: Any = tab.drv if isinstance(tab, ClassicTab) else tab
    given: dict[str, tuple[str, ...]] | None = getattr(holder, "_blocked_url_patterns", None)
    if given is None:
        given = {}
        holder._blocked_url_patterns = given
    current = given.get(tab.handle, ())
    if patterns == current:
        return
    if not tab.is_chromium:
        raise ConfigError(
            f"{option}: blocking by URL needs Chromium's URL blocking (CDP); this browser has none"
        )
    if tab.handle not in given:
        tab.cdp("Network.enable", {})
    blocks = [{"urlPattern": pattern, "block": True} for pattern in patterns]
    tab.cdp("Network.setBlockedURLs", {"urlPatterns": blocks})
    given[tab.handle] = patterns


_interceptors: weakref.WeakKeyDictionary[BidiConnection, NetworkInterceptor] = (
    weakref.WeakKeyDictionary()
)
_interceptors_lock = threading.Lock()


def interceptor_for(bidi: BidiConnection, timeout: float) -> NetworkInterceptor:
    """The one :class:`NetworkInterceptor` of ``bidi`` (made on first use): every owner
    of intercepts on a browser (blocking, routes, proxy logins) registers through it."""
    with _interceptors_lock:
        interceptor: NetworkInterceptor | None = _interceptors.get(bidi)
        if interceptor is None:
            interceptor = NetworkInterceptor(bidi, timeout)
            _interceptors[bidi] = interceptor
        return interceptor


class Blocking:
    """One crawl's blocking in its tab: :func:`block` starts it, :meth:`stop` ends the
    part that is the crawl's alone (the kinds' intercept; URL patterns stay with the tab)."""

    def __init__(self, intercept: Intercept | None) -> None:
        self.intercept = intercept
        #: Other intercepts of the crawl, removed with it (a HAR replay's).
        self.extra: list[Intercept] = []

    def stop(self) -> None:
        """Never raises."""
        if self.intercept is not None:
            self.intercept.remove()
            self.intercept = None
        for intercept in self.extra:
            intercept.remove()
        self.extra.clear()


def block(tab: Tab, policy: ResourcePolicy) -> Blocking:
    """Apply ``policy`` to ``tab`` for one crawl: URL patterns in the browser, kinds no URL
    tells by a BiDi intercept of the tab's requests (ConfigError on the classic path)."""
    apply_blocking(tab, policy)
    if not policy.kinds:
        return Blocking(None)
    bidi = getattr(tab, "bidi", None)
    if not isinstance(bidi, BidiConnection):
        raise ConfigError(
            f"block_resources {sorted(policy.kinds)}: these kinds are told only by pausing "
            "each request (WebDriver BiDi), and this browser has none (use_bidi=False); block "
            "them by URL with block_urls, or use BiDi"
        )
    kinds = policy.kinds
    timeout = float(getattr(tab, "command_timeout", 30.0))

    def handler(request: PausedRequest) -> None:
        if request.resource_type in kinds:
            request.fail()

    intercept = interceptor_for(bidi, timeout).add(
        "beforeRequestSent", handler, contexts=[tab.handle]
    )
    return Blocking(intercept)


class PausedRequest:
    """One request paused by an intercept; answer it once (later answers are ignored).

    ``url``, ``method``, ``headers`` (a dict), ``resource_type`` (capture's names),
    ``context`` (the browsing context), ``phase``, ``params`` (the raw BiDi event)."""

    def __init__(self, interceptor: NetworkInterceptor, phase: str, params: dict[str, Any]) -> None:
        self._interceptor = interceptor
        self.phase = phase
        self.params = params
        request = params.get("request") or {}
        self.id = str(request.get("request", ""))
        entry = network_entry("network.beforeRequestSent", params)
        self.url: str = str(entry["url"])
        self.method: str = str(entry["method"] or "GET")
        self.headers: dict[str, str] = dict(entry["headers"])
        self.resource_type: str = str(entry["resource_type"])
        self.context: str | None = params.get("context")
        self.user_context: str | None = params.get("userContext")
        self._lock = threading.Lock()
        self._answered = False

    @property
    def answered(self) -> bool:
        """Whether an answer was sent."""
        return self._answered

    def _answer(self, method: str, params: dict[str, Any]) -> bool:
        with self._lock:
            if self._answered:
                return False
            self._answered = True
        self._interceptor._send_answer(method, {"request": self.id, **params})
        return True

    def continue_(
        self,
        *,
        url: str | None = None,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> bool:
        """Let it go on, changed as given (``responseStarted``: the response goes on)."""
        if self.phase == "responseStarted":
            return self._answer("network.continueResponse", {})
        params: dict[str, Any] = {}
        if url is not None:
            params["url"] = url
        if method is not None:
            params["method"] = method
        if headers is not None:
            params["headers"] = _bidi_headers(headers)
        if body is not None:
            params["body"] = _bytes_value(body)
        if self.phase == "authRequired":
            return self._answer("network.continueWithAuth", {"action": "default"})
        return self._answer("network.continueRequest", params)

    def fail(self) -> bool:
        """Fail it (the page sees a network error)."""
        if self.phase == "authRequired":
            return self._answer("network.continueWithAuth", {"action": "cancel"})
        return self._answer("network.failRequest", {})

    def provide_response(
        self,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: bytes | str | None = None,
        reason: str = "",
    ) -> bool:
        """Answer it with this response; the network is not used."""
        params: dict[str, Any] = {"statusCode": status, "reasonPhrase": reason or _reason(status)}
        params["headers"] = _bidi_headers(headers or {})
        if body is not None:
            params["body"] = _bytes_value(body)
        return self._answer("network.provideResponse", params)

    def continue_with_auth(self, action: str, credentials: dict[str, Any] | None = None) -> bool:
        """Answer an ``authRequired`` pause: ``"default"``, ``"cancel"`` or
        ``"provideCredentials"`` with ``{"type": "password", "username", "password"}``."""
        params: dict[str, Any] = {"action": action}
        if credentials is not None:
            params["credentials"] = credentials
        return self._answer("network.continueWithAuth", params)


Handler = Callable[[PausedRequest], None]
ErrorCallback = Callable[[PausedRequest, BaseException], None]


class Intercept:
    """One registered handler: :meth:`remove` it when done (idempotent)."""

    def __init__(
        self,
        interceptor: NetworkInterceptor,
        phase: str,
        handler: Handler,
        contexts: frozenset[str] | None,
        on_error: ErrorCallback | None,
        accepts: Callable[[str], bool] | None = None,
    ) -> None:
        self.interceptor = interceptor
        #: A quick URL test run on the reader thread: a request it rejects is continued
        #: there at once, without a trip through the handler threads.
        self.accepts = accepts
        self.phase = phase
        self.handler = handler
        self.contexts = contexts
        self.on_error = on_error
        self.name = f"intercept-{next(_ids)}"
        #: The browser's intercept id (``network.addIntercept``'s answer).
        self.bidi_id: str | None = None

    def covers(self, params: dict[str, Any]) -> bool:
        """Whether a paused request's event is this handler's to answer."""
        if self.bidi_id is not None and self.bidi_id not in (params.get("intercepts") or ()):
            return False
        return self.contexts is None or params.get("context") in self.contexts

    def remove(self) -> None:
        """Stop pausing for this handler (requests it holds still get their answer)."""
        self.interceptor.remove(self)


class NetworkInterceptor:
    """The intercepts of one BiDi connection; see the module docstring."""

    def __init__(
        self,
        bidi: BidiConnection,
        timeout: float,
        *,
        handler_timeout: float = HANDLER_TIMEOUT_S,
        threads: int = HANDLER_THREADS,
    ) -> None:
        self.bidi = bidi
        self.timeout = timeout
        self.handler_timeout = handler_timeout
        self._lock = threading.Lock()
        self._intercepts: list[Intercept] = []
        self._subscribed: dict[str, str | None] = {}
        self._threads = threads
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._closed = False
        self._listeners: dict[str, Callable[[dict[str, Any]], None]] = {
            event: self._listener(phase) for phase, event in PHASES.items()
        }

    def _listener(self, phase: str) -> Callable[[dict[str, Any]], None]:
        return lambda params: self._on_event(phase, params)

    def add(
        self,
        phase: str,
        handler: Handler,
        *,
        contexts: Iterable[str] | None = None,
        url_patterns: Iterable[str] | None = None,
        on_error: ErrorCallback | None = None,
        accepts: Callable[[str], bool] | None = None,
    ) -> Intercept:
        """Pause ``phase`` requests (of ``contexts``, else of the browser) and call
        ``handler`` with each; ``url_patterns`` (BiDi string patterns) narrow what pauses.
        ``accepts(url)``, when given, must be quick and never raise: it runs on the reader
        thread, and requests it rejects skip ``handler``.
        Raises BidiError when the browser refuses the intercept."""
        if phase not in PHASES:
            raise ValueError(f"unknown intercept phase {phase!r}; known: {', '.join(PHASES)}")
        scope = frozenset(contexts) if contexts is not None else None
        intercept = Intercept(self, phase, handler, scope, on_error, accepts)
        event = PHASES[phase]
        self._subscribe(event)
        params: dict[str, Any] = {"phases": [phase]}
        if scope is not None:
            params["contexts"] = sorted(scope)
        if url_patterns is not None:
            params["urlPatterns"] = [{"type": "string", "pattern": p} for p in url_patterns]
        with self._lock:
            self._intercepts.append(intercept)
        try:
            got = self.bidi.call("network.addIntercept", params, self.timeout)
        except BaseException:
            with self._lock:
                self._intercepts.remove(intercept)
            raise
        intercept.bidi_id = str(got.get("intercept"))
        return intercept

    def remove(self, intercept: Intercept) -> None:
        """Remove one intercept; never raises (a failure, or a gone page, is logged)."""
        with self._lock:
            if intercept not in self._intercepts:
                return
            self._intercepts.remove(intercept)
        if intercept.bidi_id is None or self.bidi.closed:
            return
        try:
            self.bidi.call(
                "network.removeIntercept", {"intercept": intercept.bidi_id}, self.timeout
            )
        except BidiError as exc:
            log.debug("removing %s failed: %s", intercept.name, exc)

    def close(self) -> None:
        """Remove every intercept and stop the handler threads (driver quit)."""
        with self._lock:
            intercepts = list(self._intercepts)
            self._closed = True
            pool, self._pool = self._pool, None
        for intercept in intercepts:
            self.remove(intercept)
        for event in list(self._subscribed):
            self.bidi.remove_listener(event, self._listener_of(event))
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=False)

    # -- events (reader thread) ------------------------------------------------------

    def _subscribe(self, event: str) -> None:
        with self._lock:
            if event in self._subscribed:
                return
            self._subscribed[event] = None
        self.bidi.add_listener(event, self._listener_of(event))
        try:
            got = self.bidi.call("session.subscribe", {"events": [event]}, self.timeout)
        except BaseException:
            with self._lock:
                self._subscribed.pop(event, None)
            self.bidi.remove_listener(event, self._listener_of(event))
            raise
        self._subscribed[event] = got.get("subscription")

    def _listener_of(self, event: str) -> Callable[[dict[str, Any]], None]:
        return self._listeners[event]

    def _on_event(self, phase: str, params: dict[str, Any]) -> None:
        if not params.get("isBlocked"):
            return
        with self._lock:
            handlers = [i for i in self._intercepts if i.phase == phase and i.covers(params)]
            pool = self._executor()
        if not handlers:
            return  # another owner's pause (its own listener answers it)
        request = PausedRequest(self, phase, params)
        handlers = [i for i in handlers if i.accepts is None or _accepts(i, request.url)]
        if not handlers:
            request.continue_()  # no handler wants it: answered here, at once
            return
        if pool is None:
            request.continue_()
            return
        timer = threading.Timer(self.handler_timeout, self._late, (request,))
        timer.daemon = True
        timer.start()
        future = pool.submit(self._run, request, handlers)
        future.add_done_callback(lambda _: timer.cancel())

    def _late(self, request: PausedRequest) -> None:
        """A handler still runs after ``handler_timeout``: fail the request without it."""
        if request.fail():
            log.warning(
                "a network handler took over %g s; %s failed", self.handler_timeout, request.url
            )

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor | None:
        if self._closed:
            return None
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                self._threads, thread_name_prefix=f"{self.bidi.name}-intercept"
            )
        return self._pool

    # -- handlers (pool threads) -----------------------------------------------------

    def _run(self, request: PausedRequest, handlers: list[Intercept]) -> None:
        # The first handler that answers wins; a raising one fails the request.
        for intercept in handlers:
            try:
                intercept.handler(request)
            except BaseException as exc:
                log.warning(
                    "a network handler raised %s: %s; %s failed",
                    type(exc).__name__,
                    exc,
                    request.url,
                )
                if intercept.on_error is not None:
                    try:
                        intercept.on_error(request, exc)
                    except Exception:
                        log.exception("an intercept's on_error failed")
                request.fail()
                return
            if request.answered:
                return
        request.continue_()

    def _send_answer(self, method: str, params: dict[str, Any]) -> None:
        future = self.bidi.send(method, params)
        future.add_done_callback(lambda f: self._on_answered(method, params, f))

    def _on_answered(
        self, method: str, params: dict[str, Any], future: concurrent.futures.Future[Any]
    ) -> None:
        """An answer the browser refused (a bad status or header) would leave the request
        paused: fail it instead (an ``authRequired`` pause: cancel)."""
        if not _log_refusal(method, future):
            return
        if method == "network.continueWithAuth":
            if params.get("action") == "cancel":
                return
            fallback, extra = "network.continueWithAuth", {"action": "cancel"}
        elif method == "network.failRequest":
            return
        else:
            fallback, extra = "network.failRequest", {}
        retry = self.bidi.send(fallback, {"request": params["request"], **extra})
        retry.add_done_callback(lambda f: _log_refusal(fallback, f))


def _accepts(intercept: Intercept, url: str) -> bool:
    try:
        return bool(intercept.accepts is not None and intercept.accepts(url))
    except Exception:
        log.exception("an intercept's URL test failed; its handler decides")
        return True


def _log_refusal(method: str, future: concurrent.futures.Future[dict[str, Any]]) -> bool:
    """Log a refused answer; True when the request may still be paused (the browser
    refused the answer itself, not a gone page or connection)."""
    if future.cancelled():
        return False
    exc = future.exception()
    if exc is None:
        return False
    if isinstance(exc, BidiError) and exc.error in ("no such request", "no such frame"):
        log.debug("%s: the page went away first (%s)", method, exc)
        return False
    log.warning("%s was refused: %s", method, exc)
    return isinstance(exc, BidiError) and not isinstance(exc, BidiClosedError)


def _bidi_headers(headers: dict[str, str]) -> list[dict[str, Any]]:
    return [{"name": k, "value": {"type": "string", "value": str(v)}} for k, v in headers.items()]


def _bytes_value(body: bytes | str) -> dict[str, str]:
    if isinstance(body, str):
        return {"type": "string", "value": body}
    return {"type": "base64", "value": base64.b64encode(body).decode("ascii")}


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"  # Chromium refuses an empty reason phrase


__all__ = [
    "HANDLER_TIMEOUT_S",
    "PHASES",
    "Blocking",
    "Intercept",
    "NetworkInterceptor",
    "PausedRequest",
    "apply_blocking",
    "block",
    "interceptor_for",
]
