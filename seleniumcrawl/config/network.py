"""What a page may fetch: the resource policy fields of ``BrowserConfig`` and
``CrawlerRunConfig`` (``text_mode``, ``light_mode``, ``avoid_css``, ``avoid_ads``,
``block_resources``, ``block_urls``), validated here and merged by :func:`policy_of`.

A :class:`ResourcePolicy` says what to block in two forms, because blocking has two costs:

* ``url_patterns``: Chromium's own URL blocking (CDP ``Network.setBlockedURLs``; ``*``
  matches any run of characters). The browser refuses a matching request itself, with
  no round trip to us: the cheap way, used for every kind a URL names (by its file
  extension), for ``block_urls`` and for the ad and tracker hosts of ``avoid_ads``.
* ``kinds``: resource kinds no URL tells (``xhr``, ``fetch``, ``websocket``, ...). They
  need each request paused and looked at (BiDi ``network.addIntercept``, one round trip
  per request of the page), so only a policy that names them pays that.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable
from typing import Any

import attrs

from seleniumcrawl.errors import ConfigError

#: Resource kinds ``block_resources`` accepts (Crawl4AI's and Playwright's names).
RESOURCE_KINDS = frozenset(
    {
        "document",
        "stylesheet",
        "image",
        "media",
        "font",
        "script",
        "xhr",
        "fetch",
        "websocket",
        "manifest",
        "ping",
        "other",
    }
)

#: File extensions that name a kind: these kinds are blocked by URL, in the browser.
KIND_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image": ("png", "jpg", "jpeg", "gif", "webp", "svg", "ico", "bmp", "avif", "tif", "tiff"),
    "media": ("mp4", "webm", "ogg", "ogv", "mp3", "wav", "m4a", "m4v", "aac", "flac", "mov"),
    "font": ("woff", "woff2", "ttf", "otf", "eot"),
    "stylesheet": ("css",),
    "script": ("js", "mjs"),
    "manifest": ("webmanifest",),
}

#: Ad and tracker hosts ``avoid_ads`` blocks (the common networks Crawl4AI's list names).
AD_HOSTS = (
    "doubleclick.net",
    "googlesyndication.com",
    "googleadservices.com",
    "google-analytics.com",
    "googletagmanager.com",
    "googletagservices.com",
    "adservice.google.com",
    "amazon-adsystem.com",
    "adnxs.com",
    "criteo.com",
    "criteo.net",
    "taboola.com",
    "outbrain.com",
    "scorecardresearch.com",
    "quantserve.com",
    "hotjar.com",
    "facebook.net",
    "ads-twitter.com",
    "moatads.com",
    "pubmatic.com",
    "rubiconproject.com",
    "casalemedia.com",
    "adsrvr.org",
    "segment.io",
    "mixpanel.com",
)

#: Chromium flags of ``light_mode`` (Crawl4AI's: background work a crawl never needs),
#: beyond those every browser gets (no background networking, sync, component update).
LIGHT_MODE_ARGS = (
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-breakpad",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
)

#: Chromium flags of ``text_mode`` (images off in Blink, no web fonts).
TEXT_MODE_ARGS = ("--blink-settings=imagesEnabled=false", "--disable-remote-fonts")


def to_kinds(value: Iterable[str] | str | None) -> frozenset[str]:
    """``block_resources`` as a frozenset (a single kind may be given as a string)."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if not isinstance(value, Iterable):
        return value
    return frozenset(value)


def to_globs(value: Iterable[str] | str | None) -> tuple[str, ...]:
    """``block_urls`` as a tuple (a single glob may be given as a string)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        return value
    return tuple(value)


def _owner(instance: Any) -> str:
    return type(instance).__name__


def validate_kinds(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Every ``block_resources`` entry is a known kind (ConfigError naming the field)."""
    name = f"{_owner(instance)}.{attribute.name}"
    if not isinstance(value, frozenset):
        raise ConfigError(f"{name} must be a set of resource kinds, got {type(value).__name__}")
    for kind in value:
        if not isinstance(kind, str) or kind not in RESOURCE_KINDS:
            known = ", ".join(sorted(RESOURCE_KINDS))
            raise ConfigError(f"{name}: unknown resource kind {kind!r}; known: {known}")


