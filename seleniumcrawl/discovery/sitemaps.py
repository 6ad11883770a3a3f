"""Reading one sitemap as it downloads: XML sitemaps and indexes, gzip, text, RSS and Atom.

:func:`parse_sitemap` takes the response body as a stream and yields what it names, one
:class:`SitemapItem` at a time: a page (``kind="url"``) or another sitemap
(``kind="sitemap"``, from a sitemap index). Nothing is held whole: gzip is decompressed
as it is read, XML is read with lxml's ``iterparse`` and each element is dropped once
read, so a sitemap of 50,000 URLs (the protocol's limit) costs the memory of one entry.

The formats (https://www.sitemaps.org/protocol.html, RSS 2.0, RSS 1.0, Atom 1.0):

- ``<urlset>``: ``<url><loc>`` with an optional ``<lastmod>``;
- ``<sitemapindex>``: ``<sitemap><loc>`` (another sitemap) with ``<lastmod>``;
- RSS: each ``<item>``'s ``<link>`` and ``<pubDate>`` (or ``dc:date``);
- Atom: each ``<entry>``'s ``<link href>`` (``rel="alternate"`` or none) and ``<updated>``;
- text: one absolute http(s) URL per line (UTF-8);
- any of them gzipped (found by the gzip magic number, not by the file name).

What a site gets wrong is a warning naming the sitemap, never an exception: bad XML
stops that sitemap where it broke (the entries before stand), a root element in another
namespace than the protocol's is read anyway. A sitemap larger than ``max_bytes`` once
decompressed (a gzip bomb) is cut there, with a warning saying so.

Why not ``ultimate-sitemap-parser`` (USP, read at its 1.x source): it does take our own
fetcher (``sitemap_tree_for_homepage(web_client=...)``), but its client interface hands
over each body whole (``raw_data() -> bytes``, up to 100 MB), each sitemap's pages are
collected into a list (then pickled to a temporary file) and the result is the site's
whole tree; its size cap (100 MB) and recursion cap (11 levels) are private constants,
and it probes its own list of known sitemap paths. Streaming one entry at a time, caps
from :class:`~seleniumcrawl.discovery.SeedingConfig` and warnings per sitemap needed a
reader of our own; lxml (already a dependency) does the XML.
"""

from __future__ import annotations

import email.utils
import gzip
import io
import logging
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any, Literal

import attrs
from lxml import etree

logger = logging.getLogger(__name__)

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_NS = "http://www.w3.org/2005/Atom"
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 64 * 1024

Warn = Callable[[str], None]


@attrs.frozen
class SitemapItem:
    """One entry of a sitemap: a page (``"url"``) or, in an index, another sitemap."""

    kind: Literal["url", "sitemap"]
    url: str
    lastmod: str | None = None


class SitemapTooLarge(Exception):
    """The sitemap went past its size cap once decompressed."""


