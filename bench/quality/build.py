"""Build the markdown quality set: ``tests/data/quality/<name>.html`` and ``<name>.txt``.

Usage: ``python -m bench.quality.build``.

Each page's main text is written by hand in ``bench/quality/sources/<name>.md`` (a
header of ``key: value`` lines, a blank line, then the article in a small Markdown
subset). This script wraps that text in the chrome of an imitated site (navigation,
headers, footers, sidebars, related links, comments, ads, cookie banners: the parts
real pages have around their content) and writes two files: the page, and its main
text as plain text (the "truth" an extractor is scored against). What counts as main
text follows the published article-extraction benchmarks: the title, standfirst and
body, headings, lists, tables and code; not bylines, captions, share bars, "read more"
boxes, ads, comments, reviews or signatures.

The chrome is deterministic (no randomness): the same sources always give the same files.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from pathlib import Path

from bench.quality import chrome

SOURCES = Path(__file__).resolve().parent / "sources"
OUTPUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "quality"

Block = tuple[str, object]

_INLINE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)|\*\*(.+?)\*\*|\*(.+?)\*|`([^`]+)`")


def parse_source(text: str) -> tuple[dict[str, str], list[Block]]:
    """The ``key: value`` header and the blocks of a source file."""
    head, _, body = text.partition("\n\n")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip()] = value.strip()
    return meta, _blocks(body.splitlines())


def _blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            lang = line[3:].strip()
            end = lines.index("```", i + 1)
            blocks.append(("code", (lang, "\n".join(lines[i + 1 : end]))))
            i = end + 1
        elif line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            blocks.append((f"h{level}", line[level:].strip()))
            i += 1
        else:
            prefix = _prefix(line)
            group = []
            while i < len(lines) and lines[i].strip() and _prefix(lines[i]) == prefix:
                group.append(lines[i])
                i += 1
                if prefix in ("p", "post", "figure", "note"):
                    break
            blocks.append(_group(prefix, group))
    return blocks


def _prefix(line: str) -> str:
    if line.startswith("- "):
        return "ul"
    if re.match(r"\d+\. ", line):
        return "ol"
    if line.startswith("> "):
        return "quote"
    if line.startswith("|"):
        return "table"
    if line.startswith("!["):
        return "figure"
    if line.startswith("NOTE: "):
        return "note"
    if line.startswith("@@ "):
        return "post"
    return "p"


def _group(prefix: str, group: list[str]) -> Block:
    if prefix in ("ul", "ol"):
        return (prefix, [re.sub(r"^(- |\d+\. )", "", g) for g in group])
    if prefix == "quote":
        return ("quote", " ".join(g[2:] for g in group))
    if prefix == "table":
        rows = [
            [c.strip() for c in g.strip().strip("|").split("|")]
            for g in group
            if not re.fullmatch(r"\|[\s|:-]+\|", g.strip())
        ]
        return ("table", rows)
    if prefix == "figure":
        alt, src = re.match(r"!\[(.*)\]\((.*)\)", group[0]).groups()  # type: ignore[union-attr]
        return ("figure", (alt, src))
    if prefix == "note":
        return ("note", group[0][6:])
    if prefix == "post":
        return ("post", group[0][3:])
    return ("p", group[0])


def inline_html(text: str) -> str:
    """The inline Markdown subset as HTML: links, strong, em, code."""

    def replace(m: re.Match[str]) -> str:
        link, href, strong, em, code = m.groups()
        if link is not None:
            return f'<a href="{html.escape(href)}">{html.escape(link)}</a>'
        if strong is not None:
            return f"<strong>{html.escape(strong)}</strong>"
        if em is not None:
            return f"<em>{html.escape(em)}</em>"
        return f"<code>{html.escape(code)}</code>"

    out, last = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[last : m.start()], quote=False))
        out.append(replace(m))
        last = m.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def inline_text(text: str) -> str:
    """The inline Markdown subset as the plain text a reader sees."""
    return _INLINE.sub(lambda m: next(g for g in m.groups() if g is not None), text)


def truth(meta: dict[str, str], blocks: list[Block]) -> str:
    """The main text as plain text, one block (or list item, table row) per line."""
    lines = [meta["title"]]
    if meta.get("standfirst"):
        lines.append(meta["standfirst"])
    for kind, value in blocks:
        if kind in ("ul", "ol"):
            lines.extend(inline_text(item) for item in value)  # type: ignore[attr-defined]
        elif kind == "table":
            lines.extend(" ".join(inline_text(c) for c in row) for row in value)  # type: ignore[attr-defined]
        elif kind == "code":
            lines.append(value[1])  # type: ignore[index]
        elif kind in ("figure", "post"):
            continue  # captions and forum post authors are not part of the main text
        else:
            lines.append(inline_text(str(value)))
    return "\n".join(lines) + "\n"


def render(blocks: list[Block], style: chrome.Style) -> list[str]:
    """Each block as HTML in the site's style (one string per block)."""
    out = []
    for kind, value in blocks:
        if kind.startswith("h"):
            out.append(style.heading(int(kind[1]), inline_html(str(value))))
        elif kind == "p":
            out.append(style.paragraph(inline_html(str(value))))
        elif kind in ("ul", "ol"):
            items = "".join(f"<li>{inline_html(i)}</li>" for i in value)  # type: ignore[attr-defined]
            out.append(f"<{kind}>{items}</{kind}>")
        elif kind == "quote":
            out.append(f"<blockquote><p>{inline_html(str(value))}</p></blockquote>")
        elif kind == "note":
            out.append(style.note(inline_html(str(value))))
        elif kind == "code":
            lang, code = (str(part) for part in value)  # type: ignore[attr-defined]
            out.append(style.code(lang, code))
        elif kind == "table":
            out.append(_table(value))  # type: ignore[arg-type]
        elif kind == "figure":
            alt, src = (str(part) for part in value)  # type: ignore[attr-defined]
            out.append(style.figure(html.escape(alt), html.escape(src)))
        elif kind == "post":
            out.append(chrome.POST_MARK + str(value))
    return out


def _table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{inline_html(c)}</th>" for c in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{inline_html(c)}</td>" for c in row) + "</tr>" for row in rows[1:]
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def build(sources: Path = SOURCES, output: Path = OUTPUT) -> list[str]:
    """Write every page and its truth; return the page names."""
    output.mkdir(parents=True, exist_ok=True)
    names = []
    for index, source in enumerate(sorted(sources.glob("*.md"))):
        meta, blocks = parse_source(source.read_text(encoding="utf-8"))
        site: Callable[..., str] = chrome.SITES[meta["site"]]
        page = site(meta, render(blocks, chrome.STYLES[meta["site"]]), index)
        (output / f"{source.stem}.html").write_text(page, encoding="utf-8")
        (output / f"{source.stem}.txt").write_text(truth(meta, blocks), encoding="utf-8")
        names.append(source.stem)
    return names


if __name__ == "__main__":
    built = build()
    print(f"{len(built)} pages written to {OUTPUT}", file=sys.stderr)
