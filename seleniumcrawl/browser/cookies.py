"""Cookies of a tab's cookie jar, in Playwright's format, over either transport, faithfully.

Playwright's cookie dict: ``name``, ``value``, ``domain``, ``path``, ``expires`` (Unix
seconds, -1 for a session cookie), ``httpOnly``, ``secure``, ``sameSite`` ("Strict" |
"Lax" | "None"), and for a partitioned (CHIPS) cookie ``partitionKey`` (the top-level
site) with Chromium's ``_crHasCrossSiteAncestor``; ``add`` also accepts ``url`` instead
of domain and path.

**Out, as the browser holds it.** A cookie set without a ``SameSite`` attribute is neither
"Lax" nor "None": Chromium treats it as Lax-by-default but keeps it unspecified, and a
"None" cookie must be Secure. So an unspecified cookie is exported *without* a
``sameSite`` key (Playwright's ``addCookies`` takes that, and so do we): writing "None"
would make Chromium refuse it on import, writing "Lax" would change it. On Chromium the
jar is read over CDP (``Network.getAllCookies`` in the tab, which reaches an isolated
session's own context), which tells the absence apart; chromedriver's BiDi
``storage.getCookies`` reports an unspecified cookie as ``"none"``, so over BiDi without
CDP (another browser) ``"none"`` on a cookie that is not Secure is read as unspecified.

**In, verified.** The cookies are set (all at once, or each on its own when the browser
rejects the batch), then the jar is read back: a cookie that is not there is a
:class:`Refused` (its name, its domain and the reason: the browser's words where it gives
them, and what its fields show, e.g. "sameSite None without secure"). Expired cookies are
not sent (a browser drops them anyway) and are reported apart. Values are secrets: no
message, repr or log line here contains one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import attrs
from selenium.common.exceptions import TimeoutException, WebDriverException

from seleniumcrawl.browser.bidi import BidiClosedError, BidiError
from seleniumcrawl.browser.tab import BidiTab, ClassicTab, Tab

log = logging.getLogger(__name__)

#: Playwright's spellings, by their lower-case form (BiDi's and Chromium's).
_SAME_SITE = {"strict": "Strict", "lax": "Lax", "none": "None"}

#: A CDP call: method, params -> result (a tab's or a driver's ``cdp``).
Cdp = Callable[[str, dict[str, Any]], Any]


@attrs.frozen
class Refused:
    """A cookie the browser did not keep: its name and domain (never its value) and why."""

    name: str
    domain: str
    reason: str

    def __str__(self) -> str:
        return f"cookie {self.name!r} ({self.domain}) was not set: {self.reason}"


@attrs.frozen
class Outcome:
    """What setting a list of cookies did: how many are in the jar, which were refused,
    which were left out as expired (names only)."""

    set: int = 0
    refused: tuple[Refused, ...] = ()
    expired: tuple[str, ...] = ()


# -- formats --------------------------------------------------------------------------------


def same_site(value: object) -> str | None:
    """Playwright's spelling of a sameSite value, any case ("lax" -> "Lax"); None if unknown."""
    return _SAME_SITE.get(str(value).lower()) if value is not None else None


def _place(cookie: Mapping[str, Any]) -> tuple[str, str]:
    """(domain, path) of a cookie given by domain or by url (whose path, as a browser
    takes it, is the URL's directory: RFC 6265's default-path)."""
    domain, path = cookie.get("domain"), cookie.get("path")
    if cookie.get("url"):
        parts = urlsplit(str(cookie["url"]))
        domain = domain or parts.hostname or ""
        if not path:
            url_path = parts.path
            path = url_path[: url_path.rindex("/")] if url_path.count("/") > 1 else "/"
    return str(domain or ""), str(path or "/")


def from_cdp(cookie: Mapping[str, Any]) -> dict[str, Any]:
    """A CDP cookie in Playwright's format (no ``sameSite`` where it is unspecified)."""
    out: dict[str, Any] = {
        "name": cookie.get("name"),
        "value": cookie.get("value"),
        "domain": cookie.get("domain"),
        "path": cookie.get("path", "/"),
        "expires": -1 if cookie.get("session") else cookie.get("expires", -1),
        "httpOnly": bool(cookie.get("httpOnly")),
        "secure": bool(cookie.get("secure")),
    }
    spelled = same_site(cookie.get("sameSite"))
    if spelled is not None:
        out["sameSite"] = spelled
    key = cookie.get("partitionKey")
    if isinstance(key, Mapping) and key.get("topLevelSite"):
        out["partitionKey"] = key["topLevelSite"]
        out["_crHasCrossSiteAncestor"] = bool(key.get("hasCrossSiteAncestor"))
    elif isinstance(key, str) and key:  # older Chromium: the site as a string
        out["partitionKey"] = key
    return out


