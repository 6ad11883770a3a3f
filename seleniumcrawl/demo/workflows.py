"""The three session workflows that ``seleniumcrawl demo`` runs against the demo site.

They are Crawl4AI's session-management guide, pointed at :mod:`seleniumcrawl.demo.site`:

1. *basic session*: two crawls that share one ``session_id`` (one browser tab);
2. *pagination with js_only*: the GitHub-commits example; later crawls click "Next" in the
   same tab without navigating, and a JavaScript ``wait_for`` holds until the first commit
   differs from the one stored before the click (the list updates 300 ms after the click,
   so reading the page straight away would return the old commits);
3. *login*: fill and submit a form in a session, then read a page that needs its cookie.

:func:`run_demo` returns what was extracted and raises :class:`DemoFailed` with the cause
when a workflow does not produce what the site is known to serve. :func:`main` is the body
of the ``seleniumcrawl demo`` command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from seleniumcrawl.async_crawler import AsyncWebCrawler
from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.config import BrowserConfig, CrawlerRunConfig
from seleniumcrawl.demo.site import DEMO_PASSWORD, DEMO_USER, DemoSite
from seleniumcrawl.errors import SeleniumCrawlError
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy
from seleniumcrawl.models import CrawlResult

#: How many pages of /commits the pagination workflow reads.
COMMIT_PAGES = 3

LINK_SCHEMA: dict[str, Any] = {
    "name": "Index links",
    "baseSelector": "nav li",
    "fields": [
        {"name": "text", "selector": "a", "type": "text"},
        {"name": "href", "selector": "a", "type": "attribute", "attribute": "href"},
    ],
}

PRODUCT_SCHEMA: dict[str, Any] = {
    "name": "Products",
    "baseSelector": "div.product",
    "fields": [
        {"name": "name", "selector": ".name", "type": "text"},
        {"name": "price", "selector": ".price", "type": "text"},
    ],
}

COMMIT_SCHEMA: dict[str, Any] = {
    "name": "Commits",
    "baseSelector": "li.commit-item",
    "fields": [
        {"name": "title", "selector": "h4.markdown-title", "type": "text"},
        {"name": "author", "selector": ".commit-author", "type": "text"},
        {
            "name": "datetime",
            "selector": "relative-time",
            "type": "attribute",
            "attribute": "datetime",
        },
        {"name": "href", "selector": "a.commit-link", "type": "attribute", "attribute": "href"},
    ],
}

PROFILE_SCHEMA: dict[str, Any] = {
    "name": "Profile",
    "baseSelector": ".user-profile",
    "fields": [
        {"name": "name", "selector": ".user-name", "type": "text"},
        {"name": "email", "selector": ".user-email", "type": "text"},
    ],
}

#: Remembers the first commit, then clicks Next: the wait below compares against it.
JS_NEXT_PAGE = """
const first = document.querySelector('li.commit-item h4');
window.previousFirstCommit = first ? first.textContent.trim() : null;
const next = document.querySelector('a.pagination-next');
if (!next) { return false; }
next.click();
return true;
"""

#: True once the list shows a different first commit than before the click.
WAIT_FOR_NEXT_PAGE = """js:() => {
    const first = document.querySelector('li.commit-item h4');
    return first !== null && first.textContent.trim() !== window.previousFirstCommit;
}"""

#: Fills the login form and submits it; the crawler then waits for the page it navigates to.
JS_LOGIN = f"""
document.querySelector('#username').value = {json.dumps(DEMO_USER["username"])};
document.querySelector('#password').value = {json.dumps(DEMO_PASSWORD)};
document.querySelector('#login-form button[type=submit]').click();
"""

_PAGE_TIMEOUT_MS = 30000


class DemoFailed(SeleniumCrawlError):
    """A demo workflow did not get what the demo site serves; the message says which step."""


def _records(result: CrawlResult, step: str) -> list[dict[str, Any]]:
    """The extracted records of a crawl that must have succeeded and found something."""
    if not result.success:
        raise DemoFailed(f"{step}: crawl of {result.url} failed: {result.error_message}")
    records = json.loads(result.extracted_content or "[]")
    if not isinstance(records, list) or not records:
        raise DemoFailed(f"{step}: nothing extracted from {result.url}")
    return records


def _run_config(**changes: Any) -> CrawlerRunConfig:
    return CrawlerRunConfig(cache_mode=CacheMode.BYPASS, page_timeout=_PAGE_TIMEOUT_MS, **changes)


async def basic_session(crawler: AsyncWebCrawler, base_url: str) -> dict[str, Any]:
    """Two pages crawled in one session (one tab), each with its own schema."""
    session_id = "demo-basic"
    try:
        index = await crawler.arun(
            url=base_url + "/",
            config=_run_config(
                session_id=session_id, extraction_strategy=JsonCssExtractionStrategy(LINK_SCHEMA)
            ),
        )
        links = _records(index, "basic session, index")
        page = await crawler.arun(
            url=base_url + "/page/1",
            config=_run_config(
                session_id=session_id,
                extraction_strategy=JsonCssExtractionStrategy(PRODUCT_SCHEMA),
            ),
        )
        products = _records(page, "basic session, /page/1")
    finally:
        await crawler.kill_session(session_id)
    return {
        "title": index.metadata.get("title"),
        "links": links,
        "external_links": [link.get("href") for link in index.links.get("external", [])],
        "products": products,
    }


async def paginate_commits(
    crawler: AsyncWebCrawler, base_url: str, pages: int = COMMIT_PAGES
) -> list[list[dict[str, Any]]]:
    """Read ``pages`` pages of /commits in one tab: navigate once, then click Next (js_only)."""
    session_id = "demo-commits"
    strategy = JsonCssExtractionStrategy(COMMIT_SCHEMA)
    results: list[list[dict[str, Any]]] = []
    try:
        for page in range(pages):
            if page == 0:
                config = _run_config(
                    session_id=session_id,
                    wait_for="css:li.commit-item",
                    extraction_strategy=strategy,
                )
            else:
                config = _run_config(
                    session_id=session_id,
                    js_code=JS_NEXT_PAGE,
                    js_only=True,
                    wait_for=WAIT_FOR_NEXT_PAGE,
                    extraction_strategy=strategy,
                )
            result = await crawler.arun(url=base_url + "/commits", config=config)
            commits = _records(result, f"pagination, page {page + 1}")
            if results and commits[0].get("title") == results[-1][0].get("title"):
                raise DemoFailed(f"pagination, page {page + 1}: still shows page {page}")
            results.append(commits)
    finally:
        await crawler.kill_session(session_id)
    return results


async def login_session(crawler: AsyncWebCrawler, base_url: str) -> dict[str, Any]:
    """Log in through the form, then read the dashboard with the session's cookie."""
    session_id = "demo-login"
    try:
        login = await crawler.arun(
            url=base_url + "/login",
            config=_run_config(session_id=session_id, js_code=JS_LOGIN),
        )
        if not login.success:
            raise DemoFailed(f"login: submitting the form failed: {login.error_message}")
        dashboard = await crawler.arun(
            url=base_url + "/dashboard",
            config=_run_config(
                session_id=session_id,
                wait_for="css:.user-profile",
                extraction_strategy=JsonCssExtractionStrategy(PROFILE_SCHEMA),
            ),
        )
        profile = _records(dashboard, "login, /dashboard")[0]
    finally:
        await crawler.kill_session(session_id)
    return profile


