"""The table set: pages with expected tables, and how ``result.tables`` is scored on them.

Two sources:

- the hand-written Wikipedia-style pages of ``tests/data/tables/`` (``NAME.html`` and
  ``NAME.json``: the expected headers, rows and caption; ``[]`` for a page of layout
  tables only), in this repository;
- defuddle's fixtures (``kepano/defuddle``, MIT): every ``tests/fixtures/*.html``
  holding a ``<table>``, judged against the pipe tables of its ``tests/expected/*.md``
  (defuddle's own expected output, written independently of this code); a fixture
  whose expected markdown has no table holds layout tables only. Read from
  ``$SC_QUALITY_DIR/defuddle`` (``git clone --depth 1 https://github.com/kepano/defuddle``).

A table is compared as its grid of cell texts: the header row (when the table has one)
and the rows, whitespace-normalised, markdown links and emphasis stripped on the
expected side. Each expected table is matched to the extracted table sharing most cells.
Scores: exact-match rate (grids equal), mean cell F1 (multiset overlap of cells), and
the tables extracted beyond the expected ones (layout tables taken for data).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from bench.quality.corpus import decode
from seleniumcrawl.content.scraping import scrape

HAND_WRITTEN = Path(__file__).resolve().parents[2] / "tests" / "data" / "tables"
URL = "https://tables.test/page.html"

Grid = list[list[str]]

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARK = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)|`+")
_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


def _norm(text: str) -> str:
    return " ".join(text.split())


def grid_of(record: dict[str, Any]) -> Grid:
    """A record's cells: its header row (unless the headers are placeholders) and rows."""
    headers = [_norm(h) for h in record["headers"]]
    placeholder = headers == [f"Column {i + 1}" for i in range(len(headers))]
    rows = [[_norm(c) for c in row] for row in record["rows"]]
    return rows if placeholder or not headers else [headers, *rows]


def markdown_tables(markdown: str) -> list[Grid]:
    """The pipe tables of a markdown text, as grids of plain cell text."""
    tables: list[Grid] = []
    current: Grid = []
    for line in [*markdown.splitlines(), ""]:
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            if not _RULE.match(stripped):
                cells = re.split(r"(?<!\\)\|", stripped[1:-1])
                current.append([_md_cell(c) for c in cells])
            continue
        if current:
            tables.append(current)
            current = []
    return tables


def _md_cell(cell: str) -> str:
    text = _MD_LINK.sub(r"\1", cell.replace("\\|", "|"))
    return _norm(_MD_MARK.sub("", text).replace("<br>", " "))


def cell_f1(got: Grid, want: Grid) -> float:
    """F1 of the multisets of non-empty cell texts."""
    a = Counter(c for row in got for c in row if c)
    b = Counter(c for row in want for c in row if c)
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def cases(root: Path | None) -> list[tuple[str, str, list[Grid]]]:
    """(name, html, expected grids) of every page of the table set that is present."""
    found = []
    for page in sorted(HAND_WRITTEN.glob("*.html")):
        expected = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        found.append((f"hand/{page.stem}", page.read_text(encoding="utf-8"),
                      [grid_of(t) for t in expected]))  # fmt: skip
    base = root / "defuddle" / "tests" if root is not None else None
    if base is not None and (base / "fixtures").is_dir():
        for page in sorted((base / "fixtures").glob("*.html")):
            html = decode(page.read_bytes())
            expected_md = base / "expected" / f"{page.stem}.md"
            if "<table" not in html or not expected_md.is_file():
                continue
            grids = markdown_tables(expected_md.read_text(encoding="utf-8"))
            found.append((f"defuddle/{page.stem}", html, grids))
    return found


def score(root: Path | None) -> dict[str, Any]:
    """Exact-match rate, mean cell F1 and extra tables of ``result.tables`` on the set."""
    expected_total = exact = extra = 0
    f1s: list[float] = []
    misses: list[str] = []
    for name, html, want in cases(root):
        got = [grid_of(t) for t in scrape(html, URL).tables]
        free = list(range(len(got)))
        for grid in want:
            expected_total += 1
            best = max(free, key=lambda i: cell_f1(got[i], grid), default=None)
            f1 = cell_f1(got[best], grid) if best is not None else 0.0
            if best is not None and f1 > 0:
                free.remove(best)
                exact += got[best] == grid
                if got[best] != grid:
                    misses.append(name)
            else:
                misses.append(name)
            f1s.append(f1 if best is not None else 0.0)
        extra += len(free)
    return {
        "tables": expected_total,
        "exact_match": exact / expected_total if expected_total else 0.0,
        "cell_f1": sum(f1s) / len(f1s) if f1s else 0.0,
        "extra_tables": extra,
        "pages": len(cases(root)),
        "not_exact": sorted(set(misses)),
    }
