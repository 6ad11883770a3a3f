"""Schema-driven extraction (placeholder: full schema lands with the extraction issue)."""

from __future__ import annotations

import json
from typing import Any

from bs4 import BeautifulSoup, Tag

from seleniumcrawl.errors import SchemaError


class ExtractionStrategy:
    """Base class: turns a page into a list of records."""

    def extract(self, url: str, html: str) -> list[dict[str, Any]]:
        """Extract records from ``html`` (parsed here)."""
        return self.extract_from_soup(url, BeautifulSoup(html, "lxml"))

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from an already parsed page (the tree is not mutated)."""
        raise NotImplementedError

    def run(self, url: str, soup: BeautifulSoup) -> str:
        """Extract and serialise to the JSON string stored in ``extracted_content``."""
        return json.dumps(self.extract_from_soup(url, soup), ensure_ascii=False)


class JsonCssExtractionStrategy(ExtractionStrategy):
    """Crawl4AI-style schema with CSS selectors (text and attribute fields for now)."""

    def __init__(self, schema: dict[str, Any], verbose: bool = False) -> None:
        if not isinstance(schema, dict) or "baseSelector" not in schema:
            raise SchemaError("schema.baseSelector is required")
        self.schema = schema
        self.verbose = verbose

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        items = []
        for base in soup.select(self.schema["baseSelector"]):
            item: dict[str, Any] = {}
            for field in self.schema.get("fields", []):
                el = base.select_one(field["selector"]) if field.get("selector") else base
                if not isinstance(el, Tag):
                    continue
                if field.get("type") == "attribute":
                    val = el.get(field["attribute"])
                    if val is not None:
                        item[field["name"]] = val
                else:
                    item[field["name"]] = el.get_text(strip=True)
            items.append(item)
        return items


class JsonXPathExtractionStrategy(ExtractionStrategy):
    """Same schema with XPath selectors (lands with the extraction issue)."""

    def __init__(self, schema: dict[str, Any], verbose: bool = False) -> None:
        self.schema = schema
        self.verbose = verbose

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        raise NotImplementedError("XPath extraction lands with the extraction issue")


__all__ = ["ExtractionStrategy", "JsonCssExtractionStrategy", "JsonXPathExtractionStrategy"]
