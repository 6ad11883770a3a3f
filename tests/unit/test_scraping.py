"""scrape(): cleaned HTML, narrowing, links, images, metadata, Markdown, from one parse."""

from __future__ import annotations

import json
from typing import Any

import bs4
import pytest

from seleniumcrawl.content.scraping import ScrapedPage, scrape
from seleniumcrawl.errors import ConfigError
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy, JsonXPathExtractionStrategy

URL = "https://site.test/shop/list.html"

PAGE = """<!DOCTYPE html>
<html><head>
  <title>  The   Shop </title>
  <meta name="description" content="Things to buy">
  <meta name="keywords" content="shop, things">
  <meta property="og:title" content="The Shop (OG)">
  <meta property="og:image" content="https://cdn.test/og.png">
  <link rel="canonical" href="/shop/">
  <style>body { color: red }</style>
  <script>var inHead = 1;</script>
</head><body>
  <nav><a href="/nav-only">Navigation</a></nav>
  <h1>Catalogue</h1>
  <!-- a comment -->
  <script>var tracking = "SCRIPT-TEXT";</script>
  <noscript><img src="/pixel.gif" alt="noscript pixel"></noscript>
  <div class="products">
    <div class="product"><h2>Widget</h2>
      <a href="item/1">Widget   page</a>
      <img src="img/w.png" alt="Widget photo">
    </div>
    <div class="product"><h2>Gadget</h2>
      <a href="/shop/item/2">Gadget page</a>
      <a href="item/1">duplicate of widget</a>
      <img src="https://cdn.test/g.png">
    </div>
  </div>
  <p>Links: <a href="https://other.test/page">Other site</a>
    <a href="//cdn.test/file.pdf">A file</a>
    <a href="https://site.test/about">About us</a>
    <a href="mailto:shop@site.test">Mail</a>
    <a href="javascript:void(0)">JS</a>
    <a href="tel:+123">Call</a>
    <a href="#top">Top</a>
    <a>No href</a>
    <img src="data:image/png;base64,AAAA" alt="inline">
    <img data-src="/lazy.png" alt="lazy">
  </p>
  <footer><a href="/footer-link">Footer</a></footer>
</body></html>"""


def _hrefs(links: list[dict[str, str]]) -> list[str]:
    return [link["href"] for link in links]


@pytest.fixture(scope="module")
def page() -> ScrapedPage:
    return scrape(PAGE, URL, excluded_tags=["nav", "footer"])


def test_html_is_the_input_when_not_narrowed(page: ScrapedPage) -> None:
    """Without css_selector, html is the page exactly as given."""
    assert page.html == PAGE


def test_cleaned_html_drops_scripts_styles_comments_and_excluded_tags(page: ScrapedPage) -> None:
    """cleaned_html keeps the content but not script, style, noscript, comments, excluded tags."""
    cleaned = page.cleaned_html
    assert "<h1>Catalogue</h1>" in cleaned
    assert "Widget" in cleaned
    for gone in ("SCRIPT-TEXT", "<script", "color: red", "a comment", "noscript", "Navigation"):
        assert gone not in cleaned
    assert "Footer" not in cleaned
    assert "inHead" not in cleaned  # the head is not content


def test_links_split_internal_and_external(page: ScrapedPage) -> None:
    """Links are absolute, same host = internal, deduplicated, non-page schemes left out."""
    assert _hrefs(page.links["internal"]) == [
        "https://site.test/shop/item/1",
        "https://site.test/shop/item/2",
        "https://site.test/about",
    ]
    assert _hrefs(page.links["external"]) == [
        "https://other.test/page",
        "https://cdn.test/file.pdf",  # protocol-relative: the page's scheme
    ]


def test_link_text_is_whitespace_normalised(page: ScrapedPage) -> None:
    """A link's text has its whitespace collapsed; the first occurrence of an href wins."""
    assert page.links["internal"][0] == {
        "href": "https://site.test/shop/item/1",
        "text": "Widget page",
        "title": "",
        "base_domain": "site.test",
    }


def test_links_inside_removed_elements_are_not_reported(page: ScrapedPage) -> None:
    """Links in excluded tags (nav, footer here) are gone with them."""
    every = _hrefs(page.links["internal"]) + _hrefs(page.links["external"])
    assert not any("nav-only" in href or "footer-link" in href for href in every)


