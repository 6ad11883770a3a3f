"""BrowserConfig / CrawlerRunConfig validation."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from seleniumcrawl import BrowserConfig, CacheMode, CrawlerRunConfig


def test_browser_defaults_match_the_spec() -> None:
    """Defaults: chromium, headless, 1080x600, 2 drivers, 30 min session TTL."""
    config = BrowserConfig()
    assert (config.browser_type, config.headless) == ("chromium", True)
    assert (config.viewport_width, config.viewport_height) == (1080, 600)
    assert (config.max_drivers, config.session_ttl) == (2, 1800)
    assert config.java_script_enabled and config.ignore_https_errors and not config.verbose


def test_run_defaults_match_the_spec() -> None:
    """Defaults: page_timeout 60 s, BYPASS cache, no session, wait timeout = page timeout."""
    config = CrawlerRunConfig()
    assert config.page_timeout == 60000
    assert config.cache_mode is CacheMode.BYPASS
    assert config.session_id is None and not config.js_only
    assert config.effective_wait_timeout == 60000
    assert config.clone(wait_for_timeout=500).effective_wait_timeout == 500


@pytest.mark.parametrize(
    ("cls", "kwargs", "error", "field"),
    [
        (BrowserConfig, {"browser_type": "opera"}, ValueError, "browser_type"),
        (BrowserConfig, {"browser_type": 3}, TypeError, "browser_type"),
        (BrowserConfig, {"headless": "yes"}, TypeError, "headless"),
        (BrowserConfig, {"viewport_width": 0}, ValueError, "viewport_width"),
        (BrowserConfig, {"viewport_height": 1.5}, TypeError, "viewport_height"),
        (BrowserConfig, {"max_drivers": 0}, ValueError, "max_drivers"),
        (BrowserConfig, {"max_drivers": True}, TypeError, "max_drivers"),
        (BrowserConfig, {"session_ttl": -1}, ValueError, "session_ttl"),
        (BrowserConfig, {"extra_args": "--foo"}, TypeError, "extra_args"),
        (BrowserConfig, {"extra_args": ["--ok", 3]}, TypeError, "extra_args[1]"),
        (BrowserConfig, {"cookies": [{"name": "a"}]}, ValueError, "cookies[0]"),
        (BrowserConfig, {"cookies": [{"name": "a", "value": "b"}]}, ValueError, "cookies[0]"),
        (BrowserConfig, {"cookies": ["a=b"]}, TypeError, "cookies[0]"),
        (BrowserConfig, {"headers": {"X": 1}}, TypeError, "headers"),
        (BrowserConfig, {"remote_url": "grid:4444"}, ValueError, "remote_url"),
        (BrowserConfig, {"driver_path": "/no/such/driver"}, ValueError, "driver_path"),
        (BrowserConfig, {"command_timeout": 0}, ValueError, "command_timeout"),
        (CrawlerRunConfig, {"page_timeout": -1}, ValueError, "page_timeout"),
        (CrawlerRunConfig, {"page_timeout": "60s"}, TypeError, "page_timeout"),
        (CrawlerRunConfig, {"wait_for_timeout": 0}, ValueError, "wait_for_timeout"),
        (CrawlerRunConfig, {"delay_before_return_html": -0.5}, ValueError, "delay_before"),
        (CrawlerRunConfig, {"js_code": 42}, TypeError, "js_code"),
        (CrawlerRunConfig, {"js_code": ["ok", None]}, TypeError, "js_code[1]"),
        (CrawlerRunConfig, {"wait_for": "  "}, ValueError, "wait_for"),
        (CrawlerRunConfig, {"cache_mode": "enabled"}, TypeError, "cache_mode"),
        (CrawlerRunConfig, {"extraction_strategy": {"baseSelector": "a"}}, TypeError, "extraction"),
        (CrawlerRunConfig, {"max_retries": -1}, ValueError, "max_retries"),
        (CrawlerRunConfig, {"mean_delay": -1}, ValueError, "mean_delay"),
        (CrawlerRunConfig, {"session_id": 7}, TypeError, "session_id"),
        (CrawlerRunConfig, {"excluded_tags": "nav"}, TypeError, "excluded_tags"),
        (CrawlerRunConfig, {"url_matcher": 5}, TypeError, "url_matcher"),
        (CrawlerRunConfig, {"css_selector": "div[("}, ValueError, "css_selector"),
        (CrawlerRunConfig, {"css_selector": 5}, TypeError, "css_selector"),
    ],
)
def test_bad_values_raise_naming_the_field(
    cls: type, kwargs: dict[str, Any], error: type[Exception], field: str
) -> None:
    """Every bad value raises TypeError/ValueError whose message names the field."""
    with pytest.raises(error, match=field.replace("[", r"\[").replace("]", r"\]")):
        cls(**kwargs)


@pytest.mark.parametrize("cls", [BrowserConfig, CrawlerRunConfig])
def test_unknown_keyword_raises_type_error(cls: type) -> None:
    """A misspelt option is never silently ignored."""
    with pytest.raises(TypeError, match=r"headles|unexpected"):
        cls(headles=True)


@pytest.mark.parametrize("cls", [BrowserConfig, CrawlerRunConfig])
def test_configs_are_keyword_only_and_frozen(cls: type) -> None:
    """Positional arguments are refused and fields cannot be reassigned."""
    with pytest.raises(TypeError):
        cls("chromium")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cls().verbose = True


def test_clone_applies_and_validates_changes() -> None:
    """clone() returns a changed copy, leaves the original alone, and validates."""
    base = CrawlerRunConfig(session_id="s")
    changed = base.clone(js_only=True)
    assert changed.js_only and changed.session_id == "s" and not base.js_only
    with pytest.raises(ValueError, match="page_timeout"):
        base.clone(page_timeout=-5)
    assert BrowserConfig().clone(max_drivers=5).max_drivers == 5


def test_scripts_normalises_js_code() -> None:
    """js_code may be a string or a list; ``scripts`` is always a list."""
    assert CrawlerRunConfig().scripts == []
    assert CrawlerRunConfig(js_code="return 1").scripts == ["return 1"]
    assert CrawlerRunConfig(js_code=["a", "b"]).scripts == ["a", "b"]


def test_cookie_secrets_stay_out_of_repr() -> None:
    """Cookies and headers (often credentials) are not shown in repr()."""
    config = BrowserConfig(
        cookies=[{"name": "sid", "value": "s3cret", "url": "http://x/"}],
        headers={"Authorization": "Bearer t0ken"},
    )
    assert "s3cret" not in repr(config) and "t0ken" not in repr(config)


def test_browser_step_detection_for_raw_html() -> None:
    """raw: HTML needs a browser only when a browser step is asked for."""
    assert not CrawlerRunConfig().needs_browser_step
    assert not CrawlerRunConfig(css_selector="main").needs_browser_step
    for change in ({"js_code": "1"}, {"wait_for": "p"}, {"screenshot": True}, {"pdf": True}):
        assert CrawlerRunConfig(**change).needs_browser_step
