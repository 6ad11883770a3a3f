"""Crawl4AI docs, extraction/no-llm-strategies.md, section 4: RegexExtractionStrategy."""

from __future__ import annotations

import json
from collections.abc import Callable

from seleniumcrawl import AsyncWebCrawler, CrawlerRunConfig, RegexExtractionStrategy


async def test_simple_example_builtin_patterns(pages_url: Callable[[str], str]) -> None:
    """ "Simple Example": built-in Url | Currency patterns; prints label: value per match."""
    # Create a strategy using built-in patterns for URLs and currencies
    strategy = RegexExtractionStrategy(
        pattern=RegexExtractionStrategy.Url | RegexExtractionStrategy.Currency
    )

    config = CrawlerRunConfig(extraction_strategy=strategy)

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("products.html"), config=config)

        if result.success:
            data = json.loads(result.extracted_content)  # type: ignore[arg-type]
            for item in data[:5]:  # Show first 5 matches
                print(f"{item['label']}: {item['value']}")
            print(f"Total matches: {len(data)}")

    found = {(item["label"], item["value"]) for item in data}
    assert {
        ("url", "https://shop.example/p/mouse"),
        ("url", "https://docs.crawl4ai.com/api/v2"),
        ("currency", "$29.99"),
        ("currency", "$1,249.00"),
        ("currency", "EUR 45,50"),
    } <= found
    assert {item["label"] for item in data} == {"url", "currency"}


async def test_custom_pattern_example(pages_url: Callable[[str], str]) -> None:
    """ "Custom Pattern Example": a usd_price pattern finds the dollar prices only."""
    # Define a custom pattern for US Dollar prices
    price_pattern = {"usd_price": r"\$\s?\d{1,3}(?:,\d{3})*(?:\.\d{2})?"}

    # Create strategy with custom pattern
    strategy = RegexExtractionStrategy(custom=price_pattern)
    config = CrawlerRunConfig(extraction_strategy=strategy)

    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(url=pages_url("products.html"), config=config)

        if result.success:
            data = json.loads(result.extracted_content)  # type: ignore[arg-type]
            for item in data:
                print(f"Found price: {item['value']}")

    assert [item["value"] for item in data] == ["$29.99", "$1,249.00"]


async def test_extraction_results_format(pages_url: Callable[[str], str]) -> None:
    """ "Extraction Results Format": each match is {url, label, value, span}."""
    strategy = RegexExtractionStrategy(pattern=RegexExtractionStrategy.Email)
    async with AsyncWebCrawler() as crawler:
        result = await crawler.arun(
            url=pages_url("products.html"), config=CrawlerRunConfig(extraction_strategy=strategy)
        )
    data = json.loads(result.extracted_content)  # type: ignore[arg-type]
    assert data == [
        {
            "url": pages_url("products.html"),
            "label": "email",
            "value": "support@crawl4ai.com",
            "span": data[0]["span"],
        }
    ]
    start, end = data[0]["span"]
    assert (result.cleaned_html or "")[start:end] == "support@crawl4ai.com"
