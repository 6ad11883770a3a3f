"""A saved login comes back whole: cookies set by a real server (every SameSite value and
none, Secure on https and on localhost, HttpOnly, Max-Age, a domain cookie, a host-only
one, one with a path, a partitioned one) and by ``document.cookie``, plus localStorage
and sessionStorage of four origins (two ports, https, a named host), exported from one
process and imported in another, on both transports (#24).

The server is this module's: plain http on two ports (two origins) and https (a test
certificate from tests/data, accepted with ``ignore_https_errors``); ``*.roundtrip.test``
resolves to 127.0.0.1 in the browser (``--host-resolver-rules``) so that a cookie can
name a parent domain.
"""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite
from tests.docs_examples import runnable_blocks

pytestmark = pytest.mark.usefixtures("transport")

DATA = Path(__file__).resolve().parent.parent / "data"
RESOLVER = "--host-resolver-rules=MAP *.roundtrip.test 127.0.0.1"
SECRET = "v4lue-0f-the-cookie"

#: Set-Cookie headers of /set, on every host (a browser keeps those its origin allows).
SET_COOKIES = (
    f"unset={SECRET}; Path=/",
    "lax=1; SameSite=Lax; Path=/",
    "strict=1; SameSite=Strict; Path=/",
    "none_secure=1; SameSite=None; Secure; Path=/",
    "secure_only=1; Secure; Path=/",
    "http_only=1; HttpOnly; Path=/",
    "max_age=1; Max-Age=86400; Path=/",
    "pathy=1; Path=/sub",
    "chips=1; Secure; SameSite=None; Path=/; Partitioned",
)
#: What the page's own script sets.
JS_COOKIES = "document.cookie = 'js=1; path=/'; document.cookie = 'js_lax=1; SameSite=Lax; path=/';"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        host = self.headers.get("Host", "").split(":")[0]
        if self.path.startswith("/set"):
            cookies = list(SET_COOKIES)
            if host.endswith(".roundtrip.test"):
                cookies.append("dom=1; Domain=roundtrip.test; Path=/")
            body = (
                "<html><body><p>set</p><script>"
                + JS_COOKIES
                + "localStorage.setItem('where', location.origin);"
                "sessionStorage.setItem('tab', 'seen ' + location.origin);"
                "</script></body></html>"
            )
        elif self.path.startswith(("/echo", "/sub/echo")):
            cookies = []
            sent = self.headers.get("Cookie", "")
            names = sorted(part.split("=", 1)[0].strip() for part in sent.split(";") if part)
            body = f'<html><body><pre id="sent">{json.dumps(names)}</pre></body></html>'
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@attrs.frozen
class Servers:
    """The module's servers: two http ports and an https one."""

    http_a: int
    http_b: int
    https: int

    def pages(self) -> list[str]:
        """The origins the first process visits (each one's /set)."""
        return [
            f"http://localhost:{self.http_a}",
            f"http://127.0.0.1:{self.http_b}",
            f"https://127.0.0.1:{self.https}",
            f"http://www.roundtrip.test:{self.http_a}",
        ]


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    """Two plain http servers and one https server on 127.0.0.1."""
    started = []
    for tls in (False, False, True):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(DATA / "test-tls-cert.pem", DATA / "test-tls-key.pem")
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
    try:
        yield Servers(*(s.server_address[1] for s in started))
    finally:
        for server in started:
            server.shutdown()
            server.server_close()


def _config(**changes: Any) -> BrowserConfig:
    return BrowserConfig(extra_args=[RESOLVER], ignore_https_errors=True, **changes)


def _sent(crawler: WebCrawler, origins: list[str], session: str) -> dict[str, list[str]]:
    """The cookie names each origin's /echo and /sub/echo received."""
    out = {}
    for origin in origins:
        for path in ("/echo", "/sub/echo"):
            page = crawler.run(origin + path, config=CrawlerRunConfig(session_id=session))
            assert page.success, page.error_message
            html = str(page.html)
            start = html.index('<pre id="sent">') + len('<pre id="sent">')
            out[origin + path] = json.loads(html[start : html.index("</pre>", start)])
    return out


