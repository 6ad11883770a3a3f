"""The public page sets the quality bench scores on, and their fixed tuning/held-out split.

Neither set is in this repository (their pages belong to their projects); the bench
reads them from a directory, ``SC_QUALITY_DIR`` (or ``--data``), laid out as two
clones::

    git clone --depth 1 https://github.com/adbar/trafilatura "$SC_QUALITY_DIR/trafilatura"
    git clone --depth 1 https://github.com/mozilla/readability "$SC_QUALITY_DIR/readability"
    git clone --depth 1 https://github.com/kepano/defuddle "$SC_QUALITY_DIR/defuddle"  # tables

- **trafilatura** (Apache-2.0): ``tests/evaldata.json`` lists 990 pages, each with
  snippets that must appear in the main text ("with") and snippets that must not
  ("without"); the HTML is in ``tests/eval/`` or ``tests/cache/``.
- **readability** (Apache-2.0): ``test/test-pages/<case>/source.html`` and
  ``expected.html`` (the article as Mozilla's Readability extracts it). Cases whose
  source is under :data:`SYNTHETIC_BYTES` are hand-made snippets testing one rule
  ("replace-brs", "rtl-1"); the others are captures of real pages. They are reported apart.

Each set is split once into a tuning half and a held-out half; the lists are in
``bench/quality/splits.json`` (written by ``python -m bench.quality.corpus --write-splits
DIR``; a page's half is the parity of the first byte of its key's SHA-256). Rules are
tuned on the tuning half only; the held-out half says whether they generalise.

``python -m bench.quality.corpus --export-mirror GIT_DIR NAME DIR`` copies the needed
files out of a bare git repository (a mirror) instead of cloning.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bs4.dammit import UnicodeDammit

SPLITS = Path(__file__).resolve().parent / "splits.json"
ENV = "SC_QUALITY_DIR"
#: A Readability case whose source.html is smaller than this is a synthetic snippet.
SYNTHETIC_BYTES = 5000
HOW_TO_GET = (
    "set SC_QUALITY_DIR to a directory holding clones of the two public sets: "
    'git clone --depth 1 https://github.com/adbar/trafilatura "$SC_QUALITY_DIR/trafilatura" && '
    'git clone --depth 1 https://github.com/mozilla/readability "$SC_QUALITY_DIR/readability" && '
    'git clone --depth 1 https://github.com/kepano/defuddle "$SC_QUALITY_DIR/defuddle"'
)
_PATHS = {"trafilatura": ("tests/evaldata.json", "tests/eval", "tests/cache"),
          "readability": ("test/test-pages",),
          "defuddle": ("tests/fixtures", "tests/expected")}  # fmt: skip


@dataclass(frozen=True)
class Page:
    """One page of a public set: its HTML and what its main text is judged against."""

    key: str
    url: str
    html: str
    #: trafilatura's set: snippets that must / must not be in the text.
    with_: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    #: readability's set: the expected article's text; and whether the case is synthetic.
    expected: str = ""
    synthetic: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def data_dir(given: str | os.PathLike[str] | None = None) -> Path | None:
    """The data directory (``given``, else ``$SC_QUALITY_DIR``), or None when unset/absent."""
    chosen = given or os.environ.get(ENV)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.is_dir() else None


def decode(raw: bytes) -> str:
    """The text of an HTML file: its declared or detected encoding (UTF-8 first)."""
    dammit = UnicodeDammit(raw, ["utf-8"], is_html=True)
    if dammit.unicode_markup is None:
        return raw.decode("utf-8", "replace")
    return str(dammit.unicode_markup)


def trafilatura_pages(root: Path) -> list[Page]:
    """The 990 pages of trafilatura's evaluation, by URL (a page without its file: left out)."""
    base = root / "trafilatura" / "tests"
    data = json.loads((base / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(data):
        item = data[url]
        for sub in ("cache", "eval"):
            path = base / sub / item["file"]
            if path.is_file():
                html = decode(path.read_bytes())
                pages.append(Page(url, url, html, tuple(item["with"]), tuple(item["without"])))
                break
    return pages


def readability_pages(root: Path) -> list[Page]:
    """Readability's test cases, by name, with the expected article's text."""
    import lxml.html

    base = root / "readability" / "test" / "test-pages"
    pages = []
    for case in sorted(p for p in base.iterdir() if (p / "source.html").is_file()):
        raw = (case / "source.html").read_bytes()
        expected_html = (case / "expected.html").read_text(encoding="utf-8")
        expected = lxml.html.document_fromstring(expected_html or "<p></p>").text_content()
        url = "http://fakehost/test/page.html"
        meta = case / "expected-metadata.json"
        extra = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}
        pages.append(
            Page(case.name, url, decode(raw), expected=expected,
                 synthetic=len(raw) < SYNTHETIC_BYTES, extra=extra)
        )  # fmt: skip
    return pages


def half(key: str) -> str:
    """``"tune"`` or ``"held_out"``: the half a page's key falls in (used to write the lists)."""
    return "tune" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else "held_out"


def load_splits() -> dict[str, dict[str, list[str]]]:
    """``{set: {"tune": [keys], "held_out": [keys]}}`` from ``splits.json``."""
    return json.loads(SPLITS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def split(pages: list[Page], name: str) -> dict[str, list[Page]]:
    """``pages`` of set ``name`` cut into the fixed halves (pages not listed are left out)."""
    lists = load_splits()[name]
    by_key = {p.key: p for p in pages}
    return {h: [by_key[k] for k in lists[h] if k in by_key] for h in ("tune", "held_out")}


def write_splits(root: Path) -> None:
    """Write ``splits.json`` from the pages found under ``root`` (done once)."""
    lists: dict[str, dict[str, list[str]]] = {}
    for name, pages in (("trafilatura", trafilatura_pages(root)),
                        ("readability", readability_pages(root))):  # fmt: skip
        lists[name] = {"tune": [], "held_out": []}
        for page in pages:
            lists[name][half(page.key)].append(page.key)
    SPLITS.write_text(json.dumps(lists, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def export_mirror(git_dir: str, name: str, target: Path) -> None:
    """Copy set ``name``'s files out of a bare git repository into ``target/name``."""
    out = target / name
    out.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", f"--git-dir={git_dir}", "archive", "HEAD", *_PATHS[name]],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-splits", metavar="DIR")
    parser.add_argument("--export-mirror", nargs=3, metavar=("GIT_DIR", "NAME", "DIR"))
    args = parser.parse_args(argv)
    if args.export_mirror:
        git_dir, name, target = args.export_mirror
        export_mirror(git_dir, name, Path(target))
    if args.write_splits:
        write_splits(Path(args.write_splits))
    return 0


def iter_sets(root: Path) -> Iterator[tuple[str, list[Page]]]:
    """(set name, pages) of each public set present under ``root``."""
    if (root / "trafilatura" / "tests" / "evaldata.json").is_file():
        yield "trafilatura", trafilatura_pages(root)
    if (root / "readability" / "test" / "test-pages").is_dir():
        yield "readability", readability_pages(root)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
