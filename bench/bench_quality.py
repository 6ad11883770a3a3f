"""Benchmark: main-content quality on public sets of real pages, beside trafilatura.

The sets (trafilatura's 990 evaluation pages, Mozilla Readability's 130 test cases) are
read from ``SC_QUALITY_DIR``; see :mod:`bench.quality.corpus` for the two ``git clone``
commands. Without them the benchmark is skipped with that message. No browser is
involved: each page goes through :func:`seleniumcrawl.content.scraping.scrape`, as a
crawl's HTML does.

Sides, each scored on the tuning and the held-out half of each set:

* ``fit``: ``result.markdown.fit_markdown`` with the default generator (main content);
* ``markdown``: the raw markdown (the whole cleaned page);
* ``pruning``: ``fit_markdown`` with ``PruningContentFilter()`` (Crawl4AI's filter);
* ``trafilatura``: ``trafilatura.extract`` (when installed: ``pip install trafilatura``
  in the bench's environment; it is no dependency of the package), with the settings
  of its own evaluation (no comments, tables, no formatting).

Scores:

* trafilatura's set, as its ``tests/evaluate.py`` scores: over all pages, TP = "with"
  snippets found in the text, FP = "without" snippets found, FN = "with" snippets
  missing (whitespace-normalised substring match); F1 = 2TP / (2TP + FP + FN). Our
  text is the markdown with its syntax stripped (:func:`plain_text`);
* the table set (:mod:`bench.quality.tables`): ``result.tables``' exact-match rate and
  cell F1 against hand-written pages and defuddle's fixtures (run without the data
  directory too, on the hand-written pages alone);
* Readability's set: bag-of-tokens F1 (lower-cased ``\\w+`` tokens) of the text against
  ``expected.html``'s text, averaged over cases; real captures and synthetic snippets apart.

Speed: ms per page of the first ``fit_markdown`` access (lxml parse of the cleaned HTML,
main content, conversion; the scrape before it excluded, it is the crawl's cost either
way) and of ``trafilatura.extract`` on the page's HTML, both on trafilatura's pages in
the same run, alternated page by page; the figure is the median over pages.

Run: ``python -m bench.bench_quality [--data DIR] [--half tune|held_out] [--side fit]
[--worst N]`` prints the scores (and the worst pages) without writing results.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench._util import figure, load_average, skipped
from bench.quality import tables
from bench.quality.corpus import HOW_TO_GET, Page, data_dir, iter_sets, split
from seleniumcrawl.content.filters import PruningContentFilter
from seleniumcrawl.content.generation import DefaultMarkdownGenerator
from seleniumcrawl.content.scraping import scrape

#: Goals of issue 22: held-out F1 on trafilatura's set, Readability's real pages, speed.
TRAFILATURA_GOAL = 0.93
READABILITY_GOAL = 0.95
FIT_MS_GOAL = 12.0
SIDES = ("fit", "markdown", "pruning", "trafilatura")

_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+(?!\S*\s*\|)|\d+\.\s+)", re.MULTILINE)
_RULE = re.compile(r"^\s*(?:\|?\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~|`+)")


def plain_text(markdown: str) -> str:
    """What a reader sees of ``markdown``: no image syntax, link targets, heading, list
    or quote marks, emphasis, code ticks or table rules (cell bars become spaces)."""
    text = _IMAGE.sub(" ", markdown)
    text = _LINK.sub(r"\1", text)
    text = _RULE.sub("", text)
    text = _LINE_MARK.sub("", text)
    text = text.replace("```", " ")
    text = _EMPHASIS.sub("", text)
    return text.replace(" | ", "  ").replace("| ", " ").replace(" |", " ")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def snippet_counts(page: Page, text: str) -> tuple[int, int, int]:
    """(TP, FP, FN) of ``text`` on a trafilatura page, as its evaluation counts them."""
    got = _norm(text)
    tp = sum(1 for w in page.with_ if _norm(w) in got)
    fp = sum(1 for w in page.without if _norm(w) in got)
    return tp, fp, len(page.with_) - tp


def snippet_scores(counts: Iterable[tuple[int, int, int]]) -> dict[str, float]:
    """Precision, recall and F1 of summed (TP, FP, FN)."""
    tp = fp = fn = 0
    for a, b, c in counts:
        tp, fp, fn = tp + a, fp + b, fn + c
    return {
        "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
    }


def token_prf(predicted: str, expected: str) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall, F1 of ``predicted`` against ``expected``."""
    got = Counter(_TOKEN.findall(predicted.lower()))
    want = Counter(_TOKEN.findall(expected.lower()))
    if not got and not want:
        return 1.0, 1.0, 1.0
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 0.0
    recall = common / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# -- the sides ---------------------------------------------------------------------------

