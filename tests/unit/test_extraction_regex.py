"""RegexExtractionStrategy: Crawl4AI's flags, catalogue labels, custom patterns, result shape.

The page text is the one of Crawl4AI's regression suite (``/regex-test``), plus cases
each built-in pattern must find and must not find.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from seleniumcrawl.content.extraction.regex import BUILTIN_PATTERNS, Pattern
from seleniumcrawl.content.scraping import scrape
from seleniumcrawl.errors import SchemaError
from seleniumcrawl.extraction_strategy import ExtractionStrategy, RegexExtractionStrategy

URL = "https://regex.test/page"

REGEX_PAGE = """<html><head><title>Regex test</title></head><body>
<p>Email us at support@crawl4ai.com or sales@example.org for inquiries.</p>
<p>Call (555) 123-4567 or 555-987-6543.</p>
<p>Visit https://crawl4ai.com or https://docs.crawl4ai.com/api/v2</p>
<p>Released on 2024-01-15, updated 03/22/2024 at 14:30.</p>
<p>Server at 192.168.1.100 costs $1,299.99 (15% off).</p>
<a href="mailto:hidden@attr.example">write</a>
</body></html>"""

IPV6 = "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
UUID = "550e8400-e29b-41d4-a716-446655440000"

# label -> (texts it finds, exactly; texts it must not find anything in)
CATALOGUE: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "email": ([("a.b+c@mail.example.co.uk.", "a.b+c@mail.example.co.uk")], ["a@b", "@handle"]),
    "phone_intl": ([("tel +44 20 7946 0958", "+44 20 7946 0958")], ["44 20"]),
    "phone_us": ([("(555) 123-4567", "(555) 123-4567"), ("555.123.4567", "555.123.4567")], []),
    "url": ([("see https://x.example/a?b=1.", "https://x.example/a?b=1")], ["ftp://x"]),
    "ipv4": ([("at 10.0.0.255 now", "10.0.0.255")], ["999.1.1.1", "1.2.3"]),
    "ipv6": ([(f"v6 {IPV6}", IPV6)], ["2001:db8::1:2"]),
    "uuid": ([(f"id {UUID}", UUID)], ["550e8400-e29b"]),
    "currency": ([("$1,299.99", "$1,299.99"), ("EUR 45,50", "EUR 45,50"), ("£7", "£7")], ["1299"]),
    "percentage": ([("15% off", "15%"), ("3.5 % fee", "3.5 %")], ["15 percent"]),
    "number": ([("1,234,567 items", "1,234,567")], ["none here"]),
    "date_iso": ([("on 2024-05-31.", "2024-05-31")], ["2024-13-01"]),
    "date_us": ([("on 5/31/2024", "5/31/2024")], ["13/45/2024"]),
    "time_24h": ([("at 23:59:07", "23:59:07"), ("7:05", "7:05")], ["24:00"]),
    "postal_us": ([("CA 94105-1234", "94105-1234")], ["1234"]),
    "postal_uk": ([("London SW1A 1AA", "SW1A 1AA")], []),
    "html_color_hex": ([("color: #1a2b3c;", "#1a2b3c")], ["&#160;", "#12345"]),
    "twitter_handle": ([("follow @crawl4ai", "@crawl4ai")], ["support@crawl4ai.com"]),
    "hashtag": ([("#WebScraping rocks", "#WebScraping")], ["&#160;", "/page#top"]),
    "mac_addr": ([("00:1A:2B:3C:4D:5E", "00:1A:2B:3C:4D:5E")], ["00:1A-2B:3C:4D:5E"]),
    "iban": ([("GB82WEST12345698765432", "GB82WEST12345698765432")], ["GB82"]),
    "credit_card": (
        [("4111 1111 1111 1111", "4111 1111 1111 1111"), ("378282246310005", "378282246310005")],
        ["1234 5678 9012 3456"],
    ),
}  # fmt: skip


def test_catalogue_has_crawl4ais_labels_and_flags() -> None:
    """Every Crawl4AI label has a pattern and a flag; the aliases are Crawl4AI's names."""
    assert list(BUILTIN_PATTERNS) == list(CATALOGUE)
    for label in BUILTIN_PATTERNS:
        assert Pattern[label.upper()]
    r = RegexExtractionStrategy
    aliases = {
        "Email": "EMAIL", "PhoneIntl": "PHONE_INTL", "PhoneUS": "PHONE_US", "Url": "URL",
        "IPv4": "IPV4", "IPv6": "IPV6", "Uuid": "UUID", "Currency": "CURRENCY",
        "Percentage": "PERCENTAGE", "Number": "NUMBER", "DateIso": "DATE_ISO",
        "DateUS": "DATE_US", "Time24h": "TIME_24H", "PostalUS": "POSTAL_US",
        "PostalUK": "POSTAL_UK", "HexColor": "HTML_COLOR_HEX",
        "TwitterHandle": "TWITTER_HANDLE", "Hashtag": "HASHTAG", "MacAddr": "MAC_ADDR",
        "Iban": "IBAN", "CreditCard": "CREDIT_CARD",
    }  # fmt: skip
    for alias, name in aliases.items():
        assert getattr(r, alias) is Pattern[name]
    assert RegexExtractionStrategy(r.All).labels == list(BUILTIN_PATTERNS)
    assert r.Nothing == 0 and r._B is Pattern


