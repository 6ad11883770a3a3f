"""Downloads (``BrowserConfig(accept_downloads=True, downloads_path=...)``), per crawl.

One :class:`DownloadWatcher` per browser sets where the browser saves downloads and
receives the browser's download events, each naming the tab (browsing context) that
started the download:

* over WebDriver BiDi: ``browser.setDownloadBehavior`` and the events
  ``browsingContext.downloadWillBegin`` / ``browsingContext.downloadEnd`` (which names
  the saved file);
* on the classic path (local Chromium): a CDP connection of our own to the browser's
  DevTools endpoint (``goog:chromeOptions.debuggerAddress``), with CDP's
  ``Browser.setDownloadBehavior`` (``eventsEnabled``) and the events
  ``Browser.downloadWillBegin`` (its ``frameId`` is the tab's) /
  ``Browser.downloadProgress`` (``completed`` carries ``filePath``).

A crawl tracks its tab (:meth:`~DownloadWatcher.track`); the :class:`CrawlDownloads` it gets
back sees the downloads of that tab only, so concurrent crawls on one browser each get
their own files. At the end the crawl waits (bounded) for the downloads that began
during it; one that did not finish is logged and left out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from seleniumcrawl.browser.bidi import BidiConnection, BidiError, connect_devtools

log = logging.getLogger(__name__)

_BIDI_BEGIN = "browsingContext.downloadWillBegin"
_BIDI_END = "browsingContext.downloadEnd"
_CDP_BEGIN = "Browser.downloadWillBegin"
_CDP_PROGRESS = "Browser.downloadProgress"


class CrawlDownloads:
    """The downloads of one tab during one crawl (or one step of a session)."""

    def __init__(self, watcher: DownloadWatcher, context: str) -> None:
        self.watcher = watcher
        self.context = context
        self._cond = threading.Condition()
        #: Download id -> suggested file name, for downloads begun and not yet ended.
        self._open: dict[str, str] = {}
        #: Downloads begun while tracked (ended or not).
        self.began = 0
        #: Value of ``began`` that each outstanding :meth:`expect` is counted against.
        self._expected_upto = 0
        self._finished: list[str] = []
        self._failed: list[str] = []

    # -- called by the watcher (event thread) ----------------------------------------

    def _begin(self, download: str, name: str) -> None:
        with self._cond:
            self._open[download] = name
            self.began += 1
            self._cond.notify_all()

    def _end(self, download: str, path: str | None, ok: bool) -> None:
        with self._cond:
            name = self._open.pop(download, None) or download
            if ok and path:
                self._finished.append(path)
            else:
                self._failed.append(name)
            self._cond.notify_all()

    # -- called by the crawl ---------------------------------------------------------

    def expect(self, count: int, since: int) -> None:
        """A script started ``count`` downloads after ``began`` was ``since``: they are
        awaited until that many have begun (the browser may announce them before or after
        this call)."""
        with self._cond:
            self._expected_upto = max(self._expected_upto, since + count)

    def _expected(self) -> int:
        return max(0, self._expected_upto - self.began)

    def began_since(self, count: int) -> bool:
        """Whether a download began after ``began`` was ``count``."""
        with self._cond:
            return self.began > count

    def wait_began_since(self, count: int, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a download to begin after ``began`` was ``count``."""
        with self._cond:
            return self._cond.wait_for(lambda: self.began > count, timeout)

    def finish(self, timeout: float) -> list[str]:
        """Stop tracking once every download begun (or expected) ended, or after
        ``timeout`` s; the absolute paths of the files that finished, in order."""
        try:
            with self._cond:
                self._cond.wait_for(lambda: not self._open and not self._expected(), timeout)
                unfinished = list(self._open.values())
                expected = self._expected()
                finished, failed = list(self._finished), list(self._failed)
        finally:
            self.watcher.untrack(self)
        for name in unfinished:
            log.warning(
                "download %r in tab %s did not finish within %g s; not in downloaded_files",
                name,
                self.context,
                timeout,
            )
        if expected:
            log.warning("%d download(s) asked for by js_code never began", expected)
        for name in failed:
            log.warning("download %r in tab %s was cancelled or failed", name, self.context)
        return finished

    def cancel(self) -> None:
        """Stop tracking without waiting (the crawl failed)."""
        self.watcher.untrack(self)


