"""Reading and editing a node of either content tree: BeautifulSoup's or lxml's.

The scraping steps (links, images, cleaning, pruning) are written once against these
few functions, so a page parsed by either tree (see :mod:`seleniumcrawl.content.parse`)
gives the same products. lxml keeps the text that follows an element in the element's
``tail``; removing or unwrapping an element here keeps that text, as BeautifulSoup does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bs4 import Tag


def is_soup(node: Any) -> bool:
    """True for a BeautifulSoup node, False for an lxml element."""
    return isinstance(node, Tag)


def name_of(node: Any) -> str | None:
    """Lower-case tag name; None for comments and other non-elements."""
    if isinstance(node, Tag):
        return node.name
    tag = node.tag
    return tag.lower() if isinstance(tag, str) else None


def text_of(node: Any, separator: str = "") -> str:
    """All text under ``node`` (comments left out), pieces joined by ``separator``."""
    if isinstance(node, Tag):
        return node.get_text(separator)
    return separator.join(node.itertext(None))


def words_of(node: Any) -> str:
    """The text under ``node`` with whitespace collapsed to single spaces."""
    return " ".join(text_of(node, " ").split())


def parent_of(node: Any) -> Any:
    """The parent element, or None at the top."""
    return node.parent if isinstance(node, Tag) else node.getparent()


def parents_of(node: Any) -> Iterator[Any]:
    """The ancestors, closest first (BeautifulSoup's ends with the document itself)."""
    if isinstance(node, Tag):
        yield from node.parents
    else:
        yield from node.iterancestors()


def classes_of(node: Any) -> list[str]:
    """The ``class`` attribute as a list of names."""
    value = node.get("class")
    if isinstance(value, str):
        return value.split()
    return list(value) if isinstance(value, list) else []


def set_attr(node: Any, key: str, value: str) -> None:
    """Set an attribute."""
    if isinstance(node, Tag):
        node[key] = value
    else:
        node.set(key, value)


def remove(node: Any) -> None:
    """Remove ``node`` and everything under it (the text after it stays)."""
    if isinstance(node, Tag):
        node.decompose()
    else:
        node.drop_tree()


def unwrap(node: Any) -> None:
    """Replace ``node`` by its content."""
    if isinstance(node, Tag):
        node.unwrap()
    else:
        node.drop_tag()


def children_of(node: Any, name: str) -> list[Any]:
    """The ``name`` elements directly under ``node``."""
    if isinstance(node, Tag):
        return list(node.find_all(name, recursive=False))
    return list(node.iterchildren(name))


def first(node: Any, name: str) -> Any:
    """The first ``name`` element under ``node`` (document order), or None."""
    if isinstance(node, Tag):
        found = node.find(name)
        return found if isinstance(found, Tag) else None
    return next(node.iterdescendants(name), None)


__all__ = [
    "children_of",
    "classes_of",
    "first",
    "is_soup",
    "name_of",
    "parent_of",
    "parents_of",
    "remove",
    "set_attr",
    "text_of",
    "unwrap",
    "words_of",
]
