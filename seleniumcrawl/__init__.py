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
    from seleniumcrawl.async_dispatcher import (
        MemoryAdaptiveDispatcher,
        RateLimiter,
        SemaphoreDispatcher,
    )
    from seleniumcrawl.browser.page_api import Page
    from seleniumcrawl.browser.pool import DriverPool
    from seleniumcrawl.cache_context import CacheMode
    from seleniumcrawl.config import (
        BrowserConfig,
        CrawlerRunConfig,
        GeolocationConfig,
        ProxyConfig,
    )
    from seleniumcrawl.content.extraction import (
        ExtractionStrategy,
        JsonCssExtractionStrategy,
        JsonLxmlExtractionStrategy,
        JsonXPathExtractionStrategy,
        RegexExtractionStrategy,
    )
    from seleniumcrawl.content.filters import (
        BM25ContentFilter,
        PruningContentFilter,
        RelevantContentFilter,
    )
    from seleniumcrawl.content.generation import (
        DefaultMarkdownGenerator,
        MarkdownGenerationResult,
    )
    from seleniumcrawl.content.tables import DefaultTableExtraction, NoTableExtraction
    from seleniumcrawl.crawler import WebCrawler
    from seleniumcrawl.deep_crawling import (
        BestFirstCrawlingStrategy,
        BFSDeepCrawlStrategy,
        ContentTypeFilter,
        DFSDeepCrawlStrategy,
        DomainFilter,
        FilterChain,
        KeywordRelevanceScorer,
        URLPatternFilter,
    )
    from seleniumcrawl.discovery import AsyncUrlSeeder, SeedingConfig, UrlSeeder
    from seleniumcrawl.errors import (
        BrowserDiedError,
        ConfigError,
        CrawlerClosedError,
        CrawlError,
        DriverNotFoundError,
        SchemaError,
        SeleniumCrawlError,
        StateInUseError,
    )
    from seleniumcrawl.models import CrawlResult
    from seleniumcrawl.proxy_strategy import ProxyRotationStrategy, RoundRobinProxyStrategy
    from seleniumcrawl.virtual_scroll import VirtualScrollConfig

from seleniumcrawl._version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

_WHERE = {
    "AsyncUrlSeeder": "discovery",
    "AsyncWebCrawler": "async_crawler",
    "BM25ContentFilter": "content.filters",
    "BFSDeepCrawlStrategy": "deep_crawling",
    "BestFirstCrawlingStrategy": "deep_crawling",
    "BrowserConfig": "config",
    "BrowserDiedError": "errors",
    "CacheMode": "cache_context",
    "ConfigError": "errors",
    "ContentTypeFilter": "deep_crawling",
    "CrawlError": "errors",
    "CrawlResult": "models",
    "CrawlerClosedError": "errors",
    "CrawlerRunConfig": "config",
    "DefaultMarkdownGenerator": "content.generation",
    "DFSDeepCrawlStrategy": "deep_crawling",
    "DefaultTableExtraction": "content.tables",
    "DomainFilter": "deep_crawling",
    "DriverNotFoundError": "errors",
    "DriverPool": "browser.pool",
    "ExtractionStrategy": "content.extraction",
    "FilterChain": "deep_crawling",
    "GeolocationConfig": "config",
    "JsonCssExtractionStrategy": "content.extraction",
    "JsonLxmlExtractionStrategy": "content.extraction",
    "JsonXPathExtractionStrategy": "content.extraction",
    "MarkdownGenerationResult": "content.generation",
    "NoTableExtraction": "content.tables",
    "Page": "browser.page_api",
    "ProxyConfig": "config",
    "ProxyRotationStrategy": "proxy_strategy",
    "PruningContentFilter": "content.filters",
    "RelevantContentFilter": "content.filters",
    "KeywordRelevanceScorer": "deep_crawling",
    "MemoryAdaptiveDispatcher": "async_dispatcher",
    "RateLimiter": "async_dispatcher",
    "RegexExtractionStrategy": "content.extraction",
    "RoundRobinProxyStrategy": "proxy_strategy",
    "SchemaError": "errors",
    "SeedingConfig": "discovery",
    "SeleniumCrawlError": "errors",
    "SemaphoreDispatcher": "async_dispatcher",
    "StateInUseError": "errors",
    "URLPatternFilter": "deep_crawling",
    "UrlSeeder": "discovery",
    "VirtualScrollConfig": "virtual_scroll",
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
    "AsyncUrlSeeder",
    "AsyncWebCrawler",
    "BFSDeepCrawlStrategy",
    "BM25ContentFilter",
    "BestFirstCrawlingStrategy",
    "BrowserConfig",
    "BrowserDiedError",
    "CacheMode",
    "ConfigError",
    "ContentTypeFilter",
    "CrawlError",
    "CrawlResult",
    "CrawlerClosedError",
    "CrawlerRunConfig",
    "DFSDeepCrawlStrategy",
    "DefaultMarkdownGenerator",
    "DefaultTableExtraction",
    "DomainFilter",
    "DriverNotFoundError",
    "DriverPool",
    "ExtractionStrategy",
    "FilterChain",
    "GeolocationConfig",
    "JsonCssExtractionStrategy",
    "JsonLxmlExtractionStrategy",
    "JsonXPathExtractionStrategy",
    "KeywordRelevanceScorer",
    "MarkdownGenerationResult",
    "MemoryAdaptiveDispatcher",
    "NoTableExtraction",
    "Page",
    "ProxyConfig",
    "ProxyRotationStrategy",
    "PruningContentFilter",
    "RateLimiter",
    "RegexExtractionStrategy",
    "RelevantContentFilter",
    "RoundRobinProxyStrategy",
    "SchemaError",
    "SeedingConfig",
    "SeleniumCrawlError",
    "SemaphoreDispatcher",
    "StateInUseError",
    "URLPatternFilter",
    "UrlSeeder",
    "VirtualScrollConfig",
    "WebCrawler",
    "__version__",
]
