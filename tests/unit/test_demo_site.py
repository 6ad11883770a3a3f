"""The demo site's HTTP behaviour, driven with urllib (no browser)."""

from __future__ import annotations

import http.client
import json
import logging
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from seleniumcrawl.demo import DEMO_URL_ENV, DemoSite, demo_base_url

REPO_ROOT = Path(__file__).resolve().parents[2]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_NO_REDIRECT = urllib.request.build_opener(_NoRedirect)
_FOLLOW = urllib.request.build_opener()


def fetch(
    url: str,
    *,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    follow: bool = False,
    method: str | None = None,
) -> tuple[int, Message, bytes]:
    """Status, headers and body of one request; HTTP errors are answers, not exceptions."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    opener = _FOLLOW if follow else _NO_REDIRECT
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def soup(body: bytes) -> BeautifulSoup:
    return BeautifulSoup(body, "lxml")


def one(node: Tag, selector: str) -> Tag:
    """The first element ``selector`` matches under ``node``; fails the test if none does."""
    found = node.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def attr(node: Tag, name: str) -> str:
    """The single-valued attribute ``name`` of ``node``; fails the test if it is missing."""
    value = node.get(name)
    assert isinstance(value, str), f"<{node.name}> has no {name!r} attribute (got {value!r})"
    return value


def login(site: DemoSite) -> str:
    """Log in as demo/secret and return the session cookie's value."""
    status, headers, _ = fetch(site.url("/login"), data={"username": "demo", "password": "secret"})
    assert status == 303
    match = re.match(r"session=([^;]+)", headers["Set-Cookie"])
    assert match
    return match.group(1)


@pytest.fixture
def site() -> Iterator[DemoSite]:
    with DemoSite() as running:
        yield running


# --- lifecycle ---------------------------------------------------------------------------------


def test_start_returns_loopback_base_url(site: DemoSite) -> None:
    """start() binds an OS-chosen port on 127.0.0.1 and returns the base URL; it is idempotent."""
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", site.base_url)
    assert site.start() == site.base_url
    assert site.url("/page/1") == site.base_url + "/page/1"
    assert site.url("page/1") == site.base_url + "/page/1"


def test_base_url_before_start_raises() -> None:
    """A site that is not running has no URL, and says so."""
    with pytest.raises(RuntimeError, match="not running"):
        _ = DemoSite().base_url


def test_stop_is_idempotent_and_closes_the_port() -> None:
    """stop() twice is fine, and the port no longer accepts requests."""
    site = DemoSite()
    url = site.start()
    site.stop()
    site.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/", timeout=2)


# --- pages -------------------------------------------------------------------------------------


def test_index_has_links_image_and_meta(site: DemoSite) -> None:
    """The index links to the demo pages, one external site, and carries an image and meta."""
    status, _, body = fetch(site.url("/"))
    page = soup(body)
    hrefs = [attr(a, "href") for a in page.select("a[href]")]
    for path in ("/commits", "/login", "/dashboard", "/page/1", "/infinite", "/overlay"):
        assert path in hrefs
    assert "/hang" not in hrefs
    assert [h for h in hrefs if h.startswith("http")] == ["https://example.com/"]
    assert attr(one(page, "img"), "src") == "/static/logo.svg"
    assert attr(one(page, 'meta[name="description"]'), "content")
    assert attr(one(page, 'meta[property="og:title"]'), "content") == "seleniumcrawl demo"
    assert status == 200


