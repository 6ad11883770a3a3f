"""remote_url against a plain ``chromedriver --port=N``, the smallest W3C WebDriver server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chromedriver_url() -> Iterator[str]:
    """A chromedriver serving W3C WebDriver on a local port."""
    binary = shutil.which("chromedriver")
    if binary is None:
        pytest.skip("chromedriver is not installed (apt-get install chromium-driver)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url + "/status", timeout=1) as response:
                if json.load(response)["value"]["ready"]:
                    break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)  # polling a starting server's status endpoint
    yield url
    process.terminate()
    process.wait(10)


def test_sessions_work_through_a_remote_webdriver(chromedriver_url: str, site: DemoSite) -> None:
    """With remote_url the pool, sessions and js_only work unchanged."""
    config = BrowserConfig(remote_url=chromedriver_url, max_drivers=1)
    with WebCrawler(config=config) as crawler:
        first = crawler.run(
            site.url("/page/1"), CrawlerRunConfig(session_id="r", js_code="window.__n = 1;")
        )
        assert first.success, first.error_message
        again = crawler.run(
            site.url("/page/1"),
            CrawlerRunConfig(session_id="r", js_only=True, js_code="return ++window.__n;"),
        )
        assert again.js_execution_result == {"success": True, "results": [2]}
        assert crawler.crawler_strategy.pool.drivers()[0].is_remote
        shot = crawler.run(site.url("/page/2"), CrawlerRunConfig(screenshot=True))
        assert shot.success and shot.screenshot
    with urllib.request.urlopen(chromedriver_url + "/status", timeout=5) as response:
        assert json.load(response)["value"]["ready"], "the remote session was quit on close"
