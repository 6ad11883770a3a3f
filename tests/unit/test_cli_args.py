"""The command line without a browser: parsing, usage errors (exit 2), URL files, output."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import seleniumcrawl.crawler
from seleniumcrawl import cli
from seleniumcrawl.config import BROWSER_TYPES, BrowserConfig, CrawlerRunConfig
from seleniumcrawl.content.generation import MarkdownGenerationResult
from seleniumcrawl.extraction_strategy import (
    JsonCssExtractionStrategy,
    JsonXPathExtractionStrategy,
)
from seleniumcrawl.models import CrawlResult

SCHEMA = {
    "name": "Products",
    "baseSelector": "div.product",
    "fields": [{"name": "name", "selector": ".name", "type": "text"}],
}


class _ForbiddenCrawler:
    """Stands in for WebCrawler where a usage error must stop the CLI before any browser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("a crawler was created despite a usage error")


@pytest.fixture
def no_crawler(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make creating a WebCrawler fail the test."""
    monkeypatch.setattr(seleniumcrawl.crawler, "WebCrawler", _ForbiddenCrawler)


@pytest.fixture
def schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(SCHEMA), encoding="utf-8")
    return path


def _usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run ``argv``; assert exit 2 and a single error line; return that line."""
    assert cli.main(argv) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("seleniumcrawl: error: ")
    assert "Traceback" not in captured.err
    assert captured.out == ""
    return lines[0]


# -- parsing --------------------------------------------------------------------------


def test_crawl_options_are_parsed() -> None:
    """Every crawl option lands in the namespace; --js collects each occurrence in order."""
    args = cli.build_parser().parse_args(
        [
            "crawl",
            "http://example.test/",
            "--js",
            "return 1",
            "--js",
            "return 2",
            "--wait-for",
            "css:.x",
            "--session-id",
            "s1",
            "--css-selector",
            "main",
            "--output",
            "text",
            "--screenshot",
            "shot.png",
            "--browser",
            "chrome",
            "--remote-url",
            "http://127.0.0.1:4444",
            "--page-timeout",
            "1500",
            "--headful",
            "--verbose",
        ]
    )
    assert args.command == "crawl"
    assert args.url == "http://example.test/"
    assert args.js == ["return 1", "return 2"]
    assert (args.wait_for, args.session_id, args.css_selector) == ("css:.x", "s1", "main")
    assert (args.output, args.screenshot, args.browser) == ("text", "shot.png", "chrome")
    assert (args.remote_url, args.page_timeout) == ("http://127.0.0.1:4444", 1500.0)
    assert args.headful and args.verbose


def test_crawl_defaults() -> None:
    """Without options a crawl prints JSON, headless Chromium, no scripts or schema."""
    args = cli.build_parser().parse_args(["crawl", "http://example.test/"])
    assert args.output == "json"
    assert args.browser == "chromium"
    assert not args.headful and not args.verbose
    assert args.js is None and args.schema is None and args.page_timeout is None


def test_browser_choices_are_the_config_browser_types() -> None:
    """--browser offers exactly the browser types BrowserConfig accepts."""
    parser = cli.build_parser()
    for name in BROWSER_TYPES:
        assert parser.parse_args(["crawl", "http://x.test/", "--browser", name]).browser == name


def test_configs_are_built_from_options(schema_file: Path) -> None:
    """The options become the BrowserConfig and CrawlerRunConfig fields they name."""
    args = cli.build_parser().parse_args(
        [
            "crawl",
            "http://example.test/",
            "--schema",
            str(schema_file),
            "--js",
            "return 1",
            "--wait-for",
            "css:.x",
            "--session-id",
            "s1",
            "--css-selector",
            "main",
            "--page-timeout",
            "1500",
            "--headful",
        ]
    )
    browser = cli.build_browser_config(args)
    run = cli.build_run_config(args, screenshot=True)
    assert isinstance(browser, BrowserConfig)
    assert (browser.browser_type, browser.headless, browser.remote_url) == ("chromium", False, None)
    assert isinstance(run, CrawlerRunConfig)
    assert run.scripts == ["return 1"]
    assert (run.wait_for, run.session_id, run.css_selector) == ("css:.x", "s1", "main")
    assert run.page_timeout == 1500.0 and run.screenshot is True
    assert isinstance(run.extraction_strategy, JsonCssExtractionStrategy)


def test_xpath_flag_selects_the_xpath_strategy(tmp_path: Path) -> None:
    """--xpath reads the schema's selectors as XPath."""
    path = tmp_path / "x.json"
    schema = {
        "name": "P",
        "baseSelector": "//div[@class='product']",
        "fields": [{"name": "name", "selector": ".//span", "type": "text"}],
    }
    path.write_text(json.dumps(schema), encoding="utf-8")
    args = cli.build_parser().parse_args(
        ["crawl", "http://x.test/", "--schema", str(path), "--xpath"]
    )
    assert isinstance(cli.build_run_config(args).extraction_strategy, JsonXPathExtractionStrategy)


def test_crawl_many_options_become_pool_size_and_stream() -> None:
    """--concurrency sizes the pool; crawl-many streams with the given retries and pacing."""
    args = cli.build_parser().parse_args(
        ["crawl-many", "http://a.test/", "-c", "4", "--max-retries", "2", "--mean-delay", "0.5"]
    )
    assert args.inputs == ["http://a.test/"]
    assert cli.build_browser_config(args, max_drivers=args.concurrency).max_drivers == 4
    run = cli.build_run_config(
        args, stream=True, max_retries=args.max_retries, mean_delay=args.mean_delay
    )
    assert (run.stream, run.max_retries, run.mean_delay) == (True, 2, 0.5)
    assert args.progress is None  # auto: only when stderr is a terminal


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """--help prints the usage with the four commands and returns 0."""
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("crawl", "crawl-many", "demo", "doctor"):
        assert command in out


def test_version_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version and returns 0."""
    from seleniumcrawl import __version__

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"seleniumcrawl {__version__}"


# -- usage errors: exit 2, one line, no browser ---------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "required: COMMAND"),
        (["crawl"], "required: URL"),
        (["crawl", "http://x.test/", "--bogus"], "unrecognized arguments: --bogus"),
        (["fly"], "invalid choice: 'fly'"),
        (["crawl", "http://x.test/", "--output", "pdf"], "invalid choice: 'pdf'"),
        (["crawl", "http://x.test/", "--browser", "netscape"], "invalid choice: 'netscape'"),
        (["crawl", "http://x.test/", "--page-timeout", "soon"], "invalid float value: 'soon'"),
        (["crawl", "http://x.test/", "--page-timeout", "-5"], "page_timeout must be > 0"),
        (["crawl", "http://x.test/", "--remote-url", "ftp://grid"], "remote_url"),
        (["crawl", "http://x.test/", "--wait-for", " "], "wait_for must not be empty"),
        (["crawl", "http://x.test/", "--xpath"], "--xpath needs --schema"),
        (["crawl-many"], "required: FILE|URL"),
        (["crawl-many", "http://x.test/", "-c", "0"], "must be at least 1"),
        (["crawl-many", "no-such-file.txt"], "neither a URL nor an existing file"),
        (["doctor", "--remote-url", "not a url"], "remote_url"),
    ],
)
def test_usage_errors_exit_2(
    capsys: pytest.CaptureFixture[str], no_crawler: None, argv: list[str], expected: str
) -> None:
    """Bad command lines exit 2 with one error line naming the problem, before any browser."""
    assert expected in _usage_error(capsys, argv)


def test_missing_schema_file_exits_2(
    capsys: pytest.CaptureFixture[str], no_crawler: None, tmp_path: Path
) -> None:
    """A schema path that does not exist is a usage error naming the file."""
    missing = tmp_path / "nope.json"
    line = _usage_error(capsys, ["crawl", "http://x.test/", "--schema", str(missing)])
    assert "cannot read schema file" in line and str(missing) in line


def test_schema_file_that_is_not_json_exits_2(
    capsys: pytest.CaptureFixture[str], no_crawler: None, tmp_path: Path
) -> None:
    """A schema file with broken JSON is a usage error saying so."""
    path = tmp_path / "broken.json"
    path.write_text("{'baseSelector': ", encoding="utf-8")
    assert "is not valid JSON" in _usage_error(
        capsys, ["crawl", "http://x.test/", "--schema", str(path)]
    )


def test_schema_file_with_a_list_exits_2(
    capsys: pytest.CaptureFixture[str], no_crawler: None, tmp_path: Path
) -> None:
    """A schema must be a JSON object."""
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    assert "must hold a JSON object, got list" in _usage_error(
        capsys, ["crawl", "http://x.test/", "--schema", str(path)]
    )


def test_malformed_schema_exits_2_naming_the_field(
    capsys: pytest.CaptureFixture[str], no_crawler: None, tmp_path: Path
) -> None:
    """The strategy's schema validation error (a ValueError) becomes a usage error."""
    path = tmp_path / "bad.json"
    bad = {"name": "x", "baseSelector": "div", "fields": [{"name": "a", "type": "no-such-type"}]}
    path.write_text(json.dumps(bad), encoding="utf-8")
    line = _usage_error(capsys, ["crawl-many", "http://x.test/", "--schema", str(path)])
    assert "bad schema" in line and "fields[0]" in line


def test_unwritable_screenshot_path_exits_2(
    capsys: pytest.CaptureFixture[str], no_crawler: None, tmp_path: Path
) -> None:
    """A screenshot path in a missing directory fails before crawling, not after."""
    target = tmp_path / "missing-dir" / "shot.png"
    assert "no such directory" in _usage_error(
        capsys, ["crawl", "http://x.test/", "--screenshot", str(target)]
    )


def test_unwritable_output_file_exits_2(
    capsys: pytest.CaptureFixture[str], no_crawler: None, tmp_path: Path
) -> None:
    """crawl-many's --output-file that cannot be opened is a usage error."""
    target = tmp_path / "missing-dir" / "out.jsonl"
    assert "cannot write" in _usage_error(
        capsys, ["crawl-many", "http://x.test/", "--output-file", str(target)]
    )


# -- URL lists ---------------------------------------------------------------------------


def test_read_urls_mixes_files_and_urls_in_order(tmp_path: Path) -> None:
    """Files contribute their lines (no blanks, no # comments), in argument order."""
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# pages\nhttp://a.test/1\n\n   http://a.test/2  \n#http://skipped.test/\n",
        encoding="utf-8",
    )
    urls = cli.read_urls(["http://first.test/", str(listing), "raw:<p>x</p>"])
    assert urls == ["http://first.test/", "http://a.test/1", "http://a.test/2", "raw:<p>x</p>"]


