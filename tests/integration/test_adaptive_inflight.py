"""Adaptive pages in flight against a real Chromium: the pool's cap holds, a slow site
does not starve a fast one, and the crawler reports what it chose."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler


class CountingServer(ThreadingHTTPServer):
    """Pages that answer after ``?ms=`` milliseconds; counts the requests in progress."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.released = threading.Event()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: CountingServer

    def do_GET(self) -> None:
        if self.path.startswith("/favicon"):
            self.send_error(404)
            return
        with self.server.lock:
            self.server.active += 1
            self.server.peak = max(self.server.peak, self.server.active)
        try:
            ms = int(self.path.split("ms=")[1].split("&")[0]) if "ms=" in self.path else 0
            self.server.released.wait(ms / 1000)  # the server's own delay, not a test wait
            body = f"<html><body><p>page {self.path} answered</p></body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with self.server.lock:
                self.server.active -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def counting() -> Iterator[CountingServer]:
    server = CountingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.released.set()
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_pool_cap_holds_and_stats_report_the_choice(counting: CountingServer) -> None:
    """With no semaphore_count, run_many keeps at most max_drivers x max_pages_per_driver
    pages in flight at the server, and crawler.stats() reports the adaptive choice."""
    urls = [counting.url(f"/slow?ms=300&n={i}") for i in range(18)]
    with WebCrawler(BrowserConfig(max_drivers=1, max_pages_per_driver=3)) as crawler:
        results = crawler.run_many(urls)
        assert all(r.success for r in results)
        stats = crawler.stats()["concurrency"]
    assert counting.peak <= 3
    assert stats["adaptive"] is True and stats["cap"] == 3
    assert 1 <= stats["current"] <= 3 and stats["reason"]


def test_a_fixed_semaphore_count_is_not_adapted(counting: CountingServer) -> None:
    """semaphore_count is the user's fixed number: the crawler says no run adapted."""
    with WebCrawler(BrowserConfig(max_drivers=1, max_pages_per_driver=2)) as crawler:
        urls = [counting.url(f"/page?n={i}") for i in range(4)]
        assert all(r.success for r in crawler.run_many(urls, CrawlerRunConfig(semaphore_count=2)))
        assert crawler.stats()["concurrency"]["adaptive"] is False
    assert counting.peak <= 2


def test_a_slow_site_does_not_starve_a_fast_one(counting: CountingServer) -> None:
    """Two pages of a site that takes 20 s hold two places; the fast site's ten pages are
    all crawled while they wait (a stalled page stops counting against the limit)."""
    slow = [counting.url(f"/slow?ms=20000&n={i}") for i in range(2)]
    fast = [counting.url(f"/fast?n={i}").replace("127.0.0.1", "localhost") for i in range(10)]
    with WebCrawler(BrowserConfig(max_drivers=1, max_pages_per_driver=4)) as crawler:
        started = time.monotonic()
        stream = crawler.run_many(slow + fast, CrawlerRunConfig(stream=True))
        seen = []
        for result in stream:
            seen.append(result.url)
            if all(url in seen for url in fast):
                break
        fast_done = time.monotonic() - started
        counting.released.set()  # let the slow pages answer now
        for result in stream:
            seen.append(result.url)
    assert fast_done < 20, "the fast pages waited for the slow site"
    assert sorted(seen) == sorted(slow + fast)
