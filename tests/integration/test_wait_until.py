"""CrawlerRunConfig.wait_until (Crawl4AI's name): when the navigation counts as done."""

from __future__ import annotations

from pathlib import Path

import pytest

from seleniumcrawl import CrawlerRunConfig, WebCrawler
from seleniumcrawl.demo.site import DemoSite

pytestmark = pytest.mark.usefixtures("transport")

# The load event waits for a slow image; a script marks the body when it fires.
_SLOW_LOAD = """<!doctype html><html><head><title>slow load</title></head><body>
<p id="parsed">parsed</p><img src="{base}/slow?ms=1500" alt="">
<script>window.addEventListener('load', () => document.body.dataset.loaded = 'yes');</script>
</body></html>"""

# After load, the page fetches a slow resource and writes its outcome into the DOM.
_FETCH_AFTER_LOAD = """<!doctype html><html><head><title>late fetch</title></head><body>
<p id="status">waiting</p>
<script>
window.addEventListener('load', () => {{
  fetch('{base}/slow?ms=300', {{mode: 'no-cors'}}).then((r) => r.text()).then(() => {{
    document.getElementById('status').textContent = 'fetched';
  }});
}});
</script></body></html>"""


def _page(tmp_path: Path, name: str, template: str, site: DemoSite) -> str:
    path = tmp_path / name
    path.write_text(template.format(base=site.base_url))
    return path.as_uri()


def test_load_waits_for_the_load_event(
    shared_crawler: WebCrawler, site: DemoSite, tmp_path: Path
) -> None:
    """wait_until="load": the snapshot is taken after the load event (slow image included)."""
    url = _page(tmp_path, "slow.html", _SLOW_LOAD, site)
    result = shared_crawler.run(url, config=CrawlerRunConfig(wait_until="load"))
    assert result.success, result.error_message
    assert 'data-loaded="yes"' in result.html


def test_domcontentloaded_does_not_wait_for_subresources(
    shared_crawler: WebCrawler, site: DemoSite, tmp_path: Path
) -> None:
    """The default, "domcontentloaded", snapshots the parsed page before a slow image
    loaded (BiDi: navigate's wait; classic: the eager page load strategy)."""
    url = _page(tmp_path, "slow-dcl.html", _SLOW_LOAD, site)
    result = shared_crawler.run(url, config=CrawlerRunConfig())
    assert result.success, result.error_message
    assert 'id="parsed"' in result.html
    assert 'data-loaded="yes"' not in result.html


def test_load_bounded_by_page_timeout(
    shared_crawler: WebCrawler, site: DemoSite, tmp_path: Path
) -> None:
    """wait_until="load" on a page whose load event comes too late fails as a timeout."""
    page = '<html><body><p>x</p><img src="{base}/slow?ms=5000"></body></html>'
    url = _page(tmp_path, "late-load.html", page, site)
    result = shared_crawler.run(url, config=CrawlerRunConfig(wait_until="load", page_timeout=1000))
    assert not result.success
    assert result.error_type == "timeout"
    assert "page_timeout" in (result.error_message or "")


def test_networkidle_waits_for_requests_after_load(
    shared_crawler: WebCrawler, site: DemoSite, tmp_path: Path
) -> None:
    """wait_until="networkidle": a fetch started at load has finished before the snapshot."""
    url = _page(tmp_path, "late.html", _FETCH_AFTER_LOAD, site)
    idle = shared_crawler.run(url, config=CrawlerRunConfig(wait_until="networkidle"))
    assert idle.success, idle.error_message
    assert ">fetched<" in idle.html
    loaded = shared_crawler.run(url, config=CrawlerRunConfig(wait_until="load"))
    assert loaded.success, loaded.error_message
    assert ">waiting<" in loaded.html


def test_commit_gives_the_new_document(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """wait_until="commit" still returns the new page (it waits as domcontentloaded)."""
    result = shared_crawler.run(site.url("/page/7"), config=CrawlerRunConfig(wait_until="commit"))
    assert result.success, result.error_message
    assert result.status_code == 200
    assert result.html.count('class="product"') == 3


def test_networkidle_never_reached_times_out(
    shared_crawler: WebCrawler, site: DemoSite, tmp_path: Path, transport: str
) -> None:
    """A request that never ends keeps the network busy: the crawl fails at page_timeout
    over BiDi (which sees requests in flight); the classic path sees only finished ones."""
    if transport != "bidi":
        pytest.skip("in-flight requests are visible through BiDi network events only")
    page = "<html><body><script>fetch('{base}/hang');</script><p>x</p></body></html>"
    url = _page(tmp_path, "hang.html", page, site)
    result = shared_crawler.run(
        url, config=CrawlerRunConfig(wait_until="networkidle", page_timeout=1500)
    )
    assert not result.success
    assert result.error_type == "timeout"
    assert "networkidle" in (result.error_message or "")
