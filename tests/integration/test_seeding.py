"""UrlSeeder against sitemaps served on 127.0.0.1: robots.txt, a gzipped index, text, Atom
and RSS sitemaps, live checks, heads, BM25 order, broken sitemaps, bombs and loops.
No browser: the seeder is plain HTTP."""

from __future__ import annotations

import asyncio
import gzip
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl import AsyncUrlSeeder, SeedingConfig, UrlSeeder
from tests.docs_examples import runnable_blocks
from tests.sitemap_site import Route, Site, big_site, index, is_missing, serve, urlset

FAST: dict[str, Any] = {"hits_per_sec": None, "concurrency": 16}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with serve(big_site) as served:
        yield served


@pytest.fixture
def seeder(tmp_path: Path) -> Iterator[UrlSeeder]:
    with UrlSeeder(cache_path=tmp_path / "cache.db") as s:
        yield s


def _expected_allowed(base: str) -> set[str]:
    return (
        {f"{base}/page/{i}" for i in range(1200)}
        | {f"{base}/extra/{i}" for i in range(450)}
        | {f"{base}/post/{i}" for i in range(200)}
        | {f"{base}/news/{i}" for i in range(100)}
    )


def test_every_allowed_url_once_with_its_lastmod(site: Site, seeder: UrlSeeder) -> None:
    """robots.txt's two sitemaps (a gzipped index of XML, text and Atom sitemaps, and an
    RSS feed) give each allowed URL exactly once, with the lastmod of its first listing;
    /private/ (disallowed) is left out."""
    found = seeder.urls(site.base, SeedingConfig(check_robots_txt=True, **FAST))
    urls = [r["url"] for r in found]
    assert len(urls) == len(set(urls)) == 1950
    assert set(urls) == _expected_allowed(site.base)
    by_url = {r["url"]: r for r in found}
    assert by_url[f"{site.base}/page/30"]["lastmod"] == "2024-01-03"
    assert by_url[f"{site.base}/extra/3"]["lastmod"] is None
    assert by_url[f"{site.base}/post/50"]["lastmod"] == "2024-03-01T12:00:00Z"
    # robots.txt's sitemaps are read before the index's: /post/5 is first in the RSS feed
    assert by_url[f"{site.base}/post/5"]["lastmod"] == "2024-03-05T10:00:00+00:00"
    assert by_url[f"{site.base}/news/5"]["lastmod"] == "2024-03-05T10:00:00+00:00"
    assert {r["status"] for r in found} == {"unknown"}
    assert all(r["head_data"] == {} for r in found)


def test_without_check_robots_txt_disallowed_urls_stay(site: Site, seeder: UrlSeeder) -> None:
    """robots.txt is read for its Sitemap: lines either way; its rules filter only with
    check_robots_txt (2,000 URLs without)."""
    found = seeder.urls(site.base, SeedingConfig(**FAST))
    assert len(found) == 2000


def test_live_check_marks_the_404s(site: Site, seeder: UrlSeeder) -> None:
    """live_check sends HEAD to each URL: the 404 pages are not_valid, the others valid."""
    config = SeedingConfig(pattern="*/page/*", live_check=True, **FAST)
    found = seeder.urls(site.base, config)
    assert len(found) == 1200
    dead = {r["url"] for r in found if r["status"] == "not_valid"}
    assert dead == {f"{site.base}/page/{i}" for i in range(1200) if is_missing(f"/page/{i}")}
    assert len(dead) == 70
    assert all(r["status"] == "valid" for r in found if r["url"] not in dead)
    assert ("HEAD", "/page/0") in site.hits


def test_extract_head_and_query_order_by_relevance(site: Site, seeder: UrlSeeder) -> None:
    """extract_head reads title, meta description, canonical, hreflang and JSON-LD; a
    BM25 query puts the ten Python tutorials first, and score_threshold drops the rest."""
    config = SeedingConfig(
        pattern="*/post/*",
        extract_head=True,
        query="python tutorial",
        score_threshold=0.5,
        **FAST,
    )
    found = seeder.urls(site.base, config)
    assert {r["url"] for r in found} == {f"{site.base}/post/{i}" for i in range(10)}
    assert all(r["relevance_score"] == 1.0 for r in found)
    head = found[0]["head_data"]
    assert head["title"].startswith("Python tutorial for beginners")
    assert head["meta"]["description"] == "Python tutorial for beginners"
    path = found[0]["url"][len(site.base) :]
    assert head["link"]["canonical"] == [{"href": path}]
    assert head["link"]["alternate"] == [{"href": f"/fr{path}", "hreflang": "fr"}]
    assert head["jsonld"][0]["headline"] == "Python tutorial for beginners"
    assert head["lang"] == "en"


