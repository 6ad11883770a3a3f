"""``VirtualScrollConfig``: Crawl4AI's settings for feeds that recycle their DOM as you scroll
(importable from ``seleniumcrawl.async_configs``)."""

from __future__ import annotations

from typing import Any

import attrs

from seleniumcrawl.errors import ConfigError


def _scroll_by(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value in ("container_height", "page_height"):
        return
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return
    raise ConfigError(
        "VirtualScrollConfig.scroll_by must be 'container_height', 'page_height' or a "
        f"positive int of pixels, got {value!r}"
    )


def _selector(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            "VirtualScrollConfig.container_selector must be a non-empty CSS selector, "
            f"got {value!r}"
        )


def _count(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"VirtualScrollConfig.scroll_count must be an int >= 1, got {value!r}")


def _wait(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(
            f"VirtualScrollConfig.wait_after_scroll must be a number >= 0, got {value!r}"
        )


@attrs.frozen
class VirtualScrollConfig:
    """Scroll ``container_selector`` ``scroll_count`` times by ``scroll_by``, waiting
    ``wait_after_scroll`` seconds each time; every item seen ends up in the HTML once."""

    container_selector: str = attrs.field(validator=_selector)
    scroll_count: int = attrs.field(default=10, validator=_count, kw_only=True)
    scroll_by: str | int = attrs.field(
        default="container_height", validator=_scroll_by, kw_only=True
    )
    wait_after_scroll: float = attrs.field(default=0.5, validator=_wait, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (what the in-page scroller receives)."""
        return attrs.asdict(self)


__all__ = ["VirtualScrollConfig"]
