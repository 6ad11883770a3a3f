"""What every benchmark shares: statistics, goals, A/B alternation, browser memory, machine info.

Why these exist rather than ``statistics`` and ``psutil``:

* A figure is only useful with its unit and its goal, so :func:`figure` builds the
  one dict shape that ``bench/results.json`` holds for every number.
* Comparisons run *alternated* (A, B, A, B, ...) in one process, so drift in machine
  load (other jobs, thermal state) hits both sides alike; :func:`alternate` does that.
* Browser memory is counted as PSS (proportional set size, from
  ``/proc/PID/smaps_rollup``): a page shared by N processes counts 1/N in each, so
  summing over Chromium's many processes (which share most of their code) neither
  counts shared pages N times, as RSS does, nor drops them. Where smaps_rollup is
  unreadable, RSS is used instead and the sample says so.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from selenium.webdriver.remote.webdriver import WebDriver

from seleniumcrawl.browser.bidi import BidiConnection

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")

#: Comparison operators a goal may use.
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda value, target: value <= target,
    ">=": lambda value, target: value >= target,
    "<": lambda value, target: value < target,
    ">": lambda value, target: value > target,
}

PROC = Path("/proc")


# -- statistics -------------------------------------------------------------------------


def median(values: Iterable[float]) -> float:
    """The median (mean of the middle two for an even count); an empty input is an error."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("median() of no values")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def summary(values: Sequence[float], digits: int = 2) -> dict[str, Any]:
    """Median, min, max and every value (rounded), so a reader can judge the spread."""
    return {
        "median": round(median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "n": len(values),
        "values": [round(v, digits) for v in values],
    }


def paired_ratios(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """``a[i] / b[i]`` for each round: the two sides of one round ran under the same load."""
    if len(a) != len(b) or not a:
        raise ValueError(f"need equal, non-empty rounds, got {len(a)} and {len(b)}")
    return [x / y for x, y in zip(a, b, strict=True)]


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ``ys`` over ``xs`` (a trend that one noisy sample cannot fake)."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("slope() needs two or more (x, y) pairs")
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        raise ValueError("slope() needs at least two different x values")
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def alternate(rounds: int, a: Callable[[], A], b: Callable[[], B]) -> tuple[list[A], list[B]]:
    """Run ``a`` then ``b``, ``rounds`` times (A/B/A/B...); return each side's results."""
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    results_a: list[A] = []
    results_b: list[B] = []
    for _ in range(rounds):
        results_a.append(a())
        results_b.append(b())
    return results_a, results_b


def rotate(rounds: int, sides: Mapping[str, Callable[[], T]]) -> dict[str, list[T]]:
    """:func:`alternate` for more than two sides: each round runs every side in turn.

    Returns each side's results by name, one per round, so ratios between any two
    sides can be paired by round (:func:`paired_ratios`).
    """
    if rounds < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    if not sides:
        raise ValueError("rotate() needs at least one side")
    results: dict[str, list[T]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, side in sides.items():
            results[name].append(side())
    return results


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """``(seconds, fn())`` measured with the monotonic high-resolution clock."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# -- goals and figures -----------------------------------------------------------------------


def parse_goal(goal: str) -> tuple[str, float]:
    """Split ``"<= 1.10"`` into ``("<=", 1.1)``; unknown operators are an error."""
    text = goal.strip()
    for op in sorted(_OPS, key=len, reverse=True):
        if text.startswith(op):
            return op, float(text[len(op) :])
    raise ValueError(f"a goal looks like '<= 1.10' or '>= 8', got {goal!r}")


def goal_met(value: float, goal: str) -> bool:
    """Whether ``value`` satisfies ``goal`` (e.g. ``"<= 1.10"``)."""
    op, target = parse_goal(goal)
    return _OPS[op](value, target)


def figure(
    value: float,
    unit: str,
    goal: str | None = None,
    *,
    digits: int = 2,
    **details: Any,
) -> dict[str, Any]:
    """One reported number: ``value``, ``unit``, ``goal`` (or None) and ``met`` (None: no goal).

    ``details`` (rounds, notes) are kept alongside, so the file explains the number.
    """
    return {
        "value": round(value, digits),
        "unit": unit,
        "goal": goal,
        "met": None if goal is None else goal_met(value, goal),
        **details,
    }


def skipped(reason: str) -> dict[str, Any]:
    """The result of a benchmark that could not run here (no Java, no jar...)."""
    return {"skipped": reason, "figures": {}}


# -- processes and memory ------------------------------------------------------------------


def _stat_fields(pid: int) -> tuple[str, list[str]] | None:
    """(command name, fields after the name) of ``/proc/PID/stat``, or None if gone."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The name (field 2) may hold spaces and parentheses: it ends at the last ')'.
    return stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()


def ppid_map() -> dict[int, int]:
    """pid -> parent pid of every live, non-zombie process."""
    parents: dict[int, int] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        info = _stat_fields(int(entry.name))
        if info is None or info[1][0] == "Z":
            continue
        parents[int(entry.name)] = int(info[1][1])
    return parents


def descendants(roots: Iterable[int], parents: Mapping[int, int]) -> set[int]:
    """Every process below ``roots`` in the tree given by ``parents`` (roots excluded)."""
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = [child for root in roots for child in children.get(root, [])]
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.add(pid)
            stack.extend(children.get(pid, []))
    return found


def process_name(pid: int) -> str | None:
    """The kernel's command name of ``pid`` (``chromedriver``, ``chromium``...)."""
    info = _stat_fields(pid)
    return None if info is None else info[0]


def chromedriver_pids(parent: int | None = None) -> list[int]:
    """The chromedriver processes started by this process (our pools' drivers)."""
    parent = os.getpid() if parent is None else parent
    parents = ppid_map()
    return sorted(
        pid
        for pid, ppid in parents.items()
        if ppid == parent and (process_name(pid) or "").startswith("chromedriver")
    )


def cpu_seconds(root: int | None = None) -> float:
    """CPU time (user + system) of ``root`` (default: us) and every live descendant.

    Reaped children count too (``cutime``/``cstime``), so a renderer that exited
    when its tab closed is still in its browser's total.
    """
    root = os.getpid() if root is None else root
    ticks = 0
    for pid in {root} | descendants([root], ppid_map()):
        info = _stat_fields(pid)
        if info is not None:
            # Fields 14-17 of /proc/PID/stat (utime, stime, cutime, cstime); 12-15 after the name.
            ticks += sum(int(x) for x in info[1][11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def parse_kb(text: str, key: str) -> int | None:
    """The ``key:  N kB`` value from a /proc status or smaps_rollup text, in kB."""
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == key:
            number = rest.split()
            return int(number[0]) if number else None
    return None


def memory_kb(pid: int) -> tuple[int, str] | None:
    """(kB, "pss" or "rss") for ``pid``; None when the process is gone."""
    try:
        pss = parse_kb((PROC / str(pid) / "smaps_rollup").read_text(), "Pss")
        if pss is not None:
            return pss, "pss"
    except OSError:
        pass
    try:
        rss = parse_kb((PROC / str(pid) / "status").read_text(), "VmRSS")
    except OSError:
        return None
    return (rss, "rss") if rss is not None else None


def browser_memory(drivers: Iterable[int] | None = None) -> dict[str, Any]:
    """Memory of the browsers below the given chromedriver pids (default: our children).

    ``browsers_mb`` sums every process descending from the drivers (Chromium's
    browser, renderer, GPU, utility and zygote processes); ``drivers_mb`` is the
    chromedriver processes themselves, reported apart because they are not the browser.
    """
    roots = list(chromedriver_pids() if drivers is None else drivers)
    tree = descendants(roots, ppid_map())
    methods: set[str] = set()
    browsers_kb = drivers_kb = 0
    for pid in tree:
        sample = memory_kb(pid)
        if sample is not None:
            browsers_kb += sample[0]
            methods.add(sample[1])
    for pid in roots:
        sample = memory_kb(pid)
        if sample is not None:
            drivers_kb += sample[0]
            methods.add(sample[1])
    return {
        "browsers_mb": round(browsers_kb / 1024, 1),
        "drivers_mb": round(drivers_kb / 1024, 1),
        "drivers": len(roots),
        "processes": len(tree),
        "method": "+".join(sorted(methods)) or "none",
    }


# -- WebDriver command profiling -----------------------------------------------------------


#: Prefix of a WebDriver BiDi command's name in :func:`recorded_commands`' log.
BIDI_PREFIX = "bidi:"


@contextlib.contextmanager
def recorded_commands() -> Iterator[list[tuple[str, float]]]:
    """Record (command, ms) of every WebDriver command sent while the block runs.

    Classic commands all go through ``WebDriver.execute`` (seleniumcrawl uses
    ``webdriver.Remote``, the hand-written side ``webdriver.Chrome``, a subclass);
    WebDriver BiDi commands through :meth:`BidiConnection.send`, logged as
    ``"bidi:<method>"`` with the time until their answer arrived.
    """
    log: list[tuple[str, float]] = []
    lock = threading.Lock()
    original = WebDriver.execute
    original_send = BidiConnection.send

    def send(
        self: BidiConnection,
        method: str,
        params: dict[str, Any],
        *,
        session_id: str | None = None,
    ) -> concurrent.futures.Future[dict[str, Any]]:
        started = time.perf_counter()
        future = original_send(self, method, params, session_id=session_id)

        def done(_: concurrent.futures.Future[dict[str, Any]]) -> None:
            with lock:
                log.append((BIDI_PREFIX + method, (time.perf_counter() - started) * 1000))

        future.add_done_callback(done)
        return future

    def execute(self: WebDriver, driver_command: str, params: dict[str, Any] | None = None) -> Any:
        started = time.perf_counter()
        try:
            return original(self, driver_command, params)
        finally:
            with lock:
                log.append((driver_command, (time.perf_counter() - started) * 1000))

    WebDriver.execute = execute  # type: ignore[method-assign,assignment]
    BidiConnection.send = send  # type: ignore[method-assign]
    try:
        yield log
    finally:
        WebDriver.execute = original  # type: ignore[method-assign]
        BidiConnection.send = original_send  # type: ignore[method-assign]


def used_bidi(log: Sequence[tuple[str, float]]) -> bool:
    """Whether a :func:`recorded_commands` log holds WebDriver BiDi commands."""
    return any(name.startswith(BIDI_PREFIX) for name, _ in log)


def command_list(described: dict[str, Any]) -> str:
    """``"get x1, w3cExecuteScript x2"`` from :func:`describe_commands` output."""
    return ", ".join(f"{name} x{c['per_page']:g}" for name, c in described["commands"].items())


def per_crawl(
    crawl: Callable[[int], dict[str, float] | None], pages: int
) -> tuple[list[float], list[list[tuple[str, float]]], list[dict[str, float]]]:
    """Wall ms, WebDriver commands and core step timings of each of ``pages`` crawls."""
    walls: list[float] = []
    commands: list[list[tuple[str, float]]] = []
    steps: list[dict[str, float]] = []
    with recorded_commands() as log:
        for n in range(1, pages + 1):
            mark = len(log)
            started = time.perf_counter()
            timings = crawl(n)
            walls.append((time.perf_counter() - started) * 1000)
            commands.append(log[mark:])
            if timings is not None:
                steps.append(timings)
    return walls, commands, steps


def describe_commands(
    walls: list[float], commands: list[list[tuple[str, float]]]
) -> dict[str, Any]:
    """Medians per page: wall time, time inside WebDriver commands, and each command's count."""
    per_command: dict[str, list[float]] = {}
    for crawl in commands:
        for name, ms in crawl:
            per_command.setdefault(name, []).append(ms)
    in_webdriver = [sum(ms for _, ms in crawl) for crawl in commands]
    return {
        "wall_ms_per_page": round(median(walls), 2),
        "webdriver_ms_per_page": round(median(in_webdriver), 2),
        "outside_webdriver_ms_per_page": round(
            median([w - d for w, d in zip(walls, in_webdriver, strict=True)]), 2
        ),
        "commands_per_page": round(sum(len(c) for c in commands) / len(commands), 2),
        "commands": {
            name: {
                "per_page": round(len(times) / len(commands), 2),
                "median_ms": round(median(times), 2),
            }
            for name, times in per_command.items()
        },
    }


# -- machine ------------------------------------------------------------------------------


def _version_of(binary: str | None) -> str | None:
    if binary is None:
        return None
    try:
        done = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip() if lines else None


def _total_memory_mb() -> float | None:
    try:
        kb = parse_kb((PROC / "meminfo").read_text(), "MemTotal")
    except OSError:
        return None
    return None if kb is None else round(kb / 1024)


def load_average() -> list[float] | None:
    """1, 5 and 15 minute load averages (a noisy machine shows here)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_info() -> dict[str, Any]:
    """Where the figures were taken: cores, memory, Python, Chromium, Selenium, date."""
    import selenium

    import seleniumcrawl

    chromium = next(
        (shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None
    )
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "memory_mb": _total_memory_mb(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "chromium": _version_of(chromium),
        "chromedriver": _version_of(shutil.which("chromedriver")),
        "selenium": selenium.__version__,
        "seleniumcrawl": seleniumcrawl.__version__,
        "load_average_at_start": load_average(),
    }
