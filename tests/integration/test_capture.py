"""Network and console capture (capture_network_requests, capture_console_messages)."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest

from seleniumcrawl import CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

CAPTURE = CrawlerRunConfig(
    capture_network_requests=True,
    capture_console_messages=True,
    wait_for="js:() => document.getElementById('done').textContent.startsWith('done')",
)


def _events(result: Any, kind: str) -> list[dict[str, Any]]:
    return [e for e in result.network_requests or [] if e["event_type"] == kind]


def test_network_and_console_of_the_page(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """Requests, responses (with status) and console messages come back in Crawl4AI's keys."""
    result = shared_crawler.run(site.url("/capture"), config=CAPTURE)
    assert result.success, result.error_message
    requests = {e["url"]: e for e in _events(result, "request")}
    responses = {e["url"]: e for e in _events(result, "response")}
    page_url = site.url("/capture")
    assert requests[page_url]["resource_type"] == "document"
    assert responses[page_url]["status"] == 200
    assert responses[site.url("/api/me")]["status"] == 401
    assert responses[site.url("/static/missing.png")]["status"] == 404
    assert requests[site.url("/static/style.css")]["resource_type"] == "stylesheet"
    for entry in result.network_requests or []:
        assert {"event_type", "url", "method", "headers", "resource_type", "timestamp"} <= set(
            entry
        )
        assert entry["timestamp"] > 1.6e9  # Unix seconds
    texts = [(m["type"], m["text"]) for m in result.console_messages or []]
    assert ("log", "capture page loaded 42") in texts
    assert ("warning", "a warning") in texts
    assert ("error", "an error message") in texts
    assert any(t == "error" and "capture page uncaught" in x for t, x in texts)


def test_failed_requests_over_bidi(
    shared_crawler: WebCrawler, site: DemoSite, transport: str
) -> None:
    """Over BiDi a refused connection is a request_failed entry with its net:: error."""
    if transport != "bidi":
        pytest.skip("the classic path's in-page recorder cannot see failed requests' causes")
    result = shared_crawler.run(site.url("/capture"), config=CAPTURE)
    failed = [e for e in _events(result, "request_failed") if "unreachable" in e["url"]]
    assert failed and failed[0]["failure_text"].startswith("net::ERR_")
    assert failed[0]["method"] == "GET"


def test_nothing_recorded_unless_asked(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """Without the flags both fields are None; with one flag only that one is filled."""
    plain = shared_crawler.run(site.url("/capture"))
    assert plain.network_requests is None and plain.console_messages is None
    only_console = shared_crawler.run(
        site.url("/capture"), config=CrawlerRunConfig(capture_console_messages=True)
    )
    assert only_console.network_requests is None and only_console.console_messages


def test_a_session_step_records_only_its_own_events(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """A js_only step of a session records what that step did, not the earlier load."""
    first = shared_crawler.run(site.url("/capture"), config=CAPTURE.clone(session_id="cap"))
    assert first.success
    step = shared_crawler.run(
        site.url("/capture"),
        config=CrawlerRunConfig(
            session_id="cap",
            js_only=True,
            js_code="console.log('step two'); await (await fetch('/api/me?step=2')).text();",
            capture_network_requests=True,
            capture_console_messages=True,
        ),
    )
    shared_crawler.kill_session("cap")
    assert step.success, step.error_message
    assert [m["text"] for m in step.console_messages or []] == ["step two"]
    assert {e["url"] for e in step.network_requests or []} == {site.url("/api/me?step=2")}


def test_concurrent_pages_see_only_their_own_events(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """Crawls in flight at once on one browser each get only their own page's events."""
    configs = [
        CrawlerRunConfig(
            capture_network_requests=True,
            capture_console_messages=True,
            js_code=f"console.log('page {i}'); await (await fetch('/api/me?n={i}')).text();",
        )
        for i in range(4)
    ]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(
            pool.map(
                lambda c: shared_crawler.run(site.url(f"/page/{id(c) % 1000}"), config=c), configs
            )
        )
    for i, result in enumerate(results):
        assert result.success, result.error_message
        assert [m["text"] for m in result.console_messages or []] == [f"page {i}"]
        fetched = {e["url"] for e in result.network_requests or [] if "/api/me" in e["url"]}
        assert fetched == {site.url(f"/api/me?n={i}")}
