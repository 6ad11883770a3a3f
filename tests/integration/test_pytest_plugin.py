"""The pytest plugin, loaded through its entry point into a separate pytest run (pytester).

Each run is a subprocess, so its browsers, event loops and warnings cannot leak into this
one; a marker environment variable checks that it left no browser or driver behind.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from seleniumcrawl import pytest_plugin
from seleniumcrawl.config import BROWSER_TYPES

pytest_plugins = ["pytester"]

MARK_ENV = "SELENIUMCRAWL_PLUGIN_TEST_MARK"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pytest_plugin" / "test_with_plugin.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUN_TIMEOUT = 100

INI = """
[pytest]
asyncio_mode = {mode}
asyncio_default_fixture_loop_scope = function
filterwarnings =
    error
    ignore::ResourceWarning
    ignore::DeprecationWarning:selenium.*
"""

INI_WITHOUT_ASYNCIO = """
[pytest]
filterwarnings =
    error
"""


def _marked_pids(mark: str) -> set[int]:
    needle = f"{MARK_ENV}={mark}".encode()
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def run_suite(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str
) -> pytest.RunResult:
    """Run pytest on the pytester directory in a subprocess; assert it left no processes."""
    mark = uuid.uuid4().hex
    monkeypatch.setenv(MARK_ENV, mark)
    monkeypatch.delenv("SELENIUMCRAWL_DEMO_URL", raising=False)
    result = pytester.runpytest_subprocess(*args, timeout=RUN_TIMEOUT)
    deadline = time.monotonic() + 10
    while (left := _marked_pids(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling /proc: process exit is not an event we can wait on
    assert not left, f"the inner run left processes behind: {sorted(left)}"
    return result


def failure_files(pytester: pytest.Pytester, test_name: str) -> dict[str, Path]:
    """File name -> path of what the plugin saved for ``test_name`` in the inner run."""
    directories = list(pytester.path.glob(f"runpytest-[0-9]*/seleniumcrawl-failures/{test_name}"))
    assert len(directories) == 1, directories
    return {path.name: path for path in directories[0].iterdir()}


# -- the plugin's pure parts --------------------------------------------------------------


def test_browser_choices_match_the_config() -> None:
    """--sc-browser offers exactly the browser types BrowserConfig accepts."""
    assert pytest_plugin.BROWSER_CHOICES == BROWSER_TYPES


def test_safe_name_makes_one_path_component() -> None:
    """Parametrized test names become file names without separators or brackets."""
    assert pytest_plugin._safe_name("test_x[a/b c-1.5]") == "test_x_a_b_c-1.5"
    assert pytest_plugin._safe_name("[..]") == "test"


def test_unique_dir_never_reuses_a_directory(tmp_path: Path) -> None:
    """Two failures of same-named tests get separate directories."""
    first = pytest_plugin._unique_dir(tmp_path / "f", "test_a")
    second = pytest_plugin._unique_dir(tmp_path / "f", "test_a")
    assert (first.name, second.name) == ("test_a", "test_a-2")
    assert first.is_dir() and second.is_dir()


# -- fixtures in a user's suite ------------------------------------------------------------


def test_fixtures_work_in_a_user_suite(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """crawler, crawl_session, demo_site and async_crawler work; the session is killed after."""
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(
        """
        from seleniumcrawl import AsyncWebCrawler, CrawlerRunConfig, WebCrawler

        seen = {}

        def test_demo_site_is_served(demo_site):
            assert demo_site.startswith("http://127.0.0.1:")

        def test_crawl_in_a_session(crawler, crawl_session, demo_site):
            assert isinstance(crawler, WebCrawler)
            result = crawler.run(demo_site + "/page/1", CrawlerRunConfig(session_id=crawl_session))
            assert result.success and "Product 1-1" in result.markdown
            assert crawl_session in crawler.sessions()
            seen["crawler"], seen["session"] = crawler, crawl_session

        def test_session_killed_and_crawler_shared(crawler, crawl_session):
            assert crawler is seen["crawler"]
            assert seen["session"] not in crawler.sessions()
            assert crawl_session != seen["session"]

        async def test_async_crawler(async_crawler, demo_site):
            assert isinstance(async_crawler, AsyncWebCrawler)
            result = await async_crawler.arun(demo_site + "/page/2")
            assert result.success and "Product 2-1" in result.markdown
        """
    )
    result = run_suite(pytester, monkeypatch)
    result.assert_outcomes(passed=4)


def test_example_suite_passes(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented example test file passes as a user's suite, through the plugin alone."""
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(test_with_plugin=EXAMPLE.read_text(encoding="utf-8"))
    run_suite(pytester, monkeypatch).assert_outcomes(passed=4)