def to_cdp(cookie: Mapping[str, Any]) -> dict[str, Any]:
    """A Playwright cookie as CDP's ``Network.setCookie`` takes it."""
    out: dict[str, Any] = {
        k: cookie[k]
        for k in ("name", "value", "url", "domain", "path", "secure", "httpOnly")
        if cookie.get(k) is not None
    }
    spelled = same_site(cookie.get("sameSite"))
    if spelled is not None:
        out["sameSite"] = spelled
    expires = cookie.get("expires")
    if isinstance(expires, (int, float)) and not isinstance(expires, bool) and expires > 0:
        out["expires"] = expires
    if "url" not in out and "path" not in out:
        out["path"] = "/"
    key = cookie.get("partitionKey")
    if isinstance(key, str) and key:
        out["partitionKey"] = {
            "topLevelSite": key,
            "hasCrossSiteAncestor": bool(cookie.get("_crHasCrossSiteAncestor", False)),
        }
    return out


def from_bidi(cookie: Mapping[str, Any]) -> dict[str, Any]:
    """A BiDi ``storage`` cookie in Playwright's format.

    BiDi's ``"default"`` is an unspecified SameSite; so is chromedriver's ``"none"`` on a
    cookie that is not Secure (Chromium keeps no such SameSite=None cookie).
    """
    value = cookie.get("value") or {}
    secure = bool(cookie.get("secure"))
    out: dict[str, Any] = {
        "name": cookie.get("name"),
        "value": value.get("value") if isinstance(value, dict) else value,
        "domain": cookie.get("domain"),
        "path": cookie.get("path", "/"),
        "expires": cookie.get("expiry", -1),
        "httpOnly": bool(cookie.get("httpOnly")),
        "secure": secure,
    }
    spelled = same_site(cookie.get("sameSite"))
    if spelled is not None and not (spelled == "None" and not secure):
        out["sameSite"] = spelled
    return out


def to_bidi(cookie: Mapping[str, Any]) -> dict[str, Any]:
    """A Playwright cookie as BiDi's ``storage.setCookie`` takes it."""
    domain, path = _place(cookie)
    out: dict[str, Any] = {
        "name": str(cookie["name"]),
        "value": {"type": "string", "value": str(cookie["value"])},
        "domain": domain,
        "path": path,
        "httpOnly": bool(cookie.get("httpOnly", False)),
        "secure": bool(cookie.get("secure", False)),
    }
    spelled = same_site(cookie.get("sameSite"))
    if spelled is not None:
        out["sameSite"] = spelled.lower()
    expires = cookie.get("expires")
    if isinstance(expires, (int, float)) and not isinstance(expires, bool) and expires > 0:
        out["expiry"] = int(expires)
    return out


def from_webdriver(cookie: Mapping[str, Any]) -> dict[str, Any]:
    """A classic WebDriver cookie (``get_cookies``) in Playwright's format."""
    out = {k: v for k, v in cookie.items() if k not in ("expiry", "sameSite")}
    out["expires"] = cookie.get("expiry", -1)
    spelled = same_site(cookie.get("sameSite"))
    if spelled is not None and not (spelled == "None" and not cookie.get("secure")):
        out["sameSite"] = spelled
    return out


# -- checks ---------------------------------------------------------------------------------


def expired(cookie: Mapping[str, Any], now: float | None = None) -> bool:
    """Whether the cookie's ``expires`` lies in the past (-1 / absent: a session cookie)."""
    expires = cookie.get("expires", -1)
    now = time.time() if now is None else now
    return isinstance(expires, (int, float)) and not isinstance(expires, bool) and 0 < expires < now