def test_every_internal_index_link_resolves(site: DemoSite) -> None:
    """Every internal link of the index answers 200 after redirects, except the 404 demo."""
    _, _, body = fetch(site.url("/"))
    links = [attr(a, "href") for a in soup(body).select("a[href^='/']")]
    assert len(links) >= 10
    for href in links:
        status, _, _ = fetch(site.url(href), follow=True)
        assert status == (404 if href == "/status/404" else 200), href
    _, _, image = fetch(site.url("/static/logo.svg"))
    assert image.startswith(b"<svg")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/commits", "text/html; charset=utf-8"),
        ("/static/commits.js", "text/javascript; charset=utf-8"),
        ("/static/style.css", "text/css; charset=utf-8"),
        ("/static/logo.svg", "image/svg+xml"),
        ("/api/me", "application/json"),
        ("/page/3", "text/html; charset=utf-8"),
        ("/status/503", "text/html; charset=utf-8"),
        ("/redirect?to=/", "text/html; charset=utf-8"),
        ("/nowhere", "text/html; charset=utf-8"),
    ],
)
def test_responses_carry_type_length_and_no_store(
    site: DemoSite, path: str, content_type: str
) -> None:
    """Every response says its Content-Type, an exact Content-Length, and is not cacheable."""
    _, headers, body = fetch(site.url(path))
    assert headers["Content-Type"] == content_type
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/static/..%2Fsite.py", "/static/.hidden", "/static/nope.js"])
def test_static_serves_only_package_files(site: DemoSite, path: str) -> None:
    """/static/ serves only files of the static folder: no traversal, no dot files."""
    status, _, body = fetch(site.url(path))
    assert status == 404
    assert b"DemoSite" not in body


def test_commits_list_is_rendered_by_javascript(site: DemoSite) -> None:
    """/commits serves an empty list, a Next link and the script that renders the items."""
    status, _, body = fetch(site.url("/commits"))
    page = soup(body)
    assert status == 200
    assert page.select_one("ul#commit-list") is not None
    assert page.select("li.commit-item") == []
    assert attr(one(page, "a.pagination-next#next"), "href") == "#"
    assert one(page, "#page-number").get_text() == "1"
    assert attr(one(page, "script"), "src") == "/static/commits.js"
    _, _, script = fetch(site.url("/static/commits.js"))
    for marker in (b"Box-sc-g0xbh4-0 commit-item", b"markdown-title", b"relative-time", b"300"):
        assert marker in script


def test_commit_detail_page(site: DemoSite) -> None:
    """The page a commit links to exists for any hex SHA and names it."""
    sha = "0123456789abcdef0123456789abcdef01234567"
    status, _, body = fetch(site.url(f"/commit/{sha}"))
    assert status == 200
    assert one(soup(body), "code.sha").get_text() == sha
    assert fetch(site.url("/commit/not-hex"))[0] == 404


def test_plain_pages_are_deterministic(site: DemoSite) -> None:
    """/page/N has a title, an h1, three products with name and price, and links to N+1."""
    status, _, body = fetch(site.url("/page/7"))
    page = soup(body)
    assert status == 200
    assert one(page, "title").get_text() == "Demo page 7"
    assert one(page, "h1").get_text() == "Page 7"
    products = page.select("div.product")
    assert [one(p, ".name").get_text() for p in products] == [
        "Product 7-1",
        "Product 7-2",
        "Product 7-3",
    ]
    assert all(re.fullmatch(r"\$\d+\.\d\d", one(p, ".price").get_text()) for p in products)
    assert attr(one(page, "a.next-page"), "href") == "/page/8"
    assert fetch(site.url("/page/7"))[2] == body
    assert fetch(site.url("/page/8"))[2] != body


def test_plain_page_bounds(site: DemoSite) -> None:
    """Pages run from 1 to 10000; the last has no next link; others are 404."""
    status, _, body = fetch(site.url("/page/10000"))
    assert status == 200
    assert soup(body).select_one("a.next-page") is None
    assert fetch(site.url("/page/0"))[0] == 404
    assert fetch(site.url("/page/10001"))[0] == 404


def test_big_page_has_requested_item_count(site: DemoSite) -> None:
    """/big?items=N has exactly N products; a bad N is a 400."""
    _, _, body = fetch(site.url("/big?items=250"))
    assert len(soup(body).select("div.product")) == 250
    _, _, body = fetch(site.url("/big?items=0"))
    assert soup(body).select("div.product") == []
    assert fetch(site.url("/big?items=lots"))[0] == 400
    assert fetch(site.url("/big?items=-1"))[0] == 400


def test_behaviour_pages_have_their_hooks(site: DemoSite) -> None:
    """/infinite, /overlay and /js-error carry the elements and scripts their tests rely on."""
    page = soup(fetch(site.url("/infinite"))[2])
    assert page.select_one("#feed") is not None
    assert attr(one(page, "script"), "src") == "/static/infinite.js"
    assert b"scroll" in fetch(site.url("/static/infinite.js"))[2]
    page = soup(fetch(site.url("/overlay"))[2])
    assert "cookie-consent" in one(page, "#cookie-consent")["class"]
    assert b"position: fixed" in fetch(site.url("/static/style.css"))[2]
    page = soup(fetch(site.url("/js-error"))[2])
    assert "throw new Error" in one(page, "script").get_text()


