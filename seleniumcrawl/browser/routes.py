"""Playwright's ``page.route`` for hooks: :class:`Route` and :class:`Request` over the
shared BiDi intercepts of :mod:`seleniumcrawl.browser.network`.

A route belongs to its page's tab (a session's window keeps it for the session's later
crawls; ``context.route`` is the same, for that window). Each ``route()`` adds one
``beforeRequestSent`` intercept for the tab; a request that no route's matcher takes is
continued at once on the handler thread. A handler (plain or ``async``) runs on the
interceptor's handler threads; one that raises, or that returns without answering, is
answered for it: raised: the request fails (logged, and recorded on the tab as
``route_errors`` for the crawl to report); not answered: it continues.
"""

from __future__ import annotations

import asyncio
import inspect
import json as json_module
import logging
import mimetypes
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seleniumcrawl.browser.bidi import BidiConnection
from seleniumcrawl.browser.network import Intercept, PausedRequest, interceptor_for
from seleniumcrawl.browser.tab import Tab
from seleniumcrawl.config.network import glob_to_regex
from seleniumcrawl.errors import ConfigError

log = logging.getLogger(__name__)

Matcher = str | re.Pattern[str] | Callable[[str], bool]


class Request:
    """The paused request as a route handler sees it (Playwright's names)."""

    def __init__(self, paused: PausedRequest) -> None:
        self._paused = paused
        self.url = paused.url
        self.method = paused.method
        self.headers = paused.headers
        self.resource_type = paused.resource_type
        body = (paused.params.get("request") or {}).get("body")
        self.post_data: str | None = None
        if isinstance(body, dict) and body.get("type") == "string":
            self.post_data = str(body.get("value"))

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.url}>"


class Done:
    """What a Route method returns: it acted at once; awaiting it (Playwright's async
    style, ``await route.abort()``) is fine, and so is not awaiting it."""

    def __await__(self) -> Any:
        return iter(())


DONE = Done()


class Route:
    """Answer one routed request: :meth:`abort`, :meth:`continue_` or :meth:`fulfill`.
    Each acts at once; ``await`` it or not, as in Playwright's async or sync API."""

    def __init__(self, paused: PausedRequest) -> None:
        self._paused = paused
        self.request = Request(paused)

    def abort(self, error_code: str = "failed") -> Done:
        """Fail the request (the page sees a network error)."""
        self._paused.fail()
        return DONE

    def continue_(
        self,
        *,
        url: str | None = None,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        post_data: str | bytes | None = None,
    ) -> Done:
        """Let it go to the network, changed as given."""
        self._paused.continue_(url=url, method=method, headers=headers, body=post_data)
        return DONE

    def fallback(self) -> Done:
        """Playwright's fallback: here, continue unchanged."""
        self._paused.continue_()
        return DONE

    def fulfill(
        self,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: str | bytes | None = None,
        path: str | Path | None = None,
        json: Any = None,
        content_type: str | None = None,
    ) -> Done:
        """Answer it without the network: ``body``, a file's content (``path``) or
        ``json`` (serialized, ``application/json``)."""
        out_headers = dict(headers or {})
        if json is not None:
            body = json_module.dumps(json)
            content_type = content_type or "application/json"
        elif path is not None:
            body = Path(path).read_bytes()
            content_type = content_type or mimetypes.guess_type(str(path))[0]
        if content_type and not any(k.lower() == "content-type" for k in out_headers):
            out_headers["content-type"] = content_type
        self._paused.provide_response(status=status, headers=out_headers, body=body)
        return DONE


def matcher_of(url: Matcher) -> Callable[[str], bool]:
    """A URL test from a glob, a compiled regex or a predicate (ValueError otherwise)."""
    if isinstance(url, str):
        if "{" in url and "}" not in url:
            raise ValueError(f"route: malformed URL glob {url!r}: unbalanced braces")
        if not url.strip():
            raise ValueError("route: an empty URL glob")
        regex = glob_to_regex(url)
        return lambda u: regex.match(u) is not None
    if isinstance(url, re.Pattern):
        return lambda u: url.search(u) is not None
    if callable(url):
        return lambda u: bool(url(u))
    raise ValueError(f"route: a URL glob, a re.Pattern or a predicate, got {type(url).__name__}")


RouteHandler = Callable[..., Any]
_Entry = tuple[Any, Callable[[str], bool], RouteHandler, Intercept]


class TabRoutes:
    """The routes of one tab, in the order added (the last added is asked first)."""

    def __init__(self, tab: Tab) -> None:
        bidi = getattr(tab, "bidi", None)
        if not isinstance(bidi, BidiConnection):
            raise ConfigError(
                "page.route: routes pause each request over WebDriver BiDi, and this browser "
                "has none (BrowserConfig(use_bidi=False)); use block_urls / block_resources"
            )
        self.tab = tab
        self.bidi = bidi
        self._lock = threading.Lock()
        self._routes: list[_Entry] = []
        #: One line per handler that raised (``<url>: <Type>: <message>``), for the crawl.
        self.errors: list[str] = []

    def add(self, url: Matcher, handler: RouteHandler) -> None:
        """Route requests whose URL matches ``url`` to ``handler(route[, request])``."""
        test = matcher_of(url)
        timeout = float(getattr(self.tab, "command_timeout", 30.0))

        def on_paused(paused: PausedRequest) -> None:
            if not test(paused.url):
                return
            route = Route(paused)
            takes = len(inspect.signature(handler).parameters)
            got = handler(route, route.request) if takes >= 2 else handler(route)
            if inspect.isawaitable(got):
                asyncio.run(_awaited(got))

        def on_error(paused: PausedRequest, exc: BaseException) -> None:
            with self._lock:
                self.errors.append(f"{paused.url}: {type(exc).__name__}: {exc}")

        # A glob or regex is tested on the reader thread (requests it rejects go on at
        # once); a predicate is the user's code and runs on the handler threads.
        quick = test if isinstance(url, (str, re.Pattern)) else None
        intercept = interceptor_for(self.bidi, timeout).add(
            "beforeRequestSent",
            on_paused,
            contexts=[self.tab.handle],
            on_error=on_error,
            accepts=quick,
        )
        with self._lock:
            self._routes.append((url, test, handler, intercept))

    def remove(self, url: Matcher, handler: RouteHandler | None = None) -> None:
        """Remove the routes added with this ``url`` (and ``handler`` when given)."""
        with self._lock:
            keep: list[_Entry] = []
            gone: list[_Entry] = []
            for entry in self._routes:
                same = entry[0] == url and (handler is None or entry[2] == handler)
                (gone if same else keep).append(entry)
            self._routes = keep
        for entry in gone:
            entry[3].remove()

    def clear(self) -> None:
        """Remove every route (the tab closes)."""
        with self._lock:
            gone, self._routes = self._routes, []
        for entry in gone:
            entry[3].remove()

    def take_errors(self) -> list[str]:
        """The handler errors since the last call."""
        with self._lock:
            errors, self.errors = self.errors, []
        return errors


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def routes_of(tab: Tab, create: bool = True) -> TabRoutes | None:
    """The tab's routes (made on first use when ``create``)."""
    routes: TabRoutes | None = getattr(tab, "_routes", None)
    if routes is None and create:
        routes = TabRoutes(tab)
        tab._routes = routes  # type: ignore[attr-defined]
        closers = getattr(tab, "on_close", None)
        if isinstance(closers, list):
            closers.append(routes.clear)  # the window's intercepts go with it
    return routes


__all__ = [
    "DONE",
    "Done",
    "Request",
    "Route",
    "TabRoutes",
    "matcher_of",
    "routes_of",
]
