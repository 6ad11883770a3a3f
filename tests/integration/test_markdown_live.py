"""fit_markdown on a live JavaScript-rendered page of the demo site, in a real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from seleniumcrawl import (
    AsyncWebCrawler,
    BM25ContentFilter,
    BrowserConfig,
    CacheMode,
    CrawlerRunConfig,
    DefaultMarkdownGenerator,
    PruningContentFilter,
    WebCrawler,
)
from seleniumcrawl.demo.site import DemoSite
from tests.integration.test_cli import run_cli

pytestmark = pytest.mark.usefixtures("transport")

RENDERED = "css:#story[data-rendered]"
CHROME = [
    "Catalogue",  # navigation
    "We use cookies",  # cookie banner
    "Accept all cookies",
    "old_salt",  # comments
    "east pier every morning",
    "Popular posts",  # sidebar
    "Ten knots you should know",
    "Made for the seleniumcrawl demo",  # footer
]


def test_fit_markdown_keeps_the_rendered_article_and_drops_the_chrome(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """The JS-rendered article, with its list, code and table, is all fit_markdown holds."""
    result = shared_crawler.run(site.url("/article"), CrawlerRunConfig(wait_for=RENDERED))
    assert result.success, result.error_message
    markdown = result.markdown
    assert markdown is not None
    for chrome in CHROME:  # the page really has them: the raw markdown shows each
        assert chrome in markdown
    fit = markdown.fit_markdown
    assert fit.startswith("# How the tide gauge works\n\nThe tide gauge at the end of the east")
    assert "## From sensor to noticeboard" in fit
    assert "1. A radar sensor above the well" in fit
    assert (
        '```python\nheight = datum_offset - distance_to_surface\nprint(f"{height:.2f} m")\n```'
        in fit
    )
    assert "| High water | 5.42 m |" in fit
    assert fit.endswith("where they are updated every ten minutes.")
    for chrome in CHROME:
        assert chrome not in fit
    assert "<h1>How the tide gauge works</h1>" in markdown.fit_html
    assert "cookie" not in markdown.fit_html


async def test_crawl4ai_style_filters_through_the_async_crawler(site: DemoSite) -> None:
    """Crawl4AI's code shape: a generator with a filter in the run config, async crawler."""
    bm25 = DefaultMarkdownGenerator(
        content_filter=BM25ContentFilter(user_query="radar sensor logger readings")
    )
    pruning = DefaultMarkdownGenerator(content_filter=PruningContentFilter(threshold=0.48))
    async with AsyncWebCrawler(config=BrowserConfig(headless=True)) as crawler:
        session = "markdown-filters"
        queried = await crawler.arun(
            url=site.url("/article"),
            config=CrawlerRunConfig(session_id=session, wait_for=RENDERED, markdown_generator=bm25),
        )
        pruned = await crawler.arun(
            url=site.url("/article"),
            config=CrawlerRunConfig(session_id=session, js_only=True, markdown_generator=pruning),
        )
    assert queried.success and pruned.success
    assert queried.markdown is not None and pruned.markdown is not None
    narrowed = queried.markdown.fit_markdown
    assert "A radar sensor above the well" in narrowed
    assert "since 1911" not in narrowed and "Catalogue" not in narrowed
    assert "The tide gauge at the end of the east pier" in pruned.markdown.fit_markdown
    assert "Catalogue" not in pruned.markdown.fit_markdown  # nav is removed before pruning
    assert pruned.markdown.raw_markdown == str(pruned.markdown)


def test_cached_result_rebuilds_the_markdown_result(site: DemoSite, tmp_path: Path) -> None:
    """A cache hit gives the same markdown and fit_markdown as the crawl that wrote it."""
    config = CrawlerRunConfig(wait_for=RENDERED, cache_mode=CacheMode.ENABLED)
    with WebCrawler(config=BrowserConfig(), base_directory=tmp_path) as crawler:
        first = crawler.run(site.url("/article"), config)
        again = crawler.run(site.url("/article"), config)
    assert first.success and again.success and again.cache_status == "hit"
    assert first.markdown is not None and again.markdown is not None
    assert again.markdown == first.markdown
    assert again.markdown.fit_markdown == first.markdown.fit_markdown
    assert again.markdown.fit_markdown.startswith("# How the tide gauge works")


def test_cli_fit_prints_the_main_content(site: DemoSite) -> None:
    """`crawl URL --output markdown --fit` prints fit_markdown: the article, no chrome."""
    completed = run_cli(
        "crawl", site.url("/article"), "--wait-for", RENDERED, "--output", "markdown", "--fit"
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("# How the tide gauge works\n")
    assert "| High water | 5.42 m |" in completed.stdout
    for chrome in CHROME:
        assert chrome not in completed.stdout
