"""The browser steps of one crawl (navigate, scripts, waits, capture), on the driver's thread.

Every function here takes a :class:`~seleniumcrawl.browser.driver.ManagedDriver` whose
window is already focused by the pool. Selenium exceptions that are the page's
fault are translated here into :mod:`seleniumcrawl.errors` crawl errors, raised
``from`` the original; the pool decides whether a failure means the browser died.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

import attrs
from selenium.common.exceptions import (
    InvalidElementStateException,
    InvalidSelectorException,
    JavascriptException,
    TimeoutException,
    UnexpectedAlertPresentException,
    WebDriverException,
)
from selenium.webdriver.support.wait import WebDriverWait

from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.browser.failures import describe_error
from seleniumcrawl.config import CrawlerRunConfig
from seleniumcrawl.errors import NavigationError, ScriptError, WaitTimeoutError
from seleniumcrawl.urls import Target

log = logging.getLogger(__name__)

_POLL = 0.05  # seconds between wait_for polls; a poll is one short round trip

# Runs one js_code snippet as the body of an async function so `return` and `await`
# work and a syntax error is reported like any thrown error. It marks the document
# and records whether the script started a cross-document navigation (Navigation API;
# a `beforeunload` fallback for browsers without it).
_RUN_SNIPPET = """
const src = arguments[0], token = arguments[1], done = arguments[arguments.length - 1];
window.__seleniumcrawl_doc = token;
const state = {navigating: false};
const onNavigate = (e) => {
  if (!e.destination || !e.destination.sameDocument) state.navigating = true;
};
const onUnload = () => { state.navigating = true; };
if (window.navigation) navigation.addEventListener('navigate', onNavigate);
window.addEventListener('beforeunload', onUnload);
const finish = (payload) => {
  if (window.navigation) navigation.removeEventListener('navigate', onNavigate);
  window.removeEventListener('beforeunload', onUnload);
  payload.navigating = state.navigating;
  done(payload);
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
  finish({ok: false, error: describe(e)});
  return;
}
Promise.resolve().then(() => fn()).then(
  (v) => finish({ok: true, value: plain(v)}),
  (e) => finish({ok: false, error: describe(e)}),
);
"""

_SNAPSHOT = """
const nav = performance.getEntriesByType('navigation')[0];
return [location.href, nav && nav.responseStatus ? nav.responseStatus : null,
        document.documentElement ? document.documentElement.outerHTML : '', errorOfPage()];
