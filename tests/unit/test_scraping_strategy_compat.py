"""CrawlerRunConfig.scraping_strategy: Crawl4AI's classes accepted, anything else refused."""

from __future__ import annotations

import pytest

from seleniumcrawl import CrawlerRunConfig
from seleniumcrawl.content_scraping_strategy import LXMLWebScrapingStrategy, WebScrapingStrategy


def test_crawl4ai_strategies_accepted_and_hashable() -> None:
    """Both of Crawl4AI's scrapers are accepted; equal configs stay equal and hashable."""
    a = CrawlerRunConfig(scraping_strategy=LXMLWebScrapingStrategy())
    b = CrawlerRunConfig(scraping_strategy=LXMLWebScrapingStrategy())
    assert a == b and hash(a) == hash(b)
    assert CrawlerRunConfig(scraping_strategy=WebScrapingStrategy()).scraping_strategy


def test_other_values_refused() -> None:
    """A value that is not a scraping strategy raises TypeError naming the field."""
    with pytest.raises(TypeError, match="scraping_strategy"):
        CrawlerRunConfig(scraping_strategy="lxml")
