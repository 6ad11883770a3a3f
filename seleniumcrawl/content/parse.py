"""Parsing a page's HTML: the one parse every content step reads. Imports nothing of ours."""

from __future__ import annotations

from bs4 import BeautifulSoup

#: BeautifulSoup's tree builder. lxml (libxml2) builds the 650 KB benchmark page's tree
#: in half of html.parser's time or less (e.g. 515 vs 894 ms) and both give the same
#: extraction records on every test page and on the benchmark page; html5lib is slower
#: still. The tests check that parity (test_parser_choice_gives_the_same_records...).
PARSER = "lxml"


def parse_html(html: str) -> BeautifulSoup:
    """Parse a page with the package's parser (:data:`PARSER`)."""
    return BeautifulSoup(html, PARSER)


__all__ = ["PARSER", "parse_html"]
