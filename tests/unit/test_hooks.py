"""Hook registration and the hook runner, without a browser."""

from __future__ import annotations

from typing import Any

import pytest

from seleniumcrawl import AsyncWebCrawler, WebCrawler
from seleniumcrawl.hooks import HOOK_NAMES, HookError, run_hook


def test_unknown_hook_name_raises_value_error() -> None:
    """set_hook with a name Crawl4AI does not have raises ValueError listing the names."""
    crawler = WebCrawler()
    try:
        with pytest.raises(ValueError, match=r"unknown hook 'before_gotoo'.*before_goto"):
            crawler.crawler_strategy.set_hook("before_gotoo", lambda page, **kw: None)
    finally:
        crawler.close()


def test_non_callable_hook_raises_type_error() -> None:
    """set_hook with something that is not callable raises TypeError naming the hook."""
    crawler = AsyncWebCrawler()
    with pytest.raises(TypeError, match="hook 'after_goto' must be callable"):
        crawler.crawler_strategy.set_hook("after_goto", "print")  # type: ignore[arg-type]


def test_every_crawl4ai_hook_name_is_accepted() -> None:
    """All nine Crawl4AI hook names register."""
    crawler = WebCrawler()
    try:
        for name in HOOK_NAMES:
            crawler.crawler_strategy.set_hook(name, lambda *a, **kw: None)
    finally:
        crawler.close()
    assert len(HOOK_NAMES) == 9


def test_async_hooks_run_to_completion_and_return_their_value() -> None:
    """An async hook is awaited on the calling thread's private loop, repeatedly."""
    seen: list[Any] = []

    async def hook(page: Any, **kw: Any) -> str:
        seen.append((page, kw))
        return "done"

    hooks = {"before_goto": hook}
    assert run_hook(hooks, "before_goto", "p", url="u") == "done"
    assert run_hook(hooks, "before_goto", "p", url="v") == "done"
    assert seen == [("p", {"url": "u"}), ("p", {"url": "v"})]
    assert run_hook(hooks, "after_goto", "p") is None


def test_a_raising_hook_becomes_a_one_line_hook_error() -> None:
    """The error names the hook, the exception type and its message on one line."""

    async def hook(page: Any, **kw: Any) -> None:
        raise ValueError("a\nb")

    with pytest.raises(HookError, match=r"^hook 'after_goto' raised ValueError: a b$"):
        run_hook({"after_goto": hook}, "after_goto", None)
