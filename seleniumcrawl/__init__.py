"""seleniumcrawl: a Selenium-based crawler with persistent sessions and Crawl4AI's API."""

from __future__ import annotations

import logging

from seleniumcrawl.async_crawler import AsyncWebCrawler
from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.crawler import WebCrawler
from seleniumcrawl.errors import (
    BrowserDiedError,
    ConfigError,
    CrawlerClosedError,
    CrawlError,
    DriverNotFoundError,
    SchemaError,
    SeleniumCrawlError,
)
from seleniumcrawl.extraction_strategy import (
    ExtractionStrategy,
    JsonCssExtractionStrategy,
    JsonXPathExtractionStrategy,
)
from seleniumcrawl.models import CrawlResult
from seleniumcrawl.pool import DriverPool

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "AsyncWebCrawler",
    "BrowserConfig",
    "BrowserDiedError",
    "CacheMode",
    "ConfigError",
    "CrawlError",
    "CrawlResult",
    "CrawlerClosedError",
    "CrawlerRunConfig",
    "DriverNotFoundError",
    "DriverPool",
    "ExtractionStrategy",
    "JsonCssExtractionStrategy",
    "JsonXPathExtractionStrategy",
    "SchemaError",
    "SeleniumCrawlError",
    "WebCrawler",
    "__version__",
]
