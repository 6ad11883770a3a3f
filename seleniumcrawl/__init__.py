"""seleniumcrawl: a Selenium-based crawler with persistent sessions and Crawl4AI's API.

Names are imported lazily (PEP 562): the pytest plugin loads this package in every
test run of a project that has it installed, and Selenium plus the parsers cost
~300 ms to import; ``from seleniumcrawl import X`` pays only for what X needs.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seleniumcrawl.async_crawler import AsyncWebCrawler
    from seleniumcrawl.browser.pool import DriverPool
    from seleniumcrawl.cache_context import CacheMode
    from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
    from seleniumcrawl.content.extraction import (
        ExtractionStrategy,
        JsonCssExtractionStrategy,
        JsonLxmlExtractionStrategy,
        JsonXPathExtractionStrategy,
        RegexExtractionStrategy,
    )
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
    from seleniumcrawl.models import CrawlResult

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_WHERE = {
    "AsyncWebCrawler": "async_crawler",
    "BrowserConfig": "config",
    "BrowserDiedError": "errors",
    "CacheMode": "cache_context",
    "ConfigError": "errors",
    "CrawlError": "errors",
    "CrawlResult": "models",
    "CrawlerClosedError": "errors",
    "CrawlerRunConfig": "config",
    "DriverNotFoundError": "errors",
    "DriverPool": "browser.pool",
    "ExtractionStrategy": "content.extraction",
    "JsonCssExtractionStrategy": "content.extraction",
    "JsonLxmlExtractionStrategy": "content.extraction",
    "JsonXPathExtractionStrategy": "content.extraction",
    "RegexExtractionStrategy": "content.extraction",
    "SchemaError": "errors",
    "SeleniumCrawlError": "errors",
    "WebCrawler": "crawler",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'seleniumcrawl' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"seleniumcrawl.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


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
    "JsonLxmlExtractionStrategy",
    "JsonXPathExtractionStrategy",
    "RegexExtractionStrategy",
    "SchemaError",
    "SeleniumCrawlError",
    "WebCrawler",
    "__version__",
]
