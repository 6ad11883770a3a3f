"""robots.txt for ``CrawlerRunConfig(check_robots_txt=True)`` (README: "Crawls that survive").

Each origin's robots.txt is fetched once, with a plain request from Python
(:mod:`seleniumcrawl.plain_http`), never through the browser; the answer is kept in
memory and in the page cache's SQLite file (table ``robots``) for a day, so other
crawlers and later runs do not fetch it again. Rules are read with
:mod:`urllib.robotparser`: the group whose ``User-agent`` names our user agent's
product token applies, else the ``*`` group.

What a fetch means (RFC 9309, urllib's reading): 2xx, the rules in the file; 401 or
403, nothing may be crawled; any other 4xx (no robots.txt), everything may; a 5xx,
nothing may (kept in memory only, so the next crawler asks again); no answer at all
(refused, timed out), everything may, so the crawl itself reports the real network error.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from typing import Protocol
from urllib.parse import urlsplit

from seleniumcrawl.plain_http import DEFAULT_USER_AGENT, PlainResponse

logger = logging.getLogger(__name__)

#: How long a stored robots.txt is trusted (RFC 9309 asks for at most 24 hours).
ROBOTS_TTL_S = 24 * 3600.0
#: Status recorded when the host could not be reached at all.
UNREACHABLE = 0
BLOCKED_MESSAGE = "blocked by robots.txt"


class RobotsStore(Protocol):
    """Where fetched robots.txt files are kept across crawlers (the page cache)."""

    def get_robots(self, origin: str) -> tuple[int, str, float] | None: ...

    def put_robots(self, origin: str, status: int, body: str, fetched_at: float) -> None: ...


Fetch = Callable[[str], PlainResponse]


def origin_of(url: str) -> tuple[str, str] | None:
    """``(origin, robots.txt URL)`` of an http(s) URL; None for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    origin = f"{scheme}://{netloc}"
    return origin, origin + "/robots.txt"


class RobotsRules:
    """What one origin's robots.txt fetch says: the file's rules, or all/nothing allowed."""

    def __init__(self, status: int, body: str) -> None:
        self.status = status
        self._parser: urllib.robotparser.RobotFileParser | None = None
        self._everything: bool | None = None
        if 200 <= status < 300:
            self._parser = urllib.robotparser.RobotFileParser()
            self._parser.parse(body.splitlines())
        else:  # 401/403 and 5xx: nothing; another 4xx (none there) or unreachable: everything
            self._everything = not (status in (401, 403) or status >= 500)

    def can_fetch(self, user_agent: str, url: str) -> bool:
        """urllib.robotparser's answer for ``user_agent``'s group (else ``*``)."""
        if self._parser is None:
            return bool(self._everything)
        return self._parser.can_fetch(user_agent, url)


def rules_from(status: int, body: str) -> RobotsRules:
    """The rules of a robots.txt fetch that answered ``status`` with ``body``."""
    return RobotsRules(status, body)


class RobotsChecker:
    """Answers "may this URL be crawled?" for one crawler; thread-safe.

    ``fetch(url)`` does the plain request (injectable for tests); ``store`` is the
    page cache, or None; ``user_agent`` is the crawler's (its product token selects
    the group).
    """

    def __init__(
        self,
        fetch: Fetch,
        *,
        user_agent: str | None = None,
        store: Callable[[], RobotsStore | None] = lambda: None,
        clock: Callable[[], float] = time.time,
        ttl: float = ROBOTS_TTL_S,
    ) -> None:
        self._fetch = fetch
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self._store = store
        self._clock = clock
        self._ttl = ttl
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def allowed(self, url: str) -> bool:
        """False when the URL's robots.txt disallows it for our user agent."""
        where = origin_of(url)
        if where is None:
            return True
        return self._rules_for(*where).can_fetch(self.user_agent, url)

    def _rules_for(self, origin: str, robots_url: str) -> RobotsRules:
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch per origin, however many crawls ask at once
            rules = self._rules.get(origin)
            if rules is None:
                rules = self._stored(origin) or self._fetched(origin, robots_url)
                self._rules[origin] = rules
            return rules

    def _stored(self, origin: str) -> RobotsRules | None:
        try:
            store = self._store()
            row = store.get_robots(origin) if store is not None else None
        except (sqlite3.Error, OSError) as exc:
            logger.warning("robots.txt cache read failed (%s); fetching %s", exc, origin)
            return None
        if row is None or self._clock() - row[2] > self._ttl:
            return None
        return rules_from(row[0], row[1])

    def _fetched(self, origin: str, robots_url: str) -> RobotsRules:
        now = self._clock()
        try:
            response = self._fetch(robots_url)
        except OSError as exc:
            logger.info(
                "%s unreachable (%s): crawling as if it allowed everything", robots_url, exc
            )
            return rules_from(UNREACHABLE, "")
        body = response.body.decode("utf-8", errors="replace")
        logger.debug("fetched %s: HTTP %d, %d bytes", robots_url, response.status, len(body))
        if response.status < 500:
            try:
                store = self._store()
                if store is not None:
                    store.put_robots(origin, response.status, body, now)
            except (sqlite3.Error, OSError) as exc:
                logger.warning("robots.txt cache write failed for %s: %s", origin, exc)
        return rules_from(response.status, body)


__all__ = [
    "BLOCKED_MESSAGE",
    "ROBOTS_TTL_S",
    "RobotsChecker",
    "RobotsRules",
    "RobotsStore",
    "origin_of",
    "rules_from",
]
