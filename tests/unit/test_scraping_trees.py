"""scrape() reads an lxml tree by default and BeautifulSoup's when CSS matching needs it;
both give the same products, and real pages' Markdown is what it was before the change."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

import lxml.html
import pytest

import seleniumcrawl.content.scraping as scraping
from seleniumcrawl.content.scraping import ScrapedPage, scrape
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy

PYDOCS = Path(__file__).resolve().parents[1] / "data" / "pydocs"
REAL_PAGES = sorted(PYDOCS.glob("*.html"))

SMALL_PAGES = {
    "images": """<html><head><title>Pics</title><base href="/media/"></head><body>
      <main><figure><img src="a.jpg" width="400" alt="A big one"><figcaption>Caption A
      </figcaption></figure><p>Text around <img src="b.png" srcset="b2.png 2x, b3.png 800w">
      here.</p></main><picture><source srcset="c.webp 600w"><img src="c.jpg"></picture>
      <header><img src="/logo.svg" alt="logo"></header><button><img src="x.gif"></button>
      </body></html>""",
    "tails": """<body><p>keep <!-- gone --> this <script>x()</script>and <b>that</b>
      <style>p{}</style> tail</p><div>short</div><ul><li>one</li><li>two words</li></ul>
      <pre class="language-py">a = 1\n  b = 2</pre><table><tr><th>h</th></tr><tr><td>c</td>
      </tr></table><a href="https://elsewhere.test/x">out</a><a href="#top">top</a></body>""",
    "fragment": "<p>Only a <a href='rel'>fragment</a> of text</p>",
    "no-body": "<html><head><title>Head only</title></head></html>",
    "empty": "",
    "declared": '<?xml version="1.0" encoding="utf-8"?><html><body><p>xhtml</p></body></html>',
}


def _url(page: Path) -> str:
    return "http://127.0.0.1:8000/" + page.stem.replace("-", "/", 1) + ".html"


def _with_soup(monkeypatch: pytest.MonkeyPatch, html: str, url: str, **kw: Any) -> ScrapedPage:
    """The page as the BeautifulSoup tree gives it (the path of CSS-matching crawls)."""
    with monkeypatch.context() as patched:
        patched.setattr(scraping, "parse_lxml", lambda html: None)
        return scrape(html, url, **kw)


def _shape(html: str) -> list[tuple[Any, ...]]:
    """Elements, attributes and text of cleaned HTML, whitespace and attribute order aside
    (BeautifulSoup's builder drops indentation and sorts attributes; lxml keeps both) and
    percent-encoding (libxml2 encodes non-ASCII in href and src when it serialises)."""
    if not html.strip():
        return []
    document = lxml.html.document_fromstring(html)
    return [
        (e.tag, sorted((k, unquote(v)) for k, v in e.attrib.items()),
         " ".join((e.text or "").split()),
         " ".join((e.tail or "").split()))
        for e in document.iter()
    ]  # fmt: skip


def _assert_same(fast: ScrapedPage, soup: ScrapedPage) -> None:
    assert fast.html == soup.html
    assert fast.links == soup.links
    assert fast.media == soup.media
    assert fast.metadata == soup.metadata
    assert fast.tables == soup.tables
    assert str(fast.markdown) == str(soup.markdown)
    assert _shape(fast.cleaned_html) == _shape(soup.cleaned_html)
    # libxml2's serialiser percent-encodes non-ASCII in href/src, so fit markdown (made
    # from cleaned_html) may spell such an address encoded; it is the same address.
    assert unquote(fast.markdown.fit_markdown) == unquote(soup.markdown.fit_markdown)


@pytest.mark.parametrize("page", REAL_PAGES, ids=lambda p: p.stem)
def test_real_page_markdown_is_unchanged(page: Path) -> None:
    """On real Python documentation pages the default crawl's raw markdown equals the golden
    file written by the BeautifulSoup-only scrape it replaced."""
    expected = page.with_suffix(".md").read_text(encoding="utf-8")
    assert str(scrape(page.read_text(encoding="utf-8"), _url(page).strip()).markdown) + "\n" == (
        expected
    )


@pytest.mark.parametrize("page", REAL_PAGES, ids=lambda p: p.stem)
def test_real_page_products_are_the_same_from_either_tree(
    page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Links, images, metadata, markdown, fit markdown and cleaned HTML of a real page are the
    same from the lxml tree and from BeautifulSoup's."""
    html = page.read_text(encoding="utf-8")
    _assert_same(scrape(html, _url(page)), _with_soup(monkeypatch, html, _url(page)))


@pytest.mark.parametrize("name", sorted(SMALL_PAGES))
@pytest.mark.parametrize(
    "options",
    [{}, {"word_count_threshold": 2}, {"exclude_external_links": True},
     {"exclude_external_images": True, "excluded_tags": ["header"]}],
    ids=["defaults", "threshold", "no-external-links", "no-external-images"],
)  # fmt: skip
def test_edge_pages_are_the_same_from_either_tree(
    name: str, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Images (figure, srcset, picture, icons), removed nodes with text after them, short
    blocks, fragments, head-only, empty and encoding-declaring pages come out the same from
    both trees under the scraping options."""
    html, url = SMALL_PAGES[name], "http://site.test/docs/page.html"
    _assert_same(scrape(html, url, **options), _with_soup(monkeypatch, html, url, **options))


def test_css_matching_crawls_use_the_soup_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """css_selector, target_elements and a tree-reading extraction strategy parse with
    BeautifulSoup (the CSS schema contract); a plain crawl does not build it."""
    built: list[str] = []
    real = scraping.parse_html

    def counting(html: str) -> Any:
        built.append(html)
        return real(html)

    monkeypatch.setattr(scraping, "parse_html", counting)
    html = "<body><div class='x'><p>one two</p></div></body>"
    scrape(html, "http://site.test/")
    assert built == []
    scrape(html, "http://site.test/", css_selector=".x")
    scrape(html, "http://site.test/", target_elements=["p"])
    strategy = JsonCssExtractionStrategy(
        {"name": "x", "baseSelector": ".x", "fields": [{"name": "p", "selector": "p",
                                                         "type": "text"}]}
    )  # fmt: skip
    assert scrape(html, "http://site.test/", extraction_strategy=strategy).extracted_content
    assert len(built) == 3