def test_images_have_absolute_sources(page: ScrapedPage) -> None:
    """Images: absolute src (data-src for lazy ones), alt or "", data: URIs left out."""
    assert [(img["src"], img["alt"]) for img in page.media["images"]] == [
        ("https://site.test/shop/img/w.png", "Widget photo"),
        ("https://cdn.test/g.png", ""),
        ("https://site.test/lazy.png", "lazy"),
    ]
    first = page.media["images"][0]
    assert first["type"] == "image" and first["format"] == "png"
    assert first["desc"] == "Widget Widget page"  # the text of the enclosing product
    assert [img["group_id"] for img in page.media["images"]] == [0, 1, 3]  # 2 is data:


def test_metadata(page: ScrapedPage) -> None:
    """Metadata holds title, description, keywords, og:* and an absolute canonical URL."""
    assert page.metadata == {
        "title": "The Shop",
        "description": "Things to buy",
        "keywords": "shop, things",
        "author": None,
        "canonical": "https://site.test/shop/",
        "og:title": "The Shop (OG)",
        "og:image": "https://cdn.test/og.png",
    }


def test_metadata_of_a_bare_page() -> None:
    """A page without a head still gets every standard metadata key, set to None."""
    meta = scrape("<p>hello</p>", URL).metadata
    assert meta == {
        "title": None,
        "description": None,
        "keywords": None,
        "author": None,
        "canonical": None,
    }


def test_markdown_has_headings_and_absolute_links(page: ScrapedPage) -> None:
    """Markdown comes from the cleaned content: ATX headings, links with absolute URLs."""
    markdown = page.markdown
    assert "# Catalogue" in markdown
    assert "## Widget" in markdown
    assert "[Widget page](https://site.test/shop/item/1)" in markdown
    assert "[Other site](https://other.test/page)" in markdown
    assert "SCRIPT-TEXT" not in markdown
    assert "Navigation" not in markdown
    assert "![lazy](https://site.test/lazy.png)" in markdown
    assert "\n\n\n" not in markdown  # removed nodes leave no runs of blank lines


def test_cleaned_html_links_are_absolute(page: ScrapedPage) -> None:
    """Links and image sources in the cleaned HTML are absolute; in-page anchors stay."""
    cleaned = page.cleaned_html
    assert 'href="https://site.test/shop/item/1"' in cleaned
    assert 'src="https://site.test/shop/img/w.png"' in cleaned
    assert 'href="#top"' in cleaned


def test_exclude_external_links() -> None:
    """exclude_external_links empties "external" and unwraps those links in the content."""
    scraped = scrape(PAGE, URL, exclude_external_links=True)
    assert scraped.links["external"] == []
    assert len(scraped.links["internal"]) == 5  # nav and footer links are kept here
    assert "other.test" not in scraped.cleaned_html
    assert "Other site" in scraped.cleaned_html  # the text stays
    assert "other.test" not in scraped.markdown


def test_css_selector_narrows_content_and_extraction() -> None:
    """css_selector narrows html/cleaned/links/images/Markdown and extraction (Crawl4AI)."""
    schema = {"baseSelector": "h1, h2", "fields": [{"name": "t", "type": "text"}]}
    scraped = scrape(
        PAGE,
        URL,
        css_selector="div.product",
        extraction_strategy=JsonCssExtractionStrategy(schema),
    )
    assert scraped.html.startswith('<div class="product"><h2>Widget</h2>')
    assert "Catalogue" not in scraped.html
    assert "Catalogue" not in scraped.cleaned_html
    assert "Catalogue" not in scraped.markdown
    assert "## Gadget" in scraped.markdown
    assert _hrefs(scraped.links["internal"]) == [
        "https://site.test/shop/item/1",
        "https://site.test/shop/item/2",
    ]
    assert scraped.links["external"] == []
    assert len(scraped.media["images"]) == 2
    assert json.loads(scraped.extracted_content or "") == [{"t": "Widget"}, {"t": "Gadget"}]
    assert scraped.metadata["title"] == "The Shop"  # metadata stays the page's


