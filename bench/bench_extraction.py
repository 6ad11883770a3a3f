"""Benchmark: schema extraction against the cost of parsing the page it reads.

Generates a 2,000-item product listing (about 650 KB), then times, alternating
them over several rounds so drift in machine load hits both alike:

* ``parse``: ``BeautifulSoup(html, PARSER)`` alone;
* ``extract``: ``JsonCssExtractionStrategy(schema).extract(url, html)``, which
  includes its own parse;
* ``scrape``: :func:`seleniumcrawl.content.scraping.scrape` with the same schema (parse,
  extraction, cleaning, links, images, metadata and Markdown).

The goal is ``extract <= 1.5 x parse``: extraction itself should cost at most half
of the parse it cannot avoid. No browser is involved.

Run: ``python -m bench.bench_extraction`` (prints the figures as JSON).
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from bs4 import BeautifulSoup

from seleniumcrawl.content.scraping import PARSER, scrape
from seleniumcrawl.extraction_strategy import JsonCssExtractionStrategy

ITEMS = 2000
ROUNDS = 7
GOAL_RATIO = 1.5
URL = "https://shop.example/catalogue"

SCHEMA: dict[str, Any] = {
    "name": "products",
    "baseSelector": "li.product",
    "fields": [
        {"name": "title", "selector": "h2.title", "type": "text"},
        {"name": "price", "selector": ".price", "type": "regex", "pattern": r"([\d.]+)"},
        {"name": "url", "selector": "h2.title a", "type": "attribute", "attribute": "href"},
    ],
}


def make_page(items: int = ITEMS, seed: int = 7) -> str:
    """A product listing page with ``items`` entries (deterministic for a seed)."""
    rnd = random.Random(seed)
    words = ["fine", "sturdy", "light", "blue", "green", "compact", "classic", "oak", "wool"]
    head = (
        "<!DOCTYPE html><html><head><title>Catalogue</title>"
        '<meta name="description" content="Benchmark catalogue">'
        "<style>.product{margin:0}</style></head><body>"
        '<header><nav><a href="/">Home</a> <a href="/about">About</a></nav></header>'
        '<main><h1>Catalogue</h1><ul class="products">'
    )
    rows = []
    for i in range(items):
        desc = " ".join(rnd.choice(words) for _ in range(8))
        rows.append(
            f'<li class="product card" data-id="{i}">'
            f'<img src="/img/{i}.jpg" alt="Item {i}">'
            f'<h2 class="title"><a href="/p/{i}">Item number {i}</a></h2>'
            f'<p class="desc">A {desc} thing, <em>numbered</em> {i}.</p>'
            f'<div class="meta"><span class="price">${rnd.randint(1, 999)}.{rnd.randint(0, 99):02d}'
            f'</span> <span class="stock">In stock</span></div></li>\n'
        )
    tail = '</ul></main><footer><a href="https://other.example/">Partner</a></footer>'
    return head + "".join(rows) + tail + "<script>var x = 1;</script></body></html>"


def _time_ms(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def run(rounds: int = ROUNDS) -> dict[str, Any]:
    """Time parse, extract and scrape on the generated page; return the figures."""
    html = make_page()
    strategy = JsonCssExtractionStrategy(SCHEMA)
    records = strategy.extract(URL, html)  # warm-up, and a check that it works
    if len(records) != ITEMS:
        raise AssertionError(f"expected {ITEMS} records, got {len(records)}")
    timings: dict[str, list[float]] = {"parse": [], "extract": [], "scrape": []}
    for _ in range(rounds):
        timings["parse"].append(_time_ms(lambda: BeautifulSoup(html, PARSER)))
        timings["extract"].append(_time_ms(lambda: strategy.extract(URL, html)))
        timings["scrape"].append(_time_ms(lambda: scrape(html, URL, extraction_strategy=strategy)))
    median = {name: statistics.median(values) for name, values in timings.items()}
    ratio = median["extract"] / median["parse"]
    return {
        "page_kb": round(len(html.encode("utf-8")) / 1024, 1),
        "items": ITEMS,
        "rounds": rounds,
        "parser": PARSER,
        "parse_ms": round(median["parse"], 1),
        "extract_ms": round(median["extract"], 1),
        "extraction_only_ms": round(median["extract"] - median["parse"], 1),
        "scrape_ms": round(median["scrape"], 1),
        "extract_to_parse_ratio": round(ratio, 3),
        "goal_ratio": GOAL_RATIO,
        "goal_met": ratio <= GOAL_RATIO,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
