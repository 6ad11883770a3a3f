"""The SQLite crawl cache: storage, keys, location, concurrency, schema versioning."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl.cache import (
    SCHEMA_VERSION,
    CachedPage,
    CrawlCache,
    cache_key,
    default_cache_path,
    fetch_options,
)
from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.content.filters import PruningContentFilter
from seleniumcrawl.content.generation import DefaultMarkdownGenerator
from seleniumcrawl.errors import CrawlerClosedError
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy

URL = "https://example.com/page"


def _page(url: str = URL, **changes: Any) -> CachedPage:
    values: dict[str, Any] = {
        "url": url,
        "redirected_url": url + "?r=1",
        "status_code": 200,
        "html": "<html><body>héllo</body></html>",
        "screenshot": "iVBORw0KGgo=",
        "pdf": b"%PDF-1.7\x00\xff",
        "created_at": 1700000000.5,
    }
    values.update(changes)
    return CachedPage(**values)


@pytest.fixture
def cache(tmp_path: Path) -> Any:
    with CrawlCache(tmp_path / "cache.db") as c:
        yield c


def _key(browser: BrowserConfig | None = None, run: CrawlerRunConfig | None = None) -> str:
    return cache_key(URL, fetch_options(browser or BrowserConfig(), run or CrawlerRunConfig()))


# -- storage ----------------------------------------------------------------------------


def test_round_trip_keeps_every_field(cache: CrawlCache) -> None:
    """A stored page comes back equal, including binary PDF bytes and the screenshot."""
    page = _page()
    cache.put("k", page)
    assert cache.get("k") == page


def test_round_trip_with_empty_optionals(cache: CrawlCache) -> None:
    """None screenshot/pdf/status/redirect survive the round trip as None."""
    page = CachedPage(url=URL, html="<p>x</p>")
    cache.put("k", page)
    assert cache.get("k") == page


def test_missing_key_is_none(cache: CrawlCache) -> None:
    """get() of a key never stored returns None."""
    assert cache.get("nope") is None


def test_put_replaces_delete_and_clear(cache: CrawlCache) -> None:
    """put() replaces an entry, delete() removes one, clear() removes all; len() follows."""
    cache.put("a", _page(html="one"))
    cache.put("a", _page(html="two"))
    cache.put("b", _page())
    assert len(cache) == 2
    assert cache.get("a") == _page(html="two")
    cache.delete("a")
    cache.delete("missing")
    assert cache.get("a") is None and len(cache) == 1
    cache.clear()
    assert len(cache) == 0


def test_entries_persist_across_instances(tmp_path: Path) -> None:
    """A page written by one CrawlCache is read by another opened on the same file."""
    with CrawlCache(tmp_path / "c.db") as first:
        first.put("k", _page())
    with CrawlCache(tmp_path / "c.db") as second:
        assert second.get("k") == _page()


def test_close_is_idempotent_and_use_after_close_raises(tmp_path: Path) -> None:
    """close() twice is fine; any use afterwards raises CrawlerClosedError."""
    c = CrawlCache(tmp_path / "c.db")
    c.put("k", _page())
    c.close()
    c.close()
    with pytest.raises(CrawlerClosedError):
        c.get("k")


def test_close_closes_connections_of_other_threads(tmp_path: Path) -> None:
    """Connections opened by other (still running) threads are closed by close()."""
    c = CrawlCache(tmp_path / "c.db")
    opened = threading.Event()
    release = threading.Event()
    conns: list[sqlite3.Connection] = []

    def worker() -> None:
        c.put("k", _page())
        conns.append(c._local.conn)
        opened.set()
        release.wait(10)

    t = threading.Thread(target=worker)
    t.start()
    assert opened.wait(10)
    c.close()
    with pytest.raises(sqlite3.ProgrammingError):
        conns[0].execute("SELECT 1")
    release.set()
    t.join()


def test_connections_of_finished_threads_are_closed(cache: CrawlCache) -> None:
    """Short-lived threads do not leave connections piling up in a long-lived cache."""
    for i in range(5):
        t = threading.Thread(target=cache.put, args=(f"k{i}", _page()))
        t.start()
        t.join()
    cache.get("k0")  # the main thread's first connection prunes the dead ones
    assert len(cache._connections) <= 2
    assert len(cache) == 5


# -- keys -------------------------------------------------------------------------------


def test_key_is_stable_sha256() -> None:
    """The same URL and options give the same 64-hex-digit key every time."""
    key = _key()
    assert key == _key()
    assert len(key) == 64 and int(key, 16) >= 0


def test_key_ignores_dict_order() -> None:
    """Reordering keys at any level of the options does not change the key."""
    a = {"x": 1, "browser": {"headers": {"A": "1", "B": "2"}, "proxy": None}}
    b = {"browser": {"proxy": None, "headers": {"B": "2", "A": "1"}}, "x": 1}
    assert cache_key(URL, a) == cache_key(URL, b)
    h1 = BrowserConfig(headers={"A": "1", "B": "2"})
    h2 = BrowserConfig(headers={"B": "2", "A": "1"})
    assert _key(browser=h1) == _key(browser=h2)


def test_key_differs_by_url() -> None:
    """Another URL gives another key."""
    opts = fetch_options(BrowserConfig(), CrawlerRunConfig())
    assert cache_key(URL, opts) != cache_key(URL + "/2", opts)


RUN_CHANGES: list[dict[str, Any]] = [
    {"js_code": "return 1"},
    {"js_code": ["return 1", "return 2"]},
    {"wait_for": "css:p"},
    {"css_selector": "main"},
    {"screenshot": True},
    {"pdf": True},
    {"scan_full_page": True},
    {"scan_full_page": True, "scroll_delay": 1.0},
    {"remove_overlay_elements": True},
    {"delay_before_return_html": 0.5},
]
BROWSER_CHANGES: list[dict[str, Any]] = [
    {"browser_type": "firefox"},
    {"user_agent": "UA/1"},
    {"headers": {"X-A": "1"}},
    {"cookies": [{"name": "n", "value": "v", "url": URL}]},
    {"java_script_enabled": False},
    {"text_mode": True},
    {"viewport_width": 800},
    {"viewport_height": 900},
    {"proxy": "http://127.0.0.1:3128"},
    {"extra_args": ["--lang=de"]},
    {"user_data_dir": "/tmp/profile"},
    {"storage_state": {"cookies": [{"name": "n", "value": "v", "domain": "example.com"}]}},
    {"ignore_https_errors": False},
]


def test_every_fetch_option_changes_the_key() -> None:
    """Each option that changes what the browser fetches or runs gives a distinct key."""
    keys = [_key()]
    keys += [_key(run=CrawlerRunConfig(**change)) for change in RUN_CHANGES]
    keys += [_key(browser=BrowserConfig(**change)) for change in BROWSER_CHANGES]
    assert len(set(keys)) == len(keys)


def test_options_outside_the_fetch_do_not_change_the_key() -> None:
    """Extraction, markdown, scheduling and pool options leave the key unchanged."""
    strategy = JsonCssExtractionStrategy({"baseSelector": "p", "fields": []})
    run = CrawlerRunConfig(
        extraction_strategy=strategy,
        markdown_generator=DefaultMarkdownGenerator(content_filter=PruningContentFilter()),
        cache_mode=CacheMode.ENABLED,
        session_id="s",
        stream=True,
        max_retries=3,
        mean_delay=2,
        page_timeout=5000,
        wait_for_timeout=100,
        url_matcher="*",
        # Content options applied after the fetch (issue 14); scroll_delay without scrolling.
        verbose=True,
        word_count_threshold=20,
        target_elements=["main"],
        exclude_social_media_links=True,
        exclude_domains=["ads.test"],
        exclude_external_images=True,
        base_url="https://base.test/",
        scroll_delay=2.0,
    )
    browser = BrowserConfig(
        verbose=True, max_drivers=7, session_ttl=5, command_timeout=9, keep_alive_interval=3
    )
    assert _key(browser=browser, run=run) == _key()


def test_js_code_string_and_one_item_list_share_a_key() -> None:
    """js_code "x" and ["x"] run the same script, so they share a key."""
    assert _key(run=CrawlerRunConfig(js_code="x")) == _key(run=CrawlerRunConfig(js_code=["x"]))


def test_key_rejects_non_json_values() -> None:
    """A value with no canonical JSON form raises TypeError instead of a random key."""
    with pytest.raises(TypeError, match="plain JSON"):
        cache_key(URL, {"hook": object()})


# -- location ---------------------------------------------------------------------------


def test_selenium_crawl_home_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SELENIUMCRAWL_HOME moves the default file; the cache is created there."""
    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path / "home"))
    assert default_cache_path() == tmp_path / "home" / "cache.db"
    with CrawlCache() as c:
        c.put("k", _page())
    assert (tmp_path / "home" / "cache.db").is_file()


