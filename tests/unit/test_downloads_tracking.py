"""A crawl's download bookkeeping (CrawlDownloads) without a browser: the browser's
events and the script's report of the downloads it started may arrive in either order."""

from __future__ import annotations

import time

import pytest

from seleniumcrawl.browser.downloads import CrawlDownloads, DownloadWatcher


def _tracked() -> tuple[DownloadWatcher, CrawlDownloads]:
    watcher = DownloadWatcher("/tmp/unused")
    return watcher, watcher.track("tab-1")


def test_a_download_announced_before_the_script_reports_it_is_not_awaited_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Event first, then expect(): finish returns at once with the file and warns of nothing
    (the classic path's CDP event can beat the script's answer)."""
    watcher, crawl = _tracked()
    before = crawl.began
    watcher._on_cdp_begin({"frameId": "tab-1", "guid": "g1", "suggestedFilename": "a.bin"})
    watcher._on_cdp_progress({"guid": "g1", "state": "completed", "filePath": "/d/a.bin"})
    crawl.expect(1, since=before)
    started = time.monotonic()
    assert crawl.finish(timeout=5) == ["/d/a.bin"]
    assert time.monotonic() - started < 1
    assert "never began" not in caplog.text


def test_a_download_reported_before_the_browser_announces_it_is_awaited() -> None:
    """expect() first: finish waits until the download began and ended, then returns it."""
    watcher, crawl = _tracked()
    crawl.expect(1, since=crawl.began)
    watcher._on_bidi_begin({"context": "tab-1", "navigation": "n1", "suggestedFilename": "b"})
    watcher._on_bidi_end({"navigation": "n1", "status": "complete", "filepath": "/d/b"})
    assert crawl.finish(timeout=5) == ["/d/b"]


def test_a_reported_download_that_never_begins_is_logged_after_the_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two reported, one announced: finish waits out its timeout and logs the missing one."""
    watcher, crawl = _tracked()
    crawl.expect(2, since=crawl.began)
    watcher._on_cdp_begin({"frameId": "tab-1", "guid": "g1", "suggestedFilename": "a"})
    watcher._on_cdp_progress({"guid": "g1", "state": "completed", "filePath": "/d/a"})
    assert crawl.finish(timeout=0.2) == ["/d/a"]
    assert "1 download(s) asked for by js_code never began" in caplog.text
