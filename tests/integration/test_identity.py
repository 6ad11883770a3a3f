"""Identity that outlives the process: storage state in and out, persistent profiles, and
``seleniumcrawl profile create``, against a real Chromium and the demo site (both transports)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.browser.storage import MARKER
from seleniumcrawl.demo.site import DemoSite
from seleniumcrawl.errors import SessionError
from tests.integration.test_cli import MARK_ENV, assert_no_processes_left, marked_pids

pytestmark = pytest.mark.usefixtures("transport")

LOGIN_JS = (
    "document.querySelector('#username').value = 'demo';"
    "document.querySelector('#password').value = 'secret';"
    "document.querySelector('#login-form').submit();"
)
#: Run in another Python process: crawl the dashboard and /storage with the state file.
CHILD = """
import json, sys
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
state, base = sys.argv[1], sys.argv[2]
with WebCrawler(config=BrowserConfig(storage_state=state)) as crawler:
    dash = crawler.run(base + "/dashboard", config=CrawlerRunConfig(
        wait_for="css:.user-profile", page_timeout=15000))
    page = crawler.run(base + "/storage")
    print(json.dumps({"dashboard": dash.success, "error": dash.error_message,
                      "html": dash.html, "storage": page.html}))
"""


def _mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _origin(site: DemoSite) -> str:
    return site.url("/").rstrip("/")


def _stored(html: str) -> str | None:
    """The localStorage value /storage showed, None when the page saw none."""
    if 'id="value" data-missing' in html:
        return None
    start = html.index('<p id="value">') + len('<p id="value">')
    return html[start : html.index("</p>", start)]


def _cookie_names(state: dict[str, Any]) -> set[str]:
    return {str(c["name"]) for c in state["cookies"]}


def test_login_exported_in_one_process_logs_in_another(site: DemoSite, tmp_path: Path) -> None:
    """A login (cookie + localStorage) exported with export_storage_state is a 0600 file
    that makes a crawler in another process reach the dashboard and see the item."""
    path = tmp_path / "state.json"
    with WebCrawler() as crawler:
        login = crawler.run(
            site.url("/login"),
            config=CrawlerRunConfig(
                session_id="login", js_code=LOGIN_JS, wait_for="css:.user-profile"
            ),
        )
        assert login.success, login.error_message
        crawler.run(
            site.url("/dashboard"),
            config=CrawlerRunConfig(
                session_id="login", js_only=True, js_code="localStorage.setItem('token', 'tk-7')"
            ),
        )
        state = crawler.crawler_strategy.export_storage_state(path, session_id="login")
    assert _mode(path) == 0o600
    assert json.loads(path.read_text()) == state
    assert "session" in _cookie_names(state)
    assert {"origin": _origin(site), "localStorage": [{"name": "token", "value": "tk-7"}]} in (
        state["origins"]
    )
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), _origin(site)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["dashboard"], seen["error"]
    assert "Demo User" in seen["html"]
    assert _stored(seen["storage"]) == "tk-7"


def test_state_is_written_once_per_origin_and_pages_keep_their_changes(site: DemoSite) -> None:
    """The state's items are in place before the page's first script; what pages change
    or remove afterwards stays so (the state is not re-applied on every load), and the
    export carries the current items without the marker."""
    state = {
        "origins": [{"origin": _origin(site), "localStorage": [{"name": "token", "value": "a"}]}]
    }
    with WebCrawler(config=BrowserConfig(storage_state=state)) as crawler:
        first = crawler.run(site.url("/storage"), config=CrawlerRunConfig(session_id="s"))
        assert _stored(first.html) == "a"
        crawler.run(
            site.url("/storage"),
            config=CrawlerRunConfig(
                session_id="s", js_only=True, js_code="localStorage.setItem('token', 'b')"
            ),
        )
        assert _stored(crawler.run(site.url("/storage")).html) == "b"
        crawler.run(
            site.url("/storage"),
            config=CrawlerRunConfig(
                session_id="s", js_only=True, js_code="localStorage.removeItem('token')"
            ),
        )
        assert _stored(crawler.run(site.url("/storage?n=2")).html) is None
        crawler.run(
            site.url("/storage"),
            config=CrawlerRunConfig(
                session_id="s", js_only=True, js_code="localStorage.setItem('other', 'c')"
            ),
        )
        exported = crawler.crawler_strategy.export_storage_state(session_id="s")
    items = [o["localStorage"] for o in exported["origins"] if o["origin"] == _origin(site)]
    assert items == [[{"name": "other", "value": "c"}]]
    assert MARKER not in json.dumps(exported)


def test_export_holds_every_origin_the_session_showed(site: DemoSite) -> None:
    """A session's export has the items of the origin it left (as its last crawl there saw
    them) and of the live page, read whole however large."""
    other = site.url("/storage").replace("127.0.0.1", "localhost")
    big = "x" * 300_000
    with WebCrawler() as crawler:
        set_a = "localStorage.setItem('where', 'a')"
        crawler.run(site.url("/storage"), config=CrawlerRunConfig(session_id="s", js_code=set_a))
        set_b = f"localStorage.setItem('where', 'b'); localStorage.setItem('big', '{big}')"
        crawler.run(other, config=CrawlerRunConfig(session_id="s", js_code=set_b))
        state = crawler.crawler_strategy.export_storage_state(session_id="s")
    by_origin = {
        o["origin"]: {i["name"]: i["value"] for i in o["localStorage"]} for o in state["origins"]
    }
    assert by_origin[_origin(site)] == {"where": "a"}
    assert by_origin[other.removesuffix("/storage")] == {"where": "b", "big": big}


async def test_isolated_session_gets_the_state_and_exports_only_its_own_cookies(
    site: DemoSite,
) -> None:
    """An isolated session starts with the state's cookie and item; its export holds its
    own cookies, not those set in the shared context, and the other way round."""
    state = {
        "cookies": [{"name": "theme", "value": "dark", "domain": "127.0.0.1", "path": "/"}],
        "origins": [{"origin": _origin(site), "localStorage": [{"name": "token", "value": "t"}]}],
    }
    async with AsyncWebCrawler(config=BrowserConfig(storage_state=state)) as crawler:
        iso = CrawlerRunConfig(session_id="iso", session_isolation=True)
        shared = CrawlerRunConfig(session_id="shared")
        page = await crawler.arun(site.url("/storage"), config=iso)
        assert _stored(page.html) == "t"
        cookies = await crawler.arun(site.url("/cookies"), config=iso)
        assert '"theme": "dark"' in cookies.html
        await crawler.arun(
            site.url("/cookies"),
            config=iso.clone(js_only=True, js_code="document.cookie = 'iso_only=1; path=/'"),
        )
        await crawler.arun(
            site.url("/cookies"),
            config=shared.clone(js_code="document.cookie = 'shared_only=1; path=/'"),
        )
        mine = await crawler.crawler_strategy.export_storage_state(session_id="iso")
        theirs = await crawler.crawler_strategy.export_storage_state(session_id="shared")
        default = await crawler.crawler_strategy.export_storage_state()
    assert _cookie_names(mine) == {"theme", "iso_only"}
    assert _cookie_names(theirs) == {"theme", "shared_only"}
    assert _cookie_names(default) == {"theme", "shared_only"}
    assert {"origin": _origin(site), "localStorage": [{"name": "token", "value": "t"}]} in (
        mine["origins"]
    )


def test_export_errors_and_an_unstarted_crawler(site: DemoSite) -> None:
    """An unknown session id raises SessionError naming it; the shared context of a
    crawler that started no browser is empty (and starts none)."""
    with WebCrawler() as crawler:
        assert crawler.crawler_strategy.export_storage_state() == {"cookies": [], "origins": []}
        assert crawler.crawler_strategy.pool.stats().drivers == 0
        with pytest.raises(SessionError, match="no live session 'nope'"):
            crawler.crawler_strategy.export_storage_state(session_id="nope")


def test_a_refused_cookie_is_named_and_strict_mode_fails_leaving_no_browser(
    site: DemoSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A cookie the browser will not set is named in a warning (with the browser's reason,
    without its value) and the crawl goes on; with storage_state_strict the crawl fails as
    bad_input saying so, without the value, and the browser started for it is gone."""
    mark = uuid.uuid4().hex
    monkeypatch.setenv(MARK_ENV, mark)
    state = {"cookies": [{"name": "bad name;", "value": "v4lue\n", "domain": "bad domain"}]}
    with caplog.at_level("INFO"), WebCrawler(config=BrowserConfig(storage_state=state)) as crawler:
        assert crawler.run(site.url("/storage")).success
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("cookie 'bad name;' (bad domain) was not set" in w for w in warned), warned
    assert "0 of 1 cookies set in the default context (1 refused" in " ".join(warned)
    assert "v4lue" not in caplog.text
    strict = BrowserConfig(storage_state=state, storage_state_strict=True)
    with WebCrawler(config=strict) as crawler:
        result = crawler.run(site.url("/storage"))
        assert not result.success
        assert result.error_type == "bad_input"
        assert "BrowserConfig.storage_state (strict): 1 cookie(s) refused" in str(
            result.error_message
        )
        assert "'bad name;'" in str(result.error_message)
        assert "v4lue" not in str(result.error_message)
        assert crawler.crawler_strategy.pool.stats().drivers == 0
        deadline = time.monotonic() + 10
        while _browsers(marked_pids(mark)) and time.monotonic() < deadline:
            time.sleep(0.1)  # polling /proc: process exits are not observable events
        assert not _browsers(marked_pids(mark))
    assert_no_processes_left(mark)


