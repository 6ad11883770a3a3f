"""HTML to Markdown by walking a parsed tree: BeautifulSoup's or lxml's.

The crawl's one BeautifulSoup parse gives the raw markdown; fit markdown comes from an
lxml tree (see :mod:`seleniumcrawl.content.fit`). Both trees are walked by the same
converter through a four-method adapter, so both Markdowns follow the same rules:

- ATX headings (``## Title``), ``*`` bullets, ``1.`` numbered items, ``>`` quotes;
- fenced code blocks keeping the code's whitespace, with the language from a
  ``language-*``/``lang-*`` class when there is one;
- tables as pipe tables (first row as the header), a table holding another table
  (a layout table) as its content;
- ``[text](href)`` links, ``![alt](src)`` images, ``**strong**``, ``*em*``, `` `code` ``;
- text is not escaped (as Crawl4AI's default, ``escape_snob=False``), so tokens such as
  ``TASKER_CACHE_DIR`` stay whole for readers and models.

It is written for speed (one pass, no regular expression per node): markdownify took
about 3x its time on the quality pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from bs4.element import NavigableString, Tag

#: Elements whose content is never text of the page.
SKIPPED = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "math"}
)
_CONTAINERS = frozenset(
    {
        "html", "body", "div", "section", "article", "main", "header", "footer", "nav", "aside",
        "figure", "figcaption", "form", "fieldset", "address", "details", "summary", "dl", "dt",
        "dd", "center", "p", "li", "tr", "td", "th", "thead", "tbody", "tfoot", "caption",
        "legend", "dialog", "hgroup", "search", "menu", "picture", "object", "frameset", "frame",
    }
)  # fmt: skip
_HEADINGS = {"h1": "#", "h2": "##", "h3": "###", "h4": "####", "h5": "#####", "h6": "######"}
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "del": "~~", "s": "~~", "strike": "~~"}
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang|highlight)-([\w+#.-]+)")
_BLANK_RUNS = re.compile(r"\n{3,}")
#: A <br> in the inline pieces; source newlines are plain whitespace, this is a break.
_BR = "\x00"


class _Converter:
    """Tree-independent Markdown rules; subclasses say how to read their tree.

    ``ignore_links`` writes a link's text alone, ``ignore_images`` leaves images out,
    ``ignore_emphasis`` drops the ``**``/``*``/``~~`` marks (html2text's option names).
    """

    def __init__(
        self,
        *,
        ignore_links: bool = False,
        ignore_images: bool = False,
        ignore_emphasis: bool = False,
    ) -> None:
        self.ignore_links = ignore_links
        self.ignore_images = ignore_images
        self.ignore_emphasis = ignore_emphasis

    # -- the adapter: four ways of reading a node -----------------------------------

    def items(self, node: Any) -> Iterable[Any]:  # pragma: no cover - abstract
        """Children in document order: ``str`` for text, nodes for elements (others skipped)."""
        raise NotImplementedError

    def name(self, node: Any) -> str | None:  # pragma: no cover - abstract
        """Lower-case tag name; None for comments and other non-elements."""
        raise NotImplementedError

    def attr(self, node: Any, key: str) -> str:  # pragma: no cover - abstract
        """An attribute as a string ("" when absent)."""
        raise NotImplementedError

    def text(self, node: Any) -> str:  # pragma: no cover - abstract
        """All text under a node, whitespace as written."""
        raise NotImplementedError

    # -- the rules ------------------------------------------------------------------

    def convert(self, roots: Iterable[Any]) -> str:
        """Markdown of the given subtrees, one blank line between blocks."""
        blocks: list[str] = []
        for root in roots:
            buf: list[str] = []
            self._walk_items((root,), buf, blocks)
            _flush(buf, blocks)
        return _BLANK_RUNS.sub("\n\n", "\n\n".join(blocks)).strip()

    def _walk(self, node: Any, buf: list[str], blocks: list[str]) -> None:
        self._walk_items(self.items(node), buf, blocks)

    def _walk_items(self, items: Iterable[Any], buf: list[str], blocks: list[str]) -> None:
        for item in items:
            if isinstance(item, str):
                buf.append(item)
                continue
            name = self.name(item)
            if name is None or name in SKIPPED:
                continue
            if name in _CONTAINERS:
                _flush(buf, blocks)
                inner: list[str] = []
                self._walk(item, inner, blocks)
                _flush(inner, blocks)
            elif name in _HEADINGS:
                _flush(buf, blocks)
                title = _one_line("".join(self._inline(item)))
                if title:
                    blocks.append(f"{_HEADINGS[name]} {title}")
            elif name in ("ul", "ol"):
                _flush(buf, blocks)
                listing = self._list(item, ordered=name == "ol")
                if listing:
                    blocks.append(listing)
            elif name == "pre":
                _flush(buf, blocks)
                blocks.append(self._code_block(item))
            elif name == "table":
                _flush(buf, blocks)
                self._table(item, blocks)
            elif name == "blockquote":
                _flush(buf, blocks)
                inner_blocks: list[str] = []
                inner = []
                self._walk(item, inner, inner_blocks)
                _flush(inner, inner_blocks)
                if inner_blocks:
                    quoted = "\n\n".join(inner_blocks).split("\n")
                    blocks.append("\n".join(f"> {line}" if line else ">" for line in quoted))
            elif name == "hr":
                _flush(buf, blocks)
                blocks.append("---")
            elif name == "br":
                buf.append(_BR)
            elif name in ("a", "img", "code") or name in _EMPHASIS:
                buf.extend(self._inline_element(item, name))
            else:  # span, font, label, unknown tags: transparent
                self._walk(item, buf, blocks)

    def _inline(self, node: Any) -> Iterator[str]:
        """A node's content as inline Markdown (block children become spaces)."""
        for item in self.items(node):
            if isinstance(item, str):
                yield item
                continue
            name = self.name(item)
            if name is None or name in SKIPPED:
                continue
            if name in ("a", "img", "code") or name in _EMPHASIS:
                yield from self._inline_element(item, name)
            elif name == "br":
                yield " "
            else:
                yield " "
                yield from self._inline(item)
                yield " "

    def _inline_element(self, node: Any, name: str) -> list[str]:
        if name == "img":
            src = self.attr(node, "src") or self.attr(node, "data-src")
            if not src or src.startswith("data:") or self.ignore_images:
                return []
            return [f"![{_one_line(self.attr(node, 'alt'))}]({src})"]
        if name == "code":
            code = " ".join(self.text(node).split())
            if not code:
                return []
            tick = "``" if "`" in code else "`"
            return [f"{tick}{code}{tick}"]
        content = _one_line("".join(self._inline(node)))
        if name == "a":
            href = self.attr(node, "href").strip()
            if not content or not href or href.startswith("javascript:") or self.ignore_links:
                return [f" {content} "] if content else []
            return [f"[{content}]({href})"]
        if not content:
            return []
        if self.ignore_emphasis:
            return [f" {content} "]
        mark = _EMPHASIS[name]
        return [f"{mark}{content}{mark}"]

    def _list(self, node: Any, ordered: bool) -> str:
        lines: list[str] = []
        number = _int(self.attr(node, "start"), 1)
        for item in self.items(node):
            if isinstance(item, str) or self.name(item) is None:
                continue
            blocks: list[str] = []
            buf: list[str] = []
            if self.name(item) in ("ul", "ol"):  # a list directly inside a list
                nested = self._list(item, ordered=self.name(item) == "ol")
                if nested:
                    lines.append("  " + nested.replace("\n", "\n  "))
                continue
            self._walk(item, buf, blocks)
            _flush(buf, blocks)
            if not blocks:
                continue
            marker = f"{number}. " if ordered else "* "
            number += 1
            pad = " " * len(marker)
            body = "\n".join(blocks).replace("\n", "\n" + pad)
            lines.append(marker + body)
        return "\n".join(lines)

    def _code_block(self, node: Any) -> str:
        code = self.text(node).strip("\n")
        language = ""
        for holder in (node, *self._first_child(node, "code")):
            found = _LANGUAGE.search(self.attr(holder, "class"))
            if found:
                language = found.group(1)
                break
        fence = "````" if "```" in code else "```"
        return f"{fence}{language}\n{code}\n{fence}"

    def _first_child(self, node: Any, name: str) -> list[Any]:
        for item in self.items(node):
            if not isinstance(item, str) and self.name(item) == name:
                return [item]
        return []

    def _table(self, node: Any, blocks: list[str]) -> None:
        rows: list[list[str]] = []
        if not self._collect_rows(node, rows):  # a layout table: render its content
            buf: list[str] = []
            self._walk(node, buf, blocks)
            _flush(buf, blocks)
            return
        rows = [row for row in rows if any(row)]
        if not rows:
            return
        width = max(len(row) for row in rows)
        lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
        lines.insert(1, "|" + " --- |" * width)
        blocks.append("\n".join(lines))

    def _collect_rows(self, node: Any, rows: list[list[str]]) -> bool:
        """Cells of each row into ``rows``; False for a table holding another table."""
        for item in self.items(node):
            if isinstance(item, str):
                continue
            name = self.name(item)
            if name == "table":
                return False
            if name in ("thead", "tbody", "tfoot"):
                if not self._collect_rows(item, rows):
                    return False
            elif name == "tr":
                cells = []
                for cell in self.items(item):
                    if isinstance(cell, str) or self.name(cell) not in ("td", "th"):
                        continue
                    if self._has_table(cell):
                        return False
                    cells.append(_one_line("".join(self._inline(cell))).replace("|", "\\|"))
                rows.append(cells)
        return True

    def _has_table(self, node: Any) -> bool:
        for item in self.items(node):
            if not isinstance(item, str) and (self.name(item) == "table" or self._has_table(item)):
                return True
        return False


def _flush(buf: list[str], blocks: list[str]) -> None:
    """Turn the inline pieces gathered so far into one paragraph block."""
    if not buf:
        return
    text = "".join(buf)
    buf.clear()
    if _BR not in text:
        line = " ".join(text.split())
        if line:
            blocks.append(line)
        return
    lines = [" ".join(part.split()) for part in text.split(_BR)]
    paragraph = "  \n".join(line for line in lines if line)
    if paragraph:
        blocks.append(paragraph)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default


class SoupConverter(_Converter):
    """Reads a BeautifulSoup tree (the crawl's one parse)."""

    def items(self, node: Any) -> Iterable[Any]:
        for item in node.contents:
            if type(item) is NavigableString or isinstance(item, Tag):
                yield item

    def name(self, node: Any) -> str | None:
        return node.name  # type: ignore[no-any-return]

    def attr(self, node: Any, key: str) -> str:
        value = node.attrs.get(key)
        if value is None:
            return ""
        return " ".join(value) if isinstance(value, list) else str(value)

    def text(self, node: Any) -> str:
        return node.get_text()  # type: ignore[no-any-return]


class LxmlConverter(_Converter):
    """Reads an lxml tree."""

    def items(self, node: Any) -> Iterable[Any]:
        if node.text:
            yield node.text
        for child in node:
            yield child
            if child.tail:
                yield child.tail

    def name(self, node: Any) -> str | None:
        tag = node.tag
        return tag.lower() if isinstance(tag, str) else None

    def attr(self, node: Any, key: str) -> str:
        return node.get(key) or ""

    def text(self, node: Any) -> str:
        return "".join(node.itertext())


_SOUP = SoupConverter()
_LXML = LxmlConverter()


def soup_to_markdown(roots: Iterable[Any], **options: bool) -> str:
    """Markdown of BeautifulSoup subtrees (``options``: see :class:`_Converter`)."""
    return (SoupConverter(**options) if options else _SOUP).convert(roots)


def lxml_to_markdown(roots: Iterable[Any], **options: bool) -> str:
    """Markdown of lxml subtrees (``options``: see :class:`_Converter`)."""
    return (LxmlConverter(**options) if options else _LXML).convert(roots)


def tree_to_markdown(roots: Sequence[Any], **options: bool) -> str:
    """Markdown of subtrees of either tree (the crawl's lxml or BeautifulSoup parse)."""
    if roots and not isinstance(roots[0], Tag):
        return lxml_to_markdown(roots, **options)
    return soup_to_markdown(roots, **options)


__all__ = [
    "SKIPPED",
    "LxmlConverter",
    "SoupConverter",
    "lxml_to_markdown",
    "soup_to_markdown",
    "tree_to_markdown",
]