_PRUNING = DefaultMarkdownGenerator(content_filter=PruningContentFilter())


def _ours(page: Page, generator: DefaultMarkdownGenerator | None, fit: bool) -> str:
    markdown = scrape(page.html, page.url, markdown_generator=generator).markdown
    return plain_text(markdown.fit_markdown if fit else str(markdown))


def _trafilatura() -> Callable[[Page], str] | None:
    try:
        import trafilatura  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None

    def extract(page: Page) -> str:
        out = trafilatura.extract(
            page.html, include_comments=False, include_tables=True, include_formatting=False
        )
        return str(out or "")

    return extract


def side_functions() -> dict[str, Callable[[Page], str]]:
    """The sides that can run here (trafilatura only when installed)."""
    sides: dict[str, Callable[[Page], str]] = {
        "fit": lambda p: _ours(p, None, True),
        "markdown": lambda p: _ours(p, None, False),
        "pruning": lambda p: _ours(p, _PRUNING, True),
    }
    traf = _trafilatura()
    if traf is not None:
        sides["trafilatura"] = traf
    return sides


def score_set(name: str, pages: list[Page], outputs: dict[str, str]) -> dict[str, Any]:
    """Scores of one side's ``outputs`` (text per page key) on ``pages`` of set ``name``."""
    if name == "trafilatura":
        counts = {p.key: snippet_counts(p, outputs[p.key]) for p in pages}
        scored: dict[str, Any] = snippet_scores(counts.values())
        worst = sorted(counts.items(), key=lambda kv: -(kv[1][1] + kv[1][2]))
        scored["worst"] = [k for k, c in worst if c[1] + c[2]][:10]
        return scored
    scored = {}
    for kind, chosen in (("real", False), ("synthetic", True)):
        rows = {
            p.key: token_prf(outputs[p.key], p.expected) for p in pages if p.synthetic is chosen
        }
        if not rows:
            continue
        scored[kind] = {
            "f1": statistics.fmean(r[2] for r in rows.values()),
            "precision": round(statistics.fmean(r[0] for r in rows.values()), 3),
            "recall": round(statistics.fmean(r[1] for r in rows.values()), 3),
            "pages": len(rows),
            "worst": [k for k, _ in sorted(rows.items(), key=lambda kv: kv[1][2])[:5]],
        }
    return scored


def fit_and_reference_ms(pages: list[Page]) -> dict[str, list[float]]:
    """Per-page ms of the first ``fit_markdown`` access and of trafilatura, alternated."""
    traf = _trafilatura()
    times: dict[str, list[float]] = {"fit": [], "trafilatura": []}
    for page in pages:
        markdown = scrape(page.html, page.url).markdown
        started = time.perf_counter()
        _ = markdown.fit_markdown
        times["fit"].append((time.perf_counter() - started) * 1000)
        if traf is not None:
            started = time.perf_counter()
            traf(page)
            times["trafilatura"].append((time.perf_counter() - started) * 1000)
    return times


def evaluate(root: Path, sides: Iterable[str] = SIDES) -> dict[str, Any]:
    """``{set: {half: {side: scores}}}`` for every set under ``root``."""
    functions = side_functions()
    found: dict[str, Any] = {}
    for name, pages in iter_sets(root):
        halves = split(pages, name)
        found[name] = {}
        for side in sides:
            if side not in functions:
                continue
            outputs = {p.key: functions[side](p) for p in pages}
            for half, chosen in halves.items():
                found[name].setdefault(half, {})[side] = score_set(name, chosen, outputs)
    return found


