"""``seleniumcrawl.Page``: the page Crawl4AI's hooks receive, with Playwright's names.

Hooks run on the thread that owns the page (see :mod:`seleniumcrawl.hooks`), so each
awaitable method here just calls the synchronous :class:`~seleniumcrawl.browser.tab.Tab`
and returns; ``await`` is there so Crawl4AI's hook code runs unchanged.

Element handles are entries of an in-page registry (``window.__scHandles``), not
attributes stamped on the element, so they leave the captured HTML untouched; like
Playwright's, they die with their document.

``page.driver`` is Selenium's WebDriver, focused on this page's window. It exists on
the classic path only (``BrowserConfig(use_bidi=False)``): over BiDi the page is
driven from a page thread, where the classic client may not be used; asking for it
there raises :class:`RuntimeError` saying so.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from selenium.webdriver.remote.webdriver import WebDriver

from seleniumcrawl.browser import cookies as jar
from seleniumcrawl.browser.routes import DONE, Done, Matcher, RouteHandler, routes_of
from seleniumcrawl.browser.tab import BidiTab, ClassicTab, Tab

_DEFAULT_TIMEOUT_MS = 30_000.0

_REGISTER = """
(els) => {
  const reg = (window.__scHandles = window.__scHandles || []);
  return els.map((el) => { reg.push(el); return reg.length - 1; });
}
"""

_QUERY = (
    "(selector, scope) => { const root = scope === null ? document : window.__scHandles[scope];"
    " if (!root) throw new Error('the element handle is gone (its page changed)');"
    " const found = Array.from(root.querySelectorAll(selector));"
    " return (" + _REGISTER + ")(found); }"
)

_ON_ELEMENT = """
async (id, arg) => {
  const el = (window.__scHandles || [])[id];
  if (!el) throw new Error('the element handle is gone (its page changed)');
  const fn = (%s);
  return await fn(el, arg);
}
"""

_FILL = """(el, value) => {
  el.focus();
  if ('value' in el) el.value = value; else el.textContent = value;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
}"""

_TYPE = """(el, text) => {
  el.focus();
  for (const ch of text) {
    el.dispatchEvent(new KeyboardEvent('keydown', {key: ch, bubbles: true}));
    if ('value' in el) el.value += ch; else el.textContent += ch;
    el.dispatchEvent(new InputEvent('input', {data: ch, bubbles: true}));
    el.dispatchEvent(new KeyboardEvent('keyup', {key: ch, bubbles: true}));
  }
  el.dispatchEvent(new Event('change', {bubbles: true}));
}"""

_CLICK = "(el) => { el.scrollIntoView({block: 'center'}); el.click(); }"

_VISIBLE = """(el) => {
  const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
}"""

_WAIT_SELECTOR = (
    """
async (selector, state, timeoutMs) => {
  const visible = """
    + _VISIBLE
    + """;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const el = document.querySelector(selector);
    const ok = state === 'attached' ? !!el : state === 'detached' ? !el
      : state === 'hidden' ? (!el || !visible(el)) : (!!el && visible(el));
    if (ok) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
"""
)

_WAIT_LOAD = """
async (state, timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  const ready = () => state === 'domcontentloaded' ? document.readyState !== 'loading'
    : document.readyState === 'complete';
  while (!ready()) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (state !== 'networkidle') return true;
  // No new resource entry for 500 ms (Playwright: no request for 500 ms).
  let count = performance.getEntriesByType('resource').length, since = Date.now();
  while (Date.now() - since < 500) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
    const now = performance.getEntriesByType('resource').length;
    if (now !== count) { count = now; since = Date.now(); }
  }
  return true;
}
"""

_EVALUATE = (
    "async (arg) => { const __v = (%s); return typeof __v === 'function' ? await __v(arg) : __v; }"
)


class PageTimeoutError(TimeoutError):
    """A Page wait did not hold in time (Playwright raises its ``TimeoutError`` alike)."""


class Response:
    """What ``goto`` and the ``after_goto`` hook get: the main document's URL and status."""

    def __init__(self, url: str, status: int | None) -> None:
        self.url = url
        self.status = status

    @property
    def ok(self) -> bool:
        """True when the status is unknown or in 200-299."""
        return self.status is None or 200 <= self.status < 300

    def __repr__(self) -> str:
        return f"<Response url={self.url!r} status={self.status}>"


