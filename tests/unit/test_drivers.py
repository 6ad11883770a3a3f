"""Driver discovery order and browser flags."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seleniumcrawl import BrowserConfig
from seleniumcrawl.browser import launch
from seleniumcrawl.errors import DriverNotFoundError


def _fake_driver(directory: Path, name: str = "chromedriver") -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_driver_path_wins_over_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An explicit driver_path is used even when the env var and PATH offer others."""
    explicit = _fake_driver(tmp_path, "explicit-driver")
    monkeypatch.setenv("SELENIUMCRAWL_CHROMEDRIVER", str(_fake_driver(tmp_path, "env-driver")))
    assert launch.find_driver(BrowserConfig(driver_path=str(explicit))) == str(explicit)


def test_env_var_comes_before_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SELENIUMCRAWL_CHROMEDRIVER is preferred to a chromedriver on PATH."""
    env_driver = _fake_driver(tmp_path, "env-driver")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _fake_driver(bin_dir)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("SELENIUMCRAWL_CHROMEDRIVER", str(env_driver))
    assert launch.find_driver(BrowserConfig()) == str(env_driver)
    monkeypatch.delenv("SELENIUMCRAWL_CHROMEDRIVER")
    assert launch.find_driver(BrowserConfig()) == str(bin_dir / "chromedriver")


def test_env_var_pointing_nowhere_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A SELENIUMCRAWL_CHROMEDRIVER that is not a file is reported, not skipped."""
    monkeypatch.setenv("SELENIUMCRAWL_CHROMEDRIVER", "/no/such/chromedriver")
    with pytest.raises(DriverNotFoundError, match="SELENIUMCRAWL_CHROMEDRIVER"):
        launch.find_driver(BrowserConfig())


def test_missing_geckodriver_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no geckodriver anywhere the error tells the user how to get one."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("SELENIUMCRAWL_GECKODRIVER", raising=False)
    monkeypatch.setattr(launch, "_from_webdriver_manager", lambda config: None)
    with pytest.raises(DriverNotFoundError, match="geckodriver"):
        launch._local_service(BrowserConfig(browser_type="firefox"))


def test_missing_chromedriver_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no chromedriver and no network for Selenium Manager, the error names apt-get."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("SELENIUMCRAWL_CHROMEDRIVER", raising=False)
    monkeypatch.setattr(launch, "_from_webdriver_manager", lambda config: None)

    def no_manager(*args: object, **kwargs: object) -> str:
        raise RuntimeError("Selenium Manager: no network")

    monkeypatch.setattr(
        "selenium.webdriver.common.driver_finder.DriverFinder.get_driver_path", no_manager
    )
    with pytest.raises(DriverNotFoundError, match="apt-get install chromium chromium-driver"):
        launch._local_service(BrowserConfig())


def test_quiet_flags_always_and_no_sandbox_only_as_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chromium gets the no-network flags always, --no-sandbox only when running as root."""
    monkeypatch.setattr(launch, "running_as_root", lambda: False)
    args = launch.chromium_args(BrowserConfig())
    assert "--no-sandbox" not in args
    for flag in (
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--headless=new",
    ):
        assert flag in args
    monkeypatch.setattr(launch, "running_as_root", lambda: True)
    assert "--no-sandbox" in launch.chromium_args(BrowserConfig())
    # A Grid on another machine runs its own user; we do not guess for it.
    remote = BrowserConfig(remote_url="http://grid.example:4444")
    assert "--no-sandbox" not in launch.chromium_args(remote)


def test_options_reflect_browser_config() -> None:
    """Viewport, user agent, proxy, text mode and extra args reach the browser flags."""
    config = BrowserConfig(
        viewport_width=800,
        viewport_height=500,
        user_agent="UA/1",
        proxy="http://p:3128",
        text_mode=True,
        extra_args=["--lang=de"],
        headless=False,
    )
    args = launch.chromium_args(config)
    assert "--window-size=800,500" in args and "--user-agent=UA/1" in args
    assert "--proxy-server=http://p:3128" in args and "--lang=de" in args
    assert "--blink-settings=imagesEnabled=false" in args and "--headless=new" not in args


def test_remote_options_carry_session_name() -> None:
    """Remote capabilities carry se:name so sessions are recognisable in the Grid UI."""
    options = launch.build_options(BrowserConfig(remote_url="http://127.0.0.1:4444"), "drv-7")
    assert options.to_capabilities()["se:name"] == "drv-7"
    assert "se:name" not in launch.build_options(BrowserConfig(), "x").to_capabilities()


def test_root_detection_matches_euid() -> None:
    """running_as_root() reflects the effective uid."""
    assert launch.running_as_root() == (os.geteuid() == 0)