def test_default_path_is_under_user_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without SELENIUMCRAWL_HOME the file is ~/.seleniumcrawl/cache.db."""
    monkeypatch.delenv("SELENIUMCRAWL_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_path() == tmp_path / ".seleniumcrawl" / "cache.db"


def test_created_directory_is_private(tmp_path: Path) -> None:
    """A directory the cache creates has mode 0o700."""
    CrawlCache(tmp_path / "a" / "cache.db").close()
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700


def test_existing_directory_is_left_alone(tmp_path: Path) -> None:
    """A directory the user already has keeps its mode."""
    (tmp_path / "shared").mkdir(mode=0o755)
    (tmp_path / "shared").chmod(0o755)
    CrawlCache(tmp_path / "shared" / "cache.db").close()
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o755


# -- concurrency ------------------------------------------------------------------------


def test_concurrent_threads_lose_nothing(cache: CrawlCache) -> None:
    """8 threads x 50 puts (with reads in between) all land, with no exception."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                cache.put(f"t{n}-{i}", _page(html=f"{n}/{i}"))
                cache.get(f"t{n}-{i // 2}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(cache) == 400
    assert all(
        cache.get(f"t{n}-{i}") == _page(html=f"{n}/{i}") for n in range(8) for i in range(50)
    )


def _put_many(path: str, prefix: str, count: int) -> None:
    """Process target: its own CrawlCache writing ``count`` pages."""
    with CrawlCache(path) as c:
        for i in range(count):
            c.put(f"{prefix}-{i}", _page(html=f"{prefix}/{i}"))


def test_concurrent_processes_lose_nothing(tmp_path: Path) -> None:
    """4 spawned processes x 100 puts into one new file: every entry is there."""
    path = str(tmp_path / "shared.db")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_put_many, args=(path, f"p{n}", 100)) for n in range(4)]
    try:
        for p in procs:
            p.start()
        for p in procs:
            p.join(100)  # spawn re-imports the package: slow on a loaded machine
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join()
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    with CrawlCache(path) as c:
        assert len(c) == 400
        assert all(
            c.get(f"p{n}-{i}") == _page(html=f"p{n}/{i}") for n in range(4) for i in range(100)
        )


