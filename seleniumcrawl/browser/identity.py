"""A crawl's network identity in the browser: BiDi user contexts with their own proxy,
user agent, locale, time zone, geolocation and headers, and answers to proxy logins.

* :class:`Identity` is what makes two crawls need different contexts: the proxy and the
  emulated traits. Crawls with equal identities share a context (the pool counts its
  users and removes it after the last one).
* :func:`create_context` makes a user context with the identity's proxy
  (``browser.createUserContext{proxy}``) and applies the rest with ``emulation.*`` and
  ``network.setExtraHeaders`` scoped to that context, so nothing leaks into other
  sessions of the same browser.
* :class:`ProxyAuth` answers ``network.authRequired`` for the proxies that need a login:
  an intercept on each tab of a context until its proxy accepted the login, credentials
  looked up by the event's user context. Every
  blocked request gets exactly one answer: the credentials the first time the proxy
  asks; the browser's default when it asks again for the same request (wrong
  credentials: headless Chromium then fails the load at once with
  ``net::ERR_INVALID_AUTH_CREDENTIALS``, no prompt, no loop); ``cancel`` for a challenge
  that is not a proxy's we hold a login for (a site's own 401 shows its page).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import attrs

from seleniumcrawl.browser.bidi import RESPONSE_EVENT, BidiConnection, BidiError
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig, GeolocationConfig, ProxyConfig
from seleniumcrawl.errors import ConfigError, NavigationError, ProxyError
from seleniumcrawl.frozen import FrozenDict

log = logging.getLogger(__name__)

#: What Chromium's proxy bypass list is set from (``--proxy-bypass-list=`` in extra_args).
_BYPASS_FLAG = "--proxy-bypass-list="
_AUTH_EVENT = "network.authRequired"


@attrs.frozen
class Identity:
    """What a user context of its own is made for (all None: the browser's own)."""

    #: The context's proxy (``ProxyConfig.direct()`` for none); None: the browser's.
    proxy: ProxyConfig | None = None
    user_agent: str | None = None
    locale: str | None = None
    timezone_id: str | None = None
    geolocation: GeolocationConfig | None = None
    headers: FrozenDict[str, str] | None = attrs.field(default=None, repr=False)

    @property
    def is_default(self) -> bool:
        """Whether nothing differs from the browser's own identity."""
        return self == _DEFAULT

    def describe(self) -> str:
        """The identity for logs (the proxy without its password)."""
        parts = [f"proxy={self.proxy.display}"] if self.proxy is not None else []
        for name in ("user_agent", "locale", "timezone_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value}")
        if self.geolocation is not None:
            parts.append("geolocation")
        if self.headers:
            parts.append(f"headers={sorted(self.headers)}")
        return ", ".join(parts) or "default"


_DEFAULT = Identity()


def identity_of(
    browser: BrowserConfig, run: CrawlerRunConfig, proxy: ProxyConfig | None
) -> Identity | None:
    """The identity a crawl asks for with ``proxy`` (its own or its rotation's), or None
    when it is the browser's own (such a crawl needs no context of its own)."""
    if proxy is not None:
        same = proxy == browser.proxy_config or (proxy.is_direct and browser.proxy_config is None)
        if same:
            proxy = None
    user_agent = run.user_agent if run.user_agent != browser.user_agent else None
    identity = Identity(
        proxy=proxy,
        user_agent=user_agent,
        locale=run.locale,
        timezone_id=run.timezone_id,
        geolocation=run.geolocation,
        headers=run.headers or None,
    )
    return None if identity.is_default else identity


def bypass_list(browser: BrowserConfig) -> list[str]:
    """The hosts that skip the proxy: ``--proxy-bypass-list=`` of ``extra_args`` (the
    browser's flag), applied to per-context proxies too. ``<-loopback>`` sends even
    127.0.0.1 through the proxy."""
    rules: list[str] = []
    for arg in browser.extra_args:
        if arg.startswith(_BYPASS_FLAG):
            rules.extend(r.strip() for r in arg[len(_BYPASS_FLAG) :].replace(",", ";").split(";"))
    return [r for r in rules if r]


def bidi_proxy(proxy: ProxyConfig, bypass: Sequence[str]) -> dict[str, Any]:
    """WebDriver BiDi's proxy configuration for ``proxy``."""
    if proxy.is_direct:
        return {"proxyType": "direct"}
    out: dict[str, Any] = {"proxyType": "manual"}
    if proxy.scheme in ("socks4", "socks5"):
        out.update(socksProxy=proxy.host_port, socksVersion=int(proxy.scheme[-1]))
    else:
        # Chromium's rules take the proxy's own scheme: "https://" is a TLS proxy.
        server = proxy.host_port if proxy.scheme == "http" else proxy.server
        out.update(httpProxy=server, sslProxy=server)
    if bypass:
        out["noProxy"] = list(bypass)
    return out


def create_context(
    bidi: BidiConnection,
    identity: Identity,
    bypass: Sequence[str],
    timeout: float,
    *,
    is_chromium: bool = True,
) -> str:
    """A new user context with ``identity`` applied; its id. Removes it again when a step
    fails (the error propagates)."""
    params: dict[str, Any] = {}
    if identity.proxy is not None:
        params["proxy"] = bidi_proxy(identity.proxy, bypass)
    user_context = str(bidi.call("browser.createUserContext", params, timeout)["userContext"])
    try:
        for method, args in _emulation(identity):
            bidi.call(method, {**args, "userContexts": [user_context]}, timeout)
        if identity.geolocation is not None and is_chromium:
            # A position is only given to pages allowed to ask; BiDi's permissions module
            # needs an origin, Chromium's CDP grants it for the whole context.
            grant = {"permissions": ["geolocation"], "browserContextId": user_context}
            bidi.call(
                "goog:cdp.sendCommand",
                {"method": "Browser.grantPermissions", "params": grant},
                timeout,
            )
    except BaseException:
        remove_context(bidi, user_context, timeout)
        raise
    log.debug("user context %s for %s", user_context, identity.describe())
    return user_context


def _emulation(identity: Identity) -> list[tuple[str, dict[str, Any]]]:
    steps: list[tuple[str, dict[str, Any]]] = []
    if identity.user_agent is not None:
        steps.append(("emulation.setUserAgentOverride", {"userAgent": identity.user_agent}))
    if identity.locale is not None:
        steps.append(("emulation.setLocaleOverride", {"locale": identity.locale}))
    if identity.timezone_id is not None:
        steps.append(("emulation.setTimezoneOverride", {"timezone": identity.timezone_id}))
    geo = identity.geolocation
    if geo is not None:
        coordinates = {"latitude": geo.latitude, "longitude": geo.longitude}
        if geo.accuracy:
            coordinates["accuracy"] = geo.accuracy
        steps.append(("emulation.setGeolocationOverride", {"coordinates": coordinates}))
    if identity.headers:
        headers = [
            {"name": k, "value": {"type": "string", "value": v}}
            for k, v in identity.headers.items()
        ]
        steps.append(("network.setExtraHeaders", {"headers": headers}))
    return steps


def remove_context(bidi: BidiConnection, user_context: str, timeout: float) -> None:
    """Remove a user context (never raises: a browser that is gone has none)."""
    try:
        bidi.call("browser.removeUserContext", {"userContext": user_context}, timeout)
    except BidiError as exc:
        log.debug("removing user context %s failed: %s", user_context, exc)


#: Chromium's errors that mean the proxy, not the site, failed.
PROXY_NET_ERRORS = (
    "ERR_PROXY_CONNECTION_FAILED",
    "ERR_TUNNEL_CONNECTION_FAILED",
    "ERR_PROXY_AUTH_UNSUPPORTED",
    "ERR_PROXY_AUTH_REQUESTED",
    "ERR_PROXY_CERTIFICATE_INVALID",
    "ERR_PROXY_HTTP_1_1_REQUIRED",
    "ERR_NO_SUPPORTED_PROXIES",
    "ERR_MANDATORY_PROXY_CONFIGURATION_FAILED",
    "ERR_SOCKS_CONNECTION_FAILED",
    "ERR_SOCKS_CONNECTION_HOST_UNREACHABLE",
)
#: What a cancelled proxy login ends in (the proxy refused our credentials).
_REFUSED_LOGIN = ("ERR_INVALID_AUTH_CREDENTIALS", "ERR_UNEXPECTED_PROXY_AUTH")
#: A connection that broke: through a proxy, the browser's connection is the proxy's
#: (a proxy whose upstream fails answers with an error page instead).
_BROKEN = ("ERR_EMPTY_RESPONSE", "ERR_CONNECTION_CLOSED", "ERR_CONNECTION_RESET")


def proxy_failure(exc: NavigationError, proxy: ProxyConfig | None) -> ProxyError | None:
    """The :class:`ProxyError` a failed navigation stands for when ``proxy`` caused it
    (one line naming the proxy without its password), else None."""
    if proxy is None or proxy.is_direct:
        return None
    text = str(exc)
    code = next((c for c in PROXY_NET_ERRORS + _REFUSED_LOGIN + _BROKEN if c in text), None)
    if code is None:
        return None
    if code in _BROKEN:
        return ProxyError(
            f"the connection through proxy {proxy.display} broke (net::{code}): {text}"
        )
    if code in _REFUSED_LOGIN and proxy.has_credentials:
        why = "refused the credentials (or the site behind it asked for a login)"
    elif code in _REFUSED_LOGIN:
        why = "asks for credentials"
    else:
        why = "failed"
    return ProxyError(f"proxy {proxy.display} {why} (net::{code}): {text}")


_IDENTITY_FIELDS = (
    "proxy_config",
    "proxy_rotation_strategy",
    "user_agent",
    "locale",
    "timezone_id",
    "geolocation",
    "headers",
)


def refuse_classic_identity(run: CrawlerRunConfig) -> None:
    """Raise ConfigError naming the first per-crawl identity option of ``run``: without
    BiDi (``use_bidi=False``) there are no user contexts to give one per crawl."""
    for name in _IDENTITY_FIELDS:
        if getattr(run, name) is not None:
            raise ConfigError(
                f"CrawlerRunConfig.{name} is applied per crawl through a WebDriver BiDi user "
                "context, and BrowserConfig(use_bidi=False) has none: set it on BrowserConfig "
                "instead, or use BiDi"
            )


def refuse_classic_login(browser: BrowserConfig) -> None:
    """Raise ConfigError when the browser's proxy needs a login and there is no BiDi to
    answer it with (Chromium has no flag for proxy credentials)."""
    proxy = browser.proxy_config
    if proxy is not None and proxy.has_credentials:
        raise ConfigError(
            f"BrowserConfig.proxy_config {proxy.display}: proxy credentials are answered over "
            "WebDriver BiDi (network.authRequired), and this browser has none "
            "(use_bidi=False, or a remote end without BiDi); use BiDi or a proxy without login"
        )


#: The user context of the browser's own pages, in :class:`ProxyAuth`'s table.
DEFAULT_CONTEXT = "default"


class ProxyAuth:
    """Answers proxy logins of one browser; see the module docstring.

    chromium-bidi pauses *every* request of a tab with an ``authRequired`` intercept
    (CDP needs request interception to see auth challenges), a cost per request. So the
    intercept is per tab (:meth:`watch`), only on tabs of contexts whose proxy has not
    accepted the login yet, and removed from all of a context's tabs once it has:
    Chromium then sends the login up front on every request of that context.
    """

    def __init__(self, bidi: BidiConnection, timeout: float) -> None:
        self._bidi = bidi
        self._timeout = timeout
        self._lock = threading.Lock()
        #: user context -> its proxy login (None: its own proxy needs none).
        self._logins: dict[str, ProxyConfig | None] = {}
        #: Requests we gave credentials to -> their user context (until their response).
        self._answered: dict[str, str] = {}
        #: User contexts whose proxy accepted our login.
        self._accepted: set[str] = set()
        #: user context -> intercept ids of its watched tabs (until accepted).
        self._intercepts: dict[str, list[str]] = {}
        self._listening = False

    def add(self, user_context: str, proxy: ProxyConfig | None) -> None:
        """The proxy of ``user_context``'s pages (None or one without credentials: no
        login, not even the browser's)."""
        login = proxy if proxy is not None and proxy.has_credentials else None
        with self._lock:
            self._logins[user_context] = login

    def _login_of(self, user_context: str) -> ProxyConfig | None:
        # A context with no proxy of its own goes through the browser's.
        return self._logins.get(user_context, self._logins.get(DEFAULT_CONTEXT))

    def watch(self, handle: str, user_context: str | None) -> None:
        """Answer the logins of a new tab's requests if its context still needs one
        (driver or page thread, before the tab's first navigation)."""
        key = user_context or DEFAULT_CONTEXT
        with self._lock:
            if self._login_of(key) is None or key in self._accepted:
                return
            listen = not self._listening
            self._listening = True
        if listen:
            self._bidi.add_listener(_AUTH_EVENT, self._on_auth)
            self._bidi.add_listener(RESPONSE_EVENT, self._on_response)
            try:
                self._bidi.call("session.subscribe", {"events": [_AUTH_EVENT]}, self._timeout)
            except BaseException:
                with self._lock:
                    self._listening = False
                self._bidi.remove_listener(_AUTH_EVENT, self._on_auth)
                self._bidi.remove_listener(RESPONSE_EVENT, self._on_response)
                raise
        params = {"phases": ["authRequired"], "contexts": [handle]}
        got = self._bidi.call("network.addIntercept", params, self._timeout)
        with self._lock:
            if key not in self._accepted:
                self._intercepts.setdefault(key, []).append(str(got["intercept"]))
                return
        self._remove_intercepts([str(got["intercept"])])  # accepted meanwhile

    def discard(self, user_context: str) -> None:
        """Forget the login of a removed user context."""
        with self._lock:
            self._logins.pop(user_context, None)
            self._accepted.discard(user_context)
            self._intercepts.pop(user_context, None)

    def _on_auth(self, params: dict[str, Any]) -> None:
        """On the reader thread: decide and send the answer without waiting for it."""
        if not params.get("isBlocked"):
            return
        request = str((params.get("request") or {}).get("request", ""))
        action: dict[str, Any] = {"action": "default"}
        try:
            action = self._answer(params, request)
        except Exception:
            log.exception("answering a login request failed; letting the browser decide")
        future = self._bidi.send("network.continueWithAuth", {"request": request, **action})
        future.add_done_callback(_log_refusal)

    def _answer(self, params: dict[str, Any], request: str) -> dict[str, Any]:
        # chromium-bidi does not say whether the proxy (407) or the site (401) asks: the
        # status is -1 for both. A context's first challenges are its proxy's; once a
        # response came through the proxy after our login, the proxy knows us (Chromium
        # keeps the login per context), so a later challenge is the site's and never gets
        # the proxy's password.
        user_context = str(params.get("userContext") or "") or DEFAULT_CONTEXT
        with self._lock:
            proxy = self._login_of(user_context)
            if proxy is None or user_context in self._accepted:
                return {"action": "cancel"}  # no prompt to wait on: the page fails or shows 401
            if request in self._answered:
                # Asked again for one request: the proxy refused the credentials (a
                # 407 again, or tinyproxy's 401). The browser's default then fails the
                # load at once (net::ERR_INVALID_AUTH_CREDENTIALS): no prompt, no loop.
                log.info("proxy %s asked again after the login", proxy.display)
                return {"action": "default"}
            self._answered[request] = user_context
        credentials = {"type": "password", "username": proxy.username, "password": proxy.password}
        return {"action": "provideCredentials", "credentials": credentials}

    def _on_response(self, params: dict[str, Any]) -> None:
        """A response after our login: the proxy accepted it for that context, whose
        tabs need the intercept no more."""
        request = str((params.get("request") or {}).get("request", ""))
        status = (params.get("response") or {}).get("status")
        with self._lock:
            user_context = self._answered.pop(request, None)
            if user_context is None or status == 407 or user_context in self._accepted:
                return
            self._accepted.add(user_context)
            done = self._intercepts.pop(user_context, [])
        log.debug("proxy login of user context %s accepted", user_context)
        self._remove_intercepts(done)

    def _remove_intercepts(self, intercepts: list[str]) -> None:
        for intercept in intercepts:  # sent, not awaited: this may be the reader thread
            future = self._bidi.send("network.removeIntercept", {"intercept": intercept})
            future.add_done_callback(_log_refusal)


class UserContexts:
    """The user contexts one browser holds for identities (one per driver generation).

    Sessions and sessionless crawls of equal identity share a context
    (:meth:`acquire`/:meth:`release`, counted); an isolated session gets one of its own
    (:meth:`create_own`/:meth:`remove_own`). Either registers its proxy login.
    """

    def __init__(self, bidi: BidiConnection, browser: BrowserConfig) -> None:
        self._bidi = bidi
        self._browser = browser
        self._timeout = browser.command_timeout
        self._bypass = bypass_list(browser)
        self.auth = ProxyAuth(bidi, self._timeout)
        self._lock = threading.Lock()
        proxy = browser.proxy_config
        if proxy is not None and proxy.has_credentials:
            self.auth.add(DEFAULT_CONTEXT, proxy)
        #: identity -> [user context, users]
        self._shared: dict[Identity, list[Any]] = {}

    @property
    def shared(self) -> int:
        """Shared contexts alive (for tests and tools)."""
        with self._lock:
            return len(self._shared)

    def acquire(self, identity: Identity) -> str:
        """The shared context of ``identity`` (made on first use); one more user."""
        with self._lock:
            entry = self._shared.get(identity)
            if entry is not None:
                entry[1] += 1
                return str(entry[0])
            # Made under the lock: two first crawls of one identity must not make two.
            user_context = self._make(identity)
            self._shared[identity] = [user_context, 1]
            return user_context

    def release(self, identity: Identity) -> None:
        """One user less; the context is removed after its last one."""
        with self._lock:
            entry = self._shared.get(identity)
            if entry is None:
                return
            entry[1] -= 1
            if entry[1] > 0:
                return
            del self._shared[identity]
        self.remove_own(str(entry[0]))

    def watch(self, handle: str, user_context: str | None) -> None:
        """A new tab of ``user_context`` (None: the browser's own): answer its proxy's login
        until the proxy has accepted it."""
        self.auth.watch(handle, user_context)

    def create_own(self, identity: Identity | None) -> str:
        """A context for one isolated session (with ``identity`` when given)."""
        return self._make(identity or _DEFAULT)

    def remove_own(self, user_context: str) -> None:
        """Remove a context made by :meth:`create_own` (or the last of a shared one)."""
        self.auth.discard(user_context)
        remove_context(self._bidi, user_context, self._timeout)

    def _make(self, identity: Identity) -> str:
        user_context = create_context(
            self._bidi,
            identity,
            self._bypass,
            self._timeout,
            is_chromium=self._browser.is_chromium,
        )
        if identity.proxy is not None:
            self.auth.add(user_context, identity.proxy)
        return user_context


def _log_refusal(future: Any) -> None:
    exc = None if future.cancelled() else future.exception()
    if exc is not None:
        log.debug("network.continueWithAuth failed: %s", exc)


__all__ = [
    "DEFAULT_CONTEXT",
    "PROXY_NET_ERRORS",
    "Identity",
    "ProxyAuth",
    "UserContexts",
    "bidi_proxy",
    "bypass_list",
    "create_context",
    "identity_of",
    "proxy_failure",
    "refuse_classic_identity",
    "refuse_classic_login",
    "remove_context",
]
