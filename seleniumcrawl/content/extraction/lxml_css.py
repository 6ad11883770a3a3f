"""CSS selectors on an lxml tree: :class:`JsonLxmlExtractionStrategy` (Crawl4AI's name).

The schema and its field semantics are JsonCss's (one :class:`SchemaCompiler`, one field
engine); the selectors are CSS, translated once to XPath by ``cssselect`` and run by
lxml on the same tree operations as :class:`JsonXPathExtractionStrategy`. ``extract(url,
html)`` parses with lxml alone, which is several times faster than building a
BeautifulSoup tree; in a crawl the page's one parse is copied into lxml, as for XPath.

A field selector matches elements *inside* the current element (the element itself
never, as with JsonCss), and never inside a ``<template>`` (as soupsieve). Its
combinators are evaluated within that element, so a selector whose first part names an
ancestor of the current element (``body .price`` from a product) matches nothing here,
while soupsieve (JsonCss) looks above it too.
"""

from __future__ import annotations

from typing import Any

import cssselect
from cssselect.parser import CombinedSelector
from lxml import etree

from seleniumcrawl.content.extraction.xpath import JsonXPathExtractionStrategy
from seleniumcrawl.errors import SchemaError

_TRANSLATOR = cssselect.HTMLTranslator()


class _LxmlCss:
    """A CSS selector compiled to XPath: ``select`` (under an element) and ``match``."""

    __slots__ = ("_match", "_select", "text")

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        try:
            parsed = cssselect.parse(text)
            # Like soupsieve, a <template>'s contents are not part of the document.
            select = "({})[not(ancestor::template)]".format(
                _TRANSLATOR.css_to_xpath(text, prefix="descendant-or-self::")
            )
            simple = len(parsed) == 1 and not isinstance(parsed[0].parsed_tree, CombinedSelector)
            match = _TRANSLATOR.css_to_xpath(text, prefix="self::") if simple else None
            self._select = etree.XPath(select)
            self._match = etree.XPath(match) if match is not None else None
        except (cssselect.SelectorError, etree.XPathSyntaxError, ValueError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SchemaError(f"{path}: invalid CSS selector {text!r}: {first_line}") from exc

    def select(self, element: Any) -> list[Any]:
        """Matching elements inside ``element`` (itself excluded), in document order."""
        return [node for node in self._select(element) if node is not element]

    def match(self, element: Any) -> bool:
        """Whether ``element`` itself matches."""
        if self._match is not None:
            return bool(self._match(element))
        parent = element.getparent()
        scope = element if parent is None else parent
        return any(node is element for node in self._select(scope))


class JsonLxmlExtractionStrategy(JsonXPathExtractionStrategy):
    """Crawl4AI's schema with CSS selectors, evaluated with lxml (see the module notes).

    Gives the same records as :class:`JsonCssExtractionStrategy` on the same schema
    (``text`` keeps inner whitespace, multi-valued attributes are one string), apart
    from selectors that reach above the current element.
    """

    def _compile_selector(self, expr: str, path: str) -> Any:
        return _LxmlCss(expr, path)

    def _compile_source(self, expr: str, path: str) -> Any:
        return _LxmlCss(expr, path)

    def _select_all(self, element: Any, selector: Any) -> list[Any]:
        return [node for node in selector.select(element) if isinstance(node.tag, str)]

    def _select_first(self, element: Any, selector: Any) -> Any:
        found = self._select_all(element, selector)
        return found[0] if found else None

    def _first_element(self, element: Any, selector: Any) -> Any:
        return self._select_first(element, selector)

    def _next_sibling(self, element: Any, selector: Any) -> Any:
        # Crawl4AI's "+ sel": the first *following* sibling that matches, not only the next.
        for sibling in element.itersiblings():
            if isinstance(sibling.tag, str) and selector.match(sibling):
                return sibling
        return None

    def _matches(self, element: Any, selector: Any) -> bool:
        return bool(selector.match(element))


__all__ = ["JsonLxmlExtractionStrategy"]
