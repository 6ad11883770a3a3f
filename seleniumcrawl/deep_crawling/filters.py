"""URL filters for deep crawls (Crawl4AI's names): which discovered links are followed.

A filter answers ``apply(url) -> bool`` (True: follow it). :class:`FilterChain` follows a
link only when every filter in it says yes. Filters see normalised absolute URLs
(:func:`seleniumcrawl.urls.normalize_url`); the start URL is never filtered.

Each filter counts what it saw in :attr:`URLFilter.stats` (total, passed, rejected).
"""

from __future__ import annotations

import asyncio
import fnmatch
import inspect
import mimetypes
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import attrs


@attrs.define
class FilterStats:
    """How many URLs a filter (or chain) saw, let through and turned away."""

    total_urls: int = 0
    passed_urls: int = 0
    rejected_urls: int = 0

    def count(self, passed: bool) -> bool:
        """Count one URL seen (call under the owner's lock); returns ``passed``."""
        self.total_urls += 1
        if passed:
            self.passed_urls += 1
        else:
            self.rejected_urls += 1
        return passed


class URLFilter(ABC):
    """Base of every filter: subclass and implement :meth:`apply`."""

    def __init__(self, name: str | None = None) -> None:
        self.name = name or type(self).__name__
        self.stats = FilterStats()
        self._stats_lock = threading.Lock()

    @abstractmethod
    def apply(self, url: str) -> bool:
        """True when ``url`` may be crawled."""

    def _count(self, passed: bool) -> bool:
        with self._stats_lock:
            return self.stats.count(passed)


def _verdict(value: Any, where: str) -> bool:
    """A filter's answer as a bool; an awaitable (a Crawl4AI async filter) is run to its end.

    Filters are applied on a dispatcher worker thread, which has no event loop.
    """
    if inspect.isawaitable(value):

        async def wait() -> Any:
            return await value

        value = asyncio.run(wait())
    if not isinstance(value, bool):
        raise TypeError(f"{where}.apply must return a bool, got {type(value).__name__}")
    return value


class FilterChain:
    """All of its filters must accept a URL; an empty chain accepts everything."""

    def __init__(self, filters: Iterable[URLFilter] | None = None) -> None:
        self.filters: tuple[URLFilter, ...] = ()
        self.stats = FilterStats()
        self._stats_lock = threading.Lock()
        for one in filters or ():
            self.add_filter(one)

    def add_filter(self, filter_: URLFilter) -> FilterChain:
        """Append ``filter_``; returns the chain, so calls can be chained."""
        if not isinstance(filter_, URLFilter) and not callable(getattr(filter_, "apply", None)):
            raise TypeError(f"FilterChain takes URLFilter objects, got {filter_!r}")
        self.filters = (*self.filters, filter_)
        return self

    def apply(self, url: str) -> bool:
        """True when every filter accepts ``url`` (stops at the first refusal)."""
        passed = all(_verdict(f.apply(url), type(f).__name__) for f in self.filters)
        with self._stats_lock:
            return self.stats.count(passed)

    def __repr__(self) -> str:
        return f"FilterChain({list(self.filters)!r})"


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex searched in the whole URL: ``*`` spans ``/``, ``{a,b}`` alternates."""
    alternatives = re.split(r"(\{[^{}]*\})", pattern.replace("**", "*"))
    parts = []
    for piece in alternatives:
        if piece.startswith("{") and piece.endswith("}"):
            choices = [_glob_body(choice) for choice in piece[1:-1].split(",")]
            parts.append("(?:" + "|".join(choices) + ")")
        else:
            parts.append(_glob_body(piece))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def _glob_body(glob: str) -> str:
    """fnmatch's translation without its ``(?s:...)\\Z`` wrapper."""
    translated = fnmatch.translate(glob)
    return translated[4:-3] if translated.startswith("(?s:") else translated


