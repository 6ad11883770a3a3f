"""One deep crawl: its frontier, fed to the many-URL dispatcher as a backlog.

:class:`Traversal` is a :class:`~seleniumcrawl.dispatcher.Backlog`: the dispatcher's
workers take pages from it (so concurrency, retries, rate limits, memory admission and
pacing are the same as for ``arun_many``) and hand each finished page back.

Order. Pages start in the strategy's order (:meth:`DeepCrawlStrategy.order_key`). A
finished page waits until every page started before it has finished; then, in start
order, its links are followed (new pages get the next discovery numbers) and its result
is handed out. So results come out in start order, and for BFS the discovery order is
exactly that of a one-page-at-a-time BFS, however the crawls overlap.

Limits. A page starts only while ``successes + pages in flight < max_pages``, so a crawl
ends with exactly ``max_pages`` successful pages when the site has them (a failure frees
its place for the next page). Links are followed up to ``max_depth``; each URL once, in
its normalised spelling (:func:`seleniumcrawl.urls.normalize_url`).

Survival (``state_path``). Each finished page is committed with its result before
anything else happens to it; a result leaves the state file once the caller has it
(the list returned, or, streaming, when the next result is asked for or the stream is
closed). A crawl started again on the file first hands out the results stored there,
then goes on with the frontier; pages that were in flight when the last crawl ended
are fetched again, no finished page is.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.deep_crawling.base import DeepCrawlStrategy, call_state_callback
from seleniumcrawl.deep_crawling.shared import SharedTraversal
from seleniumcrawl.deep_crawling.state import (
    Fetched,
    MemoryState,
    Node,
    Snapshot,
    SqliteState,
    StateStore,
)
from seleniumcrawl.dispatcher import (
    UNTIL_A_CRAWL_FINISHES,
    Dispatcher,
    Unit,
    WorkItem,
    aiter_run,
    domain_of,
)
from seleniumcrawl.models import CrawlResult
from seleniumcrawl.urls import normalize_url

logger = logging.getLogger(__name__)


class Traversal:
    """The frontier and bookkeeping of one deep crawl (a dispatcher backlog); thread-safe.

    ``closed()`` tells when the crawler is shutting down: results arriving then are
    failures of the shutdown, not of the pages, and are not recorded (the pages stay
    queued for the next run).
    """

    def __init__(
        self,
        strategy: DeepCrawlStrategy,
        start_url: str,
        config: CrawlerRunConfig,
        *,
        store: StateStore | None = None,
        closed: Callable[[], bool] = lambda: False,
    ) -> None:
        start = normalize_url(start_url)
        if start is None:
            raise ValueError(f"a deep crawl starts from an http(s) URL, got {start_url!r}")
        self.strategy = strategy
        self.start_url = start
        self._page_config = config.clone(deep_crawl_strategy=None, stream=False)
        self._one_at_a_time = config.session_id is not None
        self._store: StateStore = store or MemoryState()
        self._closed = closed
        self._lock = threading.Lock()  # the frontier and bookkeeping
        # SQLite commits happen under this one, not _lock: a worker taking the next page
        # never waits for the disk. The dispatcher calls finish() one at a time, so
        # commits still land in the order the state changed.
        self._store_lock = threading.Lock()
        self._heap: list[tuple[tuple[float, ...], Node]] = []
        self._seen: set[str] = set()
        self._running: dict[int, Node] = {}
        self._buffer: dict[int, Fetched] = {}
        self._emitted: dict[int, str] = {}  # output id -> URL, until the caller has it
        self._states: dict[int, dict[str, Any]] = {}  # output id -> state after that page
        self._preload: list[tuple[int, CrawlResult]] = []
        self._next_start = self._next_emit = self._handed = 0
        self._next_seq = self._next_batch = self._emit_base = 0
        self.pages_done = 0  # fetched in this run and earlier ones
        self.successes = 0
        self._limit_logged = False
        snapshot = self._store.load()
        if snapshot is not None:
            self._resume(snapshot)
        elif strategy.resume_state is not None:
            self._adopt(strategy.resume_state)
        else:
            self._seed()

    # -- starting points ---------------------------------------------------------------

    def _push(self, node: Node) -> None:
        heapq.heappush(self._heap, (self.strategy.order_key(node), node))

    def _seed(self) -> None:
        root = Node(self.start_url, 0, None, 0, self.strategy.score(self.start_url), 0)
        self._seen.add(root.url)
        self._push(root)
        self._next_seq = self._next_batch = 1
        self._store.begin(self.start_url, self.strategy.strategy_type, root)

    def _resume(self, snapshot: Snapshot) -> None:
        kind = self.strategy.strategy_type
        if snapshot.start_url != self.start_url or snapshot.strategy != kind:
            raise ValueError(
                f"state file holds a {snapshot.strategy} crawl of {snapshot.start_url}, "
                f"not a {kind} crawl of {self.start_url}; give this crawl another state_path"
            )
        self._seen = snapshot.seen
        for node in snapshot.queued:
            self._push(node)
        self.pages_done, self.successes = snapshot.done, snapshot.successes
        self._next_seq, self._next_batch = snapshot.next_seq, snapshot.next_batch
        self._emit_base = snapshot.next_emit
        processed = []
        for n, (fetched, was_processed) in enumerate(snapshot.undelivered):
            if not was_processed:
                children, aliases = self._discover(fetched.node, fetched.result)
                processed.append((fetched.node, children, aliases))
            self._rebuild_markdown(fetched.result)
            self._preload.append((-1 - n, fetched.result))
            self._emitted[-1 - n] = fetched.node.url
        if processed:
            self._store.record(
                processed=[(node, children) for node, children, _ in processed],
                aliases=[alias for _, _, aliases in processed for alias in aliases],
            )
        logger.info(
            "resuming the %s crawl of %s: %d pages done, %d remain queued "
            "(%d results not yet delivered are handed out first)",
            kind,
            self.start_url,
            self.pages_done,
            len(self._heap),
            len(self._preload),
        )

    def _rebuild_markdown(self, result: CrawlResult) -> None:
        """A stored result keeps only its markdown's text; give it back the lazy attributes
        (``fit_markdown``...) by running the crawl's generator on its cleaned HTML again,
        when that gives the same text (else the text alone is kept)."""
        stored = result.markdown
        if stored is None or not result.cleaned_html:
            return
        from seleniumcrawl.content.generation import (
            DefaultMarkdownGenerator,
            MarkdownGenerationResult,
        )

        generator = self._page_config.markdown_generator or DefaultMarkdownGenerator()
        try:
            again = generator.generate_markdown(
                result.cleaned_html, base_url=result.redirected_url or result.url
            )
        except Exception:  # a user's generator: the stored text is still right
            logger.debug("markdown of %s not rebuilt", result.url, exc_info=True)
            return
        if isinstance(again, MarkdownGenerationResult) and str.__str__(again) == str.__str__(
            stored
        ):
            result.markdown = again

    def _adopt(self, state: dict[str, Any]) -> None:
        """Start from a Crawl4AI ``resume_state`` dict (visited, pending/stack/queue_items)."""
        depths = dict(state.get("depths", {}))
        pending = state.get("pending") or state.get("stack") or state.get("queue_items") or []
        for entry in pending:
            url = normalize_url(entry["url"])
            if url is None or url in self._seen:
                continue
            depth = int(entry.get("depth", depths.get(entry["url"], 0)))
            score = -float(entry["score"]) if "score" in entry else self.strategy.score(url)
            node = Node(url, self._next_seq, entry.get("parent_url"), depth, score, 0)
            self._next_seq += 1
            self._seen.add(url)
            self._push(node)
        self._seen.update(u for u in map(normalize_url, state.get("visited", [])) if u)
        self.successes = self.pages_done = int(state.get("pages_crawled", 0))
        self._next_batch = 1

    # -- the Backlog protocol -------------------------------------------------------------

    def preload(self) -> list[tuple[int, CrawlResult]]:
        with self._lock:
            preload, self._preload = self._preload, []
            self._handed += len(preload)
            return preload

    def _limit_reached(self) -> bool:
        reached = self.successes + len(self._running) >= self.strategy.max_pages
        if reached and not self._limit_logged and not self._running:
            self._limit_logged = True
            logger.info("max_pages (%s) reached", self.strategy.max_pages)
        return reached

    def take(self, reserve: Callable[[WorkItem], float]) -> Unit | float | None:
        with self._lock:
            if not self._heap or self._limit_reached():
                return UNTIL_A_CRAWL_FINISHES if self._running else None
            if self._one_at_a_time and self._running:
                return UNTIL_A_CRAWL_FINISHES
            node = self._heap[0][1]
            item = WorkItem(self._next_start, node.url, self._page_config, domain_of(node.url))
            wait = reserve(item)
            if wait > 0:
                return wait
            heapq.heappop(self._heap)
            self._running[item.index] = node
            self._next_start += 1
            return (item,)

    def finish(self, item: WorkItem, result: CrawlResult) -> list[tuple[int, CrawlResult]]:
        with self._lock:
            node = self._running.pop(item.index)
            if self._closed() or result.error_type == "closed":
                logger.debug("%s stays queued: the crawler closed while it was crawled", node.url)
                return []
            self._annotate(node, result)
            self.pages_done += 1
            self.successes += bool(result.success)
            fetched = Fetched(node, result, self._emit_base + item.index)
            self._buffer[item.index] = fetched
            ready: list[tuple[int, CrawlResult]] = []
            processed: list[tuple[Node, list[Node]]] = []
            aliases: list[Node] = []
            while self._next_emit in self._buffer:
                done = self._buffer.pop(self._next_emit)
                children, redirected = self._discover(done.node, done.result)
                processed.append((done.node, children))
                aliases.extend(redirected)
                ready.append((self._next_emit, done.result))
                self._emitted[self._next_emit] = done.node.url
                if self.strategy.on_state_change is not None:
                    self._states[self._next_emit] = self._state()
                self._next_emit += 1
            self._handed += len(ready)
        with self._store_lock:  # committed before the dispatcher hands the results out
            self._store.record(fetched=[fetched], processed=processed, aliases=aliases)
        return ready

    def total(self) -> int:
        with self._lock:
            room = self.strategy.max_pages - self.successes - len(self._running)
            queued = min(len(self._heap), max(0, room))
            return int(self._handed + len(self._running) + len(self._buffer) + queued)

    def workers(self, concurrency: int) -> int:
        return 1 if self._one_at_a_time else concurrency

    # -- links -----------------------------------------------------------------------------

    def _annotate(self, node: Node, result: CrawlResult) -> None:
        result.metadata = dict(result.metadata or {})
        result.metadata["depth"] = node.depth
        result.metadata["parent_url"] = node.parent_url
        if self.strategy.url_scorer is not None:
            result.metadata["score"] = node.score

    def _new_node(self, url: str, parent: Node, depth: int, score: float, batch: int) -> Node:
        node = Node(url, self._next_seq, parent.url, depth, score, batch)
        self._next_seq += 1
        self._seen.add(url)
        return node

    def _discover(self, node: Node, result: CrawlResult) -> tuple[list[Node], list[Node]]:
        """Queue the links of a finished page; returns (pages queued, redirect targets)."""
        aliases = []
        landed = normalize_url(result.redirected_url) if result.redirected_url else None
        if landed is not None and landed not in self._seen:  # never crawl it a second time
            aliases.append(self._new_node(landed, node, node.depth, 0.0, 0))
        strategy = self.strategy
        seeding = node.depth == 0 and strategy.seed_from_sitemap is not None
        if node.depth >= strategy.max_depth or not (result.success or seeding):
            return [], aliases
        batch = self._next_batch
        self._next_batch += 1
        links = list(result.links.get("internal", [])) if result.success else []
        if strategy.include_external and result.success:
            links += result.links.get("external", [])
        if seeding:
            links += self._sitemap_links(node.url)
        base = result.redirected_url or node.url
        children = []
        for link in links:
            url = normalize_url(link.get("href", ""), base)
            if url is None or url in self._seen or not strategy.follows(url, node.depth + 1):
                continue
            score = strategy.score(url)
            if score < strategy.score_threshold:
                continue
            child = self._new_node(url, node, node.depth + 1, score, batch)
            self._push(child)
            children.append(child)
        return children, aliases

    def _sitemap_links(self, start_url: str) -> list[dict[str, str]]:
        """The site's sitemap URLs as links of the start page (``seed_from_sitemap``).
        Read while the start page is the only one done: nothing else waits on the lock."""
        from seleniumcrawl.discovery import UrlSeeder

        config = self.strategy.seed_from_sitemap
        assert config is not None
        if not config.check_robots_txt and self._page_config.check_robots_txt:
            config = config.clone(check_robots_txt=True)
        try:
            with UrlSeeder(user_agent=self._page_config.user_agent) as seeder:
                links = [{"href": url} for url, _ in seeder.iter_urls(start_url, config)]
        except (OSError, ValueError) as exc:  # the crawl goes on with the links it has
            logger.warning("seeding from the sitemaps of %s failed: %s", start_url, exc)
            return []
        logger.info("%d URLs from the sitemaps of %s join the frontier", len(links), start_url)
        return links

    # -- the caller's side --------------------------------------------------------------------

    def acknowledge(self, ids: list[int]) -> None:
        """The caller has these results: commit that, so they are never handed out again."""
        with self._lock:
            delivered = [url for i in ids if (url := self._emitted.pop(i, None))]
        with self._store_lock:
            self._store.record(delivered=delivered)

    def close(self) -> None:
        """Close the state file (idempotent)."""
        with self._lock:
            remaining = len(self._heap) + len(self._running) + len(self._buffer)
        with self._store_lock:
            self._store.close()
        logger.info(
            "deep crawl of %s: %d pages done (%d successful), %d not crawled",
            self.start_url,
            self.pages_done,
            self.successes,
            remaining,
        )

    def export_state(self) -> dict[str, Any]:
        """Crawl4AI's state dict of this crawl now."""
        with self._lock:
            return self._state()

    def state_after(self, index: int) -> dict[str, Any]:
        """The state dict as it was right after output ``index`` was handed out (for
        ``on_state_change``, which the caller's side calls later)."""
        with self._lock:
            state = self._states.pop(index, None)
            return state if state is not None else self._state()

    def _state(self) -> dict[str, Any]:
        """Crawl4AI's state dict (under the lock): pending pages in crawl order."""
        waiting = [*self._running.values(), *(node for _, node in self._heap)]
        waiting.sort(key=self.strategy.order_key)
        state: dict[str, Any] = {
            "strategy_type": self.strategy.strategy_type,
            "visited": sorted(self._seen),
            "depths": {node.url: node.depth for node in waiting},
            "pages_crawled": self.successes,
            "cancelled": False,
        }
        kind = self.strategy.strategy_type
        if kind == "dfs":
            state["stack"] = [
                {"url": n.url, "parent_url": n.parent_url, "depth": n.depth}
                for n in reversed(waiting)
            ]
        elif kind == "best_first":
            state["queue_items"] = [
                {"score": -n.score, "depth": n.depth, "url": n.url, "parent_url": n.parent_url}
                for n in waiting
            ]
        else:
            state["pending"] = [{"url": n.url, "parent_url": n.parent_url} for n in waiting]
        return state