def glob_error(glob: str) -> str | None:
    """Why ``glob`` is not a usable URL glob, or None when it is."""
    if not glob.strip():
        return "an empty glob matches every URL"
    if any(ch.isspace() for ch in glob):
        return "a URL glob holds no whitespace"
    if glob.count("{") != glob.count("}") or glob.count("[") != glob.count("]"):
        return "unbalanced brackets"
    if re.search(r"\{[^}]*[{\[]", glob) or re.search(r"\[[^\]]*\[", glob):
        return "nested brackets"
    return None


def validate_globs(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """Every ``block_urls`` entry is a well-formed glob (ConfigError naming the field)."""
    name = f"{_owner(instance)}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ConfigError(f"{name} must be a list of URL globs, got {type(value).__name__}")
    for glob in value:
        if not isinstance(glob, str):
            raise ConfigError(f"{name}: a URL glob is a string, got {type(glob).__name__}")
        why = glob_error(glob)
        if why is not None:
            raise ConfigError(f"{name}: malformed URL glob {glob!r}: {why}")


def _escape(text: str) -> str:
    """URLPattern's special characters (but ``*``) taken literally."""
    return re.sub(r"([+():\\{}])", r"\\\1", text)


def glob_patterns(glob: str) -> list[str]:
    """Chromium URL-blocking patterns (URLPattern syntax: the whole URL must match, ``*``
    any run of characters, an unset port or query matches any) for one glob.

    ``{a,b}`` alternatives become one pattern each; ``?`` and ``[...]`` become ``*`` (a
    little wider than the glob). A glob without ``scheme://`` matches the end of any
    URL's path on any host: ``**/*.png`` and ``*.png`` both give ``*://*:*/*.png``."""
    match = re.search(r"\{([^}]*)\}", glob)
    if match is not None:
        out: list[str] = []
        for alternative in match.group(1).split(","):
            out.extend(glob_patterns(glob[: match.start()] + alternative + glob[match.end() :]))
        return out
    glob = re.sub(r"\[[^\]]*\]", "*", glob.replace("?", "*"))
    glob = re.sub(r"\*+", "*", glob)
    if "://" in glob:
        scheme, rest = glob.split("://", 1)
        host, slash, path = rest.partition("/")
        if ":" not in host:
            host += ":*"
        elif host.endswith(":"):
            host += "*"
        return [f"{scheme}://{host}/{_escape(path) if slash else '*'}"]
    wild = glob.startswith("*")
    path = glob.lstrip("*/")
    return [f"*://*:*/{'*' if wild else ''}{_escape(path)}"]


_MIME = re.compile(r"^(\*|[\w.+-]+)/(\*|[\w.+-]+\*?)$")

#: The default cap of one captured response body (``response_body_max_size``).
BODY_MAX_SIZE = 1024 * 1024


def to_body_filter(value: Any) -> Any:
    """``capture_response_bodies`` as False, True or a tuple of filters."""
    if value is None:
        return False
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, (bytes, bool)):
        return tuple(value)
    return value


def is_mime_filter(entry: str) -> bool:
    """Whether a ``capture_response_bodies`` entry is a MIME type pattern (else a URL glob)."""
    return bool(_MIME.match(entry)) and "://" not in entry


