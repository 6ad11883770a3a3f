"""Crawl4AI's import path for the configuration classes."""

from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig

__all__ = ["BrowserConfig", "CrawlerRunConfig"]
