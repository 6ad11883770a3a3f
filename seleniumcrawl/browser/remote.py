"""Asking a Selenium Grid (or any WebDriver server) how it is: ``seleniumcrawl doctor``'s check.

The Grid launcher itself is a development tool (``tools/grid.py``, ``make grid``); only
this status query is needed at run time.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from seleniumcrawl.errors import SeleniumCrawlError
from seleniumcrawl.urls import is_loopback_host


class GridError(SeleniumCrawlError):
    """The Grid jar could not be fetched, a server did not start, or a Grid is unreachable."""


def no_proxy() -> urllib.request.ProxyHandler:
    """Our servers are on 127.0.0.1: an HTTP(S)_PROXY from the environment must not apply."""
    return urllib.request.ProxyHandler({})


def _node_counts(node: Mapping[str, Any]) -> tuple[int, int]:
    """(capacity, sessions) of one node in a /status answer."""
    slots = node.get("slots") or []
    sessions = sum(1 for slot in slots if slot.get("session"))
    capacity = len(slots)
    max_sessions = node.get("maxSessions")
    if isinstance(max_sessions, int) and max_sessions > 0:
        capacity = min(capacity, max_sessions)
    return capacity, sessions


def summarize_status(value: Mapping[str, Any], url: str = "") -> dict[str, Any]:
    """Condense the ``value`` of a ``/status`` answer into the numbers a user needs.

    Understands a Grid router/standalone (``nodes``), a single node (``node``) and a plain
    WebDriver server such as chromedriver (neither). Slots count only on nodes that are
    ``UP``: a draining or down node takes no new sessions.
    """
    if isinstance(value.get("nodes"), list):
        kind, nodes = "grid", list(value["nodes"])
    elif isinstance(value.get("node"), Mapping):
        kind, nodes = "node", [value["node"]]
    else:
        kind, nodes = "webdriver", []
    total = free = sessions = up = 0
    for node in nodes:
        capacity, used = _node_counts(node)
        sessions += used
        if node.get("availability", "UP") == "UP":
            up += 1
            total += capacity
            free += max(capacity - used, 0)
    return {
        "url": url,
        "kind": kind,
        "ready": bool(value.get("ready")),
        "message": str(value.get("message", "")),
        "nodes": len(nodes),
        "nodes_up": up,
        "total_slots": total,
        "free_slots": free,
        "sessions": sessions,
    }


def get_status(
    url: str, timeout: float, opener: urllib.request.OpenerDirector | None = None
) -> dict[str, Any]:
    """The ``value`` of ``GET <url>/status``; :class:`GridError` when there is none."""
    endpoint = url.rstrip("/") + "/status"
    request = urllib.request.Request(endpoint, headers={"Accept": "application/json"})
    open_ = opener.open if opener is not None else urllib.request.urlopen
    try:
        with open_(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        # A Grid that is up but not ready may answer 503 with a perfectly good body.
        body = exc.read()
        exc.close()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GridError(f"Selenium Grid at {url} is unreachable: {reason}") from exc
    try:
        value = json.loads(body)["value"]
    except (ValueError, KeyError, TypeError) as exc:
        raise GridError(f"{endpoint} did not answer with WebDriver status JSON") from exc
    if not isinstance(value, dict):
        raise GridError(f"{endpoint} answered a non-object status value: {value!r}")
    return value


def grid_status(url: str, timeout: float = 5) -> dict[str, Any]:
    """Readiness, node count, slots and sessions of the Grid (or WebDriver server) at ``url``.

    Used by ``seleniumcrawl doctor --remote-url``. Raises :class:`GridError` naming the
    URL and the reason when nothing answers within ``timeout`` seconds.
    """
    host = urllib.parse.urlsplit(url).hostname or ""
    # An HTTP(S)_PROXY meant for the outside world must not intercept a Grid on loopback.
    opener = urllib.request.build_opener(no_proxy()) if is_loopback_host(host) else None
    return summarize_status(get_status(url, timeout, opener), url)


__all__ = ["GridError", "get_status", "grid_status", "no_proxy", "summarize_status"]
