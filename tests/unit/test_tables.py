"""Tables as data (SPEC 25): DefaultTableExtraction's records on hand-written pages,
layout tables skipped, the threshold, NoTableExtraction, and the config and scrape wiring."""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest

from seleniumcrawl import CrawlerRunConfig, DefaultTableExtraction, NoTableExtraction
from seleniumcrawl.content.scraping import scrape
from seleniumcrawl.table_extraction import TableExtractionStrategy

TABLES = Path(__file__).resolve().parents[1] / "data" / "tables"
CASES = sorted(p.stem for p in TABLES.glob("*.html"))
URL = "https://site.test/page"


def _body(html: str) -> object:
    return lxml.html.document_fromstring(html).find("body")


def _records(name: str, **options: object) -> list[dict[str, object]]:
    tables = DefaultTableExtraction(**options).extract_tables(  # type: ignore[arg-type]
        _body((TABLES / f"{name}.html").read_text(encoding="utf-8"))
    )
    return [{k: t[k] for k in ("headers", "rows", "caption")} for t in tables]


@pytest.mark.parametrize("name", CASES)
def test_each_hand_written_page_gives_its_expected_tables(name: str) -> None:
    """Headers, rows (spans expanded, numbers as written) and caption match the page's
    sidecar exactly; layout tables give nothing."""
    expected = json.loads((TABLES / f"{name}.json").read_text(encoding="utf-8"))
    assert _records(name) == expected


def test_the_set_has_data_and_layout_tables() -> None:
    """The fixtures cover both kinds: at least ten data tables and three layout pages."""
    sidecars = [json.loads((TABLES / f"{n}.json").read_text(encoding="utf-8")) for n in CASES]
    assert sum(len(s) for s in sidecars) >= 10
    assert sum(1 for s in sidecars if not s) >= 3


def test_a_lower_threshold_takes_a_plain_table_with_numbered_headers() -> None:
    """A table without th/thead/caption scores 5 (Crawl4AI's scoring): kept at threshold 5,
    with Crawl4AI's "Column N" headers and has_headers False."""
    body = _body((TABLES / "07-no-header.html").read_text(encoding="utf-8"))
    strategy = DefaultTableExtraction()
    assert strategy.extract_tables(body) == []
    (table,) = strategy.extract_tables(body, table_score_threshold=5)
    assert table["headers"] == ["Column 1", "Column 2", "Column 3"]
    assert table["rows"][0] == ["Monday", "12 °C", "Light rain"]
    assert table["metadata"]["has_headers"] is False
    assert DefaultTableExtraction(table_score_threshold=5).extract_tables(body) == [table]


def test_metadata_counts_and_names_the_table() -> None:
    """metadata: row and column counts, header/caption/summary flags, the table's id/class."""
    html = (TABLES / "08-footnotes-and-breaks.html").read_text(encoding="utf-8")
    (table,) = DefaultTableExtraction().extract_tables(_body(html))
    assert table["summary"] == "Film releases by year"
    assert table["metadata"] == {
        "row_count": 3,
        "column_count": 4,
        "has_headers": True,
        "has_caption": False,
        "has_summary": True,
        "class": "wikitable",
    }


def test_min_rows_and_min_cols_drop_small_tables() -> None:
    """min_rows / min_cols leave out data tables with fewer rows / columns."""
    assert len(_records("09-two-tables")) == 2
    assert [len(t["headers"]) for t in _records("09-two-tables", min_cols=4)] == [6]  # type: ignore[arg-type]
    assert [len(t["rows"]) for t in _records("09-two-tables", min_rows=3)] == [3]  # type: ignore[arg-type]


def test_no_table_extraction_returns_nothing() -> None:
    """NoTableExtraction gives [] even for a page of data tables."""
    html = (TABLES / "01-population-spans.html").read_text(encoding="utf-8")
    assert NoTableExtraction().extract_tables(_body(html)) == []


