"""The Redis frontier's lease protocol against a real redis-server (no browser): leases,
fencing, expiry, the global max_pages, the results stream, Redis unreachable."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from seleniumcrawl.deep_crawling.redis_frontier import (
    FrontierUnavailable,
    Lease,
    RedisFrontier,
)
from seleniumcrawl.models import CrawlResult
from tools.ports import free_port
from tools.redis_server import RedisServer

START = "http://example.test/"


def page(url: str, success: bool = True) -> CrawlResult:
    return CrawlResult(url=url, html="<p>x</p>", success=success)


@pytest.fixture
def frontiers(redis_server: RedisServer) -> Iterator[list[RedisFrontier]]:
    """Two workers (a, b) of one BFS crawl, with 0.5 s leases."""
    made = [
        RedisFrontier(redis_server.url, "c1", worker_id=name, lease_seconds=0.5)
        for name in ("a", "b")
    ]
    for frontier in made:
        frontier.begin(START, "bfs", 0.0)
    yield made
    for frontier in made:
        frontier.close()


def leased(frontier: RedisFrontier, max_pages: float = float("inf")) -> Lease:
    got = frontier.lease(max_pages)
    assert isinstance(got, Lease), got
    return got


def test_pages_are_leased_once_in_bfs_order_and_seen_urls_are_not_queued_again(
    frontiers: list[RedisFrontier],
) -> None:
    """The start page is leased by one worker only; its links are queued once each (a link
    two pages share is not queued twice) and leased depth by depth across workers."""
    a, b = frontiers
    root = leased(a)
    assert root.node.url == START and root.node.depth == 0
    assert b.lease(float("inf"))[0] == "empty"  # type: ignore[index]
    children = [(f"{START}{n}", 1, 0.0) for n in range(3)]
    assert a.commit(root, page(START), children, mode="bfs")
    first = leased(b)
    assert first.node.url == f"{START}0" and first.node.parent_url == START
    # Page 0 links to a depth-2 page and to page 1 (already queued).
    assert b.commit(
        first, page(first.node.url), [(f"{START}deep", 2, 0.0), (f"{START}1", 1, 0.0)], mode="bfs"
    )
    order = [leased(a).node.url for _ in range(3)]
    assert order == [f"{START}1", f"{START}2", f"{START}deep"]
    status = a.status()
    assert (status.done, status.queued, status.leased) == (2, 0, 3)
    assert status.workers["a"].leased == 3 and status.workers["b"].done == 1


def test_an_expired_lease_goes_to_another_worker_and_the_stale_commit_is_refused(
    frontiers: list[RedisFrontier],
) -> None:
    """A worker that stops renewing loses its page after lease_seconds; the next worker
    gets it with a new fencing token, and the first worker's late commit is refused
    (nothing of it recorded), while the new owner's commit counts once."""
    a, b = frontiers
    stale = leased(a)
    deadline = time.monotonic() + 5
    while not isinstance(got := b.lease(float("inf")), Lease):
        assert time.monotonic() < deadline, "the lease never expired"
        time.sleep(0.05)  # waiting out a lease deadline (Redis server time)
    assert got.node.url == stale.node.url and got.token != stale.token
    assert not a.commit(stale, page(START), [(f"{START}from-stale", 1, 0.0)], mode="bfs")
    assert b.commit(got, page(START), [(f"{START}x", 1, 0.0)], mode="bfs")
    status = a.status()
    assert (status.done, status.successes, status.refused, status.expired) == (1, 1, 1, 1)
    assert status.queued == 1  # only the new owner's link
    assert status.workers["b"].done == 1 and status.workers.get("a", None) is None


def test_renewed_leases_outlive_their_deadline(frontiers: list[RedisFrontier]) -> None:
    """A worker that renews keeps its page past lease_seconds; renew reports lost leases."""
    a, b = frontiers
    lease = leased(a)
    for _ in range(6):
        time.sleep(0.2)  # longer than the lease in total, renewing within each 0.5 s
        assert a.renew([lease]) == []
    assert b.lease(float("inf"))[0] == "empty"  # type: ignore[index]
    assert b.renew([Lease(lease.node, "999")]) == [START]


def test_max_pages_counts_every_workers_successes_and_leases(
    frontiers: list[RedisFrontier],
) -> None:
    """With max_pages=3, leases stop when successes + pages leased (by any worker) reach 3;
    a failed page frees its place."""
    a, b = frontiers
    root = leased(a, 3)
    a.commit(root, page(START), [(f"{START}{n}", 1, 0.0) for n in range(5)], mode="bfs")
    one, two = leased(a, 3), leased(b, 3)
    assert b.lease(3) == ("limit", 2, 1)
    b.commit(two, page(two.node.url, success=False), [], mode="bfs")
    three = leased(b, 3)
    a.commit(one, page(one.node.url), [], mode="bfs")
    b.commit(three, page(three.node.url), [], mode="bfs")
    assert a.lease(3) == ("limit", 0, 3)
    assert a.status().successes == 3


