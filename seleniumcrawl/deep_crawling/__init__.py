"""Deep crawling with Crawl4AI's API: BFS, DFS and best-first from a start URL.

``CrawlerRunConfig(deep_crawl_strategy=BFSDeepCrawlStrategy(max_depth=2))`` makes
``arun`` return every page reached (a list; with ``stream=True`` an async iterator),
each with ``metadata["depth"]`` and ``metadata["parent_url"]``. ``state_path=`` keeps
the crawl in a SQLite file so that it survives being killed (README: "Crawls that
survive").

Modules: ``filters`` and ``scorers`` (which links, in what order of interest),
``base`` and ``strategies`` (the parameters and the three orders), ``traversal`` (one
crawl's frontier, run by the many-URL dispatcher), ``state`` (the SQLite file).
"""

from __future__ import annotations

from seleniumcrawl.deep_crawling.base import DeepCrawlStrategy
from seleniumcrawl.deep_crawling.filters import (
    ContentTypeFilter,
    DomainFilter,
    FilterChain,
    FilterStats,
    URLFilter,
    URLPatternFilter,
)
from seleniumcrawl.deep_crawling.scorers import KeywordRelevanceScorer, URLScorer
from seleniumcrawl.deep_crawling.strategies import (
    BestFirstCrawlingStrategy,
    BFSDeepCrawlStrategy,
    DFSDeepCrawlStrategy,
)

__all__ = [
    "BFSDeepCrawlStrategy",
    "BestFirstCrawlingStrategy",
    "ContentTypeFilter",
    "DFSDeepCrawlStrategy",
    "DeepCrawlStrategy",
    "DomainFilter",
    "FilterChain",
    "FilterStats",
    "KeywordRelevanceScorer",
    "URLFilter",
    "URLPatternFilter",
    "URLScorer",
]
