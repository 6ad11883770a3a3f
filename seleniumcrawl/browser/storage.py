"""A storage state (cookies, localStorage, sessionStorage) put into a browser context and
read back out.

**In.** A browser context is a browser's default context (what every shared tab uses)
or an isolated session's BiDi user context. Its cookies are set when it is made, before
any page: the default context's when the browser starts, a user context's when it is
created (on Chromium over CDP in the driver's or the context's first tab, elsewhere BiDi
``storage.setCookie`` with the context's partition). Each import is read back
(:mod:`seleniumcrawl.browser.cookies`) and :func:`report` names every cookie the browser
refused, or raises in strict mode. Web storage cannot be written without a document of
its origin, so a script that runs before any of the page's own scripts writes it, on the
first document of each origin the context loads: a BiDi preload script scoped to the
context (``script.addPreloadScript``), or on the classic path CDP's
``Page.addScriptToEvaluateOnNewDocument`` in each window. It writes an origin's items
once: it leaves the marker ``__seleniumcrawl_state__`` (the state's digest) in that
origin's localStorage (and in each tab's sessionStorage) and does nothing where the
marker is already there, so what the pages change later is kept. The first snapshot of
each such origin checks the marker, and a warning names an origin whose items were not
written. Export leaves the marker out.

**Out.** Cookies come from the context's jar, as the browser holds them. Web storage is
read from documents: every crawl's last snapshot records its page's origin and items
(:class:`OriginLog`, filled by :func:`seleniumcrawl.browser.page.capture`), and an export
reads the live page again. Origins of an applied state that no page visited keep the
state's items. sessionStorage, which Playwright's format lacks, goes beside an origin's
``localStorage`` as ``sessionStorage``.
"""

from __future__ import annotations

import json
import logging
import threading
import weakref
from typing import Any

from seleniumcrawl.browser import cookies as jar
from seleniumcrawl.browser.bidi import BidiConnection, BidiError
from seleniumcrawl.browser.driver import ManagedDriver
from seleniumcrawl.browser.tab import BidiTab, ClassicTab, Tab
from seleniumcrawl.errors import StorageStateError

log = logging.getLogger(__name__)

#: The localStorage key of the marker an applied state leaves in each origin.
MARKER = "__seleniumcrawl_state__"

#: The BiDi name of a browser's default user context.
DEFAULT_CONTEXT = "default"

# ``%s``: the JSON of {origin: [localStorage items, sessionStorage items]} (items as
# [[name, value], ...]), then the JSON of the marker value, then the marker's key.
_WRITE = """() => {
  try {
    const entry = (%s)[location.origin];
    if (!entry) return;
    const mark = %s, key = %s;
    const put = (store, items) => {
      if (!items.length || store.getItem(key) === mark) return;
      for (const [name, value] of items) store.setItem(name, value);
      store.setItem(key, mark);
    };
    try { put(window.localStorage, entry[0]); } catch (e) {}
    try { put(window.sessionStorage, entry[1]); } catch (e) {}
  } catch (e) {}
}"""

#: Characters of localStorage a crawl's snapshot carries at most (more: none is taken,
#: and an export reads that origin only from a live page).
SNAPSHOT_LIMIT = 256 * 1024
#: Origins remembered per browser context (the oldest are forgotten first).
ORIGINS_KEPT = 1000

#: ``[origin, localStorage items, marker, sessionStorage items]`` of the page's document
#: (items as ``[[name, value], ...]``, null where they exceed ``limit`` characters; the
#: marker that an applied state left in localStorage, or null), or null where there is
#: no document with an origin.
_READ = (
    "(limit) => { try { const o = location.origin; if (!o || o === 'null') return null;"
    " const take = (store) => { const out = []; let size = 0;"
    " for (let i = 0; i < store.length; i++) { const k = store.key(i);"
    " if (k === '" + MARKER + "') continue; const v = store.getItem(k);"
    " size += k.length + v.length; if (size > limit) return null; out.push([k, v]); }"
    " return out; };"
    " const ls = window.localStorage; let ss = null;"
    " try { ss = take(window.sessionStorage); } catch (e) {}"
    " return [o, take(ls), ls.getItem('" + MARKER + "'), ss]; } catch (e) { return null; } }"
)
#: The snapshot a crawl takes (bounded by :data:`SNAPSHOT_LIMIT`).
READ_LOCAL_STORAGE = f"() => ({_READ})({SNAPSHOT_LIMIT})"
#: What an export reads from a live page (unbounded).
READ_ALL_LOCAL_STORAGE = f"() => ({_READ})(Infinity)"

