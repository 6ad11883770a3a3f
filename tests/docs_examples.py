"""The Python examples of a documentation page, by the rule tests/unit/test_docs.py checks:
a ```python block runs unless the line before it is ``<!-- not-runnable: REASON -->``."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: The mark that exempts the block after it from being run; a mark needs a reason.
NOT_RUNNABLE = re.compile(r"^<!-- not-runnable: (?P<reason>.*\S.*) -->$")


def python_blocks(text: str) -> list[tuple[int, str | None, str]]:
    """(line number of the fence, the not-runnable reason or None, the code) of each
    ```python block of ``text``."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.strip() != "```python":
            continue
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "```"), len(lines))
        mark = NOT_RUNNABLE.match(lines[i - 1].strip()) if i else None
        found.append((i + 1, mark.group("reason") if mark else None, "\n".join(lines[i + 1 : end])))
    return found


def runnable_blocks(relative: str) -> list[str]:
    """The code of the ```python blocks of the page at ``relative`` (from the repository's
    root) that are not marked not-runnable, in page order."""
    text = (REPO / relative).read_text(encoding="utf-8")
    return [code for _, reason, code in python_blocks(text) if reason is None]
