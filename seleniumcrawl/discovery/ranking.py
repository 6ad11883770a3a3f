"""Which discovered URLs to keep and in what order: patterns, utility URLs, BM25 scores."""

from __future__ import annotations

import fnmatch
import re
from urllib.parse import unquote, urlsplit

from seleniumcrawl.content.filters import bm25_scores

_UTILITY_FILES = (
    "robots.txt", "ads.txt", "humans.txt", "security.txt", "crossdomain.xml",
    "browserconfig.xml", "manifest.json", "apple-app-site-association", "favicon.ico",
    "apple-touch-icon.png", "android-chrome-192x192.png",
)  # fmt: skip
_NON_CONTENT = (
    "/wp-admin", "/wp-includes", "/wp-content/uploads", "/admin", "/login", "/signin",
    "/signup", "/register", "/checkout", "/cart", "/account", "/profile", "/search",
    "/404", "/error", "/cgi-bin", "/scripts", "/includes",
)  # fmt: skip
_SHORT_OK = ("", "en", "de", "fr", "es", "it")
_WORD = re.compile(r"[^\W_]+")


def matches(url: str, pattern: str) -> bool:
    """Crawl4AI's glob match: the whole URL, or the URL without its scheme (and ``www.``)."""
    if pattern in ("", "*") or fnmatch.fnmatchcase(url, pattern):
        return True
    bare = url.split("://", 1)[-1]
    return fnmatch.fnmatchcase(bare, pattern) or (
        bare.startswith("www.") and fnmatch.fnmatchcase(bare[4:], pattern)
    )


def is_nonsense(url: str) -> bool:
    """A utility URL that no one wants crawled (Crawl4AI's ``filter_nonsense_urls`` rules):
    robots.txt, sitemaps, favicons, hidden paths, login/cart/admin pages, print views,
    paths of one or two characters. Unlike Crawl4AI, ``/login``-like markers count only
    as the path's first segments (``/blog/administration`` and ``/page/404`` are pages)."""
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    if name in _UTILITY_FILES:
        return True
    if "/sitemap" in path and path.endswith((".xml", ".xml.gz", ".txt")):
        return True
    if any(part.startswith(".") for part in path.split("/") if part):
        return True
    if any(path == m or path.startswith((m + "/", m + ".")) for m in _NON_CONTENT):
        return True
    if any(p in url.lower() for p in ("?print=", "&print=", "/print/", "_print.")):
        return True
    return len(path.strip("/")) < 3 and path.strip("/") not in _SHORT_OK


def words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (underscores and punctuation split words)."""
    return _WORD.findall(text.lower())


def url_words(url: str) -> list[str]:
    """The words of a URL's path and query (what a URL says without its page)."""
    parts = urlsplit(url)
    return words(unquote(f"{parts.path} {parts.query}"))


def relevance(query: str, documents: list[list[str]]) -> list[float]:
    """BM25 scores of ``documents`` for ``query``, scaled to 0..1 as Crawl4AI does
    (min-max over the set; all equal gives 0.5 each, no query word anywhere 0.0)."""
    if not documents:
        return []
    scores = bm25_scores(documents, words(query))
    low, high = min(scores), max(scores)
    if high == low:
        return [0.0 if high == 0 else 0.5] * len(scores)
    return [(s - low) / (high - low) for s in scores]


__all__ = ["is_nonsense", "matches", "relevance", "url_words", "words"]
