"""The crawl engine: one synchronous implementation behind both crawlers.

``CrawlEngine.submit`` turns (url, config) into a ``concurrent.futures.Future``
of a :class:`CrawlResult`. The browser part runs on the owning driver thread
(see :mod:`seleniumcrawl.browser.pool`); browser-free work (``raw:`` HTML that asks for
no browser step, cache hits) runs on a small scrape executor. Crawl errors are
turned into ``success=False`` results here, at one boundary; configuration
errors raise.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from selenium.common.exceptions import TimeoutException, WebDriverException

from seleniumcrawl import har, plain_http, storage_state
from seleniumcrawl.browser import network, page, storage
from seleniumcrawl.browser.bidi import BidiConnection, BidiError, BidiTimeoutError
from seleniumcrawl.browser.capture import Recorder
from seleniumcrawl.browser.capture import recorder as capture_recorder
from seleniumcrawl.browser.downloads import CrawlDownloads, DownloadWatcher
from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.browser.failures import describe_error
from seleniumcrawl.browser.identity import (
    Identity,
    identity_of,
    proxy_failure,
    refuse_classic_identity,
    refuse_classic_login,
)
from seleniumcrawl.browser.page_api import Page, Response
from seleniumcrawl.browser.pool import DriverPool
from seleniumcrawl.browser.routes import routes_of
from seleniumcrawl.browser.tab import BidiTab, ClassicTab, Tab
from seleniumcrawl.cache import (
    CrawlCache,
    cache_key,
    default_cache_path,
    default_downloads_path,
    fetch_options,
)
from seleniumcrawl.config import (
    SOCIAL_MEDIA_DOMAINS,
    BrowserConfig,
    CrawlerRunConfig,
    ProxyConfig,
)
from seleniumcrawl.config.network import policy_of
from seleniumcrawl.content.scraping import scrape
from seleniumcrawl.dispatch.adaptive import AdaptiveConcurrency
from seleniumcrawl.dispatcher import Configs, Dispatcher, ProgressCallback
from seleniumcrawl.errors import (
    ConfigError,
    CrawlerClosedError,
    CrawlError,
    NavigationError,
    ProxyError,
    SessionError,
    StorageStateError,
)
from seleniumcrawl.frozen import thaw
from seleniumcrawl.hooks import Hook, check_hook, run_hook
from seleniumcrawl.models import CrawlResult
from seleniumcrawl.robots import RobotsChecker
from seleniumcrawl.urls import Target, resolve
from seleniumcrawl.verbosity import enable_verbose_logging

if TYPE_CHECKING:
    from seleniumcrawl.async_dispatcher import BaseDispatcher
    from seleniumcrawl.deep_crawling.traversal import DeepCrawl
from seleniumcrawl.outcomes import (
    _as_result,
    _blocked_by_robots,
    _cached_of,
    _capture_of,
    _done,
    _downloaded_files,
    _failure_of,
    _log_outcome,
    _relay,
)

log = logging.getLogger(__name__)

#: Seconds a navigation the browser aborted may take to show up as a download.
_DOWNLOAD_START_S = 2.0


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


class CrawlEngine:
    """Owns the pool, the cache and the scrape executor of one crawler."""

    def __init__(
        self,
        browser_config: BrowserConfig,
        *,
        base_directory: str | os.PathLike[str] | None = None,
        verbose: bool = False,
    ) -> None:
        if not isinstance(browser_config, BrowserConfig):
            raise TypeError(f"config must be a BrowserConfig, got {type(browser_config).__name__}")
        if not isinstance(verbose, bool):
            raise TypeError(f"verbose must be a bool, got {type(verbose).__name__} {verbose!r}")
        self.browser_config = browser_config
        #: Every crawl is logged at INFO (``verbose`` of the crawler or its BrowserConfig).
        self.verbose = verbose or browser_config.verbose
        if self.verbose:
            enable_verbose_logging()
        #: Where downloads go (``accept_downloads``): created now, so a bad path fails here.
        self.downloads_path = browser_config.downloads_path or str(default_downloads_path())
        if browser_config.accept_downloads:
            try:
                os.makedirs(self.downloads_path, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"BrowserConfig.downloads_path {self.downloads_path!r} cannot be created: {exc}"
                ) from exc
        if not browser_config.use_bidi:
            refuse_classic_login(browser_config)
        self.pool = DriverPool(
            browser_config, window_setup=self._setup_window, driver_setup=self._setup_driver
        )
        self._cache_path = Path(base_directory) / "cache.db" if base_directory is not None else None
        self._cache: CrawlCache | None = None
        self._cache_lock = threading.Lock()
        self._scraper = concurrent.futures.ThreadPoolExecutor(
            max_workers=2, thread_name_prefix="seleniumcrawl-scrape"
        )
        self._robots: RobotsChecker | None = None
        self._robots_pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._closed = False
        #: Crawl4AI hooks by name (:mod:`seleniumcrawl.hooks`).
        self.hooks: dict[str, Hook] = {}
        #: Tabs set up and not yet crawled in: their first crawl fires on_page_context_created.
        self._fresh_tabs: set[str] = set()
        self._fresh_lock = threading.Lock()
        #: localStorage last seen per origin and browser context (export_storage_state).
        self.origin_log = storage.OriginLog()
        #: The marker an applied storage state leaves in each origin (its digest).
        state = browser_config.storage_state_data
        self._state_mark = storage_state.digest(state) if state is not None else ""
        #: The cookies of the storage state and of BrowserConfig.cookies as they go in.
        self._state_cookies, notes = storage_state.importable(
            state["cookies"] if state is not None else [], "BrowserConfig.storage_state"
        )
        self._config_cookies, more = storage_state.importable(
            thaw(browser_config.cookies), "BrowserConfig"
        )
        for note in notes + more:
            log.warning("%s", note)
        #: User contexts the storage state went into; BiDi connections that refused a
        #: preload script per user context (the script then goes into each tab).
        self._state_contexts: set[str] = set()
        self._preload_per_tab: weakref.WeakSet[BidiConnection] = weakref.WeakSet()
        #: Called with every finished crawl's result (the pytest plugin's failure artifacts).
        self.observers: list[Callable[[CrawlResult], None]] = []
        #: The pytest plugin's HAR mode for the running test: ("record"|"replay", path)
        #: for crawls whose configs name no HAR of their own, or None.
        self.har_override: Callable[[], tuple[str, str] | None] = lambda: None
        #: Pages in flight of the default run_many / deep crawl dispatcher (no
        #: semaphore_count): one controller for the crawler's life, capped by the pool's
        #: page slots and never below one page per driver (every browser asked for works).
        capacity = self._pool_capacity()
        self.adaptive = AdaptiveConcurrency(
            capacity, floor=min(browser_config.max_drivers, capacity)
        )
        self._adapted = False

    def set_hook(self, name: str, fn: Hook) -> None:
        """Register ``fn`` as hook ``name`` (replacing any earlier one)."""
        check_hook(name, fn)
        self.hooks = {**self.hooks, name: fn}

    # -- lifecycle -----------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._closed

    def close(self, grace: float = 5.0) -> None:
        """Quit every driver, stop the scrape executor, close the cache; idempotent.

        A crawl still running gets ``grace`` seconds before its browser is killed.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self.pool.close(grace)
        except Exception:
            log.exception("closing the driver pool failed")
        self._scraper.shutdown(wait=False, cancel_futures=True)
        if self._robots_pool is not None:
            self._robots_pool.shutdown(wait=False, cancel_futures=True)
        if self._cache is not None:
            try:
                self._cache.close()
            except Exception:
                log.exception("closing the cache failed")

    # -- sessions, for the front ends ------------------------------------------------

    def sessions(self) -> list[str]:
        """Ids of the live sessions."""
        return self.pool.sessions()

    def kill_session(self, session_id: str) -> concurrent.futures.Future[None]:
        """Close the session's window; the future completes once it is closed (idempotent)."""
        return self.pool.kill_session(session_id)

    def export_storage_state(
        self, session_id: str | None = None
    ) -> concurrent.futures.Future[dict[str, Any]]:
        """The storage state of a session's browser context, or (``session_id=None``) of
        the shared default context of every started browser, merged.

        A session's export runs in its order (after its queued crawls). An unknown
        ``session_id`` raises :class:`~seleniumcrawl.errors.SessionError`.
        """
        if session_id is not None:
            if session_id not in self.pool.sessions():
                live = ", ".join(repr(s) for s in self.pool.sessions()) or "none"
                raise SessionError(
                    f"export_storage_state: no live session {session_id!r} (live sessions: {live})"
                )
            return self.pool.run_in_session(
                session_id, lambda tab: storage.tab_state(tab, self.origin_log), create=False
            )

        def of_driver(drv: ManagedDriver) -> dict[str, Any]:
            owner = storage.driver_owner(drv)
            return storage.as_state(
                storage.default_cookies(drv),
                self.origin_log.origins(owner, None),
                self.origin_log.session_origins(owner, None),
            )

        merged: concurrent.futures.Future[dict[str, Any]] = concurrent.futures.Future()

        def gather(done: concurrent.futures.Future[list[dict[str, Any]]]) -> None:
            exc = done.exception()
            if exc is not None:
                merged.set_exception(exc)
            else:
                merged.set_result(storage.merge_states(done.result()))

        self.pool.on_shared_drivers(of_driver).add_done_callback(gather)
        return merged

    def check_thread(self) -> None:
        """Raise :class:`~seleniumcrawl.errors.WrongThreadError` on a driver thread, where a
        blocking call would deadlock."""
        self.pool.check_thread()

    @property
    def cache(self) -> CrawlCache:
        """The SQLite cache, opened on first use."""
        with self._cache_lock:
            if self._cache is None:
                self._cache = CrawlCache(self._cache_path or default_cache_path())
            return self._cache

    # -- crawling ------------------------------------------------------------------

    def submit(
        self, url: str | None, config: CrawlerRunConfig | None
    ) -> concurrent.futures.Future[CrawlResult]:
        """Start a crawl; the future never raises for crawl errors (``success=False``)."""
        inner = self._submit(url, config)  # raises first for a config of the wrong type
        verbose = self.verbose or (config is not None and config.verbose)
        if verbose:
            enable_verbose_logging()
        # Logged before the caller sees the result: callbacks run in the order added.
        inner.add_done_callback(lambda done: _log_outcome(done, verbose))
        if self.observers:
            inner.add_done_callback(self._notify)
        outer: concurrent.futures.Future[CrawlResult] = concurrent.futures.Future()
        _relay(inner, outer)
        return outer

    def _notify(self, future: concurrent.futures.Future[CrawlResult]) -> None:
        if future.cancelled() or future.exception() is not None:
            return
        for observer in list(self.observers):
            try:
                observer(future.result())
            except Exception:
                log.exception("a crawl observer failed")

    def _submit(
        self, url: str | None, config: CrawlerRunConfig | None
    ) -> concurrent.futures.Future[CrawlResult]:
        if self._closed:
            raise CrawlerClosedError("the crawler is closed; create a new one")
        config = CrawlerRunConfig() if config is None else config
        if not isinstance(config, CrawlerRunConfig):
            raise TypeError(f"config must be a CrawlerRunConfig, got {type(config).__name__}")
        url = config.url if url is None else url
        if url is None:
            raise ValueError("no URL: pass url= or set CrawlerRunConfig.url")
        if not self.browser_config.use_bidi:
            refuse_classic_identity(config)
        try:
            target = resolve(url)
        except CrawlError as exc:
            return _done(_failure_of(exc, str(url), config.session_id))  # type: ignore[arg-type]

        if config.check_robots_txt and target.kind == "http":
            return self._robots_then(target, config)
        return self._begin(target, config)

    def _begin(
        self, target: Target, config: CrawlerRunConfig
    ) -> concurrent.futures.Future[CrawlResult]:
        # A session crawl must leave its window in the state the page's real load gives
        # (the next steps of a workflow build on it), so sessions never read the cache.
        if config.cache_mode.reads and not config.js_only and config.session_id is None:
            return self._cached_or_start(target, config)
        return self._start(target, config, cache_status=None)

    # -- robots.txt ------------------------------------------------------------------

    @property
    def robots(self) -> RobotsChecker:
        """The robots.txt checker of this crawler (created on first use)."""
        with self._cache_lock:
            if self._robots is None:
                b = self.browser_config

                def fetch(url: str) -> plain_http.PlainResponse:
                    return plain_http.request(
                        url,
                        user_agent=b.user_agent,
                        proxy=b.proxy,
                        verify_tls=not b.ignore_https_errors,
                    )

                self._robots = RobotsChecker(
                    fetch, user_agent=b.user_agent, store=self._robots_store
                )
                self._robots_pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=4, thread_name_prefix="seleniumcrawl-robots"
                )
            return self._robots

    def _robots_store(self) -> CrawlCache:
        return self.cache

    def _robots_then(
        self, target: Target, config: CrawlerRunConfig
    ) -> concurrent.futures.Future[CrawlResult]:
        """Ask robots.txt off the caller's thread (it may need a fetch); then crawl or refuse."""
        outer: concurrent.futures.Future[CrawlResult] = concurrent.futures.Future()
        checker = self.robots
        assert self._robots_pool is not None

        def after_check(done: concurrent.futures.Future[bool]) -> None:
            try:
                if done.result():
                    _relay(self._begin(target, config), outer)
                else:
                    outer.set_result(_blocked_by_robots(target.url, config.session_id))
            except BaseException as exc:
                failed = _failure_of(exc, target.url, config.session_id)
                if failed is None:
                    outer.set_exception(exc)
                else:
                    outer.set_result(failed)

        self._robots_pool.submit(checker.allowed, target.url).add_done_callback(after_check)
        return outer

    def _cached_or_start(
        self, target: Target, config: CrawlerRunConfig
    ) -> concurrent.futures.Future[CrawlResult]:
        """Look the page up on the scrape executor; on a miss, chain the browser crawl."""
        outer: concurrent.futures.Future[CrawlResult] = concurrent.futures.Future()

        def lookup() -> CrawlResult | None:
            started = time.perf_counter()
            try:
                cached = self.cache.get(self._key(target, config))
            except (sqlite3.Error, OSError) as exc:  # a broken cache must not break crawling
                log.warning("cache read failed (%s); crawling %s", exc, target.url)
                cached = None
            if cached is None:
                return None
            result = self._build(target, config, _capture_of(cached), cache_status="hit")
            result.timings["total"] = _ms(started)
            return result

        def after_lookup(done: concurrent.futures.Future[CrawlResult | None]) -> None:
            exc = done.exception()
            if exc is not None:
                outer.set_exception(exc)
            elif done.result() is not None:
                outer.set_result(done.result())  # type: ignore[arg-type]
            else:
                _relay(self._start(target, config, cache_status="miss"), outer)

        self._scraper.submit(lookup).add_done_callback(after_lookup)
        return outer

    def _start(
        self, target: Target, config: CrawlerRunConfig, cache_status: str | None
    ) -> concurrent.futures.Future[CrawlResult]:
        if target.kind == "raw" and not config.needs_browser_step:
            return self._scraper.submit(self._raw_without_browser, target, config)

        identity, proxy = self._identity(config)

        def task(tab: Tab) -> CrawlResult:
            try:
                result = self._browser_crawl(tab, target, config, cache_status)
            except NavigationError as exc:
                failed = proxy_failure(exc, proxy)
                if failed is None:
                    raise
                raise failed from exc
            if result.status_code == 407 and proxy is not None and not proxy.is_direct:
                raise ProxyError(
                    f"proxy {proxy.display} asks for credentials (HTTP 407) loading {target.url}"
                )
            return result

        try:
            if config.session_id is not None:
                inner = self.pool.run_in_session(
                    config.session_id,
                    task,
                    isolated=config.session_isolation,
                    create=not config.js_only,
                    identity=identity,
                )
            elif config.js_only:
                # A temporary window is blank: js_only there would silently crawl about:blank.
                raise SessionError(
                    "js_only=True needs a session_id: it runs in the window that an earlier "
                    "crawl of that session opened"
                )
            else:
                inner = self.pool.run_temporary(task, identity=identity)
        except CrawlError as exc:
            return _done(_failure_of(exc, target.url, config.session_id))  # type: ignore[arg-type]
        return _as_result(inner, target.url, config.session_id)

    def _identity(self, config: CrawlerRunConfig) -> tuple[Identity | None, ProxyConfig | None]:
        """The identity this crawl asks for (None: the browser's, or a live session's own)
        and the proxy its pages go through (for the failure message).

        The rotation gives a proxy to new sessions and sessionless crawls only: a live
        session keeps the one it was opened with."""
        live = self.pool.session(config.session_id) if config.session_id is not None else None
        proxy = config.proxy_config
        strategy = config.proxy_rotation_strategy
        if proxy is None and strategy is not None:
            if live is not None:
                proxy = live.identity.proxy if live.identity is not None else None
            elif config.proxy_session_id is not None:
                proxy = strategy.proxy_for_session(
                    config.proxy_session_id, config.proxy_session_ttl
                )
            else:
                proxy = strategy.next_proxy()
        identity = identity_of(self.browser_config, config, proxy)
        if identity is None and live is not None and live.identity is not None:
            identity_proxy = live.identity.proxy
        else:
            identity_proxy = identity.proxy if identity is not None else None
        return identity, identity_proxy or self.browser_config.proxy_config

    def _raw_without_browser(self, target: Target, config: CrawlerRunConfig) -> CrawlResult:
        started = time.perf_counter()
        capture = page.Capture(
            html=target.raw_html or "", redirected_url=target.url, status_code=None
        )
        result = self._build(target, config, capture, cache_status=None)
        result.timings["total"] = _ms(started)
        return result

    def _browser_crawl(
        self, tab: Tab, target: Target, config: CrawlerRunConfig, cache_status: str | None
    ) -> CrawlResult:
        timings: dict[str, float] = {}
        started = time.perf_counter()

        def step(name: str, fn: Callable[[], Any]) -> Any:
            t = time.perf_counter()
            value = fn()
            timings[name] = _ms(t)
            return value

        hooks = self.hooks
        with self._fresh_lock:
            fresh = tab.handle in self._fresh_tabs
            self._fresh_tabs.discard(tab.handle)
        pg = Page(tab) if hooks else None
        ctx = pg.context if pg is not None else None

        def hook(name: str, *args: Any, **kw: Any) -> None:
            if name in hooks:
                step(f"hook:{name}", lambda: run_hook(hooks, name, *args, context=ctx, **kw))

        downloads = None
        watcher = tab.downloads
        if self.browser_config.accept_downloads and watcher is not None and watcher.active:
            downloads = watcher.track(tab.handle)
        blocking = step("block", lambda: network.block(tab, policy_of(self.browser_config, config)))
        har_path, har_bodies = _har_recording(self.browser_config, config)
        replay = _har_replay(self.browser_config, config)
        override = self.har_override()
        if override is not None and har_path is None and replay is None:
            mode, path = override
            if mode == "record":
                har_path, har_bodies = path, True
            else:
                replay = (path, "abort")
        if replay is not None:
            blocking.extra.append(step("har_replay", lambda: _start_replay(tab, *replay)))
        recorder = None
        if config.capture_network_requests or config.capture_console_messages or har_path:
            recorder = capture_recorder(
                tab,
                network=config.capture_network_requests or har_path is not None,
                console=config.capture_console_messages,
                bodies=config.capture_response_bodies or har_bodies,
                body_max_size=config.response_body_max_size,
            )
            step("capture_start", recorder.start)
        try:
            if fresh:
                hook("on_page_context_created", pg, config=config)
                user_agent = config.user_agent or self.browser_config.user_agent
                if user_agent:
                    hook("on_user_agent_updated", pg, user_agent=user_agent, config=config)
            first_hop = None
            if not config.js_only:
                hook("before_goto", pg, url=target.url, config=config)
                first_hop = step("navigate", lambda: _navigate(tab, target, config, downloads))
                if "after_goto" in hooks:
                    hook("after_goto", pg, url=target.url, response=_response(tab), config=config)
            if config.scripts_before_wait:
                step(
                    "js_code_before_wait",
                    lambda: page.run_scripts(
                        tab, config, config.scripts_before_wait, downloads=downloads
                    ),
                )
            js_result = (
                step("js_code", lambda: page.run_scripts(tab, config, downloads=downloads))
                if config.scripts
                else None
            )
            if config.scripts:
                hook("on_execution_started", pg, config=config)
                hook("on_execution_ended", pg, config=config, result=js_result)
            if config.wait_for:
                step("wait_for", lambda: page.wait_for(tab, config))
            if config.wait_for_images or config.virtual_scroll_config or config.process_iframes:
                step("prepare", lambda: page.prepare(tab, config))
            step("settle", lambda: page.settle(tab, config))
            hook("before_retrieve_html", pg, config=config)
            capture = step("capture", lambda: page.capture(tab, target, config))
            if "before_return_html" in hooks:
                hook("before_return_html", page=pg, html=capture.html, config=config)
            if downloads is not None:
                # Downloads that began during the crawl get until page_timeout to finish.
                capture.downloaded_files = step(
                    "downloads", lambda: downloads.finish(config.page_timeout / 1000)
                )
        except BaseException:
            if downloads is not None:
                downloads.cancel()
            if recorder is not None:
                _stop_quietly(recorder)
            blocking.stop()
            raise
        blocking.stop()
        self.origin_log.record(*storage.owner_of(tab), capture.local_storage)
        recorded = recorder.stop() if recorder is not None else (None, None)
        capture.network_requests, capture.console_messages = recorded
        if har_path is not None and capture.network_requests is not None:
            step("har_write", lambda: har.append_to_file(har_path, capture.network_requests or []))
            capture.network_requests = _as_asked(capture.network_requests, config)
        tab_routes = routes_of(tab, create=False)
        route_errors = tab_routes.take_errors() if tab_routes is not None else []
        capture.js_execution_result = js_result
        # A redirect's status belongs to the document it led to: after a script-started
        # navigation (a form post) the status is that of the document shown.
        capture.first_status = first_hop if tab.shows_own_navigation() else None
        if config.cache_mode.writes and not config.js_only and target.kind != "raw":
            step("cache_write", lambda: self._store(target, config, capture))
        result = self._build(target, config, capture, cache_status)
        if route_errors:
            # A route handler raised: its request failed, the crawl goes on and says so.
            result.metadata["route_errors"] = route_errors
        result.timings.update(timings)
        result.timings["total"] = _ms(started)
        return result

    def _build(
        self,
        target: Target,
        config: CrawlerRunConfig,
        capture: page.Capture,
        cache_status: str | None,
    ) -> CrawlResult:
        t = time.perf_counter()
        base = capture.redirected_url if target.kind != "raw" else target.base_url
        scraped = scrape(
            capture.html,
            config.base_url or base,
            css_selector=config.css_selector,
            target_elements=config.target_elements,
            excluded_tags=config.excluded_tags,
            exclude_external_links=config.exclude_external_links,
            exclude_external_images=config.exclude_external_images,
            exclude_domains=_excluded_domains(config),
            word_count_threshold=config.word_count_threshold,
            extraction_strategy=config.extraction_strategy,
            markdown_generator=config.markdown_generator,
            table_extraction=config.table_extraction,
            table_score_threshold=config.table_score_threshold,
        )
        return CrawlResult(
            url=target.url,
            success=True,
            # As in Crawl4AI: status_code is the first hop's (a redirect's 302), known
            # over BiDi (its network events; the classic path gives the final status);
            # redirected_status_code the final response's, None for raw: and file://.
            status_code=capture.first_status or capture.status_code,
            redirected_status_code=capture.status_code if target.kind == "http" else None,
            redirected_url=capture.redirected_url,
            session_id=config.session_id,
            html=scraped.html,
            cleaned_html=scraped.cleaned_html,
            markdown=scraped.markdown,
            extracted_content=scraped.extracted_content,
            js_execution_result=capture.js_execution_result,
            links=scraped.links,
            media=scraped.media,
            metadata=scraped.metadata,
            tables=scraped.tables,
            screenshot=capture.screenshot,
            pdf=capture.pdf,
            network_requests=capture.network_requests,
            mhtml=capture.mhtml,
            console_messages=capture.console_messages,
            downloaded_files=_downloaded_files(self.browser_config, capture),
            cache_status=cache_status,
            timings={"scrape": _ms(t)},
        )

    def _store(self, target: Target, config: CrawlerRunConfig, capture: page.Capture) -> None:
        try:
            self.cache.put(self._key(target, config), _cached_of(target, capture))
        except (sqlite3.Error, OSError) as exc:  # the crawl succeeded; only caching failed
            log.warning("cache write failed for %s: %s", target.url, exc)

    def _key(self, target: Target, config: CrawlerRunConfig) -> str:
        return cache_key(target.url, fetch_options(self.browser_config, config))

    def concurrency(self, config: CrawlerRunConfig) -> int:
        """Crawls ``run_many``/``arun_many`` may keep in flight: ``semaphore_count``, else
        every page slot of every driver (one per driver on the classic path), the cap
        below which :attr:`adaptive` chooses."""
        if config.semaphore_count is not None:
            return config.semaphore_count
        return self._pool_capacity()

    def _pool_capacity(self) -> int:
        browser = self.browser_config
        return browser.max_drivers * (browser.max_pages_per_driver if browser.use_bidi else 1)

    def stats(self) -> dict[str, Any]:
        """``{"concurrency": ...}``: the adaptive pages in flight (see
        :meth:`AdaptiveConcurrency.stats`) with ``adaptive`` False when the crawler's runs
        had a fixed ``semaphore_count`` or a user dispatcher only."""
        return {"concurrency": {**self.adaptive.stats(), "adaptive": self._adapted}}

    def many(
        self,
        config: Configs | None,
        progress: ProgressCallback | None,
        dispatcher: BaseDispatcher | None = None,
    ) -> tuple[Dispatcher, Configs, bool]:
        """For ``run_many``/``arun_many``: the dispatcher over this pool's drivers, the
        configs (a default one when None), and whether the (first) config streams."""
        configs = CrawlerRunConfig() if config is None else config
        first = configs if isinstance(configs, CrawlerRunConfig) else configs[0]
        return self.dispatcher(dispatcher, first, progress), configs, first.stream

    def dispatcher(
        self,
        policy: BaseDispatcher | None,
        config: CrawlerRunConfig,
        progress: ProgressCallback | None = None,
    ) -> Dispatcher:
        """The many-URL dispatcher over this pool: a user's policy
        (:mod:`seleniumcrawl.async_dispatcher`), or the default with
        :meth:`concurrency` crawls at once."""

        def crawl(url: str, one: CrawlerRunConfig) -> CrawlResult:
            return self.submit(url, one).result()

        concurrency = self.concurrency(config)
        if policy is None:
            # A semaphore_count is the user's fixed number; without one, the pool's page
            # slots are the cap and the adaptive controller picks below it.
            adaptive = self.adaptive if config.semaphore_count is None else None
            self._adapted = self._adapted or adaptive is not None
            return Dispatcher(
                crawl,
                concurrency=concurrency,
                progress=progress,
                retry_after=self.retry_after,
                adaptive=adaptive,
            )
        from seleniumcrawl.async_dispatcher import BaseDispatcher

        if not isinstance(policy, BaseDispatcher):
            raise TypeError(
                "dispatcher must be a SemaphoreDispatcher or MemoryAdaptiveDispatcher "
                f"(seleniumcrawl.async_dispatcher), got {type(policy).__name__}"
            )
        return policy.build(
            crawl, default_concurrency=concurrency, progress=progress, retry_after=self.retry_after
        )

    def deep(
        self, url: str | None, config: CrawlerRunConfig, policy: BaseDispatcher | None = None
    ) -> DeepCrawl:
        """The deep crawl ``config.deep_crawl_strategy`` asks for, run by this pool's
        dispatcher (opens its state file: blocking)."""
        if self._closed:
            raise CrawlerClosedError("the crawler is closed; create a new one")
        from seleniumcrawl.deep_crawling.traversal import open_deep_crawl

        dispatcher = self.dispatcher(policy, config)
        return open_deep_crawl(url, config, dispatcher, closed=lambda: self._closed)

    def retry_after(self, url: str) -> float | None:
        """Seconds the server asks us to wait (``Retry-After``), read with a plain HEAD
        request (a GET where HEAD is not allowed): the browser does not show headers."""
        b = self.browser_config
        for method in ("HEAD", "GET"):
            try:
                response = plain_http.request(
                    url,
                    method=method,
                    user_agent=b.user_agent,
                    proxy=b.proxy,
                    verify_tls=not b.ignore_https_errors,
                    max_bytes=0,
                )
            except OSError as exc:
                log.info("could not read Retry-After of %s: %s", url, exc)
                return None
            if response.status not in (405, 501):
                return plain_http.parse_retry_after(response.headers.get("retry-after"))
        return None

    # -- hooks for the pool (run on the driver thread) --------------------------------

    def _setup_driver(self, drv: ManagedDriver) -> None:
        if drv.bidi is None:
            refuse_classic_login(self.browser_config)
        if self.browser_config.accept_downloads:
            self._setup_downloads(drv)
        run_hook(self.hooks, "on_browser_created", drv.webdriver, context=None)
        state = self.browser_config.storage_state_data
        if state is not None:
            with _refused_state():
                self._apply_default_state(drv, state)
        if self._config_cookies:
            with _refused_state():
                outcome = storage.set_default_cookies(drv, self._config_cookies)
                storage.report("BrowserConfig.cookies", _DEFAULT, outcome, strict=self._strict)

    @property
    def _strict(self) -> bool:
        return self.browser_config.storage_state_strict

    def _apply_default_state(self, drv: ManagedDriver, state: dict[str, Any]) -> None:
        """The storage state into a new browser's default context (driver thread)."""
        outcome = storage.set_default_cookies(drv, self._state_cookies)
        storage.report(_STATE, _DEFAULT, outcome, strict=self._strict)
        self.origin_log.seed(storage.driver_owner(drv), None, state, self._state_mark)
        if not storage.has_web_storage(state) or drv.bidi is None:
            return  # classic: the script goes into each window (_setup_window)
        script = storage.write_script(state, self._state_mark)
        timeout = self.browser_config.command_timeout
        if not storage.add_bidi_preload(
            drv.bidi, script, timeout, user_context=storage.DEFAULT_CONTEXT
        ):
            with self._fresh_lock:
                self._preload_per_tab.add(drv.bidi)

    def _apply_tab_state(self, tab: Tab, state: dict[str, Any]) -> None:
        """The storage state for a new tab: a new user context's cookies and script, or the
        script in the tab itself where it cannot be set per context."""
        writes = storage.has_web_storage(state)
        if isinstance(tab, ClassicTab):
            if writes:
                storage.add_classic_preload(tab, storage.write_script(state, self._state_mark))
            return
        assert isinstance(tab, BidiTab)
        timeout = self.browser_config.command_timeout
        script = storage.write_script(state, self._state_mark) if writes else ""
        context = tab.user_context
        if context is None:
            with self._fresh_lock:
                per_tab = tab.bidi in self._preload_per_tab
            if writes and per_tab:
                storage.add_bidi_preload(tab.bidi, script, timeout, context=tab.handle)
            return
        with self._fresh_lock:
            if context in self._state_contexts:  # the context's tab was reopened
                return
        outcome = storage.set_context_cookies(tab, context, self._state_cookies)
        storage.report(_STATE, _ISOLATED, outcome, strict=self._strict)
        self.origin_log.seed(tab.bidi, context, state, self._state_mark)
        if writes and not storage.add_bidi_preload(tab.bidi, script, timeout, user_context=context):
            storage.add_bidi_preload(tab.bidi, script, timeout, context=tab.handle)
        with self._fresh_lock:
            self._state_contexts.add(context)

    def _setup_downloads(self, drv: ManagedDriver) -> None:
        """``accept_downloads``: where this browser saves files, and its download events."""
        watcher = DownloadWatcher(self.downloads_path)
        timeout = self.browser_config.command_timeout
        if drv.bidi is not None:
            watcher.attach_bidi(drv.bidi, timeout)
        elif drv.debugger_address is not None:
            watcher.attach_cdp(drv.debugger_address, timeout)
        else:
            log.warning(
                "accept_downloads needs WebDriver BiDi or a local Chromium; "
                "downloaded_files stays empty on this browser"
            )
        drv.downloads = watcher

    def _setup_window(self, tab: Tab) -> None:
        with self._fresh_lock:
            self._fresh_tabs.add(tab.handle)
        state = self.browser_config.storage_state_data
        if state is not None:
            with _refused_state():
                self._apply_tab_state(tab, state)
        headers = self.browser_config.headers
        if headers and self.browser_config.is_chromium:
            tab.cdp("Network.enable")
            tab.cdp("Network.setExtraHTTPHeaders", {"headers": thaw(headers)})
        elif headers:
            log.warning("BrowserConfig.headers is applied through CDP, i.e. on Chromium only")
        if self._config_cookies and isinstance(tab, BidiTab) and tab.user_context is not None:
            # An isolated session's user context has a cookie jar of its own.
            with _refused_state():
                outcome = storage.set_context_cookies(tab, tab.user_context, self._config_cookies)
                storage.report("BrowserConfig.cookies", _ISOLATED, outcome, strict=self._strict)


