"""The three traversal orders. They differ only in which queued page is crawled next.

With one crawl at a time (``session_id``, or a dispatcher of concurrency 1) the order
is exactly the textbook one. With several at once, pages are *started* in this order
and results come out in the order pages were started; for BFS that is the discovery
order, the same as a one-at-a-time BFS would give, because links are followed in that
order too (see :mod:`seleniumcrawl.deep_crawling.traversal`).
"""

from __future__ import annotations

from seleniumcrawl.deep_crawling.base import DeepCrawlStrategy
from seleniumcrawl.deep_crawling.state import Node


class BFSDeepCrawlStrategy(DeepCrawlStrategy):
    """Breadth-first: every page at depth d before any at depth d + 1, each level in
    the order its links were found (a page's links in document order)."""

    strategy_type = "bfs"

    def order_key(self, node: Node) -> tuple[float, ...]:
        return (node.seq,)


class DFSDeepCrawlStrategy(DeepCrawlStrategy):
    """Depth-first: the links of the page crawled last come next (in document order), so
    one branch is explored to ``max_depth`` before its siblings."""

    strategy_type = "dfs"

    def order_key(self, node: Node) -> tuple[float, ...]:
        return (-node.batch, node.seq)


class BestFirstCrawlingStrategy(DeepCrawlStrategy):
    """Highest ``url_scorer`` score first (ties: discovery order); without a scorer
    every score is 0 and the order is breadth-first."""

    strategy_type = "best_first"

    def order_key(self, node: Node) -> tuple[float, ...]:
        return (-node.score, node.seq)


__all__ = ["BFSDeepCrawlStrategy", "BestFirstCrawlingStrategy", "DFSDeepCrawlStrategy"]
