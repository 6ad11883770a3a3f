"""Crawling through a real Selenium Grid 4: sessions, pool and failures, remotely.

The session workflows of ``test_sessions.py`` run unchanged with ``remote_url``; the rest
pins down what only a remote end does: a Grid that drops idle sessions (keep-alive), a
queue with no free slot, a Grid that goes away, and a server that never answers.

One standalone Grid serves the module (4 slots, ``--session-timeout 10`` so the keep-alive
test is short); the queue test starts a second, one-slot Grid of its own. Tests marked
``grid`` skip, with the reason, where Java is missing or the jar cannot be fetched.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.demo.site import DemoSite
from tests.integration.test_sessions import COMMITS, LOGIN, NEXT_PAGE, PAGE_CHANGED
from tools.grid import DEFAULT_SESSION_REQUEST_TIMEOUT, GridError, GridServer, fetch_jar

log = logging.getLogger(__name__)

#: The module Grid drops a session after this many idle seconds.
SESSION_TIMEOUT = 10
#: Pings every 3 s: well inside SESSION_TIMEOUT / 2, as docs/scaling.md advises.
KEEP_ALIVE = 3.0


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition`` until it holds; returns the seconds it took, fails after ``timeout``."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"{what} did not happen in {timeout} s"
        time.sleep(0.1)  # polling the Grid's /status, which has nothing to wait on
    return time.monotonic() - started


def _start_grid(
    *,
    max_sessions: int,
    session_timeout: int = 300,
    session_request_timeout: int = DEFAULT_SESSION_REQUEST_TIMEOUT,
) -> GridServer:
    """A standalone Grid on 127.0.0.1, or a skip saying why there cannot be one."""
    try:
        jar = fetch_jar()
    except GridError as exc:
        pytest.skip(f"Selenium Grid jar unavailable: {exc}")
    server = GridServer(
        "standalone",
        jar=jar,
        max_sessions=max_sessions,
        session_timeout=session_timeout,
        session_request_timeout=session_request_timeout,
    )
    try:
        server.start(timeout=120)
    except GridError as exc:
        if "Java" in str(exc):
            pytest.skip(str(exc))
        raise
    log.info("%s ready in %.1f s", server, server.startup_seconds or 0)
    return server


@pytest.fixture(scope="module")
def grid() -> Iterator[GridServer]:
    """One standalone Grid for the module: 4 slots, idle sessions dropped after 10 s."""
    server = _start_grid(max_sessions=4, session_timeout=SESSION_TIMEOUT)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def remote(grid: GridServer) -> Iterator[BrowserConfig]:
    """A BrowserConfig for the Grid; after the test, the Grid must hold no session."""
    yield BrowserConfig(remote_url=grid.url, keep_alive_interval=KEEP_ALIVE)
    _wait_until(lambda: grid.session_count() == 0, 20, "the Grid emptying")


def _slot_names(grid: GridServer) -> list[str]:
    """``se:name`` of every session the Grid lists in ``/status``."""
    names = []
    for node in grid.status()["nodes"]:
        for slot in node["slots"]:
            session = slot.get("session")
            if session:
                names.append(session["capabilities"].get("se:name"))
    return names


def _session_driver(crawler: WebCrawler | AsyncWebCrawler, session_id: str) -> ManagedDriver:
    """The driver holding ``session_id`` (pool test hook → session → thread → driver)."""
    session = crawler.crawler_strategy.pool.session(session_id)
    assert session is not None
    driver = session.thread.managed
    assert driver is not None
    return driver


# -------------------------------------------------------------------- session workflows


@pytest.mark.grid
async def test_pagination_over_three_pages_with_js_only(
    remote: BrowserConfig, grid: GridServer, site: DemoSite
) -> None:
    """Three pages in one remote session: the first navigates, the next two only run JS."""
    pages: list[list[str]] = []
    async with AsyncWebCrawler(config=remote) as crawler:
        for number in range(3):
            config = CrawlerRunConfig(
                session_id="commits",
                js_code=NEXT_PAGE if number else None,
                js_only=number > 0,
                wait_for=PAGE_CHANGED if number else "css:li.commit-item",
                extraction_strategy=COMMITS,
            )
            result = await crawler.arun(url=site.url("/commits"), config=config)
            assert result.success, result.error_message
            pages.append([item["title"] for item in json.loads(result.extracted_content or "[]")])
        # The capability se:name labels the Grid session with our driver's name.
        assert _slot_names(grid) == [_session_driver(crawler, "commits").name]
        await crawler.crawler_strategy.kill_session("commits")
        assert crawler.sessions() == []
    assert [len(p) for p in pages] == [10, 10, 10]
    assert len({tuple(p) for p in pages}) == 3, "each page shows different commits"


@pytest.mark.grid
async def test_login_then_dashboard_and_isolated_session_is_logged_out(
    remote: BrowserConfig, grid: GridServer, site: DemoSite
) -> None:
    """A remote login reaches the dashboard; an isolated session is logged out.

    Over BiDi the isolated session is a user context of the same remote browser; on the
    classic path it is a browser of its own (a second Grid session).
    """
    async with AsyncWebCrawler(config=remote) as crawler:
        login = await crawler.arun(
            url=site.url("/login"), config=CrawlerRunConfig(session_id="user", js_code=LOGIN)
        )
        assert login.success, login.error_message
        assert login.redirected_url is not None and login.redirected_url.endswith("/dashboard")
        dashboard = await crawler.arun(
            url=site.url("/dashboard"),
            config=CrawlerRunConfig(session_id="user", wait_for="css:.user-profile"),
        )
        assert dashboard.success, dashboard.error_message
        assert "Demo User" in dashboard.html

        isolated = await crawler.arun(
            url=site.url("/dashboard"),
            config=CrawlerRunConfig(
                session_id="stranger", session_isolation=True, wait_for="css:.login-required"
            ),
        )
        assert isolated.success, isolated.error_message
        assert "user-profile" not in isolated.html
        names = {_session_driver(crawler, s).name for s in ("user", "stranger")}
        assert sorted(_slot_names(grid)) == sorted(names)
        stranger = crawler.crawler_strategy.pool.session("stranger")
        assert stranger is not None
        if _session_driver(crawler, "user").bidi is not None:
            assert len(names) == 1 and stranger.user_context is not None
        else:
            assert len(names) == 2


@pytest.mark.grid
def test_a_login_saved_through_the_grid_logs_another_crawler_in(
    remote: BrowserConfig, site: DemoSite
) -> None:
    """Through a Grid, a cookie a page set without SameSite is exported without one (not
    as "None", which Chromium refuses on import) and a second crawler given the state
    sends it, beside the page's localStorage item (#24)."""
    js = "document.cookie = 'sid=ok; path=/'; localStorage.setItem('token', 'grid')"
    with WebCrawler(config=remote) as crawler:
        set_it = crawler.run(site.url("/cookies"), CrawlerRunConfig(session_id="g", js_code=js))
        assert set_it.success, set_it.error_message
        state = crawler.crawler_strategy.export_storage_state(session_id="g")
    (sid,) = [c for c in state["cookies"] if c["name"] == "sid"]
    assert "sameSite" not in sid
    with WebCrawler(config=remote.clone(storage_state=state)) as crawler:
        cookies = crawler.run(site.url("/cookies"))
        stored = crawler.run(site.url("/storage"))
    assert '"sid": "ok"' in str(cookies.html)
    assert '<p id="value">grid</p>' in str(stored.html)


