"""A HAR 1.2 file (the format browsers' developer tools open) from captured network entries.

``to_har(results)`` pairs each ``request`` entry of ``result.network_requests`` with the
next ``response`` or ``request_failed`` entry of the same URL; a failed request becomes
an entry with status 0 and its ``_failureText``. Sizes the capture does not know are -1.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from seleniumcrawl._version import __version__


def _iso(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).isoformat()


def _pairs(headers: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in (headers or {}).items()]


def _entry(request: dict[str, Any], outcome: dict[str, Any] | None) -> dict[str, Any]:
    started = float(request.get("timestamp") or 0)
    ended = float(outcome.get("timestamp") or started) if outcome else started
    elapsed = max(0.0, (ended - started) * 1000)
    response: dict[str, Any] = {
        "status": 0,
        "statusText": "",
        "httpVersion": "",
        "headers": [],
        "cookies": [],
        "content": {"size": -1, "mimeType": ""},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": -1,
    }
    entry: dict[str, Any] = {
        "startedDateTime": _iso(started),
        "time": round(elapsed, 3),
        "request": {
            "method": request.get("method") or "GET",
            "url": request.get("url"),
            "httpVersion": "",
            "headers": _pairs(request.get("headers")),
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": -1,
        },
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": round(elapsed, 3), "receive": 0},
        "_resourceType": request.get("resource_type"),
    }
    if outcome is None:
        entry["_failureText"] = "no response before the crawl ended"
    elif outcome["event_type"] == "request_failed":
        entry["_failureText"] = outcome.get("failure_text", "")
    else:
        response.update(
            status=outcome.get("status") or 0,
            statusText=outcome.get("status_text") or "",
            headers=_pairs(outcome.get("headers")),
        )
        content_type = (outcome.get("headers") or {}).get("content-type", "")
        response["content"] = {"size": -1, "mimeType": content_type}
    return entry


def to_har(network_logs: Iterable[list[dict[str, Any]]]) -> dict[str, Any]:
    """A HAR document of the given crawls' ``network_requests`` lists."""
    entries: list[dict[str, Any]] = []
    for events in network_logs:
        waiting: dict[str, list[dict[str, Any]]] = {}
        order: list[dict[str, Any]] = []
        outcomes: dict[int, dict[str, Any]] = {}
        for event in events:
            if event.get("event_type") == "request":
                waiting.setdefault(str(event.get("url")), []).append(event)
                order.append(event)
            else:
                queue = waiting.get(str(event.get("url"))) or []
                if queue:
                    outcomes[id(queue.pop(0))] = event
        entries.extend(_entry(request, outcomes.get(id(request))) for request in order)
    entries.sort(key=lambda e: str(e["startedDateTime"]))
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "seleniumcrawl", "version": __version__},
            "pages": [],
            "entries": entries,
        }
    }


__all__ = ["to_har"]