def test_huge_spans_are_capped() -> None:
    """A colspan of a million does not make a million columns (capped at 1000)."""
    html = (
        "<table><tr><th>a</th><th>b</th></tr><tr><td colspan=1000000>x</td></tr>"
        "<tr><td>1</td><td>2</td></tr></table>"
    )
    (table,) = DefaultTableExtraction(table_score_threshold=0).extract_tables(_body(html))
    assert table["metadata"]["column_count"] == 1000


def test_bad_options_raise_naming_the_field() -> None:
    """Wrong option types or values raise TypeError/ValueError naming the option."""
    with pytest.raises(TypeError, match="table_score_threshold"):
        DefaultTableExtraction(table_score_threshold="7")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="min_rows"):
        DefaultTableExtraction(min_rows=-1)
    with pytest.raises(TypeError, match=r"CrawlerRunConfig\.table_extraction"):
        CrawlerRunConfig(table_extraction="default")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"CrawlerRunConfig\.table_score_threshold"):
        CrawlerRunConfig(table_score_threshold=None)  # type: ignore[arg-type]


def test_config_takes_a_strategy_and_a_threshold() -> None:
    """CrawlerRunConfig(table_extraction=..., table_score_threshold=...) keeps both (default 7)."""
    strategy = DefaultTableExtraction(table_score_threshold=3)
    config = CrawlerRunConfig(table_extraction=strategy, table_score_threshold=9)
    assert config.table_extraction is strategy
    assert config.table_score_threshold == 9
    assert CrawlerRunConfig().table_score_threshold == 7
    assert isinstance(strategy, TableExtractionStrategy)


def test_scrape_fills_tables_from_the_cleaned_content() -> None:
    """scrape() returns the data tables; the threshold applies to the default strategy,
    table in excluded_tags or NoTableExtraction give none, and markdown keeps a pipe table."""
    html = (TABLES / "03-row-headers.html").read_text(encoding="utf-8")
    scraped = scrape(html, URL)
    assert [t["headers"][0] for t in scraped.tables] == ["Element"]
    assert "| Element | Symbol | Atomic mass | Melting point (°C) |" in str(scraped.markdown)
    assert scrape(html, URL, table_score_threshold=50).tables == []
    assert scrape(html, URL, excluded_tags=["table"]).tables == []
    assert scrape(html, URL, table_extraction=NoTableExtraction()).tables == []
    given = DefaultTableExtraction(table_score_threshold=50)
    assert scrape(html, URL, table_extraction=given, table_score_threshold=0).tables == []


def test_a_user_strategy_receives_the_cleaned_body() -> None:
    """A TableExtractionStrategy subclass gets an lxml element holding the cleaned tables."""

    class Count(TableExtractionStrategy):
        def extract_tables(self, element: object, **kwargs: object) -> list[dict[str, object]]:
            count = len(list(element.iter("table")))  # type: ignore[attr-defined]
            return [{"tables": count}]

    html = (TABLES / "09-two-tables.html").read_text(encoding="utf-8")
    assert scrape(html, URL, table_extraction=Count()).tables == [{"tables": 2}]


def test_a_header_row_may_have_an_empty_corner_cell() -> None:
    """<td></td><th>..</th> as the first row is the header (its corner header is "")."""
    html = (
        "<table><tr><td></td><th>Base</th><th>Lens</th></tr>"
        "<tr><th>16e</th><td>7.8mm</td><td>9.5mm</td></tr>"
        "<tr><th>16 Pro</th><td>8.3mm</td><td>12.5mm</td></tr></table>"
    )
    (table,) = DefaultTableExtraction().extract_tables(_body(html))
    assert table["headers"] == ["", "Base", "Lens"]
    assert table["rows"] == [["16e", "7.8mm", "9.5mm"], ["16 Pro", "8.3mm", "12.5mm"]]


def test_a_grid_of_links_is_navigation_even_with_header_cells() -> None:
    """A navbox (group headers, cells of links only) is layout, not data."""
    links = " ".join(f'<a href="/{i}">Topic number {i}</a>' for i in range(8))
    html = (
        f"<table><tr><th>Group one</th><td>{links}</td></tr>"
        f"<tr><th>Group two</th><td>{links}</td></tr></table>"
    )
    assert DefaultTableExtraction(table_score_threshold=0).extract_tables(_body(html)) == []
