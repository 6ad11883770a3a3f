"""Crawl4AI's import path for the content filters of ``fit_markdown``."""

from seleniumcrawl.content.filters import (
    BM25ContentFilter,
    PruningContentFilter,
    RelevantContentFilter,
)

__all__ = ["BM25ContentFilter", "PruningContentFilter", "RelevantContentFilter"]