def test_article_text_exists_only_after_its_script_runs(site: DemoSite) -> None:
    """/article serves chrome and an empty #story; article.js renders the text later."""
    page = soup(fetch(site.url("/article"))[2])
    assert one(page, "#story").get_text(strip=True) == "Loading…"
    assert page.select_one("nav") is not None and page.select_one(".cookie-consent") is not None
    assert one(page, "script")["src"] == "/static/article.js"
    script = fetch(site.url("/static/article.js"))[2]
    assert b"How the tide gauge works" in script and b"setTimeout(render" in script


# --- login -------------------------------------------------------------------------------------


def test_login_form_fields(site: DemoSite) -> None:
    """/login has the form the login workflow fills, and no error before a try."""
    status, _, body = fetch(site.url("/login"))
    page = soup(body)
    form = one(page, "form#login-form")
    assert status == 200
    assert attr(form, "method") == "post"
    assert attr(form, "action") == "/login"
    assert attr(one(form, "#username"), "name") == "username"
    assert attr(one(form, "#password"), "type") == "password"
    assert form.select_one("button[type=submit]") is not None
    assert page.select_one(".error") is None


def test_login_sets_cookie_and_redirects(site: DemoSite) -> None:
    """POST demo/secret sets a Path=/ session cookie and 303-redirects to /dashboard."""
    status, headers, _ = fetch(site.url("/login"), data={"username": "demo", "password": "secret"})
    assert status == 303
    assert headers["Location"] == "/dashboard"
    cookie = headers["Set-Cookie"]
    assert re.match(r"session=[\w-]{16,};", cookie)
    assert "Path=/" in cookie


@pytest.mark.parametrize(
    "form",
    [
        {"username": "demo", "password": "wrong"},
        {"username": "nobody", "password": "secret"},
        {"username": "demo"},
    ],
)
def test_wrong_credentials_are_401(site: DemoSite, form: dict[str, str]) -> None:
    """Bad credentials re-render the form with 'Invalid credentials', 401 and no cookie."""
    status, headers, body = fetch(site.url("/login"), data=form)
    page = soup(body)
    assert status == 401
    assert "Set-Cookie" not in headers
    assert one(page, ".error").get_text() == "Invalid credentials"
    assert page.select_one("form#login-form") is not None


def test_api_me_needs_a_valid_session(site: DemoSite) -> None:
    """/api/me is 401 without or with a forged cookie and the user's JSON with a real one."""
    assert fetch(site.url("/api/me"))[0] == 401
    assert fetch(site.url("/api/me"), headers={"Cookie": "session=forged"})[0] == 401
    token = login(site)
    status, _, body = fetch(site.url("/api/me"), headers={"Cookie": f"session={token}"})
    assert status == 200
    assert json.loads(body) == {
        "username": "demo",
        "name": "Demo User",
        "email": "demo@example.com",
    }


def test_dashboard_depends_on_session(site: DemoSite) -> None:
    """Without a session /dashboard says 'Please log in'; with one it serves the profile app."""
    page = soup(fetch(site.url("/dashboard"))[2])
    assert one(page, "p.login-required").get_text() == "Please log in"
    assert page.select_one(".user-profile") is None
    token = login(site)
    page = soup(fetch(site.url("/dashboard"), headers={"Cookie": f"session={token}"})[2])
    assert page.select_one("p.login-required") is None
    assert page.select_one("#profile") is not None
    assert attr(one(page, "script"), "src") == "/static/dashboard.js"
    script = fetch(site.url("/static/dashboard.js"))[2]
    for marker in (b"/api/me", b"user-profile", b"user-name", b"user-email", b"login-required"):
        assert marker in script


def test_logout_ends_the_session(site: DemoSite) -> None:
    """/logout forgets the session server-side and expires the cookie."""
    token = login(site)
    cookie = {"Cookie": f"session={token}"}
    status, headers, _ = fetch(site.url("/logout"), headers=cookie)
    assert status == 303
    assert "Max-Age=0" in headers["Set-Cookie"]
    assert fetch(site.url("/api/me"), headers=cookie)[0] == 401


