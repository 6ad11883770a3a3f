"""JsonXPathExtractionStrategy: parity with the CSS strategy on the same pages.

Every CSS case of ``test_extraction_css`` is rewritten here with XPath selectors
(the rest of the schema untouched) and must give the same records, through both
``extract`` (lxml parse) and ``extract_from_soup`` (the crawler's BeautifulSoup tree).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from seleniumcrawl.content.scraping import parse_html
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy, JsonXPathExtractionStrategy
from tests.unit.test_extraction_css import CASES, STORIES_HTML, URL


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _any(name: str) -> str:
    return f".//*[{_has_class(name)}]"


XPATH_FOR: dict[str, str] = {
    "li.product": f"//li[{_has_class('product')}]",
    "li": "//li",
    "article.post": f"//article[{_has_class('post')}]",
    "tr.athing": f"//tr[{_has_class('athing')}]",
    "h1": ".//h1",
    "h2": "//h2",  # made relative to the base element, as in Crawl4AI
    "h2.name": f".//h2[{_has_class('name')}]",
    "a.link": f".//a[{_has_class('link')}]",
    "a.title": f".//a[{_has_class('title')}]",
    "a.user": f".//a[{_has_class('user')}]",
    ".seller .city": f"{_any('seller')}//*[{_has_class('city')}]",
    **{
        f".{name}": _any(name)
        for name in [
            "price",
            "seller",
            "seller-name",
            "city",
            "tag",
            "review",
            "author",
            "stars",
            "reply",
            "rating",
            "stock",
            "rank",
            "score",
        ]
    },
}


def _to_xpath(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema with each CSS selector replaced by its XPath twin."""
    converted = copy.deepcopy(schema)

    def convert(field: dict[str, Any]) -> None:
        if "selector" in field:
            field["selector"] = XPATH_FOR[field["selector"]]
        for sub in field.get("fields", []):
            convert(sub)
        # "source" stays: "+ tr" and Crawl4AI's "+ tr.sub" shorthand work in both.

    converted["baseSelector"] = XPATH_FOR[converted["baseSelector"]]
    for field in converted.get("baseFields", []) + converted.get("fields", []):
        convert(field)
    return converted


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_records_as_css_via_extract(case: str) -> None:
    """extract(url, html) with XPath selectors gives the CSS strategy's records."""
    html, schema, expected = CASES[case]
    assert JsonXPathExtractionStrategy(_to_xpath(schema)).extract(URL, html) == expected


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_records_as_css_from_the_soup(case: str) -> None:
    """extract_from_soup on the crawler's parsed tree gives the CSS strategy's records."""
    html, schema, expected = CASES[case]
    soup = parse_html(html)
    before = str(soup)
    assert JsonXPathExtractionStrategy(_to_xpath(schema)).extract_from_soup(URL, soup) == expected
    assert str(soup) == before


def test_source_takes_an_xpath_step() -> None:
    """A source like "+ tr[@class='sub']" is the first following sibling matching that step."""
    schema = {
        "baseSelector": "//tr[@class='athing']",
        "fields": [
            {"name": "title", "selector": ".//a", "type": "text"},
            {
                "name": "score",
                "source": "+ tr[@class='sub']",
                "selector": ".//span",
                "type": "text",
            },
        ],
    }
    assert JsonXPathExtractionStrategy(schema).extract(URL, STORIES_HTML) == [
        {"title": "Alpha", "score": "100 points"},
        {"title": "Beta", "score": "42 points"},
        {"title": "Gamma"},
    ]


def test_selector_may_select_attribute_and_text_nodes() -> None:
    """An XPath that selects an attribute or text node gives its value to text/regex fields."""
    schema = {
        "baseSelector": "//tr[@class='athing']",
        "fields": [
            {"name": "href", "selector": ".//a/@href", "type": "text"},
            {"name": "host", "selector": ".//a/@href", "type": "regex", "pattern": r"//(\w+)\."},
            {"name": "rank", "selector": ".//span/text()", "type": "text"},
            {"name": "none", "selector": ".//a/@href", "type": "attribute", "attribute": "x"},
        ],
    }
    records = JsonXPathExtractionStrategy(schema).extract(URL, STORIES_HTML)
    assert records[0] == {"href": "https://a.example/", "host": "a", "rank": "1."}


