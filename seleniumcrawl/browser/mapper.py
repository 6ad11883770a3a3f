"""Chromium's BiDi mapper: keeping its memory flat over long runs.

chromedriver serves WebDriver BiDi through the "BiDi-CDP Mapper", a JavaScript program
that runs in a hidden tab of the browser and translates every BiDi command and every
CDP event of every page. Its V8 heap fills with short-lived garbage at each navigation
and is collected lazily (a hidden tab gets little idle time): left alone, the mapper's
renderer grows for hundreds of crawls, which reads as a leak in a long session run.
One forced collection brings the heap back to its live size (README "Benchmarks", the
soak figure, gives the measurements).

So every :data:`COLLECT_EVERY` crawls a browser's :class:`MapperSweeper` asks the mapper's
V8 to collect garbage, over a short DevTools (CDP) connection of its own to the
browser's ``debuggerAddress``, on a daemon thread: no crawl waits for it, and a sweep
that fails (the browser is quitting) is logged at DEBUG and forgotten. Only for a
local Chromium over BiDi: a Grid node's DevTools port is not reachable from here, and
the classic path has no mapper.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.request

from seleniumcrawl.browser.bidi import BidiConnection

log = logging.getLogger(__name__)

#: The title chromedriver gives the mapper's tab (a target of type "other").
MAPPER_TITLE = "BiDi-CDP Mapper"
#: Crawls on one browser between two collections.
COLLECT_EVERY = 50


class MapperSweeper:
    """Collects the garbage of one browser's BiDi mapper every ``every`` crawls."""

    def __init__(self, debugger_address: str, timeout: float, every: int = COLLECT_EVERY) -> None:
        self.debugger_address = debugger_address
        self.timeout = timeout
        self.every = every
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._crawls = 0
        self._sweeping = False
        #: Collections that completed (for tests and the soak benchmark).
        self.sweeps = 0

    def crawled(self) -> None:
        """Count one crawl; every ``every``-th starts a collection in the background."""
        with self._lock:
            self._crawls += 1
            if self._crawls % self.every or self._sweeping:
                return
            self._sweeping = True
        threading.Thread(target=self._sweep, name="seleniumcrawl-mapper-gc", daemon=True).start()

    def wait_for_sweeps(self, count: int, timeout: float) -> bool:
        """Wait up to ``timeout`` s until ``count`` collections completed (tests, tools)."""
        with self._done:
            return self._done.wait_for(lambda: self.sweeps >= count, timeout)

    def _sweep(self) -> None:
        try:
            self.collect()
        except Exception as exc:
            log.debug("BiDi mapper collection at %s failed: %s", self.debugger_address, exc)
        finally:
            with self._lock:
                self._sweeping = False
                self._done.notify_all()

    def collect(self) -> None:
        """Ask the mapper's V8 to collect garbage now (blocking; raises on failure)."""
        version = f"http://{self.debugger_address}/json/version"
        with urllib.request.urlopen(version, timeout=self.timeout) as answer:
            url = str(json.load(answer)["webSocketDebuggerUrl"])
        cdp = BidiConnection(url, connect_timeout=self.timeout)
        try:
            targets = cdp.call("Target.getTargets", {}, self.timeout)["targetInfos"]
            mapper = [t["targetId"] for t in targets if t.get("title") == MAPPER_TITLE]
            if not mapper:
                raise LookupError(f"no {MAPPER_TITLE!r} target in this browser")
            attached = cdp.call(
                "Target.attachToTarget", {"targetId": mapper[0], "flatten": True}, self.timeout
            )
            session = str(attached["sessionId"])
            cdp.call("HeapProfiler.collectGarbage", {}, self.timeout, session_id=session)
            cdp.call("Target.detachFromTarget", {"sessionId": session}, self.timeout)
        finally:
            cdp.close()
        with self._lock:
            self.sweeps += 1
            self._done.notify_all()
        log.debug("collected the BiDi mapper's garbage at %s", self.debugger_address)


__all__ = ["COLLECT_EVERY", "MAPPER_TITLE", "MapperSweeper"]