def test_async_crawler_in_strict_mode(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """async_crawler also serves pytest-asyncio's strict mode (tests marked asyncio)."""
    pytester.makeini(INI.format(mode="strict"))
    pytester.makepyfile(
        """
        import pytest
        from seleniumcrawl import CrawlerRunConfig

        @pytest.mark.asyncio
        async def test_strict(async_crawler):
            result = await async_crawler.arun("raw:<p>hi</p>", CrawlerRunConfig(js_code="return 7"))
            assert result.js_execution_result["results"] == [7]
        """
    )
    run_suite(pytester, monkeypatch).assert_outcomes(passed=1)


def test_async_crawler_skips_without_an_async_plugin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without pytest-asyncio the async_crawler fixture skips and says what to install."""
    pytester.makeini(INI_WITHOUT_ASYNCIO)
    pytester.makepyfile(
        """
        async def test_needs_a_loop(async_crawler):
            raise AssertionError("must not run")
        """
    )
    result = run_suite(pytester, monkeypatch, "-p", "no:asyncio", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*async_crawler fixture needs*pip install pytest-asyncio*"])


# -- failure capture ----------------------------------------------------------------------


def test_failed_tests_leave_screenshots_and_html(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed test saves a PNG and the HTML of each window it opened and prints the paths."""
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(
        """
        from seleniumcrawl import CrawlerRunConfig

        def test_leaves_a_window_open(crawler, demo_site):
            result = crawler.run(demo_site + "/page/3", CrawlerRunConfig(session_id="leftover"))
            assert result.success

        def test_fails_on_a_page(crawler, crawl_session, demo_site):
            for path, session in (("/page/1", crawl_session), ("/page/2", "extra-window")):
                result = crawler.run(demo_site + path, CrawlerRunConfig(session_id=session))
                assert result.success
            assert False, "deliberate failure"

        async def test_async_fails(async_crawler, demo_site):
            config = CrawlerRunConfig(session_id="tab")
            assert (await async_crawler.arun(demo_site + "/page/4", config)).success
            assert False, "deliberate async failure"
        """
    )
    result = run_suite(pytester, monkeypatch)
    result.assert_outcomes(passed=1, failed=2)
    output = result.stdout.str()

    files = failure_files(pytester, "test_fails_on_a_page")
    session_files = sorted(name for name in files if name.startswith("pytest-test_fails_on_a_page"))
    assert [Path(name).suffix for name in session_files] == [".html", ".png"]
    assert sorted(files) == sorted([*session_files, "extra-window.html", "extra-window.png"])
    for name, path in files.items():
        if name.endswith(".png"):
            assert path.read_bytes().startswith(PNG_SIGNATURE)
        assert str(path) in output
    assert "Product 1-1" in files[session_files[0]].read_text("utf-8")
    assert "Product 2-1" in files["extra-window.html"].read_text("utf-8")
    assert "seleniumcrawl: browser windows" in output and "/page/1" in output

    async_files = failure_files(pytester, "test_async_fails")
    assert sorted(async_files) == ["async-tab.html", "async-tab.png"]
    assert "Product 4-1" in async_files["async-tab.html"].read_text("utf-8")
    assert str(async_files["async-tab.png"]) in output


def test_failure_without_a_crawler_adds_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failing test that used no crawler fails normally: no section, no files, no browser."""
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(
        """
        def test_plain_failure():
            assert 1 == 2
        """
    )
    result = run_suite(pytester, monkeypatch)
    result.assert_outcomes(failed=1)
    assert "seleniumcrawl: browser windows" not in result.stdout.str()
    assert not list(pytester.path.glob("runpytest-[0-9]*/seleniumcrawl-failures"))


# -- options -------------------------------------------------------------------------------

OPTIONS_TEST = """
def test_options(request, sc_browser_config):
    assert request.config.getoption("sc_headful") is {headful}
    assert sc_browser_config.headless is {headless}
    assert sc_browser_config.browser_type == {browser!r}
    assert sc_browser_config.remote_url == {remote!r}
"""


def test_options_build_the_browser_config(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--sc-headful, --sc-browser and --sc-remote-url reach the fixtures' BrowserConfig."""
    pytester.makeini(INI.format(mode="auto"))
    remote = "http://127.0.0.1:4444"
    pytester.makepyfile(
        OPTIONS_TEST.format(headful=True, headless=False, browser="chrome", remote=remote)
    )
    result = run_suite(
        pytester, monkeypatch, "--sc-headful", "--sc-browser", "chrome", "--sc-remote-url", remote
    )
    result.assert_outcomes(passed=1)


def test_default_options(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without options the fixtures use headless local Chromium."""
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(
        OPTIONS_TEST.format(headful=False, headless=True, browser="chromium", remote=None)
    )
    run_suite(pytester, monkeypatch).assert_outcomes(passed=1)


def test_conftest_can_override_the_browser_config(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Overriding sc_browser_config in a conftest.py changes what both crawler fixtures use."""
    pytester.makeini(INI.format(mode="auto"))
    pytester.makeconftest(
        """
        import pytest
        from seleniumcrawl.pytest_plugin import browser_config_from_options

        @pytest.fixture(scope="session")
        def sc_browser_config(pytestconfig):
            return browser_config_from_options(pytestconfig).clone(viewport_width=1280)
        """
    )
    pytester.makepyfile(
        """
        def test_blocking(crawler):
            assert crawler.config.viewport_width == 1280

        async def test_async(async_crawler):
            assert async_crawler.config.viewport_width == 1280
        """
    )
    run_suite(pytester, monkeypatch).assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sc-browser", "netscape"), "invalid choice: 'netscape'"),
        (("--sc-remote-url", "ftp://grid"), "must be an http(s) URL"),
    ],
)
def test_bad_option_values_are_usage_errors(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    message: str,
) -> None:
    """A bad --sc-* value stops pytest with a usage error instead of failing every test."""
    pytester.makepyfile("def test_never_runs(): pass")
    result = run_suite(pytester, monkeypatch, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_the_plugin_is_registered_by_its_entry_point() -> None:
    """The installed distribution declares the plugin under pytest11 (how pytest finds it)."""
    from importlib import metadata

    entry_points = metadata.entry_points(group="pytest11")
    assert any(ep.value == "seleniumcrawl.pytest_plugin" for ep in entry_points)
    assert os.path.basename(pytest_plugin.__file__) == "pytest_plugin.py"


def test_failed_test_gets_console_log_and_har(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed test's capturing crawls leave console.log and a HAR 1.2 network.har."""
    pytester.makeini(INI.format(mode="auto"))
    pytester.makepyfile(
        """
        from seleniumcrawl import CrawlerRunConfig

        def test_fails_after_capture(crawler, demo_site):
            config = CrawlerRunConfig(
                capture_network_requests=True,
                capture_console_messages=True,
                wait_for="js:() => document.getElementById('done').textContent !== 'waiting'",
            )
            assert crawler.run(demo_site + "/capture", config).success
            assert False, "on purpose"
        """
    )
    result = run_suite(pytester, monkeypatch)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*console log: *console.log*", "*network log (HAR): *network.har*"]
    )
    files = failure_files(pytester, "test_fails_after_capture")
    console = files["console.log"].read_text()
    assert "[warning] a warning" in console and "/capture" in console
    har = json.loads(files["network.har"].read_text())
    assert har["log"]["version"] == "1.2"
    by_url = {e["request"]["url"]: e for e in har["log"]["entries"]}
    me = next(e for url, e in by_url.items() if url.endswith("/api/me"))
    assert me["response"]["status"] == 401 and me["request"]["method"] == "GET"
    assert all(e["startedDateTime"].endswith("+00:00") for e in har["log"]["entries"])


# -- HAR record and replay (#26) -------------------------------------------------------------

HAR_SUITE = """
import os

from seleniumcrawl import CrawlerRunConfig

WAIT = "js:() => document.getElementById('api').textContent != 'waiting'"


def test_scrape(crawler):
    url = os.environ["SC_HAR_SITE"] + "/page/3"
    result = crawler.run(url, config=CrawlerRunConfig(wait_for=WAIT))
    assert result.success, result.error_message
    assert "Resource page 3" in str(result.markdown) and "api 42" in str(result.markdown)
"""


def test_record_then_replay_a_suite_offline(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--sc-record-har DIR records each test's crawls to DIR/<test id>.har against the
    live site; with the site gone, --sc-replay-har DIR passes the same test offline; a
    test with no recording errors at setup, saying so."""
    from tests.resource_site import serve

    pytester.makeini(INI.format(mode="strict"))
    pytester.makepyfile(test_scraper=HAR_SUITE)
    hars = pytester.path / "hars"
    with serve() as site:
        monkeypatch.setenv("SC_HAR_SITE", site.base)
        recorded = run_suite(pytester, monkeypatch, "--sc-record-har", str(hars))
        recorded.assert_outcomes(passed=1)
        assert "/page/3" in site.fetched()
    files = list(hars.glob("*.har"))
    assert len(files) == 1 and "test_scrape" in files[0].name
    replayed = run_suite(pytester, monkeypatch, "--sc-replay-har", str(hars))
    replayed.assert_outcomes(passed=1)
    empty = run_suite(pytester, monkeypatch, "--sc-replay-har", str(pytester.path / "none"))
    empty.assert_outcomes(errors=1)
    empty.stdout.fnmatch_lines(["*no recording for this test*"])
