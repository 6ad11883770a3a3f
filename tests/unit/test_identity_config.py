"""ProxyConfig, GeolocationConfig, the rotation strategy and the identity fields of the
configs (SPEC 22): parsing, validation, masking, without a browser."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from seleniumcrawl import (
    BrowserConfig,
    CrawlerRunConfig,
    GeolocationConfig,
    ProxyConfig,
    RoundRobinProxyStrategy,
)
from seleniumcrawl.browser.identity import (
    Identity,
    ProxyAuth,
    bidi_proxy,
    bypass_list,
    identity_of,
    proxy_failure,
    refuse_classic_identity,
)
from seleniumcrawl.errors import ConfigError, NavigationError

SECRET = "pa55-Wörd"


@pytest.mark.parametrize(
    ("text", "server", "username", "password"),
    [
        ("http://alice:s3cret@10.0.0.1:3128", "http://10.0.0.1:3128", "alice", "s3cret"),
        ("https://proxy.example:8443", "https://proxy.example:8443", None, None),
        ("socks5://127.0.0.1:1080", "socks5://127.0.0.1:1080", None, None),
        ("10.0.0.1:3128:bob:pw", "http://10.0.0.1:3128", "bob", "pw"),
        ("10.0.0.1:3128", "http://10.0.0.1:3128", None, None),
        ("http://u:p%40ss@h:1", "http://h:1", "u", "p@ss"),
        ("  http://h:8080/  ", "http://h:8080", None, None),
    ],
)
def test_from_string_forms(text: str, server: str, username: Any, password: Any) -> None:
    """The four Crawl4AI forms parse into server, username and password."""
    proxy = ProxyConfig.from_string(text)
    assert (proxy.server, proxy.username, proxy.password) == (server, username, password)


def test_default_port_and_ip() -> None:
    """A server without a port gets its scheme's; ``ip`` defaults to the host."""
    proxy = ProxyConfig("http://proxy.example")
    assert proxy.server == "http://proxy.example:80"
    assert proxy.ip == "proxy.example"
    assert ProxyConfig("h:1", ip="1.2.3.4").ip == "1.2.3.4"


@pytest.mark.parametrize(
    "bad",
    ["ftp://h:1", "http://h:99999", "h:1:2:3:4", "http://:80", "http://h:1/path", "just-words"],
)
def test_malformed_strings_raise_naming_the_field(bad: str) -> None:
    """A malformed proxy string raises ConfigError (a ValueError) naming ProxyConfig."""
    with pytest.raises(ValueError, match="ProxyConfig"):
        ProxyConfig.from_string(bad)


def test_socks_with_credentials_is_refused_saying_why() -> None:
    """Chromium cannot log in to SOCKS proxies: refused at construction, password masked."""
    with pytest.raises(ConfigError, match="cannot authenticate to a socks5") as info:
        ProxyConfig("socks5://h:1080", "u", SECRET)
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ProxyConfig.from_string(f"http://u{SECRET}@h:1"),
        lambda: ProxyConfig.from_string(f"h:1:u:{SECRET}:x"),
        lambda: ProxyConfig("ftp://h:1", "u", SECRET),
        lambda: ProxyConfig.from_string(f"http://:{SECRET}@h:1"),
        lambda: ProxyConfig("h:1", "u", 5),  # type: ignore[arg-type]
        lambda: ProxyConfig("h:1", password=SECRET),
    ],
)
def test_errors_never_show_the_password(make: Any) -> None:
    """No construction error quotes the password."""
    with pytest.raises((ValueError, TypeError)) as info:
        make()
    assert SECRET not in str(info.value)


def test_repr_and_display_mask_the_password() -> None:
    """``repr`` and ``display`` show *** for the password; to_dict keeps it (round trip)."""
    proxy = ProxyConfig("http://h:1", "alice", SECRET)
    assert SECRET not in repr(proxy)
    assert "password='***'" in repr(proxy)
    assert proxy.display == "http://alice:***@h:1"
    assert ProxyConfig.from_dict(proxy.to_dict()) == proxy
    assert SECRET not in repr(BrowserConfig(proxy_config=proxy))
    assert SECRET not in repr(CrawlerRunConfig(proxy_config=proxy))
    assert SECRET not in repr(RoundRobinProxyStrategy([proxy]))