def test_read_urls_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    """``-`` reads the URL list from standard input."""
    monkeypatch.setattr("sys.stdin", io.StringIO("http://a.test/\n# c\nhttp://b.test/\n"))
    assert cli.read_urls(["-"]) == ["http://a.test/", "http://b.test/"]


def test_read_urls_rejects_an_empty_list(tmp_path: Path) -> None:
    """A URL file with only comments gives a usage error rather than a silent no-op."""
    listing = tmp_path / "empty.txt"
    listing.write_text("# nothing here\n\n", encoding="utf-8")
    with pytest.raises(cli.UsageError, match="no URLs"):
        cli.read_urls([str(listing)])


def test_read_urls_rejects_an_undecodable_file(tmp_path: Path) -> None:
    """A URL file that is not UTF-8 text is a usage error naming the file."""
    listing = tmp_path / "binary.txt"
    listing.write_bytes(b"\xff\xfe\x00http")
    with pytest.raises(cli.UsageError, match="cannot read URL file"):
        cli.read_urls([str(listing)])


# -- results -----------------------------------------------------------------------------


def _result(**changes: Any) -> CrawlResult:
    fields: dict[str, Any] = {
        "url": "http://a.test/",
        "success": True,
        "status_code": 200,
        "html": "<html><body><h1>Title</h1><p>Body text</p></body></html>",
        "cleaned_html": "<h1>Title</h1>\n<p>Body   text</p>",
        "markdown": "# Title\n\nBody text",
        "extracted_content": json.dumps([{"name": "A"}]),
        "screenshot": "c2hvdA==",
    }
    fields.update(changes)
    return CrawlResult(**fields)


