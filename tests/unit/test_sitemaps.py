"""The sitemap reader, head parser and ranking helpers, on bytes in memory (no server)."""

from __future__ import annotations

import gzip
import io
import tracemalloc

import pytest

from seleniumcrawl.discovery.head import head_text, parse_head
from seleniumcrawl.discovery.ranking import is_nonsense, matches, relevance, url_words
from seleniumcrawl.discovery.sitemaps import SitemapItem, parse_sitemap
from tests.sitemap_site import atom, index, rss, urlset


def _read(body: bytes, max_bytes: int = 10**7) -> tuple[list[SitemapItem], list[str]]:
    warnings: list[str] = []
    items = list(parse_sitemap("S", io.BytesIO(body), max_bytes=max_bytes, warn=warnings.append))
    return items, warnings


def test_urlset_index_text_and_feeds() -> None:
    """Each format gives its entries: urlset (loc, lastmod), index (sitemaps), text lines,
    Atom entries (link href, updated), RSS items (link, pubDate as ISO 8601)."""
    assert _read(urlset([("http://a/1", "2024-01-01"), ("http://a/2", None)]))[0] == [
        SitemapItem("url", "http://a/1", "2024-01-01"),
        SitemapItem("url", "http://a/2"),
    ]
    assert _read(index(["http://a/s.xml"]))[0] == [SitemapItem("sitemap", "http://a/s.xml")]
    assert _read(b"\xef\xbb\xbfhttp://a/1\r\nhttps://a/2\n")[0] == [
        SitemapItem("url", "http://a/1"),
        SitemapItem("url", "https://a/2"),
    ]
    assert _read(atom([("http://a/p", "2024-02-02T00:00:00Z")]))[0] == [
        SitemapItem("url", "http://a/p", "2024-02-02T00:00:00Z")
    ]
    assert _read(rss([("http://a/n", "Mon, 01 Jan 2024 10:00:00 GMT")]))[0] == [
        SitemapItem("url", "http://a/n", "2024-01-01T10:00:00+00:00")
    ]


def test_gzip_is_found_by_its_magic_number() -> None:
    """A gzipped sitemap is read whatever its name or Content-Type."""
    items, warnings = _read(gzip.compress(urlset([("http://a/1", None)])))
    assert items == [SitemapItem("url", "http://a/1")] and warnings == []


def test_broken_input_warns_naming_the_sitemap() -> None:
    """Truncated XML keeps the entries before the break; a foreign root element, a wrong
    namespace, lines that are not URLs and a corrupt gzip each give a warning."""
    body = urlset([("http://a/1", None), ("http://a/2", None)])
    items, warnings = _read(body[:-25])
    assert items == [SitemapItem("url", "http://a/1")]
    assert warnings[0].startswith("sitemap S: bad XML")
    assert _read(b"<html><body/></html>")[1] == [
        "sitemap S: root element <html> is no sitemap or feed; skipped"
    ]
    items, warnings = _read(urlset([("http://a/1", None)], ns="urn:x"))
    assert items and "namespace 'urn:x'" in warnings[0]
    assert _read(b"http://a/1\nnot a url\n")[1] == [
        "sitemap S: 1 lines that are not http(s) URLs ignored"
    ]
    assert _read(b"\x1f\x8b\x08\x00garbage")[1][0].startswith("sitemap S: unreadable")


def test_gzip_bomb_is_cut_at_the_cap_with_bounded_memory() -> None:
    """64 MiB of gzip-inflated whitespace stops at max_bytes (4 MiB here); the reader's own
    allocations stay far below the inflated size (nothing is held whole)."""
    bomb = gzip.compress(urlset([("http://a/1", None)])[:-9] + b" " * (64 * 1024 * 1024))
    tracemalloc.start()
    items, warnings = _read(bomb, max_bytes=4 * 1024 * 1024)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert items == [SitemapItem("url", "http://a/1")]
    assert "more than 4194304 bytes once decompressed" in warnings[0]
    assert peak < 8 * 1024 * 1024


def test_xml_entities_are_not_expanded() -> None:
    """A billion-laughs DTD does not blow up: entities are not resolved."""
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>http://a/&lol2;</loc></url></urlset>"
    )
    items, _ = _read(lol)
    assert all("lollol" not in i.url for i in items)


def test_head_parse_and_text() -> None:
    """parse_head gives Crawl4AI's head_data; head_text joins the words BM25 scores."""
    head = parse_head(
        b'<html lang="de"><head><meta charset="UTF-8"><title> T </title>'
        b'<meta property="og:title" content="OG"><link rel="alternate stylesheet" href="/x">'
        b'<script type="application/ld+json">{"@graph": [{"name": "G"}]}</script>'
        b'<script type="application/ld+json">{broken</script></head>'
    )
    assert head["title"] == "T" and head["lang"] == "de" and head["charset"] == "utf-8"
    assert head["link"]["alternate"] == head["link"]["stylesheet"] == [{"href": "/x"}]
    assert head["jsonld"] == [{"@graph": [{"name": "G"}]}]
    assert head_text(head) == "T OG G"
    assert parse_head(b"") == {}


@pytest.mark.parametrize(
    ("url", "nonsense"),
    [
        ("http://a/robots.txt", True),
        ("http://a/sitemap-2.xml.gz", True),
        ("http://a/.git/config", True),
        ("http://a/login", True),
        ("http://a/cart/items", True),
        ("http://a/x", True),
        ("http://a/", False),
        ("http://a/en", False),
        ("http://a/blog/administration", False),
        ("http://a/page/404", False),
        ("http://a/docs/print/3", True),
    ],
)
def test_nonsense_urls(url: str, nonsense: bool) -> None:
    """filter_nonsense_urls drops utility URLs and keeps pages."""
    assert is_nonsense(url) is nonsense


def test_patterns_and_relevance() -> None:
    """Globs match the URL with or without its scheme and www.; BM25 scores scale to 0..1."""
    assert matches("https://www.a.com/blog/x", "a.com/blog/*")
    assert matches("https://a.com/blog/x", "*/blog/*")
    assert not matches("https://a.com/docs/x", "*/blog/*")
    assert url_words("http://a/Python_Tips/intro-2?q=x") == [
        "python",
        "tips",
        "intro",
        "2",
        "q",
        "x",
    ]
    scores = relevance("python", [["python", "tips"], ["java"], ["python", "python"]])
    assert max(scores) == 1.0 and scores[1] == 0.0
    assert relevance("rust", [["python"], ["java"]]) == [0.0, 0.0]
    assert relevance("python", []) == []
