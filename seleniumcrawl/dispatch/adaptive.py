"""Adaptive pages in flight: a hill climber over the number of pages a run keeps going.

No fixed number of pages in flight serves every host and site: on a CPU-bound host (2
cores, real documentation pages) 16 pages at once oversubscribe the cores and run slower
than 2, while pages that wait for a slow server want 10 or more. :class:`AdaptiveConcurrency`
measures and moves:

- the run's completions are grouped in **epochs** of ``max(limit, min_epoch)``
  pages; an epoch gives a throughput (pages/s) and a median latency (s per page). Only
  pages started under the current limit count, and the first epoch after a change is
  not used (the pipeline refills during it, which reads as a lower rate);
- it **starts at the cap** (``start``), what a fixed setting would use, and its first
  epoch probes down from there;
- **slow start**: the limit doubles while each epoch's throughput rises by more than
  ``tolerance``; after the first epoch that does not, it grows **additively** (+1);
- **multiplicative decrease** (x ``decrease``) when more pages in flight gave more
  latency and no more throughput (the cores are full), when throughput fell after a
  move, or when ``pressure()`` says the host is short (by default: less than 10% of
  its memory available);
- a move that paid (throughput rose) is followed by another in the same direction,
  unless the limit there was measured slower than this one (the climber does not walk
  back into a known worse setting, which would make it oscillate); a flat epoch holds
  the limit, and every ``probe_every`` flat epochs it probes one step up again (down from
  the cap), so a site that got slower (or faster) is followed.

A page in flight for more than four times the usual latency (:meth:`stalled_after`)
stops counting against the limit, so a slow site's pages do not starve a fast site's.

The limit stays within ``[floor, cap]``: ``cap`` is ``semaphore_count`` /
``max_pages_per_driver x max_drivers`` (what the user or the pool allows); per-domain
pacing is the dispatcher's and is untouched. The class is pure: it reads no clock of its
own (times are given), starts no thread and knows no browser, so the unit tests drive it
with simulated pages. Thread-safe (one lock).
"""

from __future__ import annotations

import logging
import statistics
import threading
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

import attrs

logger = logging.getLogger(__name__)


@attrs.frozen
class Epoch:
    """What one epoch measured at one limit."""

    limit: int
    pages: int
    pages_per_s: float
    latency_s: float