@pytest.mark.grid
def test_run_many_uses_two_remote_drivers(
    remote: BrowserConfig, grid: GridServer, site: DemoSite
) -> None:
    """run_many with max_drivers=2 spreads the URLs over two Grid sessions, results in order.

    Four pages fill a browser, so eight in flight need the second one.
    """
    urls = [site.url(f"/slow?ms=300&n={n}") for n in range(8)]
    with WebCrawler(config=remote.clone(max_drivers=2, max_pages_per_driver=4)) as crawler:
        results = crawler.run_many(urls, CrawlerRunConfig())
        assert isinstance(results, list)
        assert [r.url for r in results] == urls
        assert all(r.success for r in results), [r.error_message for r in results]
        ours = sorted(d.name for d in crawler.crawler_strategy.pool.drivers())
        assert len(ours) == 2
        assert sorted(_slot_names(grid)) == ours


@pytest.mark.grid
def test_close_quits_every_remote_session(
    remote: BrowserConfig, grid: GridServer, site: DemoSite
) -> None:
    """After close() the Grid holds none of the crawler's sessions (shared and isolated).

    One page per browser, so the three sessions hold three Grid sessions on either path.
    """
    crawler = WebCrawler(config=remote.clone(max_drivers=3, max_pages_per_driver=1))
    for session, isolated in (("a", False), ("b", True), ("c", True)):
        result = crawler.run(
            site.url("/page/1"), CrawlerRunConfig(session_id=session, session_isolation=isolated)
        )
        assert result.success, result.error_message
    assert grid.session_count() == 3
    crawler.close()
    _wait_until(lambda: grid.session_count() == 0, 10, "every session quitting")


