"""A site with sitemaps, served on 127.0.0.1 for the seeder's tests (and docs examples).

:func:`serve` runs a threaded HTTP server over a dict of routes (``path -> Route``) and
answers HTML pages for every other path that :func:`page_exists` accepts. :func:`big_site`
is the issue's site: robots.txt naming two sitemaps, one a gzipped index of three
sitemaps (XML, text, Atom), the other an RSS feed; 2,000 URLs in all, some listed twice,
some disallowed by robots.txt, some answering 404.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass
class Route:
    body: bytes
    content_type: str = "application/xml"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds the server waits before answering (a slow sitemap)
    delay: float = 0.0


@dataclass
class Site:
    base: str
    routes: dict[str, Route]
    hits: list[tuple[str, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def urlset(urls: Sequence[tuple[str, str | None]], ns: str = NS) -> bytes:
    rows = "".join(
        f"<url><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
        for u, m in urls
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{ns}">{rows}</urlset>'.encode()


def index(sitemaps: list[str]) -> bytes:
    rows = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in sitemaps)
    return f'<?xml version="1.0"?><sitemapindex xmlns="{NS}">{rows}</sitemapindex>'.encode()


def atom(entries: list[tuple[str, str]]) -> bytes:
    rows = "".join(
        f'<entry><title>t</title><link href="{u}"/><updated>{d}</updated></entry>'
        for u, d in entries
    )
    return f'<feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>{rows}</feed>'.encode()


def rss(items: list[tuple[str, str]]) -> bytes:
    rows = "".join(f"<item><link>{u}</link><pubDate>{d}</pubDate></item>" for u, d in items)
    return (
        f'<rss version="2.0"><channel><title>n</title><link>/</link>{rows}</channel></rss>'
    ).encode()


def page_html(path: str) -> bytes:
    """The page at ``path``: /post/0..9 are Python tutorials, the rest gardening notes."""
    topic = (
        "Python tutorial for beginners"
        if path.startswith("/post/") and path[6:] in [str(i) for i in range(10)]
        else "Gardening notes about tomatoes"
    )
    return (
        f'<!doctype html><html lang="en"><head><title>{topic} {path}</title>'
        f'<meta name="description" content="{topic}">'
        f'<link rel="canonical" href="{path}">'
        f'<link rel="alternate" hreflang="fr" href="/fr{path}">'
        '<script type="application/ld+json">{"@type": "Article", "headline": "'
        f'{topic}"}}</script></head><body><p>{topic}</p></body></html>'
    ).encode()


def is_missing(path: str) -> bool:
    """The 404 pages: /page/N for N ending in 7 below 700 (7, 17, ..., 697: 70 pages)."""
    return path.startswith("/page/") and path[6:].endswith("7") and int(path[6:]) < 700


def _handler(site: Site) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self, with_body: bool) -> None:
            path = self.path.split("?", 1)[0]
            site.hits.append((self.command, path))
            route = site.routes.get(path)
            if route is None and path.count("/") == 2 and not is_missing(path):
                route = Route(page_html(path), "text/html; charset=utf-8")
            if route is None:
                route = Route(b"not found", "text/plain", 404)
            if route.delay:
                site.stop.wait(route.delay)  # a slow server; released at shutdown
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if with_body:
                with contextlib.suppress(OSError):
                    self.wfile.write(route.body)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the seeder opens connections on 16 threads at once


@contextlib.contextmanager
def serve(build: Callable[[str], dict[str, Route]]) -> Iterator[Site]:
    """Serve the routes ``build(base_url)`` returns; yields the :class:`Site`."""
    server = _Server(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site = Site(base, build(base))
    server.RequestHandlerClass = _handler(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def big_site(base: str) -> dict[str, Route]:
    """2,000 distinct URLs: /page/0..1199 and /private/0..49 in an XML sitemap (with
    lastmod), /extra/0..449 in a text sitemap (plus /page/0..49 again), /post/0..199 in
    an Atom feed, the three listed by a gzipped index; /news/0..99 in an RSS feed named
    by robots.txt beside the index (plus /post/0..19 again). robots.txt disallows
    /private/."""
    pages: list[tuple[str, str | None]] = [
        (f"{base}/page/{i}", f"2024-01-{i % 28 + 1:02d}") for i in range(1200)
    ]
    private = [(f"{base}/private/{i}", None) for i in range(50)]
    extra = [f"{base}/extra/{i}" for i in range(450)] + [f"{base}/page/{i}" for i in range(50)]
    posts = [(f"{base}/post/{i}", "2024-03-01T12:00:00Z") for i in range(200)]
    news = [(f"{base}/news/{i}", "Tue, 05 Mar 2024 10:00:00 GMT") for i in range(100)]
    news += [(f"{base}/post/{i}", "Tue, 05 Mar 2024 10:00:00 GMT") for i in range(20)]
    robots = (
        "User-agent: *\nDisallow: /private/\n\n"
        f"Sitemap: {base}/sitemap_index.xml.gz\nSitemap: {base}/news.xml\n"
    )
    home = b'<!doctype html><html><head><title>Home</title></head><body><a href="/page/0">0</a>'
    return {
        "/": Route(home + b"</body></html>", "text/html; charset=utf-8"),
        "/robots.txt": Route(robots.encode(), "text/plain"),
        "/sitemap_index.xml.gz": Route(
            gzip.compress(
                index(
                    [f"{base}/sitemap-pages.xml", f"{base}/sitemap-extra.txt", f"{base}/feed.atom"]
                )
            ),
            "application/gzip",
        ),
        "/sitemap-pages.xml": Route(urlset([*pages, *private])),
        "/sitemap-extra.txt": Route("\n".join(extra).encode(), "text/plain"),
        "/feed.atom": Route(atom(posts), "application/atom+xml"),
        "/news.xml": Route(rss(news), "application/rss+xml"),
    }