def test_plain_step_is_relative_to_the_element() -> None:
    """A selector without a leading slash is plain XPath: "td" is a child, not any descendant."""
    schema = {
        "baseSelector": "//tr[@class='athing']",
        "fields": [
            {"name": "child_span", "selector": "span", "type": "text", "default": "none"},
            {"name": "td_span", "selector": "td/span", "type": "text"},
        ],
    }
    records = JsonXPathExtractionStrategy(schema).extract(URL, STORIES_HTML)
    assert records[0] == {"child_span": "none", "td_span": "1."}


def test_text_matches_css_around_scripts_comments_and_ruby() -> None:
    """XPath text leaves out what BeautifulSoup's get_text leaves out, so both agree."""
    html = (
        "<div class='x'>a<script>var s;</script><style>p{}</style><!-- c -->"
        "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> <i>b</i></div>"
        "<script class='x'>{\"ld\": 1}</script>"
    )
    css = JsonCssExtractionStrategy(
        {"baseSelector": ".x", "fields": [{"name": "t", "type": "text"}]}
    ).extract(URL, html)
    xpath_schema = {"baseSelector": "//*[@class='x']", "fields": [{"name": "t", "type": "text"}]}
    xpath = JsonXPathExtractionStrategy(xpath_schema)
    assert css == [{"t": "a漢 b"}, {"t": '{"ld": 1}'}]
    assert xpath.extract(URL, html) == css
    assert xpath.extract_from_soup(URL, parse_html(html)) == css


def test_html_field_has_no_tail_text() -> None:
    """An html field is the element itself, without the text that follows it."""
    schema = {"baseSelector": "//p", "fields": [{"name": "h", "selector": ".//b", "type": "html"}]}
    html = "<p><b>bold</b> after</p>"
    strategy = JsonXPathExtractionStrategy(schema)
    assert strategy.extract(URL, html) == [{"h": "<b>bold</b>"}]
    assert strategy.extract_from_soup(URL, parse_html(html)) == [{"h": "<b>bold</b>"}]


def test_odd_markup_still_extracts_from_the_soup() -> None:
    """Names and comments lxml's element API refuses do not break extraction from a soup."""
    html = (
        "<div class='x' @click='go()' :class='k'><o:p>office</o:p><!--a--b-->"
        "<!--ends in dash--->"
        "<span>v</span></div>"
    )
    schema = {
        "baseSelector": "//div[@class='x']",
        "fields": [
            {"name": "click", "type": "attribute", "attribute": "@click"},
            {"name": "span", "selector": ".//span", "type": "text"},
            {"name": "text", "type": "text"},
        ],
    }
    expected = [{"click": "go()", "span": "v", "text": "officev"}]
    strategy = JsonXPathExtractionStrategy(schema)
    assert strategy.extract_from_soup(URL, parse_html(html)) == expected
    assert strategy.extract(URL, html) == expected


def test_control_characters_fall_back_to_a_reparse(caplog: pytest.LogCaptureFixture) -> None:
    """A character lxml's element API refuses makes the copy re-parse; records stay right."""
    html = "<p title='bell\x07'>x</p><div class='x'><span>v</span><!-- a--b- --></div>"
    schema = {
        "baseSelector": "//div",
        "fields": [{"name": "s", "selector": ".//span", "type": "text"}],
    }
    with caplog.at_level(logging.DEBUG, logger="seleniumcrawl.content.extraction.xpath"):
        records = JsonXPathExtractionStrategy(schema).extract_from_soup(URL, parse_html(html))
    assert records == [{"s": "v"}]
    assert "re-parsing" in caplog.text


def test_empty_page_and_non_node_results_give_no_records() -> None:
    """An empty page, and an XPath that yields a number, give no records (no error)."""
    counting = {"baseSelector": "count(//p)", "fields": [{"name": "t", "type": "text"}]}
    assert JsonXPathExtractionStrategy(counting).extract(URL, "<p>x</p>") == []
    assert JsonXPathExtractionStrategy(counting).extract(URL, "   ") == []
    assert JsonXPathExtractionStrategy(counting).extract_from_soup(URL, parse_html("")) == []