def test_query_without_head_scores_the_url_words(site: Site, seeder: UrlSeeder) -> None:
    """Without extract_head the query scores the words of each URL: "news" puts the
    /news/ URLs before everything else."""
    found = seeder.urls(site.base, SeedingConfig(query="news", **FAST))
    assert {r["url"] for r in found[:100]} == {f"{site.base}/news/{i}" for i in range(100)}
    assert found[100]["relevance_score"] < found[99]["relevance_score"]


def test_max_urls_and_many_urls(site: Site, seeder: UrlSeeder) -> None:
    """max_urls stops discovery after N URLs; many_urls seeds several sites at once."""
    found = seeder.many_urls([site.base, site.base], SeedingConfig(max_urls=25, **FAST))
    assert list(found) == [site.base]
    assert len(found[site.base]) == 25


def test_async_seeder(site: Site, tmp_path: Path) -> None:
    """AsyncUrlSeeder gives the same list as UrlSeeder (Crawl4AI's async API)."""

    async def main() -> list[dict[str, object]]:
        async with AsyncUrlSeeder(cache_path=tmp_path / "c.db") as seeder:
            return await seeder.urls(site.base, SeedingConfig(pattern="*/news/*", **FAST))

    assert len(asyncio.run(main())) == 100


def test_the_cache_answers_until_force(site: Site, seeder: UrlSeeder) -> None:
    """A second seeding of the site reads no sitemap (the cache holds the list; the
    first sitemaps get a HEAD for their Last-Modified); force=True reads them again."""
    config = SeedingConfig(pattern="*/news/*", **FAST)
    assert len(seeder.urls(site.base, config)) == 100
    site.hits.clear()
    assert len(seeder.urls(site.base, config)) == 100
    assert sorted(site.hits) == [
        ("GET", "/robots.txt"),
        ("HEAD", "/news.xml"),
        ("HEAD", "/sitemap_index.xml.gz"),
    ]
    assert len(seeder.urls(site.base, config.clone(force=True))) == 100
    assert ("GET", "/news.xml") in site.hits


def test_a_newer_last_modified_refreshes_the_cache(seeder: UrlSeeder) -> None:
    """validate_sitemap_lastmod: a sitemap whose Last-Modified is newer than the cached
    list is read again; without it the cache is trusted for its TTL."""

    def build(base: str) -> dict[str, Route]:
        later = {"Last-Modified": "Fri, 01 Jan 2100 00:00:00 GMT"}
        return {"/sitemap.xml": Route(urlset([(f"{base}/a/1", None)]), headers=later)}

    with serve(build) as site:
        config = SeedingConfig(**FAST)
        for _ in range(2):
            assert len(seeder.urls(site.base, config)) == 1
        assert site.hits.count(("GET", "/sitemap.xml")) == 2
        trusting = config.clone(validate_sitemap_lastmod=False)
        assert len(seeder.urls(site.base, trusting)) == 1
        assert site.hits.count(("GET", "/sitemap.xml")) == 2


def test_a_sitemap_that_does_not_answer_times_out(
    seeder: UrlSeeder, caplog: pytest.LogCaptureFixture
) -> None:
    """A sitemap slower than SeedingConfig.timeout is given up with a warning naming it;
    the other sitemap still comes out."""

    def build(base: str) -> dict[str, Route]:
        return {
            "/robots.txt": Route(
                f"Sitemap: {base}/slow.xml\nSitemap: {base}/fast.xml\n".encode(), "text/plain"
            ),
            "/slow.xml": Route(urlset([(f"{base}/slow/1", None)]), delay=30),
            "/fast.xml": Route(urlset([(f"{base}/fast/1", None)])),
        }

    with serve(build) as slow, caplog.at_level(logging.WARNING):
        found = seeder.urls(slow.base, SeedingConfig(timeout=0.5, **FAST))
    assert [r["url"] for r in found] == [f"{slow.base}/fast/1"]
    assert f"sitemap {slow.base}/slow.xml: unreachable (" in caplog.text