_STATE = "BrowserConfig.storage_state"
_DEFAULT = "the default context"
_ISOLATED = "an isolated session's context"


@contextlib.contextmanager
def _refused_state() -> Iterator[None]:
    """A browser's refusal of the storage state becomes a clear crawl error (values unsaid);
    a browser that died or timed out meanwhile stays what it is."""
    try:
        yield
    except (BidiTimeoutError, TimeoutException):
        raise
    except (BidiError, WebDriverException) as exc:
        text = exc.message if isinstance(exc, BidiError) else describe_error(exc)
        raise StorageStateError(f"the browser refused BrowserConfig.storage_state: {text}") from exc


def _excluded_domains(config: CrawlerRunConfig) -> tuple[str, ...]:
    """``exclude_domains``, plus the social networks with ``exclude_social_media_links``
    (the given list and Crawl4AI's, as Crawl4AI adds its own to the user's)."""
    if not config.exclude_social_media_links:
        return config.exclude_domains
    return (*config.exclude_domains, *config.exclude_social_media_domains, *SOCIAL_MEDIA_DOMAINS)


def _navigate(
    tab: Tab, target: Target, config: CrawlerRunConfig, downloads: CrawlDownloads | None
) -> int | None:
    """Step 3 (the first hop's status where seen); with downloads on, a URL that is a
    download (the browser aborts its navigation, ``net::ERR_ABORTED``) is not a
    failure: the file is the crawl's result."""
    began = downloads.began if downloads is not None else 0
    try:
        return page.navigate(tab, target, config)
    except NavigationError as exc:
        if downloads is None or "ERR_ABORTED" not in str(exc):
            raise
        if not downloads.wait_began_since(began, _DOWNLOAD_START_S):
            raise
        log.info("%s is a download; the page stays as it was", target.url)
        return None