"""

_SCROLL_FULL_PAGE = """
const done = arguments[arguments.length - 1], maxSteps = arguments[0];
const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
(async () => {
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
})().then(() => done(true), () => done(false));
"""

_REMOVE_OVERLAYS = """
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
"""

# Some failures (unsafe ports, blocked schemes) load the browser's own error page
# instead of failing the WebDriver call; recognise Chromium's and Firefox's.
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
_ERROR_PAGE = _ERROR_OF_PAGE + "return errorOfPage();"

_LOAD_RAW = "document.open(); document.write(arguments[0]); document.close();"


@attrs.define
class Capture:
    """What the browser part of a crawl produced."""

    html: str
    redirected_url: str
    status_code: int | None
    js_execution_result: dict[str, Any] | None = None
    screenshot: str | None = None
    pdf: bytes | None = None


def navigate(drv: ManagedDriver, target: Target, config: CrawlerRunConfig) -> None:
    """Load the target into the focused window (step 3), bounded by ``page_timeout``.

    An error page is detected here only when browser steps follow (they must not run
    on it); otherwise :func:`capture` detects it in its one snapshot round trip.
    """
    drv.set_page_load_timeout(config.page_timeout)
    try:
        if target.raw_html is not None:
            drv.webdriver.get("about:blank")
            drv.webdriver.execute_script(_LOAD_RAW, target.raw_html)
        else:
            drv.webdriver.get(target.url)
    except TimeoutException as exc:
        _stop_loading(drv)
        raise NavigationError(
            f"page_timeout of {config.page_timeout:g} ms exceeded loading {target.url}"
        ) from exc
    except WebDriverException as exc:
        message = describe_error(exc)
        if "net::ERR_" in message:
            code = message[message.index("net::ERR_") :].split()[0]
            raise NavigationError(f"could not load {target.url}: {code}") from exc
        raise
    if target.raw_html is None and _steps_follow(config):
        error = drv.webdriver.execute_script(_ERROR_PAGE)
        if error:
            raise NavigationError(f"could not load {target.url}: {error}")


def _steps_follow(config: CrawlerRunConfig) -> bool:
    return bool(
        config.scripts or config.wait_for or config.scan_full_page or config.remove_overlay_elements
    )


def _stop_loading(drv: ManagedDriver) -> None:
    try:
        drv.webdriver.execute_script("window.stop();")
    except WebDriverException as exc:
        log.debug("window.stop() after a page timeout failed: %s", describe_error(exc))


def run_scripts(drv: ManagedDriver, config: CrawlerRunConfig) -> dict[str, Any]:
    """Run each ``js_code`` script in order (step 4); a throw fails the crawl."""
    results: list[Any] = []
    # A script may await for a while; page_timeout bounds it like a page load.
    drv.set_script_timeout(config.page_timeout)
    for index, script in enumerate(config.scripts):
        token = uuid.uuid4().hex
        try:
            outcome = drv.webdriver.execute_async_script(_RUN_SNIPPET, script, token)
        except TimeoutException as exc:
            raise ScriptError(
                f"js_code[{index}] did not finish within page_timeout ({config.page_timeout:g} ms)"
            ) from exc
        except UnexpectedAlertPresentException as exc:
            raise ScriptError(_dialog_message(index)) from exc
        except JavascriptException as exc:
            if "unloaded" not in describe_error(exc):
                raise ScriptError(f"js_code[{index}] failed: {describe_error(exc)}") from exc
            # The page navigated away before the script could answer: a navigation.
            outcome = {"ok": True, "value": None, "navigating": True}
        if not isinstance(outcome, dict):
            # Chromedriver abandons an async script that opens a dialog and answers null.
            raise ScriptError(_dialog_message(index))
        if not outcome.get("ok"):
            raise ScriptError(f"js_code[{index}] threw {outcome.get('error')}")
        results.append(outcome.get("value"))
        if outcome.get("navigating"):
            _wait_for_new_document(drv, token, config.page_timeout, index)
    return {"success": True, "results": results}


def _dialog_message(index: int) -> str:
    return (
        f"js_code[{index}] was interrupted by a JavaScript dialog (alert, confirm or prompt) "
        "and gave no result; dialogs are dismissed, so avoid opening them in js_code"
    )


def _wait_for_new_document(drv: ManagedDriver, token: str, timeout_ms: float, index: int) -> None:
    """After a script started a navigation: wait until the new page has loaded."""

    def loaded(_: Any) -> bool:
        try:
            return bool(
                drv.webdriver.execute_script(
                    "return window.__seleniumcrawl_doc !== arguments[0] && "
                    "document.readyState === 'complete';",
                    token,
                )
            )
        except JavascriptException:
            return False  # mid-navigation: the old document is going away

    try:
        WebDriverWait(drv.webdriver, timeout_ms / 1000, poll_frequency=_POLL).until(loaded)
    except TimeoutException as exc:
        raise NavigationError(
            f"the navigation started by js_code[{index}] did not finish within "
            f"page_timeout ({timeout_ms:g} ms)"
        ) from exc


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


def wait_for(drv: ManagedDriver, config: CrawlerRunConfig) -> None:
    """Wait for ``config.wait_for`` (step 5), bounded by its timeout."""
    assert config.wait_for is not None
    kind, body = parse_wait_for(config.wait_for)
    timeout_ms = config.effective_wait_timeout
    if kind == "css":
        script = "return document.querySelector(arguments[0]) !== null;"
        args: tuple[Any, ...] = (body,)
    else:
        # An expression or a function; a function is called and a promise awaited.
        script = f"const __c = ({body});\nreturn (typeof __c === 'function') ? __c() : __c;"
        args = ()

    def holds(_: Any) -> bool:
        try:
            return bool(drv.webdriver.execute_script(script, *args))
        # Chromium reports querySelector's SyntaxError (a bad CSS selector) as "invalid
        # element state", other drivers as "invalid selector"; both mean a bad condition.
        except (JavascriptException, InvalidElementStateException, InvalidSelectorException) as exc:
            raise ScriptError(
                f"wait_for {config.wait_for!r} is not valid: {describe_error(exc)}"
            ) from exc

    started = time.monotonic()
    try:
        WebDriverWait(drv.webdriver, timeout_ms / 1000, poll_frequency=_POLL).until(holds)
    except TimeoutException as exc:
        waited = (time.monotonic() - started) * 1000
        raise WaitTimeoutError(
            f"wait_for {config.wait_for!r} did not hold within {timeout_ms:g} ms "
            f"(waited {waited:.0f} ms)"
        ) from exc


def settle(drv: ManagedDriver, config: CrawlerRunConfig) -> None:
    """Step 6: the user's delay, full-page scroll, overlay removal."""
    if config.delay_before_return_html:
        # An explicit, user-requested pause (e.g. for animations), not a wait for a condition.
        time.sleep(config.delay_before_return_html)
    if config.scan_full_page:
        drv.set_script_timeout(config.page_timeout)
        drv.webdriver.execute_async_script(_SCROLL_FULL_PAGE, 200)
    if config.remove_overlay_elements:
        drv.webdriver.execute_script(_REMOVE_OVERLAYS)


def _snapshot(drv: ManagedDriver) -> list[Any]:
    """URL, status, HTML and error-page check in one round trip.

    On Chromium, CDP's ``Runtime.evaluate`` answers in about half the time of
    WebDriver's ``executeScript`` (chromedriver wraps and checks every script; figures
    in README "Benchmarks"), which is most of our per-page overhead over a bare
    ``page_source``. Anything unexpected falls back to ``executeScript``.
    """
    script = _ERROR_OF_PAGE + _SNAPSHOT
    if drv.config.is_chromium:
        try:
            out = drv.cdp(
                "Runtime.evaluate",
                {"expression": f"(() => {{{script}}})()", "returnByValue": True},
            )
            value = out.get("result", {}).get("value")
            if "exceptionDetails" not in out and isinstance(value, list) and len(value) == 4:
                return value
        except WebDriverException as exc:
            log.debug("CDP snapshot failed, using executeScript: %s", describe_error(exc))
    return list(drv.webdriver.execute_script(script))


def capture(drv: ManagedDriver, target: Target, config: CrawlerRunConfig) -> Capture:
    """Step 7: HTML, URL, status, screenshot and PDF."""
    href, status, html, error = _snapshot(drv)
    if target.raw_html is not None:
        href, status = target.url, None
    elif error:
        raise NavigationError(f"could not load {target.url}: {error}")
    shot = drv.screenshot_png_b64() if config.screenshot else None
    pdf = drv.print_pdf() if config.pdf else None
    return Capture(
        html=str(html),
        redirected_url=str(href),
        status_code=int(status) if status else None,
        screenshot=shot,
        pdf=pdf,
    )
