"""``CrawlerRunConfig``: what one crawl does."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs

from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.config.identity import GeolocationConfig, ProxyConfig, to_proxy_config
from seleniumcrawl.config.network import (
    BODY_MAX_SIZE,
    HAR_CONTENT,
    HAR_NOT_FOUND,
    one_of,
    to_body_filter,
    to_globs,
    to_kinds,
    to_path,
    validate_body_filter,
    validate_globs,
    validate_har_file,
    validate_kinds,
    validate_record_path,
)
from seleniumcrawl.config.proxy_rotation import ProxyRotationStrategy
from seleniumcrawl.config.validators import (
    UrlMatcher,
    _int,
    _non_negative,
    _number,
    _positive,
    _str_list,
    _to_js_code,
    _to_strings,
    _to_tuple,
    _to_url_matcher,
    _typed,
)
from seleniumcrawl.errors import ConfigError
from seleniumcrawl.frozen import FrozenDict

if TYPE_CHECKING:
    from seleniumcrawl.content.extraction import ExtractionStrategy
    from seleniumcrawl.content.generation import MarkdownGenerationStrategy
    from seleniumcrawl.content.tables import TableExtractionStrategy


def _js_code(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None or isinstance(value, str):
        return
    _str_list(instance, attribute, value)


def _wait_for(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str, optional=True)(instance, attribute, value)
    if value is not None and not value.strip():
        raise ConfigError("CrawlerRunConfig.wait_for must not be empty")


def _url(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str, optional=True)(instance, attribute, value)


def _css_selector(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str, optional=True)(instance, attribute, value)
    if value is None:
        return
    # Imported here: the browser layer imports this module, and soupsieve loads bs4.
    import soupsieve

    try:
        soupsieve.compile(value)
    except (soupsieve.SelectorSyntaxError, NotImplementedError) as exc:
        first_line = str(exc).splitlines()[0]
        raise ConfigError(
            f"CrawlerRunConfig.css_selector {value!r} is invalid: {first_line}"
        ) from exc


def _extraction_strategy(
    instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is None:
        return
    # Imported here so that configs (and the browser layer) do not load the content layer;
    # a caller passing a strategy has imported it already.
    from seleniumcrawl.content.extraction import ExtractionStrategy

    _typed(ExtractionStrategy)(instance, attribute, value)


def _markdown_generator(
    instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is None:
        return
    # Lazy for the same reason as _extraction_strategy.
    from seleniumcrawl.content.generation import MarkdownGenerationStrategy

    _typed(MarkdownGenerationStrategy)(instance, attribute, value)


def _table_extraction(
    instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is None:
        return
    # Lazy for the same reason as _extraction_strategy.
    from seleniumcrawl.content.tables import TableExtractionStrategy

    _typed(TableExtractionStrategy)(instance, attribute, value)


def _score_threshold(
    instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is None:
        raise TypeError("CrawlerRunConfig.table_score_threshold must be a number, got None")
    _number(instance, attribute, value)


class DeepCrawlStrategyBase:
    """What ``CrawlerRunConfig.deep_crawl_strategy`` holds: the base of
    :class:`seleniumcrawl.deep_crawling.DeepCrawlStrategy`. It lives here, in the base
    layer, so that the configuration does not import the deep crawl (which sits above it
    and imports the configuration); the deep crawl narrows it back to its own class."""


def _deep_crawl_strategy(
    instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is not None and not isinstance(value, DeepCrawlStrategyBase):
        raise TypeError(
            f"CrawlerRunConfig.deep_crawl_strategy must be DeepCrawlStrategy, "
            f"got {type(value).__name__} {value!r}"
        )


def _url_matcher(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None or isinstance(value, str) or callable(value):
        return
    if isinstance(value, tuple) and all(isinstance(v, str) or callable(v) for v in value):
        return
    raise TypeError(
        "CrawlerRunConfig.url_matcher must be a glob string, a callable, or a list of them, "
        f"got {value!r}"
    )


#: Crawl4AI's social networks, dropped by ``exclude_social_media_links=True``.
SOCIAL_MEDIA_DOMAINS: tuple[str, ...] = (
    "facebook.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "instagram.com",
    "pinterest.com",
    "tiktok.com",
    "snapchat.com",
    "reddit.com",
)


def _domains(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _str_list(instance, attribute, value)
    for i, domain in enumerate(value):
        if not domain.strip() or "/" in domain or " " in domain.strip():
            raise ConfigError(
                f"CrawlerRunConfig.{attribute.name}[{i}] must be a domain like 'example.com', "
                f"got {domain!r}"
            )


def _selectors(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    _str_list(instance, attribute, value)
    if not value:
        raise ConfigError(f"CrawlerRunConfig.{attribute.name} must not be empty (use None)")
    import soupsieve  # imported here, like in _css_selector

    for i, selector in enumerate(value):
        try:
            soupsieve.compile(selector)
        except (soupsieve.SelectorSyntaxError, NotImplementedError, ValueError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(
                f"CrawlerRunConfig.{attribute.name}[{i}] {selector!r} is invalid: {first_line}"
            ) from exc


def _base_url(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str, optional=True)(instance, attribute, value)
    if value is None:
        return
    try:
        parts = urlsplit(value.strip())
    except ValueError as exc:
        raise ConfigError(f"CrawlerRunConfig.base_url {value!r} is not a URL: {exc}") from exc
    if not parts.scheme or not (parts.netloc or parts.scheme == "file"):
        raise ConfigError(
            f"CrawlerRunConfig.base_url must be an absolute URL like 'https://example.com/', "
            f"got {value!r}"
        )


def _virtual_scroll(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    from seleniumcrawl.virtual_scroll import VirtualScrollConfig

    if isinstance(value, dict):
        raise TypeError(
            "CrawlerRunConfig.virtual_scroll_config must be a VirtualScrollConfig, got a dict; "
            "use VirtualScrollConfig(**settings)"
        )
    _typed(VirtualScrollConfig)(instance, attribute, value)


def _scraping_strategy(
    instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is None:
        return
    from seleniumcrawl.content_scraping_strategy import ContentScrapingStrategy

    _typed(ContentScrapingStrategy)(instance, attribute, value)


#: Crawl4AI's ``wait_until`` values (Playwright's navigation readiness).
WAIT_UNTIL = ("domcontentloaded", "load", "networkidle", "commit")


def _wait_until(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str)(instance, attribute, value)
    if value not in WAIT_UNTIL:
        raise ConfigError(
            f"CrawlerRunConfig.wait_until must be one of {', '.join(WAIT_UNTIL)}, got {value!r}"
        )


def _to_run_proxy(value: Any) -> ProxyConfig | None:
    return to_proxy_config(value, "CrawlerRunConfig.proxy_config")


def _rotation(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    _typed(ProxyRotationStrategy)(instance, attribute, value)


_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _locale(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str, optional=True)(instance, attribute, value)
    if value is not None and not _LOCALE.match(value):
        raise ConfigError(
            f"CrawlerRunConfig.locale must be a language tag like 'en-US', got {value!r}"
        )


def _timezone_id(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str, optional=True)(instance, attribute, value)
    if value is None:
        return
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "CrawlerRunConfig.timezone_id must be an IANA time zone like 'Europe/Berlin', "
            f"got {value!r}"
        ) from None


def _to_run_headers(value: Any) -> Any:
    return FrozenDict(value) if isinstance(value, Mapping) else value


def _run_headers(instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, FrozenDict):
        raise TypeError(
            f"CrawlerRunConfig.headers must be a dict of str to str, got {type(value).__name__}"
        )
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            # Header values may be tokens: name the header, never quote its value.
            raise TypeError(f"CrawlerRunConfig.headers[{key!r}] must map a str to a str")


@attrs.frozen(kw_only=True)
class CrawlerRunConfig:
    """What one crawl does. Times in milliseconds except ``delay_before_return_html`` (s)."""

    url: str | None = attrs.field(default=None, validator=_url)
    session_id: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    session_isolation: bool = attrs.field(default=False, validator=_typed(bool))
    js_code: str | tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_js_code, validator=_js_code
    )
    js_only: bool = attrs.field(default=False, validator=_typed(bool))
    wait_for: str | None = attrs.field(default=None, validator=_wait_for)
    wait_for_timeout: float | None = attrs.field(default=None, validator=[_number, _positive])
    page_timeout: float = attrs.field(default=60000, validator=[_number, _positive])
    delay_before_return_html: float = attrs.field(default=0, validator=[_number, _non_negative])
    cache_mode: CacheMode = attrs.field(default=CacheMode.BYPASS, validator=_typed(CacheMode))
    extraction_strategy: ExtractionStrategy | None = attrs.field(
        default=None, validator=_extraction_strategy
    )
    #: How ``result.markdown`` is made and what its ``fit_markdown`` keeps.
    markdown_generator: MarkdownGenerationStrategy | None = attrs.field(
        default=None, validator=_markdown_generator
    )
    #: How ``result.tables`` is found; None: ``DefaultTableExtraction`` with
    #: ``table_score_threshold`` (a strategy given here keeps its own threshold).
    table_extraction: TableExtractionStrategy | None = attrs.field(
        default=None, validator=_table_extraction
    )
    table_score_threshold: float = attrs.field(default=7, validator=_score_threshold)
    css_selector: str | None = attrs.field(default=None, validator=_css_selector)
    excluded_tags: tuple[str, ...] = attrs.field(
        default=(), converter=_to_strings, validator=_str_list
    )
    screenshot: bool = attrs.field(default=False, validator=_typed(bool))
    pdf: bool = attrs.field(default=False, validator=_typed(bool))
    scan_full_page: bool = attrs.field(default=False, validator=_typed(bool))
    remove_overlay_elements: bool = attrs.field(default=False, validator=_typed(bool))
    exclude_external_links: bool = attrs.field(default=False, validator=_typed(bool))
    stream: bool = attrs.field(default=False, validator=_typed(bool))
    max_retries: int = attrs.field(default=0, validator=[_int, _non_negative])
    mean_delay: float = attrs.field(default=0, validator=[_number, _non_negative])
    #: ``arun_many``/``run_many`` concurrency; None: ``max_drivers * max_pages_per_driver``.
    semaphore_count: int | None = attrs.field(default=None, validator=[_int, _positive])
    #: A ``js_code`` script that throws fails the crawl (default: recorded, the crawl goes on).
    fail_on_js_error: bool = attrs.field(default=False, validator=_typed(bool))
    #: Ask each origin's robots.txt before crawling; a disallowed URL fails with status 403.
    check_robots_txt: bool = attrs.field(default=False, validator=_typed(bool))
    #: BFS/DFS/best-first from ``seleniumcrawl.deep_crawling``: ``arun`` then returns many results.
    deep_crawl_strategy: DeepCrawlStrategyBase | None = attrs.field(
        default=None, validator=_deep_crawl_strategy
    )
    # -- what a page fetches (docs/network.md); added to the BrowserConfig's own --
    #: No images, media or web fonts fetched by this crawl.
    text_mode: bool = attrs.field(default=False, validator=_typed(bool))
    #: No media, web fonts or ads fetched by this crawl.
    light_mode: bool = attrs.field(default=False, validator=_typed(bool))
    #: No stylesheets fetched by this crawl.
    avoid_css: bool = attrs.field(default=False, validator=_typed(bool))
    #: No requests to the common ad and tracker hosts.
    avoid_ads: bool = attrs.field(default=False, validator=_typed(bool))
    #: Resource kinds this crawl does not fetch (``"image"``, ``"font"``, ``"xhr"``, ...).
    block_resources: frozenset[str] = attrs.field(
        factory=frozenset, converter=to_kinds, validator=validate_kinds
    )
    #: URL globs (``*``, ``**``, ``?``, ``{a,b}``) this crawl does not fetch.
    block_urls: tuple[str, ...] = attrs.field(
        default=(), converter=to_globs, validator=validate_globs
    )
    #: Record the page's requests and responses in ``result.network_requests``.
    capture_network_requests: bool = attrs.field(default=False, validator=_typed(bool))
    #: Add ``body`` to the captured responses (BiDi): True for all, or MIME type patterns
    #: (``"application/json"``, ``"text/*"``) and URL globs; text as is, binary as base64.
    capture_response_bodies: bool | tuple[str, ...] = attrs.field(
        default=False, converter=to_body_filter, validator=validate_body_filter
    )
    #: Bytes one captured body may have; a larger one gets ``body_omitted`` instead.
    response_body_max_size: int = attrs.field(default=BODY_MAX_SIZE, validator=[_int, _positive])
    #: Write this crawl's requests and responses to a HAR 1.2 file (appended; mode 0600).
    record_har_path: str | None = attrs.field(
        default=None, converter=to_path, validator=validate_record_path
    )
    #: ``"embed"``: response bodies in the HAR (what a replay needs); ``"omit"``: none.
    record_har_content: str = attrs.field(default="embed", validator=one_of(HAR_CONTENT))
    #: Answer every request from this HAR file (recorded with ``record_har_path``): no
    #: network at all. Matched by method + URL (+ POST body).
    route_from_har: str | None = attrs.field(
        default=None, converter=to_path, validator=validate_har_file
    )
    #: A request the HAR does not hold: ``"abort"`` it, or ``"fallback"`` to the network.
    har_not_found: str = attrs.field(default="abort", validator=one_of(HAR_NOT_FOUND))
    #: Record console messages and uncaught errors in ``result.console_messages``.
    capture_console_messages: bool = attrs.field(default=False, validator=_typed(bool))
    #: Scripts run after navigation, before ``js_code`` and ``wait_for``.
    js_code_before_wait: str | tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_js_code, validator=_js_code
    )
    #: Wait (bounded by ``page_timeout``) until every ``<img>`` has loaded or failed.
    wait_for_images: bool = attrs.field(default=False, validator=_typed(bool))
    #: Scroll a DOM-recycling feed and keep every item seen (``VirtualScrollConfig``).
    virtual_scroll_config: Any = attrs.field(default=None, validator=_virtual_scroll)
    #: Inline same-origin iframe contents into ``html``.
    process_iframes: bool = attrs.field(default=False, validator=_typed(bool))
    #: Inline open shadow roots into ``html``.
    flatten_shadow_dom: bool = attrs.field(default=False, validator=_typed(bool))
    #: Capture the page as MHTML in ``result.mhtml`` (Chromium).
    capture_mhtml: bool = attrs.field(default=False, validator=_typed(bool))
    #: For ``arun_many`` with a list of configs: which URLs this config is for (first match wins).
    url_matcher: UrlMatcher | tuple[UrlMatcher, ...] | None = attrs.field(
        default=None, converter=_to_url_matcher, validator=_url_matcher
    )

    # -- Crawl4AI compatibility (issue 14) --
    #: Log this crawl at INFO, on stderr when the application configured no logging.
    verbose: bool = attrs.field(default=False, validator=_typed(bool))
    #: Text blocks with fewer words are left out of ``cleaned_html`` and ``markdown``.
    word_count_threshold: int = attrs.field(default=1, validator=[_int, _non_negative])
    #: CSS selectors: ``cleaned_html``, ``markdown`` and extraction keep only what they match;
    #: ``html``, links, media and metadata keep the whole page (or the ``css_selector`` part).
    target_elements: tuple[str, ...] | None = attrs.field(
        default=None, converter=_to_tuple, validator=_selectors
    )
    #: Drop links (and images) on the social networks of ``exclude_social_media_domains``.
    exclude_social_media_links: bool = attrs.field(default=False, validator=_typed(bool))
    #: Social networks for ``exclude_social_media_links``, besides :data:`SOCIAL_MEDIA_DOMAINS`.
    exclude_social_media_domains: tuple[str, ...] = attrs.field(
        default=SOCIAL_MEDIA_DOMAINS, converter=_to_tuple, validator=_domains
    )
    #: Links and images on these domains (or their subdomains) are dropped.
    exclude_domains: tuple[str, ...] = attrs.field(
        default=(), converter=_to_tuple, validator=_domains
    )
    #: Images from another site than the page's are dropped from ``media`` and the content.
    exclude_external_images: bool = attrs.field(default=False, validator=_typed(bool))
    #: The address relative links resolve against (for ``raw:`` HTML, which has none).
    base_url: str | None = attrs.field(default=None, validator=_base_url)
    #: Seconds between the steps of ``scan_full_page``'s scroll.
    scroll_delay: float = attrs.field(default=0.2, validator=[_number, _non_negative])
    #: Crawl4AI's ``scraping_strategy`` (``seleniumcrawl.content_scraping_strategy``):
    #: accepted for ported code; seleniumcrawl has one scraper.
    scraping_strategy: Any = attrs.field(default=None, validator=_scraping_strategy)
    #: When navigation is done: "domcontentloaded" (parsed), "load", "networkidle" (load,
    #: then no request in flight for 500 ms) or "commit" (waits as "domcontentloaded").
    wait_until: str = attrs.field(default="domcontentloaded", validator=_wait_until)

    # -- network identity per crawl or session (docs/identity.md) --
    #: This crawl's (or new session's) proxy: a ProxyConfig, a proxy string, a dict, or
    #: ``ProxyConfig.DIRECT`` for none. None: the browser's.
    proxy_config: ProxyConfig | None = attrs.field(default=None, converter=_to_run_proxy)
    #: Gives each new session or sessionless crawl its proxy (``seleniumcrawl.proxy_strategy``).
    proxy_rotation_strategy: ProxyRotationStrategy | None = attrs.field(
        default=None, validator=_rotation
    )
    #: Pins one proxy of the rotation to this logical session id (Crawl4AI's sticky proxy).
    proxy_session_id: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    #: Seconds a ``proxy_session_id`` keeps its proxy (None: for ever).
    proxy_session_ttl: float | None = attrs.field(default=None, validator=[_number, _positive])
    #: ``navigator.userAgent`` and the ``User-Agent`` header (None: the browser's).
    user_agent: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    #: ``navigator.language`` and ``Intl``'s locale, like "de-DE".
    locale: str | None = attrs.field(default=None, validator=_locale)
    #: The time zone pages see, like "Asia/Tokyo".
    timezone_id: str | None = attrs.field(default=None, validator=_timezone_id)
    #: What ``navigator.geolocation`` reports.
    geolocation: GeolocationConfig | None = attrs.field(
        default=None, validator=_typed(GeolocationConfig, optional=True)
    )
    #: Extra request headers of this crawl's (or session's) requests. Left out of repr.
    headers: FrozenDict[str, str] | None = attrs.field(
        default=None, converter=_to_run_headers, validator=_run_headers, repr=False
    )

    @property
    def scripts(self) -> list[str]:
        """``js_code`` as a list (empty when unset)."""
        if self.js_code is None:
            return []
        return [self.js_code] if isinstance(self.js_code, str) else list(self.js_code)

    @property
    def scripts_before_wait(self) -> list[str]:
        """``js_code_before_wait`` as a list (empty when unset)."""
        code = self.js_code_before_wait
        if code is None:
            return []
        return [code] if isinstance(code, str) else list(code)

    @property
    def effective_wait_timeout(self) -> float:
        """``wait_for_timeout`` in ms, falling back to ``page_timeout``."""
        return self.page_timeout if self.wait_for_timeout is None else self.wait_for_timeout

    @property
    def needs_browser_step(self) -> bool:
        """Whether a ``raw:`` crawl must load its HTML into a browser window."""
        return bool(
            self.scripts
            or self.wait_for
            or self.screenshot
            or self.pdf
            or self.scan_full_page
            or self.remove_overlay_elements
            or self.js_only
            or self.session_id
            or self.capture_network_requests
            or self.capture_console_messages
            or self.scripts_before_wait
            or self.wait_for_images
            or self.virtual_scroll_config
            or self.process_iframes
            or self.flatten_shadow_dom
            or self.capture_mhtml
        )

    def clone(self, **changes: Any) -> CrawlerRunConfig:
        """Return a copy with ``changes`` applied (and validated)."""
        return attrs.evolve(self, **changes)


def refuse_deep_many(config: CrawlerRunConfig | Sequence[CrawlerRunConfig] | None) -> None:
    """``run_many``/``arun_many`` take no deep crawl: it starts from one URL (``arun``)."""
    configs = [config] if isinstance(config, CrawlerRunConfig) else list(config or [])
    if any(getattr(c, "deep_crawl_strategy", None) is not None for c in configs):
        raise ValueError(
            "a deep crawl starts from one URL: use arun(url, config) / run(url, config) "
            "with deep_crawl_strategy, not arun_many/run_many"
        )


__all__ = [
    "SOCIAL_MEDIA_DOMAINS",
    "WAIT_UNTIL",
    "CrawlerRunConfig",
    "DeepCrawlStrategyBase",
    "UrlMatcher",
    "refuse_deep_many",
]
