"""Cost of network and console capture: ms per page with and without it, same run.

One crawler per transport crawls ``/capture`` (a page with a stylesheet, an image, two
fetches and console output) in a session, alternating a page without capture and a page
with ``capture_network_requests`` and ``capture_console_messages`` (A/B/A/B...), so
machine load hits both sides alike. Reported: the medians and the difference.
"""

from __future__ import annotations

import time
from typing import Any

from bench._util import alternate, figure, median, summary
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

_DONE = "js:() => document.getElementById('done').textContent !== 'waiting'"


def _page_ms(crawler: WebCrawler, url: str, config: CrawlerRunConfig) -> float:
    start = time.perf_counter()
    result = crawler.run(url, config=config)
    elapsed = (time.perf_counter() - start) * 1000
    if not result.success:
        raise RuntimeError(f"benchmark crawl failed: {result.error_message}")
    return elapsed


def _transport(site: DemoSite, use_bidi: bool, rounds: int) -> dict[str, Any]:
    plain = CrawlerRunConfig(session_id="bench", wait_for=_DONE)
    captured = plain.clone(capture_network_requests=True, capture_console_messages=True)
    url = site.url("/capture")
    with WebCrawler(config=BrowserConfig(use_bidi=use_bidi)) as crawler:
        for _ in range(3):  # warm-up: browser start, first loads
            _page_ms(crawler, url, captured)
        without, with_ = alternate(
            rounds, lambda: _page_ms(crawler, url, plain), lambda: _page_ms(crawler, url, captured)
        )
    name = "bidi" if use_bidi else "classic"
    return {
        f"{name}_without_capture_ms": figure(median(without), "ms/page", **summary(without)),
        f"{name}_with_capture_ms": figure(median(with_), "ms/page", **summary(with_)),
        f"{name}_capture_cost_ms": figure(median(with_) - median(without), "ms/page"),
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Both transports; ``quick`` runs fewer rounds."""
    rounds = 10 if quick else 40
    figures: dict[str, Any] = {}
    with DemoSite() as site:
        for use_bidi in (True, False):
            figures.update(_transport(site, use_bidi, rounds))
    return {"figures": figures, "params": {"rounds": rounds, "page": "/capture"}}


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick=True)["figures"], indent=1))