def _browsers(pids: set[int]) -> set[int]:
    """The browser and driver processes among ``pids`` (not our reaper, not Python)."""
    found = set()
    for pid in pids:
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name.startswith(("chrom", "chromedriver")):
            found.add(pid)
    return found


def test_persistent_context_survives_close_and_reopen(site: DemoSite, tmp_path: Path) -> None:
    """With use_persistent_context, a persistent cookie and a localStorage item set in one
    crawler are there in the next one on the same user_data_dir."""
    config = BrowserConfig(use_persistent_context=True, user_data_dir=str(tmp_path / "profile"))
    assert config.max_drivers == 1
    js = (
        "localStorage.setItem('token', 'kept'); document.cookie = 'pref=dark; max-age=3600; path=/'"
    )
    with WebCrawler(config=config) as crawler:
        first = crawler.run(site.url("/storage"), config=CrawlerRunConfig(js_code=js))
        assert first.success, first.error_message
    with WebCrawler(config=config) as crawler:
        assert _stored(crawler.run(site.url("/storage")).html) == "kept"
        assert '"pref": "dark"' in crawler.run(site.url("/cookies")).html
    with WebCrawler(config=BrowserConfig(user_data_dir=str(tmp_path / "other"))) as crawler:
        assert _stored(crawler.run(site.url("/storage")).html) is None