def validate_body_filter(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """True/False, or MIME type patterns (``"application/json"``, ``"text/*"``) and URL
    globs; only with ``capture_network_requests`` (ConfigError naming the field)."""
    name = f"{_owner(instance)}.{attribute.name}"
    if isinstance(value, bool):
        pass
    elif isinstance(value, tuple) and value:
        for entry in value:
            if not isinstance(entry, str):
                raise ConfigError(f"{name}: a filter is a string, got {type(entry).__name__}")
            why = None if is_mime_filter(entry) else glob_error(entry)
            if why is not None:
                raise ConfigError(f"{name}: malformed filter {entry!r}: {why}")
    else:
        raise ConfigError(
            f"{name} must be True/False or a list of MIME types and URL globs, got {value!r}"
        )
    if value and not getattr(instance, "capture_network_requests", False):
        raise ConfigError(
            f"{name} adds bodies to network_requests: set capture_network_requests=True too"
        )


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """Playwright's URL glob: ``**`` any characters, ``*`` any but ``/``, ``?`` one
    character, ``{a,b}`` alternatives."""
    out = ""
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**", i):
            out += ".*"
            i += 2
            continue
        if ch == "*":
            out += "[^/]*"
        elif ch == "?":
            out += "."
        elif ch == "{":
            end = glob.index("}", i)
            parts = glob[i + 1 : end].split(",")
            out += "(?:" + "|".join(re.escape(p) for p in parts) + ")"
            i = end + 1
            continue
        else:
            out += re.escape(ch)
        i += 1
    return re.compile(out + r"\Z")


def body_wanted(filters: bool | tuple[str, ...], url: str, mime_type: str) -> bool:
    """Whether ``capture_response_bodies`` asks for this response's body."""
    if isinstance(filters, bool):
        return filters
    mime = mime_type.split(";", 1)[0].strip().lower()
    for entry in filters:
        if is_mime_filter(entry):
            if fnmatch.fnmatchcase(mime, entry.lower()):
                return True
        elif glob_to_regex(entry).match(url):
            return True
    return False


HAR_CONTENT = ("embed", "omit")
HAR_NOT_FOUND = ("abort", "fallback")


def to_path(value: Any) -> Any:
    """A path-like as an absolute string path (None stays None)."""
    if value is None or not isinstance(value, (str, os.PathLike)):
        return value
    return os.path.abspath(os.fspath(value))


def validate_record_path(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``record_har_path``: a string path whose directory exists."""
    if value is None:
        return
    name = f"{_owner(instance)}.{attribute.name}"
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a path, got {type(value).__name__}")
    if not os.path.isdir(os.path.dirname(value)):
        raise ConfigError(f"{name}: the directory of {value!r} does not exist")


def validate_har_file(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """``route_from_har``: an existing HAR file (JSON with ``log.entries``)."""
    if value is None:
        return
    name = f"{_owner(instance)}.{attribute.name}"
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be a path, got {type(value).__name__}")
    if not os.path.isfile(value):
        raise ConfigError(f"{name}: no HAR file at {value!r}")
    try:
        with open(value, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{name}: {value!r} is not a HAR file ({type(exc).__name__})") from None
    entries = data.get("log", {}).get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{name}: {value!r} is not a HAR file (no log.entries)")


def one_of(choices: tuple[str, ...]) -> Any:
    """A validator: the value is one of ``choices`` (ConfigError naming the field)."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value not in choices:
            name = f"{_owner(instance)}.{attribute.name}"
            raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")

    return check


@attrs.frozen
class ResourcePolicy:
    """What one crawl blocks (see the module docstring); empty: nothing."""

    #: Chromium URL-blocking patterns (URLPattern syntax), in the browser, per tab.
    url_patterns: tuple[str, ...] = ()
    #: Kinds only a paused request tells (BiDi intercept).
    kinds: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.url_patterns or self.kinds)


def policy_of(*configs: Any) -> ResourcePolicy:
    """The union of the policies of ``configs`` (a BrowserConfig, a CrawlerRunConfig)."""
    kinds: set[str] = set()
    globs: list[str] = []
    for config in configs:
        if config is None:
            continue
        kinds |= set(config.block_resources)
        if config.text_mode:
            kinds |= {"image", "media", "font"}
        if config.light_mode:
            kinds |= {"media", "font"}
        if config.avoid_css:
            kinds.add("stylesheet")
        if config.avoid_ads or config.light_mode:
            globs.extend(f"*://*.{host}/*" for host in AD_HOSTS)
            globs.extend(f"*://{host}/*" for host in AD_HOSTS)
        globs.extend(config.block_urls)
    patterns: list[str] = []
    for kind in sorted(kinds):
        # The extension ends the path (any query string may follow: it is not set).
        patterns.extend(f"*://*:*/*.{ext}" for ext in KIND_EXTENSIONS.get(kind, ()))
    for glob in globs:
        patterns.extend(glob_patterns(glob))
    paused = frozenset(k for k in kinds if k not in KIND_EXTENSIONS)
    return ResourcePolicy(url_patterns=tuple(dict.fromkeys(patterns)), kinds=paused)


__all__ = [
    "AD_HOSTS",
    "BODY_MAX_SIZE",
    "HAR_CONTENT",
    "HAR_NOT_FOUND",
    "KIND_EXTENSIONS",
    "LIGHT_MODE_ARGS",
    "RESOURCE_KINDS",
    "TEXT_MODE_ARGS",
    "ResourcePolicy",
    "body_wanted",
    "glob_error",
    "glob_patterns",
    "glob_to_regex",
    "is_mime_filter",
    "one_of",
    "policy_of",
    "to_body_filter",
    "to_globs",
    "to_kinds",
    "to_path",
    "validate_body_filter",
    "validate_globs",
    "validate_har_file",
    "validate_kinds",
    "validate_record_path",
]
