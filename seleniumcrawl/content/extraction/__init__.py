"""Extraction strategies: Crawl4AI's schema (CSS, XPath, CSS on lxml) and regular expressions.

``base`` holds the interface, ``schema`` validates and compiles a schema, ``fields``
is the field engine, ``css``, ``xpath`` and ``lxml_css`` are the selector backends,
``regex`` the pattern strategy. Extraction reads a parsed page; it never imports the
scraping step (which calls it).
"""

from seleniumcrawl.content.extraction.base import ExtractionStrategy
from seleniumcrawl.content.extraction.css import JsonCssExtractionStrategy
from seleniumcrawl.content.extraction.lxml_css import JsonLxmlExtractionStrategy
from seleniumcrawl.content.extraction.regex import RegexExtractionStrategy
from seleniumcrawl.content.extraction.xpath import JsonXPathExtractionStrategy

__all__ = [
    "ExtractionStrategy",
    "JsonCssExtractionStrategy",
    "JsonLxmlExtractionStrategy",
    "JsonXPathExtractionStrategy",
    "RegexExtractionStrategy",
]
