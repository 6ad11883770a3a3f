"""``UrlSeeder`` / ``AsyncUrlSeeder``: a site's URLs from its sitemaps, before any crawl.

What :meth:`UrlSeeder.urls` does, in order:

1. robots.txt of the site (one plain request): its ``Sitemap:`` lines name the sitemaps;
   without any, ``/sitemap.xml`` and ``/sitemap_index.xml`` are tried.
2. Each sitemap is read as it downloads (:mod:`~seleniumcrawl.discovery.sitemaps`);
   an index's sitemaps are read in turn, breadth first, at most ``max_sitemaps`` of them
   and ``max_sitemap_depth`` indexes deep; a sitemap read once is not read again (index
   loops end there, with a warning). A ``<loc>`` on another host than its sitemap's (or
   the seeded site's) is left out with a warning.
3. Each URL is kept once (the first ``lastmod`` seen wins), if it matches ``pattern``,
   is no utility URL (``filter_nonsense_urls``) and, with ``check_robots_txt``, robots.txt
   allows it (sitemaps robots.txt disallows are not fetched either).
4. ``live_check`` (HEAD, else GET) and ``extract_head`` (the page up to ``</head>``) run
   on ``concurrency`` threads; ``hits_per_sec`` paces each host, sitemaps included.
5. With ``query``, BM25 scores each URL by its head (or, without ``extract_head``, by the
   words of its URL), keeps those at ``score_threshold`` or above, best first.

The discovered list of each site is kept in the page cache's SQLite file for
``cache_ttl_hours`` (0: no expiry) unless, with ``validate_sitemap_lastmod``, a first
sitemap's ``Last-Modified`` is newer than the list; ``force=True`` reads the sitemaps again.

Every request is plain HTTP from Python (:mod:`seleniumcrawl.plain_http`): no browser.
``AsyncUrlSeeder`` runs the same code in worker threads for asyncio callers.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import email.utils
import itertools
import json
import logging
import os
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from seleniumcrawl import plain_http
from seleniumcrawl.discovery.config import SeedingConfig
from seleniumcrawl.discovery.head import HEAD_MAX_BYTES, head_end, head_text, parse_head
from seleniumcrawl.discovery.ranking import is_nonsense, matches, relevance, url_words
from seleniumcrawl.discovery.sitemaps import SitemapItem, parse_sitemap
from seleniumcrawl.robots import UNREACHABLE, RobotsRules, origin_of, rules_from

logger = logging.getLogger(__name__)

_FALLBACK_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml")


class _HostPacer:
    """At most ``hits_per_sec`` request starts per host (None or 0: no limit)."""

    def __init__(self, hits_per_sec: float | None) -> None:
        self._gap = 1.0 / hits_per_sec if hits_per_sec else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, url: str) -> None:
        if not self._gap:
            return
        host = urlsplit(url).netloc
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + self._gap
        if start > now:
            time.sleep(start - now)  # pacing a host, not waiting on a condition


def site_origin(domain_or_url: str) -> str:
    """``scheme://host[:port]`` of what the user gave: a URL, or a bare domain (https)."""
    text = domain_or_url.strip()
    if "://" not in text:
        text = "https://" + text
    where = origin_of(text)
    if where is None:
        raise ValueError(f"cannot seed {domain_or_url!r}: not an http(s) URL or domain")
    return where[0]