def _broken(base: str) -> dict[str, Route]:
    robots = "".join(
        f"Sitemap: {base}/{name}\n"
        for name in ("bad.xml", "wrongns.xml", "offhost.xml", "good.xml")
    )
    good = [(f"{base}/good/{i}", None) for i in range(5)]
    bad = urlset([(f"{base}/bad/{i}", None) for i in range(3)])[:-30] + b"<url><loc>x</lo"
    return {
        "/robots.txt": Route(robots.encode(), "text/plain"),
        "/good.xml": Route(urlset(good)),
        "/bad.xml": Route(bad),
        "/wrongns.xml": Route(urlset([(f"{base}/ns/1", None)], ns="http://example.com/ns")),
        "/offhost.xml": Route(urlset([(f"{base}/off/1", None), ("http://other.example/x", None)])),
    }


def test_malformed_sitemaps_warn_by_name_and_the_rest_comes_out(
    seeder: UrlSeeder, caplog: pytest.LogCaptureFixture
) -> None:
    """Bad XML, a wrong namespace and a <loc> on another host each give a warning naming
    the sitemap; the entries before the break, and the other sitemaps, still come out."""
    with serve(_broken) as broken, caplog.at_level(logging.WARNING):
        found = {r["url"] for r in seeder.urls(broken.base, SeedingConfig(**FAST))}
    base = broken.base
    assert {f"{base}/good/{i}" for i in range(5)} <= found
    assert f"{base}/bad/0" in found
    assert {f"{base}/ns/1", f"{base}/off/1"} <= found
    assert "http://other.example/x" not in found
    text = caplog.text
    assert f"sitemap {base}/bad.xml: bad XML" in text
    assert f"sitemap {base}/wrongns.xml: <urlset> in namespace 'http://example.com/ns'" in text
    assert f"sitemap {base}/offhost.xml: 1 <loc> on another host" in text


def _bombs(base: str) -> dict[str, Route]:
    return {
        "/robots.txt": Route(
            f"Sitemap: {base}/bomb.xml.gz\nSitemap: {base}/loop-a.xml\n"
            f"Sitemap: {base}/deep-0.xml\n".encode(),
            "text/plain",
        ),
        "/bomb.xml.gz": Route(
            gzip.compress(urlset([(f"{base}/b/1", None)])[:-9] + b" " * (8 * 1024 * 1024))
        ),
        "/loop-a.xml": Route(index([f"{base}/loop-b.xml"])),
        "/loop-b.xml": Route(index([f"{base}/loop-a.xml", f"{base}/leaf.xml"])),
        "/leaf.xml": Route(urlset([(f"{base}/leaf/1", None)])),
        **{f"/deep-{i}.xml": Route(index([f"{base}/deep-{i + 1}.xml"])) for i in range(10)},
        "/deep-10.xml": Route(urlset([(f"{base}/deepest", None)])),
    }


def test_zip_bomb_loop_and_depth_end_with_a_clear_message(
    seeder: UrlSeeder, caplog: pytest.LogCaptureFixture
) -> None:
    """A gzip that inflates past max_sitemap_bytes is cut there; an index loop is read
    once; ten nested indexes stop at max_sitemap_depth; each with a warning saying so."""
    config = SeedingConfig(max_sitemap_bytes=1024 * 1024, max_sitemap_depth=4, **FAST)
    with serve(_bombs) as bombs, caplog.at_level(logging.WARNING):
        found = {r["url"] for r in seeder.urls(bombs.base, config)}
    base = bombs.base
    assert f"{base}/b/1" in found
    assert f"{base}/leaf/1" in found
    assert f"{base}/deepest" not in found
    text = caplog.text
    assert f"sitemap {base}/bomb.xml.gz: more than 1048576 bytes once decompressed" in text
    assert f"sitemap index {base}/loop-b.xml lists {base}/loop-a.xml, already read" in text
    assert "deeper than max_sitemap_depth=4" in text


def test_max_sitemaps_caps_how_many_are_read(
    seeder: UrlSeeder, caplog: pytest.LogCaptureFixture
) -> None:
    """An index of six sitemaps with max_sitemaps=4 reads the index and three of them,
    then stops with a warning counting those left unread."""

    def build(base: str) -> dict[str, Route]:
        routes = {
            "/robots.txt": Route(f"Sitemap: {base}/index.xml\n".encode(), "text/plain"),
            "/index.xml": Route(index([f"{base}/s{i}.xml" for i in range(6)])),
        }
        for i in range(6):
            routes[f"/s{i}.xml"] = Route(urlset([(f"{base}/p/{i}", None)]))
        return routes

    with serve(build) as many, caplog.at_level(logging.WARNING):
        found = seeder.urls(many.base, SeedingConfig(max_sitemaps=4, **FAST))
        assert ("GET", "/s3.xml") not in many.hits
    assert [r["url"] for r in found] == [f"{many.base}/p/{i}" for i in range(3)]
    warning = f"more than max_sitemaps=4 sitemaps for {many.base}: 3 not read, from {many.base}/s3"
    assert warning in caplog.text


