"""Extraction and page content from live, JS-rendered pages of the demo site."""

from __future__ import annotations

import json

import pytest

from seleniumcrawl import (
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    JsonXPathExtractionStrategy,
    WebCrawler,
)
from seleniumcrawl.demo.site import DemoSite

pytestmark = pytest.mark.usefixtures("transport")

CSS_SCHEMA = {
    "name": "commits",
    "baseSelector": "li.commit-item",
    "baseFields": [{"name": "page", "type": "attribute", "attribute": "data-page"}],
    "fields": [
        {"name": "title", "selector": "h4.markdown-title", "type": "text"},
        {"name": "link", "selector": "a.commit-link", "type": "attribute", "attribute": "href"},
        {
            "name": "sha",
            "selector": "a.commit-link",
            "type": ["attribute", "regex"],
            "attribute": "href",
            "pattern": r"/commit/([0-9a-f]+)",
        },
    ],
}

XPATH_SCHEMA = {
    "name": "commits",
    "baseSelector": "//li[contains(@class, 'commit-item')]",
    "fields": [{"name": "title", "selector": ".//h4", "type": "text"}],
}


def test_css_schema_extracts_js_rendered_items(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """Items rendered by JavaScript are extracted with attributes, pipelines and baseFields."""
    result = shared_crawler.run(
        site.url("/commits"),
        CrawlerRunConfig(
            wait_for="css:li.commit-item",
            extraction_strategy=JsonCssExtractionStrategy(CSS_SCHEMA),
        ),
    )
    assert result.success, result.error_message
    items = json.loads(result.extracted_content or "[]")
    assert len(items) == 10
    assert {item["page"] for item in items} == {"1"}
    assert all(item["link"].endswith(item["sha"]) for item in items)


def test_xpath_schema_gives_the_same_titles(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """The XPath strategy extracts the same titles from the live page as the CSS one."""
    config = CrawlerRunConfig(wait_for="css:li.commit-item")
    css = shared_crawler.run(
        site.url("/commits"),
        config.clone(extraction_strategy=JsonCssExtractionStrategy(CSS_SCHEMA)),
    )
    xpath = shared_crawler.run(
        site.url("/commits"),
        config.clone(extraction_strategy=JsonXPathExtractionStrategy(XPATH_SCHEMA)),
    )
    titles = [i["title"] for i in json.loads(css.extracted_content or "[]")]
    assert [i["title"] for i in json.loads(xpath.extracted_content or "[]")] == titles


def test_page_content_links_media_metadata_markdown(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """The index page gives internal/external links, images, metadata and markdown."""
    result = shared_crawler.run(site.url("/"))
    assert result.success
    internal = {link["href"] for link in result.links["internal"]}
    assert site.url("/commits") in internal and site.url("/login") in internal
    assert any("example.com" in link["href"] for link in result.links["external"])
    assert result.media["images"] and result.media["images"][0]["src"].startswith(
        "http://127.0.0.1"
    )
    assert result.metadata["title"] and result.metadata["description"]
    assert any(key.startswith("og:") for key in result.metadata)
    assert result.markdown and "](" + site.url("/commits") in result.markdown
    assert "<script" not in (result.cleaned_html or "")
    narrowed = shared_crawler.run(
        site.url("/"), CrawlerRunConfig(css_selector="a", exclude_external_links=True)
    )
    assert narrowed.links["external"] == []
    assert "<h1" not in narrowed.html
