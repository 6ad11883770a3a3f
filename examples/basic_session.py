"""Basic session usage: two crawls that share one browser tab through ``session_id``.

Crawl4AI's "Basic Session Usage", with ``crawl4ai`` replaced by ``seleniumcrawl`` and the
URLs pointed at the bundled demo site. Run it as ``python examples/basic_session.py``; it
starts the demo site itself unless ``SELENIUMCRAWL_DEMO_URL`` names a running one.
Exit status 0 means both pages gave the products the demo site serves.
"""

import asyncio
import json
import sys

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CacheMode, JsonCssExtractionStrategy
from seleniumcrawl.async_configs import CrawlerRunConfig
from seleniumcrawl.demo import demo_base_url

PRODUCT_SCHEMA = {
    "name": "Products",
    "baseSelector": "div.product",
    "fields": [
        {"name": "name", "selector": ".name", "type": "text"},
        {"name": "price", "selector": ".price", "type": "text"},
    ],
}


async def basic_session(base_url: str) -> bool:
    extraction = JsonCssExtractionStrategy(PRODUCT_SCHEMA)
    async with AsyncWebCrawler(config=BrowserConfig(headless=True)) as crawler:
        session_id = "my_session"

        # The URL can live in the config: arun(config=...) falls back to it.
        config1 = CrawlerRunConfig(
            url=f"{base_url}/page/1",
            session_id=session_id,
            extraction_strategy=extraction,
            cache_mode=CacheMode.BYPASS,
        )
        config2 = config1.clone(url=f"{base_url}/page/2")

        result1 = await crawler.arun(config=config1)  # opens the session's tab
        result2 = await crawler.arun(config=config2)  # same tab, next page

        await crawler.crawler_strategy.kill_session(session_id)

    ok = True
    for number, result in ((1, result1), (2, result2)):
        if not result.success:
            print(f"Page {number}: crawl failed: {result.error_message}")
            ok = False
            continue
        products = json.loads(result.extracted_content or "[]")
        names = [product["name"] for product in products]
        print(f"Page {number}: {len(products)} products: {', '.join(names)}")
        ok = ok and names == [f"Product {number}-{i}" for i in (1, 2, 3)]
    return ok


def main() -> int:
    with demo_base_url() as base_url:
        ok = asyncio.run(basic_session(base_url))
    print("Basic session: OK" if ok else "Basic session: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
