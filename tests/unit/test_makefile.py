"""The Makefile: ``make help`` lists the targets; only browser targets install system packages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

#: Targets that start a browser; only these may install Debian packages.
BROWSER_TARGETS = ["setup", "demo", "test", "integration", "bench", "grid", "grid-distributed"]
NO_BROWSER_TARGETS = ["venv", "lint", "typecheck", "unit", "grid-jar", "quality"]


def _make(*args: str) -> str:
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout


def _phony_targets() -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith(".PHONY:"))
    return line.split(":", 1)[1].split()


def _help() -> dict[str, str]:
    rows = [line.split(None, 1) for line in _make("help").splitlines() if line.strip()]
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows}


def test_help_lists_every_target_with_a_description() -> None:
    """Each .PHONY target has a one-line description in ``make help``; nothing else is listed."""
    listed = _help()
    targets = _phony_targets()
    assert sorted(listed) == sorted(targets)
    for target in targets:
        assert listed[target].strip(), f"{target} has no description"


def test_help_is_the_default_goal() -> None:
    """A bare ``make`` prints the help instead of installing anything."""
    assert _make() == _make("help")


@pytest.mark.parametrize("target", NO_BROWSER_TARGETS)
def test_targets_without_a_browser_install_no_system_packages(target: str) -> None:
    """lint, typecheck, unit and venv never run apt-get (``make -n -B`` shows every command)."""
    commands = _make("-n", "-B", target)
    assert "apt-get" not in commands
    assert "pip install" in commands


@pytest.mark.parametrize("target", BROWSER_TARGETS)
def test_browser_targets_install_chromium_when_missing(target: str) -> None:
    """The targets that run a browser install chromium and the venv on a fresh machine."""
    commands = _make("-n", "-B", target)
    assert "apt-get install" in commands and "chromium-driver" in commands
    assert "pip install" in commands
