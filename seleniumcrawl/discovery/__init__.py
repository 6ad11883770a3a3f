"""Discovery: a site's URLs before crawling it, from its sitemaps (docs/seeding.md).

- :mod:`~seleniumcrawl.discovery.config`: :class:`SeedingConfig`;
- :mod:`~seleniumcrawl.discovery.sitemaps`: one sitemap read as it downloads;
- :mod:`~seleniumcrawl.discovery.head`: a page's ``<head>`` metadata;
- :mod:`~seleniumcrawl.discovery.ranking`: patterns, utility URLs, BM25 relevance;
- :mod:`~seleniumcrawl.discovery.seeder`: :class:`UrlSeeder` and :class:`AsyncUrlSeeder`.
"""

from __future__ import annotations

from seleniumcrawl.discovery.config import SeedingConfig
from seleniumcrawl.discovery.seeder import AsyncUrlSeeder, UrlSeeder

__all__ = ["AsyncUrlSeeder", "SeedingConfig", "UrlSeeder"]
