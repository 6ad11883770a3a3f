"""A real Selenium Grid (Java) driving the local Chromium, started and stopped by the launcher.

Startup timings are logged at INFO (``pytest -o log_cli=true --log-cli-level=INFO``) and
recorded as junit properties.
"""

from __future__ import annotations

import contextlib
import http.server
import logging
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import InvalidSessionIdException
from selenium.webdriver.remote.webdriver import WebDriver

from tools.grid import GridError, GridServer, distributed, fetch_jar

pytestmark = pytest.mark.grid

log = logging.getLogger(__name__)

CLIENT_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_TAG_ENV = "SELENIUMCRAWL_TEST_GRID_TAG"
_PROCESS_NAMES = ("java", "chromedriver", "chromium", "chrome", "chrome_crashpad")


@pytest.fixture(scope="module")
def jar() -> Path:
    """The Grid jar; the module skips (with the reason) without Java or without a jar."""
    if shutil.which("java") is None:
        pytest.skip("java is not installed; the Selenium Grid needs Java 11+")
    try:
        return fetch_jar()
    except GridError as exc:
        pytest.skip(f"Selenium Grid jar unavailable: {exc}")


@pytest.fixture(scope="module")
def page_url() -> Iterator[str]:
    """A tiny page with a known title, served from 127.0.0.1 by this module."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><head><title>grid says hello</title></head><body>ok</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def tag(monkeypatch: pytest.MonkeyPatch) -> str:
    """A unique environment tag inherited by every process the Grid started in this test.

    Other crawlers may run browsers on this machine at the same time, so "new processes"
    alone proves nothing; the tag singles out ours independently of the launcher's own
    bookkeeping.
    """
    value = uuid.uuid4().hex
    monkeypatch.setenv(_TAG_ENV, value)
    return value


def _tagged(tag: str) -> dict[int, str]:
    """pid -> process name for live (non-zombie) processes carrying ``tag``."""
    needle = f"{_TAG_ENV}={tag}".encode()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            stat = (entry / "stat").read_text()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state = stat[stat.rindex(")") + 2 :].split()[0]
        if state != "Z" and needle in environ.split(b"\0"):
            found[int(entry.name)] = name
    return found


def _named_pids() -> set[int]:
    """What ``pgrep 'java|chromedriver|chrom'`` would list (minus zombies)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state = stat[stat.rindex(")") + 2 :].split()[0]
        if state != "Z" and name.startswith(_PROCESS_NAMES):
            found.add(int(entry.name))
    return found


