"""Crawl4AI's hooks and the ``seleniumcrawl.Page`` adapter, against a real Chromium."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from selenium.webdriver.remote.webdriver import WebDriver

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, Page, WebCrawler
from seleniumcrawl.demo.site import DemoSite

pytestmark = pytest.mark.usefixtures("transport")

NEXT = "document.querySelector('a.pagination-next').click();"

FORM = (
    "raw:<html><head><title>Form page</title></head><body>"
    "<input id='name'><input id='typed'><button id='go' onclick=\"document.getElementById("
    "'out').textContent = 'clicked ' + document.getElementById('name').value\">Go</button>"
    "<p id='out' data-x='42'>none</p><ul><li class='i'>a</li><li class='i'>b</li></ul>"
    "</body></html>"
)


def test_hooks_fire_in_crawl4ai_order_with_its_keywords(site: DemoSite) -> None:
    """Each page hook fires in Crawl4AI's order with the page first and its keywords."""
    calls: list[tuple[str, set[str]]] = []

    def recorder(name: str) -> Any:
        def hook(*args: Any, **kw: Any) -> None:
            page = args[0] if args else kw["page"]
            assert isinstance(page, Page)
            calls.append((name, set(kw) - {"page"}))

        return hook

    names = [
        "on_page_context_created",
        "before_goto",
        "after_goto",
        "on_execution_started",
        "on_execution_ended",
        "before_retrieve_html",
        "before_return_html",
    ]
    with WebCrawler() as crawler:
        for name in names:
            crawler.crawler_strategy.set_hook(name, recorder(name))
        config = CrawlerRunConfig(session_id="h", js_code="return 1", wait_for="li.commit-item")
        assert crawler.run(site.url("/commits"), config=config).success
        assert [c[0] for c in calls] == names
        kws = dict(calls)
        assert kws["on_page_context_created"] == {"context", "config"}
        assert kws["after_goto"] == {"context", "url", "response", "config"}
        assert kws["on_execution_ended"] == {"context", "config", "result"}
        assert kws["before_return_html"] == {"context", "html", "config"}
        calls.clear()
        assert crawler.run(site.url("/commits"), config=config).success
        assert "on_page_context_created" not in [c[0] for c in calls]


def test_on_page_context_created_fires_once_per_session(site: DemoSite) -> None:
    """A session's later crawls never fire on_page_context_created again; a new one does."""
    seen: list[str] = []

    async def created(page: Page, **kw: Any) -> None:
        seen.append(kw["config"].session_id)

    with WebCrawler() as crawler:
        crawler.crawler_strategy.set_hook("on_page_context_created", created)
        for sid in ("a", "a", "b", "a", "b"):
            assert crawler.run(site.url("/"), config=CrawlerRunConfig(session_id=sid)).success
    assert seen == ["a", "b"]


def test_on_browser_created_gets_the_webdriver_once_per_driver(site: DemoSite) -> None:
    """on_browser_created is called with Selenium's WebDriver once per started driver."""
    got: list[Any] = []
    with WebCrawler(config=BrowserConfig(max_drivers=1)) as crawler:
        crawler.crawler_strategy.set_hook(
            "on_browser_created", lambda driver, **kw: got.append(driver)
        )
        for _ in range(2):
            assert crawler.run(site.url("/")).success
    assert len(got) == 1 and isinstance(got[0], WebDriver)


async def test_crawl4ai_session_hook_waits_for_new_commits(site: DemoSite) -> None:
    """Crawl4AI's 'advanced technique': an async on_execution_started hook awaits the page."""
    first_commit = ""
    titles: list[str] = []

    async def on_execution_started(page: Page, **kwargs: Any) -> None:
        nonlocal first_commit
        while True:
            await page.wait_for_selector("li.commit-item h4")
            commit = await page.query_selector("li.commit-item h4")
            assert commit is not None
            text = await commit.evaluate("(element) => element.textContent")
            text = re.sub(r"\s+", "", text)
            if text and text != first_commit:
                first_commit = text
                break
            await page.wait_for_timeout(50)

    async with AsyncWebCrawler() as crawler:
        crawler.crawler_strategy.set_hook("on_execution_started", on_execution_started)
        for n in range(3):
            result = await crawler.arun(
                url=site.url("/commits"),
                config=CrawlerRunConfig(
                    session_id="commits",
                    js_code=NEXT if n else "return 0",
                    js_only=n > 0,
                    wait_for="li.commit-item",
                ),
            )
            assert result.success, result.error_message
            titles.append(first_commit)
        await crawler.crawler_strategy.kill_session("commits")
    assert titles == ["Committitle1-1", "Committitle2-1", "Committitle3-1"]