def test_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """from_env reads comma-separated proxies; a bad entry names the variable, not the secret."""
    monkeypatch.setenv("PROXIES", "h1:1,http://u:p@h2:2, ,h3:3:u:p")
    assert [p.server for p in ProxyConfig.from_env()] == [
        "http://h1:1",
        "http://h2:2",
        "http://h3:3",
    ]
    monkeypatch.setenv("MY_PROXIES", f"h1:1,ftp://u:{SECRET}@x:1")
    with pytest.raises(ConfigError, match=r"\$MY_PROXIES entry 1") as info:
        ProxyConfig.from_env("MY_PROXIES")
    assert SECRET not in str(info.value)
    monkeypatch.delenv("PROXIES")
    assert ProxyConfig.from_env() == []


def test_direct() -> None:
    """``ProxyConfig.DIRECT`` is Crawl4AI's "direct"; as a proxy_config it means none."""
    assert ProxyConfig.DIRECT == "direct"
    run = CrawlerRunConfig(proxy_config=ProxyConfig.DIRECT)
    assert run.proxy_config is not None and run.proxy_config.is_direct
    assert BrowserConfig(proxy_config="direct").proxy_config is None


def test_browser_config_proxy_forms() -> None:
    """``proxy=`` still works and becomes proxy_config; ``proxy`` keeps the server only."""
    old = BrowserConfig(proxy=f"http://alice:{SECRET}@127.0.0.1:3128")
    assert old.proxy == "http://127.0.0.1:3128"
    assert old.proxy_config == ProxyConfig("http://127.0.0.1:3128", "alice", SECRET)
    assert old.clone(headless=False).proxy_config == old.proxy_config
    assert old.clone(proxy_config=None).proxy is None
    assert old.clone(proxy=None).proxy_config is None
    new = BrowserConfig(proxy_config={"server": "h:1", "username": "u", "password": "p"})
    assert new.proxy == "http://h:1"
    assert BrowserConfig(proxy="http://h:1", proxy_config=ProxyConfig("h:1", "u", "p")).proxy_config
    with pytest.raises(ConfigError, match="disagree"):
        BrowserConfig(proxy="http://a:1", proxy_config="http://b:1")
    with pytest.raises(TypeError, match="proxy_rotation_strategy"):
        BrowserConfig(proxy_config=["h:1", "h:2"])


def test_run_config_identity_fields() -> None:
    """The per-crawl identity fields validate and name the field when wrong."""
    run = CrawlerRunConfig(
        user_agent="UA/1",
        locale="de-DE",
        timezone_id="Asia/Tokyo",
        geolocation=GeolocationConfig(48.1, 11.5, 10),
        headers={"X-A": "1"},
        proxy_config="h:1",
        proxy_rotation_strategy=RoundRobinProxyStrategy(["h:2"]),
        proxy_session_id="s",
        proxy_session_ttl=60,
    )
    assert run.clone().headers == {"X-A": "1"}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"locale": "not a locale"}, "locale"),
        ({"timezone_id": "Mars/Olympus"}, "timezone_id"),
        ({"geolocation": {"latitude": 1}}, "geolocation"),
        ({"headers": {"X": 1}}, "headers"),
        ({"proxy_rotation_strategy": ["h:1"]}, "proxy_rotation_strategy"),
        ({"proxy_session_ttl": -1}, "proxy_session_ttl"),
        ({"proxy_config": 5}, "proxy_config"),
    ]
    for bad, field in cases:
        with pytest.raises((TypeError, ValueError), match=field):
            CrawlerRunConfig(**bad)


def test_geolocation_ranges() -> None:
    """Latitude, longitude and accuracy are range-checked naming the field."""
    assert GeolocationConfig.from_dict({"latitude": 1, "longitude": 2}).accuracy == 0.0
    for args, field in [((91, 0), "latitude"), ((0, 181), "longitude"), ((0, 0, -1), "accuracy")]:
        with pytest.raises(ConfigError, match=field):
            GeolocationConfig(*args)
    with pytest.raises(TypeError, match="latitude"):
        GeolocationConfig(True, 0)