# -------------------------------------------------------------------- keep-alive


@pytest.mark.grid
def test_keep_alive_outlives_the_grid_session_timeout(grid: GridServer, site: DemoSite) -> None:
    """Pinged every 3 s, an idle session outlives the Grid's 10 s timeout; unpinged, it is lost.

    The lost one's next crawl says the Grid dropped it, and the crawl after that starts a
    fresh session under the same id.
    """
    mark = CrawlerRunConfig(session_id="idle", js_code="window.__mark = 42;")
    recall = CrawlerRunConfig(
        session_id="idle", js_only=True, js_code="return window.__mark ?? null;"
    )
    kept_config = BrowserConfig(remote_url=grid.url, keep_alive_interval=KEEP_ALIVE)
    with (
        WebCrawler(config=kept_config) as kept,
        WebCrawler(config=kept_config.clone(keep_alive_interval=1000)) as unpinged,
    ):
        assert kept.run(site.url("/page/3"), mark).success
        assert unpinged.run(site.url("/page/3"), mark).success
        idle_since = time.monotonic()
        lost_name = _session_driver(unpinged, "idle").name
        _wait_until(lambda: lost_name not in _slot_names(grid), 90, "the Grid dropping it")
        idle = time.monotonic() - idle_since
        log.info("the Grid dropped the unpinged session after %.1f s idle", idle)
        assert idle >= SESSION_TIMEOUT

        alive = kept.run(site.url("/page/3"), recall)
        assert alive.success, alive.error_message
        assert alive.js_execution_result == {"success": True, "results": [42]}, (
            f"the pinged session lost its state after {idle:.0f} s idle"
        )

        lost = unpinged.run(site.url("/page/3"), recall)
        assert not lost.success
        assert lost.error_message is not None
        assert lost.error_message.startswith("the browser died: Selenium Grid no longer has")
        assert "session-timeout" in lost.error_message
        fresh = unpinged.run(
            site.url("/page/3"), recall.clone(js_only=False, js_code="return window.__mark ?? 0;")
        )
        assert fresh.success, fresh.error_message
        assert fresh.js_execution_result == {"success": True, "results": [0]}
    _wait_until(lambda: grid.session_count() == 0, 20, "the Grid emptying")


# -------------------------------------------------------------------- a full Grid, a lost Grid