class DeepCrawl:
    """A deep crawl ready to run: ``results()``/``aresults()`` give the list,
    ``stream()``/``astream()`` an iterator (the front ends choose by ``config.stream``)."""

    def __init__(self, traversal: Traversal | SharedTraversal, dispatcher: Dispatcher) -> None:
        self.traversal = traversal
        self._dispatcher = dispatcher
        self._callback = traversal.strategy.on_state_change

    def _state_changed(self, index: int) -> Any:
        if self._callback is None:
            return None
        return call_state_callback(self._callback, self.traversal.state_after(index))

    def _sync_state_changed(self, index: int) -> None:
        pending = self._state_changed(index)
        if pending is not None:

            async def wait() -> None:
                await pending

            asyncio.run(wait())

    def results(self) -> list[CrawlResult]:
        """Crawl to the end; every result, in output order."""
        ids: list[int] = []
        results: list[CrawlResult] = []
        try:
            with self._dispatcher.start_backlog(self.traversal) as run:
                for index, result in run:
                    ids.append(index)
                    results.append(result)
                    self._sync_state_changed(index)
            self.traversal.acknowledge(ids)  # handed over as one list
            return results
        finally:
            self.traversal.close()

    def stream(self) -> Iterator[CrawlResult]:
        """Results as they come out. A result counts as delivered once the next one is
        asked for; closing the iterator stops the crawl where it is."""
        try:
            with self._dispatcher.start_backlog(self.traversal) as run:
                for index, result in run:
                    yield result
                    # The caller came back for more: it has this one. (Closing the iterator
                    # instead leaves the last result to be handed out again on resume.)
                    self.traversal.acknowledge([index])
                    self._sync_state_changed(index)
        finally:
            self.traversal.close()

    async def aresults(self) -> list[CrawlResult]:
        """:meth:`results` for asyncio: the crawl runs on threads, the loop stays free."""
        ids: list[int] = []
        results: list[CrawlResult] = []
        try:
            run = self._dispatcher.start_backlog(self.traversal)
            async with contextlib.aclosing(aiter_run(run)) as items:
                async for index, result in items:
                    ids.append(index)
                    results.append(result)
                    pending = self._state_changed(index)
                    if pending is not None:
                        await pending
            self.traversal.acknowledge(ids)
            return results
        finally:
            await asyncio.to_thread(self.traversal.close)

    async def astream(self) -> AsyncIterator[CrawlResult]:
        """:meth:`stream` for asyncio (``async for r in await crawler.arun(...)``)."""
        try:
            run = self._dispatcher.start_backlog(self.traversal)
            async with contextlib.aclosing(aiter_run(run)) as items:
                async for index, result in items:
                    yield result
                    self.traversal.acknowledge([index])
                    pending = self._state_changed(index)
                    if pending is not None:
                        await pending
        finally:
            await asyncio.to_thread(self.traversal.close)


