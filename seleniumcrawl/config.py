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
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast
from urllib.parse import urlsplit

import attrs

from seleniumcrawl import storage_state
from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.errors import ConfigError
from seleniumcrawl.frozen import FrozenDict, freeze, is_sequence

if TYPE_CHECKING:
    from seleniumcrawl.content.extraction import ExtractionStrategy
    from seleniumcrawl.content.generation import MarkdownGenerationStrategy
    from seleniumcrawl.deep_crawling.base import DeepCrawlStrategy

_T = TypeVar("_T")

BROWSER_TYPES = ("chromium", "chrome", "firefox")

#: What ``url_matcher`` holds: a glob, a predicate, or several of them.
UrlMatcher: TypeAlias = "str | Callable[[str], bool]"


# -- converters: lists become tuples and dicts FrozenDicts; a value of the wrong kind is
# left as it is, for the validator to reject with a message naming the field.


def _frozen_sequence(value: object) -> Any:
    return freeze(value) if is_sequence(value) else value


def _frozen_mapping(value: object) -> Any:
    return freeze(value) if isinstance(value, Mapping) else value


def _to_strings(value: Sequence[str]) -> tuple[str, ...]:
    return cast("tuple[str, ...]", _frozen_sequence(value))


def _to_cookies(value: Sequence[Mapping[str, Any]]) -> tuple[FrozenDict[str, Any], ...]:
    return cast("tuple[FrozenDict[str, Any], ...]", _frozen_sequence(value))


def _to_headers(value: Mapping[str, str]) -> FrozenDict[str, str]:
    return cast("FrozenDict[str, str]", _frozen_mapping(value))


def _to_storage_state(
    value: str | os.PathLike[str] | Mapping[str, Any] | None,
) -> str | FrozenDict[str, Any] | None:
    """A path becomes a str, a mapping a FrozenDict; other values stay for the validator."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return cast("str | FrozenDict[str, Any] | None", _frozen_mapping(value))


class _DefaultInt(int):
    """An int default the user did not choose (``max_drivers``): rules may lower it."""


def _to_js_code(value: str | Sequence[str] | None) -> str | tuple[str, ...] | None:
    return cast("str | tuple[str, ...] | None", _frozen_sequence(value))


def _to_url_matcher(
    value: UrlMatcher | Sequence[UrlMatcher] | None,
) -> UrlMatcher | tuple[UrlMatcher, ...] | None:
    return cast("UrlMatcher | tuple[UrlMatcher, ...] | None", _frozen_sequence(value))


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value not in ("0", "false", "no", "off")


def _non_negative(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value < 0:
        raise ConfigError(f"{type(instance).__name__}.{attribute.name} must be >= 0, got {value!r}")


def _positive(instance: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and value <= 0:
        raise ConfigError(f"{type(instance).__name__}.{attribute.name} must be > 0, got {value!r}")


def _number(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Accept int/float but not bool (``True`` is an int to Python, never a timeout to us)."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise TypeError(
            f"{type(instance).__name__}.{attribute.name} must be a number, "
            f"got {type(value).__name__} {value!r}"
        )


def _int(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(
            f"{type(instance).__name__}.{attribute.name} must be an int, "
            f"got {type(value).__name__} {value!r}"
        )


def _typed(kind: type | tuple[type, ...], optional: bool = False) -> Callable[..., None]:
    """Like ``attrs.validators.instance_of`` but the message names class, field and value."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if not isinstance(value, kind):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise TypeError(
                f"{type(instance).__name__}.{attribute.name} must be {names}, "
                f"got {type(value).__name__} {value!r}"
            )

    return check