def test_round_robin_rotation_and_sticky_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each call takes the next proxy; a proxy session keeps its proxy until its ttl."""
    a, b, c = (ProxyConfig(f"h{i}:1") for i in range(3))
    strategy = RoundRobinProxyStrategy([a, b])
    strategy.add_proxies([c])
    assert [strategy.next_proxy() for _ in range(6)] == [a, b, c, a, b, c]
    clock = [100.0]
    monkeypatch.setattr("seleniumcrawl.config.proxy_rotation.time.monotonic", lambda: clock[0])
    pinned = strategy.proxy_for_session("s1", ttl=10)
    assert [strategy.proxy_for_session("s1") for _ in range(3)] == [pinned] * 3
    assert strategy.get_active_sessions() == {"s1": pinned}
    clock[0] += 11
    assert strategy.get_session_proxy("s1") is None
    assert strategy.proxy_for_session("s1") != pinned
    strategy.forget_session("s1")
    assert strategy.get_active_sessions() == {}
    assert RoundRobinProxyStrategy().next_proxy() is None


def test_crawl4ai_async_names() -> None:
    """Crawl4AI's awaitable methods give the same proxies."""
    strategy = RoundRobinProxyStrategy(["h1:1", "h2:1"])

    async def main() -> list[Any]:
        first = await strategy.get_next_proxy()
        pinned = await strategy.get_proxy_for_session("s")
        again = await strategy.get_proxy_for_session("s")
        await strategy.release_session("s")
        return [first, pinned, again]

    first, pinned, again = asyncio.run(main())
    assert first.server == "http://h1:1" and pinned == again
    assert strategy.get_active_sessions() == {}
    with pytest.raises(TypeError):
        RoundRobinProxyStrategy("h:1")


def test_identity_of_drops_what_equals_the_browser() -> None:
    """Only what differs from the browser makes an identity; none means no own context."""
    proxy = ProxyConfig("h:1", "u", SECRET)
    browser = BrowserConfig(proxy_config=proxy, user_agent="UA")
    assert identity_of(browser, CrawlerRunConfig(), None) is None
    assert identity_of(browser, CrawlerRunConfig(user_agent="UA"), proxy) is None
    assert identity_of(BrowserConfig(), CrawlerRunConfig(), ProxyConfig.direct()) is None
    other = ProxyConfig("h:2", "u", SECRET)
    got = identity_of(browser, CrawlerRunConfig(locale="fr-FR"), other)
    assert got == Identity(proxy=other, locale="fr-FR")
    assert SECRET not in got.describe() and SECRET not in repr(got)


def test_bidi_proxy_shapes() -> None:
    """Each scheme maps to BiDi's manual proxy; the bypass list comes from extra_args."""
    browser = BrowserConfig(extra_args=["--proxy-bypass-list=<-loopback>;*.local"])
    bypass = bypass_list(browser)
    assert bypass == ["<-loopback>", "*.local"]
    assert bidi_proxy(ProxyConfig("h:1"), bypass) == {
        "proxyType": "manual",
        "httpProxy": "h:1",
        "sslProxy": "h:1",
        "noProxy": bypass,
    }
    assert bidi_proxy(ProxyConfig("https://h:2"), [])["httpProxy"] == "https://h:2"
    assert bidi_proxy(ProxyConfig("socks5://h:3"), [])["socksVersion"] == 5
    assert bidi_proxy(ProxyConfig.direct(), bypass) == {"proxyType": "direct"}


def test_proxy_failures_name_the_host_not_the_password() -> None:
    """Proxy net errors become ProxyError ("proxy"); others stay what they were."""
    proxy = ProxyConfig("http://proxy.example:3128", "u", SECRET)
    failed = proxy_failure(
        NavigationError("could not load x: net::ERR_PROXY_CONNECTION_FAILED"), proxy
    )
    assert failed is not None and failed.error_type == "proxy"
    assert "proxy.example" in str(failed) and SECRET not in str(failed)
    refused = proxy_failure(NavigationError("net::ERR_INVALID_AUTH_CREDENTIALS"), proxy)
    assert refused is not None and "refused the credentials" in str(refused)
    assert proxy_failure(NavigationError("net::ERR_CONNECTION_REFUSED"), proxy) is None
    broke = proxy_failure(NavigationError("net::ERR_EMPTY_RESPONSE"), proxy)
    assert broke is not None and "through proxy http://u:***@proxy.example:3128" in str(broke)
    assert proxy_failure(NavigationError("net::ERR_EMPTY_RESPONSE"), None) is None
    assert proxy_failure(NavigationError("net::ERR_PROXY_CONNECTION_FAILED"), None) is None


def test_classic_path_refuses_per_crawl_identity() -> None:
    """Without BiDi, a per-crawl identity option raises naming the option and why."""
    refuse_classic_identity(CrawlerRunConfig())
    with pytest.raises(ConfigError, match=r"CrawlerRunConfig.locale.*BiDi"):
        refuse_classic_identity(CrawlerRunConfig(locale="de-DE"))


