"""The browser steps of one crawl (navigate, ``js_code``, ``wait_for``, settle, capture).

Every function here takes a :class:`~seleniumcrawl.browser.tab.Tab`, so the steps are
written once for both transports: over BiDi they run on one of the driver's page
threads and address the tab by id; on the classic path they run on the driver's own
thread, in the window the pool focused. The tab's own failures (a script that threw,
a document that went away, a load that timed out) are translated here into
:mod:`seleniumcrawl.errors` crawl errors, raised ``from`` the original; the pool decides
whether a failure means the browser died.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import attrs

from seleniumcrawl.browser.downloads import CrawlDownloads
from seleniumcrawl.browser.idle import IN_PAGE_IDLE, QUIET_S, BidiNetworkIdle
from seleniumcrawl.browser.storage import READ_LOCAL_STORAGE
from seleniumcrawl.browser.tab import (
    BidiTab,
    JsError,
    NavigationFailed,
    NavigationTimeout,
    PageGoneError,
    ScriptTimeoutError,
    Tab,
)
from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.errors import NavigationError, PageTimeoutError, ScriptError, WaitTimeoutError
from seleniumcrawl.urls import Target

log = logging.getLogger(__name__)

#: Slices of the wait for a new document when a download may end it instead (ms).
_DOWNLOAD_SLICE_MS = 200.0
_POLL = 0.05  # seconds between wait_for polls; a poll is one short round trip
#: Bound of the short helper scripts (snapshot, checks); page scripts get page_timeout.
_QUICK_MS = 30_000.0
#: How much longer than an in-page wait its call may take before it counts as hung.
_MARGIN_MS = 5_000.0

# Runs one js_code snippet as the body of an async function so `return` and `await`
# work and a syntax error is reported like any thrown error. It marks the document
# and records whether the script started a cross-document navigation (Navigation API;
# a `beforeunload` fallback for browsers without it).
_RUN_SNIPPET = """
async (src, token, tick) => {
  window.__seleniumcrawl_doc = token;
  const state = {navigating: false, downloads: 0};
  const onNavigate = (e) => {
    if (e.downloadRequest !== null && e.downloadRequest !== undefined) state.downloads++;
    else if (!e.destination || !e.destination.sameDocument) state.navigating = true;
  };
  const onUnload = () => { state.navigating = true; };
  if (window.navigation) navigation.addEventListener('navigate', onNavigate);
  window.addEventListener('beforeunload', onUnload);
  const finish = (payload) => {
    if (window.navigation) navigation.removeEventListener('navigate', onNavigate);
    window.removeEventListener('beforeunload', onUnload);
    payload.navigating = state.navigating;
    payload.downloads = state.downloads;
    return payload;
  };
  const plain = (v) => {
    if (v === undefined) return null;
    if (v instanceof Element) return v.outerHTML;
    try { return JSON.parse(JSON.stringify(v)); } catch (e) { return String(v); }
  };
  const describe = (e) =>
    (e && e.name && e.message !== undefined) ? `${e.name}: ${e.message}` : String(e);
  let fn;
  try {
    fn = new (Object.getPrototypeOf(async function () {}).constructor)(src);
  } catch (e) {
    return finish({ok: false, error: describe(e)});
  }
  let payload;
  try {
    payload = {ok: true, value: plain(await fn())};
  } catch (e) {
    payload = {ok: false, error: describe(e)};
  }
  // A form's submit() starts its navigation in a task of its own: let it start (and
  // fire 'navigate') before answering. WebDriver classic waits for it by itself.
  if (tick) await new Promise((r) => setTimeout(r, 0));
  return finish(payload);
}
"""

# Some failures (unsafe ports, blocked schemes) load the browser's own error page
# instead of failing the navigation; recognise Chromium's and Firefox's.
_ERROR_OF_PAGE = """
const errorOfPage = () => {
  if (location.href.startsWith('chrome-error://')) {
    const el = document.querySelector('.error-code');
    return 'net::' + (el && el.textContent.trim() ? el.textContent.trim() : 'ERR_FAILED');
  }
  if (location.href.startsWith('about:neterror')) {
    return new URLSearchParams(location.search).get('e') || 'network error';
  }
  return null;
};
"""
_ERROR_PAGE = "() => {" + _ERROR_OF_PAGE + "return errorOfPage(); }"

_SNAPSHOT = (
    "() => {"
    + _ERROR_OF_PAGE
    + """