class URLPatternFilter(URLFilter):
    """Accepts URLs matching any of ``patterns`` (or, with ``reverse=True``, refuses them).

    Patterns, as in Crawl4AI:

    - ``"*.pdf"``: the last path segment has that extension;
    - ``"/docs/*"``: the path starts with ``/docs/`` (or is ``/docs``); with a scheme,
      ``"https://host/docs/*"``, the whole URL starts with it;
    - a compiled ``re.Pattern``, or a string starting with ``^`` or ending with ``$``
      (or any string when ``use_glob=False``): a regular expression searched in the URL;
    - any other string: a glob (``*`` matches across ``/``, ``{a,b}`` alternates)
      matched against the end of the URL, so ``"*blog*"`` matches any URL with "blog".
    """

    def __init__(
        self,
        patterns: str | re.Pattern[str] | Sequence[str | re.Pattern[str]],
        use_glob: bool = True,
        reverse: bool = False,
    ) -> None:
        super().__init__()
        if isinstance(patterns, (str, re.Pattern)):
            patterns = [patterns]
        if not patterns:
            raise ValueError("URLPatternFilter.patterns must not be empty")
        self.patterns = list(patterns)
        self.use_glob = use_glob
        self.reverse = reverse
        self._suffixes: set[str] = set()
        self._prefixes: list[str] = []
        self._regexes: list[re.Pattern[str]] = []
        for pattern in self.patterns:
            self._add(pattern)

    def _add(self, pattern: str | re.Pattern[str]) -> None:
        if isinstance(pattern, re.Pattern):
            self._regexes.append(pattern)
        elif not isinstance(pattern, str):
            raise TypeError(f"URLPatternFilter pattern must be str or re.Pattern, got {pattern!r}")
        elif not self.use_glob or pattern.startswith("^") or pattern.endswith("$"):
            self._regexes.append(re.compile(pattern))
        elif pattern.count("*") == 1 and pattern.startswith("*.") and "/" not in pattern:
            self._suffixes.add(pattern[2:].lower())
        elif pattern.count("*") == 1 and pattern.endswith("/*"):
            self._prefixes.append(pattern[:-2])
        else:
            self._regexes.append(_glob_regex(pattern))

    def _matches(self, url: str) -> bool:
        path = urlsplit(url).path
        if self._suffixes:
            last = path.rsplit("/", 1)[-1]
            if "." in last and last.rsplit(".", 1)[-1].lower() in self._suffixes:
                return True
        for prefix in self._prefixes:
            subject = url if "://" in prefix else path
            if subject.startswith(prefix) and subject[len(prefix) : len(prefix) + 1] in (
                "",
                "/",
                "?",
                "#",
            ):
                return True
        return any(regex.search(url) for regex in self._regexes)

    def apply(self, url: str) -> bool:
        """True when ``url`` matches a pattern (False with ``reverse=True``)."""
        return self._count(self._matches(url) != self.reverse)

    def __repr__(self) -> str:
        return f"URLPatternFilter({self.patterns!r}, reverse={self.reverse})"


def _domains(value: str | Iterable[str] | None, field: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    items = [value] if isinstance(value, str) else list(value)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise TypeError(f"DomainFilter.{field} must hold domain names, got {item!r}")
    return frozenset(item.strip().lower().rstrip(".") for item in items)


class DomainFilter(URLFilter):
    """Accepts URLs by host: ``blocked_domains`` are refused, and when ``allowed_domains``
    is given only those are accepted. A domain covers its subdomains (``example.com``
    covers ``docs.example.com``). Hosts are compared without port."""

    def __init__(
        self,
        allowed_domains: str | Iterable[str] | None = None,
        blocked_domains: str | Iterable[str] | None = None,
    ) -> None:
        super().__init__()
        self.allowed_domains = _domains(allowed_domains, "allowed_domains") or None
        self.blocked_domains = _domains(blocked_domains, "blocked_domains")

    @staticmethod
    def _covers(domain: str, host: str) -> bool:
        return host == domain or host.endswith("." + domain)

    def apply(self, url: str) -> bool:
        """True when the URL's host is allowed and not blocked."""
        try:
            host = (urlsplit(url).hostname or "").rstrip(".")
        except ValueError:
            return self._count(False)
        if any(self._covers(d, host) for d in self.blocked_domains):
            return self._count(False)
        if self.allowed_domains is None:
            return self._count(True)
        return self._count(any(self._covers(d, host) for d in self.allowed_domains))

    def __repr__(self) -> str:
        allowed = sorted(self.allowed_domains) if self.allowed_domains else None
        return f"DomainFilter(allowed={allowed}, blocked={sorted(self.blocked_domains)})"


#: Extensions that ``mimetypes`` may not know on a minimal system.
_EXTRA_TYPES = {
    "html": "text/html",
    "htm": "text/html",
    "php": "text/html",
    "asp": "text/html",
    "aspx": "text/html",
    "jsp": "text/html",
    "md": "text/markdown",
    "json": "application/json",
    "xml": "application/xml",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "csv": "text/csv",
    "webp": "image/webp",
}


class ContentTypeFilter(URLFilter):
    """Accepts URLs whose file extension has one of ``allowed_types`` (a MIME type or a
    part of one: ``"text/html"``, ``"image"``). A URL without an extension passes, since
    its type is only known once fetched; ``check_extension=False`` accepts everything."""

    def __init__(
        self,
        allowed_types: str | Sequence[str],
        check_extension: bool = True,
        ext_map: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        types = [allowed_types] if isinstance(allowed_types, str) else list(allowed_types)
        if not types or not all(isinstance(t, str) and t for t in types):
            raise TypeError(f"ContentTypeFilter.allowed_types must be MIME types, got {types!r}")
        self.allowed_types = frozenset(t.lower() for t in types)
        self.check_extension = check_extension
        self._ext_map = {**_EXTRA_TYPES, **dict(ext_map or {})}

    def _type_of(self, extension: str) -> str | None:
        known = self._ext_map.get(extension)
        if known is not None:
            return known
        guessed, _ = mimetypes.guess_type("x." + extension, strict=False)
        return guessed

    def apply(self, url: str) -> bool:
        """True when the URL's extension maps to an allowed type (or it has none)."""
        if not self.check_extension:
            return self._count(True)
        last = urlsplit(url).path.rsplit("/", 1)[-1]
        if "." not in last:
            return self._count(True)
        mime = self._type_of(last.rsplit(".", 1)[-1].lower())
        return self._count(mime is not None and any(t in mime for t in self.allowed_types))

    def __repr__(self) -> str:
        return f"ContentTypeFilter({sorted(self.allowed_types)!r})"


__all__ = [
    "ContentTypeFilter",
    "DomainFilter",
    "FilterChain",
    "FilterStats",
    "URLFilter",
    "URLPatternFilter",
]
