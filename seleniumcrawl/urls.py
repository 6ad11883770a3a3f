"""URL kinds a crawl accepts (http(s), file, raw:), checked before any browser is touched."""

from __future__ import annotations

import ipaddress
import os
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import attrs

from seleniumcrawl.errors import BadUrlError

Kind = Literal["http", "file", "raw"]


@attrs.frozen
class Target:
    """A resolved crawl target. ``url`` is what the user gave (used in the result)."""

    url: str
    kind: Kind
    raw_html: str | None = attrs.field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        """The URL links are resolved against (raw HTML has none of its own)."""
        return "about:blank" if self.kind == "raw" else self.url


def resolve(url: object) -> Target:
    """Classify ``url`` or raise :class:`BadUrlError` saying what is wrong with it."""
    if not isinstance(url, str) or not url.strip():
        raise BadUrlError(f"Invalid URL {url!r}: expected a non-empty string")
    if url.startswith("raw:"):
        html = url[6:] if url.startswith("raw://") else url[4:]
        return Target(url=url, kind="raw", raw_html=html)
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise BadUrlError(f"Invalid URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.hostname:
            raise BadUrlError(f"Invalid URL {url!r}: no host")
        if port == 0:
            raise BadUrlError(f"Invalid URL {url!r}: port 0")
        return Target(url=text, kind="http")
    if scheme == "file":
        path = unquote(parts.path)
        if not os.path.exists(path):
            raise BadUrlError(f"Invalid URL {url!r}: no such file {path!r}")
        return Target(url=text, kind="file")
    if not scheme:
        raise BadUrlError(f"Invalid URL {url!r}: no scheme; use http(s)://, file:// or raw:<html>")
    raise BadUrlError(
        f"Unsupported URL scheme {scheme!r} in {url!r}: use http(s)://, file:// or raw:<html>"
    )


def is_loopback_host(host: str | None) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(href: str, base: str | None = None) -> str | None:
    """The one spelling of a page's http(s) URL, so a crawl never fetches a page twice.

    ``href`` is resolved against ``base``; then the fragment is dropped, scheme and host
    are lower-cased, a default port (80 for http, 443 for https) is removed, and a bare
    host gets the path ``/``. The query is kept as written (its order can matter to the
    site), as are the path's case and escapes. Returns None for anything that is not
    an http(s) URL with a host (``mailto:``, ``javascript:``, a bad port...).
    """
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        parts = urlsplit(urljoin(base, href.strip()) if base else href.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
