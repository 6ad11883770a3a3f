"""URL filters and the keyword scorer of deep crawls (Crawl4AI's semantics)."""

from __future__ import annotations

import re

import pytest

from seleniumcrawl.deep_crawling import (
    ContentTypeFilter,
    DomainFilter,
    FilterChain,
    KeywordRelevanceScorer,
    URLFilter,
    URLPatternFilter,
)


@pytest.mark.parametrize(
    ("pattern", "url", "expected"),
    [
        ("*.pdf", "https://a.test/docs/file.PDF", True),
        ("*.pdf", "https://a.test/docs/file.pdf?dl=1", True),
        ("*.pdf", "https://a.test/pdf/file.html", False),
        ("/docs/*", "https://a.test/docs/intro", True),
        ("/docs/*", "https://a.test/docs", True),
        ("/docs/*", "https://a.test/documents/x", False),
        ("/docs/*", "https://a.test/api/docs/x", False),
        ("https://a.test/blog/*", "https://a.test/blog/2024/x", True),
        ("https://a.test/blog/*", "https://b.test/blog/2024/x", False),
        ("*blog*", "https://a.test/2024/blog-post", True),
        ("*blog*", "https://a.test/2024/news", False),
        ("*/{news,blog}/*", "https://a.test/news/1", True),
        ("*/{news,blog}/*", "https://a.test/shop/1", False),
        ("^https://a\\.test/item/\\d+$", "https://a.test/item/42", True),
        ("^https://a\\.test/item/\\d+$", "https://a.test/item/42/edit", False),
    ],
)
def test_url_pattern_filter_kinds(pattern: str, url: str, expected: bool) -> None:
    """Suffix, path-prefix, URL-prefix, glob (with {a,b}) and regex patterns match as documented."""
    assert URLPatternFilter(pattern).apply(url) is expected


def test_url_pattern_filter_reverse_regex_objects_and_stats() -> None:
    """reverse=True refuses matches; compiled regexes are searched; stats count each call."""
    refuse = URLPatternFilter([re.compile(r"/private/"), "*.zip"], reverse=True)
    assert refuse.apply("https://a.test/private/x") is False
    assert refuse.apply("https://a.test/a.zip") is False
    assert refuse.apply("https://a.test/public") is True
    assert (refuse.stats.total_urls, refuse.stats.passed_urls, refuse.stats.rejected_urls) == (
        3,
        1,
        2,
    )
    assert URLPatternFilter("item-[0-9]", use_glob=False).apply("https://a.test/item-7") is True
    with pytest.raises(ValueError, match="patterns must not be empty"):
        URLPatternFilter([])


def test_domain_filter_allows_subdomains_and_blocks_first() -> None:
    """Allowed domains cover their subdomains; blocked ones win; ports are ignored."""
    only = DomainFilter(allowed_domains=["example.com"], blocked_domains="ads.example.com")
    assert only.apply("https://docs.example.com:8443/x") is True
    assert only.apply("https://example.com/") is True
    assert only.apply("https://ads.example.com/x") is False
    assert only.apply("https://notexample.com/") is False
    assert DomainFilter(blocked_domains=["bad.test"]).apply("http://127.0.0.1:9/") is True
    with pytest.raises(TypeError, match="allowed_domains"):
        DomainFilter(allowed_domains=[""])


def test_content_type_filter_by_extension() -> None:
    """Extensions map to MIME types; URLs without an extension pass (type unknown yet)."""
    html = ContentTypeFilter("text/html")
    assert html.apply("https://a.test/page.html") is True
    assert html.apply("https://a.test/page") is True
    assert html.apply("https://a.test/report.pdf") is False
    images = ContentTypeFilter(["image"])
    assert (
        images.apply("https://a.test/a.png") is True
        and images.apply("https://a.test/a.css") is False
    )
    assert (
        ContentTypeFilter("text/html", check_extension=False).apply("https://a.test/a.pdf") is True
    )


def test_filter_chain_needs_every_filter_and_counts() -> None:
    """A chain accepts only what every filter accepts; add_filter chains; async filters work."""

    class AsyncFilter(URLFilter):
        def apply(self, url: str) -> bool:
            async def decide() -> bool:
                return "keep" in url

            return decide()  # type: ignore[return-value]

    chain = (
        FilterChain().add_filter(DomainFilter(allowed_domains="a.test")).add_filter(AsyncFilter())
    )
    assert chain.apply("https://a.test/keep") is True
    assert chain.apply("https://a.test/drop") is False
    assert chain.apply("https://b.test/keep") is False
    assert (chain.stats.total_urls, chain.stats.passed_urls) == (3, 1)
    assert FilterChain().apply("anything") is True
    with pytest.raises(TypeError, match="FilterChain takes URLFilter"):
        FilterChain([object()])  # type: ignore[list-item]


def test_keyword_relevance_scorer() -> None:
    """Score: the share of keywords in the URL, times the weight; case-insensitive by default."""
    scorer = KeywordRelevanceScorer(["Python", "docs", "api"], weight=2.0)
    assert scorer.score("https://a.test/python/DOCS/api") == 2.0
    assert scorer.score("https://a.test/python/intro") == pytest.approx(2 / 3)
    assert scorer.score("https://a.test/java") == 0.0
    strict = KeywordRelevanceScorer(["Python"], case_sensitive=True)
    assert (
        strict.score("https://a.test/python") == 0.0
        and strict.score("https://a.test/Python") == 1.0
    )
    assert scorer.stats.urls_scored == 3 and scorer.stats.max_score == 2.0
    with pytest.raises(TypeError, match="keywords"):
        KeywordRelevanceScorer([])
