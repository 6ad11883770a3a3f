"""The pool's scheduling pieces without a browser: per-session order, one outcome per job,
and driver choice with a fake driver factory."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any

import pytest

from seleniumcrawl import BrowserConfig
from seleniumcrawl.browser.jobs import _Job, _Serial
from seleniumcrawl.browser.pool import DriverPool
from seleniumcrawl.errors import CrawlerClosedError, SessionError


def test_serial_starts_jobs_one_at_a_time_in_arrival_order() -> None:
    """A job starts only once the one before it called done, in the order submitted."""
    serial = _Serial()
    started: list[int] = []
    dones: list[Callable[[], None]] = []

    def job(n: int) -> Callable[[Callable[[], None]], None]:
        def start(done: Callable[[], None]) -> None:
            started.append(n)
            dones.append(done)

        return start

    for n in range(3):
        serial.submit(job(n))
    assert started == [0]
    dones[0]()
    assert started == [0, 1]
    dones[1]()
    dones[2]()
    serial.submit(job(3))
    assert started == [0, 1, 2, 3]


def test_job_runs_or_fails_once_and_always_ends() -> None:
    """run after fail (or fail after run) does nothing; on_end is called exactly once."""
    ended: list[str] = []
    outer: concurrent.futures.Future[int] = concurrent.futures.Future()
    job = _Job(outer, lambda drv: 7, lambda: ended.append("end"))
    job.fail(CrawlerClosedError("closed"))
    job.run(object())  # type: ignore[arg-type]
    assert isinstance(outer.exception(), CrawlerClosedError)
    assert ended == ["end"]

    outer2: concurrent.futures.Future[int] = concurrent.futures.Future()
    job2 = _Job(outer2, lambda drv: 7, lambda: ended.append("end2"))
    job2.run(object())  # type: ignore[arg-type]
    job2.fail(CrawlerClosedError("late"))
    assert outer2.result() == 7 and ended == ["end", "end2"]


def test_job_cancelled_while_waiting_does_not_run() -> None:
    """A caller that gave up (cancelled the future) before the job started: the body never runs."""
    ran: list[bool] = []
    ended: list[bool] = []
    outer: concurrent.futures.Future[int] = concurrent.futures.Future()
    outer.cancel()

    def body(drv: Any) -> int:
        ran.append(True)
        return 1

    _Job(outer, body, lambda: ended.append(True)).run(object())  # type: ignore[arg-type]
    assert ran == [] and ended == [True]


@pytest.mark.parametrize("path", ["run", "fail"])
def test_job_does_its_bookkeeping_before_the_caller_sees_the_outcome(path: str) -> None:
    """on_end runs before the future is settled, release after it: a caller woken by the
    result already reads the pool's updated state, and the session's next crawl starts
    after this one's result is out."""
    events: list[str] = []
    outer: concurrent.futures.Future[int] = concurrent.futures.Future()
    outer.add_done_callback(lambda _: events.append("settled"))
    job = _Job(
        outer,
        lambda drv: 7,
        lambda: events.append("end"),
        release=lambda: events.append("release"),
    )
    if path == "run":
        job.run(object())  # type: ignore[arg-type]
    else:
        job.fail(CrawlerClosedError("closed"))
    assert events == ["end", "settled", "release"]


def test_a_session_whose_browser_never_started_is_gone_when_its_crawl_fails() -> None:
    """The first crawl of a session fails because no browser starts: by the time the
    caller sees the failure, the session is no longer listed (it never opened)."""

    def factory(config: BrowserConfig, name: str) -> Any:
        raise RuntimeError("no free slot")

    pool = DriverPool(BrowserConfig(max_drivers=1), driver_factory=factory)
    try:
        seen: list[list[str]] = []
        future = pool.run_in_session("b", lambda tab: None)
        future.add_done_callback(lambda _: seen.append(pool.sessions()))
        with pytest.raises(Exception, match="no free slot"):
            future.result(10)
        assert seen == [[]]
    finally:
        pool.close(grace=1)


class _FakeDriver:
    """Stands in for a ManagedDriver: the pool's choice logic never touches the browser."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.pids: list[int] = []
        self.temp_dir = None
        self.bidi: Any = object()  # looks like a BiDi driver to the pool's bookkeeping
        self.on_quit: Any = None
        self.owner = threading.current_thread()

    def quit(self) -> None:
        """Nothing to end."""


@pytest.fixture
def pool() -> Any:
    made: list[str] = []

    def factory(config: BrowserConfig, name: str) -> Any:
        made.append(name)
        return _FakeDriver(name)

    pool = DriverPool(BrowserConfig(max_drivers=2, max_pages_per_driver=2), driver_factory=factory)
    yield pool
    pool.close(grace=1)


def test_sessions_fill_a_browser_before_a_second_starts(pool: Any) -> None:
    """Over BiDi a browser takes sessions up to max_pages_per_driver, then a second starts,
    and no more than max_drivers: later sessions go to the one with the fewest."""
    a, b, c, d = (pool.place_session(sid).thread for sid in "abcd")
    assert b is a, "the first browser had room for a second session"
    assert c is not a, "the first browser was full (2 sessions)"
    assert d is c and pool.size == 2, "no third browser: the one with the fewest sessions"


def test_isolated_sessions_take_no_browser_of_their_own_over_bidi(pool: Any) -> None:
    """With BiDi an isolated session shares a browser (it gets a user context there)."""
    first = pool.place_session("a", isolated=True).thread
    second = pool.place_session("b", isolated=True).thread
    assert not first.isolated and second is first


def test_isolation_takes_a_driver_on_the_classic_path() -> None:
    """Without BiDi an isolated session takes a browser; past max_drivers it is refused."""
    pool = DriverPool(BrowserConfig(max_drivers=1, use_bidi=False))
    try:
        first = pool.place_session("a", isolated=True).thread
        assert first.isolated
        with pytest.raises(SessionError, match="raise max_drivers"):
            pool.place_session("b", isolated=True)
        with pytest.raises(SessionError, match="already exists"):
            pool.place_session("a")
    finally:
        pool.close(grace=1)


def test_killing_an_isolated_classic_session_retires_its_browser() -> None:
    """Without BiDi, killing an isolated session takes its browser's thread out of service
    and completes cleanly (nothing is sent to the retired thread)."""
    pool = DriverPool(BrowserConfig(max_drivers=1, use_bidi=False))
    try:
        thread = pool.place_session("a", isolated=True).thread
        assert pool.kill_session("a").result(5) is None
        assert not thread.accepting
        assert pool.session("a") is None
    finally:
        pool.close(grace=1)