Owner = BidiConnection | ManagedDriver
Items = list[list[str]]


def _items(entry: dict[str, Any], key: str) -> Items:
    return [[i["name"], i["value"]] for i in entry.get(key) or []]


def write_script(state: dict[str, Any], mark: str) -> str:
    """The function that writes the state's localStorage into its first document per origin
    (and its sessionStorage into the first document per origin of each tab)."""
    by_origin = {
        entry["origin"].rstrip("/"): [
            _items(entry, "localStorage"),
            _items(entry, "sessionStorage"),
        ]
        for entry in state.get("origins", [])
        if entry.get("localStorage") or entry.get("sessionStorage")
    }
    return _WRITE % (json.dumps(by_origin), json.dumps(mark), json.dumps(MARKER))


def has_web_storage(state: dict[str, Any]) -> bool:
    """Whether the state has any localStorage or sessionStorage item to write."""
    return any(
        entry.get("localStorage") or entry.get("sessionStorage")
        for entry in state.get("origins", [])
    )


# -- in -------------------------------------------------------------------------------------


def set_default_cookies(drv: ManagedDriver, cookies: list[dict[str, Any]]) -> jar.Outcome:
    """Cookies into the browser's default context, read back (on the driver's thread)."""
    if not cookies:
        return jar.Outcome()
    if drv.config.is_chromium:
        return jar.set_over_cdp(
            lambda method, params: drv.cdp(method, params),
            lambda: [jar.from_cdp(c) for c in drv.cdp("Storage.getCookies", {})["cookies"]],
            cookies,
        )
    bidi = drv.bidi
    if bidi is not None:
        timeout = drv.config.command_timeout
        return jar.set_over_bidi(
            lambda method, params: bidi.call(method, params, timeout),
            {"type": "storageKey", "userContext": DEFAULT_CONTEXT},
            cookies,
        )
    why = "cookies need Chromium or WebDriver BiDi"
    return jar.Outcome(refused=tuple(jar.Refused(*_named(c), why) for c in cookies))


def _named(cookie: dict[str, Any]) -> tuple[str, str]:
    return str(cookie.get("name")), str(cookie.get("domain") or cookie.get("url") or "")


def set_context_cookies(
    tab: BidiTab, user_context: str, cookies: list[dict[str, Any]]
) -> jar.Outcome:
    """Cookies into a BiDi user context (through its first tab on Chromium), read back."""
    if not cookies:
        return jar.Outcome()
    if tab.is_chromium:  # CDP in the tab reaches its context and reads SameSite faithfully
        return jar.set_tab_cookies(tab, cookies)
    return jar.set_over_bidi(
        lambda method, params: tab.bidi.call(method, params, tab.command_timeout),
        {"type": "storageKey", "userContext": user_context},
        cookies,
    )


def report(what: str, where: str, outcome: jar.Outcome, *, strict: bool = False) -> None:
    """Say what a cookie import did: one line with the counts (info, or a warning when a
    cookie was refused), a warning naming each refused cookie (name, domain, reason; never
    its value). ``strict``: a refused cookie raises :class:`StorageStateError` instead."""
    refused = len(outcome.refused)
    if not (outcome.set or refused or outcome.expired):
        return
    if strict and refused:
        names = "; ".join(str(r) for r in outcome.refused)
        raise StorageStateError(f"{what} (strict): {refused} cookie(s) refused in {where}: {names}")
    for item in outcome.refused:
        log.warning("%s: %s", what, item)
    log.log(
        logging.WARNING if refused else logging.INFO,
        "%s: %d of %d cookies set in %s (%d refused, %d expired left out)",
        what,
        outcome.set,
        outcome.set + refused + len(outcome.expired),
        where,
        refused,
        len(outcome.expired),
    )