# --- test aids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [200, 404, 418, 500, 503])
def test_status_route_answers_that_status(site: DemoSite, code: int) -> None:
    """/status/<code> answers with exactly that status and a small HTML body naming it."""
    status, _, body = fetch(site.url(f"/status/{code}"))
    assert status == code
    assert one(soup(body), "h1.status").get_text().startswith(str(code))


def test_status_204_has_no_body(site: DemoSite) -> None:
    """/status/204 sends no body (HTTP forbids one) and the connection stays usable."""
    connection = http.client.HTTPConnection(site.base_url.removeprefix("http://"), timeout=5)
    try:
        connection.request("GET", "/status/204")
        response = connection.getresponse()
        assert response.status == 204
        assert response.read() == b""
        connection.request("GET", "/page/1")
        assert connection.getresponse().status == 200
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/status/199", "/status/600"])
def test_status_out_of_range_is_400(site: DemoSite, path: str) -> None:
    """Codes outside 200-599 are refused rather than sent."""
    assert fetch(site.url(path))[0] == 400


def test_redirect_route(site: DemoSite) -> None:
    """/redirect sends 302 (or ?code=) to the local path in ?to= and is followed to it."""
    status, headers, _ = fetch(site.url("/redirect?to=/page/2"))
    assert (status, headers["Location"]) == (302, "/page/2")
    status, headers, _ = fetch(site.url("/redirect?to=/page/3&code=301"))
    assert (status, headers["Location"]) == (301, "/page/3")
    status, _, body = fetch(site.url("/redirect?to=/page/2"), follow=True)
    assert status == 200
    assert one(soup(body), "h1").get_text() == "Page 2"


@pytest.mark.parametrize(
    "query", ["to=//evil.example/", "to=https://evil.example/", "to=/x&code=200"]
)
def test_redirect_refuses_off_site_targets(site: DemoSite, query: str) -> None:
    """The redirect route is not an open redirect, and only takes redirect codes."""
    status, headers, _ = fetch(site.url(f"/redirect?{query}"))
    assert status == 400
    assert "Location" not in headers


def test_slow_waits_at_least_the_asked_time(site: DemoSite) -> None:
    """/slow?ms=N answers no sooner than N ms; a bad N is a 400."""
    started = time.monotonic()
    status, _, body = fetch(site.url("/slow?ms=300"))
    elapsed = time.monotonic() - started
    assert status == 200
    assert elapsed >= 0.3
    assert b"300 ms" in body
    assert fetch(site.url("/slow?ms=abc"))[0] == 400


def test_hang_never_answers_and_does_not_block_stop() -> None:
    """/hang holds the request; stop() still returns at once and the client sees the close."""
    site = DemoSite()
    site.start()
    outcome: list[BaseException | int] = []

    def client() -> None:
        try:
            outcome.append(fetch(site.url("/hang"))[0])
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            outcome.append(error)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    deadline = time.monotonic() + 5
    while site.count("/hang") == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    assert outcome == []  # still held open
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 1.5
    thread.join(timeout=5)
    assert len(outcome) == 1
    assert isinstance(outcome[0], BaseException)


def test_stop_ends_idle_keep_alive_connections() -> None:
    """An idle HTTP/1.1 keep-alive connection neither blocks stop() nor outlives it."""
    site = DemoSite()
    site.start()
    connection = http.client.HTTPConnection(site.base_url.removeprefix("http://"), timeout=5)
    try:
        connection.request("GET", "/page/1")
        response = connection.getresponse()
        response.read()
        assert response.version == 11
        assert response.getheader("Connection") != "close"
        started = time.monotonic()
        site.stop()
        assert time.monotonic() - started < 1.5
        with pytest.raises((http.client.HTTPException, OSError)):
            connection.request("GET", "/page/2")
            connection.getresponse()
    finally:
        connection.close()


def test_echo_headers(site: DemoSite) -> None:
    """/echo-headers shows the request's headers as JSON in pre#headers."""
    _, _, body = fetch(site.url("/echo-headers"), headers={"X-Demo-Header": "42"})
    headers = json.loads(one(soup(body), "pre#headers").get_text())
    assert headers["X-Demo-Header"] == "42"
    assert headers["Host"] == site.base_url.removeprefix("http://")


