"""Worker processes sharing one deep crawl on a real redis-server, each with its own real
Chromium, against the demo site's tree: every page once across workers, a SIGKILLed
worker's pages finished by the others."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from seleniumcrawl.deep_crawling.redis_frontier import RedisFrontier
from seleniumcrawl.demo.site import DemoSite
from tests.docs_examples import runnable_blocks
from tests.procs import pids_with_env
from tools.redis_server import RedisServer

REPO = Path(__file__).resolve().parents[2]
WORDS = ("alpha", "beta", "gamma", "delta", "epsilon")

_WORKER = """
import sys
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy, FilterChain, URLPatternFilter

start, state_url, crawl_id, name = sys.argv[1:5]
strategy = BFSDeepCrawlStrategy(
    max_depth=5,
    filter_chain=FilterChain([URLPatternFilter(["*/tree/*"])]),
    state_url=state_url,
    crawl_id=crawl_id,
    worker_id=name,
    lease_seconds=6,  # heartbeats every 2 s: a loaded host does not lose a live lease
)
with WebCrawler(BrowserConfig(max_drivers=1)) as crawler:
    config = CrawlerRunConfig(deep_crawl_strategy=strategy, stream=True)
    for result in crawler.run(start, config):
        print(result.url, result.success, flush=True)
print("done", flush=True)
"""


def tree_paths(size: int) -> set[str]:
    return {f"/tree/{size}/4/{n}-{WORDS[n % 5]}" for n in range(size)}


def _marked(mark: str) -> set[int]:
    return pids_with_env("SELENIUMCRAWL_REDIS_TEST", mark)


def _worker(mark: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_WORKER), *args],
        cwd=REPO,
        env={**os.environ, "SELENIUMCRAWL_REDIS_TEST": mark},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.timeout(300)
def test_three_workers_one_sigkilled_crawl_every_page_exactly_once(
    site: DemoSite, redis_server: RedisServer
) -> None:
    """Three worker processes share a 300-page BFS crawl; one is SIGKILLed mid-crawl. The
    other two finish it: every page is delivered by exactly one worker, every page the
    killed worker delivered was fetched once, and only pages it had in flight (leased,
    not committed: at most its concurrency) are fetched twice."""
    size = 300
    mark = uuid.uuid4().hex
    start = site.url(f"/tree/{size}/4/0-alpha?ms=100")
    since = len(site.requests)
    crawl_id = f"tree-{mark[:8]}"
    workers = {
        name: _worker(mark, start, redis_server.url, crawl_id, name) for name in ("w1", "w2", "w3")
    }
    lines: dict[str, list[str]] = {name: [] for name in workers}
    try:
        victim = workers["w1"]
        assert victim.stdout is not None
        while len(lines["w1"]) < 10:
            line = victim.stdout.readline()
            assert line, victim.stderr.read() if victim.stderr else "no output"
            lines["w1"].append(line)
        victim.send_signal(signal.SIGKILL)
        victim.wait(30)
        lines["w1"] += victim.stdout.read().splitlines()
        for name in ("w2", "w3"):
            out, err = workers[name].communicate(timeout=240)
            assert workers[name].returncode == 0, err[-2000:]
            lines[name] = out.splitlines()
            assert lines[name][-1] == "done"
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.kill()
                process.communicate()
    delivered = collections.Counter(
        line.split()[0].split("?")[0].split("/", 3)[3]
        for name in workers
        for line in lines[name]
        if line.strip() and line.strip() != "done"
    )
    assert {"/" + p for p in delivered} == tree_paths(size)
    assert set(delivered.values()) == {1}, [p for p, n in delivered.items() if n > 1]
    fetched = collections.Counter(
        p.split("?")[0] for _, p in site.requests[since:] if p.startswith("/tree/")
    )
    by_victim = {"/" + line.split()[0].split("?")[0].split("/", 3)[3] for line in lines["w1"]}
    twice = {p for p, n in fetched.items() if n > 1}
    assert all(n <= 2 for n in fetched.values())
    assert not twice & by_victim
    assert len(twice) <= 8, twice  # in flight at the kill: 1 browser x 8 pages at once
    status = RedisFrontier(redis_server.url, crawl_id).status()
    assert (status.done, status.queued, status.leased) == (size, 0, 0)
    assert status.workers["w1"].done == len(by_victim)
    # The killed worker's leases, taken over (some not yet fetched by it).
    assert len(twice) <= status.expired <= 8
    deadline = time.monotonic() + 20
    while _marked(mark) and time.monotonic() < deadline:
        time.sleep(0.2)  # the reaper ends the killed worker's browser; poll /proc for it
    assert not _marked(mark), "the killed worker left processes behind"


def test_cli_worker_and_crawl_status(
    site: DemoSite, redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """``crawl --deep-crawl bfs --state redis://... --crawl-id ID --worker NAME`` crawls
    its share (here all: max_pages 6 for the whole crawl) as JSON lines; a second worker
    started after the crawl is done crawls nothing; ``crawl-status`` prints the counts
    overall and per worker, as a table or JSON."""
    from seleniumcrawl.cli import main

    start = site.url("/tree/50/4/0-alpha")
    shared = ["--state", redis_server.url, "--crawl-id", "cli"]
    worker = ["crawl", start, "--deep-crawl", "bfs", "--max-pages", "6", "-c", "1", *shared]
    assert main([*worker, "--worker", "solo"]) == 0
    pages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(pages) == 6 and all(page["success"] for page in pages)
    assert main([*worker, "--worker", "late"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["crawl-status", *shared]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == f"crawl cli: bfs crawl of {start}"
    assert table[1].startswith("pages done 6 (6 successful, 0 failed), queued ")
    assert table[1].endswith("leased 0; leases expired 0, stale commits refused 0")
    assert table[3].split() == ["solo", "6", "0", "0"]
    assert main(["crawl-status", *shared, "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["successes"] == 6 and status["workers"]["solo"]["done"] == 6
    assert main(["crawl-status", "--state", redis_server.url, "--crawl-id", "nope"]) == 1
    assert "no crawl 'nope'" in capsys.readouterr().err


@pytest.mark.timeout(180)
def test_the_docs_examples_run(
    site: DemoSite, redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every runnable example of docs/distributed.md runs, in order and sharing names,
    against the demo tree and a real redis-server, and prints what its ``# `` lines say."""
    blocks = runnable_blocks("docs/distributed.md")
    assert len(blocks) >= 3
    names = {"start": site.url("/tree/300/4/0-alpha"), "redis_url": redis_server.url}
    for block in blocks:
        expected = [ln[2:] for ln in block.splitlines() if ln.startswith("# ")]
        exec(compile(block, "docs/distributed.md", "exec"), names)
        assert capsys.readouterr().out.splitlines() == expected, block


