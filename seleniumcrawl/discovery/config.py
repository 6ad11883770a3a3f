"""``SeedingConfig``: what :class:`~seleniumcrawl.discovery.UrlSeeder` discovers and checks.

Crawl4AI's fields and meanings, less the internet-wide sources: ``source`` is
``"sitemap"`` (robots.txt ``Sitemap:`` lines, else ``/sitemap.xml`` and
``/sitemap_index.xml``); ``"cc"`` (Common Crawl) and ``"crt"`` (certificate transparency)
need the public internet's indexes and are refused at construction, not ignored.
Crawl4AI's ``llm_config`` is not a field (nothing here uses a model).

Fields of our own bound what a site can make the seeder do: ``max_sitemaps`` (sitemaps
read in all), ``max_sitemap_depth`` (indexes within indexes), ``max_sitemap_bytes`` (one
sitemap once decompressed; the protocol's limit is 50 MB), ``timeout`` (seconds per
request) and ``check_robots_txt`` (sitemaps and URLs that robots.txt disallows are left
out).
"""

from __future__ import annotations

from typing import Any

import attrs

from seleniumcrawl.config.validators import _int, _number, _positive, _typed
from seleniumcrawl.errors import ConfigError

#: Sources that need the public internet's indexes, with what each one is.
INTERNET_SOURCES = {"cc": "Common Crawl's index", "crt": "certificate transparency logs"}
SOURCES = ("sitemap",)
SCORING_METHODS = ("bm25",)
#: The sitemap protocol's size limit of one file, uncompressed.
SITEMAP_MAX_BYTES = 50 * 1024 * 1024


def _pattern_or_star(value: str | None) -> str:
    return "*" if value is None else value


def _source(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str)(instance, attribute, value)
    parts = [p.strip().lower() for p in value.split("+") if p.strip()]
    if not parts:
        raise ConfigError(f"SeedingConfig.source must name a source, got {value!r}")
    for part in parts:
        if part in INTERNET_SOURCES:
            raise ConfigError(
                f"SeedingConfig.source={value!r}: {part!r} ({INTERNET_SOURCES[part]}) needs the "
                "public internet and is not supported by seleniumcrawl; use source='sitemap'"
            )
        if part not in SOURCES:
            raise ConfigError(
                f"SeedingConfig.source={value!r}: unknown source {part!r}; "
                f"supported: {', '.join(SOURCES)}"
            )


def _scoring_method(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value not in SCORING_METHODS:
        raise ConfigError(
            f"SeedingConfig.scoring_method must be one of {SCORING_METHODS}, got {value!r}"
        )


def _max_urls(instance: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if value == 0 or value < -1:
        raise ConfigError(f"SeedingConfig.max_urls must be -1 (no limit) or > 0, got {value!r}")


def _non_negative_number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    _number(instance, attribute, value)
    if value is not None and value < 0:
        raise ConfigError(f"SeedingConfig.{attribute.name} must be >= 0, got {value!r}")


@attrs.frozen(kw_only=True)
class SeedingConfig:
    """How :class:`UrlSeeder` / :class:`AsyncUrlSeeder` discover a site's URLs."""

    source: str = attrs.field(default="sitemap", validator=_source)
    pattern: str = attrs.field(default="*", converter=_pattern_or_star)
    live_check: bool = attrs.field(default=False, validator=_typed(bool))
    extract_head: bool = attrs.field(default=False, validator=_typed(bool))
    max_urls: int = attrs.field(default=-1, validator=[_int, _max_urls])
    concurrency: int = attrs.field(default=10, validator=[_int, _positive])
    hits_per_sec: float | None = attrs.field(default=5, validator=_non_negative_number)
    force: bool = attrs.field(default=False, validator=_typed(bool))
    base_directory: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    verbose: bool | None = attrs.field(default=None, validator=_typed(bool, optional=True))
    query: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    score_threshold: float | None = attrs.field(default=None, validator=_non_negative_number)
    scoring_method: str = attrs.field(default="bm25", validator=_scoring_method)
    filter_nonsense_urls: bool = attrs.field(default=True, validator=_typed(bool))
    cache_ttl_hours: float = attrs.field(default=24, validator=_non_negative_number)
    validate_sitemap_lastmod: bool = attrs.field(default=True, validator=_typed(bool))
    # ours, beyond Crawl4AI
    check_robots_txt: bool = attrs.field(default=False, validator=_typed(bool))
    timeout: float = attrs.field(default=10.0, validator=[_number, _positive])
    max_sitemaps: int = attrs.field(default=500, validator=[_int, _positive])
    max_sitemap_depth: int = attrs.field(default=5, validator=[_int, _positive])
    max_sitemap_bytes: int = attrs.field(default=SITEMAP_MAX_BYTES, validator=[_int, _positive])
    user_agent: str | None = attrs.field(default=None, validator=_typed(str, optional=True))

    @pattern.validator
    def _pattern(self, attribute: attrs.Attribute[Any], value: Any) -> None:
        _typed(str)(self, attribute, value)

    def clone(self, **changes: Any) -> SeedingConfig:
        """Return a copy with ``changes`` applied (and validated)."""
        return attrs.evolve(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict (Crawl4AI's ``to_dict``)."""
        return attrs.asdict(self)

    @staticmethod
    def from_kwargs(kwargs: dict[str, Any]) -> SeedingConfig:
        """Crawl4AI's constructor from a dict."""
        return SeedingConfig(**kwargs)


__all__ = ["INTERNET_SOURCES", "SITEMAP_MAX_BYTES", "SeedingConfig"]
