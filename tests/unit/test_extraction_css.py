"""JsonCssExtractionStrategy: every schema feature, on HTML written here.

The fixtures and expected records at the top are shared with the XPath tests
(``test_extraction_xpath.py``), which run equivalent XPath schemas against the same
pages and must produce the same records.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import soupsieve as sv
from bs4 import BeautifulSoup

from seleniumcrawl.content.scraping import parse_html
from seleniumcrawl.extraction_strategy import ExtractionStrategy, JsonCssExtractionStrategy

URL = "https://shop.test/list"

PRODUCTS_HTML = """<!DOCTYPE html>
<html><head><title>Shop</title></head><body>
<ul id="catalogue">
  <li class="product featured" data-id="p1" data-sku="SKU-001">
    <h2 class="name">  Blue <b>Widget</b>  </h2>
    <span class="price">Price: $12.50</span>
    <a class="link" href="/p/1?ref=list">Details</a>
    <div class="seller"><span class="seller-name">ACME</span><span class="city">Oslo</span></div>
    <ul class="tags"><li class="tag">NEW</li><li class="tag">Sale</li></ul>
    <div class="review"><span class="author">ann</span><span class="stars">5</span>
      <p class="reply"><span class="author">shop</span></p></div>
    <div class="review"><span class="author">bob</span><span class="stars">3</span></div>
  </li>
  <li class="product" data-id="p2">
    <h2 class="name">Red Gadget</h2>
    <span class="price">Price: unknown</span>
    <ul class="tags"></ul>
  </li>
</ul>
</body></html>"""

# Hacker News keeps one story in two sibling rows: title row, then a subtext row.
STORIES_HTML = """<html><body><table>
  <tr class="athing"><td><span class="rank">1.</span><a class="title" href="https://a.example/">Alpha</a></td></tr>
  <tr class="sub"><td><span class="score">100 points</span> by <a class="user">alice</a></td></tr>
  <tr class="spacer"><td></td></tr>
  <tr class="athing"><td><span class="rank">2.</span><a class="title" href="https://b.example/">Beta</a></td></tr>
  <tr class="spacer"><td></td></tr>
  <tr class="sub"><td><span class="score">42 points</span> by <a class="user">bob</a></td></tr>
  <tr class="athing"><td><span class="rank">3.</span><a class="title" href="https://c.example/">Gamma</a></td></tr>
