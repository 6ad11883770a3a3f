"""The documentation's rules: the README stays short, and every Python example in docs/ (and
the README) either runs in a test or says, on the line before it, why it cannot."""

from __future__ import annotations

from pathlib import Path

from tests.docs_examples import REPO, python_blocks


def _pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def _python_blocks(text: str) -> list[tuple[int, str | None]]:
    """(line number, the not-runnable reason or None) of each ```python block."""
    return [(line, reason) for line, reason, _ in python_blocks(text)]


def _tests_that_run(relative: str) -> list[Path]:
    """Test files that name ``relative`` (a page) and exec code: they run its examples."""
    here = Path(__file__).resolve()
    return [
        path
        for path in sorted((REPO / "tests").rglob("*.py"))
        if path.resolve() != here
        and f'"{relative}"' in (text := path.read_text(encoding="utf-8"))
        and "exec(" in text
    ]


def test_the_readme_fits_on_two_screens() -> None:
    """README.md has at most 150 lines (the rest lives in the documentation site)."""
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 150


def test_every_python_example_runs_in_a_test_or_says_why_not() -> None:
    """A ```python block without a ``<!-- not-runnable: REASON -->`` line before it is on a
    page whose examples a test runs (a test file that names the page and execs code)."""
    unrun = []
    for page in _pages():
        relative = page.relative_to(REPO).as_posix()
        blocks = _python_blocks(page.read_text(encoding="utf-8"))
        runnable = [line for line, reason in blocks if reason is None]
        if runnable and not _tests_that_run(relative):
            unrun += [f"{relative}:{line}" for line in runnable]
    assert unrun == []


def test_a_not_runnable_mark_needs_a_reason() -> None:
    """``<!-- not-runnable: -->`` with no reason is not a mark (the block counts as runnable)."""
    assert _python_blocks("<!-- not-runnable:  -->\n```python\nx = 1\n```") == [(2, None)]
    assert _python_blocks("<!-- not-runnable: needs a Grid -->\n```python\n```") == [
        (2, "needs a Grid")
    ]


def test_the_pages_examples_are_counted() -> None:
    """The walk finds the README's and the tutorial's examples (so the check above checks)."""
    readme = _python_blocks((REPO / "README.md").read_text(encoding="utf-8"))
    tutorial = _python_blocks((REPO / "docs" / "tutorial.md").read_text(encoding="utf-8"))
    assert sum(r is None for _, r in readme) >= 2
    assert sum(r is None for _, r in tutorial) >= 3
