"""core/markdown-generation.md, ported (see README.md)."""

from __future__ import annotations

from seleniumcrawl import AsyncWebCrawler, CrawlerRunConfig
from seleniumcrawl.markdown_generation_strategy import DefaultMarkdownGenerator


async def test_1_quick_example(pages_url, capsys):
    """1 "Quick Example": DefaultMarkdownGenerator(); result.markdown is the page's markdown."""
    config = CrawlerRunConfig(markdown_generator=DefaultMarkdownGenerator())
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("blog-post.html"), config=config)

        if result.success:
            print("Raw Markdown Output:\n")
            print(result.markdown)  # The unfiltered markdown from the page
        else:
            print("Crawl failed:", result.error_message)
    out = capsys.readouterr().out
    assert result.success
    assert "Raw Markdown Output:" in out
    assert "# " in str(result.markdown)
    assert str(result.markdown) in out


async def test_3_configuring_the_generator(pages_url):
    """3: options ignore_links (no link markup left), escape_html, body_width accepted."""
    # Example: ignore all links, don't escape HTML, and wrap text at 80 characters
    md_generator = DefaultMarkdownGenerator(
        options={"ignore_links": True, "escape_html": False, "body_width": 80}
    )
    config = CrawlerRunConfig(markdown_generator=md_generator)
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(pages_url("blog-post.html"), config=config)
        if result.success:
            print("Markdown:\n", result.markdown[:500])  # Just a snippet
        else:
            print("Crawl failed:", result.error_message)
    assert result.success
    assert "](" not in result.markdown
    plain = await _plain_markdown(pages_url("blog-post.html"))
    assert "](" in plain  # the same page has links when they are not ignored


async def _plain_markdown(url: str) -> str:
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url)
    return str(result.markdown)


async def test_fit_markdown_2_1_pruning(pages_url):
    """fit-markdown.md 2.1: PruningContentFilter gives a fit_markdown shorter than the raw."""
    from seleniumcrawl.content_filter_strategy import PruningContentFilter

    # Step 1: Create a pruning filter
    prune_filter = PruningContentFilter(
        # Lower → more content retained, higher → more content pruned
        threshold=0.45,
        # "fixed" or "dynamic"
        threshold_type="dynamic",
        # Ignore nodes with <5 words
        min_word_threshold=5,
    )

    # Step 2: Insert it into a Markdown Generator
    md_generator = DefaultMarkdownGenerator(content_filter=prune_filter)

    # Step 3: Pass it to CrawlerRunConfig
    config = CrawlerRunConfig(markdown_generator=md_generator)

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("hn.html"), config=config)

        if result.success:
            # 'fit_markdown' is your pruned content, focusing on "denser" text
            print("Raw Markdown length:", len(result.markdown.raw_markdown))
            print("Fit Markdown length:", len(result.markdown.fit_markdown))
        else:
            print("Error:", result.error_message)
    assert result.success
    assert 0 < len(result.markdown.fit_markdown) < len(result.markdown.raw_markdown)