</table></body></html>"""


def _label(item: dict[str, Any]) -> str:
    return f"{item['name']} @ {item.get('price', '?')}"


def _explode(item: dict[str, Any]) -> str:
    raise RuntimeError("boom")


# name -> (page, CSS schema, expected records). Each XPath twin lives in the XPath tests.
CASES: dict[str, tuple[str, dict[str, Any], list[dict[str, Any]]]] = {
    "text_attribute_html": (
        PRODUCTS_HTML,
        {
            "baseSelector": "li.product",
            "fields": [
                {"name": "name", "selector": "h2.name", "type": "text"},
                {"name": "href", "selector": "a.link", "type": "attribute", "attribute": "href"},
                {"name": "city", "selector": ".seller .city", "type": "html"},
            ],
        },
        [
            {
                "name": "Blue Widget",
                "href": "/p/1?ref=list",
                "city": '<span class="city">Oslo</span>',
            },
            {"name": "Red Gadget"},
        ],
    ),
    "regex_groups": (
        PRODUCTS_HTML,
        {
            "baseSelector": "li.product",
            "fields": [
                {
                    "name": "price",
                    "selector": ".price",
                    "type": "regex",
                    "pattern": r"\$(\d+)\.(\d+)",
                },
                {
                    "name": "cents",
                    "selector": ".price",
                    "type": "regex",
                    "pattern": r"\$(\d+)\.(\d+)",
                    "group": 2,
                },
                {
                    "name": "dollars",
                    "selector": ".price",
                    "type": "regex",
                    "pattern": r"\$(?P<dollars>\d+)",
                    "group": "dollars",
                },
                {"name": "whole", "selector": ".price", "type": "regex", "pattern": r"\$\S+"},
            ],
        },
        [{"price": "12", "cents": "50", "dollars": "12", "whole": "$12.50"}],
    ),
    "pipeline": (
        PRODUCTS_HTML,
        {
            "baseSelector": "li.product",
            "fields": [
                {
                    "name": "id",
                    "selector": "a.link",
                    "type": ["attribute", "regex"],
                    "attribute": "href",
                    "pattern": r"/p/(\d+)",
                },
                {
                    "name": "bold",
                    "selector": "h2",
                    "type": ["html", "regex"],
                    "pattern": r"<b>(\w+)</b>",
                },
                {
                    "name": "code",
                    "type": ["attribute", "regex"],
                    "attribute": "data-sku",
                    "pattern": r"\d+",
                },
                {"name": "label", "selector": "h2", "type": ["text"], "transform": "uppercase"},
            ],
        },
        [
            {"id": "1", "bold": "Widget", "code": "001", "label": "BLUE WIDGET"},
            {"label": "RED GADGET"},
        ],
    ),
    "nested_list_nested_list": (
        PRODUCTS_HTML,
        {
            "baseSelector": "li.product",
            "fields": [
                {
                    "name": "seller",
                    "selector": ".seller",
                    "type": "nested",
                    "fields": [
                        {"name": "name", "selector": ".seller-name", "type": "text"},
                        {
                            "name": "city",
                            "selector": ".city",
                            "type": "text",
                            "transform": "lowercase",
                        },
                    ],
                },
                {
                    "name": "tags",
                    "selector": ".tag",
                    "type": "list",
                    "fields": [{"name": "tag", "type": "text", "transform": "lowercase"}],
                },
                {
                    "name": "reviews",
                    "selector": ".review",
                    "type": "nested_list",
                    "fields": [
                        {"name": "author", "selector": ".author", "type": "text"},
                        {"name": "stars", "selector": ".stars", "type": "text"},
                        {
                            "name": "reply",
                            "selector": ".reply",
                            "type": "nested",
                            "fields": [{"name": "by", "selector": ".author", "type": "text"}],
                        },
                    ],
                },
            ],
        },
        [
            {
                "seller": {"name": "ACME", "city": "oslo"},
                "tags": [{"tag": "new"}, {"tag": "sale"}],
                "reviews": [
                    {"author": "ann", "stars": "5", "reply": {"by": "shop"}},
                    {"author": "bob", "stars": "3", "reply": {}},
                ],
            },
            {"seller": {}, "tags": [], "reviews": []},
        ],
    ),
    "computed_and_defaults": (
        PRODUCTS_HTML,
        {
            "baseSelector": "li.product",
            "fields": [
                {"name": "name", "selector": "h2", "type": "text"},
                {"name": "price", "selector": ".price", "type": "regex", "pattern": r"\$([\d.]+)"},
                {"name": "label", "type": "computed", "function": _label},
                {"name": "broken", "type": "computed", "function": _explode, "default": "n/a"},
                {"name": "nothing", "type": "computed", "function": lambda item: None},
                {"name": "rating", "selector": ".rating", "type": "text", "default": "unrated"},
                {
                    "name": "title",
                    "selector": "h2",
                    "type": "attribute",
                    "attribute": "title",
                    "default": "",
                },
                {"name": "stock", "selector": ".stock", "type": "text"},
            ],
        },
        [
            {
                "name": "Blue Widget",
                "price": "12.50",
                "label": "Blue Widget @ 12.50",
                "broken": "n/a",
                "rating": "unrated",
                "title": "",
            },
            {
                "name": "Red Gadget",
                "label": "Red Gadget @ ?",
                "broken": "n/a",
                "rating": "unrated",
                "title": "",
            },
        ],
    ),
    "base_fields": (
        PRODUCTS_HTML,
        {
            "baseSelector": "li.product",
            "baseFields": [
                {"name": "id", "type": "attribute", "attribute": "data-id"},
                {"name": "sku", "type": "attribute", "attribute": "data-sku"},
                {
                    "name": "kind",
                    "type": "attribute",
                    "attribute": "class",
                    "transform": "uppercase",
                },
            ],
            "fields": [
                {"name": "name", "selector": "h2", "type": "text"},
                {"name": "id_again", "type": "computed", "function": lambda item: item["id"] + "!"},
            ],
        },
        [
            {
                "id": "p1",
                "sku": "SKU-001",
                "kind": "PRODUCT FEATURED",
                "name": "Blue Widget",
                "id_again": "p1!",
            },
            {"id": "p2", "kind": "PRODUCT", "name": "Red Gadget", "id_again": "p2!"},
        ],
    ),
    "next_sibling_source": (
        STORIES_HTML,
        {
            "baseSelector": "tr.athing",
            "fields": [
                {"name": "rank", "selector": ".rank", "type": "text"},
                {"name": "title", "selector": "a.title", "type": "text"},
                {
                    "name": "score",
                    "source": "+ tr.sub",
                    "selector": ".score",
                    "type": "regex",
                    "pattern": r"(\d+)",
                },
                {
                    "name": "user",
                    "source": "+ tr.sub",
                    "selector": "a.user",
                    "type": "text",
                    "default": "-",
                },
                {"name": "next_class", "source": "+ tr", "type": "attribute", "attribute": "class"},
            ],
        },
        [
            {"rank": "1.", "title": "Alpha", "score": "100", "user": "alice", "next_class": "sub"},
            # The first following sibling that matches, not only the adjacent one:
            {"rank": "2.", "title": "Beta", "score": "42", "user": "bob", "next_class": "spacer"},
            {"rank": "3.", "title": "Gamma", "user": "-"},
        ],
    ),
    "no_match": (
        PRODUCTS_HTML,
        {
            "baseSelector": "article.post",
            "fields": [{"name": "t", "selector": "h1", "type": "text"}],
        },
        [],
    ),
    "empty_records_dropped": (
        PRODUCTS_HTML,
        {"baseSelector": "li", "fields": [{"name": "name", "selector": "h2", "type": "text"}]},
        [{"name": "Blue Widget"}, {"name": "Red Gadget"}],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_schema_features(case: str) -> None:
    """Each schema feature gives the records Crawl4AI's semantics call for."""
    html, schema, expected = CASES[case]
    assert JsonCssExtractionStrategy(schema).extract(URL, html) == expected