@pytest.mark.grid
def test_no_free_slot_then_retry_then_grid_lost(site: DemoSite) -> None:
    """One slot, two drivers wanted: the extra crawl fails clearly and a later one retries.

    Then the Grid goes away: the session's crawl says the browser died because the
    Grid is unreachable, and the next one that it cannot start a browser.
    """
    # The Grid times a request out even while its browser is starting, so the queue
    # timeout must exceed a browser start on a loaded machine (measured: up to ~3 s).
    small = _start_grid(max_sessions=1, session_request_timeout=8)
    try:
        # One page per browser: session "b" needs a second browser, so a second slot.
        config = BrowserConfig(
            remote_url=small.url,
            max_drivers=2,
            max_pages_per_driver=1,
            keep_alive_interval=KEEP_ALIVE,
        )
        with WebCrawler(config=config) as crawler:
            first = crawler.run(
                site.url("/page/1"), CrawlerRunConfig(session_id="a", session_isolation=True)
            )
            assert first.success, first.error_message

            started = time.monotonic()
            queued = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="b"))
            waited = time.monotonic() - started
            log.info("no free slot reported after %.1f s", waited)
            assert not queued.success
            assert (queued.error_message or "").startswith(
                "Selenium Grid could not start a session: no free slot within"
            ), queued.error_message
            assert 7 < waited < 30, f"the queue timeout took {waited:.1f} s"
            assert crawler.sessions() == ["a"], "the session that never opened is not listed"

            bidi = crawler.crawler_strategy.pool.drivers()[0].bidi is not None
            crawler.kill_session("a")
            if not bidi:  # its isolated browser quits: the slot frees
                _wait_until(lambda: small.session_count() == 0, 20, "the slot freeing")
            # Over BiDi its user context goes; the browser it was on has room for "b".
            retried = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="b"))
            assert retried.success, retried.error_message

            # A client that gives up before the Grid's queue does says so and why.
            impatient = config.clone(command_timeout=1)
            with WebCrawler(config=impatient) as other:
                started = time.monotonic()
                gave_up = other.run(site.url("/page/3"), CrawlerRunConfig(session_id="c"))
                assert time.monotonic() - started < 10
            assert not gave_up.success
            assert "did not answer within command_timeout=1 s" in (gave_up.error_message or "")

            small.stop()
            gone = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="b", js_only=True))
            assert not gone.success
            assert gone.error_message == (
                f"the browser died: the WebDriver server at {small.url} is unreachable: "
                "connection refused"
            )
            again = crawler.run(site.url("/page/2"), CrawlerRunConfig(session_id="b"))
            assert again.error_message == (
                f"could not start a browser: cannot reach {small.url}: connection refused"
            )
    finally:
        small.stop()


# -------------------------------------------------------------------- a server that never answers


@contextlib.contextmanager
def _silent_server(answer_new_session: bool, seen: list[str] | None = None) -> Iterator[str]:
    """A WebDriver endpoint that accepts connections and never answers (optionally after
    starting a session), like a hung Grid node or a wedged driver. Request lines go to
    ``seen``."""
    seen = [] if seen is None else seen
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    def answer(conn: socket.socket) -> None:
        buffer = b""
        with contextlib.suppress(OSError):
            while not stop.is_set():
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                head, sep, rest = buffer.partition(b"\r\n\r\n")
                if not sep:
                    continue
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(rest) < length:
                    continue
                buffer = rest[length:]
                request_line = head.split(b"\r\n")[0].decode()
                seen.append(request_line.rsplit(" ", 1)[0])
                reply = _scripted_reply(request_line) if answer_new_session else None
                if reply is None:
                    stop.wait()  # the hang: hold the connection open, never answer
                    return
                body = json.dumps({"value": reply}).encode()
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() does not
        listener.close()
        for conn in held:
            conn.close()
        thread.join(5)


def _scripted_reply(request_line: str) -> object | None:
    """Answers just enough to start a session and open a window; None means hang."""
    method, path, _ = request_line.split(" ", 2)
    if method == "POST" and path == "/session":
        return {"sessionId": "s1", "capabilities": {"browserName": "chrome"}}
    if method == "GET" and path == "/session/s1/window":
        return "anchor"
    if method == "POST" and path == "/session/s1/window/new":
        return {"handle": "tab", "type": "tab"}
    if method == "POST" and path == "/session/s1/window":
        return {}
    return None


def test_server_that_never_answers_a_new_session_fails_within_command_timeout() -> None:
    """Starting a browser on a server that never answers fails in ~command_timeout, clearly."""
    with (
        _silent_server(answer_new_session=False) as url,
        WebCrawler(config=BrowserConfig(remote_url=url, command_timeout=2)) as crawler,
    ):
        started = time.monotonic()
        result = crawler.run("http://127.0.0.1:9/never")
        took = time.monotonic() - started
    assert not result.success
    assert result.error_message is not None
    assert result.error_message.startswith(
        f"could not start a browser: the WebDriver server at {url} did not answer within "
        "command_timeout=2 s"
    )
    assert 1.9 < took < 6, f"failed after {took:.1f} s"


