"""Crawl4AI's import path for the configuration classes."""

from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.virtual_scroll import VirtualScrollConfig

__all__ = ["BrowserConfig", "CrawlerRunConfig", "VirtualScrollConfig"]
