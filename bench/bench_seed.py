"""Benchmark: seeding a site from one gzipped sitemap of 50,000 URLs (the protocol's limit).

The sitemap (with a robots.txt naming it) is served on 127.0.0.1 by a thread of this
process; each measured run is a fresh Python process (so its peak RSS, ``ru_maxrss``,
is its own), which reports the peak *above* its RSS after imports (the page cache's
modules included, which the first seeding imports: ~20 MB once, whatever the sitemap):

* **urls**: ``UrlSeeder.urls()``, the list of 50,000 dicts kept (what a caller gets);
  URLs/s is the wall time of that call.
* **stream**: ``UrlSeeder.iter_urls()``, each URL dropped once counted: what reading the
  sitemap costs. What it still holds per URL is the set of URLs seen (duplicates are
  dropped across sitemaps, ~100 bytes a URL) and the compressed list for the cache; the
  parser itself stays under 1 MB (tests/unit/test_sitemaps.py). Goal: <= 32 MB above the
  baseline.
* **tree**: the reference a streaming parser is measured against: the gzip body read
  whole, inflated, parsed with ``lxml.etree.fromstring`` and its ``<loc>`` listed.

Sides alternate (urls, stream, tree; ``rounds`` times); medians, and the stream/tree
ratio of each round. Crawl4AI's ``AsyncUrlSeeder`` is not installed in the bench's
environment (it needs Playwright and httpx[http2]), so it is not a side here.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._util import figure, load_average, median, paired_ratios, summary
from tests.sitemap_site import Route, serve, urlset

URLS = 50_000
FULL = {"rounds": 3}
QUICK = {"rounds": 1}
STREAM_GOAL = "<= 32"
REPO = Path(__file__).resolve().parents[1]

_CHILD = r"""
import gzip, json, resource, sys, time, urllib.request
from lxml import etree
from seleniumcrawl import SeedingConfig, UrlSeeder
import seleniumcrawl.cache  # imported by the first seeding: a fixed cost, not the sitemap's

def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

mode, base = sys.argv[1], sys.argv[2]
config = SeedingConfig(hits_per_sec=None, force=True, filter_nonsense_urls=False)
baseline = rss_kb()
started = time.perf_counter()
if mode == "urls":
    with UrlSeeder() as seeder:
        count = len(seeder.urls(base, config))
elif mode == "stream":
    with UrlSeeder() as seeder:
        count = sum(1 for _ in seeder.iter_urls(base, config))
else:
    with urllib.request.urlopen(base + "/sitemap.xml.gz") as response:
        root = etree.fromstring(gzip.decompress(response.read()))
    count = len([e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")])
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"count": count, "seconds": elapsed, "peak_mb": (peak - baseline) / 1024}))
"""


def _site(base: str) -> dict[str, Route]:
    pages = [(f"{base}/article/{i}-some-words", f"2024-05-{i % 28 + 1:02d}") for i in range(URLS)]
    return {
        "/robots.txt": Route(f"Sitemap: {base}/sitemap.xml.gz\n".encode(), "text/plain"),
        "/sitemap.xml.gz": Route(gzip.compress(urlset(pages)), "application/gzip"),
    }


def _measure(mode: str, base: str, home: str) -> dict[str, float]:
    env = {**os.environ, "SELENIUMCRAWL_HOME": home}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, base],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    if result["count"] != URLS:
        raise RuntimeError(f"{mode}: {result['count']} URLs, expected {URLS}")
    return result


def run(quick: bool = False) -> dict[str, Any]:
    """The three sides, alternated; URLs/s and peak memory."""
    rounds = (QUICK if quick else FULL)["rounds"]
    load_before = load_average()
    runs: dict[str, list[dict[str, float]]] = {"urls": [], "stream": [], "tree": []}
    with serve(_site) as site, tempfile.TemporaryDirectory() as home:
        size = len(site.routes["/sitemap.xml.gz"].body)
        for _ in range(rounds):
            for mode in runs:
                runs[mode].append(_measure(mode, site.base, home))
    peaks = {mode: [r["peak_mb"] for r in found] for mode, found in runs.items()}
    rates = [URLS / r["seconds"] for r in runs["urls"]]
    return {
        "figures": {
            "urls_per_s": figure(
                median(rates),
                "URLs/s",
                rounds=summary(rates),
                note="UrlSeeder.urls(): robots.txt, then one gzipped 50,000-URL sitemap",
            ),
            "stream_urls_per_s": figure(
                median(URLS / r["seconds"] for r in runs["stream"]), "URLs/s"
            ),
            "urls_peak_mb": figure(
                median(peaks["urls"]),
                "MB",
                rounds=summary(peaks["urls"]),
                note="peak RSS above the baseline, the 50,000 result dicts included",
            ),
            "stream_peak_mb": figure(
                median(peaks["stream"]),
                "MB",
                STREAM_GOAL,
                rounds=summary(peaks["stream"]),
                note="peak RSS above the baseline, reading the sitemap without keeping it",
            ),
            "tree_peak_mb": figure(
                median(peaks["tree"]),
                "MB",
                rounds=summary(peaks["tree"]),
                note="the same sitemap inflated whole and parsed as one lxml tree",
            ),
            "stream_vs_tree_memory": figure(
                median(paired_ratios(peaks["stream"], peaks["tree"])), "x", digits=3
            ),
        },
        "params": {"urls": URLS, "gzip_bytes": size, "rounds": rounds},
        "load_average": {"before": load_before, "after": load_average()},
        "note": "machine shared with other engineers' jobs; see load_average",
    }


__all__ = ["run"]
