"""Crawl4AI's import path for its scraping strategies, accepted for ported code.

seleniumcrawl has one scraper (one lxml parse through BeautifulSoup per page; see
``seleniumcrawl.content.scraping``). ``CrawlerRunConfig(scraping_strategy=...)`` takes
these classes so Crawl4AI code runs unchanged; they select nothing.
"""

from __future__ import annotations


class ContentScrapingStrategy:
    """Base of Crawl4AI's scraping strategies (here: a marker; the scraper is fixed)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))


class WebScrapingStrategy(ContentScrapingStrategy):
    """Crawl4AI's default scraper; here the one scraper runs."""


class LXMLWebScrapingStrategy(WebScrapingStrategy):
    """Crawl4AI's lxml scraper; here the one scraper (lxml-based already) runs."""


__all__ = ["ContentScrapingStrategy", "LXMLWebScrapingStrategy", "WebScrapingStrategy"]