async def run_demo(base_url: str, *, browser_config: BrowserConfig | None = None) -> dict[str, Any]:
    """Run the three workflows against the demo site at ``base_url``; return what they found.

    The result has ``basic`` (index title and links, /page/1 products), ``pagination`` (one
    list of commits per page) and ``login`` (the profile read after logging in).
    """
    base_url = base_url.rstrip("/")
    config = browser_config if browser_config is not None else BrowserConfig(headless=True)
    async with AsyncWebCrawler(config=config) as crawler:
        basic = await basic_session(crawler, base_url)
        pagination = await paginate_commits(crawler, base_url)
        profile = await login_session(crawler, base_url)
    return {"basic": basic, "pagination": pagination, "login": profile}


def write_summary(data: dict[str, Any], out: TextIO) -> None:
    """A readable account of :func:`run_demo`'s result."""
    basic = data["basic"]
    out.write("1. Basic session (one tab, two pages)\n")
    out.write(f"   index: {basic['title']!r}, {len(basic['links'])} links\n")
    for product in basic["products"]:
        out.write(f"   /page/1 product: {product['name']} {product['price']}\n")
    out.write(f"2. Pagination with js_only ({len(data['pagination'])} pages of /commits)\n")
    for number, commits in enumerate(data["pagination"], start=1):
        titles = [commit["title"] for commit in commits]
        out.write(f"   page {number}: {len(titles)} commits, {titles[0]} ... {titles[-1]}\n")
    login = data["login"]
    out.write("3. Login session (form, cookie, JS-rendered profile)\n")
    out.write(f"   logged in as: {login['name']} <{login['email']}>\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the demo site, run the workflows against it, print a summary; 0 on success."""
    parser = argparse.ArgumentParser(
        prog="seleniumcrawl demo",
        description="Serve the bundled demo site and run the session workflows against it.",
    )
    parser.add_argument("--headful", action="store_true", help="show the browser window")
    args = parser.parse_args([] if argv is None else list(argv))
    out = sys.stdout
    with DemoSite() as site:
        out.write(f"Demo site: {site.base_url}/\n")
        try:
            data = asyncio.run(
                run_demo(site.base_url, browser_config=BrowserConfig(headless=not args.headful))
            )
        except DemoFailed as error:
            out.write(f"Demo failed: {error}\n")
            return 1
    write_summary(data, out)
    out.write("All three workflows succeeded.\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
