"""Fixtures shared by the whole suite: the demo site and browser-process accounting."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from seleniumcrawl.demo.site import DemoSite
from tests.procs import RUN_MARK


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker is a process group with a run mark of its own, so
    the leak checks (tests/integration/test_cleanup.py) count and clean up only the
    browsers of their own worker, never a neighbour's."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.setpgrp()
        os.environ[RUN_MARK] = uuid.uuid4().hex


@pytest.fixture(scope="session")
def site() -> Iterator[DemoSite]:
    """The bundled demo site on 127.0.0.1 (one per test run), with request counting."""
    with DemoSite() as demo:
        yield demo
