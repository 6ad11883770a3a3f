"""A HAR 1.2 file (the format browsers' developer tools open) from captured network entries.

``to_har(results)`` pairs each ``request`` entry of ``result.network_requests`` with the
next ``response`` or ``request_failed`` entry of the same URL; a failed request becomes
an entry with status 0 and its ``_failureText``. Sizes the capture does not know are -1.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import threading
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
        content_type = _header(outcome.get("headers"), "content-type")
        content: dict[str, Any] = {"size": -1, "mimeType": content_type}
        body = outcome.get("body")
        if isinstance(body, str):
            content["text"] = body
            if outcome.get("body_encoding") == "base64":
                content["encoding"] = "base64"
                content["size"] = len(body) * 3 // 4
            else:
                content["size"] = len(body.encode("utf-8"))
        elif outcome.get("body_omitted"):
            content["comment"] = str(outcome["body_omitted"])
        response["content"] = content
    post = request.get("post_data")
    if isinstance(post, str):
        mime = _header(request.get("headers"), "content-type")
        entry["request"]["postData"] = {"mimeType": mime, "text": post}
    return entry


def _header(headers: dict[str, str] | None, name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return str(value)
    return ""


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


_file_locks: dict[str, threading.Lock] = {}
_file_locks_lock = threading.Lock()


def append_to_file(path: str, network: list[dict[str, Any]]) -> None:
    """Add one crawl's entries to the HAR file at ``path`` (made when missing), written
    whole through a temporary file, mode 0600 (a HAR holds cookies and logins)."""
    with _file_locks_lock:
        lock = _file_locks.setdefault(path, threading.Lock())
    with lock:
        document = to_har([])
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        document["log"]["entries"].extend(to_har([network])["log"]["entries"])
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(document, out)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)


class HarArchive:
    """A HAR file's responses by method + URL (+ POST body) for replay: the first
    recorded answer of each key, then the later ones in turn (a page asked twice gets
    the two recorded answers; after the last it keeps getting the last)."""

    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)["log"]["entries"]
        self._answers: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        for entry in entries:
            response = entry.get("response") or {}
            if not response.get("status"):
                continue  # a failed or blocked request: nothing to replay
            self._answers.setdefault(_key_of(entry["request"]), []).append(response)

    def __len__(self) -> int:
        return sum(len(v) for v in self._answers.values())

    def answer(
        self, method: str, url: str, post_data: str | None = None
    ) -> tuple[int, dict[str, str], bytes] | None:
        """(status, headers, body) recorded for this request, or None."""
        key = (method.upper(), _without_fragment(url), post_data or "")
        with self._lock:
            answers = self._answers.get(key)
            if not answers:
                return None
            response = answers.pop(0) if len(answers) > 1 else answers[0]
        content = response.get("content") or {}
        text = content.get("text") or ""
        if content.get("encoding") == "base64":
            body = base64.b64decode(text)
        else:
            body = text.encode("utf-8")
        headers = {
            h["name"]: h["value"]
            for h in response.get("headers") or []
            if h["name"].lower() not in _NOT_REPLAYED
        }
        return int(response["status"]), headers, body


#: Response headers a replayed body no longer matches (the body is stored decoded).
_NOT_REPLAYED = frozenset({"content-encoding", "content-length", "transfer-encoding"})


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def _key_of(request: dict[str, Any]) -> tuple[str, str, str]:
    post = (request.get("postData") or {}).get("text") or ""
    return (str(request.get("method") or "GET").upper(), _without_fragment(request["url"]), post)


__all__ = ["HarArchive", "append_to_file", "to_har"]