def test_missing_value_leaves_the_key_out() -> None:
    """A field with no match and no default is absent from the record, not None."""
    schema = {
        "baseSelector": "li.product",
        "fields": [
            {"name": "name", "selector": "h2", "type": "text"},
            {"name": "sku", "type": "attribute", "attribute": "data-sku"},
        ],
    }
    records = JsonCssExtractionStrategy(schema).extract(URL, PRODUCTS_HTML)
    assert "sku" in records[0]
    assert "sku" not in records[1]


def test_text_is_stripped_and_keeps_inner_spaces() -> None:
    """Text is stripped at the ends; whitespace between inline elements is kept."""
    html = "<div class='x'>\n  <b>New</b> <i>York</i>\t</div>"
    schema = {"baseSelector": ".x", "fields": [{"name": "t", "type": "text"}]}
    assert JsonCssExtractionStrategy(schema).extract(URL, html) == [{"t": "New York"}]


def test_transform_strip_applies_to_attribute_values() -> None:
    """The strip transform trims a value whose type does not strip on its own."""
    html = "<div class='x' title='  padded  '>t</div>"
    schema = {
        "baseSelector": ".x",
        "fields": [
            {"name": "raw", "type": "attribute", "attribute": "title"},
            {"name": "trimmed", "type": "attribute", "attribute": "title", "transform": "strip"},
        ],
    }
    assert JsonCssExtractionStrategy(schema).extract(URL, html) == [
        {"raw": "  padded  ", "trimmed": "padded"}
    ]


def test_computed_sees_only_fields_before_it() -> None:
    """A computed function receives the record as built so far, in schema order."""
    seen: list[dict[str, Any]] = []

    def record(item: dict[str, Any]) -> int:
        seen.append(dict(item))
        return len(item)

    schema = {
        "baseSelector": "li.product",
        "fields": [
            {"name": "name", "selector": "h2", "type": "text"},
            {"name": "n", "type": "computed", "function": record},
            {"name": "later", "selector": ".price", "type": "text"},
        ],
    }
    JsonCssExtractionStrategy(schema).extract(URL, PRODUCTS_HTML)
    assert seen == [{"name": "Blue Widget"}, {"name": "Red Gadget"}]


def test_nested_and_list_defaults_replace_empty_results() -> None:
    """A default given to nested/list fields stands in for the empty {} or []."""
    schema = {
        "baseSelector": "li.product",
        "fields": [
            {
                "name": "seller",
                "selector": ".seller",
                "type": "nested",
                "default": {"n": "unknown"},
                "fields": [{"name": "n", "selector": ".seller-name", "type": "text"}],
            },
            {
                "name": "tags",
                "selector": ".tag",
                "type": "list",
                "default": ["untagged"],
                "fields": [{"name": "t", "type": "text"}],
            },
        ],
    }
    records = JsonCssExtractionStrategy(schema).extract(URL, PRODUCTS_HTML)
    assert records[0]["seller"] == {"n": "ACME"}
    assert records[1] == {"seller": {"n": "unknown"}, "tags": ["untagged"]}


def test_source_without_matching_sibling_for_nested() -> None:
    """A source with no matching sibling gives the field's default (or leaves it out)."""
    schema = {
        "baseSelector": "tr.athing",
        "fields": [
            {
                "name": "sub",
                "source": "+ tr.sub",
                "type": "nested",
                "fields": [{"name": "user", "selector": ".user", "type": "text"}],
            }
        ],
    }
    records = JsonCssExtractionStrategy(schema).extract(URL, STORIES_HTML)
    assert records == [{"sub": {"user": "alice"}}, {"sub": {"user": "bob"}}]


