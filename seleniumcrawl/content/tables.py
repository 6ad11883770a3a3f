"""Tables as data: ``result.tables``, with Crawl4AI's strategies and record shape.

A strategy's ``extract_tables(element)`` takes an lxml element (the page's cleaned
content) and returns one record per data table::

    {"headers": ["Country", "Population"], "rows": [["France", "68,170,000"], ...],
     "caption": "...", "summary": "...", "metadata": {"row_count": 2, ...}}

:class:`DefaultTableExtraction` keeps the tables that score at least
``table_score_threshold`` (Crawl4AI's scoring: ``<thead>``, ``<th>``, a caption, a steady
column count, text-dense cells and size count for a table; nesting another table and
``role="presentation"`` against it) and are not layout: a one-cell wrapper, or a grid of
nothing but links (navigation), is never data. Unlike Crawl4AI's, it:

- expands ``rowspan`` as well as ``colspan`` (a spanned cell's text is in every row and
  column it covers), so every row has the table's width;
- takes the header from the ``<thead>`` rows or the leading rows made of ``<th>`` only
  (an empty corner cell allowed; several header rows are joined per column:
  "Population 2020"), and never repeats the
  header row among ``rows``; a table without one gets Crawl4AI's ``"Column 1"``...;
- keeps row headers (``<th>`` in a body row) as the row's first cells;
- scores and reads a table's own rows, not those of a table nested in it.

Cell text is whitespace-normalised text (a ``<br>`` is a space); numbers stay text as
written ("1,234.5", "−3 %"), so nothing is lost to a locale's number format.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

log = logging.getLogger(__name__)

#: Crawl4AI's default: a table scoring at least this is data.
DEFAULT_SCORE_THRESHOLD = 7
#: Spans beyond these are treated as these (a malformed page must not allocate millions).
_MAX_COLSPAN = 1000
_MAX_ROWSPAN = 65534
#: A table whose text is more than this share of link text is navigation, not data.
LAYOUT_LINK_SHARE = 0.8


class TableExtractionStrategy(ABC):
    """Base of table strategies: ``extract_tables(element, **kwargs) -> list[dict]``."""

    def __init__(self, *, verbose: bool = False, logger: Any = None) -> None:
        self.verbose = verbose
        self.logger = logger

    @abstractmethod
    def extract_tables(self, element: Any, **kwargs: Any) -> list[dict[str, Any]]:
        """The data tables under the lxml ``element``, as ``headers``/``rows`` records."""

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{k}={v!r}" for k, v in vars(self).items() if k not in ("logger", "verbose")
        )
        return f"{type(self).__name__}({fields})"


class NoTableExtraction(TableExtractionStrategy):
    """No tables: ``result.tables`` stays empty (and no time is spent on them)."""

    def extract_tables(self, element: Any, **kwargs: Any) -> list[dict[str, Any]]:
        return []


class DefaultTableExtraction(TableExtractionStrategy):
    """Data tables by score (Crawl4AI's), with spans expanded and layout tables skipped."""

    def __init__(
        self,
        *,
        table_score_threshold: float = DEFAULT_SCORE_THRESHOLD,
        min_rows: int = 0,
        min_cols: int = 0,
        verbose: bool = False,
        logger: Any = None,
    ) -> None:
        super().__init__(verbose=verbose, logger=logger)
        if isinstance(table_score_threshold, bool) or not isinstance(
            table_score_threshold, (int, float)
        ):
            raise TypeError(
                f"table_score_threshold must be a number, got {table_score_threshold!r}"
            )
        for name, value in (("min_rows", min_rows), ("min_cols", min_cols)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative int, got {value!r}")
        self.table_score_threshold = table_score_threshold
        self.min_rows = min_rows
        self.min_cols = min_cols

    def extract_tables(self, element: Any, **kwargs: Any) -> list[dict[str, Any]]:
        """Every data table under ``element`` (``element`` itself included), in page order.

        ``table_score_threshold`` in ``kwargs`` overrides the strategy's own.
        """
        threshold = kwargs.get("table_score_threshold", self.table_score_threshold)
        found = []
        for table in element.iter("table"):
            try:
                if not self.is_data_table(table, table_score_threshold=threshold):
                    continue
                record = self.extract_table_data(table)
            except Exception:  # one odd table must not cost the page its others
                log.warning("table extraction failed on one table", exc_info=True)
                continue
            meta = record["metadata"]
            if meta["row_count"] < self.min_rows or meta["column_count"] < self.min_cols:
                continue
            found.append(record)
        return found

    def is_data_table(self, table: Any, **kwargs: Any) -> bool:
        """Whether ``table`` holds data: not layout, and scoring at least the threshold."""
        threshold = kwargs.get("table_score_threshold", self.table_score_threshold)
        rows = _own_rows(table)
        if _is_layout(table, rows):
            return False
        return bool(self.score(table, rows) >= threshold)

    def score(self, table: Any, rows: list[Any] | None = None) -> float:
        """Crawl4AI's data-table score of ``table`` (its own rows only)."""
        rows = _own_rows(table) if rows is None else rows
        if not rows:
            return 0.0
        points = 0.0
        has_thead = _has_own(table, "thead")
        points += 2 if has_thead else 0
        points += 1 if _has_own(table, "tbody") else 0
        cells = [_cells(row) for row in rows]
        if any(c.tag == "th" for row in cells for c in row):
            points += 2
            if has_thead or (cells[0] and _is_header_row(cells[0])):
                points += 1
        if any(True for _ in _nested_tables(table)):
            points -= 3
        if (table.get("role") or "").lower() in ("presentation", "none"):
            points -= 3
        counts = [sum(_span(c, "colspan", _MAX_COLSPAN) for c in row) for row in cells]
        mean = sum(counts) / len(counts)
        if sum((c - mean) ** 2 for c in counts) / len(counts) < 1:
            points += 2
        points += 2 if _caption(table) is not None else 0
        points += 1 if (table.get("summary") or "").strip() else 0
        text = sum(len(_text(c)) for row in cells for c in row)
        tags = sum(1 for _ in table.iterdescendants())
        ratio = text / (tags + 1e-5)
        points += 3 if ratio > 20 else 2 if ratio > 10 else 0
        points += 0.5 * sum(1 for name in table.attrib if str(name).startswith("data-"))
        if len(rows) >= 2 and mean >= 2:
            points += 2
        return points

    def extract_table_data(self, table: Any) -> dict[str, Any]:
        """The record of one table: headers, rows (spans expanded), caption, summary, metadata."""
        rows = _own_rows(table)
        grid, header_rows = _grid(rows)
        width = max((len(r) for r in grid), default=0)
        grid = [r + [""] * (width - len(r)) for r in grid]
        header_grid, body = grid[:header_rows], grid[header_rows:]
        headers = (
            [_join_header(column) for column in zip(*header_grid, strict=True)]
            if header_grid
            else []
        )
        body = [r for r in body if any(r)]
        if not headers and width:
            headers = [f"Column {i + 1}" for i in range(width)]
        caption_el = _caption(table)
        caption = _text(caption_el) if caption_el is not None else ""
        summary = " ".join((table.get("summary") or "").split())
        metadata: dict[str, Any] = {
            "row_count": len(body),
            "column_count": width,
            "has_headers": bool(header_rows),
            "has_caption": bool(caption),
            "has_summary": bool(summary),
        }
        for name in ("id", "class"):
            if table.get(name):
                metadata[name] = table.get(name)
        return {
            "headers": headers,
            "rows": body,
            "caption": caption,
            "summary": summary,
            "metadata": metadata,
        }


# -- reading a table's structure ----------------------------------------------------------


def _tag(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _own_rows(table: Any) -> list[Any]:
    """The ``<tr>`` of ``table`` itself (directly or in its row groups), in order."""
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(r for r in child if _tag(r) == "tr")
    return rows


def _has_own(table: Any, tag: str) -> bool:
    return any(_tag(child) == tag for child in table)


def _cells(row: Any) -> list[Any]:
    return [c for c in row if _tag(c) in ("td", "th")]


def _nested_tables(table: Any) -> Any:
    return (t for t in table.iterdescendants("table"))


def _caption(table: Any) -> Any | None:
    for child in table:
        if _tag(child) == "caption":
            return child
    return None


def _span(cell: Any, name: str, cap: int) -> int:
    try:
        value = int(str(cell.get(name, "1")).strip() or "1")
    except ValueError:
        return 1
    return min(max(value, 1), cap)


def _text(el: Any) -> str:
    """Whitespace-normalised text of ``el``; a ``<br>`` separates words."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if _tag(node) == "br":
            parts.append(" ")
        elif isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return " ".join("".join(parts).split())


def _is_layout(table: Any, rows: list[Any]) -> bool:
    """A one-cell wrapper, or navigation: a grid whose filled cells are only link text
    (no header cells), or whose text is nearly all links (Wikipedia's navboxes)."""
    cells = [c for row in rows for c in _cells(row)]
    if len(cells) < 2:
        return True
    texts = [(c, _text(c)) for c in cells]
    filled = [(c, t) for c, t in texts if t]
    if not filled:
        return True
    linked = [(t, _links_text(c)) for c, t in filled]
    if not any(c.tag == "th" for c in cells) and all(t == lt for t, lt in linked):
        return True
    total = sum(len(t) for t, _ in linked)
    return sum(len(lt) for _, lt in linked) > LAYOUT_LINK_SHARE * total


def _links_text(cell: Any) -> str:
    return " ".join(t for t in (_text(a) for a in cell.iter("a")) if t)


def _grid(rows: list[Any]) -> tuple[list[list[str]], int]:
    """(cell texts per row with colspan/rowspan expanded, number of header rows)."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}  # column: (rows still covered, text)
    header_rows = 0
    counting_header = True
    for index, row in enumerate(rows):
        out: list[str] = []
        cells = _cells(row)
        remaining = len(rows) - index

        for cell in cells:
            _place_pending(out, pending)
            text = _text(cell)
            rowspan = min(_span(cell, "rowspan", _MAX_ROWSPAN), remaining)
            for _ in range(_span(cell, "colspan", _MAX_COLSPAN)):
                if rowspan > 1:
                    pending[len(out)] = (rowspan - 1, text)
                out.append(text)
        _place_pending(out, pending)
        while pending and max(pending) > len(out):  # spans reaching past a short row
            out.append("")
            _place_pending(out, pending)
        in_head = _tag(row.getparent()) == "thead"
        if counting_header and cells and (in_head or _is_header_row(cells)):
            header_rows += 1
        else:
            counting_header = False
        grid.append(out)
    if header_rows == len(grid):  # a table of <th> only: its rows are the data
        header_rows = 1 if len(grid) > 1 else 0
    return grid, header_rows


def _is_header_row(cells: list[Any]) -> bool:
    """Header cells only, an empty corner cell allowed (``<td></td><th>2020</th>...``)."""
    heads = [c for c in cells if c.tag == "th"]
    return bool(heads) and all(c.tag == "th" or not _text(c) for c in cells)


def _place_pending(out: list[str], pending: dict[int, tuple[int, str]]) -> None:
    """Fill the columns of ``out`` that a rowspan from a row above still covers."""
    while len(out) in pending:
        left, text = pending.pop(len(out))
        out.append(text)
        if left > 1:
            pending[len(out) - 1] = (left - 1, text)


def _join_header(column: tuple[str, ...]) -> str:
    """One column's header from several header rows: its distinct texts, top down."""
    seen: list[str] = []
    for text in column:
        if text and text not in seen:
            seen.append(text)
    return " ".join(seen)


__all__ = [
    "DEFAULT_SCORE_THRESHOLD",
    "DefaultTableExtraction",
    "NoTableExtraction",
    "TableExtractionStrategy",
]