def _str_list(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(
            f"{type(instance).__name__}.{attribute.name} must be a list of str, got {value!r}"
        )
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise TypeError(
                f"{type(instance).__name__}.{attribute.name}[{i}] must be str, got {item!r}"
            )


def _cookies(instance: BrowserConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        raise TypeError(
            f"BrowserConfig.cookies must be a list of dicts, got {type(value).__name__} {value!r}"
        )
    for i, cookie in enumerate(value):
        where = f"BrowserConfig.cookies[{i}]"
        if not isinstance(cookie, FrozenDict):
            raise TypeError(f"{where} must be a dict, got {cookie!r}")
        for key in ("name", "value"):
            if not isinstance(cookie.get(key), str):
                raise ConfigError(f"{where} needs a str {key!r}, got {cookie.get(key)!r}")
        if not (cookie.get("url") or cookie.get("domain")):
            raise ConfigError(f"{where} needs 'url' or 'domain' to say where it applies")


def _headers(instance: BrowserConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, FrozenDict):
        raise TypeError(
            f"BrowserConfig.headers must be a dict of str to str, "
            f"got {type(value).__name__} {value!r}"
        )
    for key, val in value.items():
        if not isinstance(key, str) or not isinstance(val, str):
            raise TypeError(f"BrowserConfig.headers must map str to str, got {key!r}: {val!r}")


def _remote_url(
    instance: BrowserConfig, attribute: attrs.Attribute[Any], value: str | None
) -> None:
    if value is not None and not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(f"BrowserConfig.remote_url must be an http(s) URL, got {value!r}")


def _existing_file(instance: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and not os.path.isfile(value):
        raise ConfigError(f"{type(instance).__name__}.{attribute.name}: no such file {value!r}")


def _storage_state_type(
    instance: BrowserConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is not None and not isinstance(value, (str, FrozenDict)):
        raise TypeError(
            "BrowserConfig.storage_state must be a path (str or os.PathLike) or a dict in "
            f"Playwright's storage-state format, got {type(value).__name__}"
        )


def _browser_type(instance: BrowserConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    _typed(str)(instance, attribute, value)
    if value not in BROWSER_TYPES:
        raise ConfigError(
            f"BrowserConfig.browser_type must be one of {', '.join(BROWSER_TYPES)}, got {value!r}"
        )


def _viewport(instance: BrowserConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise TypeError(
            'BrowserConfig.viewport must be a dict like {"width": 1280, "height": 720}, '
            f"got {type(value).__name__} {value!r}"
        )
    for key, size in value.items():
        if key not in ("width", "height"):
            raise ConfigError(
                f"BrowserConfig.viewport: unknown key {key!r} (expected 'width' and 'height')"
            )
        if isinstance(size, bool) or not isinstance(size, int):
            raise TypeError(f"BrowserConfig.viewport[{key!r}] must be an int, got {size!r}")
        if size <= 0:
            raise ConfigError(f"BrowserConfig.viewport[{key!r}] must be > 0, got {size!r}")


def _absolute_path(value: str | os.PathLike[str] | None) -> str | None:
    """A path given as str or PathLike is stored absolute (the browser needs one); a
    value of another type is left for the validator."""
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if isinstance(value, str):
        return os.path.abspath(os.path.expanduser(value))
    return value


def _downloads_path(instance: BrowserConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An existing directory we can write, or a path whose nearest existing parent is one
    (it is created when the crawler starts)."""
    _typed(str, optional=True)(instance, attribute, value)
    if value is None:
        return
    existing = value
    while not os.path.exists(existing):
        parent = os.path.dirname(existing)
        if parent == existing:
            break
        existing = parent
    if not os.path.isdir(existing):
        raise ConfigError(
            f"BrowserConfig.downloads_path {value!r} is not a directory ({existing!r} is a file)"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(f"BrowserConfig.downloads_path {value!r} is not writable ({existing!r})")


@attrs.frozen(kw_only=True)
class BrowserConfig:
    """How the pool's browsers are started. Shared by every crawl of a crawler."""

    browser_type: str = attrs.field(default="chromium", validator=_browser_type)
    headless: bool = attrs.field(default=True, validator=_typed(bool))
    viewport_width: int = attrs.field(default=1080, validator=[_int, _positive])
    viewport_height: int = attrs.field(default=600, validator=[_int, _positive])
    user_agent: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    proxy: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    extra_args: tuple[str, ...] = attrs.field(
        default=(), converter=_to_strings, validator=_str_list
    )
    cookies: tuple[FrozenDict[str, Any], ...] = attrs.field(
        default=(), converter=_to_cookies, validator=_cookies, repr=False
    )
    headers: FrozenDict[str, str] = attrs.field(
        factory=FrozenDict, converter=_to_headers, validator=_headers, repr=False
    )
    java_script_enabled: bool = attrs.field(default=True, validator=_typed(bool))
    ignore_https_errors: bool = attrs.field(default=True, validator=_typed(bool))
    text_mode: bool = attrs.field(default=False, validator=_typed(bool))
    user_data_dir: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    browser_path: str | None = attrs.field(
        default=None, validator=[_typed(str, optional=True), _existing_file]
    )
    driver_path: str | None = attrs.field(
        default=None, validator=[_typed(str, optional=True), _existing_file]
    )
    remote_url: str | None = attrs.field(
        default=None, validator=[_typed(str, optional=True), _remote_url]
    )
    max_drivers: int = attrs.field(default=_DefaultInt(2), validator=[_int, _positive])
    session_ttl: float = attrs.field(default=1800, validator=[_number, _positive])
    verbose: bool = attrs.field(default=False, validator=_typed(bool))
    #: Seconds any single HTTP call to the driver or Grid may take (Selenium's own default is none).
    command_timeout: float = attrs.field(default=120, validator=[_number, _positive])
    #: Seconds between keep-alive pings of idle remote sessions (Grid's session-timeout is 300 s).
    keep_alive_interval: float = attrs.field(default=60, validator=[_number, _positive])
    #: Crawls one browser runs at once, each in its own tab (WebDriver BiDi; 1 on the classic path).
    max_pages_per_driver: int = attrs.field(default=8, validator=[_int, _positive])
    #: Talk to the browser over WebDriver BiDi where the remote end offers it (else classic).
    #: Default from ``SELENIUMCRAWL_USE_BIDI`` ("0"/"false"/"no" turn it off), else True.
    use_bidi: bool = attrs.field(
        factory=lambda: _env_flag("SELENIUMCRAWL_USE_BIDI", True), validator=_typed(bool)
    )

    # -- Crawl4AI compatibility (issue 14) --
    #: ``{"width": w, "height": h}``: Crawl4AI's way to set ``viewport_width``/``viewport_height``
    #: (given, it wins over them); afterwards it holds the two values in effect.
    viewport: Mapping[str, int] | None = attrs.field(
        default=None, converter=_frozen_mapping, validator=_viewport
    )
    #: Let pages download files; ``result.downloaded_files`` lists those of each crawl.
    accept_downloads: bool = attrs.field(default=False, validator=_typed(bool))
    #: Where downloads go (absolute; created at crawler start). None: ``~/.seleniumcrawl/downloads``
    #: (``$SELENIUMCRAWL_HOME/downloads``).
    downloads_path: str | None = attrs.field(
        default=None, converter=_absolute_path, validator=_downloads_path
    )

    # -- identity (README "Identity: storage state and profiles") --
    #: Cookies and localStorage applied to every new browser context before its first page:
    #: a JSON file's path, or the dict, in Playwright's storage-state format. Read and
    #: validated here (a wrong shape raises ConfigError naming the key path); a file is
    #: read once, at construction. Left out of repr: it holds secrets.
    storage_state: str | FrozenDict[str, Any] | None = attrs.field(
        default=None, converter=_to_storage_state, validator=_storage_state_type, repr=False
    )
    #: A cookie of ``storage_state`` or ``cookies`` that the browser refuses fails the
    #: crawl (StorageStateError, ``error_type="bad_input"``) instead of a warning naming it.
    storage_state_strict: bool = attrs.field(default=False, validator=_typed(bool))
    #: Keep a real browser profile across runs in ``user_data_dir`` (default
    #: ``$SELENIUMCRAWL_HOME/browser_profile``, else ``~/.seleniumcrawl/browser_profile``).
    use_persistent_context: bool = attrs.field(default=False, validator=_typed(bool))
    #: Crawl4AI's name for a browser started on ``user_data_dir``: here, with a
    #: ``user_data_dir``, the same as ``use_persistent_context`` (we always start the browser).
    use_managed_browser: bool = attrs.field(default=False, validator=_typed(bool))
    #: The storage state's content (``storage_state`` read and validated).
    _storage_state_data: FrozenDict[str, Any] | None = attrs.field(
        init=False, default=None, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        self._identity_post_init()
        if self.viewport is not None:
            width = self.viewport.get("width", self.viewport_width)
            height = self.viewport.get("height", self.viewport_height)
            # Frozen class: the constructor is the one place these are set.
            object.__setattr__(self, "viewport_width", width)
            object.__setattr__(self, "viewport_height", height)
            object.__setattr__(self, "viewport", FrozenDict({"width": width, "height": height}))

    def _identity_post_init(self) -> None:
        if self.storage_state is not None:
            data = storage_state.load(self.storage_state, "BrowserConfig.storage_state")
            object.__setattr__(self, "_storage_state_data", freeze(data))
        persistent = self.use_persistent_context or (
            self.use_managed_browser and self.user_data_dir is not None
        )
        if persistent and not self.use_persistent_context:
            object.__setattr__(self, "use_persistent_context", True)
        if persistent and self.user_data_dir is None:
            object.__setattr__(self, "user_data_dir", default_profile_dir())
        if self.user_data_dir is not None and self.max_drivers > 1:
            if not isinstance(self.max_drivers, _DefaultInt):
                raise ConfigError(
                    f"BrowserConfig.max_drivers={self.max_drivers} with a user_data_dir: Chromium "
                    "locks a profile directory to one browser; use max_drivers=1 (pages still "
                    "run in parallel in that browser, up to max_pages_per_driver)"
                )
            object.__setattr__(self, "max_drivers", _DefaultInt(1))

    @property
    def storage_state_data(self) -> dict[str, Any] | None:
        """The storage state as a plain dict (``{"cookies": [...], "origins": [...]}``),
        None without one."""
        if self._storage_state_data is None:
            return None
        return storage_state.normalized(self._storage_state_data)

    @property
    def is_chromium(self) -> bool:
        """True for the Chromium family (chromium, chrome), which speaks CDP."""
        return self.browser_type in ("chromium", "chrome")

    def clone(self, **changes: Any) -> BrowserConfig:
        """Return a copy with ``changes`` applied (and validated)."""
        if "viewport" not in changes and changes.keys() & {"viewport_width", "viewport_height"}:
            changes["viewport"] = None  # the new width/height win over the old viewport dict
        return attrs.evolve(self, **changes)


def browser_config_of(config: BrowserConfig | None, options: dict[str, Any]) -> BrowserConfig:
    """A crawler's BrowserConfig: ``config``, or one built from BrowserConfig keywords given
    to the crawler itself (Crawl4AI's older ``AsyncWebCrawler(headless=True, ...)`` form).
    Unknown keywords raise TypeError, as BrowserConfig's own do."""
    if not options:
        return BrowserConfig() if config is None else config
    known = {a.alias for a in attrs.fields(BrowserConfig) if a.init}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"the crawler got an unexpected keyword argument {unknown[0]!r}")
    if config is not None:
        raise TypeError(
            "pass either config=BrowserConfig(...) or BrowserConfig keywords "
            f"({', '.join(sorted(options))}) to the crawler, not both"
        )
    return BrowserConfig(**options)


def seleniumcrawl_home() -> str:
    """``$SELENIUMCRAWL_HOME``, else ``~/.seleniumcrawl``: where the cache, profiles and the
    default persistent profile live."""
    home = os.environ.get("SELENIUMCRAWL_HOME")
    if home:
        return os.path.expanduser(home)
    return os.path.join(os.path.expanduser("~"), ".seleniumcrawl")


def default_profile_dir() -> str:
    """The ``user_data_dir`` of ``use_persistent_context=True`` when none is given."""
    return os.path.join(seleniumcrawl_home(), "browser_profile")


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


def _deep_crawl_strategy(
    instance: CrawlerRunConfig, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if value is None:
        return
    # Imported here, like the extraction strategy: a caller passing one has imported it.
    from seleniumcrawl.deep_crawling.base import DeepCrawlStrategy

    _typed(DeepCrawlStrategy)(instance, attribute, value)


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


def _to_tuple(value: Any) -> Any:
    """A list given by the user is stored as a tuple (a str is left for the validator)."""
    return tuple(value) if isinstance(value, list) else value


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
    deep_crawl_strategy: DeepCrawlStrategy | None = attrs.field(
        default=None, validator=_deep_crawl_strategy
    )
    #: Record the page's requests and responses in ``result.network_requests``.
    capture_network_requests: bool = attrs.field(default=False, validator=_typed(bool))
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
    "BROWSER_TYPES",
    "SOCIAL_MEDIA_DOMAINS",
    "WAIT_UNTIL",
    "BrowserConfig",
    "CrawlerRunConfig",
    "refuse_deep_many",
]