const nav = performance.getEntriesByType('navigation')[0];
return [location.href, nav && nav.responseStatus ? nav.responseStatus : null,
        document.documentElement ? document.documentElement.outerHTML : '', errorOfPage(),
        ("""
    + READ_LOCAL_STORAGE
    + """)()];
}"""
)

_SCROLL_FULL_PAGE = """
async (maxSteps, delayMs) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, delayMs)));
  let last = -1;
  for (let i = 0; i < maxSteps; i++) {
    window.scrollBy(0, window.innerHeight);
    await frame();
    const height = document.documentElement.scrollHeight;
    const bottom = window.scrollY + window.innerHeight >= height - 2;
    if (bottom && height === last) break;
    last = height;
  }
  window.scrollTo(0, 0);
  return true;
}
"""

_REMOVE_OVERLAYS = """
() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  let removed = 0;
  for (const el of Array.from(document.body ? document.body.querySelectorAll('*') : [])) {
    const style = getComputedStyle(el);
    if (style.position !== 'fixed' && style.position !== 'sticky') continue;
    const r = el.getBoundingClientRect();
    const covers = r.width * r.height >= 0.3 * vw * vh;
    const label = el.id + ' ' + el.className;
    const consent = /cookie|consent|gdpr|overlay|modal|popup|newsletter/i.test(label);
    if (covers || consent) { el.remove(); removed++; }
  }
  document.documentElement.style.overflow = 'auto';
  if (document.body) document.body.style.overflow = 'auto';
  return removed;
}
"""

_LOAD_RAW = "(html) => { document.open(); document.write(html); document.close(); return true; }"

_NEW_DOCUMENT = (
    "(token) => window.__seleniumcrawl_doc !== token && document.readyState === 'complete'"
)

_CSS_MATCHES = "(selector) => document.querySelector(selector) !== null"


def _in_page_wait(condition: str) -> str:
    """A function polling ``condition(...args)`` in the page every 50 ms until it holds
    (true) or ``timeoutMs`` passed (false): one round trip, no polling from here."""
    return (
        "async (timeoutMs, ...args) => {\n"
        f"  const cond = ({condition});\n"
        "  const deadline = Date.now() + timeoutMs;\n"
        "  for (;;) {\n"
        "    if (await cond(...args)) return true;\n"
        "    if (Date.now() >= deadline) return false;\n"
        "    await new Promise((r) => setTimeout(r, 50));\n"
        "  }\n"
        "}"
    )


def _wait_until(tab: Tab, condition: str, args: tuple[Any, ...], timeout_ms: float) -> bool:
    """Whether ``condition`` held within ``timeout_ms``; a page that navigates meanwhile
    is checked again once its new document is there (``JsError`` propagates)."""
    deadline = time.monotonic() + timeout_ms / 1000
    function = _in_page_wait(condition)
    while True:
        remaining = max(0.0, (deadline - time.monotonic()) * 1000)
        try:
            # The page enforces the bound itself; the call's own bound is looser.
            return bool(tab.call(function, remaining, *args, timeout_ms=remaining + _MARGIN_MS))
        except PageGoneError:
            if time.monotonic() >= deadline:
                return False


@attrs.define
class Capture:
    """What the browser part of a crawl produced."""

    html: str
    redirected_url: str
    #: The status of the document's (final) response.
    status_code: int | None
    #: The status of the navigation's first response (a redirect's 3xx), where known.
    first_status: int | None = None
    js_execution_result: dict[str, Any] | None = None
    screenshot: str | None = None
    pdf: bytes | None = None
    network_requests: list[dict[str, Any]] | None = None
    console_messages: list[dict[str, Any]] | None = None
    mhtml: str | None = None
    #: ``[origin, [[name, value], ...]]``: the page's localStorage at capture (for
    #: export_storage_state; never cached, never part of the result).
    local_storage: Any = None
    downloaded_files: list[str] | None = None


#: ``wait_until`` -> how far the navigation itself waits (BiDi ``wait``). "commit" waits
#: for the parsed document too: the steps after it read the new document, not the old one.
_DOCUMENT_READY = {
    "commit": "interactive",
    "domcontentloaded": "interactive",
    "load": "complete",
    "networkidle": "complete",
}


def navigate(tab: Tab, target: Target, config: CrawlerRunConfig) -> int | None:
    """Load the target into the tab (step 3), bounded by ``page_timeout`` and
    ``wait_until``; the status of its first response where the transport sees it (a
    redirect's 3xx), else None.

    An error page is detected here only when browser steps follow (they must not run
    on it); otherwise :func:`capture` detects it in its one snapshot round trip.
    """
    url = "about:blank" if target.raw_html is not None else target.url
    idle = None
    if config.wait_until == "networkidle" and target.raw_html is None and isinstance(tab, BidiTab):
        idle = BidiNetworkIdle(tab)
        idle.start()
    started = time.monotonic()
    try:
        first_hop = tab.navigate(url, config.page_timeout, _DOCUMENT_READY[config.wait_until])
        if config.wait_until == "networkidle" and target.raw_html is None:
            left_ms = max(0.0, config.page_timeout - (time.monotonic() - started) * 1000)
            if idle is not None:
                quiet = idle.wait(left_ms / 1000)
            else:
                quiet = bool(
                    tab.call(IN_PAGE_IDLE, QUIET_S * 1000, left_ms, timeout_ms=left_ms + _MARGIN_MS)
                )
            if not quiet:
                raise PageTimeoutError(
                    f"wait_until='networkidle': the network of {target.url} was not idle "
                    f"within page_timeout ({config.page_timeout:g} ms)"
                )
    except NavigationTimeout as exc:
        raise PageTimeoutError(
            f"page_timeout of {config.page_timeout:g} ms exceeded loading {target.url}"
        ) from exc
    except NavigationFailed as exc:
        raise NavigationError(f"could not load {target.url}: {exc}") from exc
    finally:
        if idle is not None:
            idle.stop()
    if target.raw_html is not None:
        tab.evaluate(_LOAD_RAW, target.raw_html)
        return None
    if _steps_follow(config):
        error = tab.evaluate(_ERROR_PAGE)
        if error:
            raise NavigationError(f"could not load {target.url}: {error}")
    return first_hop


def _steps_follow(config: CrawlerRunConfig) -> bool:
    return bool(
        config.scripts
        or config.scripts_before_wait
        or config.wait_for
        or config.scan_full_page
        or config.remove_overlay_elements
        or config.virtual_scroll_config
        or config.process_iframes
    )


def run_scripts(
    tab: Tab,
    config: CrawlerRunConfig,
    scripts: list[str] | None = None,
    downloads: CrawlDownloads | None = None,
) -> dict[str, Any]:
    """Run each ``js_code`` script in order (step 4).

    A script that throws is recorded in the result (``success`` False, its message in
    ``errors``) and the crawl goes on, as in Crawl4AI; with ``fail_on_js_error`` it
    fails the crawl instead. With ``downloads``, a script's ``<a download>`` clicks are
    announced to it, and a navigation that turns into a download ends the wait for a
    new document.
    """
    results: list[Any] = []
    errors: list[dict[str, Any]] = []
    for index, script in enumerate(config.scripts if scripts is None else scripts):
        token = uuid.uuid4().hex
        began = downloads.began if downloads is not None else 0
        try:
            tick = not tab.waits_for_navigation
            outcome = tab.call(_RUN_SNIPPET, script, token, tick, timeout_ms=config.page_timeout)
        except ScriptTimeoutError as exc:
            raise ScriptError(
                f"js_code[{index}] did not finish within page_timeout ({config.page_timeout:g} ms)"
            ) from exc
        except PageGoneError:
            # The page navigated away before the script could answer: a navigation.
            outcome = {"ok": True, "value": None, "navigating": True}
        except JsError as exc:
            message = str(exc)
            if "dialog" in message:
                raise ScriptError(_dialog_message(index)) from exc
            raise ScriptError(f"js_code[{index}] failed: {message}") from exc
        if not outcome.get("ok"):
            message = f"js_code[{index}] threw {outcome.get('error')}"
            if config.fail_on_js_error:
                raise ScriptError(message)
            log.info("%s (recorded in js_execution_result; the crawl goes on)", message)
            errors.append({"index": index, "error": str(outcome.get("error"))})
            results.append(None)
            continue
        results.append(outcome.get("value"))
        if downloads is not None and outcome.get("downloads"):
            downloads.expect(int(outcome["downloads"]), since=began)
        if outcome.get("navigating"):
            _wait_for_new_document(tab, token, config.page_timeout, index, downloads, began)
    if errors:
        return {"success": False, "results": results, "errors": errors}
    return {"success": True, "results": results}


def _dialog_message(index: int) -> str:
    return (
        f"js_code[{index}] was interrupted by a JavaScript dialog (alert, confirm or prompt) "
        "and gave no result; dialogs are dismissed, so avoid opening them in js_code"
    )


def _wait_for_new_document(
    tab: Tab,
    token: str,
    timeout_ms: float,
    index: int,
    downloads: CrawlDownloads | None = None,
    began: int = 0,
) -> None:
    """After a script started a navigation: wait until the new page has loaded, or
    (with ``downloads``) until the navigation turned into a download."""
    loaded = False
    try:
        if downloads is None:
            loaded = _wait_until(tab, _NEW_DOCUMENT, (token,), timeout_ms)
        else:
            # The page cannot tell that its navigation became a download (the document
            # stays); the browser's download event can: check both, in short slices.
            deadline = time.monotonic() + timeout_ms / 1000
            while not loaded and time.monotonic() < deadline:
                if downloads.began_since(began):
                    return
                left = (deadline - time.monotonic()) * 1000
                loaded = _wait_until(tab, _NEW_DOCUMENT, (token,), min(_DOWNLOAD_SLICE_MS, left))
    except JsError:
        loaded = False
    if not loaded:
        raise NavigationError(
            f"the navigation started by js_code[{index}] did not finish within "
            f"page_timeout ({timeout_ms:g} ms)"
        )


def parse_wait_for(condition: str) -> tuple[str, str]:
    """Split a ``wait_for`` string into ("css" | "js", body) (the grammar in the README)."""
    stripped = condition.strip()
    if stripped.startswith("css:"):
        return "css", stripped[4:].strip()
    if stripped.startswith("js:"):
        return "js", stripped[3:].strip()
    if stripped.startswith(("()", "function", "async")):
        return "js", stripped
    return "css", stripped


def wait_for(tab: Tab, config: CrawlerRunConfig) -> None:
    """Wait for ``config.wait_for`` (step 5), bounded by its timeout."""
    assert config.wait_for is not None
    kind, body = parse_wait_for(config.wait_for)
    timeout_ms = config.effective_wait_timeout
    args: tuple[Any, ...] = ()
    if kind == "css":
        function, args = _CSS_MATCHES, (body,)
    else:
        # An expression or a function; a function is called and a promise awaited.
        function = (
            f"async () => {{ const __c = ({body});\n"
            "return (typeof __c === 'function') ? await __c() : __c; }"
        )

    started = time.monotonic()
    try:
        held = _wait_until(tab, function, args, timeout_ms)
    except JsError as exc:
        raise ScriptError(f"wait_for {config.wait_for!r} is not valid: {exc}") from exc
    if not held:
        waited = (time.monotonic() - started) * 1000
        raise WaitTimeoutError(
            f"wait_for {config.wait_for!r} did not hold within {timeout_ms:g} ms "
            f"(waited {waited:.0f} ms)"
        )


def settle(tab: Tab, config: CrawlerRunConfig) -> None:
    """Step 6: the user's delay, full-page scroll, overlay removal."""
    if config.delay_before_return_html:
        # An explicit, user-requested pause (e.g. for animations), not a wait for a condition.
        time.sleep(config.delay_before_return_html)
    if config.scan_full_page:
        delay_ms = round(config.scroll_delay * 1000)
        tab.call(_SCROLL_FULL_PAGE, 200, delay_ms, timeout_ms=config.page_timeout)
    if config.remove_overlay_elements:
        tab.call(_REMOVE_OVERLAYS, timeout_ms=_QUICK_MS)


_IMAGES_DONE = "() => Array.from(document.images).every((img) => img.complete)"

_VIRTUAL_SCROLL = r"""
async (cfg) => {
  const box = document.querySelector(cfg.container_selector);
  if (!box) return {error: 'no element matches'};
  const seen = new Set();
  const items = [];
  const collect = () => {
    for (const el of Array.from(box.children)) {
      const text = (el.textContent || '').replace(/\s+/g, ' ').trim();
      const key = text || el.outerHTML;
      if (!seen.has(key)) { seen.add(key); items.push(el.outerHTML); }
    }
  };
  collect();
  const scroller = box.scrollHeight > box.clientHeight ? box : document.scrollingElement;
  for (let i = 0; i < cfg.scroll_count; i++) {
    const by = cfg.scroll_by === 'container_height' ? box.clientHeight
      : cfg.scroll_by === 'page_height' ? window.innerHeight : cfg.scroll_by;
    scroller.scrollTop = scroller.scrollTop + by;
    // Scroll events fire with the next frame: let it come (bounded: a hidden page has none).
    await Promise.race([new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))),
                        new Promise((r) => setTimeout(r, 100))]);
    await new Promise((r) => setTimeout(r, cfg.wait_after_scroll * 1000));
    collect();
  }
  box.innerHTML = items.join('');
  return {items: items.length};
}
"""

_INLINE_IFRAMES = """
async (timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  // A frame still on its initial about:blank (its src or srcdoc not loaded yet) is waited for.
  const loaded = (frame) => {
    let doc = null;
    try { doc = frame.contentDocument; } catch (e) { return true; }
    if (!doc) return true;  // cross-origin: nothing to wait for, nothing to read
    const pending = (frame.getAttribute('src') || frame.hasAttribute('srcdoc'))
      && doc.location.href === 'about:blank' && !frame.hasAttribute('data-sc-loaded');
    return !pending && doc.readyState === 'complete';
  };
  let inlined = 0;
  const walk = async (doc) => {
    for (const frame of Array.from(doc.querySelectorAll('iframe'))) {
      while (!loaded(frame) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      let inner = null;
      try { inner = frame.contentDocument; } catch (e) { inner = null; }
      if (!inner || !inner.body) continue;  // cross-origin: not reachable from the page
      await walk(inner);
      const div = doc.createElement('div');
      div.className = 'iframe-content';
      div.setAttribute('data-iframe-src', frame.getAttribute('src') || '');
      div.innerHTML = inner.body.innerHTML;
      frame.replaceWith(div);
      inlined++;
    }
  };
  await walk(document);
  return inlined;
}
"""

_FLATTENED_HTML = r"""
() => {
  const voids = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link',
    'meta', 'source', 'track', 'wbr']);
  const esc = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const attrs = (el) => Array.from(el.attributes)
    .map((a) => ` ${a.name}="${a.value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join('');
  const children = (node) => Array.from(node.childNodes).map(ser).join('');
  const ser = (node) => {
    if (node.nodeType === 3) {
      const raw = node.parentNode && ['SCRIPT', 'STYLE'].includes(node.parentNode.nodeName);
      return raw ? node.data : esc(node.data);
    }
    if (node.nodeType === 8) return `<!--${node.data}-->`;
    if (node.nodeType === 11) return children(node);
    if (node.nodeType !== 1) return '';
    const tag = node.localName;
    if (tag === 'slot') {
      const assigned = node.assignedNodes();
      return assigned.length ? assigned.map(ser).join('') : children(node);
    }
    const inner = node.shadowRoot ? ser(node.shadowRoot)
      : tag === 'template' ? children(node.content) : children(node);
    return voids.has(tag) ? `<${tag}${attrs(node)}>` : `<${tag}${attrs(node)}>${inner}</${tag}>`;
  };
  return ser(document.documentElement);
}
"""


def prepare(tab: Tab, config: CrawlerRunConfig) -> None:
    """After ``wait_for``: wait for images, run the virtual scroll, inline iframes."""
    if config.wait_for_images and not _wait_until(tab, _IMAGES_DONE, (), config.page_timeout):
        log.info("wait_for_images: not every image finished within page_timeout; going on")
    scroll = config.virtual_scroll_config
    if scroll is not None:
        outcome = tab.call(
            _VIRTUAL_SCROLL,
            scroll.to_dict(),
            timeout_ms=config.page_timeout + scroll.scroll_count * scroll.wait_after_scroll * 1000,
        )
        if outcome.get("error"):
            raise ScriptError(
                f"virtual_scroll_config: container_selector {scroll.container_selector!r} "
                "matches no element"
            )
    if config.process_iframes:
        # Frames still loading get up to 5 s (srcdoc/src frames load after their parent).
        tab.call(_INLINE_IFRAMES, 5000, timeout_ms=_QUICK_MS)


def capture(tab: Tab, target: Target, config: CrawlerRunConfig) -> Capture:
    """Step 7: HTML, URL, status, screenshot, PDF and MHTML."""
    href, status, html, error, local_storage = tab.evaluate(_SNAPSHOT)
    if target.raw_html is not None:
        href, status = target.url, None
    elif error:
        raise NavigationError(f"could not load {target.url}: {error}")
    if config.flatten_shadow_dom:
        html = tab.evaluate(_FLATTENED_HTML)
    mhtml = None
    if config.capture_mhtml:
        if tab.is_chromium:
            mhtml = str(tab.cdp("Page.captureSnapshot", {"format": "mhtml"})["data"])
        else:
            log.warning("capture_mhtml needs Chromium (CDP Page.captureSnapshot); skipped")
    shot = tab.screenshot_png_b64() if config.screenshot else None
    pdf = tab.print_pdf() if config.pdf else None
    return Capture(
        html=str(html),
        redirected_url=str(href),
        status_code=int(status) if status else None,
        screenshot=shot,
        pdf=pdf,
        mhtml=mhtml,
        local_storage=local_storage,
    )