@pytest.mark.parametrize("label", list(CATALOGUE))
def test_each_builtin_pattern(label: str) -> None:
    """Each built-in pattern finds its examples exactly and nothing in its counter-examples."""
    strategy = RegexExtractionStrategy(Pattern[label.upper()])
    finds, misses = CATALOGUE[label]
    for text, value in finds:
        assert [m["value"] for m in strategy.extract(URL, text)] == [value], text
    for text in misses:
        assert strategy.extract(URL, text) == [], text


def test_result_shape_and_spans() -> None:
    """Each match is {url, label, value, span} and span indexes the text it came from."""
    text = "Email us at support@crawl4ai.com or sales@example.org."
    matches = RegexExtractionStrategy(pattern=RegexExtractionStrategy.Email).extract(URL, text)
    assert matches == [
        {"url": URL, "label": "email", "value": "support@crawl4ai.com", "span": [12, 32]},
        {"url": URL, "label": "email", "value": "sales@example.org", "span": [36, 53]},
    ]
    for match in matches:
        start, end = match["span"]
        assert text[start:end] == match["value"]


def test_flags_combine_and_results_come_pattern_by_pattern() -> None:
    """Url | Currency finds both kinds; matches are grouped by pattern, catalogue order."""
    strategy = RegexExtractionStrategy(
        pattern=RegexExtractionStrategy.Url | RegexExtractionStrategy.Currency
    )
    text = "$5 at https://a.example and €7 at https://b.example"
    assert [(m["label"], m["value"]) for m in strategy.extract(URL, text)] == [
        ("url", "https://a.example"),
        ("url", "https://b.example"),
        ("currency", "$5"),
        ("currency", "€7"),
    ]


def test_custom_patterns_dict_and_pairs() -> None:
    """custom= adds labelled patterns (dict or (label, pattern) pairs), after built-ins."""
    by_dict = RegexExtractionStrategy(
        RegexExtractionStrategy.Email, custom={"usd_price": r"\$\s?\d{1,3}(?:,\d{3})*(?:\.\d{2})?"}
    )
    by_pairs = RegexExtractionStrategy(custom=[("ip_address", r"(?:\d{1,3}\.){3}\d{1,3}")])
    assert by_dict.labels == ["email", "usd_price"]
    assert [m["value"] for m in by_dict.extract(URL, "Costs $1,299.99")] == ["$1,299.99"]
    assert [m["value"] for m in by_pairs.extract(URL, REGEX_PAGE)] == ["192.168.1.100"]


def test_custom_label_replaces_a_builtin_and_ignores_case() -> None:
    """A custom pattern named like a built-in replaces it; IGNORECASE applies to it too."""
    strategy = RegexExtractionStrategy(RegexExtractionStrategy.Email, custom={"email": r"ab@c"})
    assert strategy.labels == ["email"]
    assert [m["value"] for m in strategy.extract(URL, "x@y.example AB@C")] == ["AB@C"]


