"""Remote hardening logic without a browser: timeouts, retry policy, one-line failure messages."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import pytest
from selenium.common.exceptions import (
    InvalidSessionIdException,
    SessionNotCreatedException,
    WebDriverException,
)
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from seleniumcrawl import BrowserConfig
from seleniumcrawl.browser import launch
from seleniumcrawl.browser.driver import (
    HTTP_TIMEOUT_SLACK,
    UNRESPONSIVE_QUIT_TIMEOUT,
    ManagedDriver,
)
from seleniumcrawl.browser.failures import (
    death_cause,
    describe_error,
    is_timeout,
    start_failure_message,
    transport_reason,
)
from seleniumcrawl.browser.pool import DriverPool
from seleniumcrawl.errors import CrawlError

GRID = "http://grid.example:4444"
QUEUE_TIMEOUT = (
    "Could not start a new session. New session request timed out \n"
    "Host info: host: 'vm', ip: '127.0.0.1'\nBuild info: version: '4.48.0'"
)


def _read_timeout() -> ReadTimeoutError:
    return ReadTimeoutError(None, "/session", "Read timed out. (read timeout=3)")  # type: ignore[arg-type]


def _refused() -> MaxRetryError:
    message = "Failed to establish a new connection: [Errno 111] Connection refused"
    refused = NewConnectionError(None, message)  # type: ignore[arg-type]
    return MaxRetryError(None, "/session", refused)  # type: ignore[arg-type]


# -------------------------------------------------------------------- describe_error


def test_describe_error_keeps_the_first_line_without_the_documentation_link() -> None:
    """Selenium's message loses its stack trace and its 'For documentation' suffix."""
    exc = InvalidSessionIdException(
        "Cannot find session with id: abc; For documentation on this error, please visit: "
        "https://www.selenium.dev/documentation/webdriver/troubleshooting/errors\nStacktrace: x"
    )
    assert describe_error(exc) == "Cannot find session with id: abc"


def test_describe_error_names_the_type_of_an_empty_exception() -> None:
    """An exception without a message is described by its type."""
    assert describe_error(TimeoutError()) == "TimeoutError"


# -------------------------------------------------------------------- is_timeout


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (_read_timeout(), True),
        (MaxRetryError(None, "/session", ConnectTimeoutError("connect timed out")), True),  # type: ignore[arg-type]
        (TimeoutError("timed out"), True),
        (_refused(), False),
        (NewConnectionError(None, "refused"), False),  # type: ignore[arg-type]
        (ProtocolError("Connection aborted."), False),
        (WebDriverException("no such window"), False),
    ],
)
def test_is_timeout_tells_no_answer_from_other_transport_errors(
    exc: BaseException, expected: bool
) -> None:
    """Read/connect timeouts count; a refused connection (urllib3 subclasses it) does not."""
    assert is_timeout(exc) is expected


def test_is_timeout_follows_the_cause_chain() -> None:
    """A timeout re-raised as another error is still recognised."""
    try:
        try:
            raise _read_timeout()
        except ReadTimeoutError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert is_timeout(outer)


def test_transport_reason_condenses_a_refused_connection() -> None:
    """urllib3's long MaxRetryError repr becomes 'connection refused'."""
    assert transport_reason(_refused()) == "connection refused"


def test_transport_reason_condenses_a_dropped_connection() -> None:
    """urllib3's ('Connection aborted.', RemoteDisconnected(...)) becomes a short phrase."""
    exc = ProtocolError("Connection aborted.", ConnectionResetError("Remote end closed"))
    assert transport_reason(exc) == "the connection was closed without an answer"


# -------------------------------------------------------------------- start failures


@pytest.mark.parametrize(
    "grid_text",
    [QUEUE_TIMEOUT, "Could not start a new session. Timed out creating session"],
    ids=["distributor", "queue"],
)
def test_grid_queue_timeout_says_no_free_slot_and_how_long(grid_text: str) -> None:
    """Both ways the Grid says a queued request timed out ('New session request timed out',
    'Timed out creating session') read as 'no free slot within N s'."""
    message = start_failure_message(
        SessionNotCreatedException(grid_text), BrowserConfig(remote_url=GRID), 5.4
    )
    assert message.startswith("Selenium Grid could not start a session: no free slot within 5 s")
    assert GRID in message and "session-request-timeout" in message
    assert "\n" not in message


