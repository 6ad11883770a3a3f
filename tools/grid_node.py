"""A Grid node's configuration for :mod:`tools.grid`: the local Chromium and chromedriver,
the flags this machine needs, the stereotype and the node TOML; free local ports.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from typing import Any

from seleniumcrawl.browser.remote import GridError
from seleniumcrawl.errors import ConfigError

#: A fixed name: the module also runs under the script ``python tools/grid.py``.
logger = logging.getLogger("seleniumcrawl.tools.grid")


#: Seconds a new-session request may wait in the Grid's queue. Below the client's
#: ``BrowserConfig.command_timeout`` (120 s) so the Grid answers "no free slot" before the
#: client gives up on the HTTP call and leaves a request behind in the queue.
DEFAULT_SESSION_REQUEST_TIMEOUT = 90
LOCALHOST = "127.0.0.1"


_CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def default_browser_args() -> list[str]:
    """Chromium flags this machine needs whatever the client asks for.

    Root cannot run Chromium's sandbox, and a machine without a display can only run
    headless. These belong to the node, not the crawl, so they go in the stereotype.
    """
    args: list[str] = []
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        args.append("--headless=new")
    return args


def find_chromium() -> str:
    """Path of the local Chromium (or Chrome); :class:`GridError` when there is none."""
    for name in _CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise GridError("no Chromium found on PATH; install it (Debian: `make system-deps`)")


def find_chromedriver() -> str:
    """Path of chromedriver; :class:`GridError` when there is none."""
    found = shutil.which("chromedriver")
    if found is None:
        raise GridError("chromedriver not found on PATH; install it (Debian: chromium-driver)")
    return found


def _toml_string(value: str) -> str:
    """A TOML basic string. JSON's escapes are a subset of TOML's, except that TOML
    also wants DEL escaped and has no surrogate-pair escapes (hence ensure_ascii=False)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{name} must be a positive int, got {value!r}")
    return value


def stereotype(chromium_path: str, args: Sequence[str] = ()) -> dict[str, Any]:
    """The capabilities a node's slots advertise (and merge into matching requests)."""
    options: dict[str, Any] = {"binary": chromium_path}
    if args:
        options["args"] = list(args)
    return {"browserName": "chrome", "goog:chromeOptions": options}


def node_config(
    *,
    chromium_path: str,
    chromedriver_path: str,
    max_sessions: int = 2,
    session_timeout: int = 300,
    session_request_timeout: int = DEFAULT_SESSION_REQUEST_TIMEOUT,
    extra_args: Sequence[str] = (),
) -> str:
    """The TOML config of a standalone server or node driving one local Chromium.

    ``detect-drivers = false`` with an explicit driver configuration, so the node never
    runs Selenium Manager (which would try to download a browser). ``session_timeout``
    is how long an idle session lives (keep-alive pings reset it);
    ``session_request_timeout`` is how long a new-session request may queue for a slot.
    """
    max_sessions = _positive_int("max_sessions", max_sessions)
    session_timeout = _positive_int("session_timeout", session_timeout)
    session_request_timeout = _positive_int("session_request_timeout", session_request_timeout)
    caps = json.dumps(stereotype(chromium_path, extra_args))
    lines = [
        "[node]",
        "detect-drivers = false",
        "selenium-manager = false",
        f"max-sessions = {max_sessions}",
        # Grid caps max-sessions at the CPU count unless told otherwise; we asked explicitly.
        "override-max-sessions = true",
        f"session-timeout = {session_timeout}",
        "",
        "[[node.driver-configuration]]",
        'display-name = "chromium"',
        f"webdriver-executable = {_toml_string(chromedriver_path)}",
        f"max-sessions = {max_sessions}",
        f"stereotype = {_toml_string(caps)}",
        "",
        "[sessionqueue]",
        f"session-request-timeout = {session_request_timeout}",
        "session-request-timeout-period = 5",
        "",
    ]
    return "\n".join(lines)
