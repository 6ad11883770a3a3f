"""JsonLxmlExtractionStrategy: Crawl4AI's CSS schema run by lxml gives JsonCss's records.

Every case of ``test_extraction_css`` runs unchanged (same CSS schema) through both
``extract`` (lxml parse) and ``extract_from_soup`` (the crawler's tree copied into lxml),
as Crawl4AI's regression test asks the lxml strategy to match the CSS one.
"""

from __future__ import annotations

import logging

import pytest
import soupsieve as sv

from seleniumcrawl.content.parse import parse_html
from seleniumcrawl.errors import SchemaError
from seleniumcrawl.extraction_strategy import (
    JsonCssExtractionStrategy,
    JsonLxmlExtractionStrategy,
    JsonXPathExtractionStrategy,
)
from tests.unit.test_extraction_css import CASES, SELECTOR_PAGE, STORIES_HTML, URL


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_records_as_css_via_extract(case: str) -> None:
    """extract(url, html) gives the CSS strategy's records for the same schema."""
    html, schema, expected = CASES[case]
    assert JsonLxmlExtractionStrategy(schema).extract(URL, html) == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_records_as_css_from_the_soup(case: str) -> None:
    """extract_from_soup on the crawler's tree gives the same records and leaves it as it was."""
    html, schema, expected = CASES[case]
    soup = parse_html(html)
    before = str(soup)
    assert JsonLxmlExtractionStrategy(schema).extract_from_soup(URL, soup) == expected
    assert str(soup) == before


SELECTORS = [
    "p",
    ".x",
    "p.x.y",
    "#main",
    "div > p",
    "body > div > div p",
    "section p > span",
    "p, span.y",
    "p:not(.x)",
    "[class~=y]",
    "li:nth-child(1) span",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_base_selectors_match_soupsieve(selector: str) -> None:
    """A base selector selects what soupsieve selects on the same page, in the same order."""
    soup = parse_html(SELECTOR_PAGE)
    expected = [" ".join(el.get_text().split()) for el in sv.select(selector, soup)]
    schema = {"baseSelector": selector, "fields": [{"name": "t", "type": "text"}]}
    records = JsonLxmlExtractionStrategy(schema).extract(URL, SELECTOR_PAGE)
    assert [" ".join(r.get("t", "").split()) for r in records] == expected
    assert expected


def test_field_selector_never_matches_the_base_element_itself() -> None:
    """A field selector looks inside the base element, as JsonCss does (Crawl4AI's own lxml
    strategy would also match the element itself)."""
    html = "<div class='card'><div class='card'>inner</div></div><div class='card'>solo</div>"
    schema = {
        "baseSelector": "body > div.card",
        "fields": [{"name": "inner", "selector": "div.card", "type": "text", "default": "-"}],
    }
    expected = [{"inner": "inner"}, {"inner": "-"}]
    assert JsonCssExtractionStrategy(schema).extract(URL, html) == expected
    assert JsonLxmlExtractionStrategy(schema).extract(URL, html) == expected


def test_source_sibling_with_a_complex_selector() -> None:
    """A "+ <selector>" source finds the first following sibling matching any CSS selector."""
    schema = {
        "baseSelector": "tr.athing",
        "fields": [
            {"name": "title", "selector": "a", "type": "text"},
            {"name": "score", "source": "+ tr:not(.athing)", "selector": ".score", "type": "text"},
            {"name": "user", "source": "+ tr.sub", "selector": ".user", "type": "text"},
        ],
    }
    css = JsonCssExtractionStrategy(schema).extract(URL, STORIES_HTML)
    assert JsonLxmlExtractionStrategy(schema).extract(URL, STORIES_HTML) == css
    assert css[0] == {"title": "Alpha", "score": "100 points", "user": "alice"}


def test_invalid_css_selector_names_the_path() -> None:
    """A selector cssselect cannot read raises SchemaError naming the field path."""
    schema = {"baseSelector": "li", "fields": [{"name": "x", "selector": "a[", "type": "text"}]}
    with pytest.raises(SchemaError, match=r"^fields\[0\]\.selector: invalid CSS selector 'a\['"):
        JsonLxmlExtractionStrategy(schema)


@pytest.mark.parametrize(
    "strategy_class",
    [JsonCssExtractionStrategy, JsonXPathExtractionStrategy, JsonLxmlExtractionStrategy],
)
def test_source_without_plus_gives_the_default(
    strategy_class: type[JsonCssExtractionStrategy], caplog: pytest.LogCaptureFixture
) -> None:
    """A source lacking the leading '+' gives the field's default (Crawl4AI), with a warning."""
    base = "//tr[@class='athing']" if strategy_class is JsonXPathExtractionStrategy else "tr.athing"  # type: ignore[comparison-overlap]
    title = ".//a" if strategy_class is JsonXPathExtractionStrategy else "a"  # type: ignore[comparison-overlap]
    schema = {
        "baseSelector": base,
        "fields": [
            {"name": "title", "selector": title, "type": "text"},
            {"name": "score", "source": "tr.sub", "type": "text", "default": "n/a"},
            {"name": "nothing", "source": "tr.sub", "type": "text"},
        ],
    }
    with caplog.at_level(logging.WARNING, logger="seleniumcrawl.content.extraction.schema"):
        records = strategy_class(schema).extract(URL, STORIES_HTML)
    assert records[:2] == [
        {"title": "Alpha", "score": "n/a"},
        {"title": "Beta", "score": "n/a"},
    ]
    assert "fields[1].source" in caplog.text and "lacks the leading '+'" in caplog.text


def test_computed_string_expression_is_still_refused() -> None:
    """A computed field's string expression keeps raising (never evaluated)."""
    schema = {
        "baseSelector": "li",
        "fields": [{"name": "x", "type": "computed", "expression": "1 + 1"}],
    }
    with pytest.raises(SchemaError, match="never evaluated"):
        JsonLxmlExtractionStrategy(schema)
