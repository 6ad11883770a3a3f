"""The pool's records: a :class:`Session` (a named tab on a driver), one driver generation's
tabs, and :class:`PoolStats` (what :meth:`DriverPool.stats` returns).
"""

from __future__ import annotations

import time

import attrs

from seleniumcrawl.browser.executor import DriverThread
from seleniumcrawl.browser.identity import Identity, UserContexts
from seleniumcrawl.browser.jobs import _Serial
from seleniumcrawl.browser.tab import BidiTab, BidiTabs


@attrs.define(eq=False)
class Session:
    """A named tab on a driver; mutated under the pool lock or by the crawl that holds it."""

    session_id: str
    thread: DriverThread
    isolated: bool
    #: The window handle (classic) or browsing context id (BiDi); the same string on Chromium.
    handle: str | None = None
    #: The BiDi tab, on the BiDi path.
    tab: BidiTab | None = None
    #: The BiDi user context of an isolated session, or of a session with an identity.
    user_context: str | None = None
    #: The proxy, user agent, locale... the session was opened with (None: the browser's).
    identity: Identity | None = None
    #: Whether ``user_context`` is shared with other crawls of the same identity.
    shared_context: bool = False
    generation: int = -1
    inflight: int = 0
    lost: bool = False
    last_used: float = attrs.field(factory=time.monotonic)
    order: _Serial = attrs.field(factory=_Serial, repr=False)


@attrs.define(eq=False)
class _DriverTabs:
    """Tab bookkeeping of one driver generation."""

    generation: int
    #: BiDi: opens/closes tabs and routes crash events to them.
    bidi: BidiTabs | None = None
    #: BiDi: tabs of finished sessionless crawls, ready for the next ones.
    idle: list[BidiTab] = attrs.field(factory=list)
    #: Classic: the window sessionless crawls reuse.
    scratch: str | None = None
    #: BiDi: the user contexts made for identities (sessions' and sessionless crawls').
    contexts: UserContexts | None = None
    #: BiDi: idle tabs of sessionless crawls with an identity, by identity.
    idle_by: dict[Identity, list[BidiTab]] = attrs.field(factory=dict)


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
    #: Idle tabs kept for sessionless crawls (BiDi).
    idle_tabs: int = 0
