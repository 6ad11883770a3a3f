"""BrowserConfig.accept_downloads / downloads_path validation (no browser)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seleniumcrawl import BrowserConfig


def test_downloads_off_by_default() -> None:
    """Downloads are off unless asked for, with no path."""
    config = BrowserConfig()
    assert config.accept_downloads is False
    assert config.downloads_path is None


def test_relative_path_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative downloads_path is stored absolute (results list absolute paths)."""
    monkeypatch.chdir(tmp_path)
    config = BrowserConfig(accept_downloads=True, downloads_path="dl")
    assert config.downloads_path == str(tmp_path / "dl")


def test_pathlike_accepted(tmp_path: Path) -> None:
    """A pathlib.Path is accepted and stored as str."""
    config = BrowserConfig(accept_downloads=True, downloads_path=tmp_path)
    assert config.downloads_path == str(tmp_path)


def test_missing_directory_under_writable_parent_is_fine(tmp_path: Path) -> None:
    """A directory that does not exist yet is accepted when it can be created."""
    config = BrowserConfig(accept_downloads=True, downloads_path=str(tmp_path / "a" / "b"))
    assert config.downloads_path == str(tmp_path / "a" / "b")


def test_file_is_refused(tmp_path: Path) -> None:
    """A downloads_path that is a file raises ValueError naming the field."""
    file = tmp_path / "f.txt"
    file.write_text("x")
    with pytest.raises(ValueError, match="downloads_path"):
        BrowserConfig(accept_downloads=True, downloads_path=str(file))
    with pytest.raises(ValueError, match="downloads_path"):
        BrowserConfig(accept_downloads=True, downloads_path=str(file / "sub"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_directory_is_refused(tmp_path: Path) -> None:
    """A directory we cannot write raises ValueError naming the field."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ValueError, match=r"downloads_path .* not writable"):
            BrowserConfig(accept_downloads=True, downloads_path=str(locked))
    finally:
        locked.chmod(0o700)


def test_wrong_types() -> None:
    """Non-bool accept_downloads and non-str downloads_path raise TypeError."""
    with pytest.raises(TypeError, match="accept_downloads"):
        BrowserConfig(accept_downloads="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="downloads_path"):
        BrowserConfig(accept_downloads=True, downloads_path=3)  # type: ignore[arg-type]


def test_unwritable_directory_is_refused_whoever_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writability check itself (os.access), also when the tests run as root."""
    monkeypatch.setattr("seleniumcrawl.config.browser.os.access", lambda path, mode: False)
    with pytest.raises(ValueError, match=r"downloads_path .* not writable"):
        BrowserConfig(accept_downloads=True, downloads_path=str(tmp_path))
