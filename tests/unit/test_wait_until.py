"""CrawlerRunConfig.wait_until validation and its place in the cache key (no browser)."""

from __future__ import annotations

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.cache import cache_key, fetch_options
from seleniumcrawl.config import WAIT_UNTIL


def test_default_is_domcontentloaded() -> None:
    """Crawl4AI's default readiness."""
    assert CrawlerRunConfig().wait_until == "domcontentloaded"


@pytest.mark.parametrize("value", WAIT_UNTIL)
def test_every_crawl4ai_value_is_accepted(value: str) -> None:
    """The four values Crawl4AI documents."""
    assert CrawlerRunConfig(wait_until=value).wait_until == value


def test_unknown_value_lists_the_allowed_ones() -> None:
    """A typo raises ValueError naming the field and every allowed value."""
    with pytest.raises(ValueError, match="wait_until") as info:
        CrawlerRunConfig(wait_until="networkidle0")
    for value in WAIT_UNTIL:
        assert value in str(info.value)


def test_wrong_type() -> None:
    """A non-string raises TypeError naming the field."""
    with pytest.raises(TypeError, match="wait_until"):
        CrawlerRunConfig(wait_until=None)  # type: ignore[arg-type]


def test_cache_key_changes_only_off_the_default() -> None:
    """The default leaves keys as they were; a later readiness is a different page."""
    browser = BrowserConfig()
    url = "https://example.com/"

    def key(config: CrawlerRunConfig) -> str:
        return cache_key(url, fetch_options(browser, config))

    plain = key(CrawlerRunConfig())
    assert key(CrawlerRunConfig(wait_until="domcontentloaded")) == plain
    assert key(CrawlerRunConfig(wait_until="networkidle")) != plain
