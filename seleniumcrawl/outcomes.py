"""What a crawl comes to, for :mod:`seleniumcrawl.engine`: crawl errors become
``success=False`` results here (:func:`_failure_of` names each failure's ``error_type``),
futures are chained to results, the crawl's log line is written, and a capture goes to and
comes back from the cache.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections.abc import Callable

from selenium.common.exceptions import WebDriverException

from seleniumcrawl.browser import page
from seleniumcrawl.browser.failures import TRANSPORT_ERRORS, describe_error
from seleniumcrawl.cache import CachedPage
from seleniumcrawl.config import BrowserConfig
from seleniumcrawl.errors import CrawlerClosedError, CrawlError
from seleniumcrawl.models import CrawlResult
from seleniumcrawl.robots import BLOCKED_MESSAGE
from seleniumcrawl.urls import Target

# The crawl lines keep the engine's logger name (what applications filter on).
log = logging.getLogger("seleniumcrawl.engine")


def _blocked_by_robots(url: str, session_id: str | None) -> CrawlResult:
    result = CrawlResult.failure(url, BLOCKED_MESSAGE, session_id, "robots")
    result.status_code = 403
    return result


def _log_outcome(done: concurrent.futures.Future[CrawlResult], verbose: bool) -> None:
    """One line per crawl: INFO when verbose (Crawl4AI's progress lines), else DEBUG."""
    if done.cancelled() or done.exception() is not None:
        return
    result = done.result()
    level = logging.INFO if verbose else logging.DEBUG
    seconds = result.timings.get("total", 0.0) / 1000
    if result.success:
        log.log(
            level,
            "crawled %s: status %s, %.2f s%s",
            _shown(result.url),
            result.status_code,
            seconds,
            " (cache hit)" if result.cache_status == "hit" else "",
        )
    else:
        log.log(level, "crawl of %s failed: %s", _shown(result.url), result.error_message)


def _shown(url: str) -> str:
    """A URL for a log line: ``raw:`` HTML can be a whole page, so long ones are cut."""
    return url if len(url) <= 120 else url[:117] + "..."


def _downloaded_files(browser_config: BrowserConfig, capture: page.Capture) -> list[str] | None:
    if not browser_config.accept_downloads:
        return None
    return list(capture.downloaded_files or [])


def _done(result: CrawlResult) -> concurrent.futures.Future[CrawlResult]:
    future: concurrent.futures.Future[CrawlResult] = concurrent.futures.Future()
    future.set_result(result)
    return future


def _as_result(
    inner: concurrent.futures.Future[CrawlResult], url: str, session_id: str | None
) -> concurrent.futures.Future[CrawlResult]:
    """Chain ``inner`` so crawl errors become ``success=False`` results."""
    outer: concurrent.futures.Future[CrawlResult] = concurrent.futures.Future()
    _relay(inner, outer, lambda exc: _failure_of(exc, url, session_id))
    return outer


def _failure_of(exc: BaseException, url: str, session_id: str | None) -> CrawlResult | None:
    """The failed result a crawl error stands for; None for a programming error.

    The one place that says what each failure is (``CrawlResult.error_type``): our crawl
    errors carry their type, the rest is named here.
    """
    if isinstance(exc, CrawlError):
        return CrawlResult.failure(url, str(exc), session_id, exc.error_type)
    if isinstance(exc, CrawlerClosedError):
        return CrawlResult.failure(url, str(exc), session_id, "closed")
    if isinstance(exc, WebDriverException):
        return CrawlResult.failure(url, describe_error(exc), session_id, "webdriver")
    if isinstance(exc, TRANSPORT_ERRORS):
        # The HTTP layer under Selenium (urllib3) raises its own errors, unwrapped; a
        # driver or Grid that cannot be reached is a failed crawl, not a program error.
        message = f"the WebDriver server could not be reached: {describe_error(exc)}"
        return CrawlResult.failure(url, message, session_id, "transport")
    return None


def _relay(
    source: concurrent.futures.Future[CrawlResult],
    target: concurrent.futures.Future[CrawlResult],
    failure: Callable[[BaseException], CrawlResult | None] = lambda exc: None,
) -> None:
    """Complete ``target`` with ``source``'s outcome; ``failure`` may turn an error into
    a result. A caller that gives up on ``target`` (asyncio cancellation) cancels
    ``source``, which frees its queue slot if it has not started yet."""

    def copy(done: concurrent.futures.Future[CrawlResult]) -> None:
        if target.done():
            return
        if done.cancelled():
            target.cancel()
            return
        exc = done.exception()
        if exc is None:
            target.set_result(done.result())
            return
        result = failure(exc)
        if result is None:
            target.set_exception(exc)
        else:
            target.set_result(result)

    source.add_done_callback(copy)
    target.add_done_callback(lambda f: source.cancel() if f.cancelled() else None)


def _capture_of(cached: CachedPage) -> page.Capture:
    return page.Capture(
        html=cached.html,
        redirected_url=cached.redirected_url or cached.url,
        status_code=cached.status_code,
        first_status=cached.first_status,
        screenshot=cached.screenshot,
        pdf=cached.pdf,
    )


def _cached_of(target: Target, capture: page.Capture) -> CachedPage:
    return CachedPage(
        url=target.url,
        redirected_url=capture.redirected_url,
        status_code=capture.status_code,
        first_status=capture.first_status,
        html=capture.html,
        screenshot=capture.screenshot,
        pdf=capture.pdf,
        created_at=time.time(),
    )
