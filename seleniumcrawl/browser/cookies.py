"""Cookies of a tab's cookie jar, in Playwright's format, over either transport.

Playwright's cookie dict: ``name``, ``value``, ``domain``, ``path``, ``expires`` (Unix
seconds, -1 for a session cookie), ``httpOnly``, ``secure``, ``sameSite``
("Strict" | "Lax" | "None"); ``add`` also accepts ``url`` instead of domain and path.

Over BiDi the jar is the tab's user context (``storage.*`` with a context partition),
so an isolated session sees its own cookies; on the classic path it is the browser's
(CDP ``Network.*`` on Chromium, WebDriver's cookie commands elsewhere, which only reach
the current page's domain).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from seleniumcrawl.browser.tab import BidiTab, ClassicTab, Tab

_SAME_SITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _partition(tab: BidiTab) -> dict[str, Any]:
    return {"type": "context", "context": tab.handle}


def from_bidi(cookie: dict[str, Any]) -> dict[str, Any]:
    """A BiDi ``storage`` cookie in Playwright's format."""
    value = cookie.get("value") or {}
    return {
        "name": cookie.get("name"),
        "value": value.get("value") if isinstance(value, dict) else value,
        "domain": cookie.get("domain"),
        "path": cookie.get("path", "/"),
        "expires": cookie.get("expiry", -1),
        "httpOnly": bool(cookie.get("httpOnly")),
        "secure": bool(cookie.get("secure")),
        "sameSite": _SAME_SITE.get(str(cookie.get("sameSite", "lax")).lower(), "Lax"),
    }


def to_bidi(cookie: dict[str, Any]) -> dict[str, Any]:
    """A Playwright cookie as BiDi's ``storage.setCookie`` takes it."""
    domain, path = cookie.get("domain"), cookie.get("path")
    if cookie.get("url"):
        parts = urlsplit(str(cookie["url"]))
        domain = domain or parts.hostname
        path = path or "/"
    out: dict[str, Any] = {
        "name": str(cookie["name"]),
        "value": {"type": "string", "value": str(cookie["value"])},
        "domain": str(domain),
        "path": str(path or "/"),
        "httpOnly": bool(cookie.get("httpOnly", False)),
        "secure": bool(cookie.get("secure", False)),
    }
    same_site = cookie.get("sameSite")
    if same_site:
        out["sameSite"] = str(same_site).lower()
    expires = cookie.get("expires")
    if isinstance(expires, (int, float)) and expires > 0:
        out["expiry"] = int(expires)
    return out


def from_cdp(cookie: dict[str, Any]) -> dict[str, Any]:
    """A CDP cookie in Playwright's format."""
    return {
        "name": cookie.get("name"),
        "value": cookie.get("value"),
        "domain": cookie.get("domain"),
        "path": cookie.get("path", "/"),
        "expires": -1 if cookie.get("session") else cookie.get("expires", -1),
        "httpOnly": bool(cookie.get("httpOnly")),
        "secure": bool(cookie.get("secure")),
        "sameSite": cookie.get("sameSite", "Lax"),
    }


def to_cdp(cookie: dict[str, Any]) -> dict[str, Any]:
    """A Playwright cookie as CDP's ``Network.setCookies`` takes it."""
    keys = ("name", "value", "url", "domain", "path", "secure", "httpOnly", "sameSite")
    out = {k: cookie[k] for k in keys if cookie.get(k) is not None}
    expires = cookie.get("expires")
    if isinstance(expires, (int, float)) and expires > 0:
        out["expires"] = expires
    if "url" not in out and "path" not in out:
        out["path"] = "/"
    return out


def get_cookies(tab: Tab) -> list[dict[str, Any]]:
    """Every cookie of the tab's jar."""
    if isinstance(tab, BidiTab):
        out = tab.bidi.call(
            "storage.getCookies", {"partition": _partition(tab)}, tab.command_timeout
        )
        return [from_bidi(c) for c in out.get("cookies", [])]
    if tab.is_chromium:
        return [from_cdp(c) for c in tab.cdp("Storage.getCookies").get("cookies", [])]
    assert isinstance(tab, ClassicTab)
    return [
        {**c, "expires": c.get("expiry", -1), "sameSite": c.get("sameSite", "Lax")}
        for c in tab.drv.webdriver.get_cookies()
    ]


def add_cookies(tab: Tab, cookies: list[dict[str, Any]]) -> None:
    """Add Playwright-format cookies to the tab's jar."""
    for i, cookie in enumerate(cookies):
        if not isinstance(cookie, dict) or "name" not in cookie or "value" not in cookie:
            raise ValueError(f"cookies[{i}] needs 'name' and 'value', got {cookie!r}")
        if not (cookie.get("url") or cookie.get("domain")):
            raise ValueError(f"cookies[{i}] needs 'url' or 'domain'")
    if isinstance(tab, BidiTab):
        for cookie in cookies:
            params = {"cookie": to_bidi(cookie), "partition": _partition(tab)}
            tab.bidi.call("storage.setCookie", params, tab.command_timeout)
    elif tab.is_chromium:
        tab.cdp("Network.setCookies", {"cookies": [to_cdp(c) for c in cookies]})
    else:
        assert isinstance(tab, ClassicTab)
        for cookie in cookies:
            tab.drv.webdriver.add_cookie(
                {k: v for k, v in cookie.items() if k in ("name", "value", "path", "domain")}
            )


def clear_cookies(tab: Tab) -> None:
    """Remove every cookie of the tab's jar."""
    if isinstance(tab, BidiTab):
        tab.bidi.call("storage.deleteCookies", {"partition": _partition(tab)}, tab.command_timeout)
    elif tab.is_chromium:
        tab.cdp("Network.clearBrowserCookies")
    else:
        assert isinstance(tab, ClassicTab)
        tab.drv.webdriver.delete_all_cookies()
