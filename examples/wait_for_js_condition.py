"""Wait for a JavaScript condition: page through every commit until "Next" disappears.

The "advanced" variant of Crawl4AI's commits example: the click script stores the current
first commit in ``window.firstCommit``, and ``wait_for="js:..."`` compares the list against
it, so each crawl returns only once the new page is really there. Here the demo page
answers slowly (``?delay=800``) to show that the wait, not luck, gets the right page, and
the loop stops when the page no longer offers a "Next" link.
Exit status 0 means all 5 pages (50 distinct commits) were read, each after its update.
"""

import asyncio
import json
import sys
import time

from seleniumcrawl import (
    AsyncWebCrawler,
    BrowserConfig,
    CacheMode,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
)
from seleniumcrawl.demo import demo_base_url

DELAY_MS = 800
EXPECTED_PAGES = 5

JS_NEXT_PAGE = """
const commits = document.querySelectorAll('li.Box-sc-g0xbh4-0 h4');
if (commits.length > 0) {
    window.firstCommit = commits[0].textContent.trim();
}
const button = document.querySelector('a.pagination-next');
if (button) button.click();
return button !== null;
"""

WAIT_FOR = """js:() => {
    const commits = document.querySelectorAll('li.Box-sc-g0xbh4-0 h4');
    if (commits.length === 0) return false;
    const firstCommit = commits[0].textContent.trim();
    return firstCommit !== window.firstCommit;
}"""

SCHEMA = {
    "name": "Commit Extractor",
    "baseSelector": "li.Box-sc-g0xbh4-0",
    "fields": [
        {"name": "title", "selector": "h4", "type": "text"},
        {"name": "date", "selector": "relative-time", "type": "attribute", "attribute": "datetime"},
    ],
}


async def crawl_all_pages(base_url: str) -> bool:
    url = f"{base_url}/commits?delay={DELAY_MS}"
    session_id = "commit_session"
    extraction = JsonCssExtractionStrategy(SCHEMA)
    pages: list[list[str]] = []
    waited_ms: list[float] = []

    async with AsyncWebCrawler(config=BrowserConfig(headless=True)) as crawler:
        has_next = True
        while has_next and len(pages) < 10:
            first = not pages
            config = CrawlerRunConfig(
                session_id=session_id,
                js_code=None if first else JS_NEXT_PAGE,
                js_only=not first,
                wait_for="css:li.commit-item" if first else WAIT_FOR,
                extraction_strategy=extraction,
                cache_mode=CacheMode.BYPASS,
            )
            started = time.monotonic()
            result = await crawler.arun(url=url, config=config)
            if not result.success:
                print(f"Page {len(pages) + 1}: crawl failed: {result.error_message}")
                break
            waited_ms.append((time.monotonic() - started) * 1000)
            titles = [commit["title"] for commit in json.loads(result.extracted_content or "[]")]
            pages.append(titles)
            first_title = titles[0] if titles else "-"
            print(
                f"Page {len(pages)}: {len(titles)} commits, first {first_title!r}, "
                f"ready after {waited_ms[-1]:.0f} ms"
            )
            has_next = "pagination-next" in result.html

        await crawler.kill_session(session_id)

    distinct = {title for titles in pages for title in titles}
    print(f"Read {len(pages)} pages, {len(distinct)} distinct commits; no Next link on the last")
    # Every click-driven page must have waited for the slow update.
    slow_enough = all(ms >= DELAY_MS for ms in waited_ms[1:])
    return len(pages) == EXPECTED_PAGES and len(distinct) == 10 * EXPECTED_PAGES and slow_enough


def main() -> int:
    with demo_base_url() as base_url:
        ok = asyncio.run(crawl_all_pages(base_url))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
