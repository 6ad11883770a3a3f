"""The driver pool: up to ``max_drivers`` browsers, sessions mapped to tabs.

A *session* is one tab on one driver. Tabs on a driver share its cookies and storage;
an *isolated* session gets a BiDi *user context* of its own on a shared driver (its
own cookies, storage and cache), or, on the classic path, a driver of its own.

How a crawl reaches the browser (see :mod:`seleniumcrawl.browser.executor` for who
owns what):

* Every crawl is first queued to its driver's :class:`DriverThread`, which starts the
  browser if needed. On the **classic** path the crawl runs right there, in the
  session's window (focused with ``switch_to.window``): one crawl per driver at a time.
* Over **BiDi** the driver thread hands the crawl to one of the driver's page threads
  and is free again at once: up to ``max_pages_per_driver`` crawls of one browser are in
  flight, each in its own tab, addressed by id. Sessionless crawls reuse idle tabs.
* Crawls of one session run one after another in arrival order (a per-session queue,
  :class:`_Serial`); different sessions, and sessionless crawls, run concurrently.

Like urllib3's connection pool, the pool replaces a dead driver: a crawl that fails
on a dead browser marks the sessions it held lost, the driver is quit on its own
thread, and the next crawl starts a fresh browser. A crashed tab costs only its own
session. A housekeeping thread closes sessions idle past ``session_ttl`` and pings
idle remote drivers so a Grid's session timeout never reaps them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from selenium.common.exceptions import NoSuchWindowException, WebDriverException

from seleniumcrawl.browser.bidi import BidiTimeoutError
from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.browser.executor import DriverThread, current_driver_thread
from seleniumcrawl.browser.failures import (
    TRANSPORT_ERRORS,
    death_cause,
    describe_error,
    is_timeout,
    means_browser_gone,
    tab_crashed,
)
from seleniumcrawl.browser.identity import Identity, UserContexts
from seleniumcrawl.browser.jobs import _fail_unless_ran, _Job, _nothing
from seleniumcrawl.browser.launch import create_driver
from seleniumcrawl.browser.reaper import Reaper
from seleniumcrawl.browser.sessions import PoolStats, Session, _DriverTabs
from seleniumcrawl.browser.tab import (
    PROBE_TIMEOUT,
    BidiTab,
    BidiTabs,
    ClassicTab,
    Tab,
    TabCrashedError,
)
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.errors import (
    BrowserDiedError,
    CrawlerClosedError,
    CrawlError,
    IdentityError,
    SessionError,
    WrongThreadError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
DriverFactory = Callable[[BrowserConfig, str], ManagedDriver]
DriverSetup = Callable[[ManagedDriver], None]
TabSetup = Callable[[Tab], None]
Task = Callable[[Tab], T]


class DriverPool:
    """Owns the drivers and their threads; maps session ids to tabs."""

    def __init__(
        self,
        config: BrowserConfig,
        *,
        driver_factory: DriverFactory = create_driver,
        window_setup: TabSetup | None = None,
        driver_setup: DriverSetup | None = None,
    ) -> None:
        self.config = config
        self._driver_factory = driver_factory
        self._window_setup = window_setup
        self._driver_setup = driver_setup
        self._lock = threading.Lock()
        self._threads: list[DriverThread] = []
        self._sessions: dict[str, Session] = {}
        self._tabs: dict[DriverThread, _DriverTabs] = {}
        #: Whether started drivers speak BiDi (None until the first one started).
        self._bidi_seen: bool | None = None
        self._closed = False
        self._wake = threading.Event()
        self._housekeeper: threading.Thread | None = None
        # The last line of defence against orphaned browsers: runs at GC or interpreter exit.
        self._reaper = Reaper()
        self._finalizer = weakref.finalize(
            self, DriverPool._shutdown, self._threads, self._reaper, 2.0
        )

    # -- public surface -------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._closed

    @property
    def size(self) -> int:
        """Drivers (threads) currently serving the pool."""
        return len(self._active())

    def _active(self) -> list[DriverThread]:
        return [t for t in self._threads if t.accepting]

    # -- for tests and tools (read only: never call a driver from another thread) ------

    def drivers(self) -> list[ManagedDriver]:
        """The started managed drivers of the pool's threads, for tests and tools.

        Process-count tests read their pids. Their ``webdriver`` belongs to the owning
        thread: use :meth:`on_driver_threads` to call it.
        """
        with self._lock:
            threads = list(self._threads)
        return [t.managed for t in threads if t.managed is not None]

    def on_driver_threads(self, fn: Callable[[ManagedDriver], T]) -> list[T]:
        """Run ``fn(managed_driver)`` on each started driver's own thread, for tests and tools."""
        return self._on_threads(fn, shared_only=False).result(timeout=60)

    def on_shared_drivers(
        self, fn: Callable[[ManagedDriver], T]
    ) -> concurrent.futures.Future[list[T]]:
        """``fn(managed_driver)`` on the thread of each started browser that is not an
        isolated session's own; a future of the results (empty when none started)."""
        with self._lock:
            self._ensure_open()
        return self._on_threads(fn, shared_only=True)

    def _on_threads(
        self, fn: Callable[[ManagedDriver], T], *, shared_only: bool
    ) -> concurrent.futures.Future[list[T]]:
        """``fn`` on the thread of each started driver (all, or the shared ones), gathered:
        the results in thread order, or the first error."""
        with self._lock:
            threads = [
                t
                for t in self._threads
                if t.managed is not None and t.accepting and not (shared_only and t.isolated)
            ]
        parts = [t.submit(fn) for t in threads]
        out: concurrent.futures.Future[list[T]] = concurrent.futures.Future()
        if not parts:
            out.set_result([])
            return out
        remaining = [len(parts)]
        lock = threading.Lock()

        def one_done(_: concurrent.futures.Future[T]) -> None:
            with lock:
                remaining[0] -= 1
                if remaining[0]:
                    return
            if any(p.cancelled() for p in parts):
                out.set_exception(CrawlerClosedError("the crawler was closed before this ran"))
                return
            errors = [e for e in (p.exception() for p in parts) if e is not None]
            if errors:
                out.set_exception(errors[0])
            else:
                out.set_result([p.result() for p in parts])

        for part in parts:
            part.add_done_callback(one_done)
        return out

    def session(self, session_id: str) -> Session | None:
        """The live session record (its thread, tab handle, in-flight count), for tests
        and tools; None when there is no such session. Do not change it."""
        with self._lock:
            return self._live_session(session_id)

    def _live_session(self, session_id: str) -> Session | None:
        found = self._sessions.get(session_id)
        return None if found is None or found.lost else found

    def stats(self) -> PoolStats:
        """Counts of threads, started drivers and live sessions, for tests and tools."""
        with self._lock:
            threads = list(self._threads)
            sessions = sum(1 for s in self._sessions.values() if not s.lost)
            idle = sum(len(t.idle) + sum(map(len, t.idle_by.values())) for t in self._tabs.values())
        return PoolStats(
            threads=len(threads),
            active=sum(1 for t in threads if t.accepting),
            drivers=sum(1 for t in threads if t.managed is not None),
            sessions=sessions,
            idle_tabs=idle,
        )

    def sessions(self) -> list[str]:
        """Ids of the live sessions."""
        with self._lock:
            return [sid for sid, s in self._sessions.items() if not s.lost]

    def check_thread(self) -> None:
        """Raise when called from a driver or page thread: blocking there could deadlock."""
        owner = current_driver_thread()
        if owner is not None:
            raise WrongThreadError(
                f"blocking crawler call from a thread of {owner.name} (inside a hook?) "
                "would deadlock; schedule it from another thread"
            )

    def place_session(
        self, session_id: str, *, isolated: bool = False, identity: Identity | None = None
    ) -> Session:
        """Choose a new session's browser and record the session (its tab opens with its
        first crawl): the placement policy on its own, for tests with a fake
        ``driver_factory`` and for tools. Raises :class:`SessionError` for a live id, or
        when isolation needs a browser that ``max_drivers`` does not allow."""
        with self._lock:
            self._ensure_open()
            if self._live_session(session_id) is not None:
                raise SessionError(f"session {session_id!r} already exists")
            return self._place_session(session_id, isolated, identity)

    def _place_session(
        self, session_id: str, isolated: bool, identity: Identity | None = None
    ) -> Session:
        thread = self._thread_for_session(isolated)
        session = Session(session_id, thread, isolated, identity=identity)
        self._sessions[session_id] = session
        return session

    def run_in_session(
        self,
        session_id: str,
        task: Task[T],
        *,
        isolated: bool = False,
        create: bool = True,
        identity: Identity | None = None,
    ) -> concurrent.futures.Future[T]:
        """Run ``task(tab)`` in the session's tab (created unless ``create`` is False).

        A new session with an ``identity`` runs in a user context for it; a live
        session keeps the identity it was opened with (asking for another raises)."""
        with self._lock:
            self._ensure_open()
            session = self._sessions.get(session_id)
            if session is not None and session.lost:
                del self._sessions[session_id]
                session = None
            if session is None:
                if not create:
                    raise SessionError(
                        f"session {session_id!r} does not exist (js_only needs a session "
                        "opened by an earlier crawl)"
                    )
                session = self._place_session(session_id, isolated, identity)
            elif identity is not None and identity != session.identity:
                raise SessionError(
                    f"session {session_id!r} was opened with another identity "
                    f"({session.identity.describe() if session.identity else 'default'}); "
                    "kill_session() it before crawling it with a new proxy or identity"
                )
            session.inflight += 1
        outer: concurrent.futures.Future[T] = concurrent.futures.Future()

        def start(done: Callable[[], None]) -> None:
            thread = session.thread
            with self._lock:
                thread.crawls += 1

            def body(drv: ManagedDriver) -> T:
                return self._in_session(thread, session, drv, task, create)

            end = functools.partial(self._end_session_crawl, session, thread)
            self._dispatch(thread, _Job(outer, body, end, release=done))

        session.order.submit(start)
        return outer

    def _end_session_crawl(self, session: Session, thread: DriverThread) -> None:
        with self._lock:
            thread.crawls -= 1
            session.inflight -= 1
            session.last_used = time.monotonic()
            # A session that never got a tab (its first crawl could not start a browser,
            # or was cancelled) was never opened: do not list it; the next crawl retries.
            if (
                session.handle is None
                and session.inflight == 0
                and self._sessions.get(session.session_id) is session
            ):
                del self._sessions[session.session_id]

    def run_temporary(
        self, task: Task[T], *, identity: Identity | None = None
    ) -> concurrent.futures.Future[T]:
        """Run ``task(tab)`` in a tab of no session (reused by later sessionless crawls);
        with an ``identity``, in the user context shared by crawls of that identity."""
        with self._lock:
            self._ensure_open()
            thread = self._thread_for_temporary()
            thread.crawls += 1
        outer: concurrent.futures.Future[T] = concurrent.futures.Future()

        def end() -> None:
            with self._lock:
                thread.crawls -= 1

        def body(drv: ManagedDriver) -> T:
            return self._in_temporary(thread, drv, task, identity)

        self._dispatch(thread, _Job(outer, body, end))
        return outer

    def kill_session(self, session_id: str) -> concurrent.futures.Future[None]:
        """Close the session's tab, after its queued crawls (idempotent; unknown ids are fine)."""
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        with self._lock:
            session = self._sessions.pop(session_id, None)
            if session is None or self._closed:
                done.set_result(None)
                return done
            session.lost = True
            retired = session.isolated and session.thread.isolated
            if retired:
                self._retire(session.thread)

        def start(finished: Callable[[], None]) -> None:
            thread = session.thread
            if retired:  # its own browser quits with its thread: no tab to close
                done.set_result(None)
                finished()
                return

            def body(drv: ManagedDriver) -> None:
                self._close_session_tab(thread, session, drv)

            self._dispatch(thread, _Job(done, body, _nothing, release=finished))

        session.order.submit(start)
        return done

    def close(self, grace: float = 5.0) -> None:
        """Quit every driver (each in its own try); idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._sessions.clear()
        self._wake.set()
        self._finalizer.detach()
        DriverPool._shutdown(self._threads, self._reaper, grace)

    # -- thread choice (under the lock) ------------------------------------------------

    def _ensure_open(self) -> None:
        if self._closed:
            raise CrawlerClosedError("the crawler is closed; create a new one")

    def _sessions_on(self, thread: DriverThread) -> int:
        return sum(1 for s in self._sessions.values() if s.thread is thread and not s.lost)

    def _expect_bidi(self) -> bool:
        """Whether crawls will run over BiDi: as the drivers started so far, else as asked."""
        return self.config.use_bidi if self._bidi_seen is None else self._bidi_seen

    def _capacity(self) -> int:
        return self.config.max_pages_per_driver if self._expect_bidi() else 1

    def _new_thread(self, isolated: bool) -> DriverThread:
        thread = DriverThread(
            self._start_driver, isolated=isolated, page_slots=self.config.max_pages_per_driver
        )
        self._threads.append(thread)
        self._start_housekeeping()
        return thread

    def _load(self, thread: DriverThread) -> tuple[int, int, int]:
        """Sort key of drivers for a sessionless crawl: the least busy, then one with an
        idle tab to reuse, then the one with the fewest sessions."""
        tabs = self._tabs.get(thread)
        idle = len(tabs.idle) if tabs is not None and tabs.generation == thread.generation else 0
        return (thread.crawls, -idle, self._sessions_on(thread))

    def _thread_for_session(self, isolated: bool) -> DriverThread:
        shared = [t for t in self._active() if not t.isolated]
        room = len(self._active()) < self.config.max_drivers
        if isolated and not self._expect_bidi():
            if room:
                return self._new_thread(isolated=True)
            free = [t for t in shared if self._sessions_on(t) == 0 and t.crawls == 0]
            if not free:
                raise SessionError(
                    "session_isolation needs a driver of its own but all "
                    f"max_drivers={self.config.max_drivers} drivers are in use; raise max_drivers"
                )
            free[0].isolated = True
            return free[0]
        capacity = self._capacity()
        full = all(self._sessions_on(t) + t.crawls >= capacity for t in shared)
        if room and full:
            return self._new_thread(isolated=False)
        if not shared:
            raise SessionError(
                f"all max_drivers={self.config.max_drivers} drivers hold isolated sessions; "
                "raise max_drivers"
            )
        return min(shared, key=lambda t: (self._sessions_on(t), t.crawls))

    def _thread_for_temporary(self) -> DriverThread:
        shared = [t for t in self._active() if not t.isolated]
        capacity = self._capacity()
        free = [t for t in shared if t.crawls < capacity]
        if free:
            return min(free, key=self._load)
        if len(self._active()) < self.config.max_drivers:
            return self._new_thread(isolated=False)
        if not shared:
            raise SessionError(
                f"all max_drivers={self.config.max_drivers} drivers hold isolated sessions; "
                "raise max_drivers"
            )
        return min(shared, key=self._load)

    def _retire(self, thread: DriverThread) -> None:
        """Take a thread out of service; it quits its driver once its queue is done."""
        thread.finish()
        self._threads[:] = [t for t in self._threads if t.accepting or t.is_alive()]

    # -- handing a crawl to its driver ----------------------------------------------------

    def _dispatch(self, thread: DriverThread, job: _Job[Any]) -> None:
        """Queue ``job`` to its driver thread; over BiDi that thread passes it to a page thread."""

        def on_driver_thread(drv: ManagedDriver) -> None:
            if drv.bidi is None:
                job.run(drv)
                return
            handed = thread.run_on_page_thread(lambda: job.run(drv))
            handed.add_done_callback(
                lambda f: (
                    job.fail(CrawlerClosedError("the crawler was closed before this ran"))
                    if f.cancelled()
                    else None
                )
            )

        try:
            queued = thread.submit(on_driver_thread)
        except CrawlerClosedError as exc:
            job.fail(exc)
            return
        # The driver could not be started, or the pool closed while the job waited.
        queued.add_done_callback(lambda f: _fail_unless_ran(job, f))

    # -- on the driver thread or a page thread --------------------------------------------

    def _start_driver(self, name: str) -> ManagedDriver:
        drv = self._driver_factory(self.config, name)
        if drv.pids:
            self._reaper.track(drv.pids)
        if drv.temp_dir is not None:
            self._reaper.track_dir(drv.temp_dir)

        def forget(quitted: ManagedDriver) -> None:
            self._reaper.forget(quitted.pids)
            if quitted.temp_dir is not None:
                self._reaper.forget_dir(quitted.temp_dir)

        drv.on_quit = forget
        if self._driver_setup is not None:
            try:
                self._driver_setup(drv)
            except BaseException:
                drv.quit()
                raise
        with self._lock:
            self._bidi_seen = drv.bidi is not None
        return drv

    def _tabs_of(self, thread: DriverThread, drv: ManagedDriver) -> _DriverTabs:
        """The tab bookkeeping of the thread's current driver (made anew after a restart)."""
        with self._lock:
            tabs = self._tabs.get(thread)
            if tabs is None or tabs.generation != thread.generation:
                bidi = None
                if drv.bidi is not None:
                    bidi = BidiTabs(
                        drv.bidi,
                        is_chromium=self.config.is_chromium,
                        command_timeout=self.config.command_timeout,
                        downloads=drv.downloads,
                    )
                tabs = _DriverTabs(thread.generation, bidi)
                if bidi is not None:
                    tabs.contexts = UserContexts(bidi.bidi, self.config)
                self._tabs[thread] = tabs
            return tabs

    def _setup_tab(self, tab: Tab) -> Tab:
        if self._window_setup is not None:
            self._window_setup(tab)
        return tab

    def _in_session(
        self,
        thread: DriverThread,
        session: Session,
        drv: ManagedDriver,
        task: Task[T],
        create: bool,
    ) -> T:
        if session.lost:
            raise SessionError(
                f"session {session.session_id!r} was closed (killed, expired, or its "
                "browser died) while this crawl waited"
            )
        if session.handle is not None and session.generation != thread.generation:
            session.handle, session.tab, session.user_context = None, None, None
            session.shared_context = False
            if not create:
                raise SessionError(f"session {session.session_id!r} was lost when its browser died")
        if drv.bidi is None and session.identity is not None:
            raise _classic_identity()
        if drv.bidi is None:
            tab: Tab = self._classic_session_tab(thread, session, drv, create)
        else:
            tab = self._guarded(
                thread, drv, None, lambda: self._bidi_session_tab(thread, session, drv, create)
            )
        try:
            return self._guarded(thread, drv, tab, lambda: task(tab))
        finally:
            drv.crawl_ended()

    def _bidi_session_tab(
        self, thread: DriverThread, session: Session, drv: ManagedDriver, create: bool
    ) -> BidiTab:
        tabs = self._tabs_of(thread, drv)
        assert tabs.bidi is not None
        tab = session.tab
        if tab is not None and tab.crashed and not tab.closed:
            tabs.bidi.close(tab)
            raise CrawlError("the page crashed (its renderer died); its tab was closed")
        if tab is not None and not tab.closed:
            return tab
        if tab is not None and not create:
            raise SessionError(f"the tab of session {session.session_id!r} was closed")
        created = False
        contexts = tabs.contexts
        assert contexts is not None
        if session.user_context is None and session.isolated:
            session.user_context, created = contexts.create_own(session.identity), True
        elif session.user_context is None and session.identity is not None:
            session.user_context, created = contexts.acquire(session.identity), True
            session.shared_context = True
        try:
            tab = tabs.bidi.open(session.user_context)
        except BaseException:
            if created:
                self._drop_context(tabs, session)
            raise
        try:
            contexts.watch(tab.handle, session.user_context)
            self._setup_tab(tab)
        except BaseException:
            # Set-up failed (a storage state the browser refused): leave nothing behind.
            tabs.bidi.close(tab)
            if created:
                self._drop_context(tabs, session)
            raise
        session.tab, session.handle, session.generation = tab, tab.handle, thread.generation
        return tab

    @staticmethod
    def _drop_context(tabs: _DriverTabs, session: Session) -> None:
        """The session no longer uses its user context: one user less of a shared one,
        removal of its own."""
        if session.user_context is not None and tabs.contexts is not None:
            if session.shared_context and session.identity is not None:
                tabs.contexts.release(session.identity)
            else:
                tabs.contexts.remove_own(session.user_context)
        session.user_context, session.shared_context = None, False

    def _classic_session_tab(
        self, thread: DriverThread, session: Session, drv: ManagedDriver, create: bool
    ) -> ClassicTab:
        if session.handle is None:
            session.handle = self._guarded(thread, drv, None, lambda: self._open_window(drv))
            session.generation = thread.generation
            return ClassicTab(drv, session.handle)
        handle = session.handle
        try:
            if drv.focused != handle:
                self._guarded(thread, drv, None, lambda: drv.webdriver.switch_to.window(handle))
                drv.focused = handle
        except NoSuchWindowException as exc:
            session.handle = None
            if not create:
                raise SessionError(
                    f"the window of session {session.session_id!r} was closed"
                ) from exc
            session.handle = self._open_window(drv)
        return ClassicTab(drv, session.handle)

    def _open_window(self, drv: ManagedDriver) -> str:
        drv.focused = None
        drv.webdriver.switch_to.new_window("tab")
        handle: str = drv.webdriver.current_window_handle
        drv.focused = handle
        try:
            self._setup_tab(ClassicTab(drv, handle))
        except BaseException:
            self._quietly_close(drv, handle)
            raise
        return handle

    def _in_temporary(
        self, thread: DriverThread, drv: ManagedDriver, task: Task[T], identity: Identity | None
    ) -> T:
        tabs = self._tabs_of(thread, drv)
        try:
            if tabs.bidi is None:
                if identity is not None:
                    raise _classic_identity()
                return self._classic_temporary(thread, drv, tabs, task)
            return self._bidi_temporary(thread, drv, tabs, task, identity)
        finally:
            drv.crawl_ended()

    def _bidi_temporary(
        self,
        thread: DriverThread,
        drv: ManagedDriver,
        tabs: _DriverTabs,
        task: Task[T],
        identity: Identity | None = None,
    ) -> T:
        assert tabs.bidi is not None and tabs.contexts is not None
        with self._lock:
            idle = tabs.idle if identity is None else tabs.idle_by.get(identity, [])
            tab = idle.pop() if idle else None
        if tab is None:
            tab = self._guarded(thread, drv, None, lambda: self._open_temporary(tabs, identity))
        tab.reused = True
        ok = False
        try:
            result = self._guarded(thread, drv, tab, lambda: task(tab))
            ok = True
            return result
        finally:
            self._park_or_close(thread, tabs, tab, keep=ok, identity=identity)

    def _open_temporary(self, tabs: _DriverTabs, identity: Identity | None) -> BidiTab:
        """A new tab for sessionless crawls (in the shared context of ``identity``)."""
        assert tabs.bidi is not None and tabs.contexts is not None
        user_context = tabs.contexts.acquire(identity) if identity is not None else None
        try:
            tab = tabs.bidi.open(user_context)
        except BaseException:
            if identity is not None:
                tabs.contexts.release(identity)
            raise
        try:
            tabs.contexts.watch(tab.handle, user_context)
            self._setup_tab(tab)
        except BaseException:
            tabs.bidi.close(tab)
            if identity is not None:
                tabs.contexts.release(identity)
            raise
        return tab

    def _park_or_close(
        self,
        thread: DriverThread,
        tabs: _DriverTabs,
        tab: BidiTab,
        keep: bool,
        identity: Identity | None = None,
    ) -> None:
        """A sessionless crawl's tab: kept for the next crawl after a success, else closed
        (an identity's tab gives its context back when closed)."""
        if tabs.generation != thread.generation:
            return
        assert tabs.bidi is not None and tabs.contexts is not None
        if not tab.closed:
            with self._lock:
                if identity is None:
                    room = len(tabs.idle) < thread.page_slots
                else:
                    room = sum(map(len, tabs.idle_by.values())) < thread.page_slots
                if keep and not tab.crashed and room:
                    idle = tabs.idle if identity is None else tabs.idle_by.setdefault(identity, [])
                    idle.append(tab)
                    return
            tabs.bidi.close(tab)
        if identity is not None:
            tabs.contexts.release(identity)

    def _classic_temporary(
        self, thread: DriverThread, drv: ManagedDriver, tabs: _DriverTabs, task: Task[T]
    ) -> T:
        if tabs.scratch is None:
            tabs.scratch = self._guarded(thread, drv, None, lambda: self._open_window(drv))
        handle = tabs.scratch
        if drv.focused != handle:
            self._guarded(thread, drv, None, lambda: drv.webdriver.switch_to.window(handle))
            drv.focused = handle
        ok = False
        try:
            result = self._guarded(thread, drv, None, lambda: task(ClassicTab(drv, handle)))
            ok = True
            return result
        finally:
            # A window a crawl failed in may hold anything (a dialog, a hung load): not reused.
            if not ok and thread.managed is drv and tabs.generation == thread.generation:
                tabs.scratch = None
                self._quietly_close(drv, handle)

    def _close_session_tab(
        self, thread: DriverThread, session: Session, drv: ManagedDriver
    ) -> None:
        if session.generation != thread.generation:
            return
        if drv.bidi is None:
            if session.handle is not None:
                self._quietly_close(drv, session.handle)
        else:
            tabs = self._tabs_of(thread, drv)
            if session.tab is not None and tabs.bidi is not None:
                tabs.bidi.close(session.tab)
            self._drop_context(tabs, session)
        session.handle, session.tab, session.user_context = None, None, None

    @staticmethod
    def _quietly_close(drv: ManagedDriver, handle: str) -> None:
        drv.focused = None
        try:
            drv.webdriver.switch_to.window(handle)
            drv.webdriver.close()
            drv.webdriver.switch_to.window(drv.anchor_handle)
            drv.focused = drv.anchor_handle
        except WebDriverException as exc:
            log.debug("closing window %s failed: %s", handle, describe_error(exc))

    # -- failures ---------------------------------------------------------------------------

    def _guarded(
        self, thread: DriverThread, drv: ManagedDriver, tab: Tab | None, step: Callable[[], T]
    ) -> T:
        """Run a step; if it failed because the browser died, have the driver replaced.

        A crashed page (its renderer died, the browser lives) is closed instead, so the
        driver's other tabs carry on; the crashed session's next crawl opens a fresh tab.
        """
        try:
            return step()
        except Exception as exc:
            if drv.bidi is None:
                self._classic_failure(thread, drv, exc)
            else:
                self._bidi_failure(thread, drv, tab, exc)
            raise

    def _bidi_failure(
        self, thread: DriverThread, drv: ManagedDriver, tab: Tab | None, exc: Exception
    ) -> None:
        """Over BiDi: translate a crash, a dead browser or an unresponsive one; else return."""
        assert drv.bidi is not None
        if isinstance(exc, TabCrashedError) and isinstance(tab, BidiTab):
            tabs = self._tabs_of(thread, drv)
            if tabs.bidi is not None:
                tabs.bidi.close(tab)
            raise CrawlError(f"{exc}; its tab was closed") from exc
        remote = self.config.remote_url
        if isinstance(exc, BidiTimeoutError) and not drv.bidi.closed and drv.processes_alive():
            answered, error = self._classic_probe(thread, drv)
            if not answered:
                self._give_up_on(thread, drv, exc)
            if error is not None and means_browser_gone(error):
                # e.g. a Grid that dropped the session: its BiDi socket may stay open, mute.
                self._replace(thread, drv, f"the browser died: {death_cause(error, remote)}", exc)
            # The browser answers over HTTP but not over BiDi: its BiDi side is gone
            # (chromedriver's BiDi mapper runs in a renderer of its own).
            message = "the browser died: its WebDriver BiDi endpoint stopped answering"
            self._replace(thread, drv, message, exc)
        if drv.bidi.closed or not drv.processes_alive() or means_browser_gone(exc):
            cause: BaseException = exc
            if remote is not None and drv.bidi.closed:
                # A closed socket says nothing of why; the classic client's answer does
                # (the Grid dropped the session, or the Grid itself is gone).
                answered, error = self._classic_probe(thread, drv)
                gone = not answered and isinstance(error, TRANSPORT_ERRORS)
                if error is not None and (gone or means_browser_gone(error)):
                    cause = error
            self._replace(thread, drv, f"the browser died: {death_cause(cause, remote)}", exc)

    def _classic_probe(
        self, thread: DriverThread, drv: ManagedDriver
    ) -> tuple[bool, BaseException | None]:
        """Whether the driver still answers a classic command, and the error it answered
        with (or, when it did not answer, why not)."""
        timeout = min(self.config.command_timeout, PROBE_TIMEOUT)
        # The list of windows comes from the browser process itself (not a renderer,
        # not chromedriver's cache): a frozen browser cannot give it.
        try:
            if threading.current_thread() is drv.owner:
                _ = drv.webdriver.window_handles
            else:
                thread.submit(lambda managed: managed.webdriver.window_handles).result(timeout)
        except WebDriverException as exc:
            return True, exc  # an error is an answer
        except Exception as exc:  # no answer in time, a closed pool, a transport error
            log.debug("%s: classic liveness probe failed: %s", thread.name, describe_error(exc))
            return False, exc
        return True, None

    def _classic_failure(self, thread: DriverThread, drv: ManagedDriver, exc: Exception) -> None:
        drv.focused = None  # whatever failed, the next crawl re-focuses its window
        if is_timeout(exc):
            self._give_up_on(thread, drv, exc)
        crashed = tab_crashed(exc)
        if not self._browser_dead(drv, exc):
            if not crashed:
                return
            if self._close_crashed_tab(drv):
                raise CrawlError(
                    f"the page crashed ({describe_error(exc)}); its window was closed"
                ) from exc
        cause = death_cause(exc, self.config.remote_url)
        self._replace(thread, drv, f"the browser died: {cause}", exc)

    def _replace(
        self, thread: DriverThread, drv: ManagedDriver, message: str, exc: Exception
    ) -> NoReturn:
        """Drop the driver's sessions and have it quit on its own thread; raise ``message``."""
        log.warning("%s: %s; replacing it", thread.name, message)
        self._drop_thread_sessions(thread)
        generation = thread.generation
        if threading.current_thread() is drv.owner:
            thread.discard_driver(generation)
        else:
            # A page thread: the driver thread quits the driver (page threads never wait on it).
            with contextlib.suppress(CrawlerClosedError):  # closing: it quits its driver anyway
                thread.submit(lambda _: thread.discard_driver(generation))
        raise BrowserDiedError(message) from exc

    def _give_up_on(self, thread: DriverThread, drv: ManagedDriver, exc: Exception) -> NoReturn:
        """The driver did not answer within its timeout: replace it, as if it died.

        Its state is unknown (the command may still run), so none of its tabs can be
        trusted. Quitting it gets a short timeout, or it would hang as long again.
        """
        waited = drv.http_timeout or self.config.command_timeout
        limit = self.config.command_timeout
        where = self.config.remote_url
        server = f"the WebDriver server at {where}" if where else "the local driver"
        bound = (
            f"command_timeout={limit:g} s"
            if waited <= limit
            else f"{waited:g} s (page_timeout + slack, above command_timeout={limit:g} s)"
        )
        cause = f"no answer from {server} within {bound}"
        drv.mark_unresponsive()
        # A local browser that stopped answering is killed outright: quitting it politely
        # costs another HTTP timeout plus Selenium's service-stop wait.
        if not drv.is_remote:
            drv.force_kill()
        self._replace(thread, drv, f"the browser stopped responding: {cause}", exc)

    @staticmethod
    def _close_crashed_tab(drv: ManagedDriver) -> bool:
        """Close the focused, crashed tab and refocus a healthy anchor; False if we cannot.

        Without this the driver's focus stays on the crashed tab and every later
        command on the driver, new windows included, fails with "tab crashed".
        """
        try:
            drv.webdriver.close()
            drv.webdriver.switch_to.window(drv.anchor_handle)
            drv.webdriver.execute_script("return 1;")  # fails if the anchor's renderer died too
        except WebDriverException as exc:
            log.debug("cleaning up after a crashed tab failed: %s", describe_error(exc))
            return False
        return True

    @staticmethod
    def _browser_dead(drv: ManagedDriver, exc: BaseException) -> bool:
        return not drv.processes_alive() or means_browser_gone(exc)

    def _drop_thread_sessions(self, thread: DriverThread) -> None:
        with self._lock:
            for session in self._sessions.values():
                if session.thread is thread:
                    session.lost = True
            self._tabs.pop(thread, None)
            if thread.isolated:
                self._retire(thread)

    # -- housekeeping --------------------------------------------------------------------

    def _start_housekeeping(self) -> None:
        if self._housekeeper is None:
            self._housekeeper = threading.Thread(
                target=self._housekeep, name="seleniumcrawl-housekeeper", daemon=True
            )
            self._housekeeper.start()

    def _tick(self) -> float:
        period = self.config.session_ttl
        if self.config.remote_url is not None:
            period = min(period, self.config.keep_alive_interval)
        return max(0.2, min(30.0, period / 4))

    def _housekeep(self) -> None:
        while not self._wake.wait(self._tick()):
            try:
                self._reap_idle_sessions()
                self._keep_remote_alive()
            except Exception:
                log.exception("pool housekeeping failed")

    def _reap_idle_sessions(self) -> None:
        now = time.monotonic()
        with self._lock:
            idle = [
                sid
                for sid, s in self._sessions.items()
                if s.inflight == 0 and now - s.last_used > self.config.session_ttl
            ]
        for sid in idle:
            log.info("closing session %r: idle longer than session_ttl", sid)
            self.kill_session(sid)

    def _keep_remote_alive(self) -> None:
        if self.config.remote_url is None:
            return
        now = time.monotonic()
        with self._lock:
            if self._closed:
                return
            for thread in self._active():
                drv = thread.managed
                if (
                    drv is not None
                    and thread.crawls == 0
                    and thread.pending == 0
                    and now - drv.last_used > self.config.keep_alive_interval
                ):
                    thread.submit(self._ping)

    @staticmethod
    def _ping(drv: ManagedDriver) -> None:
        """Any command resets the Grid's idle timer for this session.

        A failed ping is only logged: the session's next crawl meets the same error
        and reports it (the browser died) to the user who can act on it.
        """
        try:
            drv.webdriver.current_window_handle  # noqa: B018 - the round trip is the point
        except Exception as exc:  # WebDriver errors, and urllib3's for a hung or gone Grid
            log.warning("keep-alive of %s failed: %s", drv.name, describe_error(exc))
        drv.last_used = time.monotonic()

    @staticmethod
    def _shutdown(threads: list[DriverThread], reaper: Reaper, grace: float) -> None:
        """Stop the threads, then the reaper (which ends anything they left)."""
        try:
            DriverPool._close_threads(threads, grace)
        finally:
            reaper.close()

    @staticmethod
    def _close_threads(threads: list[DriverThread], grace: float) -> None:
        """Stop all threads at once, sharing one grace deadline (not ``grace`` each)."""
        threads = list(threads)
        for thread in threads:
            try:
                thread.request_stop()
            except Exception:
                log.exception("stopping %s failed", thread.name)
        deadline = time.monotonic() + grace
        for thread in threads:
            try:
                thread.await_stop(deadline)
            except Exception:
                log.exception("stopping %s failed", thread.name)


def _classic_identity() -> IdentityError:
    return IdentityError(
        "a per-crawl proxy_config, proxy_rotation_strategy, user_agent, locale, timezone_id, "
        "geolocation or headers needs WebDriver BiDi (a user context per identity); this "
        "browser speaks classic WebDriver only (use_bidi=False or a remote end without BiDi): "
        "set them on BrowserConfig instead"
    )
