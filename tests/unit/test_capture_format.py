"""Capture's event mapping (BiDi -> Crawl4AI's keys) and the HAR file, without a browser."""

from __future__ import annotations

from seleniumcrawl.browser.capture import console_entry, network_entry
from seleniumcrawl.har import to_har

REQUEST = {
    "context": "c1",
    "navigation": None,
    "timestamp": 1_700_000_000_000,
    "request": {
        "request": "7",
        "url": "http://h/api",
        "method": "POST",
        "headers": [{"name": "Accept", "value": {"type": "string", "value": "*/*"}}],
        "destination": "",
        "initiatorType": "fetch",
    },
}


def test_request_response_and_failure_entries() -> None:
    """BiDi network events become Crawl4AI entries with seconds, headers and resource type."""
    request = network_entry("network.beforeRequestSent", REQUEST)
    assert request == {
        "event_type": "request",
        "url": "http://h/api",
        "method": "POST",
        "headers": {"Accept": "*/*"},
        "resource_type": "fetch",
        "timestamp": 1_700_000_000.0,
        "is_navigation_request": False,
    }
    done = dict(REQUEST, response={"url": "http://h/api", "status": 201, "statusText": "Created"})
    response = network_entry("network.responseCompleted", done)
    assert (response["event_type"], response["status"], response["status_text"]) == (
        "response",
        201,
        "Created",
    )
    failed = network_entry("network.fetchError", dict(REQUEST, errorText="net::ERR_FAILED"))
    assert (failed["event_type"], failed["failure_text"]) == ("request_failed", "net::ERR_FAILED")
    navigation = network_entry(
        "network.beforeRequestSent", dict(REQUEST, navigation="n1", request={"url": "http://h/"})
    )
    assert navigation["resource_type"] == "document" and navigation["is_navigation_request"]


def test_console_and_javascript_entries() -> None:
    """console.warn is 'warning'; an uncaught error is 'error' with its location."""
    warn = console_entry(
        {"type": "console", "method": "warn", "level": "warn", "text": "w", "timestamp": 5000}
    )
    assert warn == {"type": "warning", "text": "w", "timestamp": 5.0}
    error = console_entry(
        {
            "type": "javascript",
            "level": "error",
            "text": "Error: x",
            "timestamp": 1000,
            "stackTrace": {"callFrames": [{"url": "u", "lineNumber": 3, "columnNumber": 4}]},
        }
    )
    assert error["type"] == "error"
    assert error["location"] == {"url": "u", "lineNumber": 3, "columnNumber": 4}


def test_har_pairs_requests_with_their_outcomes() -> None:
    """Each request is one HAR entry with its response or failure; unanswered ones say so."""
    log = [
        {"event_type": "request", "url": "a", "method": "GET", "timestamp": 10.0},
        {"event_type": "request", "url": "b", "method": "GET", "timestamp": 10.1},
        {"event_type": "request", "url": "c", "method": "GET", "timestamp": 10.2},
        {
            "event_type": "response",
            "url": "a",
            "status": 200,
            "timestamp": 10.5,
            "headers": {"content-type": "text/html"},
        },
        {
            "event_type": "request_failed",
            "url": "b",
            "failure_text": "net::ERR_X",
            "timestamp": 10.3,
        },
    ]
    har = to_har([log])
    assert har["log"]["version"] == "1.2"
    a, b, c = har["log"]["entries"]
    assert a["response"]["status"] == 200 and a["time"] == 500.0
    assert a["response"]["content"]["mimeType"] == "text/html"
    assert b["response"]["status"] == 0 and b["_failureText"] == "net::ERR_X"
    assert c["_failureText"] == "no response before the crawl ended"
    assert a["startedDateTime"] == "1970-01-01T00:00:10+00:00"
