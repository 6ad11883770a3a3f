"""Deep crawls seeded from the site's sitemap (seed_from_sitemap), with a real Chromium
against sitemaps served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from seleniumcrawl import CrawlerRunConfig, SeedingConfig, WebCrawler
from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy, FilterChain, URLPatternFilter
from tests.sitemap_site import Route, serve, urlset


def _site(base: str) -> dict[str, Route]:
    listed = ["/a/1", "/orphan/1", "/orphan/2", "/orphan/3", "/skip/1"]
    return {
        "/": Route(b'<html><body><a href="/a/1">a</a></body></html>', "text/html"),
        "/robots.txt": Route(f"Sitemap: {base}/sitemap.xml\n".encode(), "text/plain"),
        "/sitemap.xml": Route(urlset([(base + p, None) for p in listed])),
    }


def _paths(results: list[object], base: str) -> list[str]:
    return [r.url[len(base) :] for r in results]  # type: ignore[attr-defined]


def test_sitemap_urls_join_the_frontier_through_the_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With seed_from_sitemap the pages no link reaches (/orphan/*) are crawled at depth
    1, each once (/a/1 is both linked and listed); the filter chain drops /skip/1; a
    resumed crawl on the same state_path goes on with the seeded pages without reading
    the sitemap again."""
    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path))
    state = tmp_path / "state.db"
    chain = FilterChain([URLPatternFilter(patterns=["*/a/*", "*/orphan/*"])])

    def strategy(max_pages: int) -> BFSDeepCrawlStrategy:
        return BFSDeepCrawlStrategy(
            max_depth=1,
            max_pages=max_pages,
            filter_chain=chain,
            state_path=state,
            seed_from_sitemap=SeedingConfig(hits_per_sec=None, force=True),
        )

    with serve(_site) as site, WebCrawler() as crawler:
        first = crawler.run(
            site.base + "/", config=CrawlerRunConfig(deep_crawl_strategy=strategy(3))
        )
        assert isinstance(first, list)
        assert _paths(first, site.base) == ["/", "/a/1", "/orphan/1"]
        assert [r.metadata["depth"] for r in first] == [0, 1, 1]
        assert first[2].metadata["parent_url"] == site.base + "/"
        sitemap_reads = site.hits.count(("GET", "/sitemap.xml"))
        rest = crawler.run(
            site.base + "/", config=CrawlerRunConfig(deep_crawl_strategy=strategy(5))
        )
        assert isinstance(rest, list)
        assert _paths(rest, site.base) == ["/orphan/2", "/orphan/3"]
        assert site.hits.count(("GET", "/sitemap.xml")) == sitemap_reads == 1
        assert ("GET", "/skip/1") not in site.hits


def test_seed_from_sitemap_is_validated() -> None:
    """seed_from_sitemap takes a bool or a SeedingConfig; anything else names the field."""
    assert BFSDeepCrawlStrategy(max_depth=1).seed_from_sitemap is None
    assert BFSDeepCrawlStrategy(max_depth=1, seed_from_sitemap=True).seed_from_sitemap == (
        SeedingConfig()
    )
    with pytest.raises(TypeError, match="seed_from_sitemap"):
        BFSDeepCrawlStrategy(max_depth=1, seed_from_sitemap="yes")  # type: ignore[arg-type]


def test_cli_deep_crawl_seed_from_sitemap(tmp_path: Path) -> None:
    """``crawl URL --deep-crawl bfs --seed-from-sitemap`` crawls the sitemap's pages that
    no link reaches; without --deep-crawl the option is a usage error."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "SELENIUMCRAWL_HOME": str(tmp_path)}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "seleniumcrawl.cli", *args, "--no-progress"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )

    with serve(_site) as site:
        done = cli("crawl", site.base + "/", "--deep-crawl", "bfs", "--max-depth", "1",
                   "--seed-from-sitemap")  # fmt: skip
        assert done.returncode == 0, done.stderr
        urls = {json.loads(line)["url"][len(site.base) :] for line in done.stdout.splitlines()}
        assert urls == {"/", "/a/1", "/orphan/1", "/orphan/2", "/orphan/3", "/skip/1"}
    refused = cli("crawl", "http://127.0.0.1:9/", "--seed-from-sitemap")
    assert refused.returncode == 2
    assert "--seed-from-sitemap needs --deep-crawl" in refused.stderr