class _FakeBidi:
    """Records what ProxyAuth sends; the BiDi transport is not what these tests pin down."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.listeners: dict[str, Any] = {}

    def add_listener(self, method: str, fn: Any) -> None:
        self.listeners[method] = fn

    def remove_listener(self, method: str, fn: Any) -> None:
        self.listeners.pop(method, None)

    def call(self, method: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.sent.append((method, params))
        return {"intercept": f"i{len(self.sent)}"}

    def send(self, method: str, params: dict[str, Any]) -> Any:
        import concurrent.futures

        self.sent.append((method, params))
        done: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()
        done.set_result({})
        return done


def _challenge(bidi: _FakeBidi, request: str, user_context: str) -> dict[str, Any]:
    bidi.listeners["network.authRequired"](
        {"isBlocked": True, "request": {"request": request}, "userContext": user_context}
    )
    method, params = bidi.sent[-1]
    assert method == "network.continueWithAuth" and params["request"] == request
    return params


def test_proxy_auth_answers_every_challenge_once(caplog: pytest.LogCaptureFixture) -> None:
    """Credentials on a context's first challenges, the default when the same request is
    asked again (refused), cancel where we hold no login, and never the proxy's password
    to a site once the proxy accepted the login; tabs are intercepted only until then
    (chromium-bidi pauses every request of an intercepted tab); the password is never
    logged."""
    caplog.set_level(logging.DEBUG)
    bidi = _FakeBidi()
    auth = ProxyAuth(bidi, 5)  # type: ignore[arg-type]
    auth.add("plain", ProxyConfig("h:1"))
    auth.add("uc1", ProxyConfig("h:1", "u", SECRET))
    auth.watch("tab-plain", "plain")
    auth.watch("tab-default", None)
    assert bidi.sent == []  # no login needed: no intercept
    auth.watch("tab-1", "uc1")
    assert [m for m, _ in bidi.sent] == ["session.subscribe", "network.addIntercept"]
    assert bidi.sent[-1][1] == {"phases": ["authRequired"], "contexts": ["tab-1"]}
    first = _challenge(bidi, "r1", "uc1")
    assert first["action"] == "provideCredentials"
    assert first["credentials"] == {"type": "password", "username": "u", "password": SECRET}
    assert _challenge(bidi, "r1", "uc1")["action"] == "default"
    assert _challenge(bidi, "r2", "plain")["action"] == "cancel"
    assert _challenge(bidi, "r3", "default")["action"] == "cancel"
    assert _challenge(bidi, "r4", "uc1")["action"] == "provideCredentials"
    bidi.listeners["network.responseCompleted"](
        {"request": {"request": "r4"}, "response": {"status": 200}}
    )
    assert bidi.sent[-1][0] == "network.removeIntercept"
    assert _challenge(bidi, "r5", "uc1")["action"] == "cancel"  # the site's 401 now
    sent = len(bidi.sent)
    auth.watch("tab-2", "uc1")  # accepted: a new tab of the context is not intercepted
    assert len(bidi.sent) == sent
    assert SECRET not in caplog.text


def test_cache_key_holds_the_identity_but_no_secret() -> None:
    """A crawl's own proxy, user agent, locale... change its cache key; the key's options
    hold the proxy's server and user, a digest of the headers, never a password or value."""
    from seleniumcrawl.cache import cache_key, fetch_options

    browser = BrowserConfig()
    plain = fetch_options(browser, CrawlerRunConfig())
    assert "identity" not in plain
    run = CrawlerRunConfig(
        proxy_config=ProxyConfig("h:1", "u", SECRET),
        locale="de-DE",
        headers={"Authorization": "Bearer tok-123"},
    )
    options = fetch_options(browser, run)
    assert options["identity"]["proxy"] == ["http://h:1", "u"]
    assert SECRET not in str(options) and "tok-123" not in str(options)
    keys = {
        cache_key("http://x/", fetch_options(browser, r))
        for r in (CrawlerRunConfig(), run, run.clone(locale="fr-FR"))
    }
    assert len(keys) == 3


def test_recorded_request_headers_mask_the_proxy_login() -> None:
    """The capture recorder (network_requests, HAR) records Proxy-Authorization as ***."""
    from seleniumcrawl.browser.capture import _headers

    raw = [
        {"name": "Proxy-Authorization", "value": {"type": "string", "value": "Basic c2VjcmV0"}},
        {"name": "Accept", "value": {"type": "string", "value": "text/html"}},
    ]
    assert _headers(raw) == {"Proxy-Authorization": "***", "Accept": "text/html"}
