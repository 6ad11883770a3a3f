"""HTML to Markdown from a parsed tree: the rules, and the same output from both trees."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from bs4 import BeautifulSoup

from seleniumcrawl.content.markdown import lxml_to_markdown, soup_to_markdown
from seleniumcrawl.content.scraping import scrape

QUALITY = Path(__file__).resolve().parents[1] / "data" / "quality"


def both(html: str, **options: bool) -> str:
    """Markdown of ``html`` from BeautifulSoup and from lxml; they must agree."""
    soup = BeautifulSoup(html, "lxml")
    from_soup = soup_to_markdown([soup.body], **options)
    root = lxml.html.document_fromstring(html)
    from_lxml = lxml_to_markdown([root.find("body")], **options)
    assert from_soup == from_lxml
    return from_soup


def test_headings_paragraphs_and_inline_marks() -> None:
    """ATX headings, one blank line between blocks, **strong**, *em*, `code`, ~~del~~."""
    md = both(
        "<h1>Title</h1><p>Some <strong>bold</strong>, <em>italic</em>, <code>x_y</code> and "
        "<del>gone</del> text.</p><h3>Sub</h3>"
    )
    assert md == "# Title\n\nSome **bold**, *italic*, `x_y` and ~~gone~~ text.\n\n### Sub"


def test_whitespace_is_collapsed_and_br_breaks_lines() -> None:
    """Source newlines are spaces; <br> is a Markdown hard break inside the paragraph."""
    assert both("<p>one\n   two<br>three</p>") == "one two  \nthree"


def test_links_and_images() -> None:
    """[text](href), ![alt](src); a link without href or text, and data: images, vanish."""
    md = both(
        '<p><a href="https://a.test/x">A link</a> <a>no href</a> <a href="/y"></a> '
        '<img src="https://a.test/i.png" alt="pic"> <img src="data:image/png;base64,AA"></p>'
    )
    assert md == "[A link](https://a.test/x) no href ![pic](https://a.test/i.png)"


def test_lists_nested_and_ordered_with_start() -> None:
    """* bullets, numbered items from ``start``, nested lists indented under their item."""
    md = both(
        "<ul><li>one</li><li>two<ul><li>inner</li></ul></li></ul>"
        '<ol start="3"><li>three</li><li><p>four</p></li></ol>'
    )
    assert md == "* one\n* two\n  * inner\n\n3. three\n4. four"


def test_code_block_keeps_whitespace_and_language() -> None:
    """<pre> is a fenced block with its whitespace as written and the language class."""
    md = both('<pre><code class="language-python">def f():\n    return 1\n</code></pre>')
    assert md == "```python\ndef f():\n    return 1\n```"


def test_code_block_containing_fences_uses_a_longer_fence() -> None:
    """Code that holds ``` is fenced with ```` so the block stays intact."""
    assert both("<pre>a\n```\nb</pre>") == "````\na\n```\nb\n````"


def test_table_is_a_pipe_table() -> None:
    """A data table becomes a pipe table with the first row as header; | is escaped."""
    md = both(
        "<table><thead><tr><th>Name</th><th>Value</th></tr></thead>"
        "<tbody><tr><td>a|b</td><td><b>1</b></td></tr><tr><td>c</td></tr></tbody></table>"
    )
    assert md == "| Name | Value |\n| --- | --- |\n| a\\|b | **1** |\n| c |  |"


def test_layout_table_renders_its_content() -> None:
    """A table holding another table is layout: its content is rendered, not a pipe table."""
    md = both("<table><tr><td><p>Para one.</p><table><tr><td>x</td></tr></table></td></tr></table>")
    assert md.startswith("Para one.")
    assert "| --- |" in md  # the inner data table is still a table


def test_blockquote_and_rule() -> None:
    """Blockquotes prefix each line with '> ', <hr> is '---'."""
    assert both("<blockquote><p>a</p><p>b</p></blockquote><hr>") == "> a\n>\n> b\n\n---"


def test_skipped_elements_and_block_inside_link() -> None:
    """Scripts, styles and SVG give nothing; a link around a block becomes one link."""
    md = both(
        "<script>x()</script><style>p{}</style><svg><title>icon</title></svg>"
        '<a href="https://a.test/"><h4>Teaser</h4></a>'
    )
    assert md == "[Teaser](https://a.test/)"


def test_options_ignore_links_images_emphasis() -> None:
    """html2text's ignore_links/ignore_images/ignore_emphasis options apply."""
    html = (
        '<p><a href="https://a.test/">L</a> <img src="https://a.test/i.png" alt="i"> <b>B</b></p>'
    )
    assert both(html, ignore_links=True, ignore_images=True, ignore_emphasis=True) == "L B"


def test_selected_root_is_rendered_itself() -> None:
    """A root that is itself a heading or list (css_selector match) is rendered as one."""
    soup = BeautifulSoup("<h2>Only</h2><ul><li>x</li></ul>", "lxml")
    assert soup_to_markdown([soup.h2, soup.ul]) == "## Only\n\n* x"


@pytest.mark.parametrize("page", sorted(p.stem for p in QUALITY.glob("*.html")))
def test_both_trees_give_the_same_markdown_on_real_shaped_pages(page: str) -> None:
    """On every quality page, the crawl's tree and an lxml parse give identical Markdown."""
    cleaned = scrape((QUALITY / f"{page}.html").read_text(encoding="utf-8"), "https://s.test/")
    soup = BeautifulSoup(cleaned.cleaned_html, "lxml")
    root = lxml.html.document_fromstring(cleaned.cleaned_html)
    assert soup_to_markdown([soup.body]) == lxml_to_markdown([root.find("body")])
    assert soup_to_markdown([soup.body]) == cleaned.markdown
