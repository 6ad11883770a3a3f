"""Crawl4AI docs, core/content-selection.md: the examples of sections 1.1, 1.2, 2.2, 4.1, 7.

Each example is the documentation's code with ``crawl4ai`` changed to ``seleniumcrawl``
and the URL pointed at a page of ``pages/``; the assertions check what the text around
the example says it does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import soupsieve as sv
from bs4 import BeautifulSoup

from seleniumcrawl import AsyncWebCrawler, CacheMode, CrawlerRunConfig, JsonCssExtractionStrategy

from .conftest import PAGES


async def test_1_1_css_selector(pages_url: Callable[[str], str]) -> None:
    """1.1: "Only elements matching that selector remain in result.cleaned_html"."""
    config = CrawlerRunConfig(
        # e.g., first 30 items from Hacker News
        css_selector=".athing:nth-child(-n+30)"
    )
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("hn.html"), config=config)
        print("Partial HTML length:", len(result.cleaned_html))  # type: ignore[arg-type]

    page = BeautifulSoup((PAGES / "hn.html").read_text(), "lxml")
    wanted = [row["id"] for row in sv.select(".athing:nth-child(-n+30)", page)]
    assert 0 < len(wanted) < len(sv.select(".athing", page))
    kept = re.findall(r'<tr class="athing" id="(\d+)"', result.cleaned_html or "")
    assert kept == wanted
    assert "points" not in (result.cleaned_html or "")  # the subtext rows did not match
    assert "Hacker News" not in (result.cleaned_html or "")


async def test_1_2_target_elements(pages_url: Callable[[str], str]) -> None:
    """1.2: markdown focuses on the target elements; "Links from entire page still available"."""
    config = CrawlerRunConfig(
        # Target article body and sidebar, but not other content
        target_elements=["article.main-content", "aside.sidebar"]
    )
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("blog-post.html"), config=config)
        print("Markdown focused on target elements")
        print("Links from entire page still available:", len(result.links.get("internal", [])))

    markdown = result.markdown or ""
    assert "night train leaves the capital" in markdown and "Packing list" in markdown
    assert "Archive" not in markdown and "Written by Ana" not in markdown
    assert "Ferries of the north" not in markdown
    internal = {link["href"].rsplit("/", 1)[-1] for link in result.links["internal"]}
    # Links outside the targets (nav, related box, footer) are still reported.
    assert {"archive.html", "ferries.html", "contact.html", "timetable.html"} <= internal


async def test_2_2_filtering_example(pages_url: Callable[[str], str]) -> None:
    """2.2: css_selector, word_count_threshold, excluded tags and the link and image filters
    together, as explained in 2.1."""
    config = CrawlerRunConfig(
        css_selector="main.content",
        word_count_threshold=10,
        excluded_tags=["nav", "footer"],
        exclude_external_links=True,
        exclude_social_media_links=True,
        exclude_domains=["ads.com", "spammytrackers.net"],
        exclude_external_images=True,
        cache_mode=CacheMode.BYPASS,
    )

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("news.html"), config=config)
        print("Cleaned HTML length:", len(result.cleaned_html))  # type: ignore[arg-type]

    cleaned = result.cleaned_html or ""
    assert result.success and cleaned
    assert "morning ferry to the islands" in cleaned  # a long block stays
    assert "Short note" not in cleaned  # "Ignores text blocks under X words"
    assert "Front page" not in cleaned and "Imprint" not in cleaned
    assert result.links["external"] == []
    assert all("twitter" not in link["href"] for link in result.links["internal"])
    assert [img["src"].rsplit("/", 1)[-1] for img in result.media["images"]] == ["ferry.jpg"]


async def test_4_1_json_css_with_css_selector(pages_url: Callable[[str], str]) -> None:
    """4.1: JsonCss on the css_selector's part of the page; prints a sample item."""
    # Minimal schema for repeated items
    schema = {
        "name": "News Items",
        "baseSelector": "tr.athing",
        "fields": [
            {"name": "title", "selector": "span.titleline a", "type": "text"},
            {
                "name": "link",
                "selector": "span.titleline a",
                "type": "attribute",
                "attribute": "href",
            },
        ],
    }

    config = CrawlerRunConfig(
        # Content filtering
        excluded_tags=["form", "header"],
        exclude_domains=["adsite.com"],
        # CSS selection or entire page
        css_selector="table.itemlist",
        # No caching for demonstration
        cache_mode=CacheMode.BYPASS,
        # Extraction strategy
        extraction_strategy=JsonCssExtractionStrategy(schema),
    )

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("hn.html"), config=config)
        data = json.loads(result.extracted_content)  # type: ignore[arg-type]
        print("Sample extracted item:", data[:1])  # Show first item

    assert data[:1] == [{"title": "Story number 1", "link": "https://story1.example/post"}]
    assert len(data) == 40
    every = [link["href"] for kind in ("internal", "external") for link in result.links[kind]]
    assert not any("adsite.com" in href for href in every)  # outside the selection anyway


async def test_7_combining_selection_methods(pages_url: Callable[[str], str]) -> None:
    """7: "Content focuses on specific elements, but all links still analyzed"; filters
    (excluded tags, external links) apply to the whole page."""
    config = CrawlerRunConfig(
        # Focus markdown on main content and sidebar
        target_elements=["#main-content", ".sidebar"],
        # Global filters applied to entire page
        excluded_tags=["nav", "footer", "header"],
        exclude_external_links=True,
        # Use basic content thresholds
        word_count_threshold=15,
        cache_mode=CacheMode.BYPASS,
    )

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("blog-post.html"), config=config)

        print("Content focuses on specific elements, but all links still analyzed")
        print(f"Internal links: {len(result.links.get('internal', []))}")
        print(f"External links: {len(result.links.get('external', []))}")

    markdown = result.markdown or ""
    assert "whole working day is saved" in markdown and "earplugs" in markdown
    assert "Ferries of the north" not in markdown and "Archive" not in markdown
    internal = {link["href"].rsplit("/", 1)[-1] for link in result.links["internal"]}
    assert {"timetable.html", "ferries.html"} <= internal  # outside the targets, still there
    assert "archive.html" not in internal  # inside <nav>, removed for the whole page
    assert result.links["external"] == []