def add_bidi_preload(
    bidi: BidiConnection,
    script: str,
    timeout: float,
    *,
    user_context: str | None = None,
    context: str | None = None,
) -> bool:
    """A BiDi preload script scoped to a user context (or one tab); False if refused."""
    params: dict[str, Any] = {"functionDeclaration": script}
    if user_context is not None:
        params["userContexts"] = [user_context]
    if context is not None:
        params["contexts"] = [context]
    try:
        bidi.call("script.addPreloadScript", params, timeout)
    except BidiError as exc:
        log.debug("script.addPreloadScript refused (%s); per tab instead", exc.message)
        return False
    return True


def add_classic_preload(tab: ClassicTab, script: str) -> None:
    """The classic path: the script on every new document of this window (CDP)."""
    if tab.is_chromium:
        tab.cdp("Page.addScriptToEvaluateOnNewDocument", {"source": f"({script})();"})
    else:
        log.warning("storage_state localStorage on the classic path needs Chromium; not applied")


# -- out ------------------------------------------------------------------------------------


class OriginLog:
    """The localStorage (and the sessionStorage) last seen per origin, per browser context
    (see the module docstring). sessionStorage belongs to a tab: what is kept is what the
    context's last page of that origin had.

    A context is named by its owner (a driver's BiDi connection, or the driver on the
    classic path) and its user context (None for the default one). Owners are held
    weakly: a replaced browser's entries go with it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_owner: weakref.WeakKeyDictionary[Owner, dict[str | None, dict[str, Items]]] = (
            weakref.WeakKeyDictionary()
        )
        self._session: weakref.WeakKeyDictionary[Owner, dict[str | None, dict[str, Items]]] = (
            weakref.WeakKeyDictionary()
        )
        #: Origins of an applied state not seen yet: the marker expected, the item count.
        self._pending: weakref.WeakKeyDictionary[
            Owner, dict[str | None, dict[str, tuple[str, int]]]
        ] = weakref.WeakKeyDictionary()

    def seed(
        self, owner: Owner, user_context: str | None, state: dict[str, Any], mark: str = ""
    ) -> None:
        """The items of an applied state, for origins no page has shown yet; with the
        ``mark`` its script leaves, the first snapshot of each origin checks it is there."""
        with self._lock:
            origins = self._by_owner.setdefault(owner, {}).setdefault(user_context, {})
            pending = self._pending.setdefault(owner, {}).setdefault(user_context, {})
            session = self._session.setdefault(owner, {}).setdefault(user_context, {})
            for entry in state.get("origins", []):
                items = _items(entry, "localStorage")
                origin = entry["origin"].rstrip("/")
                origins.setdefault(origin, items)
                if entry.get("sessionStorage"):
                    session.setdefault(origin, _items(entry, "sessionStorage"))
                if mark and items:
                    pending[origin] = (mark, len(items))

    def record(self, owner: Owner, user_context: str | None, snapshot: Any) -> None:
        """A page's ``[origin, items, marker, session items]`` (:data:`READ_LOCAL_STORAGE`;
        the last may be missing); None is ignored, and so are items that were too large to
        take (None).

        The first snapshot of an origin whose state was applied in this context checks
        the state's marker: where it is missing, the state's items were not written (the
        browser refused them, e.g. over quota, or the page cleared its storage at once),
        and a warning names the origin and the number of items (never their values).
        """
        if not isinstance(snapshot, list) or len(snapshot) not in (3, 4):
            return
        origin, items, mark = snapshot[:3]
        session_items = snapshot[3] if len(snapshot) == 4 else None
        if not isinstance(origin, str):
            return
        with self._lock:
            expected = self._pending.get(owner, {}).get(user_context, {}).pop(origin, None)
            if isinstance(items, list):
                origins = self._by_owner.setdefault(owner, {}).setdefault(user_context, {})
                origins.pop(origin, None)  # re-inserted last: the most recently seen
                origins[origin] = items
                while len(origins) > ORIGINS_KEPT:
                    del origins[next(iter(origins))]
            if isinstance(session_items, list):
                session = self._session.setdefault(owner, {}).setdefault(user_context, {})
                session.pop(origin, None)
                session[origin] = session_items
                while len(session) > ORIGINS_KEPT:
                    del session[next(iter(session))]
        if expected is not None and mark != expected[0]:
            log.warning(
                "BrowserConfig.storage_state: the localStorage of %s (%d items) was not in "
                "place on its first page: the browser refused it (over quota?) or the page "
                "cleared its storage",
                origin,
                expected[1],
            )

    def origins(self, owner: Owner, user_context: str | None) -> dict[str, Items]:
        """A copy of the context's origins and localStorage items."""
        with self._lock:
            found = self._by_owner.get(owner, {}).get(user_context, {})
            return {origin: list(items) for origin, items in found.items()}

    def session_origins(self, owner: Owner, user_context: str | None) -> dict[str, Items]:
        """A copy of the context's origins and sessionStorage items."""
        with self._lock:
            found = self._session.get(owner, {}).get(user_context, {})
            return {origin: list(items) for origin, items in found.items()}


