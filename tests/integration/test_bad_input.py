"""Bad input fails clearly: one ``success=False`` line naming the cause, or a precise raise.

URLs that cannot be crawled must be rejected before any browser starts; script
and ``wait_for`` failures carry the script's or condition's own message and
respect their time bounds. Configuration mistakes are in
``tests/unit/test_config_errors.py``.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from seleniumcrawl import AsyncWebCrawler, CrawlerClosedError, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

MATRIX_SESSION = "matrix"


def _refused_url() -> str:
    """A local port nobody listens on: bind to get a free one, then close it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


pytestmark = pytest.mark.usefixtures("transport")


@pytest.fixture(scope="module")
def crawler(transport: str) -> Iterator[WebCrawler]:
    """One crawler for the whole matrix (per transport): a bad crawl must not spoil the next."""
    with WebCrawler() as running:
        yield running


@pytest.fixture(scope="module")
def session(crawler: WebCrawler, site: DemoSite) -> str:
    """A session on /page/1; js_only cases run in it without navigating."""
    opened = crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id=MATRIX_SESSION))
    assert opened.success, opened.error_message
    return MATRIX_SESSION


# --- URLs that never reach a browser ----------------------------------------------------

UNUSABLE_URLS = [
    ("ftp://x", "Unsupported URL scheme 'ftp'"),
    ("javascript:alert(1)", "Unsupported URL scheme 'javascript'"),
    ("mailto:someone@example.com", "Unsupported URL scheme 'mailto'"),
    ("data:text/html,<p>hi</p>", "Unsupported URL scheme 'data'"),
    ("about:blank", "Unsupported URL scheme 'about'"),
    ("notaurl", "no scheme"),
    ("www.example.com/page", "no scheme"),
    ("http://[::1", "Invalid URL 'http://[::1'"),
    ("http://", "no host"),
    ("http://127.0.0.1:99999/", "Port out of range"),
    ("http://127.0.0.1:0/", "port 0"),
    pytest.param("", "non-empty string", id="empty"),
    pytest.param("   ", "non-empty string", id="blank"),
    ("file:///no/such/file.html", "no such file"),
]


@pytest.mark.parametrize(("url", "fragment"), UNUSABLE_URLS)
def test_unusable_url_fails_without_a_browser(url: str, fragment: str) -> None:
    """An unsupported or malformed URL gives a clear error_message and starts no browser."""
    with WebCrawler() as fresh:
        result = fresh.run(url, CrawlerRunConfig(session_id="never"))
        assert not result.success
        assert fragment in (result.error_message or "")
        assert result.url == url
        assert fresh.crawler_strategy.pool.stats().threads == 0
        assert fresh.sessions() == []


async def test_unusable_url_fails_without_a_browser_async() -> None:
    """The asyncio front end rejects a bad URL the same way, also without a browser."""
    async with AsyncWebCrawler() as fresh:
        result = await fresh.arun("ftp://x")
        assert not result.success
        assert "Unsupported URL scheme 'ftp'" in (result.error_message or "")
        assert fresh.crawler_strategy.pool.stats().threads == 0


# --- crawls that reach the browser and fail there ------------------------------------

NETWORK_CASES = [
    pytest.param(_refused_url, "ERR_CONNECTION_REFUSED", id="refused-port"),
    pytest.param(
        lambda: "http://nonexistent.invalid/", "ERR_NAME_NOT_RESOLVED", id="unresolvable-host"
    ),
]


@pytest.mark.parametrize(("url_of", "fragment"), NETWORK_CASES)
def test_unreachable_url_fails_with_the_network_error(
    crawler: WebCrawler, url_of: Any, fragment: str
) -> None:
    """A refused connection or unknown host fails fast, naming the URL and the net:: error."""
    url = url_of()
    started = time.monotonic()
    result = crawler.run(url, CrawlerRunConfig(page_timeout=15000))
    took = time.monotonic() - started
    assert not result.success
    assert fragment in (result.error_message or "")
    assert url in (result.error_message or "")
    assert took < 10, f"took {took:.1f} s: the error should not wait for page_timeout"


