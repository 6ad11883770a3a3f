"""The crawl cache: fetched pages in one SQLite file, shared by threads and processes.

The cache stores what the *browser* produced (:class:`CachedPage`), never the
extraction result: a hit re-runs extraction with the configuration given now,
so changing a schema never needs a cache flush. The key (:func:`cache_key`)
covers the URL and every option that changes what the browser fetches or runs
(:func:`fetch_options`).

Concurrency: each thread gets its own connection (sqlite3 connections are not
meant to be shared); the file is in WAL mode so readers never block writers;
writes take the write lock up front with ``BEGIN IMMEDIATE`` (a deferred
transaction that upgrades later can fail with "database is locked" without
waiting), and the busy timeout makes writers queue instead of failing. A short
bounded retry is the last resort.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs

from seleniumcrawl import storage_state
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.errors import CrawlerClosedError
from seleniumcrawl.frozen import thaw
from seleniumcrawl.transactions import immediate_transaction

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

#: Bump when the ``pages`` table changes; a file with another version is reset.
SCHEMA_VERSION = 2
_BUSY_TIMEOUT_S = 30.0
_LOCK_RETRIES = 5

_CREATE_PAGES = """
CREATE TABLE pages (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    redirected_url TEXT,
    status_code INTEGER,
    first_status INTEGER,
    html TEXT NOT NULL,
    screenshot TEXT,
    pdf BLOB,
    created_at REAL NOT NULL
)
"""
_COLUMNS = "url, redirected_url, status_code, first_status, html, screenshot, pdf, created_at"
#: robots.txt of each origin (seleniumcrawl.robots); ``status`` is the HTTP status of the fetch.
_CREATE_ROBOTS = """
CREATE TABLE IF NOT EXISTS robots (
    origin TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    fetched_at REAL NOT NULL
)
"""

#: URL lists found by the seeder (seleniumcrawl.discovery): zlib-compressed JSON.
_CREATE_SEEDS = """
CREATE TABLE IF NOT EXISTS seeds (
    key TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    fetched_at REAL NOT NULL
)
"""


def default_downloads_path() -> Path:
    """``$SELENIUMCRAWL_HOME/downloads``, else ``~/.seleniumcrawl/downloads``."""
    return default_cache_path().parent / "downloads"


def default_cache_path() -> Path:
    """``$SELENIUMCRAWL_HOME/cache.db``, else ``~/.seleniumcrawl/cache.db``."""
    home = os.environ.get("SELENIUMCRAWL_HOME")
    base = Path(home).expanduser() if home else Path.home() / ".seleniumcrawl"
    return base / "cache.db"


@attrs.frozen(kw_only=True)
class CachedPage:
    """What a crawl stores: the fetched page, before any extraction."""

    url: str
    redirected_url: str | None = None
    status_code: int | None = None
    #: The first response's status when the page was redirected (see CrawlResult.status_code).
    first_status: int | None = None
    html: str = attrs.field(default="", repr=False)
    #: Base64 PNG, as in ``CrawlResult.screenshot``.
    screenshot: str | None = attrs.field(default=None, repr=False)
    pdf: bytes | None = attrs.field(default=None, repr=False)
    created_at: float = attrs.field(factory=time.time)


def fetch_options(browser_config: BrowserConfig, run_config: CrawlerRunConfig) -> dict[str, Any]:
    """The options that change what the browser fetches or runs, for :func:`cache_key`.

    Left out on purpose: what only happens after the fetch (extraction, excluded
    tags, ``target_elements``, ``word_count_threshold``, link and image filtering,
    ``base_url``), how the crawl is scheduled or bounded (cache mode,
    session, stream, retries, delays between crawls, timeouts, url_matcher), and
    how the pool is run (max_drivers, session_ttl, command_timeout, keep-alive,
    verbose, headless, driver paths, remote_url). ``js_only`` crawls never read
    the cache, so it is not part of the key either.
    """
    b = browser_config
    # thaw: the configs hold tuples and FrozenDicts; the key is computed on plain JSON.
    # Only set when used, so that keys of crawls without these steps stay as they were.
    steps = {
        "js_code_before_wait": run_config.scripts_before_wait,
        "virtual_scroll": (
            run_config.virtual_scroll_config.to_dict() if run_config.virtual_scroll_config else None
        ),
        "process_iframes": run_config.process_iframes,
        "flatten_shadow_dom": run_config.flatten_shadow_dom,
        "wait_for_images": run_config.wait_for_images,
        # The page as of a later moment than the default readiness.
        "wait_until": None
        if run_config.wait_until == "domcontentloaded"
        else run_config.wait_until,
    }
    used = {name: value for name, value in steps.items() if value}
    options: dict[str, Any] = thaw(
        {
            **({"page_steps": used} if used else {}),
            "js_code": run_config.scripts,
            "wait_for": run_config.wait_for,
            "css_selector": run_config.css_selector,
            "screenshot": run_config.screenshot,
            "pdf": run_config.pdf,
            "scan_full_page": run_config.scan_full_page,
            "remove_overlay_elements": run_config.remove_overlay_elements,
            # float() so that 1 and 1.0 give the same key.
            "delay_before_return_html": float(run_config.delay_before_return_html),
            "browser": {
                "browser_type": b.browser_type,
                "user_agent": b.user_agent,
                "headers": b.headers,
                "cookies": b.cookies,
                "java_script_enabled": b.java_script_enabled,
                "text_mode": b.text_mode,
                "viewport": [b.viewport_width, b.viewport_height],
                "proxy": b.proxy,
                # These also change what a page shows: flags like --lang, a logged-in
                # profile, and whether a page with a bad certificate loads at all.
                "extra_args": b.extra_args,
                "user_data_dir": b.user_data_dir,
                "ignore_https_errors": b.ignore_https_errors,
            },
        }
    )
    if b.storage_state_data is not None:
        # A logged-in page differs from the anonymous one. The state's values are secrets
        # (the key's options may be logged or inspected): a digest of them, never them.
        options["browser"]["storage_state"] = storage_state.digest(b.storage_state_data)
    identity = _identity_options(run_config)
    if identity:
        options["identity"] = identity
    if run_config.scan_full_page:
        # How long each scroll step waits decides what lazy content was loaded. Only in
        # the key of scrolling crawls, so the keys of every other crawl stay as they were.
        options["scroll_delay"] = float(run_config.scroll_delay)
    return options


def _identity_options(run: CrawlerRunConfig) -> dict[str, Any]:
    """A crawl's own network identity, for the key (only when set, so other keys stay as
    they were). The proxy by server and user, never its password; headers by a digest
    (their values may be tokens)."""
    out: dict[str, Any] = {}
    proxy = run.proxy_config
    if proxy is not None:
        out["proxy"] = [proxy.server, proxy.username]
    elif run.proxy_rotation_strategy is not None:
        out["proxy"] = "rotation"
    for name in ("user_agent", "locale", "timezone_id"):
        if getattr(run, name) is not None:
            out[name] = getattr(run, name)
    if run.geolocation is not None:
        out["geolocation"] = run.geolocation.to_dict()
    if run.headers:
        canonical = json.dumps(sorted(run.headers.items()))
        out["headers"] = hashlib.sha256(canonical.encode()).hexdigest()
    return out


def cache_key(url: str, fetch_options: Mapping[str, Any]) -> str:
    """A stable sha256 hex digest of ``url`` and the canonical JSON of ``fetch_options``.

    Dict order never matters (keys are sorted at every level); list order does
    (scripts run in order). Values must be JSON types (tuples count as lists).
    """
    try:
        canonical = json.dumps(
            {"url": url, "options": fetch_options},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
    except (TypeError, ValueError) as exc:
        raise TypeError(f"cache_key: fetch options must be plain JSON values: {exc}") from exc
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _is_lock_error(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class CrawlCache:
    """A SQLite crawl cache, safe for several threads and processes at once.

    ``path`` defaults to :func:`default_cache_path`. A directory the cache creates
    is private to the user (mode 0o700): cached pages can hold logged-in content.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        _make_private_dir(self.path.parent)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._closed = False
        self._retrying(self._ensure_schema)

    # -- public API ---------------------------------------------------------------

    def get(self, key: str) -> CachedPage | None:
        """The page stored under ``key``, or None."""
        row = self._retrying(
            lambda conn: conn.execute(
                f"SELECT {_COLUMNS} FROM pages WHERE key = ?", (key,)
            ).fetchone()
        )
        if row is None:
            return None
        url, redirected_url, status_code, first_status, html, screenshot, pdf, created_at = row
        return CachedPage(
            url=url,
            redirected_url=redirected_url,
            status_code=status_code,
            first_status=first_status,
            html=html,
            screenshot=screenshot,
            pdf=bytes(pdf) if pdf is not None else None,
            created_at=created_at,
        )

    def put(self, key: str, page: CachedPage) -> None:
        """Store ``page`` under ``key``, replacing what was there."""
        self._write(
            f"INSERT OR REPLACE INTO pages (key, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                page.url,
                page.redirected_url,
                page.status_code,
                page.first_status,
                page.html,
                page.screenshot,
                page.pdf,
                page.created_at,
            ),
        )

    def delete(self, key: str) -> None:
        """Forget ``key`` (no error when it is not there)."""
        self._write("DELETE FROM pages WHERE key = ?", (key,))

    def clear(self) -> None:
        """Forget every page."""
        self._write("DELETE FROM pages")

    def get_robots(self, origin: str) -> tuple[int, str, float] | None:
        """``(status, body, fetched_at)`` of the robots.txt stored for ``origin``, or None."""
        row = self._retrying(
            lambda conn: conn.execute(
                "SELECT status, body, fetched_at FROM robots WHERE origin = ?", (origin,)
            ).fetchone()
        )
        return None if row is None else (int(row[0]), str(row[1]), float(row[2]))

    def put_robots(self, origin: str, status: int, body: str, fetched_at: float) -> None:
        """Store the robots.txt fetched for ``origin`` (its HTTP status and text)."""
        self._write(
            "INSERT OR REPLACE INTO robots (origin, status, body, fetched_at) VALUES (?, ?, ?, ?)",
            (origin, status, body, fetched_at),
        )

    def get_seeds(self, key: str) -> tuple[bytes, float] | None:
        """``(data, fetched_at)`` of the URL list the seeder stored under ``key``, or None."""
        row = self._retrying(
            lambda conn: conn.execute(
                "SELECT data, fetched_at FROM seeds WHERE key = ?", (key,)
            ).fetchone()
        )
        return None if row is None else (bytes(row[0]), float(row[1]))

    def put_seeds(self, key: str, data: bytes, fetched_at: float) -> None:
        """Store a URL list the seeder found (its own encoding) under ``key``."""
        self._write(
            "INSERT OR REPLACE INTO seeds (key, data, fetched_at) VALUES (?, ?, ?)",
            (key, data, fetched_at),
        )

    def __len__(self) -> int:
        row = self._retrying(lambda conn: conn.execute("SELECT COUNT(*) FROM pages").fetchone())
        return int(row[0])

    def close(self) -> None:
        """Close every connection this cache opened, in any thread. Idempotent."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for _, conn in connections:
            try:
                conn.close()
            except sqlite3.Error:
                logger.warning("closing a cache connection failed", exc_info=True)

    def __enter__(self) -> CrawlCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- connections and transactions ----------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        if self._closed:
            raise CrawlerClosedError(f"CrawlCache({str(self.path)!r}) is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (BEGIN IMMEDIATE for writes).
        # check_same_thread=False only so that close() may close it from another thread.
        conn = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        with self._lock:
            if self._closed:
                conn.close()
                raise CrawlerClosedError(f"CrawlCache({str(self.path)!r}) is closed")
            self._prune_dead_threads()
            self._connections.append((threading.current_thread(), conn))
        self._local.conn = conn
        return conn

    def _prune_dead_threads(self) -> None:
        """Close connections of threads that have ended (per-run worker threads come and go)."""
        alive = []
        for thread, conn in self._connections:
            if thread.is_alive():
                alive.append((thread, conn))
            else:
                conn.close()
        self._connections = alive

    def _retrying(self, op: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``op`` on this thread's connection, retrying a bounded number of lock errors.

        WAL plus the busy timeout should make these rare; this covers the few cases
        where SQLite reports busy without waiting (e.g. switching to WAL on a new file).
        """
        for attempt in range(_LOCK_RETRIES + 1):
            try:
                return op(self._conn())
            except sqlite3.OperationalError as exc:
                if not _is_lock_error(exc) or attempt == _LOCK_RETRIES:
                    raise
                delay = 0.05 * 2**attempt
                logger.warning("cache %s: %s; retrying in %.2f s", self.path, exc, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        def op(conn: sqlite3.Connection) -> None:
            with immediate_transaction(conn):
                conn.execute(sql, params)

        self._retrying(op)

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        """Create the tables, or reset them when the file has another schema version."""
        with immediate_transaction(conn):
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = row[0] if row else None
            if version == str(SCHEMA_VERSION):
                conn.execute(_CREATE_ROBOTS)
                conn.execute(_CREATE_SEEDS)
                return
            tables = [
                name
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name != 'meta' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            if version is not None or tables:
                logger.warning(
                    "cache %s has schema version %s, this version uses %s: "
                    "dropping its cached pages",
                    self.path,
                    version,
                    SCHEMA_VERSION,
                )
            for name in tables:
                conn.execute(f'DROP TABLE "{name.replace(chr(34), chr(34) * 2)}"')
            conn.execute(_CREATE_PAGES)
            conn.execute(_CREATE_ROBOTS)
            conn.execute(_CREATE_SEEDS)
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )


def _make_private_dir(directory: Path) -> None:
    """Create ``directory`` with mode 0o700; chmod it too, since the umask may have widened it."""
    if directory.is_dir():
        return
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)


__all__ = [
    "SCHEMA_VERSION",
    "CachedPage",
    "CrawlCache",
    "cache_key",
    "default_cache_path",
    "fetch_options",
]
