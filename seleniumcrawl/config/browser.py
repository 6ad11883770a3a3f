"""``BrowserConfig``: how the pool's browsers are started, shared by every crawl of a crawler."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import attrs

from seleniumcrawl import storage_state
from seleniumcrawl.config.identity import ProxyConfig, to_proxy_config
from seleniumcrawl.config.network import (
    HAR_CONTENT,
    HAR_NOT_FOUND,
    one_of,
    to_globs,
    to_kinds,
    to_path,
    validate_globs,
    validate_har_file,
    validate_kinds,
    validate_record_path,
)
from seleniumcrawl.config.validators import (
    _absolute_path,
    _env_flag,
    _existing_file,
    _frozen_mapping,
    _int,
    _number,
    _positive,
    _str_list,
    _to_cookies,
    _to_headers,
    _to_storage_state,
    _to_strings,
    _typed,
)
from seleniumcrawl.errors import ConfigError
from seleniumcrawl.frozen import FrozenDict, freeze

BROWSER_TYPES = ("chromium", "chrome", "firefox")


class _DefaultInt(int):
    """An int default the user did not choose (``max_drivers``): rules may lower it."""


def _cookies(instance: BrowserConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    # Types only in these messages, never the values: cookies are secrets.
    if not isinstance(value, tuple):
        raise TypeError(
            f"BrowserConfig.cookies must be a list of dicts, got {type(value).__name__}"
        )
    for i, cookie in enumerate(value):
        where = f"BrowserConfig.cookies[{i}]"
        if not isinstance(cookie, FrozenDict):
            raise TypeError(f"{where} must be a dict, got {type(cookie).__name__}")
        for key in ("name", "value"):
            if not isinstance(cookie.get(key), str):
                got = type(cookie.get(key)).__name__ if key in cookie else "nothing"
                raise ConfigError(f"{where} needs a str {key!r}, got {got}")
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


def _to_browser_proxy(value: Any) -> ProxyConfig | None:
    return to_proxy_config(value, "BrowserConfig.proxy_config")


@attrs.frozen(kw_only=True)
class BrowserConfig:
    """How the pool's browsers are started. Shared by every crawl of a crawler."""

    browser_type: str = attrs.field(default="chromium", validator=_browser_type)
    headless: bool = attrs.field(default=True, validator=_typed(bool))
    viewport_width: int = attrs.field(default=1080, validator=[_int, _positive])
    viewport_height: int = attrs.field(default=600, validator=[_int, _positive])
    user_agent: str | None = attrs.field(default=None, validator=_typed(str, optional=True))
    #: A proxy URL for every crawl (the older form of ``proxy_config``); afterwards it
    #: holds the proxy's server without credentials.
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
    # -- what a page fetches (docs/network.md) --
    #: No images, media or web fonts: Blink's images off, and those kinds blocked by URL.
    text_mode: bool = attrs.field(default=False, validator=_typed(bool))
    #: Chromium without its background work (LIGHT_MODE_ARGS), and no media, web fonts or
    #: ads fetched.
    light_mode: bool = attrs.field(default=False, validator=_typed(bool))
    #: Stylesheets are not fetched.
    avoid_css: bool = attrs.field(default=False, validator=_typed(bool))
    #: Requests to the common ad and tracker hosts are not made.
    avoid_ads: bool = attrs.field(default=False, validator=_typed(bool))
    #: Resource kinds never fetched by any crawl (``"image"``, ``"font"``, ``"xhr"``, ...).
    block_resources: frozenset[str] = attrs.field(
        factory=frozenset, converter=to_kinds, validator=validate_kinds
    )
    #: URL globs (``*``, ``**``, ``?``, ``{a,b}``) never fetched by any crawl.
    block_urls: tuple[str, ...] = attrs.field(
        default=(), converter=to_globs, validator=validate_globs
    )
    #: Write every crawl's requests and responses to a HAR 1.2 file (appended; mode 0600).
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
    # -- network identity (docs/identity.md) --
    #: The proxy of every crawl: a ProxyConfig, a proxy string or a dict (credentials
    #: for http(s) proxies need BiDi). ``proxy=`` gives the same without credentials
    #: fields; both given must agree.
    proxy_config: ProxyConfig | None = attrs.field(default=None, converter=_to_browser_proxy)
    #: The storage state's content (``storage_state`` read and validated).
    _storage_state_data: FrozenDict[str, Any] | None = attrs.field(
        init=False, default=None, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        self._identity_post_init()
        self._proxy_post_init()
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

    def _proxy_post_init(self) -> None:
        proxy = self.proxy_config
        if self.proxy is not None:
            from_proxy = to_proxy_config(self.proxy, "BrowserConfig.proxy")
            if from_proxy is not None and from_proxy.has_credentials:
                disagree = proxy is not None and from_proxy != proxy
            else:
                disagree = (
                    proxy is not None
                    and from_proxy is not None
                    and (from_proxy.server != proxy.server)
                )
            if disagree and proxy is not None:
                raise ConfigError(
                    f"BrowserConfig.proxy ({from_proxy.display if from_proxy else None}) and "
                    f"proxy_config ({proxy.display}) disagree: give one of them"
                )
            proxy = proxy or from_proxy
        if proxy is not None and proxy.is_direct:
            proxy = None
        # Frozen class: the constructor is the one place these are set. ``proxy`` keeps
        # the server only: it is shown in reprs and cache keys, a password never is.
        object.__setattr__(self, "proxy_config", proxy)
        object.__setattr__(self, "proxy", proxy.server if proxy is not None else None)

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
        # One proxy given anew replaces both forms of the old one.
        if "proxy_config" in changes and "proxy" not in changes:
            changes["proxy"] = None
        elif "proxy" in changes and "proxy_config" not in changes:
            changes["proxy_config"] = None
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


__all__ = [
    "BROWSER_TYPES",
    "BrowserConfig",
    "browser_config_of",
    "default_profile_dir",
    "seleniumcrawl_home",
]