# -- schema versioning ------------------------------------------------------------------


def test_other_schema_version_is_reset(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A file with another schema version is emptied and recreated, with a warning."""
    path = tmp_path / "c.db"
    with CrawlCache(path) as c:
        c.put("k", _page())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.close()
    with caplog.at_level(logging.WARNING, logger="seleniumcrawl.cache"), CrawlCache(path) as c:
        assert len(c) == 0
        c.put("k", _page())
        assert c.get("k") == _page()
    assert "schema version 0" in caplog.text
    with sqlite3.connect(path) as conn:
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    conn.close()
    assert version == (str(SCHEMA_VERSION),)


def test_file_without_version_is_reset(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A file with tables but no version (unknown origin) has them dropped, with a warning."""
    path = tmp_path / "c.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE pages (key TEXT, stuff TEXT)")
        conn.execute("CREATE TABLE leftovers (x)")
    conn.close()
    with caplog.at_level(logging.WARNING, logger="seleniumcrawl.cache"), CrawlCache(path) as c:
        c.put("k", _page())
        assert c.get("k") == _page()
    assert "dropping" in caplog.text
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert "leftovers" not in tables


def test_fresh_file_logs_no_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Creating a new cache file is silent."""
    with caplog.at_level(logging.WARNING, logger="seleniumcrawl.cache"):
        CrawlCache(tmp_path / "c.db").close()
    assert caplog.records == []
