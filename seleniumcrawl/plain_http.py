"""Plain HTTP requests from Python, not the browser: robots.txt, ``Retry-After``, sitemaps.

The browser gives a crawl its status code but not the response headers, and robots.txt
must be known before the browser is sent anywhere; both need a small request of our own.
It goes through ``BrowserConfig.proxy`` when that is an http(s) proxy, sends the
crawler's user agent, and skips certificate checks when ``ignore_https_errors`` is set,
so it reaches the site the way the browser does.
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import logging
import math
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import IO

import attrs

from seleniumcrawl._version import __version__

logger = logging.getLogger(__name__)

#: The user agent of plain requests (and the robots.txt identity) when none is configured.
DEFAULT_USER_AGENT = f"seleniumcrawl/{__version__}"
DEFAULT_TIMEOUT_S = 10.0
#: RFC 9309 asks crawlers to read at least 500 KiB of a robots.txt.
MAX_BODY_BYTES = 512 * 1024


@attrs.frozen
class PlainResponse:
    """Status, headers (names lower-cased) and the first bytes of the body."""

    status: int
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes = attrs.field(default=b"", repr=False)


def request(
    url: str,
    *,
    method: str = "GET",
    user_agent: str | None = None,
    proxy: str | None = None,
    verify_tls: bool = True,
    timeout: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = MAX_BODY_BYTES,
) -> PlainResponse:
    """One request; redirects are followed. An HTTP error status is a response, not an
    exception; a connection failure or timeout raises ``OSError``."""
    with open_stream(
        url,
        method=method,
        user_agent=user_agent,
        proxy=proxy,
        verify_tls=verify_tls,
        timeout=timeout,
    ) as stream:
        body = stream.body.read(max_bytes) if method != "HEAD" else b""
        return PlainResponse(status=stream.status, headers=stream.headers, body=body)


@attrs.frozen
class PlainStream:
    """An open response: status, headers (names lower-cased), the body still to be read,
    and the URL it came from after redirects."""

    status: int
    headers: Mapping[str, str]
    body: IO[bytes] = attrs.field(repr=False)
    url: str


@contextlib.contextmanager
def open_stream(
    url: str,
    *,
    method: str = "GET",
    user_agent: str | None = None,
    proxy: str | None = None,
    verify_tls: bool = True,
    timeout: float = DEFAULT_TIMEOUT_S,
    headers: Mapping[str, str] | None = None,
) -> Iterator[PlainStream]:
    """Like :func:`request` but the body is read by the caller, as it arrives (a sitemap
    of 50,000 URLs is parsed while it downloads, never held whole). Closed on exit."""
    handlers: list[urllib.request.BaseHandler] = []
    if proxy and proxy.startswith(("http://", "https://")):
        handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
    elif proxy:
        logger.debug("plain request to %s goes direct: urllib cannot use proxy %s", url, proxy)
    if not verify_tls:
        handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    opener = urllib.request.build_opener(*handlers)
    sent = {"User-Agent": user_agent or DEFAULT_USER_AGENT, **(headers or {})}
    req = urllib.request.Request(url, method=method, headers=sent)
    try:
        response = opener.open(req, timeout=timeout)
    except urllib.error.HTTPError as exc:
        with exc:
            got = {k.lower(): v for k, v in (exc.headers or {}).items()}
            yield PlainStream(status=exc.code, headers=got, body=exc, url=exc.geturl() or url)
        return
    with response:
        got = {k.lower(): v for k, v in response.headers.items()}
        yield PlainStream(status=response.status, headers=got, body=response, url=response.url)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date.

    A date in the past gives 0.0; a missing or unreadable value gives None.
    ``now`` (epoch seconds, default the current time) is for tests.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 9110 dates are GMT anyway
        when = when.replace(tzinfo=datetime.timezone.utc)
    seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, math.ceil(seconds * 1000) / 1000)


__all__ = [
    "DEFAULT_TIMEOUT_S",
    "DEFAULT_USER_AGENT",
    "MAX_BODY_BYTES",
    "PlainResponse",
    "PlainStream",
    "open_stream",
    "parse_retry_after",
    "request",
]
