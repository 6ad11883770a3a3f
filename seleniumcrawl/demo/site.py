"""The bundled demo site: a local HTTP server with pages built to exercise a browser crawler.

Examples, tests, benchmarks and ``seleniumcrawl demo`` run against it so none of them needs
the internet. :class:`DemoSite` serves it from a daemon thread on 127.0.0.1 (an OS-chosen
port by default) and records every request, so a test can assert how often a page was
fetched.

Pages (static files in ``seleniumcrawl/demo/static``, plus routes built here):

- ``/`` index: links to the pages below, one external link, an image, meta description and
  ``og:title``.
- ``/commits`` a GitHub-like commit list rendered by JavaScript, five pages of ten
  ``li.commit-item``; ``a.pagination-next`` (``#next``) swaps in the next page after
  300 ms (``?delay=MS``; ``?initial_delay=MS`` also delays the first render).
  ``/commit/<sha>`` is the page each commit links to.
- ``/login`` form (``demo`` / ``secret``); ``POST /login`` sets the ``session`` cookie and
  303-redirects to ``/dashboard``, wrong credentials give 401 and an ``.error``.
  ``/logout`` forgets the session.
- ``/dashboard`` fetches ``/api/me`` after load and renders ``.user-profile``; without a
  valid session it shows ``p.login-required`` (and ``/api/me`` answers 401).
- ``/page/<n>`` (1 to 10000) plain deterministic pages with three ``.product`` items.
- ``/tree/<size>/<fanout>/<n>-<word>`` a site of ``size`` pages (at most 100000) shaped
  as a tree, for deep crawls: page n links to its children ``fanout*n+1 ..
  fanout*n+fanout`` (those below ``size``), then to its parent, then to its first child
  again with a ``#details`` fragment. The root (n = 0) also links to ``/private/tree``,
  ``/members/tree``, to ``http://localhost:<port>/external/tree`` (another host, for
  ``include_external``), and to children 1 and 2 spelled differently
  (``HTTP://127.0.0.1:<port>/...``, ``//127.0.0.1:<port>/...#top``). ``<word>`` is
  ``alpha``, ``beta``, ``gamma``, ``delta`` or ``epsilon`` by ``n % 5`` (for URL scorers);
  ``?ms=N`` delays the answer and is carried into the tree links.
- ``/robots.txt`` disallows ``/private/`` for every user agent, and ``/members/`` for
  every agent but ``seleniumcrawl``; ``/private/...``, ``/members/...`` and
  ``/external/...`` are plain pages (``/external/<name>`` links to ``<name>/more``).

Test aids (fault injection and introspection):

- ``/status/<code>`` answers with that status (200 to 599).
- ``/redirect?to=<path>[&code=301|302|303|307|308]`` redirects (302 by default) to a local path.
- ``/slow?ms=N`` answers after N ms (at most 60 s).
- ``/hang`` accepts the request and never answers until the server stops; deliberately not
  linked from the index, so link-following crawls never hit it.
- ``/js-error`` a page whose inline script throws.
- ``/big?items=N`` a page with N ``.product`` items (at most 100000).
- ``/echo-headers`` the request headers as JSON in ``<pre id="headers">``.
- ``/cookies`` the request cookies as JSON in ``<pre id="cookies">``.
- ``/downloads`` links to downloads: ``#report`` (report.csv), ``#data`` (``<a download>``,
  data.bin, 64 KiB), ``#notes`` (notes.txt) and ``#stalled`` (never finishes).
  ``/download/<name>?size=N`` answers ``Content-Disposition: attachment`` with
  ``download_bytes(name, N)`` (2048 bytes by default); ``&stall=1`` sends half
  of it and holds the connection until the server stops.
- ``/infinite`` appends ``.feed-item`` batches when scrolled to the bottom.
- ``/overlay`` a fixed full-screen cookie-consent overlay (``#cookie-consent``).
- ``/article`` an article rendered by JavaScript 150 ms after load (``#story[data-rendered]``)
  inside a cookie banner, site header and navigation, comments, sidebar and footer.
- ``/ratelimit/<key>?seconds=S`` answers 429 with ``Retry-After`` (the seconds left; an
  HTTP-date with ``&date=1``) until S seconds after the key's first request, then 200.
- ``/storage?key=NAME`` shows in ``#value`` the localStorage item ``NAME`` (default
  ``token``) as the page's first script read it (``#value[data-missing]`` when absent).
- ``/login/auto`` logs in as the demo user without the form (a GET, for scripted tests of
  ``seleniumcrawl profile create``) and 303-redirects to ``/dashboard``.
- ``/capture`` logs to the console, fetches ``/api/me`` (401) and an unreachable port,
  loads a missing image and throws an uncaught error (for network and console capture).

Every response carries Content-Type, Content-Length (204/304 excepted: they have no body)
and ``Cache-Control: no-store``, so each navigation reaches the server and is counted. The
access log goes to :mod:`logging` at DEBUG level, never to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import html
import json
import logging
import math
import os
import re
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from string import Template
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

#: Environment variable through which examples and tests share one running demo site.
DEMO_URL_ENV = "SELENIUMCRAWL_DEMO_URL"

#: The one account of the login workflow.
DEMO_USER = {"username": "demo", "name": "Demo User", "email": "demo@example.com"}
DEMO_PASSWORD = "secret"

MAX_PAGE = 10000
MAX_TREE = 100000
_TREE_WORDS = ("alpha", "beta", "gamma", "delta", "epsilon")
_ROBOTS_TXT = b"""# The demo site's robots.txt (seleniumcrawl.demo.site)
User-agent: seleniumcrawl
Disallow: /private/

