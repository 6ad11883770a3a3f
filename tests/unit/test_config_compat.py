"""Crawl4AI's configuration names (issue 14): accepted with their meaning, bad values refused.

No browser: constructing crawlers starts none, and ``raw:`` crawls that ask for no
browser step run without one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CacheMode, CrawlerRunConfig, WebCrawler
from seleniumcrawl.config import SOCIAL_MEDIA_DOMAINS
from seleniumcrawl.verbosity import LOGGER_NAME, enable_verbose_logging

# -- accepted names -------------------------------------------------------------------------


def test_crawl4ai_run_config_names_are_accepted() -> None:
    """Every name issue 14 lists constructs a CrawlerRunConfig holding the value given."""
    config = CrawlerRunConfig(
        verbose=True,
        word_count_threshold=10,
        exclude_social_media_links=True,
        exclude_social_media_domains=["mastodon.social"],
        exclude_domains=["ads.com", "spammytrackers.net"],
        exclude_external_images=True,
        base_url="https://example.com/docs/",
        scroll_delay=0.5,
        target_elements=["article.main-content", "aside.sidebar"],
    )
    assert config.verbose is True
    assert config.word_count_threshold == 10
    assert config.exclude_social_media_links is True
    assert config.exclude_social_media_domains == ("mastodon.social",)
    assert config.exclude_domains == ("ads.com", "spammytrackers.net")
    assert config.exclude_external_images is True
    assert config.base_url == "https://example.com/docs/"
    assert config.scroll_delay == 0.5
    assert config.target_elements == ("article.main-content", "aside.sidebar")


def test_crawl4ai_defaults() -> None:
    """Defaults: Crawl4AI's word threshold (1), scroll delay (0.2 s) and social networks."""
    config = CrawlerRunConfig()
    assert config.word_count_threshold == 1
    assert config.scroll_delay == 0.2
    assert config.exclude_social_media_domains == SOCIAL_MEDIA_DOMAINS
    assert "facebook.com" in SOCIAL_MEDIA_DOMAINS and "x.com" in SOCIAL_MEDIA_DOMAINS
    assert (config.verbose, config.exclude_social_media_links) == (False, False)
    assert (config.exclude_domains, config.target_elements, config.base_url) == ((), None, None)


def test_list_values_are_stored_as_tuples() -> None:
    """A list given for a list field is copied into a tuple: later changes do not leak in."""
    domains = ["ads.com"]
    config = CrawlerRunConfig(exclude_domains=domains)
    domains.append("more.com")
    assert config.exclude_domains == ("ads.com",)


def test_cache_mode_from_async_configs() -> None:
    """CacheMode imports from seleniumcrawl.async_configs, as in Crawl4AI's examples."""
    from seleniumcrawl.async_configs import CacheMode as FromConfigs

    assert FromConfigs is CacheMode
    assert CrawlerRunConfig(cache_mode=FromConfigs.ENABLED).cache_mode is CacheMode.ENABLED


def test_viewport_dict_sets_width_and_height() -> None:
    """BrowserConfig(viewport={...}) sets viewport_width/height and wins over them."""
    config = BrowserConfig(viewport={"width": 1280, "height": 720}, viewport_width=400)
    assert (config.viewport_width, config.viewport_height) == (1280, 720)
    assert config.viewport == {"width": 1280, "height": 720}


def test_viewport_dict_with_one_key_keeps_the_other_size() -> None:
    """A viewport dict naming only the width keeps the configured height."""
    config = BrowserConfig(viewport={"width": 800}, viewport_height=500)
    assert (config.viewport_width, config.viewport_height) == (800, 500)
    assert config.viewport == {"width": 800, "height": 500}


def test_clone_with_new_width_drops_the_old_viewport_dict() -> None:
    """clone(viewport_width=...) changes the width; other clones keep the viewport."""
    config = BrowserConfig(viewport={"width": 800, "height": 500})
    wider = config.clone(viewport_width=1000)
    assert (wider.viewport_width, wider.viewport_height, wider.viewport) == (1000, 500, None)
    same = config.clone(headless=False)
    assert (same.viewport_width, same.viewport_height) == (800, 500)
    bigger = config.clone(viewport={"width": 1920, "height": 1080})
    assert (bigger.viewport_width, bigger.viewport_height) == (1920, 1080)


