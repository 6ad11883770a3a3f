"""Cookie formats and the verified import without a browser: what CDP's and BiDi's cookies
become in Playwright's format (SameSite or its absence, expiry, partition key), how a
refused cookie is found and named, and how an import is reported (values never shown).
The browser's own behaviour is pinned by tests/integration/test_storage_roundtrip.py."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from selenium.common.exceptions import TimeoutException

from seleniumcrawl.browser import cookies as jar
from seleniumcrawl.browser.bidi import BidiClosedError, BidiError, BidiTimeoutError
from seleniumcrawl.browser.storage import report
from seleniumcrawl.errors import StorageStateError

SECRET = "s3cr3t-cookie-value"


def _cdp(**changes: Any) -> dict[str, Any]:
    cookie: dict[str, Any] = {
        "name": "sid",
        "value": SECRET,
        "domain": "localhost",
        "path": "/",
        "expires": -1,
        "session": True,
        "httpOnly": False,
        "secure": False,
    }
    return cookie | changes


def test_cdp_cookie_without_same_site_is_exported_without_one() -> None:
    """Chromium's unspecified SameSite (CDP leaves the key out) stays absent, not "None"
    or "Lax"; a given one keeps Playwright's spelling; a session cookie expires -1."""
    assert "sameSite" not in jar.from_cdp(_cdp())
    assert jar.from_cdp(_cdp(sameSite="Strict"))["sameSite"] == "Strict"
    assert jar.from_cdp(_cdp(expires=1.5e9, session=False))["expires"] == 1.5e9
    assert jar.from_cdp(_cdp(expires=1.5e9, session=True))["expires"] == -1


def test_partition_key_goes_out_and_back_in_playwright_form() -> None:
    """A partitioned cookie's key is exported as Playwright writes it (the top-level site
    and _crHasCrossSiteAncestor) and goes back to CDP as the object it came as."""
    key = {"topLevelSite": "https://top.example", "hasCrossSiteAncestor": True}
    out = jar.from_cdp(_cdp(partitionKey=key))
    assert out["partitionKey"] == "https://top.example"
    assert out["_crHasCrossSiteAncestor"] is True
    assert jar.to_cdp(out)["partitionKey"] == key
    assert "partitionKey" not in jar.to_cdp(jar.from_cdp(_cdp()))


def test_to_cdp_spells_same_site_and_leaves_an_unset_one_out() -> None:
    """Any case of sameSite is sent as CDP spells it; none given, none sent; a session
    cookie sends no expiry."""
    assert jar.to_cdp({"name": "a", "value": "b", "domain": "x", "sameSite": "lax"}) == {
        "name": "a",
        "value": "b",
        "domain": "x",
        "path": "/",
        "sameSite": "Lax",
    }
    sent = jar.to_cdp({"name": "a", "value": "b", "url": "http://x/", "expires": -1})
    assert "sameSite" not in sent and "expires" not in sent and "path" not in sent


@pytest.mark.parametrize(
    ("reported", "secure", "expected"),
    [
        ("none", False, None),  # chromedriver's word for an unset SameSite
        ("none", True, "None"),
        ("default", False, None),  # BiDi's own word for it
        ("lax", False, "Lax"),
        ("strict", True, "Strict"),
    ],
)
def test_bidi_same_site(reported: str, secure: bool, expected: str | None) -> None:
    """BiDi's "none" on a cookie that is not Secure (which Chromium never keeps as
    SameSite=None) and "default" are an unset SameSite."""
    cookie = {"name": "a", "value": {"type": "string", "value": "b"}, "domain": "x",
              "path": "/", "sameSite": reported, "secure": secure}  # fmt: skip
    assert jar.from_bidi(cookie).get("sameSite") == expected


def test_refusals_match_by_name_domain_and_path_and_say_why() -> None:
    """A wanted cookie missing from the jar is refused (a domain's leading dot and a url
    in place of domain and path still match); the browser's reason wins over ours."""
    wanted = [
        {"name": "a", "value": SECRET, "domain": "example.com", "path": "/"},
        {"name": "b", "value": SECRET, "url": "http://example.com/app/page"},
        {"name": "c", "value": SECRET, "domain": "example.com", "sameSite": "None"},
        {"name": "d", "value": SECRET, "domain": "example.com"},
    ]
    found = [
        {"name": "a", "domain": ".example.com", "path": "/"},
        {"name": "b", "domain": "example.com", "path": "/app"},
    ]
    refused = jar.refusals(wanted, found, {3: "invalid argument: Sanitizing cookie failed"})
    assert [str(r) for r in refused] == [
        "cookie 'c' (example.com) was not set: sameSite None without secure",
        "cookie 'd' (example.com) was not set: invalid argument: Sanitizing cookie failed",
    ]


