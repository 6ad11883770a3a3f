"""HAR record and replay (#26): record a crawl with bodies, stop the server, replay it
with no network at all and get the same results."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
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
