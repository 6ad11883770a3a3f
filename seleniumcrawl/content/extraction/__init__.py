"""Schema-driven extraction (Crawl4AI's ``JsonCssExtractionStrategy`` schema), CSS or XPath.

``base`` holds the interface, ``schema`` validates and compiles a schema, ``fields``
is the field engine, ``css`` and ``xpath`` are the two selector backends. Extraction
reads a parsed page; it never imports the scraping step (which calls it).
"""

from seleniumcrawl.content.extraction.base import ExtractionStrategy
from seleniumcrawl.content.extraction.css import JsonCssExtractionStrategy
from seleniumcrawl.content.extraction.xpath import JsonXPathExtractionStrategy

__all__ = ["ExtractionStrategy", "JsonCssExtractionStrategy", "JsonXPathExtractionStrategy"]
