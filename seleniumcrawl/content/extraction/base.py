"""The extraction strategy interface: a parsed page in, records out."""

from __future__ import annotations

import json
from typing import Any

from bs4 import BeautifulSoup

from seleniumcrawl.content.parse import parse_html


class ExtractionStrategy:
    """Base class: turns a parsed page into a list of records.

    Subclasses implement :meth:`extract_from_soup`; the crawler calls :meth:`run` on
    the tree it already parsed for the page, so a page is parsed once per crawl.
    """

    def extract(self, url: str, html: str) -> list[dict[str, Any]]:
        """Extract records from ``html``, parsed here (for use without a crawler)."""
        return self.extract_from_soup(url, parse_html(html))

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from an already parsed page; ``soup`` is left unchanged."""
        raise NotImplementedError

    def run(self, url: str, soup: BeautifulSoup) -> str:
        """Extract and serialise to the JSON array stored in ``extracted_content``.

        Values a ``computed`` function returns that JSON cannot encode are written as
        their ``str()`` rather than failing the crawl after the page was fetched.
        """
        return json.dumps(self.extract_from_soup(url, soup), ensure_ascii=False, default=str)


__all__ = ["ExtractionStrategy"]
