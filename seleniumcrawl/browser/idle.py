"""``wait_until="networkidle"``: no network request of the page in flight for 500 ms.

* Over BiDi, :class:`BidiNetworkIdle` subscribes to the tab's ``network.*`` events before
  the navigation and counts requests in flight (sent, not yet completed or failed); the
  wait ends once that count stayed at zero for the quiet period. It waits on a condition
  variable woken by the events, never by polling.
* On the classic path no events reach us, so :data:`IN_PAGE_IDLE` waits in the page: the
  load event, then the quiet period without a new Resource Timing entry (an entry is
  added when a request finishes), observed with a ``PerformanceObserver``.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from seleniumcrawl.browser.bidi import ContextSubscription
from seleniumcrawl.browser.tab import BidiTab

log = logging.getLogger(__name__)

#: Seconds without a request in flight that make the network idle (Playwright's 500 ms).
QUIET_S = 0.5

_EVENTS = ("network.beforeRequestSent", "network.responseCompleted", "network.fetchError")

#: ``(quietMs, timeoutMs) -> bool``: load, then ``quietMs`` without a finished resource.
IN_PAGE_IDLE = """
async (quietMs, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  if (document.readyState !== 'complete') {
    const loaded = new Promise((r) => window.addEventListener('load', r, {once: true}));
    const late = new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())));
    await Promise.race([loaded, late]);
    if (document.readyState !== 'complete') return false;
  }
  return await new Promise((resolve) => {
    let quiet = null;
    const arm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => { observer.disconnect(); clearTimeout(give); resolve(true); },
                         Math.min(quietMs, Math.max(0, deadline - Date.now())));
    };
    const observer = new PerformanceObserver(() => arm());
    observer.observe({type: 'resource'});
    const give = setTimeout(() => { observer.disconnect(); resolve(false); },
                            Math.max(0, deadline - Date.now()) + 1);
    arm();
  });
}
"""


class BidiNetworkIdle:
    """Counts one tab's requests in flight from BiDi network events."""

    def __init__(self, tab: BidiTab) -> None:
        self.tab = tab
        self._cond = threading.Condition()
        self._open: set[str] = set()
        self._last_change = time.monotonic()
        self._subscription = ContextSubscription(
            tab.bidi, tab.handle, [(m, self._listener(m)) for m in _EVENTS], tab.command_timeout
        )

    def _listener(self, method: str) -> Any:
        def listener(params: dict[str, Any]) -> None:
            if params.get("context") != self.tab.handle:
                return
            request = str((params.get("request") or {}).get("request"))
            with self._cond:
                if method == "network.beforeRequestSent":
                    self._open.add(request)
                else:
                    self._open.discard(request)
                self._last_change = time.monotonic()
                self._cond.notify_all()

        return listener

    def start(self) -> None:
        """Subscribe (before the navigation, so its requests are counted)."""
        self._subscription.start()

    def wait(self, timeout: float, quiet: float = QUIET_S) -> bool:
        """Whether no request was in flight for ``quiet`` s, within ``timeout`` s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                idle_for = now - self._last_change if not self._open else 0.0
                if not self._open and idle_for >= quiet:
                    return True
                if now >= deadline:
                    return False
                # Woken by the next event, or when the quiet period would be over.
                wake = quiet - idle_for if not self._open else deadline - now
                self._cond.wait(min(wake, deadline - now))

    def stop(self) -> None:
        """Unsubscribe (never raises)."""
        self._subscription.stop("idle watch")


__all__ = ["IN_PAGE_IDLE", "QUIET_S", "BidiNetworkIdle"]