def test_server_that_stops_answering_mid_crawl_fails_within_command_timeout() -> None:
    """A started session whose server then hangs fails the crawl in ~command_timeout.

    The driver is dropped with its session (its quit gets a short timeout, not another
    command_timeout), so the next crawl starts a new one.
    """
    with _silent_server(answer_new_session=True) as url:
        config = BrowserConfig(remote_url=url, command_timeout=2, max_drivers=1)
        with WebCrawler(config=config) as crawler:
            started = time.monotonic()
            result = crawler.run("http://127.0.0.1:9/never", CrawlerRunConfig(session_id="s"))
            took = time.monotonic() - started
            assert not result.success
            assert result.error_message == (
                "the browser stopped responding: no answer from the WebDriver server at "
                f"{url} within command_timeout=2 s"
            )
            # 2 s for the hung call, at most 2 s more for the goodbye DELETE.
            assert 1.9 < took < 8, f"failed after {took:.1f} s"
            assert crawler.sessions() == []
            stats = crawler.crawler_strategy.pool.stats()
            assert (stats.threads, stats.drivers) == (1, 0)


def test_force_kill_of_a_stuck_remote_driver_deletes_its_session() -> None:
    """force_kill (close() giving up on a busy driver) sends the remote session's DELETE
    over its own connection while the driver's call hangs, without waiting for an answer."""
    seen: list[str] = []
    crawler: WebCrawler | None = None
    caller = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        with _silent_server(answer_new_session=True, seen=seen) as url:
            config = BrowserConfig(remote_url=url, command_timeout=30, max_drivers=1)
            crawler = WebCrawler(config=config)
            future = caller.submit(
                crawler.run, "http://127.0.0.1:9/never", CrawlerRunConfig(session_id="s")
            )
            _wait_until(lambda: "POST /session/s1/timeouts" in seen, 10, "the hung call")
            (driver,) = crawler.crawler_strategy.pool.drivers()
            assert driver.is_remote
            started = time.monotonic()
            driver.force_kill()
            assert time.monotonic() - started < 3
            assert seen.count("DELETE /session/s1") == 1
            assert not future.done(), "the stuck call itself is still unanswered"
        # The server is gone: the stuck call fails at once and the crawl reports it.
        result = future.result(timeout=10)
        assert not result.success and "the browser died" in (result.error_message or "")
    finally:
        if crawler is not None:
            crawler.close()
        caller.shutdown(wait=True)


@pytest.mark.grid
def test_per_session_proxies_with_logins_through_the_grid(
    remote: BrowserConfig, site: DemoSite
) -> None:
    """Through the Grid's BiDi endpoint, two sessions of one remote browser each go
    through their own tinyproxy with its own login (the site sees that proxy's Via) and
    report their own locale; wrong credentials fail as error_type="proxy" (#25)."""
    from seleniumcrawl import ProxyConfig
    from tools.tinyproxy import Tinyproxy, available

    if not available():
        pytest.skip("tinyproxy missing (make system-deps installs it)")
    probe = "return navigator.language"
    config = remote.clone(extra_args=["--proxy-bypass-list=<-loopback>"], max_drivers=1)
    with (
        Tinyproxy("grid-one", "alice", "grid-pw-1") as one,
        Tinyproxy("grid-two", "bob", "grid-pw-2") as two,
        WebCrawler(config=config) as crawler,
    ):
        seen = {}
        for name, proxy, locale in (
            ("one", ProxyConfig(one.server, "alice", "grid-pw-1"), "de-DE"),
            ("two", ProxyConfig(two.server, "bob", "grid-pw-2"), "ja-JP"),
        ):
            run = CrawlerRunConfig(
                session_id=f"grid-{name}", proxy_config=proxy, locale=locale, js_code=probe
            )
            result = crawler.run(site.url("/echo-headers"), config=run)
            assert result.success, result.error_message
            assert result.js_execution_result == {"success": True, "results": [locale]}
            seen[name] = json.loads(
                str(result.html).split('<pre id="headers">')[1].split("</pre>")[0]
            )
        wrong = ProxyConfig(one.server, "alice", "not-it")
        failed = crawler.run(site.url("/page/1"), config=CrawlerRunConfig(proxy_config=wrong))
    via = {name: {k.lower(): v for k, v in h.items()}.get("via", "") for name, h in seen.items()}
    assert "grid-one" in via["one"] and "grid-two" in via["two"]
    assert not failed.success and failed.error_type == "proxy"
    assert "not-it" not in (failed.error_message or "")