def test_result_record_parses_extracted_content_and_omits_html() -> None:
    """The JSON record holds extracted data as JSON (not a string) and no HTML or screenshot."""
    record = cli.result_record(_result())
    assert record["extracted_content"] == [{"name": "A"}]
    assert "html" not in record and "screenshot" not in record
    assert json.loads(json.dumps(record)) == record


def test_result_record_includes_html_when_asked() -> None:
    """``html=True`` adds the raw and cleaned HTML."""
    record = cli.result_record(_result(), html=True)
    assert record["html"].startswith("<html>")
    assert record["cleaned_html"].startswith("<h1>")


def test_result_record_keeps_non_json_extraction_as_text() -> None:
    """Extracted content that is not JSON is passed through unchanged."""
    assert cli.result_record(_result(extracted_content="plain"))["extracted_content"] == "plain"


def test_page_text_is_the_visible_text_one_block_per_line() -> None:
    """Text output strips tags and blank lines from the cleaned HTML."""
    assert cli.page_text(_result()) == "Title\nBody   text"


# -- run-time errors, with a stand-in crawler -------------------------------------------


class _FakeCrawler:
    """A WebCrawler stand-in: records close(), and ``run`` does what the test sets."""

    instances: list[_FakeCrawler] = []
    run_effect: Any = None

    def __init__(self, config: BrowserConfig) -> None:
        self.config = config
        self.closed = False
        _FakeCrawler.instances.append(self)

    def __enter__(self) -> _FakeCrawler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.closed = True

    def run(self, url: str, config: CrawlerRunConfig) -> CrawlResult:
        effect = _FakeCrawler.run_effect
        if isinstance(effect, BaseException):
            raise effect
        assert isinstance(effect, CrawlResult)
        return effect


