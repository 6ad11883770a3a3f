"""Keeping a long-running browser's memory flat: periodic garbage collection over CDP.

chromedriver serves WebDriver BiDi through the "BiDi-CDP Mapper", a JavaScript program
that runs in a hidden tab of the browser and translates every BiDi command and every
CDP event of every page. Its V8 heap fills with short-lived garbage at each navigation
and is collected lazily (a hidden tab gets little idle time); a session's page renderer
likewise keeps garbage of the documents it showed before. Left alone, both grow for
hundreds of crawls, which reads as a leak in a long session run; one forced collection
brings each heap back to its live size (README "Benchmarks", the soak figure).

So every :data:`COLLECT_EVERY` crawls a browser's :class:`HeapSweeper` asks the V8 of
the mapper and of every page to collect garbage, over a short DevTools (CDP)
connection of its own to the browser's ``debuggerAddress``, on a daemon thread: no
crawl waits for it, and a sweep that fails (the browser is quitting) is logged at
DEBUG and forgotten. Only for a local Chromium over BiDi: a Grid node's DevTools port
is not reachable from here, and the classic path has no mapper.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from seleniumcrawl.browser.bidi import BidiConnection, connect_devtools

log = logging.getLogger(__name__)

#: The title chromedriver gives the mapper's tab (a target of type "other").
MAPPER_TITLE = "BiDi-CDP Mapper"
#: Crawls on one browser between two sweeps.
COLLECT_EVERY = 50


def _swept(target: dict[str, Any]) -> bool:
    return target.get("type") == "page" or target.get("title") == MAPPER_TITLE


class HeapSweeper:
    """Collects the garbage of one browser's BiDi mapper and pages every ``every`` crawls."""

    def __init__(self, debugger_address: str, timeout: float, every: int = COLLECT_EVERY) -> None:
        self.debugger_address = debugger_address
        self.timeout = timeout
        self.every = every
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._crawls = 0
        self._sweeping = False
        #: Sweeps that completed (for tests and the soak benchmark).
        self.sweeps = 0

    def crawled(self) -> None:
        """Count one crawl; every ``every``-th starts a sweep in the background."""
        with self._lock:
            self._crawls += 1
            if self._crawls % self.every or self._sweeping:
                return
            self._sweeping = True
        threading.Thread(target=self._sweep, name="seleniumcrawl-heap-sweep", daemon=True).start()

    def wait_for_sweeps(self, count: int, timeout: float) -> bool:
        """Wait up to ``timeout`` s until ``count`` sweeps completed (tests, tools)."""
        with self._done:
            return self._done.wait_for(lambda: self.sweeps >= count, timeout)

    def _sweep(self) -> None:
        try:
            self.collect()
        except Exception as exc:
            log.debug("heap sweep of the browser at %s failed: %s", self.debugger_address, exc)
        finally:
            with self._lock:
                self._sweeping = False
                self._done.notify_all()

    def collect(self) -> int:
        """Collect the garbage of the mapper and of every page now (blocking; raises when
        the browser cannot be reached or has no mapper). Returns the heaps collected."""
        cdp = connect_devtools(self.debugger_address, self.timeout)
        try:
            targets = cdp.call("Target.getTargets", {}, self.timeout)["targetInfos"]
            if not any(t.get("title") == MAPPER_TITLE for t in targets):
                raise LookupError(f"no {MAPPER_TITLE!r} target in this browser")
            collected = sum(self._collect_one(cdp, t["targetId"]) for t in targets if _swept(t))
        finally:
            cdp.close()
        with self._lock:
            self.sweeps += 1
            self._done.notify_all()
        log.debug("collected %d heaps of the browser at %s", collected, self.debugger_address)
        return collected

    def _collect_one(self, cdp: BidiConnection, target: str) -> int:
        """One target's collection; 0 when it went away meanwhile (a tab closed)."""
        try:
            attached = cdp.call(
                "Target.attachToTarget", {"targetId": target, "flatten": True}, self.timeout
            )
            session = str(attached["sessionId"])
            cdp.call("HeapProfiler.collectGarbage", {}, self.timeout, session_id=session)
            cdp.call("Target.detachFromTarget", {"sessionId": session}, self.timeout)
        except Exception as exc:
            log.debug("heap sweep: target %s skipped: %s", target, exc)
            return 0
        return 1


__all__ = ["COLLECT_EVERY", "MAPPER_TITLE", "HeapSweeper"]
