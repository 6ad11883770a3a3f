"""Image records of ``result.media["images"]``, with Crawl4AI's fields and a usefulness score.

Each ``<img>`` gives one record per distinct address it offers (``src``, ``data-src``,
its ``srcset`` candidates and those of an enclosing ``<picture>``); the records of one
element share its ``group_id``. Fields: ``src``, ``alt``, ``desc``, ``score``, ``type``
(``"image"``), ``group_id``, ``format``, ``width``, ``height``.

The score follows the intent of Crawl4AI's heuristic: larger, described, in-content
images score higher than icons and decoration. One point each for

- a declared width above 150 px (the ``width`` attribute, or a ``srcset`` ``w``
  descriptor), and one for a height above 150 px;
- alt text;
- a position in the first half of the page's images;
- a known image format in the address (jpg, jpeg, png, webp, avif, gif);
- responsive sources (``srcset`` or a ``<picture>``);
- sitting in the content: inside ``<main>``, ``<article>`` or ``<figure>`` and not in
  ``<header>``, ``<nav>``, ``<footer>`` or ``<aside>``.

So a score runs from 0 to 7. An image that looks like an icon, logo or button (those
words in its address, alt or parent's class, a declared size under 32 px, or a parent
``<button>``) scores 0. Crawl4AI drops images scoring 2 or less; here every image is
listed and callers filter on ``score``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from seleniumcrawl.content.nodes import (
    children_of,
    classes_of,
    first,
    name_of,
    parent_of,
    parents_of,
    words_of,
)

#: Image formats recognised in an address, as Crawl4AI reports them.
FORMATS = ("jpg", "jpeg", "png", "webp", "avif", "gif", "svg", "bmp", "ico", "tiff")
_SCORED_FORMATS = frozenset({"jpg", "jpeg", "png", "webp", "avif", "gif"})
_CONTENT = frozenset({"main", "article", "figure"})
_CHROME = frozenset({"header", "nav", "footer", "aside"})
_ICON_WORDS = ("icon", "logo", "button", "sprite")
_LEADING_INT = re.compile(r"\s*(\d+)")
#: Longest ``desc`` kept: the text around an image, not the whole page.
DESC_MAX = 300


def image_records(images: list[Any], resolve: Any) -> list[dict[str, Any]]:
    """Records for ``images`` (in document order); ``resolve(href)`` makes an address
    absolute or returns None. Each address appears once; ``data:`` URIs are left out."""
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    total = len(images)
    for index, img in enumerate(images):
        sources = [
            (src, width)
            for raw, width in _candidates(img)
            if (src := resolve(raw)) is not None and not src.startswith("data:")
        ]
        fresh: dict[str, int | None] = {}
        for src, width in sources:
            if src not in seen and (src not in fresh or fresh[src] is None):
                fresh[src] = width
        if not fresh:
            continue
        base = _describe(img, index, total, [src for src, _ in sources])
        for src, width in fresh.items():
            seen.add(src)
            record = dict(base, src=src)
            if width is not None:
                record["width"] = width
            records.append(record)
    return records


def _candidates(img: Any) -> Iterator[tuple[Any, int | None]]:
    """The element's addresses with the width a ``srcset`` descriptor gives them."""
    yield img.get("src"), None
    yield img.get("data-src"), None
    for name in ("srcset", "data-srcset"):
        yield from _srcset(img.get(name))
    picture = _ancestor(img, "picture")
    if picture is not None:
        for source in children_of(picture, "source"):
            yield from _srcset(source.get("srcset"))


def _srcset(value: Any) -> Iterator[tuple[str, int | None]]:
    if not isinstance(value, str):
        return
    for candidate in value.split(","):
        parts = candidate.split()
        if not parts:
            continue
        width = None
        if len(parts) > 1 and parts[1].endswith("w"):
            width = _int(parts[1][:-1])
        yield parts[0], width


def _int(value: Any) -> int | None:
    """``"300"``, ``"300px"`` -> 300; anything else (``"100%"``, ``"auto"``) -> None."""
    if not isinstance(value, str):
        return None
    match = _LEADING_INT.match(value)
    if match is None or value.strip().endswith("%"):
        return None
    return int(match.group(1))


def _describe(img: Any, index: int, total: int, sources: list[str]) -> dict[str, Any]:
    """The fields every record of ``img`` shares."""
    alt = img.get("alt")
    alt = alt.strip() if isinstance(alt, str) else ""
    width, height = _int(img.get("width")), _int(img.get("height"))
    widest = max((w for _, w in _srcset(img.get("srcset")) if w is not None), default=None)
    fmt = next((f for f in map(image_format, sources) if f is not None), None)
    responsive = bool(img.get("srcset") or img.get("data-srcset")) or (
        _ancestor(img, "picture") is not None
    )
    if _looks_like_icon(img, alt, sources, width, height):
        score = 0
    else:
        score = (
            int((width or widest or 0) > 150)
            + int((height or 0) > 150)
            + int(bool(alt))
            + int(index < total / 2)
            + int(fmt in _SCORED_FORMATS)
            + int(responsive)
            + int(_in_content(img))
        )
    return {
        "src": "",
        "alt": alt,
        "desc": describe_text(img),
        "score": score,
        "type": "image",
        "group_id": index,
        "format": fmt,
        "width": width,
        "height": height,
    }


def image_format(src: str) -> str | None:
    """The format an address names: its file extension, else a ``format``/``fm`` query
    parameter (image CDNs); None when neither names a known format."""
    try:
        parts = urlsplit(src)
    except ValueError:
        return None
    name = parts.path.rsplit("/", 1)[-1].lower()
    if "." in name:
        ext = name.rsplit(".", 1)[-1]
        if ext in FORMATS:
            return ext
    query = parse_qs(parts.query)
    for key in ("format", "fm", "ext"):
        for value in query.get(key, []):
            if value.lower() in FORMATS:
                return value.lower()
    return None


def _looks_like_icon(
    img: Any, alt: str, sources: list[str], width: int | None, height: int | None
) -> bool:
    if (width is not None and width < 32) or (height is not None and height < 32):
        return True
    parent = parent_of(img)
    if parent is not None and name_of(parent) in ("button", "label"):
        return True
    texts = [alt.lower(), *(s.rsplit("/", 1)[-1].lower() for s in sources)]
    if parent is not None:
        texts.extend(c.lower() for c in classes_of(parent))
    return any(word in text for text in texts for word in _ICON_WORDS)


def _ancestor(img: Any, name: str) -> Any:
    """The closest enclosing ``name`` element (bs4's find_parent is far slower)."""
    for parent in parents_of(img):
        if name_of(parent) == name:
            return parent
    return None


def _in_content(img: Any) -> bool:
    names = {name_of(parent) for parent in parents_of(img)}
    return bool(names & _CONTENT) and not names & _CHROME


def describe_text(img: Any) -> str:
    """The text around an image: its ``<figcaption>``, else the text of the closest
    ancestor that has some (at most five levels up), whitespace collapsed, cut at
    :data:`DESC_MAX` characters; ``""`` when there is none."""
    figure = _ancestor(img, "figure")
    if figure is not None:
        caption = first(figure, "figcaption")
        if caption is not None:
            text = words_of(caption)
            if text:
                return text[:DESC_MAX]
    for level, parent in enumerate(parents_of(img)):
        if level == 5 or name_of(parent) in ("body", "html", "[document]"):
            break
        text = words_of(parent)
        if text:
            return text[:DESC_MAX]
    return ""


__all__ = ["DESC_MAX", "FORMATS", "describe_text", "image_format", "image_records"]
