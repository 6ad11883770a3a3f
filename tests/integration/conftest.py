"""Integration fixtures: real Chromium crawlers against the demo site.

``transport`` runs a module's tests on both ways of talking to the browser: over
WebDriver BiDi (many pages in flight per browser) and over the classic WebDriver
protocol (one at a time). It sets ``SELENIUMCRAWL_USE_BIDI`` for the module, so every
``BrowserConfig()`` the tests build, the shared crawler's included, takes that path.
The shared crawlers use it; a module whose tests build their own crawlers opts in with
``pytestmark = pytest.mark.usefixtures("transport")``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, WebCrawler
from seleniumcrawl.browser import procs, reaper
from seleniumcrawl.browser.launch import find_driver
from tools.redis_server import RedisServer
from tools.redis_server import available as redis_available

TRANSPORTS = ("bidi", "classic")


@pytest.fixture(scope="module", params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> Iterator[str]:
    """The module's tests run once over BiDi and once over the classic protocol."""
    name = str(request.param)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SELENIUMCRAWL_USE_BIDI", "1" if name == "bidi" else "0")
        yield name


@pytest.fixture(scope="module")
def shared_crawler(transport: str) -> Iterator[WebCrawler]:
    """One blocking crawler per test module and transport (drivers are expensive to start)."""
    with WebCrawler(config=BrowserConfig()) as crawler:
        yield crawler


@pytest.fixture
async def acrawler(transport: str) -> AsyncIterator[AsyncWebCrawler]:
    """A fresh asyncio crawler for one test."""
    async with AsyncWebCrawler(config=BrowserConfig()) as crawler:
        yield crawler


@contextlib.contextmanager
def bare_chromedriver() -> Iterator[str]:
    """A plain ``chromedriver --port=N`` on 127.0.0.1 (the smallest W3C WebDriver server),
    its URL once it is ready.

    It runs with a TMPDIR of its own, removed after it has ended together with anything
    still writing there: a Chromium it starts puts its ``org.chromium.Chromium.*``
    singleton directory under TMPDIR, and with the system's it stayed in /tmp after every
    test run (two per ``make test``, one per test using this).
    """
    binary = find_driver(BrowserConfig(), use_manager=False)
    if binary is None:
        pytest.skip("chromedriver is not installed (apt-get install chromium-driver)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    temp_dir = tempfile.mkdtemp(prefix="sc-bare-")
    process = subprocess.Popen(
        [binary, f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TMPDIR": temp_dir},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "/status", timeout=1) as response:
                    if json.load(response)["value"]["ready"]:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)  # polling a starting server's status endpoint
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        strays = reaper.strays({temp_dir})
        procs.kill_all(sorted(strays))
        reaper.remove_dirs({temp_dir}, strays)


@pytest.fixture
def chromedriver_url() -> Iterator[str]:
    """A bare chromedriver for one test (see :func:`bare_chromedriver`)."""
    with bare_chromedriver() as url:
        yield url


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free 127.0.0.1 port (no persistence, a temporary
    directory), stopped at teardown; the test is skipped when redis-server is missing."""
    if not redis_available():
        pytest.skip("redis-server missing (make system-deps installs it)")
    with RedisServer() as server:
        yield server