class _Run:
    """One ``urls()`` call: the config, the site's robots.txt, the pacer, the warnings."""

    def __init__(self, seeder: UrlSeeder, site: str, config: SeedingConfig) -> None:
        self.seeder = seeder
        self.origin = site_origin(site)
        #: a bare domain is tried over https, then http
        self.bare = "://" not in site
        self.config = config
        self.pacer = seeder._pacer_for(config)
        self.level = logging.INFO if config.verbose else logging.DEBUG
        self.user_agent = config.user_agent or seeder.user_agent or plain_http.DEFAULT_USER_AGENT
        self.warnings: list[str] = []
        self.robots_status = UNREACHABLE
        self.rules: RobotsRules = rules_from(UNREACHABLE, "")
        self.listed: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        logger.warning("%s", message)

    def get(self, url: str, **kwargs: Any) -> Any:
        self.pacer.wait(url)
        return plain_http.open_stream(
            url,
            user_agent=self.user_agent,
            proxy=self.seeder.proxy,
            verify_tls=self.seeder.verify_tls,
            timeout=self.config.timeout,
            **kwargs,
        )

    def read_robots(self) -> None:
        robots_url = self.origin + "/robots.txt"
        try:
            with self.get(robots_url) as stream:
                body = stream.body.read(plain_http.MAX_BODY_BYTES).decode("utf-8", "replace")
                status = stream.status
        except OSError as exc:
            logger.log(self.level, "%s unreachable: %s", robots_url, exc)
            if self.bare and self.origin.startswith("https://"):
                self.origin = "http://" + self.origin[len("https://") :]
                self.read_robots()
            return
        self.robots_status, self.rules = status, rules_from(status, body)
        if 200 <= status < 300:
            for line in body.splitlines():
                key, _, value = line.partition(":")
                if key.strip().lower() == "sitemap" and value.strip():
                    self.listed.append(value.strip())
        logger.log(
            self.level, "%s: HTTP %d, %d sitemaps listed", robots_url, status, len(self.listed)
        )

    def roots(self) -> list[str]:
        """The sitemaps reading starts from: robots.txt's, else the usual places."""
        return self.listed or [self.origin + path for path in _FALLBACK_SITEMAPS]

    def roots_changed_since(self, when: float) -> bool:
        """``validate_sitemap_lastmod``: does a first sitemap's ``Last-Modified`` (HEAD)
        say it changed after ``when``? Unknown dates count as unchanged."""
        for url in self.roots():
            try:
                with self.get(url, method="HEAD") as stream:
                    stamp = stream.headers.get("last-modified")
            except OSError:
                continue
            try:
                changed = stamp is not None and (
                    email.utils.parsedate_to_datetime(stamp).timestamp() > when
                )
            except (TypeError, ValueError, IndexError):
                changed = False
            if changed:
                logger.log(self.level, "sitemap %s changed since it was cached", url)
                return True
        return False

    def allowed(self, url: str) -> bool:
        return not self.config.check_robots_txt or self.rules.can_fetch(self.user_agent, url)

    # -- sitemaps ---------------------------------------------------------------

    def discovered(self) -> Iterator[SitemapItem]:
        """Every page URL the sitemaps name (duplicates included), as they are read."""
        roots = self.roots()
        queue: collections.deque[tuple[str, int, bool]] = collections.deque(
            (url, 1, bool(self.listed)) for url in roots
        )
        seen: set[str] = set(roots)
        read = 0
        while queue:
            url, depth, listed = queue.popleft()
            if read >= self.config.max_sitemaps:
                self.warn(
                    f"more than max_sitemaps={self.config.max_sitemaps} sitemaps for "
                    f"{self.origin}: {len(queue) + 1} not read, from {url}"
                )
                return
            if not self.allowed(url):
                self.warn(f"sitemap {url}: disallowed by robots.txt; not read")
                continue
            read += 1
            for item in self._read_sitemap(url, listed):
                if item.kind == "url":
                    yield item
                elif item.url in seen:
                    self.warn(
                        f"sitemap index {url} lists {item.url}, already read (an index loop "
                        "or a sitemap listed twice); not read again"
                    )
                elif depth >= self.config.max_sitemap_depth:
                    self.warn(
                        f"sitemap index {url} lists {item.url} at depth {depth + 1}, deeper "
                        f"than max_sitemap_depth={self.config.max_sitemap_depth}; not read"
                    )
                else:
                    seen.add(item.url)
                    queue.append((item.url, depth + 1, True))

    def _read_sitemap(self, url: str, listed: bool) -> Iterator[SitemapItem]:
        hosts = {urlsplit(url).hostname, urlsplit(self.origin).hostname}
        off_host: list[str] = []
        try:
            with self.get(url) as stream:
                if not 200 <= stream.status < 300:
                    log = self.warn if listed else (lambda m: logger.log(self.level, "%s", m))
                    log(f"sitemap {url}: HTTP {stream.status}; skipped")
                    return
                logger.log(self.level, "reading sitemap %s", url)
                for item in parse_sitemap(
                    url, stream.body, max_bytes=self.config.max_sitemap_bytes, warn=self.warn
                ):
                    if urlsplit(item.url).hostname not in hosts:
                        off_host.append(item.url)
                        continue
                    yield item
        except OSError as exc:
            self.warn(f"sitemap {url}: unreachable ({exc}); skipped")
        finally:
            if off_host:
                self.warn(
                    f"sitemap {url}: {len(off_host)} <loc> on another host than the "
                    f"sitemap's left out (first: {off_host[0]})"
                )

    # -- checks on each URL -----------------------------------------------------

    def check(self, url: str, lastmod: str | None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "url": url,
            "status": "unknown",
            "head_data": {},
            "lastmod": lastmod,
        }
        if self.config.extract_head:
            entry["original_url"] = url
            ok, final, head = self._head_of(url)
            entry.update(url=final, status="valid" if ok else "not_valid", head_data=head)
        elif self.config.live_check:
            entry["status"] = "valid" if self._is_live(url) else "not_valid"
        return entry

    def _is_live(self, url: str) -> bool:
        try:
            with self.get(url, method="HEAD") as stream:
                status: int = stream.status
                if status not in (405, 501):
                    return 200 <= status < 300
        except OSError as exc:
            logger.log(self.level, "HEAD %s failed (%s); trying GET", url, exc)
        try:
            with self.get(url) as stream:
                got: int = stream.status
                return 200 <= got < 300
        except OSError as exc:
            logger.log(self.level, "GET %s failed: %s", url, exc)
            return False

    def _head_of(self, url: str) -> tuple[bool, str, dict[str, Any]]:
        try:
            with self.get(url) as stream:
                if not 200 <= stream.status < 300:
                    return False, stream.url, {}
                data = b""
                while len(data) < HEAD_MAX_BYTES and head_end(data) < 0:
                    chunk = stream.body.read(16 * 1024)
                    if not chunk:
                        break
                    data += chunk
                end = head_end(data)
                return True, stream.url, parse_head(data[:end] if end >= 0 else data)
        except OSError as exc:
            logger.log(self.level, "GET %s failed: %s", url, exc)
            return False, url, {}


