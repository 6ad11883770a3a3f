"""The extraction strategy interface: a parsed page (or a part of it) in, records out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, ClassVar

from bs4 import BeautifulSoup, Tag

from seleniumcrawl.content.parse import parse_html


class ExtractionStrategy:
    """Base class: turns a parsed page into a list of records.

    Subclasses implement :meth:`extract_from_soup`; the crawler calls :meth:`run` on
    the tree it already parsed for the page, so a page is parsed once per crawl.

    A strategy that reads text rather than the tree (``reads_tree = False``, e.g.
    :class:`~seleniumcrawl.content.extraction.regex.RegexExtractionStrategy`)
    implements :meth:`run_on_text` instead, and the crawl hands it the product its
    ``input_format`` names.
    """

    #: Whether the crawl gives this strategy the parsed tree (else a text product).
    reads_tree: ClassVar[bool] = True

    def extract(self, url: str, html: str) -> list[dict[str, Any]]:
        """Extract records from ``html``, parsed here (for use without a crawler)."""
        return self.extract_from_soup(url, parse_html(html))

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from an already parsed page; ``soup`` is left unchanged."""
        raise NotImplementedError

    def extract_from_roots(self, url: str, roots: Sequence[Tag]) -> list[dict[str, Any]]:
        """Extract records from parts of a page (``css_selector``/``target_elements``
        matches), as if they were the whole page; the tree is left unchanged."""
        raise NotImplementedError

    def run(self, url: str, soup: BeautifulSoup, roots: Sequence[Tag] | None = None) -> str:
        """Extract and serialise to the JSON array stored in ``extracted_content``.

        With ``roots``, only those parts of the page are read. Values a ``computed``
        function returns that JSON cannot encode are written as their ``str()`` rather
        than failing the crawl after the page was fetched.
        """
        records = (
            self.extract_from_soup(url, soup)
            if roots is None
            else self.extract_from_roots(url, roots)
        )
        return serialise(records)

    def run_on_text(self, url: str, content: str) -> str:
        """For strategies that do not read the tree: extract from a text product."""
        raise NotImplementedError


def serialise(records: list[dict[str, Any]]) -> str:
    """The JSON array of ``extracted_content``."""
    return json.dumps(records, ensure_ascii=False, default=str)


__all__ = ["ExtractionStrategy", "serialise"]