def open_deep_crawl(
    url: str | None,
    config: CrawlerRunConfig,
    dispatcher: Dispatcher,
    closed: Callable[[], bool] = lambda: False,
) -> DeepCrawl:
    """The deep crawl ``config.deep_crawl_strategy`` asks for, from ``url`` (or
    ``config.url``); opens (and locks) its state file. Blocking: call it off the loop."""
    strategy = config.deep_crawl_strategy
    if strategy is None:
        raise ValueError("open_deep_crawl needs a config with a deep_crawl_strategy")
    if not isinstance(strategy, DeepCrawlStrategy):
        # The configuration types the field by its base-layer class; every strategy it
        # accepts derives from this one unless someone subclassed the base directly.
        raise TypeError(
            "CrawlerRunConfig.deep_crawl_strategy must be DeepCrawlStrategy, "
            f"got {type(strategy).__name__}"
        )
    url = config.url if url is None else url
    if url is None:
        raise ValueError("no URL: pass url= or set CrawlerRunConfig.url")
    if not isinstance(url, str):
        raise TypeError(f"url must be a str, got {type(url).__name__}")
    if strategy.crawl_id is not None:
        return DeepCrawl(_shared_traversal(strategy, url, config, closed), dispatcher)
    store = SqliteState(strategy.state_path) if strategy.state_path is not None else None
    try:
        traversal = Traversal(strategy, url, config, store=store, closed=closed)
    except BaseException:
        if store is not None:
            store.close()
        raise
    return DeepCrawl(traversal, dispatcher)


def _shared_traversal(
    strategy: DeepCrawlStrategy, url: str, config: CrawlerRunConfig, closed: Callable[[], bool]
) -> SharedTraversal:
    """This worker's part of the shared crawl ``strategy.crawl_id`` (Redis)."""
    from seleniumcrawl.deep_crawling.redis_frontier import RedisFrontier

    assert strategy.state_url is not None and strategy.crawl_id is not None
    frontier = RedisFrontier(
        strategy.state_url,
        strategy.crawl_id,
        worker_id=strategy.worker_id,
        lease_seconds=strategy.lease_seconds,
    )
    try:
        return SharedTraversal(
            strategy,
            url,
            config,
            frontier,
            stream_results=strategy.results == "redis",
            closed=closed,
        )
    except BaseException:
        frontier.close()
        raise


__all__ = ["DeepCrawl", "Traversal", "open_deep_crawl"]
