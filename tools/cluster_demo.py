"""``make cluster-demo``: a shared deep crawl on this machine (docs/distributed.md).

Starts a redis-server and the demo site, then three ``seleniumcrawl crawl --worker``
processes (each with its own Chromium, or on a Grid with ``--remote-url``) on the demo
site's 300-page tree; SIGKILLs one worker once the crawl is under way, and shows the two
others finishing it: ``crawl-status`` as it goes and at the end, and a check that every
page came out of exactly one worker. Exit status 0 when it did.
"""

from __future__ import annotations

import argparse
import collections
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seleniumcrawl.cli import main as cli
from seleniumcrawl.deep_crawling.redis_frontier import RedisFrontier
from seleniumcrawl.demo.site import DemoSite
from tools.redis_server import RedisServer

CRAWL_ID = "cluster-demo"


def say(text: str) -> None:
    """One line for the person watching the demo."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


WORKERS = ("w1", "w2", "w3")


def _worker(
    name: str, start: str, state: str, out: Path, remote: str | None
) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "seleniumcrawl.cli", "crawl", start, "--deep-crawl", "bfs"]
    args += ["--max-depth", "5", "--state", state, "--crawl-id", CRAWL_ID, "--worker", name]
    args += ["--lease-seconds", "5", "-c", "1", "-O", str(out), "--no-progress"]
    if remote:
        args += ["--remote-url", remote]
    return subprocess.Popen(args, stderr=subprocess.DEVNULL)


def run(remote: str | None, kill_after: int) -> int:
    with RedisServer() as redis, DemoSite() as site, tempfile.TemporaryDirectory() as tmp:
        start = site.url("/tree/300/4/0-alpha?ms=200")
        outs = {name: Path(tmp) / f"{name}.jsonl" for name in WORKERS}
        say(f"redis-server on {redis.url}; demo site on {site.base_url}; crawl {start}")
        workers = {name: _worker(name, start, redis.url, outs[name], remote) for name in WORKERS}
        frontier = RedisFrontier(redis.url, CRAWL_ID)
        killed = False
        try:
            while any(w.poll() is None for w in workers.values()):
                time.sleep(1)  # a progress line a second
                status = frontier.status()
                per = ", ".join(f"{n} {s.done}" for n, s in status.workers.items())
                say(f"done {status.done}, queued {status.queued}, leased {status.leased}: {per}")
                if not killed and status.done >= kill_after:
                    leased = status.workers["w1"].leased
                    say(f"SIGKILL w1 (pid {workers['w1'].pid}), {leased} pages leased")
                    workers["w1"].send_signal(signal.SIGKILL)
                    killed = True
        finally:
            for worker in workers.values():
                if worker.poll() is None:
                    worker.kill()
                worker.wait()
            frontier.close()
        cli(["crawl-status", "--state", redis.url, "--crawl-id", CRAWL_ID])
        pages = collections.Counter(
            json.loads(line)["url"]
            for out in outs.values()
            if out.exists()
            for line in out.read_text().splitlines()
        )
        twice = [url for url, n in pages.items() if n > 1]
        say(f"{len(pages)} pages out of the three workers, {len(twice)} more than once")
        return 0 if pages and not twice and killed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remote-url", help="run the browsers on this Selenium Grid")
    parser.add_argument("--kill-after", type=int, default=60, help="pages done before the kill")
    args = parser.parse_args()
    return run(args.remote_url, args.kill_after)


if __name__ == "__main__":
    sys.exit(main())
