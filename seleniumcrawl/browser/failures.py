"""What a failed WebDriver call means: one place that reads Selenium's and urllib3's errors.

The browser layer meets three kinds of failure: the WebDriver server did not answer in
time (:func:`is_timeout`), the browser or its session is gone (:func:`means_browser_gone`,
:func:`death_cause`), or only the page failed (:func:`tab_crashed`, anything else).
Everything here walks an exception together with its causes, so a translated error
(``CrawlError`` raised ``from`` Selenium's) is read the same as the original, and turns
Selenium's multi-line messages into one line (:func:`describe_error`).
"""

from __future__ import annotations

import urllib3
from selenium.common.exceptions import (
    InvalidSessionIdException,
    SessionNotCreatedException,
    WebDriverException,
)
from urllib3.exceptions import MaxRetryError, NewConnectionError

from seleniumcrawl.config import BrowserConfig

#: What the Grid says when a new-session request waited in its queue too long (the
#: distributor's words, and the queue's own when its timer fires first).
_QUEUE_TIMEOUT_MARKERS = ("new session request timed out", "timed out creating session")
#: Errors of the HTTP layer below Selenium (urllib3, sockets); Selenium does not wrap them.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    urllib3.exceptions.HTTPError,
    ConnectionError,
    TimeoutError,
)


def describe_error(exc: BaseException) -> str:
    """A one-line description of ``exc`` (Selenium's ``msg`` without its stack trace).

    Selenium appends a documentation link to every message; it is dropped here, it
    only makes a one-line ``error_message`` two lines long.
    """
    text = str(getattr(exc, "msg", None) or str(exc) or type(exc).__name__).strip()
    first = text.splitlines()[0].strip() if text else type(exc).__name__
    return first.split("; For documentation on this error")[0].strip() or type(exc).__name__


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, its causes/contexts and urllib3's ``MaxRetryError.reason`` (cycle-safe)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        reason = item.reason if isinstance(item, MaxRetryError) else None
        todo.extend([reason, item.__cause__, item.__context__])
    return seen


def is_timeout(exc: BaseException) -> bool:
    """Whether ``exc`` means the WebDriver server did not answer within the client timeout.

    urllib3 makes ``NewConnectionError`` (connection refused: an instant answer) a
    subclass of its connect-timeout error, so it is excluded by name.
    """
    return any(
        isinstance(e, (urllib3.exceptions.TimeoutError, TimeoutError))
        and not isinstance(e, NewConnectionError)
        for e in _chain(exc)
    )


def transport_reason(exc: BaseException) -> str:
    """A short reason for a transport error (urllib3 buries it in a long repr)."""
    for e in _chain(exc):
        if isinstance(e, ConnectionRefusedError) or "connection refused" in str(e).lower():
            return "connection refused"
        if isinstance(e, (ConnectionResetError, urllib3.exceptions.ProtocolError)):
            return "the connection was closed without an answer"
    for e in _chain(exc):
        if isinstance(e, MaxRetryError) and e.reason is not None:
            return describe_error(e.reason)
    return describe_error(exc)


def start_failure_message(exc: BaseException, config: BrowserConfig, elapsed: float) -> str:
    """One line saying why a browser could not be started (``elapsed`` s after asking).

    Distinguishes what a user acts on differently: a Grid whose slots stayed busy
    past its ``session-request-timeout``, a server that did not answer within
    ``command_timeout``, a server that cannot be reached, and anything else.
    """
    where = config.remote_url or "the local driver"
    grid = config.remote_url is not None
    text = describe_error(exc)
    if grid and isinstance(exc, SessionNotCreatedException):
        if any(marker in text.lower() for marker in _QUEUE_TIMEOUT_MARKERS):
            return (
                f"Selenium Grid could not start a session: no free slot within {elapsed:.0f} s "
                f"at {where} (the Grid's session-request-timeout passed: every slot stayed "
                "busy, or the browser took longer than that to start); lower max_drivers, add "
                "slots or nodes, or raise the Grid's --session-request-timeout"
            )
        return f"Selenium Grid could not start a session at {where}: {text}"
    if is_timeout(exc):
        hint = (
            "; a Grid holds a new-session request until a slot is free or its "
            "session-request-timeout passes, so keep command_timeout above that"
            if grid
            else ""
        )
        return (
            f"could not start a browser: the WebDriver server at {where} did not answer "
            f"within command_timeout={config.command_timeout:g} s{hint}"
        )
    if not isinstance(exc, WebDriverException):
        return f"could not start a browser: cannot reach {where}: {transport_reason(exc)}"
    return f"could not start a browser: {text}"


#: Substrings of WebDriver errors that mean the browser (not just the page) is gone.
_DEAD_MARKERS = (
    "invalid session id",
    "no such session",
    "session deleted",
    "chrome not reachable",
    "not connected to devtools",
    "disconnected:",
    "browser has closed",
    "session not created",
    "failed to establish a new connection",
    "connection refused",
    "connection aborted",
    "remote end closed connection",
    "max retries exceeded",
    "unable to find session",
    "session timed out",
)


def _with_cause(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exception it was raised from (our translations keep the original)."""
    return [e for e in (exc, exc.__cause__) if e is not None]


def tab_crashed(exc: BaseException) -> bool:
    """Whether a WebDriver error says the focused page's renderer crashed."""
    return any("tab crashed" in describe_error(e).lower() for e in _with_cause(exc))


def death_cause(exc: BaseException, remote_url: str | None) -> str:
    """Why a browser is gone, in words a user can act on (after "the browser died: ").

    On a Grid, "invalid session id" means the Grid dropped the session (idle past
    its ``--session-timeout``, or its node went away), and a refused connection means
    the Grid itself is gone; Selenium's own wording says neither.
    """
    chain = _with_cause(exc)
    text = describe_error(chain[-1])
    if remote_url is None:
        return text
    if any(isinstance(e, InvalidSessionIdException) for e in chain):
        return (
            "Selenium Grid no longer has its session (idle longer than the Grid's "
            f"session-timeout, its node was lost, or the crawler was closed): {text}"
        )
    if not any(isinstance(e, WebDriverException) for e in chain):
        return f"the WebDriver server at {remote_url} is unreachable: {transport_reason(exc)}"
    return text


def means_browser_gone(exc: BaseException) -> bool:
    """Whether the error itself says the browser (not just the page) is gone for us."""
    chain = _with_cause(exc)
    if any(isinstance(e, InvalidSessionIdException) for e in chain):
        return True  # e.g. a Grid that expired the session: the browser is gone for us
    texts = [describe_error(e).lower() for e in chain]
    return any(marker in text for text in texts for marker in _DEAD_MARKERS)


__all__ = [
    "TRANSPORT_ERRORS",
    "death_cause",
    "describe_error",
    "is_timeout",
    "means_browser_gone",
    "start_failure_message",
    "tab_crashed",
    "transport_reason",
]