def _timeout(timeout: float | None) -> float:
    return _DEFAULT_TIMEOUT_MS if timeout is None else float(timeout)


class ElementHandle:
    """An element of the page (Playwright's ``ElementHandle``)."""

    def __init__(self, page: Page, handle_id: int) -> None:
        self._page = page
        self._id = handle_id

    def _on(self, function: str, arg: Any = None) -> Any:
        return self._page.tab.call(
            _ON_ELEMENT % function, self._id, arg, timeout_ms=_DEFAULT_TIMEOUT_MS
        )

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        """Call the JS function ``expression`` with this element (and ``arg``)."""
        return self._on(expression, arg)

    async def text_content(self) -> str | None:
        """The element's ``textContent``."""
        return self._on("(el) => el.textContent")  # type: ignore[no-any-return]

    async def inner_text(self) -> str:
        """The element's rendered text (``innerText``)."""
        return str(self._on("(el) => el.innerText"))

    async def inner_html(self) -> str:
        """The element's ``innerHTML``."""
        return str(self._on("(el) => el.innerHTML"))

    async def get_attribute(self, name: str) -> str | None:
        """The attribute's value, None when absent."""
        return self._on("(el, name) => el.getAttribute(name)", name)  # type: ignore[no-any-return]

    async def is_visible(self) -> bool:
        """Whether the element has a box and is not hidden."""
        return bool(self._on(_VISIBLE))

    async def click(self) -> None:
        """Scroll the element into view and click it."""
        self._on(_CLICK)

    async def fill(self, value: str) -> None:
        """Set the field's value, firing ``input`` and ``change``."""
        self._on(_FILL, value)

    async def type(self, text: str, delay: float = 0) -> None:
        """Type ``text`` a character at a time (key and input events)."""
        self._on(_TYPE, text)

    async def query_selector(self, selector: str) -> ElementHandle | None:
        """The first descendant matching ``selector``."""
        found = self._page._query(selector, self._id)
        return found[0] if found else None

    async def query_selector_all(self, selector: str) -> list[ElementHandle]:
        """Every descendant matching ``selector``."""
        return self._page._query(selector, self._id)


class BrowserContext:
    """The page's cookie jar (Playwright's ``BrowserContext``; cookies in its format)."""

    def __init__(self, tab: Tab) -> None:
        self._tab = tab

    async def add_cookies(self, cookies: list[dict[str, Any]]) -> None:
        """Add cookies (each with ``name``, ``value`` and ``url`` or ``domain``)."""
        jar.add_cookies(self._tab, cookies)

    async def cookies(self, urls: str | list[str] | None = None) -> list[dict[str, Any]]:
        """The jar's cookies, those matching ``urls`` when given."""
        found = jar.get_cookies(self._tab)
        if urls is None:
            return found
        from urllib.parse import urlsplit

        hosts = {urlsplit(u).hostname or "" for u in ([urls] if isinstance(urls, str) else urls)}
        return [
            c
            for c in found
            if any(h == str(c["domain"]).lstrip(".") or h.endswith(str(c["domain"])) for h in hosts)
        ]

    async def clear_cookies(self) -> None:
        """Remove every cookie."""
        jar.clear_cookies(self._tab)

    def route(self, url: Matcher, handler: RouteHandler) -> Done:
        """Route this window's requests matching ``url`` to ``handler`` (as
        :meth:`Page.route`: the context of a hook's page is its window here)."""
        routes_of(self._tab).add(url, handler)  # type: ignore[union-attr]
        return DONE

    def unroute(self, url: Matcher, handler: RouteHandler | None = None) -> Done:
        """Remove routes added with ``url`` (and ``handler``)."""
        routes = routes_of(self._tab, create=False)
        if routes is not None:
            routes.remove(url, handler)
        return DONE