@pytest.mark.parametrize(
    ("cookie", "reason"),
    [
        ({"name": "__Host-x", "domain": "h", "secure": True}, "a __Host- cookie needs path"),
        ({"name": "__Secure-x", "domain": "h"}, "a __Secure- cookie needs secure"),
        ({"name": "bad name", "domain": "h"}, "not a valid cookie name"),
        ({"name": "ok", "value": "a;b", "domain": "h"}, "characters a cookie cannot hold"),
        ({"name": "ok", "domain": "bad domain"}, "not a valid cookie domain"),
        ({"name": "ok", "domain": "h"}, "the browser refused it"),
    ],
)
def test_likely_reason(cookie: dict[str, Any], reason: str) -> None:
    """Without the browser's words, the reason is what the cookie's fields show."""
    assert reason in jar.likely_reason(cookie)


class _Jar:
    """A cookie jar that behaves as Chromium's CDP does for these cases: a cookie with
    fields it rejects fails the call (a whole batch too), a SameSite=None cookie without
    Secure is dropped without a word (for the import's bookkeeping; the real browser is
    the integration tests')."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.cookies: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.fail = fail

    def cdp(self, method: str, params: dict[str, Any]) -> Any:
        self.calls.append(method)
        if self.fail is not None:
            raise self.fail
        batch = params["cookies"] if method == "Network.setCookies" else [params]
        for cookie in batch:
            if " " in cookie["name"]:
                raise BidiError("unknown error", f"Invalid cookie fields {cookie['value']}")
        kept = [c for c in batch if c.get("sameSite") != "None" or c.get("secure")]
        self.cookies += kept
        return {} if method == "Network.setCookies" else {"success": len(kept) == 1}

    def read(self) -> list[dict[str, Any]]:
        return [jar.from_cdp(c) for c in self.cookies]


_WANTED: list[dict[str, Any]] = [
    {"name": "ok", "value": SECRET, "domain": "h", "path": "/"},
    {"name": "open", "value": SECRET, "domain": "h", "sameSite": "None"},
    {"name": "old", "value": SECRET, "domain": "h", "expires": 1000.0},
]


def test_cookies_go_in_at_once_and_a_silent_drop_is_found() -> None:
    """One round trip sets every cookie; the read-back finds the one the browser dropped
    without a word and names it; expired ones are not sent."""
    fake = _Jar()
    outcome = jar.set_over_cdp(fake.cdp, fake.read, _WANTED)
    assert fake.calls == ["Network.setCookies"]
    assert (outcome.set, outcome.expired) == (1, ("old",))
    assert [str(r) for r in outcome.refused] == [
        "cookie 'open' (h) was not set: sameSite None without secure"
    ]


def test_a_rejected_batch_goes_in_one_cookie_at_a_time() -> None:
    """A cookie whose fields the browser rejects fails the batch; then each goes in alone,
    so the others are still set and that one is named with the browser's words, never
    with the value."""
    fake = _Jar()
    wanted = [*_WANTED, {"name": "bad name", "value": SECRET, "domain": "h"}]
    outcome = jar.set_over_cdp(fake.cdp, fake.read, wanted)
    assert fake.calls == ["Network.setCookies"] + ["Network.setCookie"] * 3
    assert outcome.set == 1
    assert [(r.name, r.reason) for r in outcome.refused] == [
        ("open", "sameSite None without secure"),
        ("bad name", "Invalid cookie fields *** (the name is not a valid cookie name)"),
    ]
    assert SECRET not in repr(outcome) + " ".join(map(str, outcome.refused))


@pytest.mark.parametrize(
    "error",
    [BidiClosedError("gone"), BidiTimeoutError("Network.setCookies", 5), TimeoutException("t")],
    ids=["closed", "bidi-timeout", "webdriver-timeout"],
)
def test_a_dead_or_slow_browser_is_not_a_refused_cookie(error: Exception) -> None:
    """A closed connection or a timeout while setting cookies stays that error (the crawl
    reports the browser's state), not a list of refused cookies."""
    with pytest.raises(type(error)):
        jar.set_over_cdp(_Jar(fail=error).cdp, list, _WANTED)


def test_report_logs_counts_and_names_and_strict_raises(caplog: pytest.LogCaptureFixture) -> None:
    """An import is one line of counts; each refused cookie a warning by name; in strict
    mode a refusal raises StorageStateError (bad_input) naming it, without its value."""
    outcome = jar.Outcome(1, (jar.Refused("sid", "h", "sameSite None without secure"),), ("x",))
    with caplog.at_level(logging.INFO):
        report("BrowserConfig.storage_state", "the default context", outcome)
    assert caplog.messages == [
        "BrowserConfig.storage_state: cookie 'sid' (h) was not set: sameSite None without secure",
        "BrowserConfig.storage_state: 1 of 3 cookies set in the default context "
        "(1 refused, 1 expired left out)",
    ]
    with pytest.raises(StorageStateError, match=r"\(strict\): 1 cookie\(s\) refused") as raised:
        report("BrowserConfig.storage_state", "the default context", outcome, strict=True)
    assert raised.value.error_type == "bad_input"
    caplog.clear()
    with caplog.at_level(logging.INFO):
        report("BrowserConfig.cookies", "the default context", jar.Outcome(2))
    assert [r.levelname for r in caplog.records] == ["INFO"]
