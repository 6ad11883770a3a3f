"""advanced/virtual-scroll.md and advanced/lazy-loading.md, ported (see README.md)."""

from __future__ import annotations

import re

from seleniumcrawl import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig, VirtualScrollConfig


async def test_virtual_scroll_basic_usage(pages_url):
    """ "Basic Usage": result.html contains ALL items of a feed that replaces them on scroll."""
    # Configure virtual scroll
    virtual_config = VirtualScrollConfig(
        container_selector="#feed",  # CSS selector for scrollable container
        scroll_count=20,  # Number of scrolls to perform
        scroll_by="container_height",  # How much to scroll each time
        wait_after_scroll=0.5,  # Wait time (seconds) after each scroll
    )

    # Use in crawler configuration
    config = CrawlerRunConfig(virtual_scroll_config=virtual_config)

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("feed.html"), config=config)
        # result.html contains ALL items from the virtual scroll
    posts = re.findall(r"Post (\d+) of 100", result.html)
    assert [int(p) for p in posts] == list(range(1, 101))


async def test_virtual_scroll_twitter_like_timeline(pages_url):
    """ "Twitter-like Timeline": the tweets of every scroll position are counted in html."""
    captured = []

    async def crawl_twitter_timeline() -> None:
        # Twitter replaces tweets as you scroll
        virtual_config = VirtualScrollConfig(
            container_selector="#feed",
            scroll_count=30,
            scroll_by="container_height",
            wait_after_scroll=1.0,  # Twitter needs time to load
        )

        browser_config = BrowserConfig(headless=True)  # Set to False to watch it work
        config = CrawlerRunConfig(virtual_scroll_config=virtual_config)

        async with AsyncWebCrawler(config=browser_config) as crawler:
            result = await crawler.arun(url=pages_url("feed.html"), config=config)

            # Extract tweet count
            import re

            tweets = re.findall(r'data-testid="tweet"', result.html)
            print(f"Captured {len(tweets)} tweets")
            captured.append(len(tweets))
            posts.extend(int(p) for p in re.findall(r"Post (\d+) of 100", result.html))

    posts = []
    await crawl_twitter_timeline()
    # One more match than posts: the page's own script spells the attribute once.
    assert captured == [101]
    assert posts == list(range(1, 101))


async def test_lazy_loading_example(pages_url):
    """lazy-loading.md "Ensuring Lazy Images Appear": scrolling gives every image its src;
    media lists them with scores."""
    from seleniumcrawl.async_configs import CacheMode

    images = []
    config = CrawlerRunConfig(
        # Force the crawler to wait until images are fully loaded
        wait_for_images=True,
        # Option 1: If you want to automatically scroll the page to load images
        scan_full_page=True,  # Tells the crawler to try scrolling the entire page
        scroll_delay=0.5,  # Delay (seconds) between scroll steps
        # Option 2: If the site uses a 'Load More' or JS triggers for images,
        # you can also specify js_code or wait_for logic here.
        cache_mode=CacheMode.BYPASS,
        verbose=True,
    )

    async with AsyncWebCrawler(config=BrowserConfig(headless=True)) as crawler:
        result = await crawler.arun(pages_url("gallery.html"), config=config)

        if result.success:
            images = result.media.get("images", [])
            print("Images found:", len(images))
            for i, img in enumerate(images[:5]):
                print(f"[Image {i}] URL: {img['src']}, Score: {img.get('score', 'N/A')}")
        else:
            print("Error:", result.error_message)
    for n in range(1, 13):
        assert re.search(rf'\ssrc="img/photo-{n}\.svg"', result.html), n
    sources = [str(img["src"]) for img in images]
    assert sum(s.endswith(".svg") for s in sources) == 12
    assert all("score" in img for img in images)


async def test_lazy_loading_with_filters(pages_url):
    """lazy-loading.md "Combining with Other Link & Media Filters": lazy images kept,
    the external one dropped."""
    config = CrawlerRunConfig(
        wait_for_images=True,
        scan_full_page=True,
        scroll_delay=0.5,
        # Filter out external images if you only want local ones
        exclude_external_images=True,
        # Exclude certain domains for links
        exclude_domains=["spammycdn.com"],
    )
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("gallery.html"), config=config)
    sources = [str(img["src"]) for img in result.media["images"]]
    assert not any("localhost:1" in s for s in sources)
    assert sum(s.endswith(".svg") for s in sources) == 12
