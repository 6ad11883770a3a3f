"""The commits pagination with the blocking ``WebCrawler``: no asyncio needed.

Same session workflow as ``pagination_js_only.py`` for synchronous code (a legacy script,
a Django view, a Celery task): ``WebCrawler.run`` blocks until the crawl is done, and the
session's tab is driven on its browser's own thread behind the scenes.
Exit status 0 means 3 pages of 10 distinct commits.
"""

import json
import sys

from seleniumcrawl import (
    BrowserConfig,
    CacheMode,
    CrawlerRunConfig,
    JsonCssExtractionStrategy,
    WebCrawler,
)
from seleniumcrawl.demo import demo_base_url

PAGES = 3

JS_NEXT_PAGE = """
const first = document.querySelector('li.commit-item h4');
window.previousFirstCommit = first ? first.textContent.trim() : null;
document.querySelector('a.pagination-next').click();
"""

WAIT_FOR_NEW_PAGE = """js:() => {
    const first = document.querySelector('li.commit-item h4');
    return first !== null && first.textContent.trim() !== window.previousFirstCommit;
}"""

SCHEMA = {
    "name": "Commits",
    "baseSelector": "li.commit-item",
    "fields": [{"name": "title", "selector": "h4.markdown-title", "type": "text"}],
}


def crawl_commits(base_url: str) -> bool:
    session_id = "blocking_session"
    extraction = JsonCssExtractionStrategy(SCHEMA)
    pages: list[list[str]] = []
    with WebCrawler(config=BrowserConfig(headless=True)) as crawler:
        for page in range(PAGES):
            config = CrawlerRunConfig(
                session_id=session_id,
                js_code=JS_NEXT_PAGE if page > 0 else None,
                js_only=page > 0,
                wait_for=WAIT_FOR_NEW_PAGE if page > 0 else "css:li.commit-item",
                extraction_strategy=extraction,
                cache_mode=CacheMode.BYPASS,
            )
            result = crawler.run(url=f"{base_url}/commits", config=config)
            if not result.success:
                print(f"Page {page + 1}: crawl failed: {result.error_message}")
                break
            titles = [c["title"] for c in json.loads(result.extracted_content or "[]")]
            pages.append(titles)
            first = titles[0] if titles else "-"
            print(f"Page {page + 1}: found {len(titles)} commits (first: {first})")
        crawler.kill_session(session_id)

    distinct = {title for titles in pages for title in titles}
    print(f"Crawled {len(distinct)} distinct commits across {len(pages)} pages (blocking API)")
    return len(pages) == PAGES and len(distinct) == 10 * PAGES


def main() -> int:
    with demo_base_url() as base_url:
        ok = crawl_commits(base_url)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
