"""advanced/file-downloading.md and advanced/multi-url-crawling.md, ported (see README.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seleniumcrawl import AsyncWebCrawler
from seleniumcrawl.async_configs import BrowserConfig, CrawlerRunConfig


async def test_location_and_accessing_downloaded_files(pages_url, tmp_path, monkeypatch, capsys):
    """ "Specifying Download Location" + "Accessing Downloaded Files": a crawl that
    downloads nothing says so; the directory made for it is where files would go."""
    monkeypatch.chdir(tmp_path)
    downloads_path = os.path.join(os.getcwd(), "my_downloads")  # Custom download path
    os.makedirs(downloads_path, exist_ok=True)

    config = BrowserConfig(accept_downloads=True, downloads_path=downloads_path)

    async with AsyncWebCrawler(config=config) as crawler:
        result = await crawler.arun(url=pages_url("downloads.html"))

    if result.downloaded_files:
        print("Downloaded files:")
        for file_path in result.downloaded_files:
            print(f"- {file_path}")
            file_size = os.path.getsize(file_path)
            print(f"- File size: {file_size} bytes")
    else:
        print("No files downloaded.")
    assert result.success
    assert result.downloaded_files == []
    assert "No files downloaded." in capsys.readouterr().out
    assert config.downloads_path == str(tmp_path / "my_downloads")


@pytest.mark.xfail(
    strict=True,
    raises=TypeError,
    reason="wait_for=10 (a number of seconds): seleniumcrawl's wait_for takes a condition "
    "string (css:/js:), and a crawl already waits for the downloads it started",
)
async def test_downloading_multiple_files(pages_url, tmp_path):
    """ "Example: Downloading Multiple Files": every a[download] clicked, each file listed."""
    listed = []

    async def download_multiple_files(url: str, download_path: str) -> None:
        config = BrowserConfig(accept_downloads=True, downloads_path=download_path)
        async with AsyncWebCrawler(config=config) as crawler:
            run_config = CrawlerRunConfig(
                js_code="""
                const downloadLinks = document.querySelectorAll('a[download]');
                for (const link of downloadLinks) {
                    link.click();
                    // Delay between clicks
                    await new Promise(r => setTimeout(r, 2000));
                }
            """,
                wait_for=10,  # type: ignore[arg-type]  # Wait for all downloads to start
            )
            result = await crawler.arun(url=url, config=run_config)

            if result.downloaded_files:
                print("Downloaded files:")
                for file in result.downloaded_files:
                    print(f"- {file}")
                    listed.append(file)
            else:
                print("No files downloaded.")

    download_path = os.path.join(tmp_path, ".crawl4ai", "downloads")
    os.makedirs(download_path, exist_ok=True)
    await download_multiple_files(pages_url("downloads.html"), download_path)
    assert sorted(os.path.basename(f) for f in listed) == ["checksums.txt", "release-notes.txt"]


async def test_downloading_multiple_files_without_wait_for(pages_url, tmp_path):
    """The same example with its wait_for=10 left out (the one change): both files are
    downloaded and listed, with their bytes."""
    listed = []

    async def download_multiple_files(url: str, download_path: str) -> None:
        config = BrowserConfig(accept_downloads=True, downloads_path=download_path)
        async with AsyncWebCrawler(config=config) as crawler:
            run_config = CrawlerRunConfig(
                js_code="""
                const downloadLinks = document.querySelectorAll('a[download]');
                for (const link of downloadLinks) {
                    link.click();
                    // Delay between clicks
                    await new Promise(r => setTimeout(r, 2000));
                }
            """,
            )
            result = await crawler.arun(url=url, config=run_config)

            if result.downloaded_files:
                print("Downloaded files:")
                for file in result.downloaded_files:
                    print(f"- {file}")
                    listed.append(file)
            else:
                print("No files downloaded.")

    download_path = os.path.join(tmp_path, ".crawl4ai", "downloads")
    os.makedirs(download_path, exist_ok=True)
    await download_multiple_files(pages_url("downloads.html"), download_path)
    assert sorted(os.path.basename(f) for f in listed) == ["checksums.txt", "release-notes.txt"]
    pages = Path(__file__).parent / "pages" / "files"
    for file in listed:
        assert Path(file).read_bytes() == (pages / os.path.basename(file)).read_bytes()


@pytest.mark.xfail(
    strict=True,
    raises=ImportError,
    reason="CrawlerMonitor and DisplayMode (Crawl4AI's terminal dashboard) are not offered",
)
async def test_multi_url_4_3_semaphore_based_crawling(pages_url):
    """multi-url-crawling.md 4.3: SemaphoreDispatcher with a RateLimiter and a monitor."""
    from seleniumcrawl import (
        CacheMode,
        CrawlerMonitor,
        DisplayMode,
        RateLimiter,
        SemaphoreDispatcher,
    )

    async def crawl_with_semaphore(urls):
        browser_config = BrowserConfig(headless=True, verbose=False)
        run_config = CrawlerRunConfig(cache_mode=CacheMode.BYPASS)

        dispatcher = SemaphoreDispatcher(
            semaphore_count=5,
            rate_limiter=RateLimiter(base_delay=(0.5, 1.0), max_delay=10.0),
            monitor=CrawlerMonitor(max_visible_rows=15, display_mode=DisplayMode.DETAILED),
        )

        async with AsyncWebCrawler(config=browser_config) as crawler:
            results = await crawler.arun_many(urls, config=run_config, dispatcher=dispatcher)
            return results

    results = await crawl_with_semaphore([pages_url("hn.html"), pages_url("news.html")])
    assert all(r.success for r in results)
