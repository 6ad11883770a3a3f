"""What a page fetches: resource policies counted at a real local server (#26)."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.errors import ConfigError
from tests.resource_site import ResourceSite, serve

pytestmark = pytest.mark.usefixtures("transport")

WAIT = "js:() => document.getElementById('api').textContent != 'waiting'"
ALL = {
    "/page/1",
    "/static/site.css",
    "/static/app.js",
    "/static/body.woff2",
    "/static/photo.png",
    "/api/data.json",
    "/api/xhr",
}


@pytest.fixture(scope="module")
def rsite() -> Iterator[ResourceSite]:
    with serve() as site:
        yield site


def _fetched(crawler: WebCrawler, site: ResourceSite, config: CrawlerRunConfig) -> set[str]:
    site.reset()
    result = crawler.run(site.url("/page/1"), config=config.clone(wait_for=WAIT))
    assert result.success, result.error_message
    assert "Resource page 1" in str(result.markdown)
    assert {link["href"] for link in result.links["internal"]} == {
        site.url("/page/2"),
        site.url("/about"),
    }
    return site.fetched() - {"/favicon.ico"}


@pytest.mark.parametrize(
    ("config", "missing"),
    [
        (CrawlerRunConfig(), set()),
        (CrawlerRunConfig(text_mode=True), {"/static/photo.png", "/static/body.woff2"}),
        (CrawlerRunConfig(light_mode=True), {"/static/body.woff2"}),
        (CrawlerRunConfig(avoid_css=True), {"/static/site.css"}),
        (
            CrawlerRunConfig(block_resources={"image", "font", "stylesheet", "script"}),
            {"/static/photo.png", "/static/body.woff2", "/static/site.css", "/static/app.js"},
        ),
        (
            CrawlerRunConfig(block_urls=["**/api/*", "**/*.{png,css}"]),
            {"/api/data.json", "/api/xhr", "/static/photo.png", "/static/site.css"},
        ),
    ],
    ids=["default", "text_mode", "light_mode", "avoid_css", "kinds_by_url", "block_urls"],
)
def test_each_policy_fetches_exactly_what_it_should(
    shared_crawler: WebCrawler, rsite: ResourceSite, config: CrawlerRunConfig, missing: set[str]
) -> None:
    """Each policy leaves out exactly its resources (counted at the server); the page's
    text and links are the same. The next crawl in the same tab pool fetches everything
    again (a tab's blocking never outlives the crawl that asked for it)."""
    assert _fetched(shared_crawler, rsite, config) == ALL - missing
    assert _fetched(shared_crawler, rsite, CrawlerRunConfig()) == ALL


def test_xhr_and_fetch_blocked_by_kind(
    shared_crawler: WebCrawler, rsite: ResourceSite, transport: str
) -> None:
    """Over BiDi an XMLHttpRequest and a fetch() are blocked by kind (a paused request
    each); the page sees the failure. The classic path refuses, naming the option."""
    config = CrawlerRunConfig(block_resources={"xhr", "fetch"})
    if transport == "classic":
        with pytest.raises(ConfigError, match="block_resources"):
            _fetched(shared_crawler, rsite, config)
        return
    assert _fetched(shared_crawler, rsite, config) == ALL - {"/api/data.json", "/api/xhr"}
    assert _fetched(shared_crawler, rsite, CrawlerRunConfig()) == ALL


def test_browser_policy_applies_to_every_crawl(rsite: ResourceSite) -> None:
    """A BrowserConfig policy joins each crawl's own: avoid_css on the browser and
    text_mode on the crawl leave out both."""
    with WebCrawler(config=BrowserConfig(avoid_css=True)) as crawler:
        assert _fetched(crawler, rsite, CrawlerRunConfig()) == ALL - {"/static/site.css"}
        both = _fetched(crawler, rsite, CrawlerRunConfig(text_mode=True))
        assert both == ALL - {"/static/site.css", "/static/photo.png", "/static/body.woff2"}


def test_pages_in_flight_each_with_their_own_policy(
    shared_crawler: WebCrawler, rsite: ResourceSite, transport: str
) -> None:
    """Eight crawls at once, alternately blocking xhr/fetch and nothing, all finish; the
    blocked ones' pages say so, the others' got the API's answer (policies are per tab)."""
    if transport == "classic":
        pytest.skip("one page at a time on the classic path; kinds need BiDi")
    blocked = CrawlerRunConfig(block_resources={"fetch"}, wait_for=WAIT)
    plain = CrawlerRunConfig(wait_for=WAIT)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [
            pool.submit(
                shared_crawler.run, rsite.url(f"/page/{n}"), config=blocked if n % 2 else plain
            )
            for n in range(8)
        ]
        results = [f.result(timeout=110) for f in futures]
    for n, result in enumerate(results):
        assert result.success, result.error_message
        assert ("api failed" if n % 2 else "api 42") in str(result.markdown)
