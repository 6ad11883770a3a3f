"""One worker of a deep crawl whose frontier is shared (``state_url="redis://..."``).

:class:`SharedTraversal` is the dispatcher backlog of such a worker, as
:class:`~seleniumcrawl.deep_crawling.traversal.Traversal` is of a crawl alone: its
workers lease pages from the shared frontier
(:class:`~seleniumcrawl.deep_crawling.redis_frontier.RedisFrontier`) instead of a heap
in memory, and commit each finished page there with the links found on it.

- Results come out in this worker's completion order (no global order across workers);
  BFS leases every page of a level before any of the next, across workers.
- ``max_pages`` holds for the whole crawl: a page is leased only while the crawl's
  successes plus the pages leased (by any worker) stay below it.
- A heartbeat thread renews this worker's leases every third of ``lease_seconds``; a
  worker that stops (killed, frozen, cut off) loses them, and its pages go to others.
  A commit refused for a lost lease drops the result (another worker owns the page now).
- ``CrawlerRunConfig.mean_delay`` paces each host for the whole crawl (through Redis):
  ten workers do not start pages on one host ten times as often as one would.
- A page committed is never crawled again. A worker killed mid-crawl costs at most its
  pages in flight (its concurrency), crawled again by other workers; the results it had
  yielded but its caller had not used are gone with it (``results="redis"`` keeps them in
  a stream instead).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from seleniumcrawl.dispatcher import UNTIL_A_CRAWL_FINISHES, Unit, WorkItem, domain_of
from seleniumcrawl.urls import normalize_url

if TYPE_CHECKING:
    from seleniumcrawl.config import CrawlerRunConfig
    from seleniumcrawl.deep_crawling.base import DeepCrawlStrategy
    from seleniumcrawl.deep_crawling.redis_frontier import Lease, RedisFrontier
    from seleniumcrawl.deep_crawling.state import Node
    from seleniumcrawl.models import CrawlResult

logger = logging.getLogger(__name__)

#: How often a worker with nothing to lease asks again while other workers hold pages
#: (their pages may bring links; their leases may expire).
POLL_SECONDS = 0.25


class SharedTraversal:
    """One worker's view of a shared deep crawl (a dispatcher backlog); thread-safe."""

    def __init__(
        self,
        strategy: DeepCrawlStrategy,
        start_url: str,
        config: CrawlerRunConfig,
        frontier: RedisFrontier,
        *,
        stream_results: bool = False,
        closed: Callable[[], bool] = lambda: False,
    ) -> None:
        start = normalize_url(start_url)
        if start is None:
            raise ValueError(f"a deep crawl starts from an http(s) URL, got {start_url!r}")
        self.strategy = strategy
        self.start_url = start
        self.frontier = frontier
        self._page_config = config.clone(deep_crawl_strategy=None, stream=False)
        self._one_at_a_time = config.session_id is not None
        self._stream = stream_results
        self._closed = closed
        self._lock = threading.Lock()
        self._held: dict[int, Lease] = {}  # item index -> lease, while its page is crawled
        self._waiting: Lease | None = None  # leased, its domain not free yet
        self._next_index = self._handed = 0
        self._rng = random.Random()
        self.pages_done = self.successes = self.refused = 0
        frontier.ping()
        frontier.begin(start, strategy.strategy_type, strategy.score(start))
        self._stop = threading.Event()
        self._heartbeat = threading.Thread(
            target=self._renew_leases, name="seleniumcrawl-lease-heartbeat", daemon=True
        )
        self._heartbeat.start()

    # -- leases -------------------------------------------------------------------------------

    def _leases(self) -> list[Lease]:
        with self._lock:
            held = list(self._held.values())
            if self._waiting is not None:
                held.append(self._waiting)
            return held

    def _renew_leases(self) -> None:
        interval = self.frontier.lease_ms / 3000
        while not self._stop.wait(interval):
            try:
                lost = self.frontier.renew(self._leases())
            except Exception as exc:  # Redis down: the commits will say so
                logger.warning("lease renewal failed: %s", exc)
                continue
            for url in lost:
                logger.warning("lease of %s lost (expired): another worker may own it", url)

    # -- the Backlog protocol -------------------------------------------------------------

    def preload(self) -> list[tuple[int, CrawlResult]]:
        return []

    def take(self, reserve: Callable[[WorkItem], float]) -> Unit | float | None:
        with self._lock:
            if self._one_at_a_time and self._held:
                return UNTIL_A_CRAWL_FINISHES
            lease = self._waiting
            if lease is None:
                got = self.frontier.lease(self.strategy.max_pages)
                if not isinstance(got, tuple):
                    lease = got
                else:
                    return self._nothing_now(*got)
            item = WorkItem(
                self._next_index, lease.node.url, self._page_config, domain_of(lease.node.url)
            )
            wait = self._pace(item) or reserve(item)
            if wait > 0:
                self._waiting = lease
                return wait
            self._waiting = None
            self._held[item.index] = lease
            self._next_index += 1
            return (item,)

    def _pace(self, item: WorkItem) -> float:
        """With ``mean_delay``, the host's pacing is the crawl's, not this worker's: a page
        starts once the host's shared next start has come (its gap jittered as locally)."""
        mean = self._page_config.mean_delay
        if mean <= 0 or not item.domain:
            return 0.0
        return self.frontier.pace(item.domain, self._rng.uniform(0.5 * mean, 1.5 * mean))

    def _nothing_now(self, why: str, leased: int, successes: int) -> float | None:
        """No page to lease: wait for ours, poll for others', or end (under the lock)."""
        mine = len(self._held)
        over = why == "limit" and successes >= self.strategy.max_pages
        if leased > mine and not over:  # others' pages may bring links, or fail and free room
            return POLL_SECONDS
        if mine:
            return UNTIL_A_CRAWL_FINISHES
        self.frontier.mark_finished()  # nothing queued and leased, or max_pages done
        return None

    def finish(self, item: WorkItem, result: CrawlResult) -> list[tuple[int, CrawlResult]]:
        with self._lock:
            lease = self._held.pop(item.index)
        if self._closed() or result.error_type == "closed":
            logger.debug("%s goes back to the queue: the crawler closed", lease.node.url)
            self.frontier.release([lease])
            return []
        self._annotate(lease.node, result)
        landed = normalize_url(result.redirected_url) if result.redirected_url else None
        committed = self.frontier.commit(
            lease,
            result,
            self._links(lease.node, result),
            mode=self.strategy.strategy_type,
            landed=landed,
            stream=self._stream,
        )
        with self._lock:
            if not committed:
                self.refused += 1
                logger.warning(
                    "result of %s dropped: its lease expired and the page is another "
                    "worker's now (fencing token %s)",
                    lease.node.url,
                    lease.token,
                )
                return []
            self.pages_done += 1
            self.successes += bool(result.success)
            self._handed += 1
            return [(item.index, result)]

    def total(self) -> int:
        with self._lock:
            return self._handed + len(self._held)

    def workers(self, concurrency: int) -> int:
        return 1 if self._one_at_a_time else concurrency

    # -- links -----------------------------------------------------------------------------

    def _annotate(self, node: Node, result: CrawlResult) -> None:
        result.metadata = dict(result.metadata or {})
        result.metadata["depth"] = node.depth
        result.metadata["parent_url"] = node.parent_url
        if self.strategy.url_scorer is not None:
            result.metadata["score"] = node.score

    def _links(self, node: Node, result: CrawlResult) -> list[tuple[str, int, float]]:
        """The links of a finished page to queue (url, depth, score), in document order;
        the frontier drops those already seen by any worker."""
        strategy = self.strategy
        if not result.success or node.depth >= strategy.max_depth:
            return []
        links = list(result.links.get("internal", []))
        if strategy.include_external:
            links += result.links.get("external", [])
        base = result.redirected_url or node.url
        found: dict[str, float] = {}
        for link in links:
            url = normalize_url(link.get("href", ""), base)
            if url is None or url in found or not strategy.follows(url, node.depth + 1):
                continue
            score = strategy.score(url)
            if score >= strategy.score_threshold:
                found[url] = score
        return [(url, node.depth + 1, score) for url, score in found.items()]

    # -- the caller's side --------------------------------------------------------------------

    def acknowledge(self, ids: list[int]) -> None:
        """Nothing to do: a page's commit already recorded it (results are not kept)."""

    def state_after(self, index: int) -> dict[str, Any]:
        """``on_state_change``'s dict: this worker's counts (the frontier is in Redis)."""
        with self._lock:
            return {
                "strategy_type": self.strategy.strategy_type,
                "crawl_id": self.frontier.crawl_id,
                "worker_id": self.frontier.worker_id,
                "pages_crawled": self.successes,
                "cancelled": False,
            }

    def close(self) -> None:
        """Stop renewing, give back a page leased but not started, close (idempotent)."""
        self._stop.set()
        if self._heartbeat.is_alive() and self._heartbeat is not threading.current_thread():
            self._heartbeat.join()
        with self._lock:
            left = list(self._held.values())
            if self._waiting is not None:
                left.append(self._waiting)
            self._held.clear()
            self._waiting = None
        try:
            self.frontier.release(left)
        except Exception as exc:  # they expire by themselves
            logger.warning("could not give back %d leased pages: %s", len(left), exc)
        finally:
            self.frontier.close()
        logger.info(
            "worker %s of crawl %s: %d pages done (%d successful), %d refused",
            self.frontier.worker_id,
            self.frontier.crawl_id,
            self.pages_done,
            self.successes,
            self.refused,
        )


__all__ = ["POLL_SECONDS", "SharedTraversal"]
