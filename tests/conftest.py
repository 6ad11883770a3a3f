"""Fixtures shared by the whole suite: the demo site and browser-process accounting."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from seleniumcrawl.demo.site import DemoSite
from tests.procs import RUN_MARK, chromium_temp_entries

#: The Chromium entries of the system temp directory when the run started.
_TEMP_AT_START: set[str] = set()


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist, each worker is a process group with a run mark of its own, so
    the leak checks (tests/integration/test_cleanup.py) count and clean up only the
    browsers of their own worker, never a neighbour's."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        os.setpgrp()
        os.environ[RUN_MARK] = uuid.uuid4().hex


def pytest_sessionstart(session: pytest.Session) -> None:
    """Remember the Chromium entries of the system temp directory (see the next hook)."""
    _TEMP_AT_START.update(chromium_temp_entries())


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The run fails when it left Chromium entries (``org.chromium.Chromium.*``,
    ``scoped_dir*``) in the system temp directory: every browser the tests start, directly
    or through a bare chromedriver or a Grid node, must keep them in a TMPDIR that is
    removed. Checked once, in the process that saw the whole run (xdist's controller)."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    left = sorted(chromium_temp_entries() - _TEMP_AT_START)
    if not left:
        return
    import tempfile

    session.config.get_terminal_writer().line(
        f"FAILED temp-dir check: the run left {len(left)} new Chromium entries in "
        f"{tempfile.gettempdir()}: {', '.join(left)}",
        red=True,
    )
    if session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def site() -> Iterator[DemoSite]:
    """The bundled demo site on 127.0.0.1 (one per test run), with request counting."""
    with DemoSite() as demo:
        yield demo
