"""Hooks' page.route / context.route over BiDi: Route.abort / continue_ / fulfill, and
every paused request answered even when a handler raises (#26)."""

from __future__ import annotations

import concurrent.futures
import re
from collections.abc import Iterator
from typing import Any

import pytest

from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from tests.resource_site import ResourceSite, serve

WAIT = "js:() => document.getElementById('api').textContent != 'waiting'"


@pytest.fixture(scope="module")
def rsite() -> Iterator[ResourceSite]:
    with serve() as site:
        yield site


def _crawler(hook: Any, **browser: Any) -> WebCrawler:
    crawler = WebCrawler(config=BrowserConfig(**browser))
    crawler.crawler_strategy.set_hook("on_page_context_created", hook)
    return crawler


def test_routes_abort_fulfill_and_rewrite(rsite: ResourceSite) -> None:
    """An async hook's routes block the image, fulfill the JSON API from Python (the
    server never sees it) and add a header to the XHR; the rest goes to the network."""

    async def hook(page: Any, **kw: Any) -> None:
        await page.route("**/*.png*", lambda route: route.abort())

        async def api(route: Any, request: Any) -> None:
            assert request.method == "GET" and request.resource_type == "fetch"
            await route.fulfill(json={"value": 7})

        await page.route(re.compile(r"/api/data\.json$"), api)

        def xhr(route: Any) -> None:
            route.continue_(headers={**route.request.headers, "X-Routed": "yes"})

        await page.context.route(lambda url: url.endswith("/api/xhr"), xhr)

    with _crawler(hook) as crawler:
        rsite.reset()
        result = crawler.run(rsite.url("/page/1"), config=CrawlerRunConfig(wait_for=WAIT))
        assert result.success, result.error_message
        assert "api 7" in str(result.markdown)
        fetched = rsite.fetched()
        assert "/static/photo.png" not in fetched and "/api/data.json" not in fetched
        assert {"/page/1", "/static/site.css", "/static/app.js", "/api/xhr"} <= fetched
        assert rsite.headers["/api/xhr"].get("x-routed") == "yes"
        assert "route_errors" not in result.metadata


def test_a_raising_handler_fails_its_request_not_the_crawl(rsite: ResourceSite) -> None:
    """A route handler that raises fails that request (the page's fetch() rejects), the
    crawl succeeds and says which request and why in metadata["route_errors"]."""

    def hook(page: Any, **kw: Any) -> None:
        def broken(route: Any) -> None:
            raise RuntimeError("handler bug")

        page.route("**/api/data.json", broken)

    with _crawler(hook) as crawler:
        result = crawler.run(rsite.url("/page/1"), config=CrawlerRunConfig(wait_for=WAIT))
        assert result.success, result.error_message
        assert "api failed" in str(result.markdown)
        errors = result.metadata["route_errors"]
        assert errors == [f"{rsite.url('/api/data.json')}: RuntimeError: handler bug"]


def test_a_handler_that_does_not_answer_lets_the_request_go(rsite: ResourceSite) -> None:
    """A handler that returns without answering: its request continues to the network."""
    seen: list[str] = []

    def hook(page: Any, **kw: Any) -> None:
        page.route("**/api/*", lambda route: seen.append(route.request.url))

    with _crawler(hook) as crawler:
        rsite.reset()
        result = crawler.run(rsite.url("/page/1"), config=CrawlerRunConfig(wait_for=WAIT))
        assert result.success and "api 42" in str(result.markdown)
        assert {"/api/data.json", "/api/xhr"} <= rsite.fetched()
        assert sorted(seen) == [rsite.url("/api/data.json"), rsite.url("/api/xhr")]


def test_eight_pages_in_flight_with_routes_do_not_stall(rsite: ResourceSite) -> None:
    """Eight sessions at once, each window with routes that pause every request of its
    page (one matching the API, one matching nothing), all finish with the routed API."""

    async def hook(page: Any, **kw: Any) -> None:
        await page.route("**/nothing-matches-this", lambda route: route.abort())
        await page.route("**/api/data.json", lambda route: route.fulfill(json={"value": 8}))

    with _crawler(hook, max_drivers=1) as crawler, concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = [
            pool.submit(
                crawler.run,
                rsite.url(f"/page/{n}"),
                config=CrawlerRunConfig(wait_for=WAIT, session_id=f"s{n}"),
            )
            for n in range(8)
        ]
        results = [f.result(timeout=110) for f in futures]
    for result in results:
        assert result.success, result.error_message
        assert "api 8" in str(result.markdown)


def test_routes_on_the_classic_path_fail_the_hook_clearly(rsite: ResourceSite) -> None:
    """Without BiDi, page.route raises ConfigError naming page.route: the crawl fails
    with the hook's one-line cause."""

    async def hook(page: Any, **kw: Any) -> None:
        await page.route("**/*.png", lambda route: route.abort())

    with _crawler(hook, use_bidi=False) as crawler:
        result = crawler.run(rsite.url("/page/1"))
        assert not result.success
        assert "hook 'on_page_context_created' raised ConfigError: page.route" in str(
            result.error_message
        )