def test_best_first_and_dfs_priorities(redis_server: RedisServer) -> None:
    """Best-first leases the highest score first across workers; DFS the links of the
    page committed last first, in document order."""
    best = RedisFrontier(redis_server.url, "best", worker_id="w")
    best.begin(START, "best_first", 0.0)
    root = leased(best)
    best.commit(
        root, page(START), [(f"{START}low", 1, 0.1), (f"{START}high", 1, 0.9)], mode="best_first"
    )
    assert leased(best).node.url == f"{START}high"
    dfs = RedisFrontier(redis_server.url, "dfs", worker_id="w")
    dfs.begin(START, "dfs", 0.0)
    root = leased(dfs)
    dfs.commit(root, page(START), [(f"{START}a", 1, 0.0), (f"{START}b", 1, 0.0)], mode="dfs")
    a = leased(dfs)
    assert a.node.url == f"{START}a"
    dfs.commit(a, page(a.node.url), [(f"{START}a/1", 2, 0.0), (f"{START}a/2", 2, 0.0)], mode="dfs")
    assert [leased(dfs).node.url for _ in range(3)] == [f"{START}a/1", f"{START}a/2", f"{START}b"]
    best.close()
    dfs.close()


def test_a_crawl_id_of_another_crawl_is_refused(frontiers: list[RedisFrontier]) -> None:
    """Joining crawl_id c1 with another start URL or strategy raises, naming crawl_id."""
    a, _ = frontiers
    with pytest.raises(
        ValueError, match=r"crawl_id .c1. holds a bfs crawl of http://example\.test/"
    ):
        a.begin("http://other.test/", "bfs", 0.0)
    with pytest.raises(ValueError, match="not a dfs crawl"):
        a.begin(START, "dfs", 0.0)
    a.begin(START, "bfs", 0.0)  # the same crawl joins


def test_results_stream_gives_each_page_once_to_a_consumer_group(
    frontiers: list[RedisFrontier],
) -> None:
    """With stream=True each committed page's result goes to the crawl's stream; two
    consumers of one group share it, each result read by one of them exactly once; a
    refused commit writes nothing; reading ends once the crawl is finished."""
    a, b = frontiers
    root = leased(a)
    a.commit(
        root, page(START), [(f"{START}{n}", 1, 0.0) for n in range(3)], mode="bfs", stream=True
    )
    for _ in range(3):
        lease = leased(b)
        b.commit(lease, page(lease.node.url), [], mode="bfs", stream=True)
    assert not a.commit(root, page(START), [], mode="bfs", stream=True)
    assert not a.status().finished
    a.mark_finished()  # what the worker that finds nothing left does; the readers end
    first = a.results("pipeline", "one", block_ms=100)
    got = [next(first).url, next(first).url]
    second = list(b.results("pipeline", "two", block_ms=100))
    got += [r.url for r in second] + [r.url for r in first]
    assert sorted(got) == sorted([START] + [f"{START}{n}" for n in range(3)])


def test_unreachable_redis_fails_at_once_and_a_lost_one_after_retrying() -> None:
    """ping() on a port nothing listens on raises at once with a one-line cause; a call
    during the crawl retries with backoff for retry_seconds, then raises; the password in
    the URL appears in neither message."""
    url = f"redis://:s3cret@127.0.0.1:{free_port()}/0"
    frontier = RedisFrontier(url, "c", retry_seconds=0.5, socket_timeout=0.2)
    with pytest.raises(FrontierUnavailable, match="unreachable") as at_start:
        frontier.ping()
    began = time.monotonic()
    with pytest.raises(FrontierUnavailable, match=r"did not answer for 0\.5 s") as later:
        frontier.lease(10)
    assert 0.3 < time.monotonic() - began < 5
    for exc in (at_start.value, later.value):
        assert "s3cret" not in str(exc) and "\n" not in str(exc)
    frontier.close()


def test_workers_pause_while_redis_restarts_and_lose_nothing() -> None:
    """Redis (with AOF) stopped and started again while a worker holds a lease: the
    worker's next calls wait for it, and the lease, the queue and the counts are intact."""
    with RedisServer(appendonly=True) as server:
        frontier = RedisFrontier(server.url, "c", worker_id="w", lease_seconds=30)
        frontier.begin(START, "bfs", 0.0)
        root = leased(frontier)
        server.stop()
        import threading

        restarted = threading.Timer(0.5, server.start)
        restarted.start()
        assert frontier.commit(root, page(START), [(f"{START}a", 1, 0.0)], mode="bfs")
        restarted.join()
        assert leased(frontier).node.url == f"{START}a"
        assert frontier.status().successes == 1
        frontier.close()


def test_host_pacing_is_shared_by_the_workers(frontiers: list[RedisFrontier]) -> None:
    """A host's next start claimed by one worker makes every other worker wait for it;
    another host is free; once the gap has passed the host is free again."""
    a, b = frontiers
    assert a.pace("example.test", 0.4) == 0.0
    wait = b.pace("example.test", 0.4)
    assert 0.2 < wait <= 0.4
    assert b.pace("other.test", 0.4) == 0.0
    time.sleep(wait + 0.02)  # waiting out the host's gap (Redis server time)
    assert b.pace("example.test", 0.4) == 0.0
