"""More page steps (js_code_before_wait, wait_for_images, virtual scroll, iframes, shadow DOM,
MHTML) against a real Chromium."""

from __future__ import annotations

import re

import pytest

from seleniumcrawl import CrawlerRunConfig, WebCrawler
from seleniumcrawl.async_configs import VirtualScrollConfig
from seleniumcrawl.demo.site import DemoSite

# A feed that shows 5 of 50 rows at a time and replaces them as it scrolls (like Twitter's).
VIRTUAL_FEED = """raw:<html><body>
<div id="feed" style="height:200px; overflow-y:scroll; position:relative">
  <div id="spacer" style="height:2000px"></div>
</div>
<script>
  const feed = document.getElementById('feed');
  const render = () => {
    const first = Math.floor(feed.scrollTop / 40);
    for (const old of Array.from(feed.querySelectorAll('.row'))) old.remove();
    for (let i = first; i < Math.min(50, first + 5); i++) {
      const row = document.createElement('div');
      row.className = 'row';
      row.style = 'position:absolute; top:' + (i * 40) + 'px; height:40px';
      row.textContent = 'Row ' + i;
      feed.appendChild(row);
    }
  };
  feed.addEventListener('scroll', render);
  render();
</script></body></html>"""

SHADOW = """raw:<html><body><my-card><span slot="title">Slotted title</span></my-card>
<script>
  const host = document.querySelector('my-card');
  const root = host.attachShadow({mode: 'open'});
  root.innerHTML = '<h2><slot name="title"></slot></h2><p class="inside">Shadow text</p>';
</script></body></html>"""

IFRAMES = """raw:<html><body><p>outer</p>
<iframe srcdoc="<p class='framed'>Inside the frame</p>"></iframe>
</body></html>"""


def test_virtual_scroll_keeps_every_row_once_in_order(shared_crawler: WebCrawler) -> None:
    """Rows seen at every scroll position end up in html once each, in order."""
    scroll = VirtualScrollConfig(
        container_selector="#feed",
        scroll_count=12,
        scroll_by="container_height",
        wait_after_scroll=0.05,
    )
    result = shared_crawler.run(VIRTUAL_FEED, config=CrawlerRunConfig(virtual_scroll_config=scroll))
    assert result.success, result.error_message
    rows = [int(n) for n in re.findall(r">Row (\d+)<", result.html)]
    assert rows == list(range(50))
    plain = shared_crawler.run(VIRTUAL_FEED, config=CrawlerRunConfig(js_code="return 1"))
    assert len(re.findall(r">Row (\d+)<", plain.html)) == 5


def test_virtual_scroll_selector_matching_nothing_fails_clearly(
    shared_crawler: WebCrawler,
) -> None:
    """A container selector that matches nothing fails the crawl naming the selector."""
    scroll = VirtualScrollConfig(container_selector="#nope", scroll_count=2)
    result = shared_crawler.run(VIRTUAL_FEED, config=CrawlerRunConfig(virtual_scroll_config=scroll))
    assert not result.success
    assert "'#nope' matches no element" in (result.error_message or "")


def test_virtual_scroll_config_is_validated() -> None:
    """Bad VirtualScrollConfig values and a dict instead of one raise naming the field."""
    with pytest.raises(ValueError, match="scroll_by"):
        VirtualScrollConfig(container_selector="#f", scroll_by="half")
    with pytest.raises(ValueError, match="scroll_count"):
        VirtualScrollConfig(container_selector="#f", scroll_count=0)
    with pytest.raises(ValueError, match="container_selector"):
        VirtualScrollConfig(container_selector=" ")
    with pytest.raises(TypeError, match="virtual_scroll_config"):
        CrawlerRunConfig(virtual_scroll_config={"container_selector": "#f"})


def test_flatten_shadow_dom_inlines_open_roots(shared_crawler: WebCrawler) -> None:
    """Open shadow roots (with their slots filled) are in html only with flatten_shadow_dom."""
    flat = shared_crawler.run(SHADOW, config=CrawlerRunConfig(flatten_shadow_dom=True))
    assert flat.success, flat.error_message
    assert '<p class="inside">Shadow text</p>' in flat.html
    assert '<h2><span slot="title">Slotted title</span></h2>' in flat.html
    assert "Shadow text" in str(flat.markdown)
    plain = shared_crawler.run(SHADOW, config=CrawlerRunConfig(js_code="return 1"))
    assert "<my-card><h2>" in flat.html and "<my-card><h2>" not in plain.html


def test_process_iframes_inlines_frame_content(shared_crawler: WebCrawler) -> None:
    """Same-origin iframe bodies are inlined into html with process_iframes."""
    result = shared_crawler.run(IFRAMES, config=CrawlerRunConfig(process_iframes=True))
    assert result.success, result.error_message
    assert "Inside the frame" in result.html and "iframe-content" in result.html
    assert "<iframe" not in result.html


def test_wait_for_images_waits_for_slow_images(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """With wait_for_images the crawl returns after a slow image finished, not before."""
    add_image = (
        "const img = new Image();"
        " img.onerror = img.onload = () => { document.body.dataset.img = 'done'; };"
        f" img.src = '{site.url('/slow?ms=1500')}'; document.body.appendChild(img);"
    )
    config = CrawlerRunConfig(js_code_before_wait=add_image)
    waited = shared_crawler.run(site.url("/page/1"), config=config.clone(wait_for_images=True))
    assert waited.success and 'data-img="done"' in waited.html
    assert waited.timings["prepare"] >= 1000
    hurried = shared_crawler.run(site.url("/page/1"), config=config)
    assert hurried.success and 'data-img="done"' not in hurried.html


def test_js_code_before_wait_runs_before_wait_for(shared_crawler: WebCrawler) -> None:
    """js_code_before_wait makes what wait_for waits for; js_code then sees it."""
    config = CrawlerRunConfig(
        js_code_before_wait="setTimeout(() => document.body.insertAdjacentHTML('beforeend', "
        "'<p id=late>late</p>'), 200);",
        wait_for="#late",
        wait_for_timeout=5000,
    )
    result = shared_crawler.run("raw:<html><body><p>x</p></body></html>", config=config)
    assert result.success, result.error_message
    assert 'id="late"' in result.html


def test_capture_mhtml(shared_crawler: WebCrawler, site: DemoSite) -> None:
    """capture_mhtml gives an MHTML archive of the page (with its stylesheet)."""
    result = shared_crawler.run(site.url("/commits"), config=CrawlerRunConfig(capture_mhtml=True))
    assert result.success, result.error_message
    assert result.mhtml is not None and result.mhtml.startswith("From: <Saved by Blink>")
    assert "Content-Type: multipart/related" in result.mhtml and "style.css" in result.mhtml
    assert shared_crawler.run(site.url("/commits")).mhtml is None