@pytest.fixture
def fake_crawler(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_FakeCrawler]]:
    monkeypatch.setattr(seleniumcrawl.crawler, "WebCrawler", _FakeCrawler)
    _FakeCrawler.instances = []
    yield _FakeCrawler
    _FakeCrawler.run_effect = None


def test_failed_crawl_exits_1_with_one_line(
    capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """success=False: exit 1, the cause on one stderr line, nothing on stdout for markdown."""
    fake_crawler.run_effect = CrawlResult.failure("http://a.test/", "net::ERR_REFUSED\nsecond")
    assert cli.main(["crawl", "http://a.test/", "-o", "markdown"]) == cli.EXIT_FAILED
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "seleniumcrawl: error: crawl of http://a.test/ failed: net::ERR_REFUSED second"
    ]


def test_fit_prints_the_main_content(
    capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """--fit prints fit_markdown (-o markdown) or fit_html (-o html), and adds it to JSON."""
    markdown = MarkdownGenerationResult("# Whole page", fit_markdown="# Fit", fit_html="<p>F</p>")
    fake_crawler.run_effect = _result(markdown=markdown)
    assert cli.main(["crawl", "http://a.test/", "-o", "markdown", "--fit"]) == cli.EXIT_OK
    assert capsys.readouterr().out == "# Fit\n"
    assert cli.main(["crawl", "http://a.test/", "-o", "html", "--fit"]) == cli.EXIT_OK
    assert capsys.readouterr().out == "<p>F</p>\n"
    assert cli.main(["crawl", "http://a.test/", "--fit"]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["fit_markdown"] == "# Fit"
    assert cli.main(["crawl", "http://a.test/", "-o", "markdown"]) == cli.EXIT_OK
    assert capsys.readouterr().out == "# Whole page\n"


def test_fit_with_text_output_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """--fit has no meaning for -o text: exit 2 with the reason, no crawl."""
    assert cli.main(["crawl", "http://a.test/", "-o", "text", "--fit"]) == cli.EXIT_USAGE
    assert "--fit works with --output markdown, html or json" in capsys.readouterr().err
    assert fake_crawler.instances == []


def test_failed_crawl_still_prints_its_json_record(
    capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """With JSON output a failure is still reported on stdout (success: false)."""
    fake_crawler.run_effect = CrawlResult.failure("http://a.test/", "boom")
    assert cli.main(["crawl", "http://a.test/"]) == cli.EXIT_FAILED
    record = json.loads(capsys.readouterr().out)
    assert record["success"] is False and record["error_message"] == "boom"


def test_screenshot_file_gets_the_decoded_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """--screenshot writes the result's base64 screenshot as bytes."""
    fake_crawler.run_effect = _result()
    target = tmp_path / "shot.png"
    assert cli.main(["crawl", "http://a.test/", "--screenshot", str(target)]) == 0
    assert target.read_bytes() == b"shot"


def test_unexpected_error_is_one_line_without_traceback(
    capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """An unexpected exception exits 1 with one line; the crawler is still closed."""
    fake_crawler.run_effect = RuntimeError("driver exploded")
    assert cli.main(["crawl", "http://a.test/"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert err.splitlines() == ["seleniumcrawl: error: RuntimeError: driver exploded"]
    assert fake_crawler.instances[0].closed


def test_verbose_shows_the_traceback(
    capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """--verbose prints the traceback of an unexpected error before the error line."""
    fake_crawler.run_effect = RuntimeError("driver exploded")
    assert cli.main(["crawl", "http://a.test/", "--verbose"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-1] == "seleniumcrawl: error: RuntimeError: driver exploded"


def test_interrupt_exits_130_after_closing_the_crawler(
    capsys: pytest.CaptureFixture[str], fake_crawler: type[_FakeCrawler]
) -> None:
    """Ctrl-C during a crawl closes the crawler and exits 130 with one line."""
    fake_crawler.run_effect = KeyboardInterrupt()
    assert cli.main(["crawl", "http://a.test/"]) == cli.EXIT_INTERRUPTED
    assert capsys.readouterr().err.splitlines() == ["seleniumcrawl: error: interrupted"]
    assert fake_crawler.instances[0].closed
