"""SeedingConfig: Crawl4AI's fields, validated at construction; internet sources refused."""

from __future__ import annotations

import pytest

from seleniumcrawl import SeedingConfig
from seleniumcrawl.discovery.seeder import site_origin


@pytest.mark.parametrize("source", ["cc", "sitemap+cc", "crt", "sitemap+crt"])
def test_internet_sources_are_refused(source: str) -> None:
    """Common Crawl and certificate transparency need the internet: a clear ValueError."""
    with pytest.raises(ValueError, match="needs the public internet and is not supported"):
        SeedingConfig(source=source)


def test_defaults_and_crawl4ai_methods() -> None:
    """source defaults to "sitemap"; clone, to_dict and from_kwargs work as in Crawl4AI."""
    config = SeedingConfig(pattern="*/blog/*", query="python", extract_head=True)
    assert config.source == "sitemap" and config.scoring_method == "bm25"
    assert config.clone(max_urls=5).max_urls == 5
    assert SeedingConfig.from_kwargs(config.to_dict()) == config
    assert SeedingConfig(pattern=None).pattern == "*"


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"source": "bing"}, ValueError, "unknown source 'bing'"),
        ({"max_urls": 0}, ValueError, "max_urls"),
        ({"concurrency": 0}, ValueError, "concurrency"),
        ({"hits_per_sec": -1}, ValueError, "hits_per_sec"),
        ({"live_check": "yes"}, TypeError, "live_check"),
        ({"scoring_method": "semantic"}, ValueError, "scoring_method"),
        ({"pattern": 3}, TypeError, "pattern"),
        ({"llm_config": object()}, TypeError, "llm_config"),
    ],
)
def test_bad_values_name_the_field(kwargs: dict[str, object], error: type, field: str) -> None:
    """A bad value or an unknown keyword raises, naming the field."""
    with pytest.raises(error, match=field):
        SeedingConfig(**kwargs)  # type: ignore[arg-type]


def test_site_origin() -> None:
    """A bare domain means https; a URL keeps its scheme and port; junk is refused."""
    assert site_origin("example.com") == "https://example.com"
    assert site_origin("http://127.0.0.1:8080/blog/") == "http://127.0.0.1:8080"
    with pytest.raises(ValueError, match="cannot seed"):
        site_origin("ftp://x")
