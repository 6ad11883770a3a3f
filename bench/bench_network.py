"""What a page fetches (#26): resource policies and routes against a heavy local page set.

A local server serves pages that each load 10 noise PNGs (300x300, ~270 kB each, real
images the browser decodes), two web fonts, three stylesheets of many rules and a
script, every URL unique per page and ``no-store``, and counts the bytes it sends. Sides,
rotated per round on one crawler each (so machine load hits all alike):

* ``default``: everything fetched;
* ``text_mode`` / ``light_mode`` (CrawlerRunConfig): images+media+fonts / media+fonts+ads
  blocked by Chromium's URL blocking;
* ``route_nothing``: a ``page.route`` whose pattern matches nothing on the page (every
  request of the tab pauses in the BiDi mapper and is continued from Python).

Reported: pages/s of ``run_many`` over the page set per side, its ratio to default per
round (median), bytes fetched per page, and the machine's load average.
"""

from __future__ import annotations

import collections
import http.server
import os
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench._util import figure, load_average, median, paired_ratios, rotate, summary
from seleniumcrawl import BrowserConfig, CrawlerRunConfig, WebCrawler


def _png(width: int, height: int, seed: int) -> bytes:
    rows = b"".join(b"\0" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


IMAGE = _png(300, 300, 1)
FONT = os.urandom(120_000)
CSS = "\n".join(f".c{i} {{ margin: {i % 7}px; color: #{i % 999:03d}; }}" for i in range(4000))
SCRIPT = "window.x = [" + ",".join(str(i) for i in range(20000)) + "].length;"

PAGE = """<!doctype html><html><head><title>Heavy {n}</title>
<style>@font-face {{ font-family: A; src: url(/f/a.woff2?p={n}); }}
@font-face {{ font-family: B; src: url(/f/b.woff2?p={n}); }}
h1 {{ font-family: A; }} p {{ font-family: B; }}</style>
{css}<script src="/s/app.js?p={n}"></script></head><body>
<h1>Heavy page {n}</h1><p>Text a crawler wants, the same with or without resources.</p>
{imgs}<a href="/page/{next}">next</a></body></html>"""


class _Site:
    def __init__(self) -> None:
        self.bytes = 0
        self.hits: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    def take(self) -> int:
        with self.lock:
            sent, self.bytes = self.bytes, 0
        return sent


@contextmanager
def _serve() -> Iterator[tuple[str, _Site]]:
    site = _Site()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path.startswith("/page/"):
                n = int(path.rsplit("/", 1)[1])
                css = "".join(f'<link rel="stylesheet" href="/c/{k}.css?p={n}">' for k in range(3))
                imgs = "".join(f'<img src="/i/{k}.png?p={n}">' for k in range(10))
                body = PAGE.format(n=n, next=n + 1, css=css, imgs=imgs).encode()
                kind = "text/html"
            elif path.startswith("/i/"):
                body, kind = IMAGE, "image/png"
            elif path.startswith("/f/"):
                body, kind = FONT, "font/woff2"
            elif path.startswith("/c/"):
                body, kind = CSS.encode(), "text/css"
            elif path.startswith("/s/"):
                body, kind = SCRIPT.encode(), "application/javascript"
            else:
                body, kind = b"", "text/plain"
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
            with site.lock:
                site.bytes += len(body)
                site.hits[path.split("/")[1]] += 1

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request: Any, client_address: Any) -> None:
            return  # a page done before its images: the browser drops the connection

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()


async def _route_nothing(page: Any, **kw: Any) -> None:
    await page.route("**/this-matches-nothing/*", lambda route: route.abort())


def run(quick: bool = False) -> dict[str, Any]:
    """Rotate the sides ``rounds`` times over ``pages`` pages each."""
    rounds, pages = (3, 16) if quick else (5, 32)
    load_before = load_average()
    sides_cfg = {
        "default": CrawlerRunConfig(),
        "text_mode": CrawlerRunConfig(text_mode=True),
        "light_mode": CrawlerRunConfig(light_mode=True),
        "route_nothing": CrawlerRunConfig(),
    }
    bytes_per_page: dict[str, list[float]] = {name: [] for name in sides_cfg}
    with _serve() as (base, site):
        crawlers = {name: WebCrawler(config=BrowserConfig(max_drivers=1)) for name in sides_cfg}
        crawlers["route_nothing"].crawler_strategy.set_hook(
            "on_page_context_created", _route_nothing
        )
        counter = iter(range(10**9))
        try:
            for name, crawler in crawlers.items():  # warm-up: browser start
                crawler.run(f"{base}/page/{next(counter)}", config=sides_cfg[name])

            def side(name: str) -> Any:
                def go() -> float:
                    urls = [f"{base}/page/{next(counter)}" for _ in range(pages)]
                    site.take()
                    start = time.perf_counter()
                    results = crawlers[name].run_many(urls, config=sides_cfg[name])
                    elapsed = time.perf_counter() - start
                    failed = [r.error_message for r in results if not r.success]
                    if failed:
                        raise RuntimeError(f"benchmark crawl failed: {failed[0]}")
                    bytes_per_page[name].append(site.take() / pages)
                    return pages / elapsed

                return go

            rates = rotate(rounds, {name: side(name) for name in sides_cfg})
        finally:
            for crawler in crawlers.values():
                crawler.close()
    base_rates = rates["default"]
    figures: dict[str, Any] = {}
    for name, values in rates.items():
        figures[f"{name}_pages_per_s"] = figure(median(values), "pages/s", **summary(values))
        figures[f"{name}_kb_per_page"] = figure(median(bytes_per_page[name]) / 1024, "kB/page")
    for name, goal in (("text_mode", ">= 1.4"), ("light_mode", None)):
        ratios = paired_ratios(rates[name], base_rates)
        figures[f"{name}_vs_default"] = figure(median(ratios), "x", goal, digits=3)
    # A route matching nothing: cost per page as default's rate over the route's (<= 1.10).
    cost = paired_ratios(base_rates, rates["route_nothing"])
    figures["route_nothing_cost"] = figure(median(cost), "x", "<= 1.10", digits=3)
    return {
        "figures": figures,
        "params": {
            "rounds": rounds,
            "pages_per_round": pages,
            "page": "10 PNGs 300x300 (~270 kB), 2 fonts, 3 stylesheets, 1 script",
            "load_average_before": load_before,
            "load_average_after": load_average(),
        },
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(quick=True), indent=1))
