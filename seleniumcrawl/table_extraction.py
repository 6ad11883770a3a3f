"""Crawl4AI's import path for the table strategies behind ``result.tables``."""

from seleniumcrawl.content.tables import (
    DefaultTableExtraction,
    NoTableExtraction,
    TableExtractionStrategy,
)

__all__ = ["DefaultTableExtraction", "NoTableExtraction", "TableExtractionStrategy"]
