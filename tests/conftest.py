"""Fixtures shared by the whole suite: the demo site and browser-process accounting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seleniumcrawl.demo.site import DemoSite


@pytest.fixture(scope="session")
def site() -> Iterator[DemoSite]:
    """The bundled demo site on 127.0.0.1 (one per test run), with request counting."""
    with DemoSite() as demo:
        yield demo
