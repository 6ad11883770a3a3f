"""The ``wait_for`` grammar (``css:``/``js:`` prefixes, bare selector or JS)."""

from __future__ import annotations

import pytest

from seleniumcrawl.browser.page import parse_wait_for


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("css:#main .item", ("css", "#main .item")),
        ("css: li.commit", ("css", "li.commit")),
        ("js:() => window.ready", ("js", "() => window.ready")),
        ("js:document.readyState === 'complete'", ("js", "document.readyState === 'complete'")),
        (
            "() => document.querySelectorAll('li').length > 3",
            ("js", "() => document.querySelectorAll('li').length > 3"),
        ),
        ("function () { return true; }", ("js", "function () { return true; }")),
        ("async () => true", ("js", "async () => true")),
        ("div.loaded", ("css", "div.loaded")),
        ("  #x  ", ("css", "#x")),
    ],
)
def test_prefixes_and_bare_strings(condition: str, expected: tuple[str, str]) -> None:
    """css:/js: prefixes pick the kind; bare functions are JS; anything else is CSS."""
    assert parse_wait_for(condition) == expected