def test_profile_create_headless_saves_a_0600_login(site: DemoSite, tmp_path: Path) -> None:
    """`profile create --headless`, driven through stdin, writes NAME.json (0600) that logs
    a new crawler in; `profile list` shows it and `profile delete` removes it."""
    mark = uuid.uuid4().hex
    env = {**os.environ, MARK_ENV: mark}
    cli = [sys.executable, "-m", "seleniumcrawl.cli", "profile"]
    created = subprocess.run(
        [
            *cli,
            "create",
            "demo",
            "--url",
            site.url("/login/auto"),
            "--dir",
            str(tmp_path),
            "--headless",
        ],
        input="\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert created.returncode == 0, created.stderr
    path = tmp_path / "demo.json"
    assert str(path) in created.stdout and "BrowserConfig(storage_state=" in created.stdout
    assert _mode(path) == 0o600
    assert json.loads(path.read_text())["cookies"][0]["value"] not in created.stdout
    assert_no_processes_left(mark)
    with WebCrawler(config=BrowserConfig(storage_state=path)) as crawler:
        dashboard = crawler.run(
            site.url("/dashboard"), config=CrawlerRunConfig(wait_for="css:.user-profile")
        )
    assert dashboard.success, dashboard.error_message
    listed = subprocess.run([*cli, "list", "--dir", str(tmp_path)], capture_output=True, text=True)
    assert listed.stdout.startswith("demo\t")
    deleted = subprocess.run([*cli, "delete", "demo", "--dir", str(tmp_path)], capture_output=True)
    assert deleted.returncode == 0 and not path.exists()
    bad = subprocess.run(
        [*cli, "create", "../x", "--url", site.url("/"), "--headless"],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "bad profile name" in bad.stderr