def test_cookies_route(site: DemoSite) -> None:
    """/cookies shows the request's cookies as JSON in pre#cookies."""
    _, _, body = fetch(site.url("/cookies"), headers={"Cookie": "a=1; b=two"})
    assert json.loads(one(soup(body), "pre#cookies").get_text()) == {"a": "1", "b": "two"}
    _, _, body = fetch(site.url("/cookies"))
    assert json.loads(one(soup(body), "pre#cookies").get_text()) == {}


def test_unknown_path_and_wrong_method(site: DemoSite) -> None:
    """Unknown paths are 404; a known path with the wrong method is 405 with Allow."""
    assert fetch(site.url("/no/such/page"))[0] == 404
    status, headers, _ = fetch(site.url("/page/1"), data={"x": "1"})
    assert status == 405
    assert headers["Allow"] == "GET, HEAD"


def test_head_has_length_but_no_body(site: DemoSite) -> None:
    """HEAD gives GET's headers, Content-Length included, and no body."""
    _, get_headers, get_body = fetch(site.url("/page/5"))
    status, headers, body = fetch(site.url("/page/5"), method="HEAD")
    assert status == 200
    assert body == b""
    assert int(headers["Content-Length"]) == len(get_body) == int(get_headers["Content-Length"])


# --- request log -------------------------------------------------------------------------------


def test_request_log_counts_and_resets(site: DemoSite) -> None:
    """Each request is logged as (method, path with query); count() matches prefixes."""
    fetch(site.url("/page/1"))
    fetch(site.url("/page/1"))
    fetch(site.url("/page/2?x=1"))
    fetch(site.url("/login"), data={"username": "demo", "password": "secret"})
    assert site.requests == [
        ("GET", "/page/1"),
        ("GET", "/page/1"),
        ("GET", "/page/2?x=1"),
        ("POST", "/login"),
    ]
    assert site.count("/page/") == 3
    assert site.count("/page/1") == 2
    assert site.count("/login") == 1
    assert site.count() == 4
    site.reset_counts()
    assert site.requests == []
    assert site.count() == 0


def test_request_log_is_thread_safe(site: DemoSite) -> None:
    """Concurrent requests are all logged: none lost to a race."""
    threads = [threading.Thread(target=fetch, args=(site.url(f"/page/{n}"),)) for n in range(1, 41)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert site.count("/page/") == 40
    assert sorted(path for _, path in site.requests) == sorted(f"/page/{n}" for n in range(1, 41))


def test_access_log_goes_to_logging_not_stderr(
    site: DemoSite, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """The server's access log is a DEBUG logging record; nothing is written to stderr."""
    with caplog.at_level(logging.DEBUG, logger="seleniumcrawl.demo.site"):
        fetch(site.url("/page/9"))
        fetch(site.url("/nowhere"))
    assert capfd.readouterr().err == ""
    messages = [r.getMessage() for r in caplog.records if r.name == "seleniumcrawl.demo.site"]
    assert any("/page/9" in m and "200" in m for m in messages)


# --- entry points ------------------------------------------------------------------------------


def test_demo_base_url_prefers_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """demo_base_url() yields $SELENIUMCRAWL_DEMO_URL without starting a server."""
    monkeypatch.setenv(DEMO_URL_ENV, "http://127.0.0.1:9/")
    with demo_base_url() as url:
        assert url == "http://127.0.0.1:9"


def test_demo_base_url_starts_and_stops_a_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the variable, demo_base_url() serves a site for the block's duration."""
    monkeypatch.delenv(DEMO_URL_ENV, raising=False)
    with demo_base_url() as url:
        assert fetch(url + "/page/1")[0] == 200
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "/page/1", timeout=2)


def test_module_cli_serves_and_prints_url() -> None:
    """`python -m seleniumcrawl.demo.site --port 0` prints its URL and serves from it."""
    process = subprocess.Popen(
        [sys.executable, "-m", "seleniumcrawl.demo.site", "--port", "0"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        assert match, line
        assert fetch(match.group(1) + "/page/1")[0] == 200
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)
    assert "Traceback" not in err