def run(quick: bool = False) -> dict[str, Any]:
    """Score every side on both halves of both sets, and time fit_markdown and trafilatura."""
    root = data_dir()
    if root is None:
        result = skipped(f"no quality data: {HOW_TO_GET}")
        result["figures"] = _table_figures(None)
        return result
    load_before = load_average()
    scores = evaluate(root)
    figures: dict[str, Any] = _table_figures(root)
    for half in ("tune", "held_out"):
        for side, scored in scores.get("trafilatura", {}).get(half, {}).items():
            goal = f">= {TRAFILATURA_GOAL}" if side == "fit" and half == "held_out" else None
            figures[f"trafilatura_{half}_{side}_f1"] = figure(
                scored["f1"], "F1", goal, digits=3,
                precision=scored["precision"], recall=scored["recall"],
            )  # fmt: skip
        for side, scored in scores.get("readability", {}).get(half, {}).items():
            for kind in ("real", "synthetic"):
                if kind not in scored:
                    continue
                goal = f">= {READABILITY_GOAL}" if side == "fit" and kind == "real" else None
                figures[f"readability_{kind}_{half}_{side}_f1"] = figure(
                    scored[kind]["f1"], "F1", goal, digits=3,
                    precision=scored[kind]["precision"], recall=scored[kind]["recall"],
                    pages=scored[kind]["pages"],
                )  # fmt: skip
    pages = dict(iter_sets(root)).get("trafilatura", [])
    if quick:
        pages = pages[::5]
    times = fit_and_reference_ms(pages)
    for side, values in times.items():
        if values:
            figures[f"{side}_ms_per_page"] = figure(
                statistics.median(values), "ms",
                f"<= {FIT_MS_GOAL}" if side == "fit" else None,
                mean=round(statistics.fmean(values), 2), pages=len(values),
                note="median over trafilatura's pages, alternated page by page",
            )  # fmt: skip
    return {
        "figures": figures,
        "params": {"data": "SC_QUALITY_DIR", "load_average_before": load_before,
                   "load_average_after": load_average(), "sides": sorted(side_functions())},
    }  # fmt: skip


def _table_figures(root: Path | None) -> dict[str, Any]:
    """Exact-match rate and cell F1 of ``result.tables`` on the table set."""
    scored = tables.score(root)
    note = f"{scored['tables']} expected tables on {scored['pages']} pages"
    return {
        "tables_exact_match": figure(scored["exact_match"], "rate", digits=3, note=note,
                                     not_exact=scored["not_exact"]),
        "tables_cell_f1": figure(scored["cell_f1"], "F1", digits=3, note=note),
        "tables_extra": figure(scored["extra_tables"], "tables", digits=0,
                               note="tables extracted beyond the expected ones (layout)"),
    }  # fmt: skip


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="quality on the public sets (no results file)")
    parser.add_argument("--data", help="directory of the two clones (default: $SC_QUALITY_DIR)")
    parser.add_argument("--half", choices=("tune", "held_out"), default="tune")
    parser.add_argument("--side", action="append", choices=SIDES)
    parser.add_argument("--set", choices=("trafilatura", "readability"))
    parser.add_argument("--worst", type=int, default=0, help="print the N worst pages")
    args = parser.parse_args(argv)
    root = data_dir(args.data)
    if root is None:
        print(HOW_TO_GET, file=sys.stderr)
        return 2
    functions = side_functions()
    for name, pages in iter_sets(root):
        if args.set and name != args.set:
            continue
        chosen = split(pages, name)[args.half]
        for side in args.side or ["fit"]:
            outputs = {p.key: functions[side](p) for p in chosen}
            scored = score_set(name, chosen, outputs)
            print(name, args.half, side, _summary(scored))
            for key in _worst(scored)[: args.worst]:
                print("   ", key)
    return 0


def _summary(scored: dict[str, Any]) -> str:
    if "f1" in scored:
        return f"F1 {scored['f1']:.3f} P {scored['precision']} R {scored['recall']}"
    return "  ".join(
        f"{k}: F1 {v['f1']:.3f} P {v['precision']} R {v['recall']} ({v['pages']})"
        for k, v in scored.items()
    )


def _worst(scored: dict[str, Any]) -> list[str]:
    if "worst" in scored:
        return list(scored["worst"])
    return [k for v in scored.values() for k in v["worst"]]


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
