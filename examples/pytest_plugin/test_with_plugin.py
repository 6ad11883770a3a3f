"""Testing a site with seleniumcrawl's pytest plugin: fixtures instead of set-up code.

Installing seleniumcrawl registers the plugin, so these tests need no conftest.py:

    pytest examples/pytest_plugin/test_with_plugin.py            # headless Chromium
    pytest examples/pytest_plugin/test_with_plugin.py --sc-headful

``crawler`` is one blocking crawler for the whole run, ``crawl_session`` a fresh tab per
test, ``demo_site`` the bundled demo site's base URL, and ``async_crawler`` an asyncio
crawler per test (with pytest-asyncio; this repository sets ``asyncio_mode = auto``,
elsewhere mark the test ``@pytest.mark.asyncio``). When a test fails, the plugin saves a
screenshot and the HTML of each window it used and prints where.
"""

import json

from seleniumcrawl import (
    AsyncWebCrawler,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    WebCrawler,
)

PRODUCTS = JsonCssExtractionStrategy(
    {
        "name": "Products",
        "baseSelector": "div.product",
        "fields": [
            {"name": "name", "selector": ".name", "type": "text"},
            {"name": "price", "selector": ".price", "type": "text"},
        ],
    }
)

COMMITS = JsonCssExtractionStrategy(
    {
        "name": "Commits",
        "baseSelector": "li.commit-item",
        "fields": [{"name": "title", "selector": "h4", "type": "text"}],
    }
)


def login_script(password: str) -> str:
    """Fill and submit the login form; the crawler then waits for the page it loads."""
    return f"""
    document.querySelector('#username').value = 'demo';
    document.querySelector('#password').value = {json.dumps(password)};
    document.querySelector('#login-form button[type=submit]').click();
    """


def test_page_lists_its_products(crawler: WebCrawler, demo_site: str) -> None:
    result = crawler.run(f"{demo_site}/page/1", CrawlerRunConfig(extraction_strategy=PRODUCTS))
    assert result.success, result.error_message
    products = json.loads(result.extracted_content or "[]")
    assert [p["name"] for p in products] == ["Product 1-1", "Product 1-2", "Product 1-3"]
    assert all(p["price"].startswith("$") for p in products)


def test_login_opens_the_dashboard(crawler: WebCrawler, crawl_session: str, demo_site: str) -> None:
    login = crawler.run(
        f"{demo_site}/login",
        CrawlerRunConfig(session_id=crawl_session, js_code=login_script("secret")),
    )
    assert login.success, login.error_message
    # Same session, same tab: the cookie set by the login is still there.
    dashboard = crawler.run(
        f"{demo_site}/dashboard",
        CrawlerRunConfig(session_id=crawl_session, wait_for="css:.user-profile"),
    )
    assert dashboard.success, dashboard.error_message
    assert "Demo User" in (dashboard.markdown or "")


def test_wrong_password_is_refused(crawler: WebCrawler, crawl_session: str, demo_site: str) -> None:
    login = crawler.run(
        f"{demo_site}/login",
        CrawlerRunConfig(
            session_id=crawl_session, js_code=login_script("wrong"), wait_for="css:.error"
        ),
    )
    assert login.success, login.error_message
    assert login.status_code == 401


async def test_next_page_without_navigating(async_crawler: AsyncWebCrawler, demo_site: str) -> None:
    session = "commits"
    first = await async_crawler.arun(
        f"{demo_site}/commits",
        CrawlerRunConfig(
            session_id=session, wait_for="css:li.commit-item", extraction_strategy=COMMITS
        ),
    )
    assert first.success, first.error_message
    first_titles = [c["title"] for c in json.loads(first.extracted_content or "[]")]
    # js_only: click "Next" in the open tab, then wait until the list has changed.
    second = await async_crawler.arun(
        f"{demo_site}/commits",
        CrawlerRunConfig(
            session_id=session,
            js_only=True,
            js_code="document.querySelector('a.pagination-next').click();",
            wait_for=f"js:() => document.querySelector('li.commit-item h4')"
            f".textContent.trim() !== {json.dumps(first_titles[0])}",
            extraction_strategy=COMMITS,
        ),
    )
    assert second.success, second.error_message
    second_titles = [c["title"] for c in json.loads(second.extracted_content or "[]")]
    assert len(second_titles) == len(first_titles)
    assert not set(first_titles) & set(second_titles)
