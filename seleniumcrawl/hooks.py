"""Crawl4AI's hooks: user functions called at fixed points of a crawl.

``crawler.crawler_strategy.set_hook(name, fn)`` registers ``fn`` under one of
:data:`HOOK_NAMES`. Each hook runs on the thread that owns the page (the driver thread
on the classic path, the crawl's page thread over BiDi): a plain function is called, an
``async`` one (or a plain one returning an awaitable) is run to completion on a private
event loop of that thread. Blocking there is fine: the page is the hook's while it runs.

A hook that raises fails the crawl with ``hook '<name>' raised <Type>: <message>``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from seleniumcrawl.errors import CrawlError

log = logging.getLogger(__name__)

#: The hook names, in the order they fire during a crawl.
HOOK_NAMES = (
    "on_browser_created",
    "on_page_context_created",
    "on_user_agent_updated",
    "before_goto",
    "after_goto",
    "on_execution_started",
    "on_execution_ended",
    "before_retrieve_html",
    "before_return_html",
)

Hook = Callable[..., Any]

_local = threading.local()


class HookError(CrawlError):
    """A user hook raised; the crawl fails with its name and error."""

    error_type = "hook"


def check_hook(name: Any, fn: Any) -> None:
    """Raise ``ValueError`` for an unknown hook name, ``TypeError`` for a non-callable."""
    if not isinstance(name, str) or name not in HOOK_NAMES:
        raise ValueError(f"unknown hook {name!r}; hooks are: {', '.join(HOOK_NAMES)}")
    if not callable(fn):
        raise TypeError(f"hook {name!r} must be callable, got {type(fn).__name__} {fn!r}")


def _loop() -> asyncio.AbstractEventLoop:
    """This thread's private loop for async hooks (made on first use, kept for the next)."""
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def run_hook(hooks: Mapping[str, Hook], name: str, *args: Any, **kwargs: Any) -> Any:
    """Call hook ``name`` if registered (awaiting it if async); ``HookError`` if it raised."""
    fn = hooks.get(name)
    if fn is None:
        return None
    try:
        value = fn(*args, **kwargs)
        if inspect.isawaitable(value):
            value = _loop().run_until_complete(_awaited(value))
        return value
    except Exception as exc:
        message = " ".join(str(exc).split())
        log.debug("hook %r raised", name, exc_info=True)
        raise HookError(f"hook '{name}' raised {type(exc).__name__}: {message}") from exc


async def _awaited(value: Any) -> Any:
    return await value


__all__ = ["HOOK_NAMES", "HookError", "check_hook", "run_hook"]
