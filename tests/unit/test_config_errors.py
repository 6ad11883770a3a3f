"""Programming mistakes raise at once, naming the field: configs, schemas, keywords, front ends.

No browser is started here: every error must come before any WebDriver work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from seleniumcrawl import (
    AsyncWebCrawler,
    BrowserConfig,
    CacheMode,
    ConfigError,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    JsonXPathExtractionStrategy,
    SchemaError,
    WebCrawler,
)

Make = Callable[[], Any]

# Each ``type: ignore`` below also pins that mypy rejects the bad value before it runs
# (warn_unused_ignores reports an ignore that is no longer needed).
BAD_VALUES: list[Any] = [
    # CrawlerRunConfig
    pytest.param(
        lambda: CrawlerRunConfig(page_timeout=-1), ValueError, "page_timeout", id="neg-page-timeout"
    ),
    pytest.param(
        lambda: CrawlerRunConfig(page_timeout=0), ValueError, "page_timeout", id="zero-page-timeout"
    ),
    pytest.param(
        lambda: CrawlerRunConfig(page_timeout="10"),  # type: ignore[arg-type]
        TypeError,
        "page_timeout",
        id="str-page-timeout",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(page_timeout=True),
        TypeError,
        "page_timeout",
        id="bool-page-timeout",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(wait_for_timeout=-5),
        ValueError,
        "wait_for_timeout",
        id="neg-wait-timeout",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(delay_before_return_html=-0.5),
        ValueError,
        "delay_before_return_html",
        id="neg-delay",
    ),
    pytest.param(lambda: CrawlerRunConfig(js_code=123), TypeError, "js_code", id="int-js-code"),  # type: ignore[arg-type]
    pytest.param(
        lambda: CrawlerRunConfig(js_code=["ok", 5]),  # type: ignore[list-item]
        TypeError,
        "js_code[1]",
        id="js-code-item",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(session_id=5),  # type: ignore[arg-type]
        TypeError,
        "session_id",
        id="int-session-id",
    ),
    pytest.param(lambda: CrawlerRunConfig(js_only="yes"), TypeError, "js_only", id="str-js-only"),  # type: ignore[arg-type]
    pytest.param(
        lambda: CrawlerRunConfig(cache_mode="bypass"),  # type: ignore[arg-type]
        TypeError,
        "cache_mode",
        id="str-cache-mode",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(wait_for=""), ValueError, "wait_for", id="empty-wait-for"
    ),
    pytest.param(lambda: CrawlerRunConfig(wait_for=5), TypeError, "wait_for", id="int-wait-for"),  # type: ignore[arg-type]
    pytest.param(
        lambda: CrawlerRunConfig(max_retries=-1), ValueError, "max_retries", id="neg-retries"
    ),
    pytest.param(
        lambda: CrawlerRunConfig(mean_delay=-1), ValueError, "mean_delay", id="neg-mean-delay"
    ),
    pytest.param(
        lambda: CrawlerRunConfig(excluded_tags="script"),
        TypeError,
        "excluded_tags",
        id="str-excluded-tags",
    ),
    pytest.param(lambda: CrawlerRunConfig(url=42), TypeError, "url", id="int-url"),  # type: ignore[arg-type]
    pytest.param(
        lambda: CrawlerRunConfig(extraction_strategy={"baseSelector": "div"}),  # type: ignore[arg-type]
        TypeError,
        "extraction_strategy",
        id="dict-strategy",
    ),
    pytest.param(
        lambda: CrawlerRunConfig().clone(page_timeout=-1),
        ValueError,
        "page_timeout",
        id="clone-validates",
    ),
    # BrowserConfig
    pytest.param(
        lambda: BrowserConfig(browser_type="safari"),
        ValueError,
        "browser_type",
        id="unknown-browser",
    ),
    pytest.param(
        lambda: BrowserConfig(browser_type=None),  # type: ignore[arg-type]
        TypeError,
        "browser_type",
        id="none-browser",
    ),
    pytest.param(
        lambda: BrowserConfig(max_drivers=0), ValueError, "max_drivers", id="zero-drivers"
    ),
    pytest.param(
        lambda: BrowserConfig(max_drivers=-2), ValueError, "max_drivers", id="neg-drivers"
    ),
    pytest.param(
        lambda: BrowserConfig(max_drivers=1.5),  # type: ignore[arg-type]
        TypeError,
        "max_drivers",
        id="float-drivers",
    ),
    pytest.param(lambda: BrowserConfig(headless="yes"), TypeError, "headless", id="str-headless"),  # type: ignore[arg-type]
    pytest.param(
        lambda: BrowserConfig(viewport_width=-5), ValueError, "viewport_width", id="neg-viewport"
    ),
    pytest.param(lambda: BrowserConfig(session_ttl=0), ValueError, "session_ttl", id="zero-ttl"),
    pytest.param(lambda: BrowserConfig(session_ttl="1h"), TypeError, "session_ttl", id="str-ttl"),  # type: ignore[arg-type]
    pytest.param(
        lambda: BrowserConfig(extra_args="--foo"), TypeError, "extra_args", id="str-extra-args"
    ),
    pytest.param(lambda: BrowserConfig(headers={"X-A": 1}), TypeError, "headers", id="int-header"),  # type: ignore[dict-item]
    pytest.param(
        lambda: BrowserConfig(headers=[("X-A", "1")]),  # type: ignore[arg-type]
        TypeError,
        "headers",
        id="list-headers",
    ),
    pytest.param(
        lambda: BrowserConfig(remote_url="ftp://grid"),
        ValueError,
        "remote_url",
        id="ftp-remote-url",
    ),
    pytest.param(
        lambda: BrowserConfig(driver_path="/no/such/chromedriver"),
        ValueError,
        "driver_path",
        id="missing-driver",
    ),
    pytest.param(
        lambda: BrowserConfig().clone(max_drivers=0),
        ValueError,
        "max_drivers",
        id="browser-clone-validates",
    ),
    # BrowserConfig.cookies
    pytest.param(
        lambda: BrowserConfig(cookies={"name": "a"}),  # type: ignore[arg-type]
        TypeError,
        "cookies",
        id="cookies-dict",
    ),
    pytest.param(lambda: BrowserConfig(cookies=["a=b"]), TypeError, "cookies[0]", id="cookie-str"),  # type: ignore[list-item]
    pytest.param(
        lambda: BrowserConfig(cookies=[{"name": "a"}]),
        ValueError,
        "cookies[0]",
        id="cookie-no-value",
    ),
    pytest.param(
        lambda: BrowserConfig(cookies=[{"value": "b", "url": "http://x/"}]),
        ValueError,
        "cookies[0]",
        id="cookie-no-name",
    ),
    pytest.param(
        lambda: BrowserConfig(
            cookies=[{"name": "a", "value": "b", "url": "http://x/"}, {"name": "c", "value": "d"}]
        ),
        ValueError,
        "cookies[1]",
        id="cookie-no-where",
    ),
    pytest.param(
        lambda: BrowserConfig(cookies=[{"name": "a", "value": 1, "domain": "x"}]),
        ValueError,
        "cookies[0]",
        id="cookie-int-value",
    ),
]


@pytest.mark.parametrize(("make", "error", "field"), BAD_VALUES)
def test_bad_config_value_raises_naming_the_field(make: Make, error: type, field: str) -> None:
    """A bad configuration value raises TypeError/ValueError whose message names the field."""
    with pytest.raises(error) as caught:
        make()
    assert field in str(caught.value)
    if error is ValueError:
        assert isinstance(caught.value, ConfigError)


UNKNOWN_KEYWORDS: list[Any] = [
    pytest.param(lambda: BrowserConfig(bogus=1), id="BrowserConfig"),  # type: ignore[call-arg]
    pytest.param(lambda: CrawlerRunConfig(bogus=1), id="CrawlerRunConfig"),  # type: ignore[call-arg]
    pytest.param(lambda: CrawlerRunConfig().clone(bogus=1), id="CrawlerRunConfig.clone"),
    pytest.param(lambda: BrowserConfig().clone(bogus=1), id="BrowserConfig.clone"),
    # The crawlers take BrowserConfig keywords (Crawl4AI's older form): still checked.
    pytest.param(lambda: WebCrawler(bogus=1), id="WebCrawler"),
    pytest.param(lambda: AsyncWebCrawler(bogus=1), id="AsyncWebCrawler"),
    pytest.param(lambda: CrawlerRunConfig(pageTimeout=1000), id="camel-case-typo"),  # type: ignore[call-arg]
    pytest.param(lambda: BrowserConfig(max_driver=2), id="singular-typo"),  # type: ignore[call-arg]
]


@pytest.mark.parametrize("make", UNKNOWN_KEYWORDS)
def test_unknown_keyword_raises_type_error(make: Make) -> None:
    """Unknown keyword arguments raise TypeError naming them; nothing is silently ignored."""
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        make()


def test_crawler_takes_browser_keywords_or_a_config_not_both() -> None:
    """BrowserConfig keywords given to a crawler build its config; with config= too, TypeError."""
    crawler = WebCrawler(headless=True, max_drivers=1)
    try:
        assert crawler.config == BrowserConfig(headless=True, max_drivers=1)
    finally:
        crawler.close()
    with pytest.raises(TypeError, match=r"either config=BrowserConfig\(...\) or .*\(headless\)"):
        AsyncWebCrawler(config=BrowserConfig(), headless=True)


def test_crawler_rejects_a_config_of_the_wrong_kind() -> None:
    """Passing a CrawlerRunConfig (or a dict) where a BrowserConfig belongs raises TypeError."""
    with pytest.raises(TypeError, match="BrowserConfig"):
        WebCrawler(CrawlerRunConfig())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="BrowserConfig"):
        AsyncWebCrawler({"headless": True})  # type: ignore[arg-type]


def test_run_rejects_bad_arguments_before_any_browser() -> None:
    """run() raises for unknown keywords, a non-config, or no URL, and starts no driver."""
    with WebCrawler() as crawler:
        with pytest.raises(TypeError, match="bogus"):
            crawler.run("http://127.0.0.1/", bogus=1)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="CrawlerRunConfig"):
            crawler.run("http://127.0.0.1/", {"js_only": True})  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="no URL"):
            crawler.run(config=CrawlerRunConfig(cache_mode=CacheMode.BYPASS))
        assert crawler.crawler_strategy.pool.stats().threads == 0


BAD_SCHEMAS: list[Any] = [
    pytest.param({"fields": []}, "baseSelector", id="missing-baseSelector"),
    pytest.param({"baseSelector": 5, "fields": []}, "baseSelector", id="int-baseSelector"),
    pytest.param({"baseSelector": "[[[", "fields": []}, "baseSelector", id="bad-css"),
    pytest.param({"baseSelector": "div", "fields": "x"}, "fields", id="fields-str"),
    pytest.param(
        {"baseSelector": "div", "fields": [{"selector": "a", "type": "text"}]},
        "fields[0].name",
        id="field-no-name",
    ),
    pytest.param(
        {"baseSelector": "div", "fields": [{"name": "a", "selector": "a", "type": "bogus"}]},
        "fields[0].type",
        id="unknown-type",
    ),
    pytest.param(
        {"baseSelector": "div", "fields": [{"name": "a", "selector": "a", "type": "attribute"}]},
        "fields[0].attribute",
        id="attribute-without-name",
    ),
    pytest.param(
        {
            "baseSelector": "div",
            "fields": [
                {
                    "name": "n",
                    "selector": "p",
                    "type": "nested",
                    "fields": [
                        {"name": "ok", "selector": "a", "type": "text"},
                        {"name": "bad", "selector": "b", "type": "wat"},
                    ],
                }
            ],
        },
        "fields[0].fields[1].type",
        id="nested-path",
    ),
]


@pytest.mark.parametrize(("schema", "path"), BAD_SCHEMAS)
def test_bad_css_schema_raises_schema_error_naming_the_path(schema: Any, path: str) -> None:
    """A malformed JsonCss schema raises SchemaError (a ValueError) naming the field path."""
    with pytest.raises(SchemaError) as caught:
        JsonCssExtractionStrategy(schema)
    assert path in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_bad_xpath_schema_raises_schema_error() -> None:
    """An XPath schema with an invalid expression raises SchemaError naming baseSelector."""
    with pytest.raises(SchemaError, match="baseSelector"):
        JsonXPathExtractionStrategy({"baseSelector": "//div[", "fields": []})
