"""Parsing a page's HTML: the one parse every content step reads. Imports nothing of ours."""

from __future__ import annotations

from bs4 import BeautifulSoup

#: BeautifulSoup's tree builder. lxml (libxml2) builds a large page's tree in about half
#: of html.parser's time and both give the same
#: extraction records on every test page and on the benchmark page; html5lib is slower
#: still. The tests check that parity (test_parser_choice_gives_the_same_records...).
PARSER = "lxml"


def parse_html(html: str) -> BeautifulSoup:
    """Parse a page with the package's parser (:data:`PARSER`)."""
    return BeautifulSoup(html, PARSER)


__all__ = ["PARSER", "parse_html"]