#: The second process: load the state, report what each origin's requests carry, export.
CHILD = """
import json, logging, sys
from seleniumcrawl import BrowserConfig, WebCrawler
from tests.integration.test_storage_roundtrip import _config, _sent
logging.basicConfig(level=logging.INFO, stream=sys.stderr)
path, origins = sys.argv[1], json.loads(sys.argv[2])
with WebCrawler(config=_config(storage_state=path)) as crawler:
    sent = _sent(crawler, origins, "s")
    state = crawler.crawler_strategy.export_storage_state(session_id="s")
print(json.dumps({"sent": sent, "state": state}))
"""


def _by_key(state: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(c["name"], c["domain"], c["path"]): c for c in state["cookies"]}


def _attributes(cookie: dict[str, Any]) -> dict[str, Any]:
    """What must survive: everything but the exact expiry (compared apart)."""
    return {k: v for k, v in cookie.items() if k != "expires"} | {
        "session": cookie["expires"] == -1
    }


def test_every_accepted_cookie_and_origin_survives_another_process(
    servers: Servers, tmp_path: Path
) -> None:
    """Every cookie the browser accepted in one process (the server's and the page
    script's) is in the other process with the same attributes (SameSite or its absence,
    Secure, HttpOnly, expiry, domain or host-only, path, partition key) and is sent to
    the same pages;
    every origin's localStorage and sessionStorage is there; a cookie that cannot be
    restored is warned about by name, never by value."""
    origins = servers.pages()
    path = tmp_path / "state.json"
    with WebCrawler(config=_config()) as crawler:
        for origin in origins:
            page = crawler.run(origin + "/set", config=CrawlerRunConfig(session_id="s"))
            assert page.success, page.error_message
        first_sent = _sent(crawler, origins, "s")
        first = crawler.crawler_strategy.export_storage_state(path, session_id="s")
    names = {c["name"] for c in first["cookies"]}
    assert {"unset", "lax", "strict", "none_secure", "secure_only", "http_only"} <= names
    assert {"max_age", "pathy", "dom", "js", "js_lax"} <= names
    by_key = _by_key(first)
    unset = by_key[("unset", "localhost", "/")]
    assert "sameSite" not in unset, "a cookie set without SameSite is exported without one"
    assert by_key[("js", "localhost", "/")].get("sameSite") is None
    assert by_key[("lax", "localhost", "/")]["sameSite"] == "Lax"
    assert by_key[("none_secure", "localhost", "/")] | {"value": ""} == {
        "name": "none_secure",
        "value": "",
        "domain": "localhost",
        "path": "/",
        "expires": -1,
        "httpOnly": False,
        "secure": True,
        "sameSite": "None",
    }
    assert ("none_secure", "127.0.0.1", "/") in by_key, "Secure over https"
    assert ("dom", ".roundtrip.test", "/") in by_key
    assert by_key[("http_only", "localhost", "/")]["httpOnly"] is True
    assert by_key[("max_age", "localhost", "/")]["expires"] > 0
    chips = by_key[("chips", "localhost", "/")]
    assert chips["partitionKey"] == "http://localhost" and not chips["_crHasCrossSiteAncestor"]
    for entry in first["origins"]:
        origin = entry["origin"]
        assert entry["localStorage"] == [{"name": "where", "value": origin}]
        assert entry["sessionStorage"] == [{"name": "tab", "value": f"seen {origin}"}]
    assert sorted(o["origin"] for o in first["origins"]) == sorted(origins)

    # Cookies a browser cannot take back, written by another tool: warned by name.
    saved = json.loads(path.read_text())
    saved["cookies"] += [
        {"name": "was_none", "value": SECRET, "domain": "127.0.0.1", "path": "/",
         "sameSite": "None", "secure": False},
        {"name": "__Host-bad", "value": SECRET, "domain": "127.0.0.1", "path": "/sub",
         "secure": False},
    ]  # fmt: skip
    path.write_text(json.dumps(saved))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), json.dumps(origins)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert child.returncode == 0, child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    second = _by_key(seen["state"])
    for key, cookie in _by_key(first).items():
        assert key in second, f"{key} was lost"
        assert _attributes(second[key]) == _attributes(cookie), key
        assert abs(second[key]["expires"] - cookie["expires"]) < 1, key
    assert second[("was_none", "127.0.0.1", "/")]["sameSite"] == "Lax"
    assert ("__Host-bad", "127.0.0.1", "/sub") not in second
    # The same pages get the same cookies (and the 127.0.0.1 ones the reloaded "was_none").
    assert {p: [n for n in v if n != "was_none"] for p, v in seen["sent"].items()} == first_sent
    assert "'was_none'" in child.stderr and "loaded as Lax" in child.stderr
    assert "cookie '__Host-bad' (127.0.0.1) was not set" in child.stderr
    assert SECRET not in child.stderr
    assert seen["state"]["origins"] == first["origins"]