class _Reader(io.RawIOBase):
    """A byte stream from ``head`` then ``rest``, raising once more than ``limit`` bytes
    have been read (the limit applies to what the parser sees, after gunzip)."""

    def __init__(self, head: bytes, rest: IO[bytes] | None, limit: int | None = None) -> None:
        self._head = head
        self._rest = rest
        self._limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = _CHUNK if size is None or size < 0 else size
        if self._head:
            data, self._head = self._head[:want], self._head[want:]
        elif self._rest is not None:
            data = self._rest.read(want)
        else:
            data = b""
        self.count += len(data)
        if self._limit is not None and self.count > self._limit:
            raise SitemapTooLarge(f"more than {self._limit} bytes once decompressed")
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _local(tag: object) -> tuple[str, str]:
    """``(namespace, local name)`` of an lxml tag ("{ns}name")."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _child_text(elem: Any, *names: str) -> str | None:
    for child in elem:
        if _local(child.tag)[1] in names and child.text and child.text.strip():
            return str(child.text.strip())
    return None


def _feed_date(text: str | None) -> str | None:
    """An RSS date (RFC 822) as ISO 8601; other text as it is."""
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text


def _atom_link(entry: Any) -> str | None:
    for child in entry:
        if _local(child.tag)[1] == "link" and child.get("rel", "alternate") == "alternate":
            href = child.get("href")
            if href:
                return str(href.strip())
    return None


def _drop(elem: Any) -> None:
    """Free what has been read: the element and the siblings before it."""
    elem.clear()
    parent = elem.getparent()
    if parent is not None:
        while elem.getprevious() is not None:
            del parent[0]


_ENTRY = {"urlset": "url", "sitemapindex": "sitemap", "rss": "item", "rdf": "item", "feed": "entry"}


def _xml_items(source: str, stream: IO[bytes], warn: Warn) -> Iterator[SitemapItem]:
    events = etree.iterparse(
        stream,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    root_kind = ""
    entry_tag = ""
    for event, elem in events:
        ns, name = _local(elem.tag)
        if not root_kind:
            root_kind = "rdf" if name == "RDF" else name
            if root_kind not in _ENTRY:
                warn(f"sitemap {source}: root element <{name}> is no sitemap or feed; skipped")
                return
            entry_tag = _ENTRY[root_kind]
            if root_kind in ("urlset", "sitemapindex") and ns != SITEMAP_NS:
                warn(
                    f"sitemap {source}: <{name}> in namespace {ns or 'none'!r}, not the "
                    f"sitemap protocol's {SITEMAP_NS!r}; read anyway"
                )
            continue
        if event != "end" or name != entry_tag:
            continue
        item = _entry(root_kind, elem)
        _drop(elem)
        if item is not None:
            yield item


def _entry(root_kind: str, elem: Any) -> SitemapItem | None:
    if root_kind in ("urlset", "sitemapindex"):
        loc = _child_text(elem, "loc")
        kind: Literal["url", "sitemap"] = "url" if root_kind == "urlset" else "sitemap"
        return SitemapItem(kind, loc, _child_text(elem, "lastmod")) if loc else None
    if root_kind == "feed":
        link = _atom_link(elem)
        date = _child_text(elem, "updated", "published")
        return SitemapItem("url", link, date) if link else None
    link = _child_text(elem, "link") or elem.get(
        "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
    )
    date = _feed_date(_child_text(elem, "pubDate", "date"))
    return SitemapItem("url", link, date) if link else None


def _text_items(source: str, stream: IO[bytes], warn: Warn) -> Iterator[SitemapItem]:
    other = 0
    for raw in io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace"):
        line = raw.strip()
        if line.startswith(("http://", "https://")):
            yield SitemapItem("url", line)
        elif line:
            other += 1
    if other:
        warn(f"sitemap {source}: {other} lines that are not http(s) URLs ignored")


def parse_sitemap(
    source: str,
    body: IO[bytes],
    *,
    max_bytes: int,
    warn: Warn | None = None,
) -> Iterator[SitemapItem]:
    """The entries of one sitemap body, read as they arrive. ``source`` (the sitemap's
    URL) names the sitemap in warnings, which go to ``warn`` (default: this module's
    logger). Stops with a warning at ``max_bytes`` of decompressed content."""
    say: Warn = warn or logger.warning
    try:
        yield from _items(source, body, max_bytes, say)
    except SitemapTooLarge:
        say(
            f"sitemap {source}: more than {max_bytes} bytes once decompressed (a gzip bomb?); "
            "stopped reading it there"
        )
    except etree.XMLSyntaxError as exc:
        say(f"sitemap {source}: bad XML ({exc}); entries before the error kept")
    except (OSError, EOFError, zlib.error) as exc:
        say(f"sitemap {source}: unreadable ({type(exc).__name__}: {exc}); entries before kept")


def _items(source: str, body: IO[bytes], max_bytes: int, say: Warn) -> Iterator[SitemapItem]:
    head = body.read(2)
    stream: IO[bytes] = _Reader(head, body)  # type: ignore[assignment]
    if head == _GZIP_MAGIC:
        stream = gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[assignment]
    first = stream.read(512)
    capped: IO[bytes] = _Reader(first, stream, limit=max_bytes)  # type: ignore[assignment]
    start = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    items = _xml_items if start.startswith(b"<") else _text_items
    yield from items(source, capped, say)


__all__ = ["SITEMAP_NS", "SitemapItem", "SitemapTooLarge", "parse_sitemap"]