def _eventually(check: Callable[[], bool], timeout: float = 10) -> bool:
    """Poll ``check`` (the Grid's /status lags its sessions slightly) until true or timeout."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _remote(url: str, args: list[str] | None = CLIENT_ARGS) -> WebDriver:
    options = webdriver.ChromeOptions()
    for arg in args or []:
        options.add_argument(arg)
    return webdriver.Remote(command_executor=url, options=options)


def _timed_remote(url: str, record_property: Callable[[str, object], None]) -> WebDriver:
    began = time.monotonic()
    driver = _remote(url)
    elapsed = time.monotonic() - began
    log.info("first remote session in %.2f s", elapsed)
    record_property("first_session_s", round(elapsed, 2))
    return driver


def test_standalone_runs_a_remote_session(
    jar: Path, page_url: str, record_property: Callable[[str, object], None]
) -> None:
    """A raw webdriver.Remote loads a local page; session_count goes 1 then 0 after quit."""
    with GridServer(jar=jar) as server:
        assert server.startup_seconds is not None
        log.info("standalone ready in %.2f s at %s", server.startup_seconds, server.url)
        record_property("standalone_ready_s", round(server.startup_seconds, 2))
        assert (server.session_count(), server.free_slots()) == (0, 2)
        driver = _timed_remote(server.url, record_property)
        try:
            driver.get(page_url)
            assert driver.title == "grid says hello"
            assert server.session_count() == 1
            assert server.free_slots() == 1
        finally:
            driver.quit()
        assert _eventually(lambda: server.session_count() == 0)


def test_stop_leaves_no_java_driver_or_browser(jar: Path, tag: str) -> None:
    """stop() with a session still open ends Java, chromedriver and every Chromium process."""
    before = _named_pids()
    server = GridServer(jar=jar)
    server.start()
    try:
        _remote(server.url)  # deliberately never quit: stop() must clean up
        ours = _tagged(tag)
        names = set(ours.values())
        assert {"java", "chromedriver"} <= names, names
        assert any(name.startswith("chrom") and name != "chromedriver" for name in names), names
        assert set(ours) <= _named_pids() - before
    finally:
        server.stop()
    assert not server.running
    assert _tagged(tag) == {}
    assert not (_named_pids() - before) & set(ours)


def test_stereotype_flags_rescue_a_client_without_them(jar: Path, page_url: str, tag: str) -> None:
    """A client sending no Chromium args still gets a working browser (flags from the node)."""
    with GridServer(jar=jar) as server:
        driver = _remote(server.url, args=None)
        try:
            driver.get(page_url)
            assert driver.title == "grid says hello"
            if os.geteuid() == 0:
                browsers = [p for p, n in _tagged(tag).items() if n == "chromium"]
                cmdlines = [Path(f"/proc/{p}/cmdline").read_bytes().split(b"\0") for p in browsers]
                assert any(b"--no-sandbox" in cmd for cmd in cmdlines)
        finally:
            driver.quit()


def test_session_timeout_kills_idle_sessions_but_not_active_ones(jar: Path) -> None:
    """With --session-timeout 10, a session pinged every 2 s survives 13 s; an idle one dies."""
    with GridServer(jar=jar, session_timeout=10) as server:
        assert server.status()["nodes"][0]["sessionTimeout"] == 10_000
        active, idle = _remote(server.url), _remote(server.url)
        try:
            # The timeout is the behaviour under test: time has to pass, there is no
            # condition to wait on. Keep-alive traffic goes to one session only.
            until = time.monotonic() + 13
            while time.monotonic() < until:
                active.execute_script("return 1")
                time.sleep(2)
            assert active.execute_script("return 2") == 2
            with pytest.raises(InvalidSessionIdException):
                idle.execute_script("return 3")
        finally:
            active.quit()
            with contextlib.suppress(InvalidSessionIdException):
                idle.quit()  # already gone: that was the point
        assert _eventually(lambda: server.session_count() == 0)


def test_distributed_hub_registers_both_nodes(
    jar: Path, page_url: str, tag: str, record_property: Callable[[str, object], None]
) -> None:
    """A hub and two nodes: both register, slots add up, a session runs, stop cleans up."""
    before = _named_pids()
    cluster = distributed(2, max_sessions=2, jar=jar)
    try:
        assert cluster.startup_seconds is not None
        log.info("hub + 2 nodes registered in %.2f s", cluster.startup_seconds)
        record_property("distributed_ready_s", round(cluster.startup_seconds, 2))
        nodes = cluster.status()["nodes"]
        assert len(nodes) == 2
        assert {node["availability"] for node in nodes} == {"UP"}
        assert {node["uri"] for node in nodes} == {node.url for node in cluster.nodes}
        assert cluster.free_slots() == 2 * 2
        driver = _timed_remote(cluster.url, record_property)
        try:
            driver.get(page_url)
            assert driver.title == "grid says hello"
            assert cluster.session_count() == 1
            assert cluster.free_slots() == 3
        finally:
            driver.quit()
        ours = set(_tagged(tag))
        assert len([p for p, n in _tagged(tag).items() if n == "java"]) == 3
    finally:
        cluster.stop()
    assert _tagged(tag) == {}
    assert not (_named_pids() - before) & ours