BAD: list[Any] = [
    pytest.param({}, ValueError, "no pattern", id="nothing"),
    pytest.param({"pattern": "email"}, TypeError, "pattern", id="pattern-str"),
    pytest.param({"pattern": True}, TypeError, "pattern", id="pattern-bool"),
    pytest.param({"custom": "a+"}, TypeError, "custom", id="custom-str"),
    pytest.param({"custom": [("a", "b", "c")]}, TypeError, "custom[0]", id="custom-triple"),
    pytest.param({"custom": {"x": 3}}, TypeError, "custom['x']", id="custom-not-str"),
    pytest.param({"custom": {"x": "(unclosed"}}, SchemaError, "custom['x']", id="custom-bad"),
    pytest.param(
        {"pattern": Pattern.EMAIL, "input_format": "pdf"}, ValueError, "input_format", id="format"
    ),
]


@pytest.mark.parametrize(("kwargs", "error", "phrase"), BAD)
def test_bad_arguments_raise(kwargs: dict[str, Any], error: type[Exception], phrase: str) -> None:
    """Bad flags, custom patterns or input formats raise at construction, naming the argument."""
    with pytest.raises(error) as info:
        RegexExtractionStrategy(**kwargs)
    assert phrase in str(info.value)


def test_is_an_extraction_strategy_that_reads_text() -> None:
    """It plugs into CrawlerRunConfig like the other strategies and reads a text product."""
    strategy = RegexExtractionStrategy(RegexExtractionStrategy.Email)
    assert isinstance(strategy, ExtractionStrategy)
    assert strategy.reads_tree is False
    assert strategy.input_format == "fit_html"


@pytest.mark.parametrize(
    ("input_format", "product"),
    [("fit_html", "cleaned_html"), ("cleaned_html", "cleaned_html"), ("html", "html"),
     ("markdown", "markdown")],
)  # fmt: skip
def test_crawl_runs_on_the_product_input_format_names(input_format: str, product: str) -> None:
    """In a crawl, spans index the product input_format names (fit_html: cleaned_html)."""
    strategy = RegexExtractionStrategy(RegexExtractionStrategy.Email, input_format=input_format)
    scraped = scrape(REGEX_PAGE, URL, extraction_strategy=strategy)
    matches = json.loads(scraped.extracted_content or "")
    content = getattr(scraped, product)
    values = [m["value"] for m in matches]
    assert values[:2] == ["support@crawl4ai.com", "sales@example.org"]
    for match in matches:
        start, end = match["span"]
        assert content[start:end] == match["value"]


def test_html_formats_see_attributes_and_text_does_not() -> None:
    """The HTML products hold attribute values (a mailto: address); plain text does not."""
    email = RegexExtractionStrategy.Email
    in_html = scrape(REGEX_PAGE, URL, extraction_strategy=RegexExtractionStrategy(email))
    in_text = scrape(
        REGEX_PAGE, URL, extraction_strategy=RegexExtractionStrategy(email, input_format="text")
    )
    assert "hidden@attr.example" in in_html.extracted_content  # type: ignore[operator]
    assert "hidden@attr.example" not in in_text.extracted_content  # type: ignore[operator]
    assert "support@crawl4ai.com" in in_text.extracted_content  # type: ignore[operator]


def test_all_patterns_on_crawl4ais_regex_page() -> None:
    """RegexExtractionStrategy.All on Crawl4AI's test page finds e-mails, URLs and dates."""
    strategy = RegexExtractionStrategy(pattern=RegexExtractionStrategy.All)
    labels = {m["label"] for m in strategy.extract(URL, REGEX_PAGE)}
    assert {"email", "url", "date_iso", "date_us", "phone_us", "ipv4", "currency"} <= labels
    assert "percentage" in labels and "time_24h" in labels


def test_extract_from_soup_reads_the_text() -> None:
    """Used on a parsed page directly, the strategy reads the page's text."""
    from seleniumcrawl.content.parse import parse_html

    strategy = RegexExtractionStrategy(RegexExtractionStrategy.Email)
    values = [m["value"] for m in strategy.extract_from_soup(URL, parse_html(REGEX_PAGE))]
    assert values == ["support@crawl4ai.com", "sales@example.org"]