def owner_of(tab: Tab) -> tuple[Owner, str | None]:
    """The context a tab belongs to, as :class:`OriginLog` names it."""
    if isinstance(tab, BidiTab):
        return tab.bidi, tab.user_context
    assert isinstance(tab, ClassicTab)
    return tab.drv, None


def driver_owner(drv: ManagedDriver) -> Owner:
    """The owner of a driver's default context."""
    return drv.bidi if drv.bidi is not None else drv


def as_state(
    cookies: list[dict[str, Any]],
    origins: dict[str, Items],
    session: dict[str, Items] | None = None,
) -> dict[str, Any]:
    """Playwright's storage-state dict; origins without items are left out, as Playwright
    does. sessionStorage, which Playwright's format lacks, goes into an origin's entry as
    ``"sessionStorage"`` (beside ``"localStorage"``, which Playwright reads and ignores it)."""
    session = session or {}
    out = []
    for origin in sorted(set(origins) | set(session)):
        local, tab = origins.get(origin) or [], session.get(origin) or []
        if not (local or tab):
            continue
        entry: dict[str, Any] = {
            "origin": origin,
            "localStorage": [{"name": n, "value": v} for n, v in local],
        }
        if tab:
            entry["sessionStorage"] = [{"name": n, "value": v} for n, v in tab]
        out.append(entry)
    return {"cookies": cookies, "origins": out}


def tab_state(tab: Tab, log_: OriginLog) -> dict[str, Any]:
    """The storage state of the tab's context: its cookies, the live page's storage and
    that last seen of every other origin of the context."""
    owner, user_context = owner_of(tab)
    log_.record(owner, user_context, tab.evaluate(READ_ALL_LOCAL_STORAGE))
    return as_state(
        jar.get_cookies(tab),
        log_.origins(owner, user_context),
        log_.session_origins(owner, user_context),
    )


def default_cookies(drv: ManagedDriver) -> list[dict[str, Any]]:
    """The cookies of the browser's default context, as it holds them (driver's thread)."""
    if drv.config.is_chromium:
        found = drv.cdp("Storage.getCookies", {}).get("cookies", [])
        return [jar.from_cdp(c) for c in found]
    if drv.bidi is not None:
        partition = {"type": "storageKey", "userContext": DEFAULT_CONTEXT}
        out = drv.bidi.call(
            "storage.getCookies", {"partition": partition}, drv.config.command_timeout
        )
        return [jar.from_bidi(c) for c in out.get("cookies", [])]
    return [jar.from_webdriver(c) for c in drv.webdriver.get_cookies()]


def merge_states(states: list[dict[str, Any]]) -> dict[str, Any]:
    """One state from several browsers' default contexts (a later browser wins a clash)."""
    cookies: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    local: dict[str, dict[str, str]] = {}
    session: dict[str, dict[str, str]] = {}
    for state in states:
        for cookie in state["cookies"]:
            cookies[(cookie.get("name"), cookie.get("domain"), cookie.get("path"))] = cookie
        for entry in state["origins"]:
            for key, merged in (("localStorage", local), ("sessionStorage", session)):
                items = merged.setdefault(entry["origin"], {})
                items.update({i["name"]: i["value"] for i in entry.get(key, [])})
    return as_state(
        list(cookies.values()),
        {o: [[n, v] for n, v in items.items()] for o, items in local.items()},
        {o: [[n, v] for n, v in items.items()] for o, items in session.items()},
    )