User-agent: *
Disallow: /private/
Disallow: /members/
"""
_MAX_ITEMS = 100000
_MAX_SLOW_MS = 60000
_MAX_BODY = 1 << 20
_SESSION_COOKIE = "session"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}
_HTML = _CONTENT_TYPES[".html"]
_JSON = _CONTENT_TYPES[".json"]
_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class _Request:
    """What a route sees of an HTTP request."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: list[tuple[str, str]]
    cookies: dict[str, str]
    form: dict[str, list[str]] = field(default_factory=dict)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class _Response:
    """A complete answer; ``hang`` means hold the connection open until the server stops."""

    status: int
    body: bytes = b""
    content_type: str = _HTML
    headers: tuple[tuple[str, str], ...] = ()
    hang: bool = False
    #: Send the headers and half the body, then hold the connection until the server stops.
    stall: bool = False


# --- page building ---------------------------------------------------------------------------


@cache
def _static(name: str) -> bytes | None:
    """A file of ``static/`` (package data, so it works from a wheel or a zip), or None."""
    if not _STATIC_NAME.match(name):
        return None
    resource = resources.files("seleniumcrawl.demo").joinpath("static").joinpath(name)
    return resource.read_bytes() if resource.is_file() else None


def _static_response(name: str, status: int = 200) -> _Response:
    body = _static(name)
    if body is None:
        return _not_found()
    suffix = os.path.splitext(name)[1]
    content_type = _CONTENT_TYPES.get(suffix, "application/octet-stream")
    return _Response(status, body, content_type)


def _page(title: str, body: str, status: int = 200, description: str = "") -> _Response:
    """A generated HTML page; ``title`` is escaped here, ``body`` must already be safe HTML."""
    meta = ""
    if description:
        meta = f'\n<meta name="description" content="{html.escape(description)}">'
    text = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>{meta}\n"
        '<link rel="icon" href="data:,">\n<link rel="stylesheet" href="/static/style.css">\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return _Response(status, text.encode())


def _json(status: int, payload: Any) -> _Response:
    return _Response(status, json.dumps(payload).encode(), _JSON)


def _not_found() -> _Response:
    return _page("Not found", "<h1>404 Not found</h1>", status=404)


def _bad_request(reason: str) -> _Response:
    return _page("Bad request", f"<h1>400 Bad request</h1><p>{html.escape(reason)}</p>", 400)


def _price(seed: int) -> str:
    return f"${10 + seed * 7 % 90}.{seed * 13 % 100:02d}"


def _product(name: str, seed: int) -> str:
    return (
        f'<div class="product" data-id="{seed}"><span class="name">{html.escape(name)}</span> '
        f'<span class="price">{_price(seed)}</span></div>'
    )


