"""result.tables on a live page of the demo site, in a real Chromium (SPEC 25)."""

from __future__ import annotations

import pytest

from seleniumcrawl import CrawlerRunConfig, DefaultTableExtraction, NoTableExtraction, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from tests.docs_examples import runnable_blocks

pytestmark = pytest.mark.usefixtures("transport")

RENDERED = "css:#story[data-rendered]"


def test_the_table_a_script_renders_is_in_result_tables(
    shared_crawler: WebCrawler, site: DemoSite
) -> None:
    """The article's JS-built table comes back as headers + rows; it scores 7, so a
    threshold of 8 (config or strategy) or NoTableExtraction leave result.tables empty."""
    url = site.url("/article")
    result = shared_crawler.run(url, CrawlerRunConfig(wait_for=RENDERED))
    assert result.success, result.error_message
    assert [(t["headers"], t["rows"]) for t in result.tables] == [
        (["Reading", "Height"], [["High water", "5.42 m"], ["Low water", "0.61 m"]])
    ]
    assert result.tables[0]["metadata"]["has_headers"] is True
    for config in (
        CrawlerRunConfig(wait_for=RENDERED, table_score_threshold=8),
        CrawlerRunConfig(
            wait_for=RENDERED, table_extraction=DefaultTableExtraction(table_score_threshold=8)
        ),
        CrawlerRunConfig(wait_for=RENDERED, table_extraction=NoTableExtraction()),
    ):
        other = shared_crawler.run(url, config)
        assert other.success, other.error_message
        assert other.tables == []


def test_the_docs_examples_run(site: DemoSite, capsys: pytest.CaptureFixture[str]) -> None:
    """Every runnable example of docs/content-quality.md runs against the demo site and
    prints what the page says it prints."""
    blocks = runnable_blocks("docs/content-quality.md")
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, "docs/content-quality.md", "exec"), {"base": site.url("/").rstrip("/")})
    assert capsys.readouterr().out.splitlines() == [
        "# How the tide gauge works",
        "True False",
        "['Reading', 'Height'] [['High water', '5.42 m'], ['Low water', '0.61 m']]",
        "2 2",
        "Census ['City', 'Population 2011', 'Population 2021']",
        "['Lyon', '491,268', '522,250']",
        "[]",
    ]