def likely_reason(cookie: Mapping[str, Any]) -> str:
    """Why a browser refuses a cookie, as far as its fields tell (never its value)."""
    name = str(cookie.get("name", ""))
    secure = bool(cookie.get("secure"))
    if same_site(cookie.get("sameSite")) == "None" and not secure:
        return "sameSite None without secure"
    if name.startswith(("__Secure-", "__Host-")) and not secure:
        return f"a {name.split('-')[0]}- cookie needs secure"
    if name.startswith("__Host-") and (_place(cookie)[1] != "/" or cookie.get("domain")):
        return "a __Host- cookie needs path '/' and no domain (give url)"
    if any(ch in name for ch in ";=, \t\r\n") or not name:
        return "the name is not a valid cookie name"
    if any(ch in str(cookie.get("value", "")) for ch in ";\r\n\x00"):
        return "the value has characters a cookie cannot hold"
    domain = _place(cookie)[0]
    if not domain or any(ch in domain for ch in " /:;"):
        return f"{domain!r} is not a valid cookie domain"
    return _REFUSED


#: :func:`likely_reason` when the fields show nothing wrong.
_REFUSED = "the browser refused it"


def _key(cookie: Mapping[str, Any]) -> tuple[str, str, str]:
    domain, path = _place(cookie)
    return str(cookie.get("name")), domain.lstrip(".").lower(), path


def refusals(
    wanted: Iterable[Mapping[str, Any]],
    found: Iterable[Mapping[str, Any]],
    reasons: Mapping[int, str] | None = None,
) -> list[Refused]:
    """The wanted cookies that are not in ``found`` (matched by name, domain without its
    leading dot, path), each with ``reasons[i]`` (the browser's words, often as general
    as "Sanitizing cookie failed") and what :func:`likely_reason` sees in its fields."""
    present = {_key(c) for c in found}
    out = []
    for i, cookie in enumerate(wanted):
        if _key(cookie) not in present:
            ours, theirs = likely_reason(cookie), (reasons or {}).get(i)
            if theirs and ours not in (_REFUSED, theirs):
                reason = f"{theirs} ({ours})"
            else:
                reason = theirs or ours
            out.append(Refused(str(cookie.get("name")), _place(cookie)[0], reason))
    return out


def _split_expired(
    cookies: Iterable[Mapping[str, Any]],
) -> tuple[list[Mapping[str, Any]], list[str]]:
    now = time.time()
    live: list[Mapping[str, Any]] = []
    gone: list[str] = []
    for cookie in cookies:
        if expired(cookie, now):
            gone.append(str(cookie.get("name")))
        else:
            live.append(cookie)
    return live, gone


# -- set and read back ----------------------------------------------------------------------


def _refusal(exc: Exception) -> bool:
    """Whether ``exc`` is the browser saying no to a cookie (not a dead or slow browser,
    which stays the error it is)."""
    if isinstance(exc, (BidiClosedError, TimeoutError, TimeoutException)):
        return False
    return isinstance(exc, (BidiError, WebDriverException))


def set_over_cdp(
    cdp: Cdp, read: Callable[[], list[dict[str, Any]]], cookies: Iterable[Mapping[str, Any]]
) -> Outcome:
    """Set the cookies over CDP, then read the jar back with ``read``.

    All at once first (``Network.setCookies``, one round trip; Chromium drops a cookie it
    will not keep without a word, which the read-back finds). One cookie with fields it
    rejects fails the whole batch: then each goes in alone (``Network.setCookie``), so
    that one is named with the browser's words and the others still go in.
    """
    live, gone = _split_expired(cookies)
    if not live:
        return Outcome(expired=tuple(gone))
    reasons: dict[int, str] = {}
    try:
        cdp("Network.setCookies", {"cookies": [to_cdp(c) for c in live]})
    except Exception as exc:
        if not _refusal(exc):
            raise
        for i, cookie in enumerate(live):
            try:
                answer = cdp("Network.setCookie", to_cdp(cookie))
            except Exception as exc:
                if not _refusal(exc):
                    raise
                reasons[i] = _scrub(_cdp_reason(exc), cookie)
                continue
            if isinstance(answer, Mapping) and answer.get("success") is False:
                reasons[i] = likely_reason(cookie)
    refused = refusals(live, read(), reasons)
    return Outcome(len(live) - len(refused), tuple(refused), tuple(gone))


