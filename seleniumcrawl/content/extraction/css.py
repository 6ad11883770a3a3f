"""CSS extraction: :class:`JsonCssExtractionStrategy` on a BeautifulSoup tree, fast matcher."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import soupsieve as sv
from bs4 import BeautifulSoup, Tag

from seleniumcrawl.content.extraction.fields import JsonElementStrategy
from seleniumcrawl.errors import SchemaError


class JsonCssExtractionStrategy(JsonElementStrategy[Tag, "_CssSelector"]):
    """Crawl4AI's schema with CSS selectors, run on a BeautifulSoup tree.

    ``text`` is the element's text content, stripped. Divergence: Crawl4AI uses
    ``get_text(strip=True)``, which glues ``<b>a</b> <b>b</b>`` into ``"ab"``; here
    inner whitespace is kept (``"a b"``), as XPath's ``string()`` and the browser's
    ``textContent`` do. Multi-valued attributes (``class``, ``rel``) come back as one
    space-separated string, as in the HTML source.
    """

    def extract_from_soup(self, url: str, soup: BeautifulSoup) -> list[dict[str, Any]]:
        """Extract records from ``soup`` (read only)."""
        return self._extract_root(soup)

    def extract_from_roots(self, url: str, roots: Sequence[Tag]) -> list[dict[str, Any]]:
        """Extract from parts of a page, each read with the part itself included."""
        return [record for root in roots for record in self._extract_root(root, True)]

    def _matches(self, element: Tag, selector: _CssSelector) -> bool:
        return selector.match(element)

    def _compile_selector(self, expr: str, path: str) -> _CssSelector:
        return _CssSelector(expr, path)

    def _compile_source(self, expr: str, path: str) -> _CssSelector:
        return _CssSelector(expr, path)

    def _select_all(self, element: Tag, selector: _CssSelector) -> list[Tag]:
        return selector.select(element)

    def _select_first(self, element: Tag, selector: _CssSelector) -> Tag | None:
        return selector.select_one(element)

    def _next_sibling(self, element: Tag, selector: _CssSelector) -> Tag | None:
        # Crawl4AI's "+ sel" is find_next_sibling: the first *following* sibling that
        # matches, not only the adjacent one.
        for sibling in element.next_siblings:
            if isinstance(sibling, Tag) and selector.match(sibling):
                return sibling
        return None

    def _text(self, element: Tag) -> str:
        return element.get_text().strip()

    def _html(self, element: Tag) -> str:
        return str(element)

    def _attribute(self, element: Tag, name: str) -> str | None:
        value = element.get(name)
        if isinstance(value, list):  # bs4 splits class, rel, ... into lists
            return " ".join(value)
        return value


_COMPOUND = re.compile(r"(?P<tag>[a-z][a-z0-9-]*)?(?P<rest>(?:[.#][A-Za-z_][\w-]*)*)")
_SELECTOR_TOKENS = re.compile(r"[^\s>]+|>")


@dataclass(frozen=True, slots=True)
class _Compound:
    """``tag.class#id``: what the fast path matches without soupsieve."""

    tag: str | None
    classes: tuple[str, ...]
    id: str | None
    child: bool  # joined to the compound before it by ">" (else by a space)

    def matches(self, element: Tag) -> bool:
        if self.tag is not None and element.name != self.tag:
            return False
        attrs = element.attrs
        if self.id is not None and attrs.get("id") != self.id:
            return False
        if self.classes:
            value = attrs.get("class")
            if not value:
                return False
            classes = value.split() if isinstance(value, str) else value
            for cls in self.classes:
                if cls not in classes:
                    return False
        return True


def _fast_form(text: str) -> tuple[_Compound, ...] | None:
    """``text`` as compounds joined by descendant/child combinators, or None if it is more."""
    compounds: list[_Compound] = []
    child = False
    for token in _SELECTOR_TOKENS.findall(text):
        if token == ">":
            if child or not compounds:
                return None
            child = True
            continue
        form = _COMPOUND.fullmatch(token)
        if form is None or not token:
            return None
        parts = re.findall(r"[.#][^.#]+", form["rest"])
        ids = [p[1:] for p in parts if p[0] == "#"]
        if len(ids) > 1:
            return None
        classes = tuple(p[1:] for p in parts if p[0] == ".")
        compounds.append(_Compound(form["tag"], classes, ids[0] if ids else None, child))
        child = False
    return tuple(compounds) if compounds and not child else None


class _CssSelector:
    """A soupsieve selector compiled once, with a fast path for the common forms.

    soupsieve's general matcher costs several microseconds per element. Most schema
    selectors are ``tag.class#id`` compounds joined by descendant or child
    combinators (``h2.title a``, ``ul > li``), which direct attribute checks answer
    several times faster; anything else (attributes, pseudo-classes, lists) goes to
    soupsieve. Both give the same matches: like soupsieve, ancestors above the
    element selected from count, and ``<template>`` contents are not entered.
    """

    __slots__ = ("_compiled", "_fast", "text")

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        try:
            self._compiled = sv.compile(text)
        except (sv.SelectorSyntaxError, NotImplementedError, ValueError, TypeError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SchemaError(f"{path}: invalid CSS selector {text!r}: {first_line}") from exc
        self._fast = _fast_form(text)

    def match(self, element: Tag) -> bool:
        if self._fast is None:
            return bool(self._compiled.match(element))
        return self._match_fast(element, len(self._fast) - 1)

    def select(self, root: Tag) -> list[Tag]:
        if self._fast is None:
            return self._compiled.select(root)
        last = len(self._fast) - 1
        match = self._match_fast
        return [element for element in _tag_descendants(root) if match(element, last)]

    def select_one(self, root: Tag) -> Tag | None:
        if self._fast is None:
            return self._compiled.select_one(root)
        last = len(self._fast) - 1
        match = self._match_fast
        for element in _tag_descendants(root):
            if match(element, last):
                return element
        return None

    def _match_fast(self, element: Tag, index: int) -> bool:
        """Whether ``element`` matches compound ``index`` and those before it, right to left."""
        compounds = self._fast
        assert compounds is not None
        compound = compounds[index]
        if not compound.matches(element):
            return False
        if index == 0:
            return True
        parent = element.parent
        if compound.child:
            return (
                parent is not None
                and not isinstance(parent, BeautifulSoup)
                and self._match_fast(parent, index - 1)
            )
        while parent is not None and not isinstance(parent, BeautifulSoup):
            if self._match_fast(parent, index - 1):  # backtracks to a higher ancestor if not
                return True
            parent = parent.parent
        return False


def _tag_descendants(root: Tag) -> Iterator[Tag]:
    """Tags under ``root`` in document order, not entering ``<template>`` contents.

    Mirrors soupsieve, for which a template's contents are not part of the document
    (they are reached only by selecting from the template itself).
    """
    stack = [iter(root.contents)]
    while stack:
        for node in stack[-1]:
            if isinstance(node, Tag):
                yield node
                if node.contents and node.name != "template":
                    stack.append(iter(node.contents))
                    break
        else:
            stack.pop()


__all__ = ["JsonCssExtractionStrategy"]
