"""Fixtures for the ported Crawl4AI documentation examples (see README.md).

Each example runs as Crawl4AI's documentation writes it, with ``crawl4ai`` changed to
``seleniumcrawl`` and its URL pointed at a page of ``pages/`` served here on 127.0.0.1.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

PAGES = Path(__file__).parent / "pages"


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files from pages/, without the access log on stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="session")
def pages_url() -> Iterator[Callable[[str], str]]:
    """``pages_url("hn.html")``: the URL of a page of pages/, served on 127.0.0.1."""
    handler = functools.partial(_QuietHandler, directory=str(PAGES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="compat-pages", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield lambda name: f"{base}/{name}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Examples that enable the cache write it under the test's temp dir, not ~/."""
    monkeypatch.setenv("SELENIUMCRAWL_HOME", str(tmp_path / "home"))


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Examples with ``verbose=True`` change the seleniumcrawl logger; put it back."""
    logger = logging.getLogger("seleniumcrawl")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


@pytest.fixture
def headed_display(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """For ``headless=False`` examples: $DISPLAY, else a private Xvfb server for the test
    (skipped when neither exists)."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    binary = shutil.which("Xvfb")
    if binary is None:
        pytest.skip("headless=False needs a display: set DISPLAY or install Xvfb")
    ready_r, ready_w = os.pipe()
    xvfb = subprocess.Popen(
        [binary, "-displayfd", str(ready_w), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        pass_fds=(ready_w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(ready_w)
    try:
        with os.fdopen(ready_r) as ready:
            display = ready.readline().strip()  # Xvfb names its display once it accepts clients
        if not display:
            pytest.skip("Xvfb did not start")
        monkeypatch.setenv("DISPLAY", f":{display}")
        yield f":{display}"
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