def test_viewport_dict_is_copied() -> None:
    """Changing the dict after construction does not change the config."""
    size = {"width": 800, "height": 500}
    config = BrowserConfig(viewport=size)
    size["width"] = 10
    assert config.viewport_width == 800


# -- refused values -------------------------------------------------------------------------

BAD: list[Any] = [
    pytest.param(lambda: CrawlerRunConfig(verbose="yes"), TypeError, "verbose", id="verbose-str"),  # type: ignore[arg-type]
    pytest.param(
        lambda: CrawlerRunConfig(word_count_threshold=-1),
        ValueError,
        "word_count_threshold",
        id="neg-words",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(word_count_threshold=2.5),  # type: ignore[arg-type]
        TypeError,
        "word_count_threshold",
        id="float-words",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(exclude_social_media_links=1),  # type: ignore[arg-type]
        TypeError,
        "exclude_social_media_links",
        id="social-int",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(exclude_domains="ads.com"),
        TypeError,
        "exclude_domains",
        id="domains-str",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(exclude_domains=["https://ads.com/x"]),
        ValueError,
        "exclude_domains[0]",
        id="domains-url",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(exclude_social_media_domains=[3]),
        TypeError,
        "exclude_social_media_domains[0]",
        id="social-domains-int",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(exclude_external_images="no"),  # type: ignore[arg-type]
        TypeError,
        "exclude_external_images",
        id="ext-images-str",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(base_url="example.com"), ValueError, "base_url", id="base-rel"
    ),
    pytest.param(lambda: CrawlerRunConfig(base_url=5), TypeError, "base_url", id="base-int"),  # type: ignore[arg-type]
    pytest.param(
        lambda: CrawlerRunConfig(scroll_delay=-0.1), ValueError, "scroll_delay", id="neg-scroll"
    ),
    pytest.param(
        lambda: CrawlerRunConfig(scroll_delay="1"),  # type: ignore[arg-type]
        TypeError,
        "scroll_delay",
        id="str-scroll",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(target_elements="main"),
        TypeError,
        "target_elements",
        id="targets-str",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(target_elements=["main", "div["]),
        ValueError,
        "target_elements[1]",
        id="targets-bad-selector",
    ),
    pytest.param(
        lambda: CrawlerRunConfig(target_elements=[]),
        ValueError,
        "target_elements",
        id="targets-empty",
    ),
    pytest.param(
        lambda: BrowserConfig(viewport=(800, 600)), TypeError, "viewport", id="viewport-tuple"
    ),
    pytest.param(
        lambda: BrowserConfig(viewport={"width": 800, "hieght": 600}),
        ValueError,
        "'hieght'",
        id="viewport-typo",
    ),
    pytest.param(
        lambda: BrowserConfig(viewport={"width": "800"}),
        TypeError,
        "viewport['width']",
        id="viewport-str",
    ),
    pytest.param(
        lambda: BrowserConfig(viewport={"width": 0}),
        ValueError,
        "viewport['width']",
        id="viewport-zero",
    ),
    pytest.param(lambda: WebCrawler(verbose="yes"), TypeError, "verbose", id="crawler-verbose"),  # type: ignore[arg-type]
    pytest.param(
        lambda: AsyncWebCrawler(verbose=1),  # type: ignore[arg-type]
        TypeError,
        "verbose",
        id="async-crawler-verbose",
    ),
]


@pytest.mark.parametrize(("make", "error", "field"), BAD)
def test_bad_values_raise_naming_the_field(
    make: Callable[[], Any], error: type[Exception], field: str
) -> None:
    """A wrong type raises TypeError, a wrong value ValueError; the message names the field."""
    with pytest.raises(error) as info:
        make()
    assert field in str(info.value)


# -- verbose wired to logging ---------------------------------------------------------------