def _int_param(request: _Request, name: str, default: int, low: int, high: int) -> int | None:
    """The query parameter as an int in [low, high], ``default`` when absent, None when bad."""
    raw = request.param(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if low <= value <= high else None


# --- the site --------------------------------------------------------------------------------

_Route = Callable[["DemoSite", _Request, "re.Match[str]"], _Response]


class DemoSite:
    """The demo site on a local port; see the module docstring for its pages.

    ``with DemoSite() as site: site.url("/commits")`` starts and stops it. The request log
    (:attr:`requests`, :meth:`count`) is safe to read from any thread.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[tuple[str, str]] = []
        self._times: list[float] = []
        self._rate_limited: dict[str, float] = {}
        self._sessions: dict[str, dict[str, str]] = {}

    # lifecycle

    def start(self) -> str:
        """Bind, serve from a daemon thread, and return the base URL (idempotent)."""
        if self._server is not None:
            return self.base_url
        self._stopping.clear()
        server = _Server((self._host, self._port), _Handler, site=self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"demo-site-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        logger.info("demo site serving on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop serving and release held (``/hang``, ``/slow``) and idle connections."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        logger.info("demo site stopped")

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the running site."""
        if self._server is None:
            raise RuntimeError("DemoSite is not running: call start() first")
        address = self._server.server_address
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        # A wildcard bind is reachable on loopback; that is the address clients should use.
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{address[1]}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this site."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # request log

    @property
    def requests(self) -> list[tuple[str, str]]:
        """A copy of every ``(method, path-with-query)`` received, in arrival order."""
        with self._lock:
            return list(self._requests)

    def count(self, path_prefix: str = "/") -> int:
        """How many requests had a path starting with ``path_prefix``."""
        with self._lock:
            return sum(1 for _, path in self._requests if path.startswith(path_prefix))

    def times(self, path_prefix: str = "/") -> list[float]:
        """``time.monotonic()`` of each request whose path starts with ``path_prefix``."""
        with self._lock:
            pairs = zip(self._requests, self._times, strict=True)
            return [when for (_, path), when in pairs if path.startswith(path_prefix)]

    def reset_counts(self) -> None:
        """Forget the request log (sessions are kept)."""
        with self._lock:
            self._requests.clear()
            self._times.clear()

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self._requests.append((method, path))
            self._times.append(time.monotonic())

    # routing

    def _handle(self, request: _Request) -> _Response:
        allowed: list[str] = []
        for methods, pattern, route in _ROUTES:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if request.method in methods:
                return route(self, request, match)
            allowed.extend(methods)
        if allowed:
            body = "<h1>405 Method not allowed</h1>"
            page = _page("Method not allowed", body, status=405)
            return _Response(405, page.body, headers=(("Allow", ", ".join(sorted(allowed))),))
        return _not_found()

    def _user(self, request: _Request) -> dict[str, str] | None:
        token = request.cookies.get(_SESSION_COOKIE)
        if not token:
            return None
        with self._lock:
            return self._sessions.get(token)

    def _route_index(self, request: _Request, match: re.Match[str]) -> _Response:
        return _static_response("index.html")

    def _route_static_page(self, request: _Request, match: re.Match[str]) -> _Response:
        return _static_response(_STATIC_PAGES[match.group(0)])

    def _route_static(self, request: _Request, match: re.Match[str]) -> _Response:
        return _static_response(match.group(1))

    def _route_commit(self, request: _Request, match: re.Match[str]) -> _Response:
        sha = match.group(1)
        body = f'<h1>Commit <code class="sha">{sha}</code></h1><p><a href="/commits">Back</a></p>'
        return _page(f"Commit {sha[:7]}", body)

    def _route_login_form(self, request: _Request, match: re.Match[str]) -> _Response:
        return _login_form(error="", status=200)

    def _route_login(self, request: _Request, match: re.Match[str]) -> _Response:
        username = (request.form.get("username") or [""])[0]
        password = (request.form.get("password") or [""])[0]
        if username != DEMO_USER["username"] or not secrets.compare_digest(
            password.encode(), DEMO_PASSWORD.encode()
        ):
            return _login_form(error="Invalid credentials", status=401)
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[token] = dict(DEMO_USER)
        # Not HttpOnly on purpose: tests may read it through document.cookie.
        cookie = f"{_SESSION_COOKIE}={token}; Path=/; SameSite=Lax"
        return _redirect("/dashboard", 303, extra=(("Set-Cookie", cookie),))

    def _route_logout(self, request: _Request, match: re.Match[str]) -> _Response:
        token = request.cookies.get(_SESSION_COOKIE)
        if token:
            with self._lock:
                self._sessions.pop(token, None)
        expired = f"{_SESSION_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax"
        return _redirect("/login", 303, extra=(("Set-Cookie", expired),))

    def _route_dashboard(self, request: _Request, match: re.Match[str]) -> _Response:
        if self._user(request) is not None:
            return _static_response("dashboard.html")
        body = (
            '<main><h1>Dashboard</h1><p class="login-required">Please log in</p>'
            '<p><a href="/login">Log in</a></p></main>'
        )
        return _page("Dashboard · seleniumcrawl demo", body)

    def _route_me(self, request: _Request, match: re.Match[str]) -> _Response:
        user = self._user(request)
        if user is None:
            return _json(401, {"error": "not logged in"})
        return _json(200, user)

    def _route_page(self, request: _Request, match: re.Match[str]) -> _Response:
        number = int(match.group(1))
        if not 1 <= number <= MAX_PAGE:
            return _not_found()
        products = "\n".join(
            _product(f"Product {number}-{i}", number * 10 + i) for i in range(1, 4)
        )
        next_link = (
            f'<a class="next-page" href="/page/{number + 1}">Next page</a>'
            if number < MAX_PAGE
            else ""
        )
        body = (
            f'<main><h1>Page {number}</h1>\n<div class="products">\n{products}\n</div>\n'
            f'<nav>{next_link} <a class="home" href="/">Home</a></nav></main>'
        )
        return _page(f"Demo page {number}", body, description=f"Plain demo page number {number}")

    def _route_tree(self, request: _Request, match: re.Match[str]) -> _Response:
        size, fanout, number = (int(match.group(i)) for i in (1, 2, 3))
        ms = _int_param(request, "ms", 0, 0, _MAX_SLOW_MS)
        if not (1 <= size <= MAX_TREE and 1 <= fanout <= 50 and number < size) or ms is None:
            return _not_found()
        if ms:
            self._stopping.wait(ms / 1000)
        query = f"?ms={ms}" if ms else ""

        def href(n: int, fragment: str = "") -> str:
            return f"/tree/{size}/{fanout}/{n}-{_TREE_WORDS[n % 5]}{query}{fragment}"

        children = [c for c in range(fanout * number + 1, fanout * number + fanout + 1) if c < size]
        links = [(href(c), f"Page {c}") for c in children]
        if number > 0:
            links.append((href((number - 1) // fanout), "Up"))
        if children:
            links.append((href(children[0], "#details"), "First child, details"))
        if number == 0:
            base = self.base_url
            links += [
                ("/private/tree", "Private"),
                ("/members/tree", "Members"),
                (base.replace("127.0.0.1", "localhost", 1) + "/external/tree", "Elsewhere"),
            ]
            if len(children) > 1:
                links.append((base.replace("http://", "HTTP://", 1) + href(children[0]), "Again"))
                links.append(("//" + base.split("://", 1)[1] + href(children[1], "#top"), "More"))
        items = "\n".join(f'<li><a href="{html.escape(h)}">{t}</a></li>' for h, t in links)
        word = _TREE_WORDS[number % 5]
        body = (
            f'<main><h1>Tree page {number}</h1><p class="topic">{word}</p>\n'
            f"<ul>\n{items}\n</ul></main>"
        )
        return _page(
            f"Tree page {number}", body, description=f"Page {number} of a {size}-page tree"
        )

    def _route_robots(self, request: _Request, match: re.Match[str]) -> _Response:
        return _Response(200, _ROBOTS_TXT, "text/plain; charset=utf-8")

    def _route_plain_area(self, request: _Request, match: re.Match[str]) -> _Response:
        area, rest = match.group(1), match.group(2)
        more = "" if rest.endswith("/more") else f'<p><a href="/{area}/{rest}/more">More</a></p>'
        return _page(f"{area} {rest}", f"<main><h1>{area}: {html.escape(rest)}</h1>{more}</main>")

    def _route_rate_limited(self, request: _Request, match: re.Match[str]) -> _Response:
        seconds = _int_param(request, "seconds", 2, 0, 600)
        if seconds is None:
            return _bad_request("'seconds' must be an int from 0 to 600")
        now = time.time()
        with self._lock:
            first = self._rate_limited.setdefault(match.group(1), now)
        free_at = first + seconds
        if now >= free_at:
            return _page("Rate limit passed", '<h1 id="passed">Thanks for waiting</h1>')
        if request.param("date"):
            retry_after = email.utils.formatdate(math.ceil(free_at), usegmt=True)
        else:
            retry_after = str(math.ceil(free_at - now))
        page = _page("Too many requests", "<h1>429 Too many requests</h1>", status=429)
        return _Response(429, page.body, headers=(("Retry-After", retry_after),))

    def _route_status(self, request: _Request, match: re.Match[str]) -> _Response:
        code = int(match.group(1))
        if not 200 <= code <= 599:
            return _bad_request(f"status must be 200 to 599, got {code}")
        if code in (204, 304):
            return _Response(code, b"", content_type="")
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Status"
        body = f'<h1 class="status">{code} {html.escape(phrase)}</h1>'
        return _page(f"{code} {phrase}", body, status=code)

    def _route_redirect(self, request: _Request, match: re.Match[str]) -> _Response:
        target = request.param("to") or "/"
        code = _int_param(request, "code", 302, 301, 308)
        # Local paths only: the site must not be an open redirect, even on 127.0.0.1.
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            return _bad_request("'to' must be a local path starting with /")
        if code not in (301, 302, 303, 307, 308):
            return _bad_request("'code' must be 301, 302, 303, 307 or 308")
        return _redirect(target, code)

    def _route_slow(self, request: _Request, match: re.Match[str]) -> _Response:
        ms = _int_param(request, "ms", 1000, 0, _MAX_SLOW_MS)
        if ms is None:
            return _bad_request(f"'ms' must be an int from 0 to {_MAX_SLOW_MS}")
        # Waiting on the stop event (not sleeping) lets stop() release the thread at once.
        self._stopping.wait(ms / 1000)
        return _page("Slow page", f'<h1>Slow page</h1><p id="waited">Answered after {ms} ms</p>')

    def _route_hang(self, request: _Request, match: re.Match[str]) -> _Response:
        return _Response(0, hang=True)

    def _route_big(self, request: _Request, match: re.Match[str]) -> _Response:
        items = _int_param(request, "items", 100, 0, _MAX_ITEMS)
        if items is None:
            return _bad_request(f"'items' must be an int from 0 to {_MAX_ITEMS}")
        products = "\n".join(_product(f"Item {i}", i) for i in range(1, items + 1))
        body = f'<h1>{items} products</h1>\n<div class="products">\n{products}\n</div>'
        return _page(f"Big page ({items} items)", body)

    def _route_echo_headers(self, request: _Request, match: re.Match[str]) -> _Response:
        headers: dict[str, str] = {}
        for name, value in request.headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        text = html.escape(json.dumps(headers, indent=2, sort_keys=True))
        return _page("Request headers", f'<h1>Request headers</h1><pre id="headers">{text}</pre>')

    def _route_storage(self, request: _Request, match: re.Match[str]) -> _Response:
        key = json.dumps(request.param("key") or "token").replace("<", "\\u003c")
        body = (
            '<h1>Local storage</h1><p id="value"></p>\n<script>\n'
            f"const key = {key}; const got = localStorage.getItem(key);\n"
            "const el = document.getElementById('value');\n"
            "if (got === null) el.setAttribute('data-missing', ''); else el.textContent = got;\n"
            "</script>"
        )
        return _page("Local storage", body)

    def _route_auto_login(self, request: _Request, match: re.Match[str]) -> _Response:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[token] = dict(DEMO_USER)
        cookie = f"{_SESSION_COOKIE}={token}; Path=/; SameSite=Lax"
        return _redirect("/dashboard", 303, extra=(("Set-Cookie", cookie),))

    def _route_downloads(self, request: _Request, match: re.Match[str]) -> _Response:
        body = (
            "<h1>Downloads</h1>\n<ul>\n"
            '<li><a id="report" href="/download/report.csv">report.csv</a></li>\n'
            '<li><a id="data" href="/download/data.bin?size=65536" download>data.bin</a></li>\n'
            '<li><a id="notes" href="/download/notes.txt">notes.txt</a></li>\n'
            '<li><a id="stalled" href="/download/stalled.bin?stall=1">stalled.bin</a></li>\n'
            "</ul>"
        )
        return _page("Downloads", body)

    def _route_download(self, request: _Request, match: re.Match[str]) -> _Response:
        name = match.group(1)
        size = _int_param(request, "size", 2048, 0, _MAX_DOWNLOAD)
        if size is None:
            return _bad_request(f"'size' must be an int from 0 to {_MAX_DOWNLOAD}")
        disposition = f'attachment; filename="{name}"'
        return _Response(
            200,
            download_bytes(name, size),
            content_type="application/octet-stream",
            headers=(("Content-Disposition", disposition),),
            stall=request.param("stall") == "1",
        )

    def _route_cookies(self, request: _Request, match: re.Match[str]) -> _Response:
        text = html.escape(json.dumps(request.cookies, indent=2, sort_keys=True))
        return _page("Request cookies", f'<h1>Request cookies</h1><pre id="cookies">{text}</pre>')


_MAX_DOWNLOAD = 10_000_000


def download_bytes(name: str, size: int = 2048) -> bytes:
    """The body of ``/download/<name>?size=N``: ``size`` bytes derived from the name."""
    seed = f"seleniumcrawl demo download {name}\n".encode()
    return (seed * (size // len(seed) + 1))[:size]


def _login_form(error: str, status: int) -> _Response:
    template = _static("login.html")
    assert template is not None, "login.html is package data"
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    text = Template(template.decode()).safe_substitute(error=message)
    return _Response(status, text.encode())


def _redirect(target: str, code: int, extra: tuple[tuple[str, str], ...] = ()) -> _Response:
    link = html.escape(target)
    page = _page("Redirect", f'<p>Moved to <a href="{link}">{link}</a></p>', status=code)
    return _Response(code, page.body, headers=(("Location", target), *extra))


_STATIC_PAGES = {
    "/commits": "commits.html",
    "/capture": "capture.html",
    "/js-error": "js-error.html",
    "/infinite": "infinite.html",
    "/overlay": "overlay.html",
    "/article": "article.html",
}

_GET = ("GET", "HEAD")
_ROUTES: list[tuple[tuple[str, ...], re.Pattern[str], _Route]] = [
    (_GET, re.compile(r"/"), DemoSite._route_index),
    (
        _GET,
        re.compile(r"/commits|/js-error|/infinite|/overlay|/article|/capture"),
        DemoSite._route_static_page,
    ),
    (_GET, re.compile(r"/static/([^/]+)"), DemoSite._route_static),
    (_GET, re.compile(r"/commit/([0-9a-f]{7,40})"), DemoSite._route_commit),
    (_GET, re.compile(r"/login"), DemoSite._route_login_form),
    (_GET, re.compile(r"/login/auto"), DemoSite._route_auto_login),
    (("POST",), re.compile(r"/login"), DemoSite._route_login),
    (_GET, re.compile(r"/logout"), DemoSite._route_logout),
    (_GET, re.compile(r"/dashboard"), DemoSite._route_dashboard),
    (_GET, re.compile(r"/api/me"), DemoSite._route_me),
    (_GET, re.compile(r"/page/([0-9]{1,6})"), DemoSite._route_page),
    (
        _GET,
        re.compile(r"/tree/([0-9]{1,6})/([0-9]{1,2})/([0-9]{1,6})-[a-z]+"),
        DemoSite._route_tree,
    ),
    (_GET, re.compile(r"/robots\.txt"), DemoSite._route_robots),
    (
        _GET,
        re.compile(r"/(private|members|external)/([A-Za-z0-9/_-]+)"),
        DemoSite._route_plain_area,
    ),
    (_GET, re.compile(r"/ratelimit/([A-Za-z0-9_-]+)"), DemoSite._route_rate_limited),
    (_GET, re.compile(r"/status/([0-9]{3})"), DemoSite._route_status),
    (_GET, re.compile(r"/redirect"), DemoSite._route_redirect),
    (_GET, re.compile(r"/slow"), DemoSite._route_slow),
    (_GET, re.compile(r"/hang"), DemoSite._route_hang),
    (_GET, re.compile(r"/big"), DemoSite._route_big),
    (_GET, re.compile(r"/echo-headers"), DemoSite._route_echo_headers),
    (_GET, re.compile(r"/cookies"), DemoSite._route_cookies),
    (_GET, re.compile(r"/storage"), DemoSite._route_storage),
    (_GET, re.compile(r"/downloads"), DemoSite._route_downloads),
    (_GET, re.compile(r"/download/([A-Za-z0-9_.-]+)"), DemoSite._route_download),
]


# --- HTTP plumbing ---------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    """Threaded server whose ``server_close`` never waits for held requests.

    ``block_on_close`` is off because ``/hang`` holds a thread until the site stops, and
    open keep-alive sockets are tracked so :meth:`close_connections` can end them.
    """

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        site: DemoSite,
    ) -> None:
        self.site = site
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut down every open client socket so handler threads see EOF and exit."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints tracebacks to stderr; a client hanging up is routine here.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)) or self.site._stopping.is_set():
            logger.debug("demo site: connection from %s ended: %r", client_address, exc)
        else:
            logger.exception("demo site: error while serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into :class:`_Request` and writes :class:`_Response` back."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm the body then
    # waits for the browser's delayed ACK, which made every demo page slower than the
    # browser itself. Real servers disable Nagle too.
    disable_nagle_algorithm = True
    server_version = "seleniumcrawl-demo/1.0"
    #: Idle keep-alive connections are dropped after this many seconds.
    timeout = 30
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        site = self.server.site
        site._record(method, self.path)
        body = self._read_body()
        if body is None:
            self._write(_bad_request("request body too large"), method)
            return
        parts = urlsplit(self.path)
        form: dict[str, list[str]] = {}
        if method == "POST" and "form-urlencoded" in self.headers.get("Content-Type", ""):
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        request = _Request(
            method=method,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            cookies=self._cookies(),
            form=form,
        )
        response = site._handle(request)
        if response.hang:
            site._stopping.wait()
            self.close_connection = True
            return
        self._write(response, method)

    def _read_body(self) -> bytes | None:
        """The request body (always read, so a kept-alive connection stays in step)."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > _MAX_BODY:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Cookie") or []:
            with contextlib.suppress(CookieError):
                jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}

    def _write(self, response: _Response, method: str) -> None:
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        if response.status not in (204, 304):
            self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD" and response.stall:
            self.wfile.write(response.body[: len(response.body) // 2])
            self.wfile.flush()
            self.server.site._stopping.wait()
            self.close_connection = True
        elif method != "HEAD" and response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("demo site %s: " + format, self.address_string(), *args)


# --- entry points ----------------------------------------------------------------------------


@contextlib.contextmanager
def demo_base_url(env_var: str = DEMO_URL_ENV) -> Iterator[str]:
    """Yield the demo site's base URL: ``$SELENIUMCRAWL_DEMO_URL`` if set, else a fresh site.

    Examples use this so a test run can point all of them at one shared server, while a
    reader running an example by hand needs nothing else running.
    """
    shared = os.environ.get(env_var)
    if shared:
        yield shared.rstrip("/")
        return
    with DemoSite() as site:
        yield site.base_url


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m seleniumcrawl.demo.site``: serve the demo site until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m seleniumcrawl.demo.site", description="Serve the seleniumcrawl demo site."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000; 0 picks a free one)")
    args = parser.parse_args(argv)
    with DemoSite(host=args.host, port=args.port) as site:
        sys.stdout.write(f"Demo site on {site.base_url}/ (Ctrl-C stops it)\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
