"""A local site whose pages fetch every kind of resource, and that counts what was fetched.

``/page/N`` has an image, a web font (declared in an inline style), a stylesheet, a
script, a ``fetch()`` and an ``XMLHttpRequest`` call and links; the
text and links never depend on any resource. ``site.hits`` counts requests by path (the
query string dropped); :meth:`ResourceSite.reset` clears them.
"""

from __future__ import annotations

import collections
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5b0000000049454e44ae426082"
)

PAGE = """<!doctype html><html><head><title>Page {n}</title>
<style>@font-face {{ font-family: Body; src: url(/static/body.woff2) format("woff2"); }}
body {{ font-family: Body, sans-serif; }}</style>
<link rel="stylesheet" href="/static/site.css">
<script src="/static/app.js"></script>
</head><body>
<h1>Resource page {n}</h1>
<p>Every page says the same thing in text: blocking must not change it.</p>
<img src="/static/photo.png?n={n}" alt="a photo">
<a href="/page/{next}">next page</a> <a href="/about">about</a>
<p id="api">waiting</p>
<script>
fetch("/api/data.json").then((r) => r.json()).then((d) => {{
  document.getElementById("api").textContent = "api " + d.value;
}}).catch(() => {{ document.getElementById("api").textContent = "api failed"; }});
const x = new XMLHttpRequest(); x.open("GET", "/api/xhr"); x.send();
</script>
</body></html>"""

#: A page with a JSON fetch, a text file and a 5 MB image (``/bodies``).
BODIES_PAGE = b"""<!doctype html><html><body><h1>Bodies</h1>
<img src="/static/big.png"><p id="api">waiting</p>
<script>
fetch("/api/data.json").then((r) => r.json()).then((d) => {
  document.getElementById("api").textContent = "api " + d.value;
});
</script></body></html>"""

BODIES = {
    "/bodies": ("text/html; charset=utf-8", BODIES_PAGE),
    "/static/big.png": ("image/png", PNG + b"\0" * (5 * 1024 * 1024)),
    "/static/site.css": ("text/css", b"h1 { color: #333; }"),
    "/static/app.js": ("application/javascript", b"window.appLoaded = true;"),
    "/static/body.woff2": ("font/woff2", b"wOF2" + b"\0" * 60),
    "/static/photo.png": ("image/png", PNG),
    "/api/data.json": ("application/json", b'{"value": 42}'),
    "/api/xhr": ("text/plain", b"xhr answer"),
    "/about": ("text/html", b"<html><body><h1>About</h1></body></html>"),
}


class ResourceSite:
    """The running site: ``url(path)``, ``hits`` (path -> count), ``reset()``."""

    def __init__(self, server: http.server.ThreadingHTTPServer) -> None:
        self.server = server
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        self.hits: collections.Counter[str] = collections.Counter()
        #: The request headers of each path's last request (names lower-cased).
        self.headers: dict[str, dict[str, str]] = {}
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return self.base + path

    def reset(self) -> None:
        with self.lock:
            self.hits.clear()

    def fetched(self) -> set[str]:
        """The paths requested since the last reset."""
        with self.lock:
            return set(self.hits)


def _handler(site_ref: list[ResourceSite]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            site = site_ref[0]
            path = urlsplit(self.path).path
            with site.lock:
                site.hits[path] += 1
                site.headers[path] = {k.lower(): v for k, v in self.headers.items()}
            if path.startswith("/page/"):
                n = int(path.rsplit("/", 1)[1] or 0)
                body = PAGE.format(n=n, next=n + 1).encode()
                kind = "text/html; charset=utf-8"
            elif path in BODIES:
                kind, body = BODIES[path]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve() -> Iterator[ResourceSite]:
    """Run the site on 127.0.0.1 for the block's duration."""
    ref: list[ResourceSite] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(ref))
    site = ResourceSite(server)
    ref.append(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