async def test_cookies_move_between_isolated_sessions(servers: Servers) -> None:
    """An isolated session's cookies, exported and given to another crawler's isolated
    session (storage_state) or added by a hook's page.context.add_cookies, arrive with
    their attributes, and its requests carry them."""
    origin = servers.pages()[0]
    iso = CrawlerRunConfig(session_id="a", session_isolation=True)
    async with AsyncWebCrawler(config=_config()) as crawler:
        assert (await crawler.arun(origin + "/set", config=iso)).success
        exported = await crawler.crawler_strategy.export_storage_state(session_id="a")
    assert "sameSite" not in _by_key(exported)[("unset", "localhost", "/")]
    other = CrawlerRunConfig(session_id="b", session_isolation=True)
    async with AsyncWebCrawler(config=_config(storage_state=exported)) as crawler:
        echo = await crawler.arun(origin + "/echo", config=other)
        assert '"unset"' in str(echo.html) and '"http_only"' in str(echo.html)
        moved = await crawler.crawler_strategy.export_storage_state(session_id="b")
    assert {k: _attributes(c) for k, c in _by_key(moved).items()} == {
        k: _attributes(c) for k, c in _by_key(exported).items()
    }
    async with AsyncWebCrawler(config=_config()) as crawler:

        async def add(page: Any, **_: Any) -> None:
            await page.context.add_cookies(exported["cookies"])

        crawler.crawler_strategy.set_hook("on_page_context_created", add)
        await crawler.arun(
            origin + "/echo", config=CrawlerRunConfig(session_id="c", session_isolation=True)
        )
        added = await crawler.crawler_strategy.export_storage_state(session_id="c")
    assert {k: _attributes(c) for k, c in _by_key(added).items()} == {
        k: _attributes(c) for k, c in _by_key(exported).items()
    }