def test_css_selector_keeps_only_outermost_matches() -> None:
    """A match inside another match is not emitted twice."""
    html = "<div class='c'>outer <div class='c'>inner</div></div><div class='c'>second</div>"
    scraped = scrape(html, URL, css_selector=".c")
    assert scraped.cleaned_html.count("inner") == 1
    assert scraped.cleaned_html.count("second") == 1


def test_css_selector_without_match_gives_empty_content() -> None:
    """A css_selector that matches nothing leaves every narrowed product empty."""
    scraped = scrape(PAGE, URL, css_selector="article")
    assert (scraped.html, scraped.cleaned_html, scraped.markdown) == ("", "", "")
    assert scraped.links == {"internal": [], "external": []}
    assert scraped.media == {"images": []}
    assert scraped.metadata["title"] == "The Shop"  # metadata is the page's


def test_invalid_css_selector_is_a_config_error() -> None:
    """A css_selector soupsieve cannot parse raises ConfigError (a ValueError) naming it."""
    with pytest.raises(ConfigError, match=r"^css_selector: invalid CSS selector 'div\['"):
        scrape(PAGE, URL, css_selector="div[")
    with pytest.raises(ValueError):
        scrape(PAGE, URL, css_selector="::nope")


def test_excluded_tags_must_be_names() -> None:
    """excluded_tags given as one string (not a list) is refused, not split into letters."""
    with pytest.raises(ConfigError, match="excluded_tags"):
        scrape(PAGE, URL, excluded_tags="nav")


def test_base_href_is_honoured() -> None:
    """Relative links resolve against <base href> when the page has one."""
    html = '<head><base href="https://static.test/v2/"></head><body><a href="x">x</a></body>'
    scraped = scrape(html, URL)
    assert scraped.links["external"] == [
        {"href": "https://static.test/v2/x", "text": "x", "title": "", "base_domain": "static.test"}
    ]


def test_raw_page_links() -> None:
    """On a raw: page relative links cannot be resolved: kept as written and internal."""
    html = "<a href='/p/1'>one</a><a href='https://x.test/'>x</a>"
    scraped = scrape(html, "raw:" + html)
    assert scraped.links == {
        "internal": [{"href": "/p/1", "text": "one", "title": "", "base_domain": ""}],
        "external": [
            {"href": "https://x.test/", "text": "x", "title": "", "base_domain": "x.test"}
        ],
    }


def test_no_strategy_means_no_extracted_content(page: ScrapedPage) -> None:
    """Without an extraction strategy extracted_content is None."""
    assert page.extracted_content is None


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    original = bs4.BeautifulSoup.__init__

    def counting(self: bs4.BeautifulSoup, *args: Any, **kwargs: Any) -> None:
        calls.append(args[:1])
        original(self, *args, **kwargs)

    monkeypatch.setattr(bs4.BeautifulSoup, "__init__", counting)
    return calls


@pytest.mark.parametrize(
    "strategy",
    [
        JsonCssExtractionStrategy(
            {
                "baseSelector": "div.product",
                "fields": [{"name": "n", "selector": "h2", "type": "text"}],
            }
        ),
        JsonXPathExtractionStrategy(
            {
                "baseSelector": "//div[@class='product']",
                "fields": [{"name": "n", "selector": ".//h2", "type": "text"}],
            }
        ),
    ],
    ids=["css", "xpath"],
)
def test_scrape_parses_exactly_once(monkeypatch: pytest.MonkeyPatch, strategy: Any) -> None:
    """Every product, extraction included, comes from a single BeautifulSoup parse."""
    calls = _count_parses(monkeypatch)
    scraped = scrape(
        PAGE, URL, css_selector="div.products", excluded_tags=["nav"], extraction_strategy=strategy
    )
    assert len(calls) == 1
    assert json.loads(scraped.extracted_content or "") == [{"n": "Widget"}, {"n": "Gadget"}]
    assert scraped.markdown and scraped.links["internal"] and scraped.media["images"]


def test_extract_alone_parses_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """extract(url, html) parses the page once (the counter itself works)."""
    calls = _count_parses(monkeypatch)
    strategy = JsonCssExtractionStrategy(
        {"baseSelector": "h1", "fields": [{"name": "t", "type": "text"}]}
    )
    assert strategy.extract(URL, PAGE) == [{"t": "Catalogue"}]
    assert len(calls) == 1