SCRIPT_CASES = [
    pytest.param("return 1 +;", "js_code[0] threw SyntaxError", id="syntax-error"),
    pytest.param(
        "throw new Error('boom-4711')", "js_code[0] threw Error: boom-4711", id="thrown-error"
    ),
    pytest.param("return null.x;", "js_code[0] threw TypeError", id="type-error"),
    pytest.param(
        "return Promise.reject(new RangeError('late-fail'))",
        "RangeError: late-fail",
        id="rejected-promise",
    ),
    pytest.param(
        "await new Promise((_, no) => setTimeout(() => no(new Error('async-x')), 10));",
        "Error: async-x",
        id="awaited-rejection",
    ),
    pytest.param("throw 'plain words'", "js_code[0] threw plain words", id="thrown-string"),
    pytest.param(
        ["return 1;", "throw new Error('second one')"],
        "js_code[1] threw Error: second one",
        id="second-script",
    ),
    pytest.param(
        "return notDefinedAnywhere + 1;", "ReferenceError: notDefinedAnywhere", id="undefined-name"
    ),
]


@pytest.mark.parametrize(("js", "fragment"), SCRIPT_CASES)
def test_failing_script_fails_with_its_message(
    crawler: WebCrawler, session: str, site: DemoSite, js: str | list[str], fragment: str
) -> None:
    """With fail_on_js_error, a script that does not parse or throws fails the crawl with
    the JS message."""
    config = CrawlerRunConfig(session_id=session, js_only=True, js_code=js, fail_on_js_error=True)
    result = crawler.run(site.url("/page/1"), config)
    assert not result.success
    assert fragment in (result.error_message or "")
    after = crawler.run(site.url("/page/1"), config.clone(js_code="return 41 + 1;"))
    assert after.success, after.error_message
    assert after.js_execution_result == {"success": True, "results": [42]}


WAIT_CASES = [
    pytest.param(
        "css:#never-there",
        "wait_for 'css:#never-there' did not hold within 1000 ms",
        id="css-prefixed",
    ),
    pytest.param(
        ".never-there > p", "wait_for '.never-there > p' did not hold within 1000 ms", id="css-bare"
    ),
    pytest.param(
        "js:() => false", "wait_for 'js:() => false' did not hold within 1000 ms", id="js-function"
    ),
    pytest.param("js:window.__never === true", "did not hold within 1000 ms", id="js-expression"),
    pytest.param(
        "() => document.title === 'nope'", "did not hold within 1000 ms", id="bare-function"
    ),
    pytest.param(
        "async () => { return false; }", "did not hold within 1000 ms", id="async-function"
    ),
]


@pytest.mark.parametrize(("condition", "fragment"), WAIT_CASES)
def test_wait_for_that_never_holds_times_out_in_bound(
    crawler: WebCrawler, session: str, site: DemoSite, condition: str, fragment: str
) -> None:
    """A wait_for that never holds fails after its timeout (not much later), naming it."""
    config = CrawlerRunConfig(
        session_id=session, js_only=True, wait_for=condition, wait_for_timeout=1000
    )
    started = time.monotonic()
    result = crawler.run(site.url("/page/1"), config)
    took = time.monotonic() - started
    assert not result.success
    assert fragment in (result.error_message or "")
    assert "waited" in (result.error_message or "")
    # Typically ~1.2 s; the margin is for slow, loaded machines (a bound, not a benchmark).
    assert 0.95 <= took < 1.0 + 2.5, f"a 1000 ms wait_for failed after {took:.2f} s"