def _har_recording(browser: BrowserConfig, config: CrawlerRunConfig) -> tuple[str | None, bool]:
    """The HAR file this crawl records to (the crawl's, else the browser's) and whether
    it embeds bodies."""
    if config.record_har_path is not None:
        return config.record_har_path, config.record_har_content == "embed"
    if browser.record_har_path is not None:
        return browser.record_har_path, browser.record_har_content == "embed"
    return None, False


def _har_replay(browser: BrowserConfig, config: CrawlerRunConfig) -> tuple[str, str] | None:
    """(HAR file, har_not_found) this crawl replays from, or None."""
    if config.route_from_har is not None:
        return config.route_from_har, config.har_not_found
    if browser.route_from_har is not None:
        return browser.route_from_har, browser.har_not_found
    return None


def _start_replay(tab: Tab, path: str, not_found: str) -> network.Intercept:
    """Answer every request of the tab from the HAR at ``path`` (BiDi only)."""
    bidi = getattr(tab, "bidi", None)
    if not isinstance(bidi, BidiConnection):
        raise ConfigError(
            "route_from_har: a replay answers each request over WebDriver BiDi, and this "
            "browser has none (use_bidi=False)"
        )
    archive = har.HarArchive(path)

    def answer(request: network.PausedRequest) -> None:
        found = archive.answer(request.method, request.url)
        if found is not None:
            status, headers, body = found
            request.provide_response(status=status, headers=headers, body=body)
        elif not_found == "fallback":
            request.continue_()
        else:
            log.info(
                "route_from_har: %s %s is not in the HAR; aborted", request.method, request.url
            )
            request.fail()

    timeout = float(getattr(tab, "command_timeout", 30.0))
    return network.interceptor_for(bidi, timeout).add(
        "beforeRequestSent", answer, contexts=[tab.handle]
    )


def _as_asked(
    entries: list[dict[str, Any]] | None, config: CrawlerRunConfig
) -> list[dict[str, Any]] | None:
    """The network entries the crawl itself asked for (a HAR recording alone asks none;
    bodies only with capture_response_bodies)."""
    if not config.capture_network_requests or entries is None:
        return None
    if config.capture_response_bodies:
        return entries
    drop = ("body", "body_encoding", "body_omitted")
    return [{k: v for k, v in e.items() if k not in drop} for e in entries]


def _stop_quietly(recorder: Recorder) -> None:
    """End a failed crawl's capture without hiding the crawl's own error."""
    try:
        recorder.stop()
    except Exception as exc:
        log.debug("ending the capture of a failed crawl failed: %s", exc)


def _response(tab: Tab) -> Response:
    """The main document's URL and status, for the after_goto hook."""
    href, status = tab.evaluate(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return [location.href, n && n.responseStatus ? n.responseStatus : null]; }"
    )
    return Response(str(href), int(status) if status else None)