class Page:
    """A crawl's page as Crawl4AI's hooks use it; see the module docstring."""

    def __init__(self, tab: Tab) -> None:
        self.tab = tab
        self.context = BrowserContext(tab)

    @property
    def driver(self) -> WebDriver:
        """Selenium's WebDriver, focused on this page (classic path only)."""
        if isinstance(self.tab, ClassicTab):
            return self.tab.drv.webdriver
        raise RuntimeError(
            "page.driver is not available over WebDriver BiDi (the page runs on a page "
            "thread, where Selenium's client may not be used); use the Page methods, or "
            "BrowserConfig(use_bidi=False) for the classic WebDriver"
        )

    def route(self, url: Matcher, handler: RouteHandler) -> Done:
        """Send this page's requests whose URL matches ``url`` (a Playwright glob such as
        ``"**/*.{png,jpg}"``, a compiled regex or a predicate) to ``handler(route)`` or
        ``handler(route, request)``, plain or ``async``; it answers with
        ``route.abort()``, ``route.continue_(...)`` or ``route.fulfill(...)``. BiDi only;
        the route stays with the page's window (a session's later crawls keep it)."""
        routes_of(self.tab).add(url, handler)  # type: ignore[union-attr]
        return DONE

    def unroute(self, url: Matcher, handler: RouteHandler | None = None) -> Done:
        """Remove the routes added with ``url`` (and ``handler`` when given)."""
        routes = routes_of(self.tab, create=False)
        if routes is not None:
            routes.remove(url, handler)
        return DONE

    @property
    def url(self) -> str:
        """The page's current URL (a property, as in Playwright)."""
        return str(self.tab.evaluate("() => location.href"))

    def _query(self, selector: str, scope: int | None = None) -> list[ElementHandle]:
        ids = self.tab.call(_QUERY, selector, scope, timeout_ms=_DEFAULT_TIMEOUT_MS)
        return [ElementHandle(self, int(i)) for i in ids]

    async def goto(
        self, url: str, *, timeout: float | None = None, wait_until: str = "load", **_: Any
    ) -> Response:
        """Load ``url`` (waiting for its load event, bounded by ``timeout`` ms)."""
        self.tab.navigate(url, _timeout(timeout))
        href, status = self.tab.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return [location.href, n && n.responseStatus ? n.responseStatus : null]; }"
        )
        return Response(str(href), int(status) if status else None)

    async def evaluate(self, expression: str, arg: Any = None) -> Any:
        """Evaluate a JS expression, or call a JS function with ``arg``; its JSON value.

        A statement's trailing ``;`` is accepted, as Playwright accepts it
        (``page.evaluate("window.scrollTo(0, 0);")`` in Crawl4AI's hook examples)."""
        expression = expression.strip().rstrip(";").rstrip()
        return self.tab.call(_EVALUATE % expression, arg, timeout_ms=_DEFAULT_TIMEOUT_MS)

    async def wait_for_selector(
        self, selector: str, *, state: str = "visible", timeout: float | None = None
    ) -> ElementHandle | None:
        """Wait until ``selector`` is in ``state`` (visible, attached, hidden, detached)."""
        if state not in ("visible", "attached", "hidden", "detached"):
            raise ValueError(
                f"wait_for_selector state must be visible, attached, hidden or "
                f"detached, got {state!r}"
            )
        limit = _timeout(timeout)
        held = self.tab.call(_WAIT_SELECTOR, selector, state, limit, timeout_ms=limit + 5000)
        if not held:
            raise PageTimeoutError(
                f"wait_for_selector({selector!r}, state={state!r}) timed out after {limit:g} ms"
            )
        if state in ("hidden", "detached"):
            return None
        found = self._query(selector)
        return found[0] if found else None

    async def wait_for_timeout(self, timeout: float) -> None:
        """Wait ``timeout`` ms (an explicit pause the hook asked for)."""
        await asyncio.sleep(timeout / 1000)

    async def wait_for_load_state(
        self, state: str = "load", *, timeout: float | None = None
    ) -> None:
        """Wait for ``load``, ``domcontentloaded`` or ``networkidle`` (500 ms without a
        new resource)."""
        if state not in ("load", "domcontentloaded", "networkidle"):
            raise ValueError(f"unknown load state {state!r}")
        limit = _timeout(timeout)
        if not self.tab.call(_WAIT_LOAD, state, limit, timeout_ms=limit + 5000):
            raise PageTimeoutError(f"wait_for_load_state({state!r}) timed out after {limit:g} ms")

    async def query_selector(self, selector: str) -> ElementHandle | None:
        """The first element matching ``selector``, or None."""
        found = self._query(selector)
        return found[0] if found else None

    async def query_selector_all(self, selector: str) -> list[ElementHandle]:
        """Every element matching ``selector``."""
        return self._query(selector)

    async def _first(self, selector: str, timeout: float | None) -> ElementHandle:
        element = await self.wait_for_selector(selector, state="attached", timeout=timeout)
        assert element is not None
        return element

    async def click(self, selector: str, *, timeout: float | None = None, **_: Any) -> None:
        """Click the first element matching ``selector`` (waiting for it)."""
        await (await self._first(selector, timeout)).click()

    async def fill(self, selector: str, value: str, *, timeout: float | None = None) -> None:
        """Fill the first field matching ``selector``."""
        await (await self._first(selector, timeout)).fill(value)

    async def type(
        self, selector: str, text: str, *, delay: float = 0, timeout: float | None = None
    ) -> None:
        """Type into the first field matching ``selector``."""
        await (await self._first(selector, timeout)).type(text, delay)

    async def content(self) -> str:
        """The page's HTML (with its doctype)."""
        return str(
            self.tab.evaluate(
                "() => (document.doctype ? new XMLSerializer().serializeToString(document.doctype)"
                " : '') + document.documentElement.outerHTML"
            )
        )

    async def title(self) -> str:
        """The document's title."""
        return str(self.tab.evaluate("() => document.title"))

    async def set_viewport_size(self, viewport_size: dict[str, int]) -> None:
        """Resize the viewport to ``{"width": ..., "height": ...}``."""
        width, height = int(viewport_size["width"]), int(viewport_size["height"])
        if isinstance(self.tab, BidiTab):
            params = {"context": self.tab.handle, "viewport": {"width": width, "height": height}}
            self.tab.bidi.call("browsingContext.setViewport", params, self.tab.command_timeout)
        elif self.tab.is_chromium:
            self.tab.cdp(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 0, "mobile": False},
            )
        else:
            assert isinstance(self.tab, ClassicTab)
            self.tab.drv.webdriver.set_window_size(width, height)

    async def set_extra_http_headers(self, headers: dict[str, str]) -> None:
        """Send ``headers`` with every later request of this page (Chromium, through CDP)."""
        if not self.tab.is_chromium:
            raise RuntimeError("set_extra_http_headers needs Chromium (CDP Network.*)")
        self.tab.cdp("Network.enable")
        self.tab.cdp("Network.setExtraHTTPHeaders", {"headers": dict(headers)})

    async def screenshot(self, *, path: str | None = None, full_page: bool = False) -> bytes:
        """A PNG of the page (whole page where the browser can); written to ``path``."""
        png = base64.b64decode(self.tab.screenshot_png_b64())
        if path is not None:
            with open(path, "wb") as f:
                f.write(png)
        return png

    def __repr__(self) -> str:
        return f"<Page tab={self.tab.handle!r}>"


__all__ = ["BrowserContext", "ElementHandle", "Page", "PageTimeoutError", "Response"]
