"""``seleniumcrawl doctor``: the versions, the browser and driver it would use (or the
remote end), then a real crawl; one ``problem: ... -- fix: ...`` line per thing that fails
and exit status 1 if any did."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from seleniumcrawl.cli.common import EXIT_OK, Parser, build_browser_config, fail, write_line
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig


def add_doctor(commands: argparse._SubParsersAction[Parser], parents: list[Parser]) -> None:
    """The ``doctor`` command."""
    doctor = commands.add_parser(
        "doctor",
        parents=parents,
        help="check the browser, driver and versions",
        description="Check that a browser can be started and crawl; report how to fix what fails.",
    )
    doctor.set_defaults(handler=cmd_doctor)


_PACKAGES = ("selenium", "beautifulsoup4", "soupsieve", "lxml", "attrs", "snowballstemmer", "tqdm")
_DOCTOR_HTML = "raw:<html><head><title>doctor</title></head><body><p>ok</p></body></html>"


class _Doctor:
    """Collects the report lines of ``seleniumcrawl doctor``; counts the problems."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.problems = 0

    def info(self, label: str, text: str) -> None:
        write_line(self.out, f"{label + ':':<16}{text}")

    def problem(self, what: str, fix: str) -> None:
        self.problems += 1
        write_line(self.out, f"problem: {' '.join(what.split())} -- fix: {fix}")


def cmd_doctor(args: argparse.Namespace) -> int:
    """``seleniumcrawl doctor``: versions, browser, driver, a real crawl; 1 on any problem."""
    browser_config = build_browser_config(args)
    doctor = _Doctor(sys.stdout)
    _check_versions(doctor)
    if browser_config.remote_url is not None:
        _check_remote(doctor, browser_config.remote_url)
    else:
        _check_local(doctor, browser_config)
    if doctor.problems == 0:
        _check_crawl(doctor, browser_config)
    if doctor.problems:
        return fail(f"doctor found {doctor.problems} problem(s); see 'problem:' above", 1)
    write_line(sys.stdout, "all checks passed")
    return EXIT_OK


def _check_versions(doctor: _Doctor) -> None:
    from importlib import metadata

    from seleniumcrawl import __version__

    doctor.info("seleniumcrawl", __version__)
    doctor.info("python", f"{sys.version.split()[0]} ({sys.executable})")
    for name in _PACKAGES:
        try:
            doctor.info(name, metadata.version(name))
        except metadata.PackageNotFoundError:
            doctor.problem(f"Python package {name} is not installed", f"pip install {name}")


def _program_version(path: str) -> str | None:
    """First line of ``path --version`` (Debian's chromium wrapper chatters on stderr)."""
    import subprocess

    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[0].strip() if done.returncode == 0 and lines else None


def _major(version: str | None) -> int | None:
    import re

    match = re.search(r"(\d+)\.\d+", version or "")
    return int(match.group(1)) if match else None


def _check_local(doctor: _Doctor, config: BrowserConfig) -> None:
    from seleniumcrawl.browser.launch import find_browser, find_driver, running_as_root
    from seleniumcrawl.errors import DriverNotFoundError

    browser = find_browser(config)
    browser_version = _program_version(browser) if browser else None
    if browser is None:
        doctor.problem(
            f"no {config.browser_type} binary found on PATH",
            "apt-get install chromium (Debian/Ubuntu), or set BrowserConfig(browser_path=...)",
        )
    else:
        doctor.info("browser", f"{browser} ({browser_version or 'version unknown'})")
    try:
        driver = find_driver(config)
    except DriverNotFoundError as exc:
        doctor.problem(str(exc), "point the variable at an existing driver executable")
        return
    driver_version = _program_version(driver) if driver else None
    if driver is None:
        doctor.info("driver", "none found; Selenium Manager will try to download one")
    else:
        doctor.info("driver", f"{driver} ({driver_version or 'version unknown'})")
    majors = _major(browser_version), _major(driver_version)
    if None not in majors and majors[0] != majors[1]:
        doctor.problem(
            f"browser version {majors[0]} does not match driver version {majors[1]}",
            "install the driver built for your browser (Debian: chromium-driver next to "
            "chromium), or set SELENIUMCRAWL_CHROMEDRIVER to it",
        )
    root = "yes: Chromium runs with --no-sandbox" if running_as_root() else "no"
    doctor.info("root", root)


def _check_remote(doctor: _Doctor, url: str) -> None:
    from seleniumcrawl.browser.remote import GridError, grid_status

    try:
        status = grid_status(url)
    except GridError as exc:
        doctor.problem(str(exc), f"start the Grid (make grid) or check --remote-url {url}")
        return
    if status["kind"] == "webdriver":
        doctor.info("remote", f"{url}: WebDriver server, ready={status['ready']}")
    else:
        doctor.info(
            "remote",
            f"{url}: Selenium Grid ({status['kind']}), ready={status['ready']}, "
            f"nodes up {status['nodes_up']}/{status['nodes']}, "
            f"free slots {status['free_slots']}/{status['total_slots']}, "
            f"sessions {status['sessions']}",
        )
        if status["ready"] and status["free_slots"] == 0:
            doctor.info("warning", "no free slot now: new sessions wait in the Grid's queue")
    if not status["ready"]:
        doctor.problem(
            f"{url} is not ready: {status['message'] or 'no reason given'}",
            "wait for the Grid's nodes to register, or check the Grid's log",
        )


def _check_crawl(doctor: _Doctor, config: BrowserConfig) -> None:
    """Start a browser and crawl a ``raw:`` page in it (a JS step forces the browser)."""
    import time

    from seleniumcrawl.crawler import WebCrawler

    run_config = CrawlerRunConfig(js_code="return navigator.userAgent", page_timeout=30000)
    started = time.perf_counter()
    with WebCrawler(config) as crawler:
        result = crawler.run(_DOCTOR_HTML, run_config)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if not result.success:
        doctor.problem(
            f"the browser could not crawl a page: {result.error_message}",
            "run 'seleniumcrawl doctor --verbose' for the driver's log",
        )
        return
    agent = (result.js_execution_result or {}).get("results", [None])[0]
    doctor.info("first crawl", f"OK in {elapsed_ms:.0f} ms (browser start included)")
    doctor.info("user agent", str(agent))
