"""Crawl4AI's import path for the extraction strategies (``seleniumcrawl.content.extraction``)."""

from seleniumcrawl.content.extraction import (
    ExtractionStrategy,
    JsonCssExtractionStrategy,
    JsonLxmlExtractionStrategy,
    JsonXPathExtractionStrategy,
    RegexExtractionStrategy,
)

__all__ = [
    "ExtractionStrategy",
    "JsonCssExtractionStrategy",
    "JsonLxmlExtractionStrategy",
    "JsonXPathExtractionStrategy",
    "RegexExtractionStrategy",
]