def _cached_items(blob: bytes) -> Iterator[SitemapItem]:
    """The URLs of a stored list (JSON lines, zlib), inflated a piece at a time."""
    unpacker = zlib.decompressobj()
    rest = b""
    for start in range(0, len(blob), 64 * 1024):
        rest += unpacker.decompress(blob[start : start + 64 * 1024])
        *lines, rest = rest.split(b"\n")
        for line in lines:
            url, lastmod = json.loads(line)
            yield SitemapItem("url", url, lastmod)


class UrlSeeder:
    """Discovers a site's URLs from its sitemaps (blocking; thread-safe).

    ``cache_path`` is the SQLite file that keeps discovered lists (default: the page
    cache, ``$SELENIUMCRAWL_HOME/cache.db``; ``SeedingConfig.base_directory`` overrides
    it per call). ``user_agent``, ``proxy`` (http(s) only) and ``verify_tls`` apply to
    every request. Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        *,
        cache_path: str | os.PathLike[str] | None = None,
        user_agent: str | None = None,
        proxy: str | None = None,
        verify_tls: bool = True,
    ) -> None:
        self.cache_path = cache_path
        self.user_agent = user_agent
        self.proxy = proxy
        self.verify_tls = verify_tls
        self._caches: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._closed = False

    def _pacer_for(self, config: SeedingConfig) -> _HostPacer:
        return _HostPacer(config.hits_per_sec)

    def _cache(self, config: SeedingConfig) -> Any:
        from seleniumcrawl.cache import CrawlCache, default_cache_path

        if config.base_directory is not None:
            path = Path(config.base_directory).expanduser() / ".seleniumcrawl" / "cache.db"
        else:
            path = Path(self.cache_path) if self.cache_path is not None else default_cache_path()
        with self._lock:
            if self._closed:
                raise RuntimeError("UrlSeeder is closed")
            cache = self._caches.get(str(path))
            if cache is None:
                cache = self._caches[str(path)] = CrawlCache(path)
            return cache

    # -- public API -----------------------------------------------------------------

    def urls(self, domain_or_url: str, config: SeedingConfig | None = None) -> list[dict[str, Any]]:
        """The site's URLs, each a dict ``{"url", "status", "head_data", "lastmod"}``
        (``status``: ``"valid"``/``"not_valid"`` after a check, else ``"unknown"``),
        plus ``"relevance_score"`` with a query and ``"original_url"`` with
        ``extract_head``. Sitemap order, or best score first with a query."""
        config = config if config is not None else SeedingConfig()
        if not isinstance(config, SeedingConfig):
            raise TypeError(f"config must be a SeedingConfig, got {type(config).__name__}")
        run = _Run(self, domain_or_url, config)
        started = time.monotonic()
        candidates = self._candidates(run)
        if config.max_urls > 0:
            candidates = itertools.islice(candidates, config.max_urls)
        if config.live_check or config.extract_head:
            results = list(self._checked(run, candidates))
        else:
            results = [run.check(url, lastmod) for url, lastmod in candidates]
        if config.query:
            results = self._scored(results, config)
        logger.log(
            run.level,
            "seeded %s: %d URLs in %.2f s (%d warnings)",
            run.origin,
            len(results),
            time.monotonic() - started,
            len(run.warnings),
        )
        return results

    def many_urls(
        self, domains: Sequence[str], config: SeedingConfig | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """:meth:`urls` of several sites at once: ``{domain: urls}``."""
        if not domains:
            return {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(domains))) as pool:
            found = list(pool.map(lambda d: self.urls(d, config), domains))
        return dict(zip(domains, found, strict=True))

    def iter_urls(
        self, domain_or_url: str, config: SeedingConfig | None = None
    ) -> Iterator[tuple[str, str | None]]:
        """``(url, lastmod)`` of each URL as the sitemaps are read, filtered as
        :meth:`urls` filters them (no checks, no scoring): for feeding a crawl."""
        config = config if config is not None else SeedingConfig()
        candidates = self._candidates(_Run(self, domain_or_url, config))
        if config.max_urls > 0:
            candidates = itertools.islice(candidates, config.max_urls)
        return candidates

    def close(self) -> None:
        """Close the cache files this seeder opened. Idempotent."""
        with self._lock:
            self._closed = True
            caches, self._caches = list(self._caches.values()), {}
        for cache in caches:
            cache.close()

    def __enter__(self) -> UrlSeeder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- steps ----------------------------------------------------------------------

    def _candidates(self, run: _Run) -> Iterator[tuple[str, str | None]]:
        run.read_robots()
        config = run.config
        seen: set[str] = set()
        for item in self._discovered(run):
            url = item.url
            if url in seen:
                continue
            seen.add(url)
            if not matches(url, config.pattern):
                continue
            if config.filter_nonsense_urls and is_nonsense(url):
                continue
            if not run.allowed(url):
                logger.log(run.level, "%s: disallowed by robots.txt; left out", url)
                continue
            yield url, item.lastmod

    def _discovered(self, run: _Run) -> Iterator[SitemapItem]:
        """The sitemaps' URLs, from the cache when it holds a fresh list."""
        config = run.config
        key = f"seed:{run.origin}|robots={int(config.check_robots_txt)}"
        cache = self._cache(config)
        if not config.force:
            stored = cache.get_seeds(key)
            ttl = config.cache_ttl_hours * 3600
            fresh = stored is not None and (not ttl or time.time() - stored[1] <= ttl)
            if stored is not None and fresh and config.validate_sitemap_lastmod:
                fresh = not run.roots_changed_since(stored[1])
            if stored is not None and fresh:
                logger.log(run.level, "%s: URLs from the seed cache", run.origin)
                yield from _cached_items(stored[0])
                return
        # JSON lines, compressed as they come: the list is never held uncompressed
        packer = zlib.compressobj()
        packed: list[bytes] = []
        count = 0
        for item in run.discovered():
            line = json.dumps([item.url, item.lastmod], separators=(",", ":")) + "\n"
            packed.append(packer.compress(line.encode()))
            count += 1
            yield item
        # reached only when the caller read every URL (not cut short by max_urls)
        if count:
            packed.append(packer.flush())
            cache.put_seeds(key, b"".join(packed), time.time())

    def _checked(
        self, run: _Run, candidates: Iterable[tuple[str, str | None]]
    ) -> Iterator[dict[str, Any]]:
        """``run.check`` of each candidate on ``concurrency`` threads, in input order,
        with at most twice that many in flight (a 50,000-URL sitemap is not queued whole)."""
        window = run.config.concurrency * 2
        pending: collections.deque[concurrent.futures.Future[dict[str, Any]]] = collections.deque()
        with concurrent.futures.ThreadPoolExecutor(
            max_workers=run.config.concurrency, thread_name_prefix="seed"
        ) as pool:
            for url, lastmod in candidates:
                pending.append(pool.submit(run.check, url, lastmod))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

    @staticmethod
    def _scored(results: list[dict[str, Any]], config: SeedingConfig) -> list[dict[str, Any]]:
        assert config.query is not None
        from seleniumcrawl.discovery.ranking import words

        documents = []
        for entry in results:
            text = head_text(entry["head_data"]) if entry["head_data"] else ""
            documents.append(words(text) if text else url_words(entry["url"]))
        for entry, score in zip(results, relevance(config.query, documents), strict=True):
            entry["relevance_score"] = score
        if config.score_threshold is not None:
            threshold = config.score_threshold
            results = [e for e in results if e["relevance_score"] >= threshold]
        results.sort(key=lambda e: e["relevance_score"], reverse=True)
        return results


