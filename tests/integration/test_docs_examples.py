"""The README's and the tutorial's examples run against the bundled demo site and print what
their comments say (a comment line ``# ...`` in a block is an expected output line)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl.demo import DemoSite
from tests.docs_examples import runnable_blocks

REPO = Path(__file__).resolve().parents[2]
PAGES = ("README.md", "docs/tutorial.md")


def _expected(block: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^\s*# (.*)$", block, flags=re.M)]


@pytest.fixture(scope="module")
def site() -> Any:
    with DemoSite() as demo:
        yield demo


@pytest.mark.parametrize("relative", PAGES)
def test_the_pages_examples_print_what_they_say(
    relative: str, site: DemoSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each runnable example of the page runs (``base`` = the demo site) and prints exactly
    the lines its ``# ...`` comments give."""
    blocks = runnable_blocks(relative)
    assert len(blocks) >= 2
    base = site.url("/").rstrip("/")
    for block in blocks:
        exec(compile(block, relative, "exec"), {"base": base, "__name__": "__docs__"})
        printed = capsys.readouterr().out.splitlines()
        assert printed == _expected(block), block
