"""Downloads: BrowserConfig(accept_downloads=True, downloads_path=...) -> downloaded_files."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite, download_bytes

pytestmark = pytest.mark.usefixtures("transport")


def _click(selector: str) -> str:
    return f"document.querySelector('{selector}').click();"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "downloads"
    path.mkdir()
    return path


@pytest.fixture
def dl_crawler(folder: Path) -> Iterator[WebCrawler]:
    with WebCrawler(config=BrowserConfig(accept_downloads=True, downloads_path=str(folder))) as c:
        yield c


def test_clicked_download_is_in_downloaded_files(
    dl_crawler: WebCrawler, site: DemoSite, folder: Path
) -> None:
    """A js_code click on an attachment link: the file is saved and listed, bytes intact."""
    result = dl_crawler.run(
        site.url("/downloads"), config=CrawlerRunConfig(js_code=_click("#report"))
    )
    assert result.success, result.error_message
    assert result.downloaded_files == [str(folder / "report.csv")]
    path = Path(result.downloaded_files[0])
    assert path.is_absolute()
    assert path.read_bytes() == download_bytes("report.csv")


def test_download_attribute_link(
    dl_crawler: WebCrawler, site: DemoSite, folder: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An <a download> click (no navigation) is waited for too; 64 KiB arrive whole; the
    download counts as begun whichever comes first, the browser's event or the script's
    answer (no 'never began' wait)."""
    result = dl_crawler.run(
        site.url("/downloads"), config=CrawlerRunConfig(js_code=_click("#data"))
    )
    assert result.success, result.error_message
    assert result.downloaded_files == [str(folder / "data.bin")]
    assert (folder / "data.bin").read_bytes() == download_bytes("data.bin", 65536)
    assert "never began" not in caplog.text


def test_no_download_gives_empty_list(dl_crawler: WebCrawler, site: DemoSite) -> None:
    """A sessionless crawl that downloads nothing gets [] (not None) with downloads on."""
    result = dl_crawler.run(site.url("/downloads"))
    assert result.success, result.error_message
    assert result.downloaded_files == []


def test_navigating_to_a_download_url(dl_crawler: WebCrawler, site: DemoSite, folder: Path) -> None:
    """A crawl of a URL that is itself a download succeeds and lists the file."""
    result = dl_crawler.run(site.url("/download/direct.txt"))
    assert result.success, result.error_message
    assert result.downloaded_files == [str(folder / "direct.txt")]
    assert (folder / "direct.txt").read_bytes() == download_bytes("direct.txt")


def test_session_steps_each_get_their_own_files(
    dl_crawler: WebCrawler, site: DemoSite, folder: Path
) -> None:
    """In a session, each step lists only the files that finished during that step."""
    first = dl_crawler.run(
        site.url("/downloads"), config=CrawlerRunConfig(session_id="dl", js_code=_click("#report"))
    )
    second = dl_crawler.run(
        site.url("/downloads"),
        config=CrawlerRunConfig(session_id="dl", js_only=True, js_code=_click("#notes")),
    )
    third = dl_crawler.run(
        site.url("/downloads"), config=CrawlerRunConfig(session_id="dl", js_only=True)
    )
    assert first.downloaded_files == [str(folder / "report.csv")]
    assert second.downloaded_files == [str(folder / "notes.txt")]
    assert third.downloaded_files == []


async def test_concurrent_crawls_get_only_their_own_file(
    site: DemoSite, folder: Path, transport: str
) -> None:
    """Two crawls at once on one browser: each result lists only the file it downloaded."""
    config = BrowserConfig(accept_downloads=True, downloads_path=str(folder), max_drivers=1)
    async with AsyncWebCrawler(config=config) as crawler:
        a, b = await asyncio.gather(
            crawler.arun(
                site.url("/downloads"), config=CrawlerRunConfig(js_code=_click("#report"))
            ),
            crawler.arun(site.url("/downloads"), config=CrawlerRunConfig(js_code=_click("#notes"))),
        )
        if transport == "bidi":
            assert len(crawler.crawler_strategy.pool.drivers()) == 1
    assert a.downloaded_files == [str(folder / "report.csv")]
    assert b.downloaded_files == [str(folder / "notes.txt")]
    assert sorted(os.listdir(folder)) == ["notes.txt", "report.csv"]


def test_unfinished_download_is_logged_not_listed(
    dl_crawler: WebCrawler, site: DemoSite, caplog: pytest.LogCaptureFixture
) -> None:
    """A download still running at page_timeout is left out and named in the log."""
    caplog.set_level(logging.WARNING, logger="seleniumcrawl")
    result = dl_crawler.run(
        site.url("/downloads"),
        config=CrawlerRunConfig(js_code=_click("#stalled"), page_timeout=1500),
    )
    assert result.success, result.error_message
    assert result.downloaded_files == []
    assert any(
        "stalled.bin" in r.getMessage() and "did not finish" in r.getMessage()
        for r in caplog.records
    )


def test_downloads_off_gives_none(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """Without accept_downloads, downloaded_files is None."""
    result = shared_crawler.run(site.url("/downloads"))
    assert result.success, result.error_message
    assert result.downloaded_files is None


def test_default_downloads_path(
    site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without downloads_path, files go to $SELENIUMCRAWL_HOME/downloads (created)."""
    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path / "home"))
    with WebCrawler(config=BrowserConfig(accept_downloads=True)) as crawler:
        result = crawler.run(
            site.url("/downloads"), config=CrawlerRunConfig(js_code=_click("#report"))
        )
    expected = tmp_path / "home" / "downloads" / "report.csv"
    assert result.downloaded_files == [str(expected)]
    assert expected.read_bytes() == download_bytes("report.csv")


def test_isolated_session_downloads(dl_crawler: WebCrawler, site: DemoSite, folder: Path) -> None:
    """An isolated session (a BiDi user context, or a driver of its own) downloads too."""
    config = CrawlerRunConfig(session_id="iso", session_isolation=True, js_code=_click("#notes"))
    result = dl_crawler.run(site.url("/downloads"), config=config)
    assert result.success, result.error_message
    assert result.downloaded_files == [str(folder / "notes.txt")]


def test_same_name_twice_replaces(dl_crawler: WebCrawler, site: DemoSite, folder: Path) -> None:
    """A second file of the same name replaces the first (as Crawl4AI's save_as does); each
    crawl lists it."""
    config = CrawlerRunConfig(js_code=_click("#report"))
    first = dl_crawler.run(site.url("/downloads"), config=config)
    second = dl_crawler.run(site.url("/downloads"), config=config)
    assert first.downloaded_files == second.downloaded_files == [str(folder / "report.csv")]
    assert os.listdir(folder) == ["report.csv"]
    assert (folder / "report.csv").read_bytes() == download_bytes("report.csv")