def test_other_grid_refusal_keeps_the_grids_reason() -> None:
    """Any other SessionNotCreated from a Grid is relayed with the Grid's first line."""
    exc = SessionNotCreatedException("Could not start a new session. Unable to find provider\nx")
    message = start_failure_message(exc, BrowserConfig(remote_url=GRID), 0.1)
    assert message == (
        f"Selenium Grid could not start a session at {GRID}: "
        "Could not start a new session. Unable to find provider"
    )


def test_client_timeout_on_start_names_command_timeout_and_the_queue() -> None:
    """A new-session call that outlives command_timeout says so and hints at the Grid queue."""
    config = BrowserConfig(remote_url=GRID, command_timeout=1.5)
    message = start_failure_message(_read_timeout(), config, 1.5)
    assert message.startswith(
        f"could not start a browser: the WebDriver server at {GRID} did not answer within "
        "command_timeout=1.5 s; a Grid holds a new-session request"
    )


def test_unreachable_server_on_start_is_one_short_line() -> None:
    """A refused connection reads as 'cannot reach URL: connection refused'."""
    message = start_failure_message(_refused(), BrowserConfig(remote_url=GRID), 0.01)
    assert message == f"could not start a browser: cannot reach {GRID}: connection refused"


def test_local_start_failure_keeps_the_drivers_reason() -> None:
    """Locally, chromedriver's own first line is the reason."""
    exc = SessionNotCreatedException("session not created: Chrome failed to start\nmore")
    message = start_failure_message(exc, BrowserConfig(), 0.3)
    assert message == "could not start a browser: session not created: Chrome failed to start"


def test_create_driver_turns_start_failures_into_crawl_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A start failure raises CrawlError (success=False upstream), chained to the cause."""

    def refuse(*args: Any, **kwargs: Any) -> ManagedDriver:
        raise _refused()

    monkeypatch.setattr(launch, "_start", refuse)
    with pytest.raises(CrawlError, match="connection refused") as caught:
        launch.create_driver(BrowserConfig(remote_url=GRID), "d1")
    assert isinstance(caught.value.__cause__, MaxRetryError)


# -------------------------------------------------------------------- death causes


def test_lost_grid_session_names_the_session_timeout() -> None:
    """On a Grid, an invalid session id is explained (session-timeout, node lost)."""
    exc = InvalidSessionIdException("Cannot find session with id: abc")
    cause = death_cause(exc, GRID)
    assert cause.startswith("Selenium Grid no longer has its session")
    assert "session-timeout" in cause and cause.endswith("Cannot find session with id: abc")


def test_unreachable_grid_is_named_with_its_url() -> None:
    """A Grid that refuses connections mid-session is reported unreachable, briefly."""
    assert death_cause(_refused(), GRID) == (
        f"the WebDriver server at {GRID} is unreachable: connection refused"
    )


def test_local_death_cause_is_the_drivers_message() -> None:
    """Without a Grid the driver's own first line is the cause."""
    exc = WebDriverException("chrome not reachable\nmore")
    assert death_cause(exc, None) == "chrome not reachable"


# -------------------------------------------------------------------- HTTP client policy


def test_a_timed_out_get_is_not_retried() -> None:
    """Selenium's Retry(3) would repeat a timed-out GET 3 times; ours gives up at once."""
    retry = launch._NoRetryAfterTimeout(3)
    with pytest.raises(ReadTimeoutError):
        retry.increment(method="GET", url="/session/x/title", error=_read_timeout())


def test_a_dropped_keep_alive_connection_is_still_retried() -> None:
    """A connection the server closed meanwhile is retried, as Selenium's default does."""
    retry = launch._NoRetryAfterTimeout(3)
    again = retry.increment(method="GET", url="/session/x/title", error=ProtocolError("aborted"))
    assert isinstance(again, launch._NoRetryAfterTimeout)
    assert again.total == 2


