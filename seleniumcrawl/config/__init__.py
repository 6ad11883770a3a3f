"""Configuration: :class:`BrowserConfig` (per crawler) and :class:`CrawlerRunConfig` (per crawl).

Both are frozen, keyword-only attrs classes validated at construction: a bad
value raises ``TypeError`` or ``ValueError`` naming the field, an unknown
keyword raises ``TypeError``. ``clone(**changes)`` returns a modified copy
(validated again).

They are immutable all the way down, hence hashable: lists given by the user
(``extra_args``, ``cookies``, ``js_code``, ``excluded_tags``, ``url_matcher``) are
stored as tuples and dicts (``headers``, each cookie) as
:class:`~seleniumcrawl.frozen.FrozenDict`. :func:`~seleniumcrawl.frozen.thaw`
gives the plain JSON form back.

The package's modules: :mod:`~seleniumcrawl.config.browser` (``BrowserConfig``),
:mod:`~seleniumcrawl.config.run` (``CrawlerRunConfig``),
:mod:`~seleniumcrawl.config.identity` (``ProxyConfig``, ``GeolocationConfig``) and
:mod:`~seleniumcrawl.config.validators` (the converters and validators both use). Every
name is importable from ``seleniumcrawl.config`` itself.
"""

from __future__ import annotations

from seleniumcrawl.config.browser import (
    BROWSER_TYPES,
    BrowserConfig,
    browser_config_of,
    default_profile_dir,
    seleniumcrawl_home,
)
from seleniumcrawl.config.identity import GeolocationConfig, ProxyConfig
from seleniumcrawl.config.run import (
    SOCIAL_MEDIA_DOMAINS,
    WAIT_UNTIL,
    CrawlerRunConfig,
    DeepCrawlStrategyBase,
    UrlMatcher,
    refuse_deep_many,
)

__all__ = [
    "BROWSER_TYPES",
    "SOCIAL_MEDIA_DOMAINS",
    "WAIT_UNTIL",
    "BrowserConfig",
    "CrawlerRunConfig",
    "DeepCrawlStrategyBase",
    "GeolocationConfig",
    "ProxyConfig",
    "UrlMatcher",
    "browser_config_of",
    "default_profile_dir",
    "refuse_deep_many",
    "seleniumcrawl_home",
]