def test_extract_from_soup_leaves_the_tree_unchanged() -> None:
    """Extraction only reads the parsed tree (the crawler reuses it afterwards)."""
    soup = parse_html(PRODUCTS_HTML)
    before = str(soup)
    for _, schema, _ in CASES.values():
        JsonCssExtractionStrategy(schema).extract_from_soup(URL, soup)
    assert str(soup) == before


def test_extract_equals_extract_from_soup() -> None:
    """extract(url, html) is parse + extract_from_soup."""
    _, schema, expected = CASES["nested_list_nested_list"]
    strategy = JsonCssExtractionStrategy(schema)
    assert strategy.extract_from_soup(URL, parse_html(PRODUCTS_HTML)) == expected


def test_run_serialises_to_a_json_array() -> None:
    """run() gives the JSON array stored in CrawlResult.extracted_content, unicode kept."""
    html = "<p class='c'>Café</p><p class='c'>Zoë</p>"
    schema = {
        "baseSelector": "p.c",
        "fields": [
            {"name": "t", "type": "text"},
            {"name": "obj", "type": "computed", "function": lambda item: {1, 2} - {1, 2}},
        ],
    }
    out = JsonCssExtractionStrategy(schema).run(URL, parse_html(html))
    assert "Café" in out
    assert json.loads(out) == [{"t": "Café", "obj": "set()"}, {"t": "Zoë", "obj": "set()"}]


def test_no_match_serialises_to_empty_array() -> None:
    """A schema that matches nothing yields the JSON string '[]'."""
    _, schema, _ = CASES["no_match"]
    assert JsonCssExtractionStrategy(schema).run(URL, parse_html(PRODUCTS_HTML)) == "[]"


def test_is_an_extraction_strategy_with_verbose_flag() -> None:
    """It is an ExtractionStrategy (what CrawlerRunConfig accepts) and keeps its schema."""
    schema = CASES["no_match"][1]
    strategy = JsonCssExtractionStrategy(schema, verbose=True)
    assert isinstance(strategy, ExtractionStrategy)
    assert strategy.schema is schema
    assert strategy.verbose is True


def test_parser_choice_gives_the_same_records_as_html_parser() -> None:
    """lxml (the package's parser) and html.parser trees give identical records."""
    for case, (html, schema, expected) in CASES.items():
        strategy = JsonCssExtractionStrategy(schema)
        lxml_records = strategy.extract_from_soup(URL, BeautifulSoup(html, "lxml"))
        stdlib_records = strategy.extract_from_soup(URL, BeautifulSoup(html, "html.parser"))
        assert lxml_records == stdlib_records == expected, case


SELECTOR_PAGE = """<html><body>
<div id="main" class="box outer">
  <section class="a"><p class="x">one <span class="y">s1</span></p></section>
  <div class="box"><p class="x y">two</p><ul><li><span class="y">s2</span></li></ul></div>
  <template><p class="x">hidden</p></template>
  <p>three <span>s3</span></p>
</div>
<div class="box"><div><p class="x">four</p></div></div>
</body></html>"""

SELECTORS = [
    "p",
    ".x",
    "p.x",
    "p.x.y",
    "#main",
    "div#main.box",
    "div p",
    "div > p",
    "div.box > p.x",
    "body > div > div p",
    "#main p span",
    "div > div > p",
    "section p > span",
    "ul span.y",
    "div.box span",
    "div.outer > p > span",
    "p, span.y",
    "p:not(.x)",
    "[class~=y]",
    "DIV > P",
]


@pytest.mark.parametrize("selector", SELECTORS)
def test_selectors_match_soupsieve(selector: str) -> None:
    """Every selector matches exactly what soupsieve's select() does (fast path or not)."""
    soup = parse_html(SELECTOR_PAGE)
    expected = [str(el) for el in sv.select(selector, soup)]
    schema = {"baseSelector": selector, "fields": [{"name": "html", "type": "html"}]}
    records = JsonCssExtractionStrategy(schema).extract_from_soup(URL, soup)
    assert [r["html"] for r in records] == expected
    assert expected  # every selector here matches something


@pytest.mark.parametrize("selector", ["div p", "p.x", "div > p", "ul span.y"])
def test_field_selectors_match_soupsieve_from_an_element(selector: str) -> None:
    """A field selector finds the first match under the base element, as select_one does."""
    soup = parse_html(SELECTOR_PAGE)
    schema = {
        "baseSelector": "#main",
        "fields": [{"name": "first", "selector": selector, "type": "html"}],
    }
    records = JsonCssExtractionStrategy(schema).extract_from_soup(URL, soup)
    main = sv.select_one("#main", soup)
    assert main is not None
    assert records == [{"first": str(sv.select_one(selector, main))}]