def test_a_refused_connection_is_not_retried() -> None:
    """Instant retries of a refused connection cannot help; they end at the first error."""
    client = launch._client_config(GRID, BrowserConfig(remote_url=GRID))
    retry = client.init_args_for_pool_manager["init_args_for_pool_manager"]["retries"]
    refused = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    with pytest.raises(MaxRetryError):
        retry.increment(method="GET", url="/status", error=refused)


def test_client_config_keeps_a_fractional_command_timeout() -> None:
    """command_timeout=0.5 stays 0.5 s (int() made it 0), with our retry policy."""
    client = launch._client_config(GRID, BrowserConfig(remote_url=GRID, command_timeout=0.5))
    assert client.timeout == 0.5
    retries = client.init_args_for_pool_manager["init_args_for_pool_manager"]["retries"]
    assert isinstance(retries, launch._NoRetryAfterTimeout)


class _FakeWebDriver:
    """Just what ManagedDriver touches while timeouts are set."""

    current_window_handle = "anchor"
    session_id = "s1"

    def set_page_load_timeout(self, seconds: float) -> None:
        pass

    def set_script_timeout(self, seconds: float) -> None:
        pass


def _managed(command_timeout: float) -> ManagedDriver:
    config = BrowserConfig(remote_url=GRID, command_timeout=command_timeout)
    client = launch._client_config(GRID, config)
    return ManagedDriver(_FakeWebDriver(), config, None, "d1", client)  # type: ignore[arg-type]


def test_http_timeout_outlasts_a_longer_page_timeout() -> None:
    """A page_timeout above command_timeout stretches the HTTP timeout to it plus slack."""
    drv = _managed(command_timeout=30)
    assert drv.http_timeout == 30
    drv.set_page_load_timeout(60_000)
    assert drv.http_timeout == 60 + HTTP_TIMEOUT_SLACK
    drv.set_page_load_timeout(1_000)
    drv.set_script_timeout(5_000)
    assert drv.http_timeout == 30, "short browser-side bounds leave command_timeout in charge"


def test_an_unresponsive_driver_is_quit_with_a_short_timeout() -> None:
    """mark_unresponsive lowers the HTTP timeout for the goodbye calls."""
    drv = _managed(command_timeout=120)
    drv.mark_unresponsive()
    assert drv.http_timeout == UNRESPONSIVE_QUIT_TIMEOUT


# -------------------------------------------------------------------- pool bookkeeping


def test_failed_browser_start_leaves_no_session_and_is_retried() -> None:
    """A crawl whose browser cannot start fails; its session is not listed; the next retries."""
    calls: list[str] = []

    def factory(config: BrowserConfig, name: str) -> ManagedDriver:
        calls.append(name)
        raise CrawlError("could not start a browser: cannot reach x: connection refused")

    pool = DriverPool(BrowserConfig(max_drivers=1), driver_factory=factory)
    try:
        for attempt in (1, 2):
            future = pool.run_in_session("s", lambda drv: None)
            with pytest.raises(CrawlError, match="connection refused"):
                future.result(timeout=10)
            assert pool.sessions() == []
            assert len(calls) == attempt
        assert len(set(calls)) == 1, "the same driver thread retried"
    finally:
        pool.close()


def test_cancelled_and_failed_starts_both_uncount_their_session() -> None:
    """Queued crawls on a session that never opened all uncount; none pins the session."""
    release = concurrent.futures.Future[None]()

    def factory(config: BrowserConfig, name: str) -> ManagedDriver:
        release.result(timeout=10)
        raise CrawlError("could not start a browser: no")

    pool = DriverPool(BrowserConfig(max_drivers=1), driver_factory=factory)
    try:
        first = pool.run_in_session("s", lambda drv: None)
        second = pool.run_in_session("s", lambda drv: None)
        assert second.cancel()
        release.set_result(None)
        with pytest.raises(CrawlError):
            first.result(timeout=10)
        assert pool.sessions() == []
    finally:
        pool.close()