def test_wait_for_timeout_defaults_to_page_timeout(
    crawler: WebCrawler, session: str, site: DemoSite
) -> None:
    """Without wait_for_timeout the wait is bounded by page_timeout, and the message says so."""
    config = CrawlerRunConfig(
        session_id=session, js_only=True, wait_for="css:#never-there", page_timeout=1500
    )
    started = time.monotonic()
    result = crawler.run(site.url("/page/1"), config)
    took = time.monotonic() - started
    assert not result.success
    assert "did not hold within 1500 ms" in (result.error_message or "")
    assert 1.45 <= took < 1.5 + 2.5


INVALID_WAITS = [
    pytest.param("css:[[[", "wait_for 'css:[[[' is not valid", id="css-syntax"),
    pytest.param("js:(((", "wait_for 'js:(((' is not valid", id="js-syntax"),
    pytest.param("js:() => { throw new Error('in-wait') }", "in-wait", id="js-throws"),
]


@pytest.mark.parametrize(("condition", "fragment"), INVALID_WAITS)
def test_invalid_wait_for_fails_at_once(
    crawler: WebCrawler, session: str, site: DemoSite, condition: str, fragment: str
) -> None:
    """A wait_for that cannot be evaluated fails immediately, naming the condition."""
    config = CrawlerRunConfig(
        session_id=session, js_only=True, wait_for=condition, wait_for_timeout=10000
    )
    started = time.monotonic()
    result = crawler.run(site.url("/page/1"), config)
    took = time.monotonic() - started
    assert not result.success
    assert fragment in (result.error_message or "")
    assert took < 5, f"an invalid condition took {took:.1f} s instead of failing at once"


# --- sessions ------------------------------------------------------------------------------


def test_js_only_without_a_session_fails_clearly(crawler: WebCrawler, site: DemoSite) -> None:
    """js_only with no session_id fails saying it needs one, instead of a blank page."""
    result = crawler.run(site.url("/page/1"), CrawlerRunConfig(js_only=True, js_code="return 1"))
    assert not result.success
    assert "js_only" in (result.error_message or "")
    assert "session_id" in (result.error_message or "")


def test_js_only_on_an_unknown_session_fails_clearly(crawler: WebCrawler, site: DemoSite) -> None:
    """js_only on a session nobody opened fails naming it, and does not create it."""
    config = CrawlerRunConfig(session_id="nobody-opened-this", js_only=True)
    result = crawler.run(site.url("/page/1"), config)
    assert not result.success
    assert "'nobody-opened-this' does not exist" in (result.error_message or "")
    assert "nobody-opened-this" not in crawler.sessions()


# --- the front ends -------------------------------------------------------------------------


def test_unknown_keyword_arguments_raise_type_error(crawler: WebCrawler, site: DemoSite) -> None:
    """run() and the constructors reject keywords they do not know; nothing is ignored."""
    with pytest.raises(TypeError, match="bogus"):
        crawler.run(site.url("/page/1"), bogus=True)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="bogus"):
        WebCrawler(bogus=True)
    with pytest.raises(TypeError, match="bogus"):
        AsyncWebCrawler(bogus=True)


async def test_arun_rejects_unknown_keywords_and_wrong_config(site: DemoSite) -> None:
    """arun() raises TypeError for an unknown keyword or a config that is not a CrawlerRunConfig."""
    async with AsyncWebCrawler() as fresh:
        with pytest.raises(TypeError, match="bogus"):
            await fresh.arun(site.url("/page/1"), bogus=True)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="CrawlerRunConfig"):
            await fresh.arun(site.url("/page/1"), config={"page_timeout": 5})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="no URL"):
            await fresh.arun()
        assert fresh.crawler_strategy.pool.stats().threads == 0


def test_closed_crawler_raises_on_use(site: DemoSite) -> None:
    """run(), start() and ``with`` on a closed WebCrawler raise CrawlerClosedError."""
    crawler = WebCrawler()
    crawler.close()
    with pytest.raises(CrawlerClosedError, match="closed"):
        crawler.run(site.url("/page/1"))
    with pytest.raises(RuntimeError, match="closed"):
        crawler.start()
    with pytest.raises(CrawlerClosedError), crawler:
        pass


