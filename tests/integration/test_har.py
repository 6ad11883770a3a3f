"""HAR record and replay (#26): record a crawl with bodies, stop the server, replay it
with no network at all and get the same results."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, JsonCssExtractionStrategy, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from seleniumcrawl.errors import ConfigError
from tests.resource_site import serve

WAIT = "js:() => document.getElementById('api').textContent != 'waiting'"


def test_record_then_replay_offline(tmp_path: Path) -> None:
    """Two pages recorded (bodies embedded, file 0600); with the server stopped, a
    replay gives the same markdown (the JSON API's answer included) and links; an
    unrecorded URL is aborted, and fetched from the network under har_not_found=fallback."""
    har_path = str(tmp_path / "site.har")
    record = CrawlerRunConfig(record_har_path=har_path, wait_for=WAIT)
    with WebCrawler(config=BrowserConfig()) as crawler:
        with serve() as site:
            urls = [site.url("/page/1"), site.url("/page/2")]
            live = [crawler.run(u, config=record) for u in urls]
            assert all(r.success for r in live), [r.error_message for r in live]
            assert all(r.network_requests is None for r in live)  # not asked for
        assert stat.S_IMODE(os.stat(har_path).st_mode) == 0o600
        entries = json.loads(Path(har_path).read_text())["log"]["entries"]
        api = [e for e in entries if e["request"]["url"].endswith("/api/data.json")]
        assert len(api) == 2 and json.loads(api[0]["response"]["content"]["text"]) == {"value": 42}

        replay = CrawlerRunConfig(route_from_har=har_path, wait_for=WAIT)
        for url, before in zip(urls, live, strict=True):
            again = crawler.run(url, config=replay)
            assert again.success, again.error_message
            assert str(again.markdown) == str(before.markdown)
            assert "api 42" in str(again.markdown)
            assert again.links == before.links
        missing = crawler.run(urls[0].replace("/page/1", "/page/9"), config=replay)
        assert not missing.success

        with serve() as other:
            fallback = CrawlerRunConfig(route_from_har=har_path, har_not_found="fallback")
            got = crawler.run(other.url("/page/9"), config=fallback)
            assert got.success and "Resource page 9" in str(got.markdown)
            assert "/page/9" in other.fetched()


def test_har_bad_input(tmp_path: Path) -> None:
    """A HAR path that does not exist, or a file that is not a HAR, raises at
    construction naming the field; so does an unknown har_not_found."""
    with pytest.raises(ConfigError, match="route_from_har: no HAR file"):
        CrawlerRunConfig(route_from_har=str(tmp_path / "none.har"))
    bad = tmp_path / "bad.har"
    bad.write_text('{"log": {}}')
    with pytest.raises(ConfigError, match="is not a HAR file"):
        BrowserConfig(route_from_har=str(bad))
    with pytest.raises(ConfigError, match="har_not_found must be one of abort, fallback"):
        CrawlerRunConfig(har_not_found="ignore")


COMMITS = JsonCssExtractionStrategy(
    {
        "name": "commits",
        "baseSelector": "li.commit-item",
        "fields": [{"name": "title", "selector": "h4.markdown-title", "type": "text"}],
    }
)
NEXT_PAGE = """
window.__firstTitle = document.querySelector('li.commit-item h4').textContent;
document.querySelector('a.pagination-next').click();
"""
PAGE_CHANGED = (
    "js:() => { const h = document.querySelector('li.commit-item h4');"
    " return h && h.textContent !== window.__firstTitle; }"
)
LOGIN = """
document.querySelector('#username').value = 'demo';
document.querySelector('#password').value = 'secret';
document.querySelector('#login-form').submit();
"""


def _workflow(crawler: WebCrawler, base: str, har: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The demo site's session workflow: log in (a form POST and its redirect), open the
    dashboard, then three pages of commits (one navigation, two js_only steps)."""
    out: list[tuple[Any, ...]] = []
    login = crawler.run(
        base + "/login", config=CrawlerRunConfig(session_id="w", js_code=LOGIN, **har)
    )
    assert login.success, login.error_message
    out.append((login.redirected_url, str(login.markdown)))
    board = crawler.run(
        base + "/dashboard",
        config=CrawlerRunConfig(session_id="w", wait_for="css:.user-profile", **har),
    )
    assert board.success, board.error_message
    out.append((str(board.markdown),))
    for page in range(3):
        config = CrawlerRunConfig(
            session_id="w",
            js_code=NEXT_PAGE if page else None,
            js_only=page > 0,
            wait_for=PAGE_CHANGED if page else "css:li.commit-item",
            extraction_strategy=COMMITS,
            **har,
        )
        result = crawler.run(base + "/commits", config=config)
        assert result.success, result.error_message
        out.append((result.extracted_content, str(result.markdown)))
    crawler.kill_session("w")
    return out


def test_session_workflow_recorded_then_replayed_offline(tmp_path: Path) -> None:
    """The demo site's login + dashboard + js_only pagination recorded once (the HAR,
    holding the login's password and cookie, is 0600), the site stopped, and replayed:
    the same redirects, markdown and extracted_content, step by step."""
    har_path = str(tmp_path / "demo.har")
    with WebCrawler(config=BrowserConfig()) as crawler:
        with DemoSite() as site:
            base = site.url("").rstrip("/")
            live = _workflow(crawler, base, {"record_har_path": har_path})
        assert stat.S_IMODE(os.stat(har_path).st_mode) == 0o600
        assert "session=" in Path(har_path).read_text()  # the login's cookie is in there
        replayed = _workflow(crawler, base, {"route_from_har": har_path})
    assert replayed == live
    assert len({step[0] for step in live[2:]}) == 3  # three different pages of commits


def test_run_many_recorded_then_replayed(tmp_path: Path) -> None:
    """run_many over four pages in flight records into one HAR file (appends from
    concurrent crawls are whole); replayed with the server stopped, every page gives the
    same markdown (each crawl waits for the page's fetch(): without, the text depends on
    timing)."""
    har_path = str(tmp_path / "many.har")
    with WebCrawler(config=BrowserConfig()) as crawler:
        with serve() as site:
            urls = [site.url(f"/page/{n}") for n in range(4)]
            record = CrawlerRunConfig(record_har_path=har_path, wait_for=WAIT)
            live = crawler.run_many(urls, config=record)
        assert all(r.success for r in live)
        entries = json.loads(Path(har_path).read_text())["log"]["entries"]
        assert {e["request"]["url"] for e in entries} >= set(urls)
        again = crawler.run_many(
            urls, config=CrawlerRunConfig(route_from_har=har_path, wait_for=WAIT)
        )
    by_url = {r.url: str(r.markdown) for r in live}
    assert all(r.success for r in again), [r.error_message for r in again]
    assert {r.url: str(r.markdown) for r in again} == by_url


def test_deep_crawl_recorded_then_replayed(tmp_path: Path) -> None:
    """A BFS deep crawl (depth 2) recorded, then replayed with the server stopped: the
    same pages in the same depths, with the same markdown."""
    from seleniumcrawl import BFSDeepCrawlStrategy

    har_path = str(tmp_path / "deep.har")
    # The page's fetch() answered (on pages that have one): the same text either way.
    SETTLED = "js:() => (document.getElementById('api') || {}).textContent !== 'waiting'"

    def deep(crawler: WebCrawler, url: str, **har: Any) -> dict[str, str]:
        config = CrawlerRunConfig(
            deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=2), wait_for=SETTLED, **har
        )
        results = crawler.run(url, config=config)
        assert isinstance(results, list) and all(r.success for r in results)
        return {r.url: str(r.markdown) for r in results}

    with WebCrawler(config=BrowserConfig()) as crawler:
        with serve() as site:
            start = site.url("/page/1")
            live = deep(crawler, start, record_har_path=har_path)
        assert len(live) >= 4  # /page/1, /page/2, /about, /page/3
        replayed = deep(crawler, start, route_from_har=har_path)
    assert replayed == live
