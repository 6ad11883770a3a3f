"""Crawl4AI's import path for the configuration classes (and ``CacheMode``, as there)."""

from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig

__all__ = ["BrowserConfig", "CacheMode", "CrawlerRunConfig"]
