"""Crawl4AI's import path for the extraction strategies (``seleniumcrawl.content.extraction``)."""

from seleniumcrawl.content.extraction import (
    ExtractionStrategy,
    JsonCssExtractionStrategy,
    JsonXPathExtractionStrategy,
)

__all__ = ["ExtractionStrategy", "JsonCssExtractionStrategy", "JsonXPathExtractionStrategy"]
