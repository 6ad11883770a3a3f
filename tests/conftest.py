"""Fixtures shared by the whole suite: the demo site and browser-process accounting."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seleniumcrawl.demo.site import DemoSite
from tests.procs import live_browser_pids


@pytest.fixture(scope="session")
def site() -> Iterator[DemoSite]:
    """The bundled demo site on 127.0.0.1 (one per test run), with request counting."""
    with DemoSite() as demo:
        yield demo


@pytest.fixture
def no_leaked_browsers() -> Iterator[set[int]]:
    """Fails the test when it leaves browser or driver processes it started behind."""
    before = live_browser_pids()
    yield before
    leaked = live_browser_pids() - before
    assert not leaked, f"browser/driver processes left behind: {sorted(leaked)}"
