"""Dynamic content with sessions: paginate a JavaScript commit list with ``js_only``.

Crawl4AI's GitHub-commits example, pointed at the demo site's ``/commits`` page. The first
crawl loads the page; the next ones run ``js_code`` in the same tab (``js_only=True``, no
navigation) to click "Next", and ``wait_for`` (a JavaScript function, polled until it is
true) holds until the first commit differs from the one remembered before the click.
The demo page swaps its items 300 ms after the click, so without that wait a crawl would
read the previous page again. Exit status 0 means 3 pages of 10 distinct commits.
"""

import asyncio
import json
import sys

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, JsonCssExtractionStrategy
from seleniumcrawl.async_configs import CrawlerRunConfig
from seleniumcrawl.cache_context import CacheMode
from seleniumcrawl.demo import demo_base_url

PAGES = 3

# Remember the first commit of the current page, then ask for the next page.
JS_NEXT_PAGE = """
const commits = document.querySelectorAll('li.commit-item h4');
if (commits.length > 0) {
    window.lastCommit = commits[0].textContent.trim();
}
const button = document.querySelector('a.pagination-next');
if (button) { button.click(); }
"""

# A bare function is polled until it returns true: here, until the list has changed.
WAIT_FOR_NEW_COMMITS = """() => {
    const commits = document.querySelectorAll('li.commit-item h4');
    if (commits.length === 0) return false;
    return commits[0].textContent.trim() !== window.lastCommit;
}"""

SCHEMA = {
    "name": "Commit Extractor",
    "baseSelector": "li.commit-item",
    "fields": [
        {"name": "title", "selector": "h4.markdown-title", "type": "text"},
        {"name": "author", "selector": ".commit-author", "type": "text"},
    ],
}


async def crawl_dynamic_content(base_url: str) -> bool:
    url = f"{base_url}/commits"
    session_id = "wait_for_session"
    all_commits = []
    extraction_strategy = JsonCssExtractionStrategy(SCHEMA)

    async with AsyncWebCrawler(config=BrowserConfig(headless=True)) as crawler:
        for page in range(PAGES):
            config = CrawlerRunConfig(
                session_id=session_id,
                css_selector="li.commit-item",
                extraction_strategy=extraction_strategy,
                js_code=JS_NEXT_PAGE if page > 0 else None,
                wait_for=WAIT_FOR_NEW_COMMITS if page > 0 else "css:li.commit-item",
                js_only=page > 0,
                cache_mode=CacheMode.BYPASS,
            )
            result = await crawler.arun(url=url, config=config)
            if not result.success:
                print(f"Page {page + 1}: crawl failed: {result.error_message}")
                break
            commits = json.loads(result.extracted_content or "[]")
            all_commits.extend(commits)
            first = commits[0]["title"] if commits else "-"
            print(f"Page {page + 1}: found {len(commits)} commits (first: {first})")

        await crawler.crawler_strategy.kill_session(session_id)

    titles = {commit["title"] for commit in all_commits}
    print(f"Crawled {len(all_commits)} commits ({len(titles)} distinct) across {PAGES} pages")
    return len(all_commits) == 10 * PAGES and len(titles) == 10 * PAGES


def main() -> int:
    with demo_base_url() as base_url:
        ok = asyncio.run(crawl_dynamic_content(base_url))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