def _cdp_reason(exc: Exception) -> str:
    """The browser's words for a refused cookie, without anything the call carried."""
    text = exc.message if isinstance(exc, BidiError) else str(getattr(exc, "msg", "") or exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    # chromedriver wraps CDP errors as "unknown error: ... {code, message}"; keep its words.
    return first[:200]


def _scrub(text: str, cookie: Mapping[str, Any]) -> str:
    """``text`` without the cookie's value (should a browser ever quote it back)."""
    value = str(cookie.get("value", ""))
    return text.replace(value, "***") if len(value) >= 3 else text


def set_over_bidi(
    bidi_call: Callable[[str, dict[str, Any]], Any],
    partition: dict[str, Any],
    cookies: Iterable[Mapping[str, Any]],
) -> Outcome:
    """The same over BiDi ``storage.setCookie`` (a refusal comes with the browser's message)."""
    live, gone = _split_expired(cookies)
    reasons: dict[int, str] = {}
    for i, cookie in enumerate(live):
        try:
            bidi_call("storage.setCookie", {"cookie": to_bidi(cookie), "partition": partition})
        except BidiError as exc:
            if not _refusal(exc) or exc.error in ("no such frame", "invalid session id"):
                raise
            reasons[i] = _scrub(exc.message[:200] or exc.error, cookie)
    found = bidi_call("storage.getCookies", {"partition": partition}) if live else {}
    jar = [from_bidi(c) for c in found.get("cookies", [])] if isinstance(found, Mapping) else []
    refused = refusals(live, jar, reasons)
    return Outcome(len(live) - len(refused), tuple(refused), tuple(gone))


# -- a tab's jar ----------------------------------------------------------------------------


def _partition(tab: BidiTab) -> dict[str, Any]:
    return {"type": "context", "context": tab.handle}


def _tab_cdp_cookies(tab: Tab) -> list[dict[str, Any]]:
    # Network.getAllCookies in the tab's own CDP session: that tab's browser context (an
    # isolated session's), where Storage.getCookies would answer for the default one.
    return list(tab.cdp("Network.getAllCookies").get("cookies", []))


def get_cookies(tab: Tab) -> list[dict[str, Any]]:
    """Every cookie of the tab's jar, as the browser holds it."""
    if tab.is_chromium:
        return [from_cdp(c) for c in _tab_cdp_cookies(tab)]
    if isinstance(tab, BidiTab):
        out = tab.bidi.call(
            "storage.getCookies", {"partition": _partition(tab)}, tab.command_timeout
        )
        return [from_bidi(c) for c in out.get("cookies", [])]
    assert isinstance(tab, ClassicTab)
    return [from_webdriver(c) for c in tab.drv.webdriver.get_cookies()]


def check_shape(cookies: Iterable[object]) -> None:
    """ValueError for an entry that is no cookie (what Playwright's ``add_cookies`` refuses)."""
    for i, cookie in enumerate(cookies):
        if not isinstance(cookie, Mapping) or "name" not in cookie or "value" not in cookie:
            raise ValueError(f"cookies[{i}] needs 'name' and 'value'")
        if not (cookie.get("url") or cookie.get("domain")):
            raise ValueError(f"cookies[{i}] needs 'url' or 'domain'")


def set_tab_cookies(tab: Tab, cookies: Sequence[Mapping[str, Any]]) -> Outcome:
    """Set cookies in the tab's jar and read them back (see the module docstring)."""
    if tab.is_chromium:
        return set_over_cdp(
            lambda method, params: tab.cdp(method, params),
            lambda: [from_cdp(c) for c in _tab_cdp_cookies(tab)],
            cookies,
        )
    if isinstance(tab, BidiTab):
        return set_over_bidi(
            lambda method, params: tab.bidi.call(method, params, tab.command_timeout),
            _partition(tab),
            cookies,
        )
    assert isinstance(tab, ClassicTab)
    live, gone = _split_expired(cookies)
    for cookie in live:  # classic WebDriver: only the current page's domain is reachable
        tab.drv.webdriver.add_cookie(
            {k: v for k, v in cookie.items() if k in ("name", "value", "path", "domain")}
        )
    refused = refusals(live, get_cookies(tab))
    return Outcome(len(live) - len(refused), tuple(refused), tuple(gone))


def add_cookies(tab: Tab, cookies: list[dict[str, Any]]) -> Outcome:
    """Add Playwright-format cookies to the tab's jar; each refused one is warned about."""
    check_shape(cookies)
    outcome = set_tab_cookies(tab, list(cookies))
    for refused in outcome.refused:
        log.warning("add_cookies: %s", refused)
    return outcome


def clear_cookies(tab: Tab) -> None:
    """Remove every cookie of the tab's jar."""
    if isinstance(tab, BidiTab):
        tab.bidi.call("storage.deleteCookies", {"partition": _partition(tab)}, tab.command_timeout)
    elif tab.is_chromium:
        tab.cdp("Network.clearBrowserCookies")
    else:
        assert isinstance(tab, ClassicTab)
        tab.drv.webdriver.delete_all_cookies()