class AsyncUrlSeeder:
    """:class:`UrlSeeder` for asyncio: the same code, run in worker threads.

    ``async with AsyncUrlSeeder() as seeder: urls = await seeder.urls("example.com",
    SeedingConfig(...))`` (Crawl4AI's API). Takes :class:`UrlSeeder`'s arguments.
    """

    def __init__(
        self,
        *,
        cache_path: str | os.PathLike[str] | None = None,
        user_agent: str | None = None,
        proxy: str | None = None,
        verify_tls: bool = True,
    ) -> None:
        self._seeder = UrlSeeder(
            cache_path=cache_path, user_agent=user_agent, proxy=proxy, verify_tls=verify_tls
        )

    async def urls(
        self, domain_or_url: str, config: SeedingConfig | None = None
    ) -> list[dict[str, Any]]:
        """:meth:`UrlSeeder.urls`."""
        return await asyncio.to_thread(self._seeder.urls, domain_or_url, config)

    async def many_urls(
        self, domains: Sequence[str], config: SeedingConfig | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """:meth:`UrlSeeder.many_urls`: ``{domain: urls}``."""
        found = await asyncio.gather(*(self.urls(d, config) for d in domains))
        return dict(zip(domains, found, strict=True))

    async def close(self) -> None:
        """Close the cache files. Idempotent."""
        await asyncio.to_thread(self._seeder.close)

    async def __aenter__(self) -> AsyncUrlSeeder:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


__all__ = ["AsyncUrlSeeder", "UrlSeeder", "site_origin"]
