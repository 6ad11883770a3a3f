"""The ``seleniumcrawl`` command against the demo site with a real Chromium.

Every command runs as ``python -m seleniumcrawl.cli`` in a subprocess that carries a marker
environment variable; browser and driver processes inherit it, so each test can check that
the command left none of *its* processes behind, even while other suites run browsers.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from seleniumcrawl.browser.launch import find_browser, find_driver
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.demo.site import DEMO_USER, DemoSite
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy

MARK_ENV = "SELENIUMCRAWL_CLI_TEST_MARK"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CLI_TIMEOUT = 90

PRODUCT_SCHEMA = {
    "name": "Products",
    "baseSelector": "div.product",
    "fields": [
        {"name": "name", "selector": ".name", "type": "text"},
        {"name": "price", "selector": ".price", "type": "text"},
    ],
}


def marked_pids(mark: str) -> set[int]:
    """Live processes whose environment carries ``MARK_ENV=mark`` (Linux /proc)."""
    needle = f"{MARK_ENV}={mark}".encode()
    found: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.add(int(entry.name))
    return found


def assert_no_processes_left(mark: str, timeout: float = 10.0) -> None:
    """Every process of the run has exited (polling /proc: exits are not observable events)."""
    deadline = time.monotonic() + timeout
    while (left := marked_pids(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes left behind: {sorted(left)}"


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion and check that it left no browser or driver running."""
    mark = uuid.uuid4().hex
    completed = subprocess.run(
        [sys.executable, "-m", "seleniumcrawl.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        env={**os.environ, MARK_ENV: mark},
        check=False,
    )
    assert_no_processes_left(mark)
    return completed


def fetch(url: str) -> str:
    """The page as the server sends it (the oracle for what the crawl must extract)."""
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "products.json"
    path.write_text(json.dumps(PRODUCT_SCHEMA), encoding="utf-8")
    return path


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens any more."""
    with DemoSite() as gone:
        url = gone.url("/page/1")
    return url


def test_crawl_prints_json_with_schema_extraction(site: DemoSite, schema_file: Path) -> None:
    """`crawl --schema` prints one JSON object whose extracted_content is the parsed records."""
    url = site.url("/page/1")
    completed = run_cli("crawl", url, "--schema", str(schema_file))
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    record = json.loads(completed.stdout)
    expected = JsonCssExtractionStrategy(PRODUCT_SCHEMA).extract(url, fetch(url))
    assert expected and record["extracted_content"] == expected
    assert record["success"] is True and record["status_code"] == 200
    assert record["url"] == url and record["redirected_url"] == url
    assert "Page 1" in record["markdown"]
    assert record["metadata"]["title"] == "Demo page 1"
    assert "html" not in record


def test_crawl_runs_js_and_waits(site: DemoSite) -> None:
    """--wait-for and --js reach the crawl: the script sees the JS-rendered commit list."""
    completed = run_cli(
        "crawl",
        site.url("/commits"),
        "--wait-for",
        "css:li.commit-item",
        "--js",
        "return document.querySelectorAll('li.commit-item').length",
        "--js",
        "return document.title",
    )
    assert completed.returncode == 0, completed.stderr
    js = json.loads(completed.stdout)["js_execution_result"]
    assert js["success"] is True
    count, title = js["results"]
    assert count > 0 and isinstance(title, str) and title


def test_crawl_markdown_output(site: DemoSite) -> None:
    """--output markdown prints the page's Markdown, not JSON."""
    completed = run_cli("crawl", site.url("/page/1"), "--output", "markdown")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("# Page 1")
    assert "Product 1-1" in completed.stdout
    with pytest.raises(json.JSONDecodeError):
        json.loads(completed.stdout)


def test_crawl_text_and_html_output(site: DemoSite) -> None:
    """--output text prints the visible text without markup; html prints the page HTML."""
    text = run_cli("crawl", site.url("/page/1"), "--output", "text")
    assert text.returncode == 0, text.stderr
    assert "Product 1-1" in text.stdout.splitlines()
    assert "<" not in text.stdout and "#" not in text.stdout
    html = run_cli("crawl", site.url("/page/1"), "--output", "html")
    assert html.returncode == 0, html.stderr
    assert html.stdout.lstrip().lower().startswith("<html") and "Product 1-1" in html.stdout


def test_crawl_css_selector_narrows_the_content(site: DemoSite) -> None:
    """--css-selector keeps only the matching part of the page."""
    completed = run_cli("crawl", site.url("/page/1"), "--css-selector", "h1", "-o", "text")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "Page 1"


def test_screenshot_writes_a_png(site: DemoSite, tmp_path: Path) -> None:
    """--screenshot FILE writes a PNG of the page."""
    target = tmp_path / "page.png"
    completed = run_cli("crawl", site.url("/page/1"), "-o", "markdown", "--screenshot", str(target))
    assert completed.returncode == 0, completed.stderr
    data = target.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000


def test_failed_crawl_exits_1_with_one_line(dead_url: str) -> None:
    """A crawl that fails exits 1 with one stderr line naming the URL, and no traceback."""
    completed = run_cli("crawl", dead_url, "-o", "markdown")
    assert completed.returncode == 1
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert lines[0].startswith(f"seleniumcrawl: error: crawl of {dead_url} failed: ")
    assert completed.stdout == ""


def test_wait_for_timeout_exits_1(site: DemoSite) -> None:
    """A wait_for that never holds fails the crawl (exit 1) with the condition in the message."""
    completed = run_cli(
        "crawl", site.url("/page/1"), "--wait-for", "css:.never", "--page-timeout", "1000"
    )
    assert completed.returncode == 1
    assert "css:.never" in completed.stderr and len(completed.stderr.splitlines()) == 1
    assert json.loads(completed.stdout)["success"] is False


def test_bad_usage_exits_2_without_a_browser(site: DemoSite, tmp_path: Path) -> None:
    """A malformed schema exits 2 with one line, and the site is never visited."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"baseSelector": "div", "fields": [{"type": "text"}]}), "utf-8")
    before = site.count("/page/")
    completed = run_cli("crawl", site.url("/page/1"), "--schema", str(bad))
    assert completed.returncode == 2
    assert len(completed.stderr.splitlines()) == 1
    assert completed.stderr.startswith("seleniumcrawl: error: bad schema")
    assert "Traceback" not in completed.stderr
    assert site.count("/page/") == before


def test_unknown_option_exits_2() -> None:
    """An unknown option is a one-line usage error with exit status 2."""
    completed = run_cli("crawl", "http://127.0.0.1:9/", "--no-such-option")
    assert completed.returncode == 2
    assert completed.stderr.splitlines() == [
        "seleniumcrawl: error: unrecognized arguments: --no-such-option "
        "(see 'seleniumcrawl --help')"
    ]


def test_crawl_many_writes_json_lines_and_a_progress_bar(site: DemoSite, tmp_path: Path) -> None:
    """crawl-many over 6 URLs (a file plus arguments) prints 6 JSON lines and a progress bar."""
    urls = [site.url(f"/page/{n}") for n in range(1, 7)]
    listing = tmp_path / "urls.txt"
    listing.write_text("# first four\n" + "\n".join(urls[:4]) + "\n\n", encoding="utf-8")
    completed = run_cli("crawl-many", str(listing), *urls[4:], "--concurrency", "2", "--progress")
    assert completed.returncode == 0, completed.stderr
    records = [json.loads(line) for line in completed.stdout.splitlines()]
    assert sorted(r["url"] for r in records) == sorted(urls)
    assert all(r["success"] and r["status_code"] == 200 for r in records)
    assert "6/6" in completed.stderr and "100%" in completed.stderr


def test_crawl_many_output_file_with_schema(
    site: DemoSite, schema_file: Path, tmp_path: Path
) -> None:
    """--output-file gets the JSON lines (stdout stays empty); --schema applies to every URL."""
    urls = [site.url("/page/7"), site.url("/page/8")]
    out = tmp_path / "out.jsonl"
    completed = run_cli("crawl-many", *urls, "--schema", str(schema_file), "-O", str(out))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    records = {r["url"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    for url in urls:
        expected = JsonCssExtractionStrategy(PRODUCT_SCHEMA).extract(url, fetch(url))
        assert records[url]["extracted_content"] == expected


def test_crawl_many_with_a_failure_exits_1(site: DemoSite, dead_url: str) -> None:
    """One failed URL among good ones: all lines written, exit 1, one summary line on stderr."""
    completed = run_cli("crawl-many", site.url("/page/1"), dead_url, "--no-progress")
    assert completed.returncode == 1
    records = {r["url"]: r for r in map(json.loads, completed.stdout.splitlines())}
    assert records[site.url("/page/1")]["success"] is True
    assert records[dead_url]["success"] is False and records[dead_url]["error_message"]
    assert completed.stderr.splitlines() == [
        "seleniumcrawl: error: 1 of 2 crawls failed (success=false lines)"
    ]


def test_crawl_many_reads_urls_from_stdin(site: DemoSite) -> None:
    """``-`` takes the URL list from standard input."""
    completed = run_cli("crawl-many", "-", stdin=f"{site.url('/page/9')}\n# comment\n")
    assert completed.returncode == 0, completed.stderr
    assert [json.loads(line)["url"] for line in completed.stdout.splitlines()] == [
        site.url("/page/9")
    ]


def test_closed_stdout_stops_quietly(site: DemoSite) -> None:
    """When the reader of stdout goes away (``| head -1``), crawl-many stops without a
    traceback or error message and closes its browsers."""
    mark = uuid.uuid4().hex
    # Two quick pages, then pages that answer 2 s later: their lines are written after
    # the reader has gone (8 quick pages in flight at once could all be in the pipe first).
    urls = [site.url(f"/page/{n}") for n in range(20, 22)]
    urls += [site.url(f"/slow?ms=2000&n={n}") for n in range(3)]
    process = subprocess.Popen(
        [sys.executable, "-m", "seleniumcrawl.cli", "crawl-many", *urls, "-c", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARK_ENV: mark},
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        first = json.loads(process.stdout.readline())
        process.stdout.close()
        returncode = process.wait(timeout=CLI_TIMEOUT)
        err = process.stderr.read()
        process.stderr.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert first["url"] in urls[:2]
    assert returncode == 1
    assert err == ""
    assert_no_processes_left(mark)


def test_interrupt_closes_browsers_and_exits_130(site: DemoSite) -> None:
    """Ctrl-C during crawl-many exits 130 with one line, promptly, leaving no browser behind."""
    mark = uuid.uuid4().hex
    before = site.count("/slow")
    # SIGINT's default handler, in case this test runs where SIGINT is ignored (background job).
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from seleniumcrawl.cli import main; sys.exit(main())"
    )
    slow = [site.url(f"/slow?ms=60000&n={n}") for n in range(3)]
    process = subprocess.Popen(
        [sys.executable, "-c", code, "crawl-many", *slow, "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARK_ENV: mark},
    )
    try:
        deadline = time.monotonic() + 60
        while site.count("/slow") < before + 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the server's request log
        assert site.count("/slow") >= before + 2, "the browsers never requested the pages"
        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    assert err.splitlines() == ["seleniumcrawl: error: interrupted"]
    assert out == ""
    assert time.monotonic() - interrupted < 30  # well before the pages would answer
    assert_no_processes_left(mark)


def test_doctor_names_browser_and_driver_and_passes() -> None:
    """doctor exits 0 after a real crawl and names the browser and driver it found."""
    config = BrowserConfig()
    browser, driver = find_browser(config), find_driver(config, use_manager=False)
    assert browser and driver
    completed = run_cli("doctor")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert any(line.startswith("browser:") and browser in line for line in lines)
    assert any(line.startswith("driver:") and driver in line for line in lines)
    assert any(line.startswith("first crawl:") and "OK" in line for line in lines)
    assert any(line.startswith("selenium:") for line in lines)
    assert lines[-1] == "all checks passed"


def test_doctor_reports_an_unreachable_remote() -> None:
    """doctor --remote-url with nothing listening exits 1 with a problem line and a fix."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    completed = run_cli("doctor", "--remote-url", f"http://127.0.0.1:{port}")
    assert completed.returncode == 1
    problems = [line for line in completed.stdout.splitlines() if line.startswith("problem:")]
    assert len(problems) == 1 and "unreachable" in problems[0] and "fix:" in problems[0]
    assert completed.stderr.splitlines() == [
        "seleniumcrawl: error: doctor found 1 problem(s); see 'problem:' above"
    ]


def test_doctor_with_a_remote_webdriver_server(chromedriver_url: str) -> None:
    """doctor --remote-url reports the server's status and crawls through it."""
    completed = run_cli("doctor", "--remote-url", chromedriver_url)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"{chromedriver_url}: WebDriver server, ready=True" in completed.stdout
    assert "first crawl:    OK" in completed.stdout


def test_demo_runs_the_workflows() -> None:
    """`seleniumcrawl demo` serves the site, runs the three workflows and prints their data."""
    completed = run_cli("demo")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    assert out.startswith("Demo site: http://127.0.0.1:")
    assert "/page/1 product: Product 1-1" in out
    assert "page 3: 10 commits" in out
    assert f"logged in as: {DEMO_USER['name']} <{DEMO_USER['email']}>" in out
    assert out.rstrip().endswith("All three workflows succeeded.")


# -- crawl --deep-crawl ------------------------------------------------------------------------


def test_deep_crawl_writes_json_lines_per_page(site: DemoSite) -> None:
    """crawl --deep-crawl bfs writes one JSON line per page, with depth and parent."""
    start = site.url("/tree/13/3/0-alpha")
    completed = run_cli(
        "crawl", start, "--deep-crawl", "bfs", "--max-depth", "1", "--max-pages", "3"
    )
    assert completed.returncode == 0, completed.stderr
    records = [json.loads(line) for line in completed.stdout.splitlines()]
    assert [r["url"] for r in records] == [start] + [
        site.url(f"/tree/13/3/{n}-{w}") for n, w in ((1, "beta"), (2, "gamma"))
    ]
    assert [r["metadata"]["depth"] for r in records] == [0, 1, 1]
    assert records[1]["metadata"]["parent_url"] == start


def test_deep_only_options_need_deep_crawl() -> None:
    """--max-depth and friends without --deep-crawl are a usage error (exit 2)."""
    completed = run_cli("crawl", "http://127.0.0.1:9/", "--max-depth", "2")
    assert completed.returncode == 2
    assert "--max-depth needs --deep-crawl" in completed.stderr


def test_deep_crawl_interrupted_resumes_with_the_same_command(
    site: DemoSite, tmp_path: Path
) -> None:
    """Ctrl-C stops a deep crawl with exit 130 and a hint; the same command then finishes
    it: every page comes out, and no page that came out is fetched a second time."""
    mark = uuid.uuid4().hex
    state = str(tmp_path / "crawl.db")
    start = site.url("/tree/40/3/0-alpha?ms=200")
    args = ["crawl", start, "--deep-crawl", "bfs", "--max-depth", "3", "--state", state]
    code = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from seleniumcrawl.cli import main; sys.exit(main())"
    )
    since = len(site.requests)
    process = subprocess.Popen(
        [sys.executable, "-c", code, *args, "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARK_ENV: mark},
    )
    try:
        assert process.stdout is not None
        first = [process.stdout.readline() for _ in range(5)]
        process.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        process.wait(60)
        # Not communicate(): it reads the pipes directly, missing what readline() buffered.
        out = process.stdout.read()
        err = process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert time.monotonic() - interrupted < 30
    assert err.splitlines()[-1].endswith(f"the same command resumes from {state}")
    first_urls = [json.loads(line)["url"] for line in first + out.splitlines()]
    assert_no_processes_left(mark)

    completed = run_cli(*args)
    assert completed.returncode == 0, completed.stderr
    second_urls = [json.loads(line)["url"] for line in completed.stdout.splitlines()]
    assert len(set(first_urls + second_urls)) == 40 + 4  # the tree, /private, /members, more
    # Only the line being written when Ctrl-C came may come out again (at least once).
    assert set(first_urls) & set(second_urls) <= {first_urls[-1]}
    fetched = {p: n for p, n in _hits(site, since).items() if p.startswith("/tree/")}
    assert len(fetched) == 40
    delivered_first = {"/" + url.split("/", 3)[3] for url in first_urls}
    assert not any(fetched[path] > 1 for path in delivered_first if path in fetched)
    assert all(n <= 2 for n in fetched.values())


def _hits(site: DemoSite, since: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, path in site.requests[since:]:
        counts[path] = counts.get(path, 0) + 1
    return counts
