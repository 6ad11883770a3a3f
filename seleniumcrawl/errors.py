"""The exception tree of seleniumcrawl.

::

    SeleniumCrawlError
    ├── ConfigError (+ ValueError)          bad configuration value
    ├── SchemaError (+ ValueError)          malformed extraction schema
    ├── DriverNotFoundError                 no browser driver could be located
    ├── CrawlerClosedError (+ RuntimeError) use of a crawler or pool after close()
    ├── WrongThreadError (+ RuntimeError)   a blocking call made from a driver's own thread
    ├── GridError                           the Grid launcher failed (seleniumcrawl.grid)
    ├── StateInUseError (+ RuntimeError)    a deep crawl's state file is held by another crawl
    └── CrawlError                          a crawl failed; becomes ``success=False``
        ├── NavigationError                 refused connection, error page ("navigation")
        │   ├── BadUrlError                 a URL no crawl accepts ("bad_input")
        │   ├── PageTimeoutError            page_timeout passed ("timeout")
        │   └── ProxyError                  the proxy failed or refused the login ("proxy")
        ├── ScriptError                     a js_code script threw or did not parse ("script")
        ├── WaitTimeoutError                wait_for did not hold in time ("timeout")
        ├── SessionError                    js_only on an unknown session, no driver ("session")
        ├── IdentityError                   a per-crawl identity without BiDi ("bad_input")
        ├── BrowserDiedError                the browser or its driver went away ("browser_dead")
        └── HookError (hooks.py)            a user hook raised ("hook")

Each crawl error carries an ``error_type``, which ``CrawlResult.error_type`` reports and
retries decide on (a ``bad_input`` failure is never retried). The engine's one boundary
(``outcomes._failure_of``) also names what is not ours: ``closed`` (the crawler was closed),
``webdriver`` (an unclassified WebDriver error), ``transport`` (the WebDriver server could
not be reached).

Selenium's exceptions are translated into these at one boundary
(:mod:`seleniumcrawl.crawler_strategy`) and re-raised ``from`` the original.
Crawl errors never escape ``arun``/``run``: they come back as a
:class:`~seleniumcrawl.models.CrawlResult` with ``success=False``.
"""

from __future__ import annotations

from typing import ClassVar


class SeleniumCrawlError(Exception):
    """Root of every exception raised by seleniumcrawl."""


class ConfigError(SeleniumCrawlError, ValueError):
    """A configuration value is invalid; the message names the field."""


class SchemaError(SeleniumCrawlError, ValueError):
    """An extraction schema is malformed; the message names the field path."""


class DriverNotFoundError(SeleniumCrawlError):
    """No WebDriver executable was found; the message says how to install one."""


class CrawlerClosedError(SeleniumCrawlError, RuntimeError):
    """The crawler (or its pool) was used after ``close()``."""


class WrongThreadError(SeleniumCrawlError, RuntimeError):
    """A blocking pool call was made from a driver thread, which would deadlock."""


class CrawlError(SeleniumCrawlError):
    """A crawl failed. Reported as ``CrawlResult(success=False)``, never raised to users."""

    #: The kind of failure, reported as ``CrawlResult.error_type``.
    error_type: ClassVar[str] = "crawl"


class NavigationError(CrawlError):
    """The URL could not be loaded (unreachable, an error page)."""

    error_type = "navigation"


class BadUrlError(NavigationError):
    """A URL that no crawl accepts (unsupported scheme, no host, missing file)."""

    error_type = "bad_input"


class PageTimeoutError(NavigationError):
    """The page did not load within ``page_timeout``."""

    error_type = "timeout"


class ProxyError(NavigationError):
    """The crawl's proxy could not be used: unreachable, failing, or refusing the
    credentials. The message names the proxy's host, never its password."""

    error_type = "proxy"


class ScriptError(CrawlError):
    """A ``js_code`` script threw an error or could not be parsed."""

    error_type = "script"


class WaitTimeoutError(CrawlError):
    """A ``wait_for`` condition did not hold within its timeout."""

    error_type = "timeout"


class StorageStateError(CrawlError):
    """The browser refused ``BrowserConfig.storage_state`` (a cookie it will not set)."""

    error_type = "bad_input"


class SessionError(CrawlError):
    """The session cannot serve this crawl (unknown for ``js_only``, no free driver)."""

    error_type = "session"


class IdentityError(CrawlError):
    """A per-crawl proxy or identity this browser cannot give (no BiDi, no user contexts)."""

    error_type = "bad_input"


class BrowserDiedError(CrawlError):
    """The browser or its driver process died; its sessions are lost."""

    error_type = "browser_dead"


class StateInUseError(SeleniumCrawlError, RuntimeError):
    """A deep crawl's ``state_path`` is held by another running crawl."""