def test_sitemap_disallowed_by_robots_is_not_fetched(seeder: UrlSeeder) -> None:
    """With check_robots_txt a sitemap under a disallowed path is not even requested."""

    def build(base: str) -> dict[str, Route]:
        return {
            "/robots.txt": Route(
                f"User-agent: *\nDisallow: /hidden/\nSitemap: {base}/hidden/s.xml\n".encode(),
                "text/plain",
            ),
            "/hidden/s.xml": Route(urlset([(f"{base}/a/1", None)])),
        }

    with serve(build) as hidden:
        found = seeder.urls(hidden.base, SeedingConfig(check_robots_txt=True, **FAST))
        assert found == []
        assert ("GET", "/hidden/s.xml") not in hidden.hits


def test_no_robots_falls_back_to_sitemap_xml(seeder: UrlSeeder) -> None:
    """Without robots.txt the seeder reads /sitemap.xml; utility URLs in it (robots.txt,
    a sitemap, a login page) are filtered out by filter_nonsense_urls."""

    def build(base: str) -> dict[str, Route]:
        urls = [f"{base}/docs/intro", f"{base}/robots.txt", f"{base}/sitemap2.xml", f"{base}/login"]
        return {"/sitemap.xml": Route(urlset([(u, None) for u in urls]))}

    with serve(build) as plain:
        found = [r["url"] for r in seeder.urls(plain.base, SeedingConfig(**FAST))]
        unfiltered = seeder.urls(plain.base, SeedingConfig(filter_nonsense_urls=False, **FAST))
    assert found == [f"{plain.base}/docs/intro"]
    assert len(unfiltered) == 4


def test_pace_per_host(seeder: UrlSeeder) -> None:
    """hits_per_sec=20 spaces the requests to one host at least 50 ms apart."""
    import time

    def build(base: str) -> dict[str, Route]:
        return {"/sitemap.xml": Route(urlset([(f"{base}/p/{i}", None) for i in range(10)]))}

    with serve(build) as paced:
        started = time.monotonic()
        found = seeder.urls(paced.base, SeedingConfig(live_check=True, hits_per_sec=20))
        elapsed = time.monotonic() - started
    assert len(found) == 10
    # robots.txt, sitemap.xml, sitemap_index.xml and 10 HEADs: 13 starts, 12 gaps of 50 ms
    assert elapsed >= 12 * 0.05


def test_cli_seed_prints_json_lines_crawl_many_reads(
    site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``seleniumcrawl seed URL --pattern --live-check --max-urls`` prints one JSON object
    per URL; crawl-many's URL reader takes that file as a list of URLs."""
    import json

    from seleniumcrawl.cli import main, read_urls

    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path))
    argv = ["seed", site.base, "--pattern", "*/page/1?", "--live-check", "--max-urls", "5"]
    assert main([*argv, "--hits-per-sec", "0"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["url"] for e in lines] == [f"{site.base}/page/1{i}" for i in range(5)]
    assert [e["status"] for e in lines] == ["valid"] * 5
    assert lines[0]["lastmod"] == "2024-01-11"
    out = tmp_path / "seeds.jsonl"
    assert main(["seed", site.base, "--query", "news", "--max-urls", "3", "-o", str(out)]) == 0
    assert read_urls([str(out)]) == [
        json.loads(line)["url"] for line in out.read_text().splitlines()
    ]
    assert main(["seed", site.base, "--max-urls", "0"]) == 2
    assert "max_urls" in capsys.readouterr().err


def test_the_docs_examples_run(
    site: Site,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every runnable example of docs/seeding.md runs against the served sitemaps and
    prints what its ``# `` comment lines say."""
    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    blocks = runnable_blocks("docs/seeding.md")
    assert len(blocks) >= 6
    for block in blocks:
        expected = [ln[2:] for ln in block.splitlines() if ln.startswith("# ")]
        exec(compile(block, "docs/seeding.md", "exec"), {"base": site.base})
        printed = capsys.readouterr().out.splitlines()
        assert printed == expected, block