@pytest.mark.timeout(240)
def test_a_worker_frozen_past_its_leases_has_its_late_commits_refused(
    site: DemoSite, redis_server: RedisServer
) -> None:
    """A worker SIGSTOPped mid-crawl loses its leases (6 s) to the other worker; once
    SIGCONTed, its commits for those pages are refused (the results dropped, not
    printed), and both workers end with every page delivered exactly once."""
    size = 120
    mark = uuid.uuid4().hex
    start = site.url(f"/tree/{size}/4/0-alpha?ms=300")
    crawl_id = f"frozen-{mark[:8]}"
    workers = {
        name: _worker(mark, start, redis_server.url, crawl_id, name) for name in ("w1", "w2")
    }
    frontier = RedisFrontier(redis_server.url, crawl_id)
    lines: dict[str, list[str]] = {}
    try:
        frozen = workers["w1"]
        assert frozen.stdout is not None
        first = [frozen.stdout.readline() for _ in range(3)]
        assert all(first), frozen.stderr.read() if frozen.stderr else "no output"
        frozen.send_signal(signal.SIGSTOP)
        deadline = time.monotonic() + 60
        while frontier.status().expired == 0:
            assert time.monotonic() < deadline, "the frozen worker's leases never expired"
            time.sleep(0.2)  # waiting out a lease (6 s) in Redis time
        frozen.send_signal(signal.SIGCONT)
        for name, process in workers.items():
            out, err = process.communicate(timeout=200)
            assert process.returncode == 0, err[-2000:]
            lines[name] = (first if name == "w1" else []) + out.splitlines()
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGCONT)
                process.kill()
                process.communicate()
    delivered = collections.Counter(
        line.split()[0].split("?")[0].split("/", 3)[3]
        for out in lines.values()
        for line in out
        if line.strip() and line.strip() != "done"
    )
    assert {"/" + p for p in delivered} == tree_paths(size)
    assert set(delivered.values()) == {1}
    status = frontier.status()
    frontier.close()
    assert status.done == size and status.refused >= 1, status
