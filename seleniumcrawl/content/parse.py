"""Parsing a page's HTML: the one parse every content step reads. Imports nothing of ours.

Two trees, one per need. BeautifulSoup (built by lxml) is the tree of the CSS schema
extraction contract, of ``css_selector`` / ``target_elements`` and of the extraction
strategies that read a tree. A plain lxml tree is what every other crawl reads: it is
built in C (a Python documentation page of 50 KB: about 2 ms, against about 15 ms for
BeautifulSoup's tree on the same libxml2 parse) and serialised in C too. Both trees come
from the same libxml2 parser, so both hold the same elements and text; the tests check
that each content product is the same from either (``test_scraping_trees.py``).
:mod:`seleniumcrawl.content.nodes` reads either tree.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup

#: BeautifulSoup's tree builder. lxml (libxml2) builds a large page's tree in about half
#: of html.parser's time and both give the same
#: extraction records on every test page and on the benchmark page; html5lib is slower
#: still. The tests check that parity (test_parser_choice_gives_the_same_records...).
PARSER = "lxml"


def parse_html(html: str) -> BeautifulSoup:
    """Parse a page with the package's parser (:data:`PARSER`)."""
    return BeautifulSoup(html, PARSER)


def parse_lxml(html: str) -> lxml.html.HtmlElement | None:
    """The page as an lxml document (its ``<html>`` element); None when lxml refuses the
    string (an empty page, or a string that declares its own encoding), which
    BeautifulSoup then parses."""
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


__all__ = ["PARSER", "parse_html", "parse_lxml"]