@pytest.fixture
def clean_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """The seleniumcrawl logger as the package leaves it (NullHandler, no level), restored
    afterwards with whatever a test added."""
    logger = logging.getLogger(LOGGER_NAME)
    monkeypatch.setattr(logger, "handlers", [logging.NullHandler()])
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    yield logger


def _no_root_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """An application that configured no logging (pytest's own capture handlers removed
    for the rest of this test)."""
    monkeypatch.setattr(logging.getLogger(), "handlers", [])


def _stderr_handlers(logger: logging.Logger) -> list[logging.Handler]:
    return [h for h in logger.handlers if not isinstance(h, logging.NullHandler)]


def test_verbose_adds_one_stderr_handler_when_logging_is_unset(
    clean_logging: logging.Logger,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no logging configured, verbose adds one stderr handler at INFO, never two."""
    _no_root_handlers(monkeypatch)
    enable_verbose_logging()
    enable_verbose_logging()
    assert len(_stderr_handlers(clean_logging)) == 1
    assert clean_logging.level == logging.INFO
    logging.getLogger("seleniumcrawl.engine").info("crawled %s", "http://x.test/")
    assert "crawled http://x.test/" in capsys.readouterr().err


def test_verbose_keeps_the_applications_handlers(
    clean_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the application configured logging, verbose only lowers our level to INFO."""
    _no_root_handlers(monkeypatch)
    logging.getLogger().handlers.append(logging.StreamHandler())
    enable_verbose_logging()
    assert _stderr_handlers(clean_logging) == []
    assert clean_logging.level == logging.INFO


def test_verbose_keeps_a_debug_level(clean_logging: logging.Logger) -> None:
    """A logger already at DEBUG stays at DEBUG (verbose never hides records)."""
    clean_logging.setLevel(logging.DEBUG)
    enable_verbose_logging()
    assert clean_logging.level == logging.DEBUG


def test_crawler_and_browser_config_verbose_enable_logging(
    clean_logging: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AsyncWebCrawler(verbose=True), WebCrawler(verbose=True), BrowserConfig(verbose=True)
    all switch verbose logging on; the default leaves logging alone."""
    _no_root_handlers(monkeypatch)
    with WebCrawler():
        assert clean_logging.level == logging.NOTSET
    for make in (
        lambda: WebCrawler(verbose=True),
        lambda: AsyncWebCrawler(verbose=True),
        lambda: WebCrawler(config=BrowserConfig(verbose=True)),
    ):
        clean_logging.setLevel(logging.NOTSET)
        crawler = make()
        try:
            assert clean_logging.level == logging.INFO
        finally:
            if isinstance(crawler, AsyncWebCrawler):
                asyncio.run(crawler.close())
            else:
                crawler.close()
    assert len(_stderr_handlers(clean_logging)) == 1


def test_run_config_verbose_logs_the_crawl_at_info(
    clean_logging: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    """CrawlerRunConfig(verbose=True) logs that crawl at INFO; without it, at DEBUG only."""
    html = "raw:<html><body><p>hello</p></body></html>"
    with WebCrawler() as crawler, caplog.at_level(logging.DEBUG, logger=LOGGER_NAME):
        crawler.run(html, CrawlerRunConfig())
        crawler.run(html, CrawlerRunConfig(verbose=True))
    lines = [
        (r.levelno, r.getMessage()) for r in caplog.records if "crawled raw:" in r.getMessage()
    ]
    assert [level for level, _ in lines] == [logging.DEBUG, logging.INFO]
    assert "status None" in lines[1][1]


def test_verbose_log_names_a_failed_crawl(
    clean_logging: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    """A failed crawl is logged with its one-line cause."""
    with (
        WebCrawler(verbose=True) as crawler,
        caplog.at_level(logging.INFO, logger=LOGGER_NAME),
    ):
        result = crawler.run("ftp://example.test/file")
    assert not result.success
    assert any(
        r.levelno == logging.INFO and "crawl of ftp://example.test/file failed" in r.getMessage()
        for r in caplog.records
    )
