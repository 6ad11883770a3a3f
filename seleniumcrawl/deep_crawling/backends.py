"""Where a deep crawl keeps its state, chosen by ``state_url``'s scheme.

- ``sqlite:///path/to/crawl.db`` (or ``state_path=``): one process owns the crawl; the
  frontier, the pages done and the undelivered results live in that file
  (:class:`~seleniumcrawl.deep_crawling.state.SqliteState`).
- ``redis://host:port/db`` (``rediss://``, ``unix://``) with ``crawl_id=``: any number
  of workers share the crawl (:class:`~seleniumcrawl.deep_crawling.redis_frontier.RedisFrontier`).
"""

from __future__ import annotations

import os
import urllib.parse

from seleniumcrawl.deep_crawling.redis_frontier import parse_redis_url

REDIS_SCHEMES = ("redis", "rediss", "unix")


def backend_of(state_url: str) -> str:
    """``"sqlite"`` or ``"redis"``; ValueError naming ``state_url`` for anything else."""
    if not isinstance(state_url, str):
        raise TypeError(f"state_url must be a str, got {type(state_url).__name__}")
    scheme = urllib.parse.urlsplit(state_url).scheme
    if scheme == "sqlite":
        sqlite_path(state_url)
        return "sqlite"
    if scheme in REDIS_SCHEMES:
        parse_redis_url(state_url)
        return "redis"
    raise ValueError(
        f"state_url must start with sqlite:///, redis://, rediss:// or unix://, got {scheme!r}"
    )


def sqlite_path(state_url: str) -> str:
    """The file of ``sqlite:///relative.db`` or ``sqlite:////absolute.db`` (SQLAlchemy's
    spelling: three slashes, then the path)."""
    if not state_url.startswith("sqlite:///") or len(state_url) == len("sqlite:///"):
        raise ValueError("state_url: a SQLite state URL is sqlite:///PATH")
    return os.fspath(state_url[len("sqlite:///") :])


__all__ = ["REDIS_SCHEMES", "backend_of", "sqlite_path"]