def test_a_raising_hook_fails_the_crawl_with_its_name(site: DemoSite) -> None:
    """A hook that raises gives success=False naming the hook, the type and the message."""

    def boom(page: Page, **kw: Any) -> None:
        raise RuntimeError("no\nway")

    with WebCrawler() as crawler:
        crawler.crawler_strategy.set_hook("before_goto", boom)
        result = crawler.run(site.url("/"))
        assert not result.success
        assert result.error_message == "hook 'before_goto' raised RuntimeError: no way"
        assert result.error_type == "hook"
        crawler.crawler_strategy.set_hook("before_goto", lambda page, **kw: None)
        assert crawler.run(site.url("/")).success


def test_page_methods_drive_the_page(site: DemoSite, tmp_path: Any) -> None:
    """Playwright-named Page methods fill, type, click, read and resize the crawl's page."""
    seen: dict[str, Any] = {}

    async def before_retrieve_html(page: Page, **kw: Any) -> None:
        await page.fill("#name", "ada")
        await page.type("#typed", "xyz")
        await page.click("#go")
        out = await page.wait_for_selector("#out")
        assert out is not None
        seen["text"] = await out.text_content()
        seen["inner"] = await out.inner_text()
        seen["attr"] = await out.get_attribute("data-x")
        seen["missing"] = await out.get_attribute("nope")
        seen["items"] = [await i.inner_text() for i in await page.query_selector_all("li.i")]
        seen["none"] = await page.query_selector("#absent")
        seen["title"] = await page.title()
        seen["url"] = page.url
        seen["sum"] = await page.evaluate("(x) => x + 1", 41)
        seen["expr"] = await page.evaluate("document.getElementById('typed').value")
        await page.wait_for_load_state("load")
        await page.set_viewport_size({"width": 500, "height": 400})
        seen["width"] = await page.evaluate("window.innerWidth")
        seen["png"] = await page.screenshot(path=str(tmp_path / "shot.png"))
        seen["content"] = await page.content()
        with pytest.raises(TimeoutError):
            await page.wait_for_selector("#never", timeout=200)

    with WebCrawler() as crawler:
        crawler.crawler_strategy.set_hook("before_retrieve_html", before_retrieve_html)
        result = crawler.run(FORM, config=CrawlerRunConfig(session_id="form"))
    assert result.success, result.error_message
    assert seen["text"] == seen["inner"] == "clicked ada"
    assert (seen["attr"], seen["missing"], seen["none"]) == ("42", None, None)
    assert seen["items"] == ["a", "b"]
    assert seen["title"] == "Form page" and seen["sum"] == 42 and seen["expr"] == "xyz"
    assert seen["width"] == 500
    assert (
        seen["png"].startswith(b"\x89PNG") and (tmp_path / "shot.png").read_bytes() == seen["png"]
    )
    assert "clicked ada" in seen["content"] and "clicked ada" in result.html
    assert "__sc" not in result.html  # element handles leave the DOM untouched


def test_page_context_cookies(site: DemoSite) -> None:
    """page.context adds, lists and clears cookies the site then sees."""
    seen: dict[str, Any] = {}

    async def created(page: Page, context: Any, **kw: Any) -> None:
        await context.add_cookies([{"name": "flavour", "value": "oat", "url": site.url("/")}])

    async def before_return_html(page: Page, context: Any, **kw: Any) -> None:
        seen["before"] = [c["name"] for c in await context.cookies(site.url("/"))]
        await context.clear_cookies()
        seen["after"] = await context.cookies()

    with WebCrawler() as crawler:
        crawler.crawler_strategy.set_hook("on_page_context_created", created)
        crawler.crawler_strategy.set_hook("before_return_html", before_return_html)
        result = crawler.run(site.url("/cookies"), config=CrawlerRunConfig(session_id="c"))
    assert result.success, result.error_message
    assert "flavour" in result.html and "oat" in result.html
    assert seen["before"] == ["flavour"] and seen["after"] == []


def test_page_driver_on_classic_and_bidi(site: DemoSite, transport: str) -> None:
    """page.driver is the focused WebDriver on the classic path; over BiDi it says why not."""
    seen: dict[str, Any] = {}

    def hook(page: Page, **kw: Any) -> None:
        try:
            seen["title"] = page.driver.title
            seen["thread"] = threading.current_thread().name
        except RuntimeError as exc:
            seen["error"] = str(exc)

    with WebCrawler() as crawler:
        crawler.crawler_strategy.set_hook("before_retrieve_html", hook)
        assert crawler.run(site.url("/commits")).success
    if transport == "classic":
        assert seen["title"].startswith("Commits")
    else:
        assert "use_bidi=False" in seen["error"]


def test_before_goto_sets_extra_http_headers(site: DemoSite) -> None:
    """Crawl4AI's hooks-auth example: before_goto adds a header the server then receives."""

    async def before_goto(page: Page, context: Any, url: str, **kwargs: Any) -> Page:
        await page.set_extra_http_headers({"Custom-Header": "my-value"})
        return page

    with WebCrawler() as crawler:
        crawler.crawler_strategy.set_hook("before_goto", before_goto)
        result = crawler.run(site.url("/echo-headers"))
    assert result.success, result.error_message
    assert "my-value" in result.html
