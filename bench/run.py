"""``make bench``: run the benchmarks in sequence, write ``bench/results.json``, print a table.

Usage: ``python -m bench.run [--quick] [--only NAME ...] [--output PATH] [--merge]``.

``--merge`` updates only the benchmarks run in an existing results file and keeps the
other benchmarks' figures (their own ``machine`` and ``run`` entries stay as they were;
a merged benchmark records its date and machine load in ``merged``).

Each benchmark module exposes ``run(quick: bool) -> dict`` returning
``{"figures": {name: figure}, ...}`` (see :func:`bench._util.figure`);
``bench_extraction.run()`` takes no arguments and returns flat keys, which are
adapted here. A missed goal is reported (``"met": false``), never raised: the exit
status is 0 unless a benchmark itself failed (an exception), which gives 1.
The results file is rewritten after every benchmark, so an interrupted run keeps
what it measured.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench._util import chromedriver_pids, figure, load_average, machine_info

BENCHMARKS = (
    "core",
    "extraction",
    "markdown",
    "many",
    "inflight",
    "deep",
    "memory",
    "grid",
    "capture",
    "identity",
    "quality",
    "seed",
    "real",
    "network",
    "distributed",
)
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"


def _adapt_extraction(raw: dict[str, Any]) -> dict[str, Any]:
    """Turn bench_extraction's flat dict into figures (``*_ms`` and the goal ratio)."""
    if "figures" in raw:
        return raw
    goal = raw.get("goal_ratio")
    figures: dict[str, Any] = {}
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("goal_ratio", "goal_met"):
            continue
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if numeric and key.endswith("_ms"):
            figures[key] = figure(value, "ms")
        elif numeric and key.endswith("ratio"):
            figures[key] = figure(value, "x", None if goal is None else f"<= {goal}", digits=3)
        else:
            params[key] = value
    return {"figures": figures, "params": params}


def _runner(name: str) -> Callable[[bool], dict[str, Any]]:
    module = importlib.import_module(f"bench.bench_{name}")
    if name == "extraction":
        return lambda quick: _adapt_extraction(module.run())
    return module.run  # type: ignore[no-any-return]


def _goal_summary(benchmarks: dict[str, Any]) -> dict[str, Any]:
    met, missed = [], []
    for bench, result in benchmarks.items():
        for name, fig in result.get("figures", {}).items():
            if fig.get("met") is True:
                met.append(f"{bench}.{name}")
            elif fig.get("met") is False:
                missed.append(f"{bench}.{name}")
    return {"met": met, "missed": missed}


def _cell(fig: dict[str, Any]) -> tuple[str, str, str]:
    value = f"{fig['value']:g} {fig['unit']}".strip()
    goal = fig.get("goal") or ""
    met = {True: "met", False: "MISSED", None: ""}[fig.get("met")]
    return value, goal, met


def format_table(benchmarks: dict[str, Any]) -> str:
    """A plain-text table of every figure, its goal and whether it was met."""
    rows = [("benchmark", "figure", "value", "goal", "met?")]
    for bench, result in benchmarks.items():
        if "skipped" in result:
            rows.append((bench, "(skipped)", result["skipped"], "", ""))
        if "error" in result:
            rows.append((bench, "(failed)", result["error"].strip().splitlines()[-1], "", ""))
        for name, fig in result.get("figures", {}).items():
            rows.append((bench, name, *_cell(fig)))
    # The skip/failure reason may be long: it does not widen the value column.
    widths = [max(len(row[i]) for row in rows if not row[1].startswith("(")) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "-" * (sum(widths) + 2 * 4))
    return "\n".join(line.rstrip() for line in lines)


def _write(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def run_all(names: Sequence[str], quick: bool, output: Path, merge: bool = False) -> dict[str, Any]:
    """Run ``names`` in order, saving ``output`` after each; return the whole results dict.

    With ``merge``, an existing ``output`` is the starting point: only ``names`` change.
    """
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine_info(),
        "run": {"quick": quick, "benchmarks": list(names)},
        "benchmarks": {},
    }
    if merge and output.exists():
        results = json.loads(output.read_text(encoding="utf-8"))
    for name in names:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        t = time.perf_counter()
        try:
            result = _runner(name)(quick)
        except Exception:
            result = {"error": traceback.format_exc(), "figures": {}}
            print(f"[bench] {name} failed:\n{result['error']}", file=sys.stderr, flush=True)
        result["duration_s"] = round(time.perf_counter() - t, 1)
        if merge:
            result["merged"] = {"date": machine_info()["date"], "load_average": load_average()}
        leftovers = chromedriver_pids()
        if leftovers:
            result.setdefault("notes", []).append(f"chromedriver still running: {leftovers}")
        results["benchmarks"][name] = result
        results["goals"] = _goal_summary(results["benchmarks"])
        if not merge:
            results["run"]["duration_s"] = round(time.perf_counter() - started, 1)
            results["run"]["load_average_at_end"] = load_average()
        _write(output, results)
        print(f"[bench] {name} done in {result['duration_s']} s", file=sys.stderr, flush=True)
    return results


def _names(only: Sequence[str] | None) -> list[str]:
    if not only:
        return list(BENCHMARKS)
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {', '.join(BENCHMARKS)}")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the flags, run, print the table; 1 only when a benchmark raised."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and pages (smoke test)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only these ({', '.join(BENCHMARKS)}); repeat or comma-separate",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="results JSON path")
    parser.add_argument(
        "--merge", action="store_true", help="update only these benchmarks in an existing file"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run_all(_names(args.only), args.quick, args.output, args.merge)
    print(format_table(results["benchmarks"]))
    for name, result in results["benchmarks"].items():
        for note in result.get("notes", []):
            print(f"  [{name}] {note}")
    goals = results["goals"]
    print(
        f"\ngoals met: {len(goals['met'])}, missed: {len(goals['missed'])}"
        + (f" ({', '.join(goals['missed'])})" if goals["missed"] else "")
        + f"; results in {args.output}; {round(time.perf_counter() - started, 1)} s"
    )
    failed = any("error" in r for r in results["benchmarks"].values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
