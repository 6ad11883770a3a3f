"""XPath extraction: :class:`JsonXPathExtractionStrategy`, and the BeautifulSoup-to-lxml copier."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
)
from lxml import etree

from seleniumcrawl.content.extraction.fields import JsonElementStrategy
from seleniumcrawl.errors import SchemaError

logger = logging.getLogger(__name__)

_XPATH_SIBLING_SHORTHAND = re.compile(r"(?P<tag>[A-Za-z*][\w-]*)?(?P<classes>(?:\.[\w-]+)+)")
_TEXT_CONTAINERS = frozenset({"script", "style", "template", "rt", "rp"})
_NOT_TEXT = (Declaration, Doctype, ProcessingInstruction)  # bs4 strings that are not text


class JsonXPathExtractionStrategy(JsonElementStrategy[Any, Any]):
    """The same schema with XPath selectors, evaluated with lxml.

    A field selector starting with ``/`` is made relative to the current element
    (``//span`` searches under it), as Crawl4AI does; other expressions are plain
    XPath relative to it (divergence: Crawl4AI rewrites a bare ``span`` into
    ``.//span``; here it means the child ``span``, as XPath says). ``source`` takes
    ``"+ <step>"``: ``+ tr`` or ``+ tr[@class='x']`` is the first following sibling
    matching the step; Crawl4AI's ``+ tr.subtext`` class shorthand is understood too.

    ``extract(url, html)`` parses with lxml directly; ``extract_from_soup`` (what a
    crawl uses) copies the already parsed BeautifulSoup tree into lxml elements, a
    tree walk rather than a second parse of the HTML.
    """

    def extract(self, url: str, html: str) -> list[dict[str, Any]]:
        """Extract records from ``html``, parsed with lxml (no BeautifulSoup needed)."""
        parser = etree.HTMLParser(encoding="utf-8")
        root = etree.fromstring(html.encode("utf-8"), parser) if html.strip() else None
        return [] if root is None else self._extract_root(root)

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from ``soup`` (read only), through an lxml copy of its tree."""
        return self._extract_root(_soup_to_lxml(soup))

    def extract_from_roots(self, url: str, roots: Sequence[Tag]) -> list[dict[str, Any]]:
        """Extract from parts of a page: copies of them, side by side in one document."""
        return self._extract_root(_roots_to_lxml(roots))

    def _compile_selector(self, expr: str, path: str) -> Any:
        relative = "." + expr if expr.startswith("/") and path != "baseSelector" else expr
        return _compile_xpath(relative, expr, path)

    def _compile_source(self, expr: str, path: str) -> Any:
        shorthand = _XPATH_SIBLING_SHORTHAND.fullmatch(expr)
        if shorthand is not None:
            step = shorthand["tag"] or "*"
            for cls in shorthand["classes"].split(".")[1:]:
                step += f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"
        else:
            step = expr
        return _compile_xpath(f"following-sibling::{step}[1]", expr, path)

    def _select_all(self, element: Any, selector: Any) -> list[Any]:
        found = selector(element)
        return (
            [node for node in found if _is_xpath_element(node)] if isinstance(found, list) else []
        )

    def _select_first(self, element: Any, selector: Any) -> Any:
        # A value field may select an attribute or a text node (``.//a/@href``).
        found = selector(element)
        if isinstance(found, list):
            for node in found:
                if isinstance(node, str) or _is_xpath_element(node):
                    return node
        return None

    def _first_element(self, element: Any, selector: Any) -> Any:
        found = self._select_all(element, selector)
        return found[0] if found else None

    def _next_sibling(self, element: Any, selector: Any) -> Any:
        return self._first_element(element, selector)

    def _text(self, element: Any) -> str:
        if isinstance(element, str):  # an attribute or text node selected by the XPath
            return str(element).strip()
        return _lxml_text(element).strip()

    def _html(self, element: Any) -> str:
        if isinstance(element, str):
            return str(element)
        return str(etree.tostring(element, encoding="unicode", method="html", with_tail=False))

    def _attribute(self, element: Any, name: str) -> str | None:
        if isinstance(element, str):
            return None
        value = element.get(name)
        return None if value is None else str(value)


def _compile_xpath(expr: str, shown: str, path: str) -> Any:
    try:
        return etree.XPath(expr)
    except etree.XPathSyntaxError as exc:
        raise SchemaError(f"{path}: invalid XPath {shown!r}: {exc}") from exc


def _is_xpath_element(node: Any) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def _lxml_text(element: Any) -> str:
    """Text content as BeautifulSoup's ``get_text`` gives it, for parity with CSS.

    Leaves out comments and the text of ``script``/``style``/``template``/``rt``/``rp``
    descendants (bs4 types those strings apart), unless the element is one of them.
    """
    if element.tag in _TEXT_CONTAINERS:
        return "".join(element.itertext())
    parts: list[str] = []
    stack: list[Any] = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        # Children are pushed in reverse, each followed by its tail, to pop in order.
        for child in reversed(node):
            if child.tail:
                stack.append(child.tail)
            if isinstance(child.tag, str) and child.tag not in _TEXT_CONTAINERS:
                stack.append(child)
    return "".join(parts)


def _soup_to_lxml(soup: BeautifulSoup) -> Any:
    """Copy a BeautifulSoup tree into lxml elements, so XPath runs on the same parse."""
    parser = etree.HTMLParser()
    html_tag = soup.find("html", recursive=False)
    top = html_tag.contents if isinstance(html_tag, Tag) else soup.contents
    root = parser.makeelement("html", _lxml_attrs(html_tag) if isinstance(html_tag, Tag) else {})
    try:
        _copy_children(top, root)
    except ValueError:
        # lxml refused a name or a control character the parser let through: fall
        # back to serialising and parsing once more rather than failing the crawl.
        logger.debug("copying the soup into lxml failed; re-parsing its HTML", exc_info=True)
        return etree.fromstring(str(soup).encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    return root


def _roots_to_lxml(roots: Sequence[Tag]) -> Any:
    """Copies of ``roots`` in one new document (``<html><body>`` + the roots)."""
    parser = etree.HTMLParser()
    html = parser.makeelement("html", {})
    body = etree.SubElement(html, "body")
    try:
        _copy_children(list(roots), body)
    except ValueError:
        logger.debug("copying the soup into lxml failed; re-parsing its HTML", exc_info=True)
        text = "<html><body>" + "".join(str(root) for root in roots) + "</body></html>"
        return etree.fromstring(text.encode("utf-8"), etree.HTMLParser(encoding="utf-8"))
    return html


def _copy_children(contents: list[Any], parent: Any) -> None:
    stack: list[tuple[list[Any], Any]] = [(contents, parent)]
    while stack:
        children, target = stack.pop()
        last = None
        for node in children:
            if isinstance(node, Tag):
                last = etree.SubElement(target, node.name, _lxml_attrs(node))
                if node.contents:
                    stack.append((node.contents, last))
            elif isinstance(node, Comment):
                last = etree.Comment(_xml_comment(str(node)))
                target.append(last)
            elif isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
                if last is None:
                    target.text = (target.text or "") + node
                else:
                    last.tail = (last.tail or "") + node


def _xml_comment(text: str) -> str:
    """An HTML comment's text made acceptable to lxml (no "--", no trailing "-")."""
    text = text.replace("--", "- -")
    return text + " " if text.endswith("-") else text


def _lxml_attrs(tag: Tag) -> dict[str, str]:
    return {
        key: " ".join(value) if isinstance(value, list) else str(value)
        for key, value in tag.attrs.items()
    }


__all__ = ["JsonXPathExtractionStrategy"]
