"""The driver pool: up to ``max_drivers`` browsers, sessions mapped to windows.

A *session* is one window (tab) on one driver. Windows on a driver share its
cookies and storage; an *isolated* session gets a driver of its own. All work
for a driver goes through its :class:`~seleniumcrawl.browser.executor.DriverThread`
queue, which is FIFO: crawls on one session run one after another, in the order
they were submitted, and never interleave.

Like urllib3's connection pool, a checkout verifies the driver and replaces a
dead one: a task that fails on a dead browser quits it, drops the sessions it
held (reported as lost), and the next task starts a fresh browser. A
housekeeping thread closes sessions idle past ``session_ttl`` and pings idle
remote drivers so a Grid's session timeout never reaps them.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import NoReturn, TypeVar

import attrs
from selenium.common.exceptions import NoSuchWindowException, WebDriverException

from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.browser.executor import DriverThread, current_driver_thread
from seleniumcrawl.browser.failures import (
    death_cause,
    describe_error,
    is_timeout,
    means_browser_gone,
    tab_crashed,
)
from seleniumcrawl.browser.launch import create_driver
from seleniumcrawl.browser.reaper import Reaper
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.errors import (
    BrowserDiedError,
    CrawlerClosedError,
    CrawlError,
    SessionError,
    WrongThreadError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
DriverFactory = Callable[[BrowserConfig, str], ManagedDriver]
WindowSetup = Callable[[ManagedDriver], None]


@attrs.define(eq=False)
class Session:
    """A named window on a driver; mutated only under the pool lock or on its driver thread."""

    session_id: str
    thread: DriverThread
    isolated: bool
    handle: str | None = None
    generation: int = -1
    inflight: int = 0
    lost: bool = False
    last_used: float = attrs.field(factory=time.monotonic)


@attrs.frozen
class PoolStats:
    """A snapshot of the pool (:meth:`DriverPool.stats`)."""

    #: Driver threads created and not yet ended (retired ones still finishing included).
    threads: int
    #: Threads taking work (what ``max_drivers`` bounds; :attr:`DriverPool.size`).
    active: int
    #: Threads whose browser is started.
    drivers: int
    #: Live sessions.
    sessions: int


class DriverPool:
    """Owns the drivers and their threads; maps session ids to windows."""

    def __init__(
        self,
        config: BrowserConfig,
        *,
        driver_factory: DriverFactory = create_driver,
        window_setup: WindowSetup | None = None,
        driver_setup: WindowSetup | None = None,
    ) -> None:
        self.config = config
        self._driver_factory = driver_factory
        self._window_setup = window_setup
        self._driver_setup = driver_setup
        self._lock = threading.Lock()
        self._threads: list[DriverThread] = []
        self._sessions: dict[str, Session] = {}
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

        Process-count tests read their pids; calling their ``webdriver`` from another
        thread than the owner's is only safe while the pool is otherwise idle.
        """
        with self._lock:
            threads = list(self._threads)
        return [t.managed for t in threads if t.managed is not None]

    def session(self, session_id: str) -> Session | None:
        """The live session record (its thread, window handle, in-flight count), for tests
        and tools; None when there is no such session. Do not change it."""
        with self._lock:
            found = self._sessions.get(session_id)
            return None if found is None or found.lost else found

    def stats(self) -> PoolStats:
        """Counts of threads, started drivers and live sessions, for tests and tools."""
        with self._lock:
            threads = list(self._threads)
            sessions = sum(1 for s in self._sessions.values() if not s.lost)
        return PoolStats(
            threads=len(threads),
            active=sum(1 for t in threads if t.accepting),
            drivers=sum(1 for t in threads if t.managed is not None),
            sessions=sessions,
        )

    def sessions(self) -> list[str]:
        """Ids of the live sessions."""
        with self._lock:
            return [sid for sid, s in self._sessions.items() if not s.lost]

    def check_thread(self) -> None:
        """Raise when called from a driver thread: blocking there would deadlock it."""
        owner = current_driver_thread()
        if owner is not None:
            raise WrongThreadError(
                f"blocking crawler call from driver thread {owner.name} (inside a hook?) "
                "would deadlock; schedule it from another thread"
            )

    def run_in_session(
        self,
        session_id: str,
        task: Callable[[ManagedDriver], T],
        *,
        isolated: bool = False,
        create: bool = True,
    ) -> concurrent.futures.Future[T]:
        """Run ``task`` with the session's window focused (created unless ``create`` is False)."""
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
                session = Session(session_id, self._thread_for_session(isolated), isolated)
                self._sessions[session_id] = session
            session.inflight += 1
            thread = session.thread
            started = False

            def job(drv: ManagedDriver) -> T:
                nonlocal started
                started = True
                return self._in_session(thread, session, drv, task, create)

            future = thread.submit(job)
        # A crawl cancelled while queued, or whose browser could not be started (the
        # executor starts it before running the job), never runs _in_session, which
        # would uncount it; left counted, its session would look busy forever.
        future.add_done_callback(lambda done: self._uncount_unstarted(session, done, started))
        return future

    def _uncount_unstarted(
        self, session: Session, done: concurrent.futures.Future[T], started: bool
    ) -> None:
        if started:
            return
        with self._lock:
            session.inflight -= 1
            # A session that never got a window (its first crawl could not start a
            # browser) was never opened: do not list it, and let the next crawl retry.
            if (
                session.handle is None
                and session.inflight == 0
                and self._sessions.get(session.session_id) is session
            ):
                del self._sessions[session.session_id]

    def run_temporary(self, task: Callable[[ManagedDriver], T]) -> concurrent.futures.Future[T]:
        """Run ``task`` in a fresh window that is closed afterwards."""
        with self._lock:
            self._ensure_open()
            thread = self._thread_for_temporary()
            return thread.submit(lambda drv: self._in_temporary(thread, drv, task))

    def kill_session(self, session_id: str) -> concurrent.futures.Future[None]:
        """Close the session's window (idempotent; unknown ids are fine)."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
            if session is None or self._closed:
                done: concurrent.futures.Future[None] = concurrent.futures.Future()
                done.set_result(None)
                return done
            session.lost = True
            thread = session.thread
            future = thread.submit(lambda drv: self._close_window(thread, session, drv))
            if session.isolated:
                self._retire(thread)
            return future

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

    def _new_thread(self, isolated: bool) -> DriverThread:
        thread = DriverThread(self._start_driver, isolated=isolated)
        self._threads.append(thread)
        self._start_housekeeping()
        return thread

    def _thread_for_session(self, isolated: bool) -> DriverThread:
        shared = [w for w in self._active() if not w.isolated]
        room = len(self._active()) < self.config.max_drivers
        if isolated:
            if room:
                return self._new_thread(isolated=True)
            free = [w for w in shared if self._sessions_on(w) == 0 and w.pending == 0]
            if not free:
                raise SessionError(
                    "session_isolation needs a driver of its own but all "
                    f"max_drivers={self.config.max_drivers} drivers are in use; raise max_drivers"
                )
            free[0].isolated = True
            return free[0]
        if room and all(self._sessions_on(w) > 0 or w.pending > 0 for w in shared):
            return self._new_thread(isolated=False)
        if not shared:
            raise SessionError(
                f"all max_drivers={self.config.max_drivers} drivers hold isolated sessions; "
                "raise max_drivers"
            )
        return min(shared, key=lambda w: (self._sessions_on(w), w.pending))

    def _thread_for_temporary(self) -> DriverThread:
        shared = [w for w in self._active() if not w.isolated]
        idle = [w for w in shared if w.pending == 0]
        if idle:
            return min(idle, key=self._sessions_on)
        if len(self._active()) < self.config.max_drivers:
            return self._new_thread(isolated=False)
        if not shared:
            raise SessionError(
                f"all max_drivers={self.config.max_drivers} drivers hold isolated sessions; "
                "raise max_drivers"
            )
        return min(shared, key=lambda w: w.pending)

    def _retire(self, thread: DriverThread) -> None:
        """Take a thread out of service; it quits its driver once its queue is done."""
        thread.finish()
        self._threads[:] = [w for w in self._threads if w.accepting or w.is_alive()]

    # -- on the driver thread ------------------------------------------------------------

    def _start_driver(self, name: str) -> ManagedDriver:
        drv = self._driver_factory(self.config, name)
        if drv.pids:
            self._reaper.track(drv.pids)
            drv.on_quit = lambda quitted: self._reaper.forget(quitted.pids)
        if self._driver_setup is not None:
            try:
                self._driver_setup(drv)
            except BaseException:
                drv.quit()
                raise
        return drv

    def _open_window(self, drv: ManagedDriver) -> str:
        drv.focused = None
        drv.webdriver.switch_to.new_window("tab")
        handle: str = drv.webdriver.current_window_handle
        drv.focused = handle
        if self._window_setup is not None:
            self._window_setup(drv)
        return handle

    def _in_session(
        self,
        thread: DriverThread,
        session: Session,
        drv: ManagedDriver,
        task: Callable[[ManagedDriver], T],
        create: bool,
    ) -> T:
        try:
            if session.lost:
                raise SessionError(
                    f"session {session.session_id!r} was closed (killed, expired, or its "
                    "browser died) while this crawl waited"
                )
            if session.handle is not None and session.generation != thread.generation:
                session.handle = None
                if not create:
                    raise SessionError(
                        f"session {session.session_id!r} was lost when its browser died"
                    )
            if session.handle is None:
                session.handle = self._guarded(thread, drv, lambda: self._open_window(drv))
                session.generation = thread.generation
            else:
                handle = session.handle
                try:
                    if drv.focused != handle:
                        self._guarded(thread, drv, lambda: drv.webdriver.switch_to.window(handle))
                        drv.focused = handle
                except NoSuchWindowException as exc:
                    session.handle = None
                    if not create:
                        raise SessionError(
                            f"the window of session {session.session_id!r} was closed"
                        ) from exc
                    session.handle = self._open_window(drv)
            return self._guarded(thread, drv, lambda: task(drv))
        finally:
            with self._lock:
                session.inflight -= 1
                session.last_used = drv.last_used = time.monotonic()

    def _in_temporary(
        self, thread: DriverThread, drv: ManagedDriver, task: Callable[[ManagedDriver], T]
    ) -> T:
        handle = self._guarded(thread, drv, lambda: self._open_window(drv))
        try:
            return self._guarded(thread, drv, lambda: task(drv))
        finally:
            drv.last_used = time.monotonic()
            if thread.managed is drv:
                self._quietly_close(drv, handle)

    def _close_window(self, thread: DriverThread, session: Session, drv: ManagedDriver) -> None:
        if session.handle is not None and session.generation == thread.generation:
            self._quietly_close(drv, session.handle)
        session.handle = None

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

    def _guarded(self, thread: DriverThread, drv: ManagedDriver, step: Callable[[], T]) -> T:
        """Run a step; if it failed because the browser died, replace the driver.

        A crashed page (its renderer died, the browser lives) is closed instead, so
        the driver's other windows carry on; the crashed session's next crawl opens
        a fresh window. Only when that cleanup fails is the driver replaced.
        """
        try:
            return step()
        except Exception as exc:
            drv.focused = None  # whatever failed, the next crawl re-focuses its window
            if is_timeout(exc):
                self._give_up_on(thread, drv, exc)
            crashed = tab_crashed(exc)
            if not self._browser_dead(drv, exc):
                if not crashed:
                    raise
                if self._close_crashed_tab(drv):
                    raise CrawlError(
                        f"the page crashed ({describe_error(exc)}); its window was closed"
                    ) from exc
            cause = death_cause(exc, self.config.remote_url)
            log.warning("browser of %s died (%s); replacing it", thread.name, cause)
            self._drop_thread_sessions(thread)
            thread.discard_driver()
            raise BrowserDiedError(f"the browser died: {cause}") from exc

    def _give_up_on(self, thread: DriverThread, drv: ManagedDriver, exc: Exception) -> NoReturn:
        """The driver did not answer within its HTTP timeout: replace it, as if it died.

        Its state is unknown (the command may still run), so none of its windows can
        be trusted. Quitting it gets a short timeout, or it would hang as long again.
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
        log.warning("driver of %s stopped responding (%s); replacing it", thread.name, cause)
        drv.mark_unresponsive()
        # A local browser that stopped answering is killed outright: quitting it politely
        # costs another HTTP timeout plus Selenium's service-stop wait.
        if not drv.is_remote:
            drv.force_kill()
        self._drop_thread_sessions(thread)
        thread.discard_driver()
        raise BrowserDiedError(f"the browser stopped responding: {cause}") from exc

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
