"""The public surface is fixed (Crawl4AI's names): these names are imported by programs outside."""

from __future__ import annotations

import seleniumcrawl

EXPECTED = {
    "AsyncWebCrawler",
    "BM25ContentFilter",
    "DefaultMarkdownGenerator",
    "MarkdownGenerationResult",
    "PruningContentFilter",
    "RelevantContentFilter",
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
    "Page",
    "SchemaError",
    "SeleniumCrawlError",
    "WebCrawler",
    "__version__",
    # Crawls that survive (README): deep crawling and the dispatchers, Crawl4AI's names
    "BFSDeepCrawlStrategy",
    "BestFirstCrawlingStrategy",
    "ContentTypeFilter",
    "DFSDeepCrawlStrategy",
    "DomainFilter",
    "FilterChain",
    "KeywordRelevanceScorer",
    "URLPatternFilter",
    "VirtualScrollConfig",
    "MemoryAdaptiveDispatcher",
    "RateLimiter",
    "SemaphoreDispatcher",
    "StateInUseError",
    # Network identity per session (SPEC 22), Crawl4AI's names
    "GeolocationConfig",
    "ProxyConfig",
    "ProxyRotationStrategy",
    "RoundRobinProxyStrategy",
    # Tables (SPEC 25), also from seleniumcrawl.table_extraction
    "DefaultTableExtraction",
    "NoTableExtraction",
    # Discovery (docs/seeding.md): Crawl4AI's URL seeder
    "AsyncUrlSeeder",
    "SeedingConfig",
    "UrlSeeder",
}


def test_exported_names_do_not_change_by_accident() -> None:
    """``__all__`` is exactly the reviewed list; adding or removing a name is deliberate."""
    assert set(seleniumcrawl.__all__) == EXPECTED


def test_every_exported_name_resolves() -> None:
    """Each name in ``__all__`` is importable from the package."""
    for name in seleniumcrawl.__all__:
        assert getattr(seleniumcrawl, name) is not None


def test_crawl4ai_import_paths() -> None:
    """Crawl4AI's module paths give the same classes as the package root."""
    from seleniumcrawl.async_configs import BrowserConfig, CrawlerRunConfig
    from seleniumcrawl.async_configs import CacheMode as ConfigsCacheMode
    from seleniumcrawl.cache_context import CacheMode
    from seleniumcrawl.extraction_strategy import (
        JsonCssExtractionStrategy,
        JsonLxmlExtractionStrategy,
        JsonXPathExtractionStrategy,
        RegexExtractionStrategy,
    )

    assert BrowserConfig is seleniumcrawl.BrowserConfig
    assert CrawlerRunConfig is seleniumcrawl.CrawlerRunConfig
    assert CacheMode is seleniumcrawl.CacheMode
    assert ConfigsCacheMode is seleniumcrawl.CacheMode
    assert JsonCssExtractionStrategy is seleniumcrawl.JsonCssExtractionStrategy
    from seleniumcrawl.content_filter_strategy import BM25ContentFilter, PruningContentFilter
    from seleniumcrawl.markdown_generation_strategy import DefaultMarkdownGenerator

    assert DefaultMarkdownGenerator is seleniumcrawl.DefaultMarkdownGenerator
    assert PruningContentFilter is seleniumcrawl.PruningContentFilter
    assert BM25ContentFilter is seleniumcrawl.BM25ContentFilter
    from seleniumcrawl.async_dispatcher import RateLimiter
    from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy, FilterChain

    assert RateLimiter is seleniumcrawl.RateLimiter
    assert BFSDeepCrawlStrategy is seleniumcrawl.BFSDeepCrawlStrategy
    assert FilterChain is seleniumcrawl.FilterChain
    from seleniumcrawl.table_extraction import DefaultTableExtraction, NoTableExtraction

    assert DefaultTableExtraction is seleniumcrawl.DefaultTableExtraction
    assert NoTableExtraction is seleniumcrawl.NoTableExtraction
    assert JsonXPathExtractionStrategy is seleniumcrawl.JsonXPathExtractionStrategy
    assert JsonLxmlExtractionStrategy is seleniumcrawl.JsonLxmlExtractionStrategy
    assert RegexExtractionStrategy is seleniumcrawl.RegexExtractionStrategy


def test_error_tree_mixes_in_builtins() -> None:
    """Config and schema errors are ValueErrors; closed-crawler misuse is a RuntimeError."""
    assert issubclass(seleniumcrawl.ConfigError, ValueError)
    assert issubclass(seleniumcrawl.SchemaError, ValueError)
    assert issubclass(seleniumcrawl.CrawlerClosedError, RuntimeError)
    assert issubclass(seleniumcrawl.BrowserDiedError, seleniumcrawl.CrawlError)


def test_crawl4ai_seeder_paths() -> None:
    """``crawl4ai.async_url_seeder`` and ``async_configs.SeedingConfig`` have their
    seleniumcrawl twins, the same classes as the package root."""
    from seleniumcrawl.async_configs import SeedingConfig
    from seleniumcrawl.async_url_seeder import AsyncUrlSeeder, UrlSeeder

    assert SeedingConfig is seleniumcrawl.SeedingConfig
    assert AsyncUrlSeeder is seleniumcrawl.AsyncUrlSeeder
    assert UrlSeeder is seleniumcrawl.UrlSeeder
