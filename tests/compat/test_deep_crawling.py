"""core/deep-crawling.md, ported (see README.md), against the small site in pages/site/."""

from __future__ import annotations

from seleniumcrawl import AsyncWebCrawler, CrawlerRunConfig
from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy

SITE_PAGES = {
    "index.html",
    "about.html",
    "docs/guide.html",
    "docs/tutorial.html",
    "docs/crawl-async-configuration.html",
    "blog/post-1.html",
    "blog/post-2.html",
}


def _paths(results, pages_url):
    base = pages_url("site/")
    return [r.url.removeprefix(base) for r in results]


async def test_1_quick_example(pages_url):
    """1 "Quick Example": a 2-level BFS crawl; every result has its depth."""
    from seleniumcrawl.content_scraping_strategy import LXMLWebScrapingStrategy

    config = CrawlerRunConfig(
        deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=2, include_external=False),
        scraping_strategy=LXMLWebScrapingStrategy(),
        verbose=True,
    )
    async with AsyncWebCrawler() as crawler:
        results = await crawler.arun(pages_url("site/index.html"), config=config)

        print(f"Crawled {len(results)} pages in total")

        # Access individual results
        for result in results[:3]:  # Show first 3 results
            print(f"URL: {result.url}")
            print(f"Depth: {result.metadata.get('depth', 0)}")
    assert len(results) == len(SITE_PAGES)
    assert set(_paths(results, pages_url)) == SITE_PAGES
    assert max(r.metadata["depth"] for r in results) == 2


async def test_3_1_non_streaming_mode(pages_url):
    """3.1: stream=False: the whole depth-1 crawl as a list, start page first."""
    seen = []

    def process_result(result):
        seen.append(result)

    config = CrawlerRunConfig(
        deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=1),
        stream=False,  # Default behavior
    )

    async with AsyncWebCrawler() as crawler:
        # Wait for ALL results to be collected before returning
        results = await crawler.arun(pages_url("site/index.html"), config=config)

        for result in results:
            process_result(result)
    paths = _paths(seen, pages_url)
    assert paths[0] == "index.html"
    assert set(paths) == {
        "index.html",
        "docs/guide.html",
        "blog/post-1.html",
        "blog/post-2.html",
        "about.html",
    }
    assert [r.metadata["depth"] for r in seen] == [0, 1, 1, 1, 1]


async def test_3_2_streaming_mode(pages_url):
    """3.2: stream=True: an async iterator of the same pages, as they finish."""
    seen = []

    def process_result(result):
        seen.append(result)

    config = CrawlerRunConfig(
        deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=1),
        stream=True,  # Enable streaming
    )

    async with AsyncWebCrawler() as crawler:
        # Returns an async iterator
        async for result in await crawler.arun(pages_url("site/index.html"), config=config):
            # Process each result as it becomes available
            process_result(result)
    assert len(seen) == 5 and all(r.success for r in seen)


async def test_4_1_basic_url_pattern_filter(pages_url):
    """4.1: only links matching *blog* or *docs* are followed."""
    from seleniumcrawl.deep_crawling.filters import FilterChain, URLPatternFilter

    # Only follow URLs containing "blog" or "docs"
    url_filter = URLPatternFilter(patterns=["*blog*", "*docs*"])

    config = CrawlerRunConfig(
        deep_crawl_strategy=BFSDeepCrawlStrategy(
            max_depth=1, filter_chain=FilterChain([url_filter])
        )
    )
    async with AsyncWebCrawler() as crawler:
        results = await crawler.arun(pages_url("site/index.html"), config=config)
    assert set(_paths(results, pages_url)) == {
        "index.html",
        "docs/guide.html",
        "blog/post-1.html",
        "blog/post-2.html",
    }


async def test_4_2_combining_multiple_filters(pages_url):
    """4.2: a DomainFilter allowing only docs.example.com: no link of this site passes."""
    from seleniumcrawl.deep_crawling.filters import (
        ContentTypeFilter,
        DomainFilter,
        FilterChain,
        URLPatternFilter,
    )

    # Create a chain of filters
    filter_chain = FilterChain(
        [
            # Only follow URLs with specific patterns
            URLPatternFilter(patterns=["*guide*", "*tutorial*"]),
            # Only crawl specific domains
            DomainFilter(
                allowed_domains=["docs.example.com"], blocked_domains=["old.docs.example.com"]
            ),
            # Only include specific content types
            ContentTypeFilter(allowed_types=["text/html"]),
        ]
    )

    config = CrawlerRunConfig(
        deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=2, filter_chain=filter_chain)
    )
    async with AsyncWebCrawler() as crawler:
        results = await crawler.arun(pages_url("site/index.html"), config=config)
    assert _paths(results, pages_url) == ["index.html"]


async def test_5_1_keyword_relevance_scorer(pages_url, capsys):
    """5.1: best-first with a keyword scorer; each result carries its score, printed."""
    from seleniumcrawl.deep_crawling import BestFirstCrawlingStrategy
    from seleniumcrawl.deep_crawling.scorers import KeywordRelevanceScorer

    # Create a keyword relevance scorer
    keyword_scorer = KeywordRelevanceScorer(
        keywords=["crawl", "example", "async", "configuration"],
        weight=0.7,  # Importance of this scorer (0.0 to 1.0)
    )

    config = CrawlerRunConfig(
        deep_crawl_strategy=BestFirstCrawlingStrategy(max_depth=2, url_scorer=keyword_scorer),
        stream=True,  # Recommended with BestFirstCrawling
    )

    # Results will come in order of relevance score
    async with AsyncWebCrawler() as crawler:
        async for result in await crawler.arun(pages_url("site/index.html"), config=config):
            score = result.metadata.get("score", 0)
            print(f"Score: {score:.2f} | {result.url}")
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Score:")]
    assert len(lines) == len(SITE_PAGES)
    best = max(lines, key=lambda line: float(line.split()[1]))
    assert "crawl-async-configuration.html" in best