class DownloadWatcher:
    """One browser's download events, routed to the crawls tracking their tabs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._tracking: dict[str, CrawlDownloads] = {}
        #: Download id -> tab, for events (CDP progress) that do not name the tab.
        self._tab_of: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self._close: Callable[[], None] | None = None
        #: False where downloads cannot be followed (the reason was logged).
        self.active = False

    # -- set-up ----------------------------------------------------------------------

    def attach_bidi(self, bidi: BidiConnection, timeout: float) -> None:
        """Allow downloads into ``path`` and follow them over BiDi."""
        try:
            bidi.call(
                "browser.setDownloadBehavior",
                {"downloadBehavior": {"type": "allowed", "destinationFolder": self.path}},
                timeout,
            )
            bidi.add_listener(_BIDI_BEGIN, self._on_bidi_begin)
            bidi.add_listener(_BIDI_END, self._on_bidi_end)
            bidi.call("session.subscribe", {"events": [_BIDI_BEGIN, _BIDI_END]}, timeout)
        except BidiError as exc:
            log.warning("downloads are not supported by this browser over BiDi: %s", exc)
            return
        self.active = True

    def attach_cdp(self, debugger_address: str, timeout: float) -> None:
        """Allow downloads into ``path`` and follow them over a CDP connection of our own
        to the browser (``debugger_address`` is ``host:port``; local Chromium)."""
        try:
            cdp = connect_devtools(debugger_address, timeout)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("downloads: cannot reach the browser's DevTools endpoint: %s", exc)
            return
        cdp.add_listener(_CDP_BEGIN, self._on_cdp_begin)
        cdp.add_listener(_CDP_PROGRESS, self._on_cdp_progress)
        try:
            cdp.call(
                "Browser.setDownloadBehavior",
                {"behavior": "allow", "downloadPath": self.path, "eventsEnabled": True},
                timeout,
            )
        except BidiError as exc:
            log.warning("downloads: Browser.setDownloadBehavior failed: %s", exc)
            cdp.close()
            return
        self._close = cdp.close
        self.active = True

    def close(self) -> None:
        """Close the watcher's own connection, if any (idempotent)."""
        close, self._close = self._close, None
        if close is not None:
            close()

    # -- per crawl -------------------------------------------------------------------

    def track(self, context: str) -> CrawlDownloads:
        """Collect the downloads of tab ``context`` until ``finish``/``cancel``."""
        crawl = CrawlDownloads(self, context)
        with self._lock:
            self._tracking[context] = crawl
        return crawl

    def untrack(self, crawl: CrawlDownloads) -> None:
        with self._lock:
            if self._tracking.get(crawl.context) is crawl:
                del self._tracking[crawl.context]

    # -- events (reader thread) ------------------------------------------------------

    def _crawl_of(self, context: str | None) -> CrawlDownloads | None:
        with self._lock:
            return self._tracking.get(str(context))

    def _begin(self, context: Any, download: str, name: str, url: str) -> None:
        with self._lock:
            self._tab_of[download] = str(context)
            self._names[download] = name
        log.info("download of %s (%r) began in tab %s", url, name, context)
        crawl = self._crawl_of(context)
        if crawl is not None:
            crawl._begin(download, name)

    def _end(self, download: str, path: str | None, ok: bool) -> None:
        with self._lock:
            context = self._tab_of.pop(download, None)
            name = self._names.pop(download, "")
        log.info("download %r %s: %s", name, "finished" if ok else "failed", path)
        crawl = self._crawl_of(context)
        if crawl is not None:
            crawl._end(download, path, ok)

    def _on_bidi_begin(self, params: dict[str, Any]) -> None:
        self._begin(
            params.get("context"),
            str(params.get("download") or params.get("navigation")),
            str(params.get("suggestedFilename") or ""),
            str(params.get("url") or ""),
        )

    def _on_bidi_end(self, params: dict[str, Any]) -> None:
        download = str(params.get("download") or params.get("navigation"))
        ok = params.get("status") == "complete"
        path = params.get("filepath")
        self._end(download, str(path) if path else None, ok)

    def _on_cdp_begin(self, params: dict[str, Any]) -> None:
        self._begin(
            params.get("frameId"),
            str(params.get("guid")),
            str(params.get("suggestedFilename") or ""),
            str(params.get("url") or ""),
        )

    def _on_cdp_progress(self, params: dict[str, Any]) -> None:
        state = params.get("state")
        if state == "completed":
            path = params.get("filePath")
            self._end(str(params.get("guid")), str(path) if path else None, True)
        elif state == "canceled":
            self._end(str(params.get("guid")), None, False)


__all__ = ["CrawlDownloads", "DownloadWatcher"]
