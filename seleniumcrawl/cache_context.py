"""Cache modes, at the import path Crawl4AI users know."""

from __future__ import annotations

import enum


class CacheMode(enum.Enum):
    """How a crawl uses the cache.

    ``ENABLED`` reads and writes, ``DISABLED`` does neither, ``READ_ONLY`` only
    reads, ``WRITE_ONLY`` only writes, ``BYPASS`` (the default) skips reading
    and writing for this crawl.
    """

    ENABLED = "enabled"
    DISABLED = "disabled"
    READ_ONLY = "read_only"
    WRITE_ONLY = "write_only"
    BYPASS = "bypass"

    @property
    def reads(self) -> bool:
        """Whether a crawl in this mode may be answered from the cache."""
        return self in (CacheMode.ENABLED, CacheMode.READ_ONLY)

    @property
    def writes(self) -> bool:
        """Whether a crawl in this mode stores its result in the cache."""
        return self in (CacheMode.ENABLED, CacheMode.WRITE_ONLY)


__all__ = ["CacheMode"]
