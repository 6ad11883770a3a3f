"""A page's ``<head>`` read with a plain request: title, meta, links, JSON-LD, language.

Only the start of the page is downloaded (up to ``</head>``, at most
:data:`HEAD_MAX_BYTES`). The result has Crawl4AI's ``head_data`` shape::

    {"title": str | None, "charset": str | None, "lang": str,
     "meta": {name-or-property: content},           # names lower-cased
     "link": {rel: [{"href", "hreflang", "type", "as"}]},  # canonical, alternate, ...
     "jsonld": [parsed JSON-LD objects]}
"""

from __future__ import annotations

import json
import re
from typing import Any

import lxml.html
from lxml import etree

#: How much of a page is read to find its ``</head>``.
HEAD_MAX_BYTES = 256 * 1024
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


def head_end(data: bytes) -> int:
    """Where ``</head>`` ends in ``data``, or -1."""
    match = _HEAD_END.search(data)
    return match.end() if match else -1


def parse_head(html: bytes | str) -> dict[str, Any]:
    """The ``head_data`` of a page's start (``{}`` when it is not HTML at all)."""
    raw = html.encode("utf-8", "replace") if isinstance(html, str) else html
    if not raw.strip():
        return {}
    try:
        doc = lxml.html.document_fromstring(raw)
    except (etree.ParserError, ValueError):
        return {}
    title = doc.find(".//title")
    info: dict[str, Any] = {
        "title": (title.text_content().strip() or None) if title is not None else None,
        "charset": None,
        "lang": doc.get("lang", ""),
        "meta": {},
        "link": {},
        "jsonld": [],
    }
    for el in doc.iter("meta"):
        key = el.get("name") or el.get("property") or el.get("http-equiv")
        if key:
            info["meta"][key.lower()] = el.get("content", "")
        elif el.get("charset"):
            info["charset"] = el.get("charset").lower()
    for el in doc.iter("link"):
        entry = {a: el.get(a) for a in ("href", "as", "type", "hreflang") if el.get(a)}
        for rel in (el.get("rel") or "").lower().split():
            info["link"].setdefault(rel, []).append(entry)
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json" and script.text:
            try:
                info["jsonld"].append(json.loads(script.text))
            except json.JSONDecodeError:
                continue
    return info


def head_text(head: dict[str, Any]) -> str:
    """The words of a ``head_data`` that say what the page is about (scored by BM25)."""
    parts: list[str] = [head.get("title") or ""]
    meta = head.get("meta") or {}
    for key in (
        "description", "keywords", "author", "subject", "summary", "abstract",
        "og:title", "og:description", "og:site_name", "article:tag",
        "twitter:title", "twitter:description", "dc.title", "dc.description", "dc.subject",
    ):  # fmt: skip
        parts.append(str(meta.get(key) or ""))
    for item in head.get("jsonld") or []:
        nodes = [item, *(item.get("@graph") or [])] if isinstance(item, dict) else []
        for node in nodes:
            if not isinstance(node, dict):
                continue
            for field in ("name", "headline", "description", "abstract", "keywords"):
                value = node.get(field)
                if isinstance(value, str):
                    parts.append(value)
                elif isinstance(value, list):
                    parts.extend(str(v) for v in value if v)
    return " ".join(p for p in parts if p)


__all__ = ["HEAD_MAX_BYTES", "head_end", "head_text", "parse_head"]
