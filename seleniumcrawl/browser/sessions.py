"""The pool's records: a :class:`Session` (a named tab on a driver), one driver generation's
tabs, and :class:`PoolStats` (what :meth:`DriverPool.stats` returns).
"""

from __future__ import annotations

import time

import attrs

from seleniumcrawl.browser.executor import DriverThread
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
    #: The BiDi user context of an isolated session.
    user_context: str | None = None
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
