"""Crawl4AI's import path for the URL seeder (``crawl4ai.async_url_seeder``)."""

from seleniumcrawl.discovery import AsyncUrlSeeder, SeedingConfig, UrlSeeder

__all__ = ["AsyncUrlSeeder", "SeedingConfig", "UrlSeeder"]