def test_the_docs_examples_run(
    site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """Every runnable example of docs/storage.md runs against the demo site and prints
    what its comments say."""
    monkeypatch.chdir(tmp_path)
    blocks = runnable_blocks("docs/storage.md")
    assert len(blocks) == 3
    for block in blocks:
        exec(compile(block, "docs/storage.md", "exec"), {"base": site.url("/").rstrip("/")})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "['session']"
    assert out[1].startswith("bad_input BrowserConfig.storage_state (strict): 1 cookie(s)")
    assert "cookie '__Host-id' (127.0.0.1) was not set" in out[1]
    assert out[1].endswith("(a __Host- cookie needs secure)")
    assert oct(os.stat(tmp_path / "state.json").st_mode & 0o777) == "0o600"


def test_local_storage_the_browser_refuses_is_warned_about(
    servers: Servers, caplog: pytest.LogCaptureFixture
) -> None:
    """An origin's items over the browser's localStorage quota are not written: its first
    page is a warning naming the origin (not the values), while another origin's items are
    in place without one."""
    big = "x" * 6_000_000  # Chromium keeps 10 MiB (UTF-16) per origin
    over, fine = f"http://localhost:{servers.http_a}", f"http://127.0.0.1:{servers.http_b}"
    state = {
        "origins": [
            {"origin": over, "localStorage": [{"name": "big", "value": big}]},
            {"origin": fine, "localStorage": [{"name": "token", "value": SECRET}]},
        ]
    }
    with caplog.at_level("WARNING"), WebCrawler(config=_config(storage_state=state)) as crawler:
        for origin in (over, fine):
            assert crawler.run(origin + "/echo", config=CrawlerRunConfig(session_id="s")).success
        exported = crawler.crawler_strategy.export_storage_state(session_id="s")
    warned = [r.getMessage() for r in caplog.records if "localStorage of" in r.getMessage()]
    assert warned == [
        f"BrowserConfig.storage_state: the localStorage of {over} (1 items) was not in place "
        "on its first page: the browser refused it (over quota?) or the page cleared its storage"
    ]
    assert SECRET not in caplog.text and "xxxxxxxx" not in caplog.text
    where = {o["origin"]: o["localStorage"] for o in exported["origins"]}
    assert where == {fine: [{"name": "token", "value": SECRET}]}


def test_a_profile_file_keeps_what_the_server_set(servers: Servers, tmp_path: Path) -> None:
    """`profile create` saves the server's and the page's cookies as the browser holds them
    (an unset SameSite stays unset), and a crawler given the file sends each of them back."""
    origin = servers.pages()[0]
    created = subprocess.run(
        [sys.executable, "-m", "seleniumcrawl.cli", "profile", "create", "matrix",
         "--url", origin + "/set", "--dir", str(tmp_path), "--headless"],
        input="\n", capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert SECRET not in created.stdout + created.stderr
    saved = json.loads((tmp_path / "matrix.json").read_text())
    by_key = _by_key(saved)
    assert "sameSite" not in by_key[("unset", "localhost", "/")]
    assert "sameSite" not in by_key[("js", "localhost", "/")]
    assert by_key[("strict", "localhost", "/")]["sameSite"] == "Strict"
    with WebCrawler(config=_config(storage_state=tmp_path / "matrix.json")) as crawler:
        sent = _sent(crawler, [origin], "s")
    assert set(sent[origin + "/echo"]) == {name for (name, _, path) in by_key if path == "/"}
    assert set(sent[origin + "/sub/echo"]) == {name for (name, _, _) in by_key}


def test_a_file_written_by_playwright_loads_whole(servers: Servers, tmp_path: Path) -> None:
    """tests/data/playwright-storage-state.json, written by Playwright 1.56's
    ``context.storage_state(path=...)`` after the same /set on localhost (its origin's
    port and its one persistent expiry moved to this run), logs every cookie and the
    localStorage item in: each page gets the cookies Playwright's browser had."""
    origin = f"http://localhost:{servers.http_a}"
    state = json.loads((DATA / "playwright-storage-state.json").read_text())
    state["origins"][0]["origin"] = origin
    for cookie in state["cookies"]:
        if cookie["expires"] > 0:
            cookie["expires"] = time.time() + 86400
    with WebCrawler(config=_config(storage_state=state)) as crawler:
        sent = _sent(crawler, [origin], "s")
        exported = crawler.crawler_strategy.export_storage_state(session_id="s")
    names = {c["name"] for c in state["cookies"]}
    assert set(sent[origin + "/sub/echo"]) == names
    assert set(sent[origin + "/echo"]) == names - {"pathy"}
    assert exported["origins"] == state["origins"]
    assert {
        (c["name"], c["sameSite"], c["httpOnly"], c["secure"]) for c in exported["cookies"]
    } == {(c["name"], c["sameSite"], c["httpOnly"], c["secure"]) for c in state["cookies"]}


@pytest.mark.parametrize("isolated", [False, True], ids=["shared", "isolated"])
def test_browser_config_cookies_are_checked_like_a_state(
    servers: Servers, caplog: pytest.LogCaptureFixture, isolated: bool
) -> None:
    """BrowserConfig(cookies=...) reaches the shared context and an isolated session's
    own; a cookie the browser refuses is warned about by name (never by value) and the
    rest still arrive; with storage_state_strict the crawl fails as bad_input instead."""
    origin = servers.pages()[0]
    cookies = [
        {"name": "given", "value": SECRET, "url": origin + "/"},
        {"name": "__Host-bad", "value": SECRET, "domain": "localhost", "path": "/sub"},
    ]
    run = CrawlerRunConfig(session_id="c", session_isolation=isolated)
    with caplog.at_level("WARNING"), WebCrawler(config=_config(cookies=cookies)) as crawler:
        echo = crawler.run(origin + "/echo", config=run)
    assert '"given"' in str(echo.html) and "__Host-bad" not in str(echo.html)
    assert "BrowserConfig.cookies: cookie '__Host-bad' (localhost) was not set" in caplog.text
    assert SECRET not in caplog.text
    strict = _config(cookies=cookies, storage_state_strict=True)
    with WebCrawler(config=strict) as crawler:
        failed = crawler.run(origin + "/echo", config=run)
    assert not failed.success and failed.error_type == "bad_input"
    assert "'__Host-bad'" in str(failed.error_message)
    assert SECRET not in str(failed.error_message)
