"""Crawl4AI's import path for the configuration classes (``CacheMode`` and ``SeedingConfig``
too, as there)."""

from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig, GeolocationConfig, ProxyConfig
from seleniumcrawl.discovery.config import SeedingConfig
from seleniumcrawl.virtual_scroll import VirtualScrollConfig

__all__ = [
    "BrowserConfig",
    "CacheMode",
    "CrawlerRunConfig",
    "GeolocationConfig",
    "ProxyConfig",
    "SeedingConfig",
    "VirtualScrollConfig",
]
