"""Resource policy fields: validation at construction and the patterns they give (#26)."""

from __future__ import annotations

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.config.network import AD_HOSTS, body_wanted, glob_patterns, policy_of
from seleniumcrawl.errors import ConfigError


@pytest.mark.parametrize("cls", [BrowserConfig, CrawlerRunConfig])
def test_unknown_kind_raises_naming_the_field(cls: type) -> None:
    """An unknown resource kind raises ConfigError (a ValueError) naming the field."""
    with pytest.raises(ValueError, match=rf"{cls.__name__}\.block_resources: unknown .*'imgs'"):
        cls(block_resources={"imgs"})
    with pytest.raises(ConfigError, match="block_resources must be a set"):
        cls(block_resources=3)


@pytest.mark.parametrize("glob", ["**/{a,b", "", "a b", "x[ab", "{a,{b}}"])
def test_malformed_glob_raises_naming_the_field(glob: str) -> None:
    """A malformed block_urls glob raises at construction, naming the field and glob."""
    with pytest.raises(ConfigError, match=r"CrawlerRunConfig\.block_urls: malformed URL glob"):
        CrawlerRunConfig(block_urls=[glob])


def test_a_single_kind_or_glob_may_be_a_string() -> None:
    """block_resources="image" and block_urls="*.png" mean one entry each."""
    config = CrawlerRunConfig(block_resources="image", block_urls="*.png")
    assert config.block_resources == frozenset({"image"})
    assert config.block_urls == ("*.png",)


def test_globs_become_url_patterns() -> None:
    """Globs become Chromium URLPattern strings: any host and port when none is given,
    braces expanded, URLPattern's own syntax characters escaped."""
    assert glob_patterns("**/*.{png,jpg}") == ["*://*:*/*.png", "*://*:*/*.jpg"]
    assert glob_patterns("/static/*.js") == ["*://*:*/static/*.js"]
    assert glob_patterns("https://ads.example.com/**") == ["https://ads.example.com:*/*"]
    assert glob_patterns("http://127.0.0.1:8080/x") == ["http://127.0.0.1:8080/x"]
    assert glob_patterns("**/t(1).js") == [r"*://*:*/*t\(1\).js"]


def test_policies_merge_and_split_by_mechanism() -> None:
    """The browser's and the crawl's policies add up; kinds a URL names become URL
    patterns, the others stay kinds (they need a paused request)."""
    policy = policy_of(
        BrowserConfig(avoid_css=True), CrawlerRunConfig(block_resources={"font", "xhr"})
    )
    assert "*://*:*/*.css" in policy.url_patterns
    assert "*://*:*/*.woff2" in policy.url_patterns
    assert policy.kinds == frozenset({"xhr"})
    assert not policy_of(BrowserConfig(), CrawlerRunConfig())


def test_text_light_and_ads() -> None:
    """text_mode blocks images, media and fonts; light_mode media, fonts and ads;
    avoid_ads every listed ad host and its subdomains."""
    text = policy_of(CrawlerRunConfig(text_mode=True))
    assert "*://*:*/*.png" in text.url_patterns and "*://*:*/*.mp4" in text.url_patterns
    light = policy_of(CrawlerRunConfig(light_mode=True))
    assert "*://*:*/*.png" not in light.url_patterns and "*://*:*/*.woff" in light.url_patterns
    ads = policy_of(CrawlerRunConfig(avoid_ads=True))
    for host in AD_HOSTS:
        assert f"*://*.{host}:*/*" in ads.url_patterns
        assert f"*://{host}:*/*" in ads.url_patterns
    assert set(ads.url_patterns) <= set(light.url_patterns)


def test_body_filters_by_mime_type_and_url() -> None:
    """capture_response_bodies entries are MIME patterns (parameters ignored, any case) or
    Playwright URL globs; True takes every body."""
    filters = CrawlerRunConfig(
        capture_network_requests=True, capture_response_bodies=["text/*", "**/api/*"]
    ).capture_response_bodies
    assert isinstance(filters, tuple)
    assert body_wanted(filters, "http://h/a.html", "Text/HTML; charset=utf-8")
    assert body_wanted(filters, "http://h/api/x", "application/octet-stream")
    assert not body_wanted(filters, "http://h/x.png", "image/png")
    assert body_wanted(True, "http://h/x.png", "image/png")
    assert not body_wanted(False, "http://h/a.html", "text/html")


def test_body_filter_bad_input_names_the_field() -> None:
    """A malformed body filter or cap raises naming the field."""
    with pytest.raises(ConfigError, match="capture_response_bodies: malformed filter"):
        CrawlerRunConfig(capture_network_requests=True, capture_response_bodies=["**/{a"])
    with pytest.raises(ValueError, match="response_body_max_size"):
        CrawlerRunConfig(response_body_max_size=0)