def memory_pressure(threshold: float = 0.10) -> bool:
    """True when less than ``threshold`` of the host's memory is available (Linux
    ``/proc/meminfo``; False where it cannot be read)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        total = int(fields["MemTotal"].split()[0])
        available = int(fields["MemAvailable"].split()[0])
    except (OSError, KeyError, ValueError):
        return False
    return total > 0 and available / total < threshold


class AdaptiveConcurrency:
    """The number of pages a run may keep in flight, tuned by what completions show."""

    def __init__(
        self,
        cap: int,
        *,
        start: int | None = None,
        floor: int = 1,
        decrease: float = 0.5,
        tolerance: float = 0.08,
        min_epoch: int = 6,
        probe_every: int = 3,
        stall_floor: float = 2.0,
        pressure: Callable[[], bool] | None = memory_pressure,
    ) -> None:
        start = cap if start is None else start
        for name, value in (("cap", cap), ("start", start), ("floor", floor)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"AdaptiveConcurrency {name} must be an int >= 1, got {value!r}")
        if floor > cap:
            raise ValueError(f"AdaptiveConcurrency floor={floor} is above cap={cap}")
        if not 0 < decrease < 1:
            raise ValueError(f"AdaptiveConcurrency decrease must be in (0, 1), got {decrease!r}")
        self.cap = cap
        self.floor = floor
        self._decrease = decrease
        self._tolerance = tolerance
        self._min_epoch = min_epoch
        self._probe_every = probe_every
        self._stall_floor = stall_floor
        self._pressure = pressure
        self._lock = threading.Lock()
        self._limit = min(max(start, floor), cap)
        self._slow_start = True
        self._direction = 1
        self._flat = 0
        self._previous: Epoch | None = None
        self._epoch_start: float | None = None
        self._changed_at = float("-inf")
        self._known: dict[int, float] = {}  # pages/s last measured at each limit
        self._latencies: list[float] = []
        self._settling = False  # the first epoch after a change: the pipeline refills
        self._changes = 0
        self._reason = "start"
        self._history: deque[Epoch] = deque(maxlen=32)

    @property
    def limit(self) -> int:
        """Pages that may be in flight now."""
        return self._limit

    def record(self, started: float, finished: float) -> None:
        """One page done: it started at clock time ``started`` and finished at ``finished``
        (seconds, any monotonic clock). Ends an epoch when enough pages are in."""
        with self._lock:
            if started < self._changed_at:
                return  # it started under the old limit: it would blur the new one's figure
            if self._epoch_start is None:
                self._epoch_start = max(started, self._changed_at)
            self._latencies.append(max(0.0, finished - started))
            if len(self._latencies) >= max(self._limit, self._min_epoch):
                self._end_epoch(finished)

    def stalled_after(self) -> float:
        """Seconds after which a page in flight stops counting against the limit: four
        times the last epoch's median latency, at least ``stall_floor``."""
        with self._lock:
            latency = self._previous.latency_s if self._previous is not None else 0.0
        return max(self._stall_floor, 4 * latency)

    def busy(self, ages: Iterable[float]) -> tuple[int, float | None]:
        """Of pages in flight for ``ages`` seconds, how many count against the limit, and
        in how many seconds the next of them stops counting (None: none counts).

        A page far slower than the run's usual one (a slow site, a hung server) waits
        rather than works: it keeps its worker, but not a place in the limit, so it never
        starves the fast site's pages (the cap, the worker count, still bounds it)."""
        horizon = self.stalled_after()
        counted = [horizon - age for age in ages if age < horizon]
        return len(counted), (min(counted) if counted else None)

    def stats(self) -> dict[str, Any]:
        """``current`` limit, ``cap``, ``floor``, ``changes``, the last ``reason``, the last
        epoch's ``pages_per_s`` and the recent ``history`` (limit, pages/s) pairs."""
        with self._lock:
            last = self._history[-1] if self._history else None
            return {
                "current": self._limit,
                "cap": self.cap,
                "floor": self.floor,
                "changes": self._changes,
                "reason": self._reason,
                "pages_per_s": round(last.pages_per_s, 3) if last else None,
                "history": [(e.limit, round(e.pages_per_s, 3)) for e in self._history],
            }

    # -- the rule ---------------------------------------------------------------------

    def _end_epoch(self, now: float) -> None:
        assert self._epoch_start is not None
        span = max(now - self._epoch_start, 1e-9)
        epoch = Epoch(
            limit=self._limit,
            pages=len(self._latencies),
            pages_per_s=len(self._latencies) / span,
            latency_s=statistics.median(self._latencies),
        )
        self._latencies = []
        self._epoch_start = now
        if self._settling:  # measured while the pipeline refilled: biased low, not used
            self._settling = False
            return
        self._history.append(epoch)
        self._known[epoch.limit] = epoch.pages_per_s
        new, reason = self._decide(epoch, self._previous)
        if new != self._limit and reason.startswith("throughput rose"):
            known = self._known.get(new)
            if known is not None and known < epoch.pages_per_s * (1 - self._tolerance):
                new, reason = self._limit, "holding: the next step was slower"
        self._previous = epoch
        if new != self._limit:
            self._changed_at = now
            self._epoch_start = None
            self._settling = True
            self._changes += 1
            logger.info(
                "pages in flight %d -> %d (%s; %.2f pages/s, %.2f s per page)",
                self._limit, new, reason, epoch.pages_per_s, epoch.latency_s,
            )  # fmt: skip
            self._limit = new
        self._reason = reason

    def _decide(self, epoch: Epoch, previous: Epoch | None) -> tuple[int, str]:
        if self._pressure is not None and self._pressure():
            self._slow_start = False
            return self._down(self._decrease), "host pressure"
        if previous is None:
            return self._probe(), "first epoch: probing"
        gain = epoch.pages_per_s / max(previous.pages_per_s, 1e-9)
        rose, fell = gain > 1 + self._tolerance, gain < 1 - self._tolerance
        moved = epoch.limit != previous.limit
        if rose:
            self._flat = 0
            if not moved or self._direction > 0:
                return self._up(), "throughput rose"
            return self._down(self._decrease), "throughput rose going down"
        self._slow_start = False
        slower = epoch.latency_s > previous.latency_s * (1 + self._tolerance)
        if moved and (fell or (epoch.limit > previous.limit and slower)):
            self._flat = 0  # our own move did not pay: back to where it came from
            self._direction = -self._direction
            why = "throughput fell" if fell else "latency grew without throughput"
            return previous.limit, f"{why}: back"
        if fell:  # holding, and the pages got slower: the site or the host changed
            self._flat = 0
            return self._down(self._decrease), "throughput fell"
        self._flat += 1
        if self._flat >= self._probe_every:
            self._flat = 0
            return self._probe(), "probing"
        return self._limit, "holding"

    def _probe(self) -> int:
        """One move to learn from: up, unless the limit is at the cap (then down)."""
        if self._limit >= self.cap and self._limit > self.floor:
            return self._down(0.75)
        return self._up()

    def _up(self) -> int:
        self._direction = 1
        step = self._limit if self._slow_start else 1
        return min(self.cap, self._limit + step)

    def _down(self, factor: float) -> int:
        self._direction = -1
        return max(self.floor, min(self._limit - 1, int(self._limit * factor)))


__all__ = ["AdaptiveConcurrency", "Epoch", "memory_pressure"]