async def test_closed_async_crawler_raises_on_use(site: DemoSite) -> None:
    """arun() and ``async with`` on a closed AsyncWebCrawler raise CrawlerClosedError."""
    async with AsyncWebCrawler() as crawler:
        assert (await crawler.arun(site.url("/page/1"))).success
    with pytest.raises(CrawlerClosedError, match="closed"):
        await crawler.arun(site.url("/page/1"))
    with pytest.raises(CrawlerClosedError):
        async with crawler:
            pass


async def test_crawl_queued_when_the_crawler_closes_fails_cleanly(site: DemoSite) -> None:
    """Crawls still queued at close() end as success=False saying so, not as a hang."""
    crawler = AsyncWebCrawler()
    config = CrawlerRunConfig(session_id="q")
    baseline = site.count("/slow")
    running = asyncio.ensure_future(crawler.arun(site.url("/slow?ms=1500"), config))
    queued = asyncio.ensure_future(crawler.arun(site.url("/page/1"), config))
    deadline = time.monotonic() + 30
    while site.count("/slow") == baseline:  # the first crawl runs, so the second waits
        assert time.monotonic() < deadline, "the first crawl never reached the server"
        await asyncio.sleep(0.02)
    await crawler.close()
    first, second = await asyncio.wait_for(asyncio.gather(running, queued), timeout=30)
    assert not second.success
    assert "closed" in (second.error_message or "")
    # The running crawl had close()'s grace period to finish; either way it is a result.
    assert first.success or first.error_message


DIALOG_SCRIPTS = [
    pytest.param("alert('hi'); return 1;", 1, id="alert"),
    pytest.param("return confirm('sure?');", False, id="confirm"),
    pytest.param("return prompt('name?', 'x');", None, id="prompt"),
]


@pytest.mark.parametrize(("js", "dismissed"), DIALOG_SCRIPTS)
def test_script_interrupted_by_a_dialog_fails_clearly(
    crawler: WebCrawler, site: DemoSite, js: str, dismissed: object, transport: str
) -> None:
    """Classic: a js_code script that opens a dialog fails saying so. BiDi: the dialog is
    dismissed and the script goes on with the dismissal's value. The session works after."""
    config = CrawlerRunConfig(session_id="dialogs", js_code=js)
    result = crawler.run(site.url("/page/1"), config)
    if transport == "bidi":
        assert result.success, result.error_message
        assert result.js_execution_result == {"success": True, "results": [dismissed]}
    else:
        assert not result.success
        assert "js_code[0]" in (result.error_message or "")
        assert "dialog" in (result.error_message or "")
    after = crawler.run(site.url("/page/2"), config.clone(js_code="return document.title;"))
    assert after.success, after.error_message
    assert after.js_execution_result == {"success": True, "results": ["Demo page 2"]}


def test_dialogs_opened_by_the_page_are_dismissed(crawler: WebCrawler, site: DemoSite) -> None:
    """Dialogs a page opens itself (on load, from a timer) never block its crawl or the next."""
    on_load = "raw:<title>alerting</title><script>alert('on load')</script><p id='x'>x</p>"
    loaded = crawler.run(on_load, CrawlerRunConfig(session_id="pages", wait_for="css:#x"))
    assert loaded.success, loaded.error_message
    timer = "setTimeout(() => alert('from a timer'), 0); return 1;"
    timed = crawler.run(site.url("/page/1"), CrawlerRunConfig(session_id="pages", js_code=timer))
    assert timed.success, timed.error_message
    after = crawler.run(site.url("/page/3"), CrawlerRunConfig(session_id="pages"))
    assert after.success, after.error_message
    assert "<h1>Page 3</h1>" in after.html
