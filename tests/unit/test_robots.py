"""robots.txt: group selection, what each fetch status means, one fetch per origin, caching."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from seleniumcrawl.cache import CrawlCache
from seleniumcrawl.plain_http import PlainResponse
from seleniumcrawl.robots import RobotsChecker, origin_of, rules_from

ROBOTS = """
User-agent: seleniumcrawl
Disallow: /private/

User-agent: *
Disallow: /private/
Disallow: /members/
"""


def test_our_group_applies_before_the_star_group() -> None:
    """The group naming our product token wins; others fall back to '*' (urllib semantics)."""
    rules = rules_from(200, ROBOTS)
    assert not rules.can_fetch("seleniumcrawl/0.1", "http://h.test/private/x")
    assert rules.can_fetch("seleniumcrawl/0.1", "http://h.test/members/x")
    assert not rules.can_fetch("OtherBot/2.0", "http://h.test/members/x")
    assert rules.can_fetch("OtherBot/2.0", "http://h.test/public")


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(401, False), (403, False), (404, True), (410, True), (500, False), (503, False), (0, True)],
)
def test_fetch_status_meaning(status: int, allowed: bool) -> None:
    """401/403 and 5xx forbid everything; other 4xx and an unreachable host allow everything."""
    assert (
        rules_from(status, "User-agent: *\nDisallow: /").can_fetch("x", "http://h.test/a")
        is allowed
    )


def test_origin_of() -> None:
    """robots.txt is per scheme, host and port."""
    assert origin_of("HTTP://H.test:8080/a?b#c") == (
        "http://h.test:8080",
        "http://h.test:8080/robots.txt",
    )
    assert origin_of("https://h.test/") == ("https://h.test", "https://h.test/robots.txt")
    assert origin_of("file:///etc/hosts") is None and origin_of("raw:<p>") is None


class Fetcher:
    """A fake plain-HTTP fetch that counts calls per URL and can be slowed down."""

    def __init__(self, responses: dict[str, PlainResponse | OSError]) -> None:
        self.responses = responses
        self.calls: list[str] = []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.release.set()

    def __call__(self, url: str) -> PlainResponse:
        with self.lock:
            self.calls.append(url)
        self.release.wait(5)
        answer = self.responses[url]
        if isinstance(answer, OSError):
            raise answer
        return answer


def test_fetched_once_per_origin_even_when_asked_at_once() -> None:
    """Eight threads asking about one origin cause a single fetch."""
    fetch = Fetcher({"http://h.test/robots.txt": PlainResponse(200, {}, ROBOTS.encode())})
    fetch.release.clear()
    checker = RobotsChecker(fetch)
    answers: list[bool] = []
    threads = [
        threading.Thread(target=lambda: answers.append(checker.allowed("http://h.test/private/1")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    fetch.release.set()
    for thread in threads:
        thread.join()
    assert answers == [False] * 8 and fetch.calls == ["http://h.test/robots.txt"]
    assert checker.allowed("http://h.test/members/1")  # our own group allows it


def test_stored_in_the_cache_file_and_reused_by_another_checker(tmp_path: Path) -> None:
    """A fetched robots.txt goes to the cache's robots table; a new checker reads it there."""
    fetch = Fetcher({"http://h.test/robots.txt": PlainResponse(200, {}, ROBOTS.encode())})
    with CrawlCache(tmp_path / "cache.db") as cache:
        assert not RobotsChecker(fetch, store=lambda: cache).allowed("http://h.test/private/")
        assert cache.get_robots("http://h.test") is not None
        other = RobotsChecker(fetch, store=lambda: cache)
        assert not other.allowed("http://h.test/private/") and other.allowed("http://h.test/a")
    assert len(fetch.calls) == 1


def test_expired_and_server_error_entries_are_fetched_again(tmp_path: Path) -> None:
    """Entries older than the TTL are fetched again; 5xx answers are not stored."""
    now = [1000.0]
    fetch = Fetcher(
        {
            "http://h.test/robots.txt": PlainResponse(200, {}, b"User-agent: *\nDisallow: /x"),
            "http://down.test/robots.txt": PlainResponse(503, {}, b""),
        }
    )
    with CrawlCache(tmp_path / "cache.db") as cache:
        RobotsChecker(fetch, store=lambda: cache, clock=lambda: now[0]).allowed("http://h.test/")
        now[0] += 10 * 3600
        RobotsChecker(fetch, store=lambda: cache, clock=lambda: now[0]).allowed("http://h.test/")
        assert len(fetch.calls) == 1
        now[0] += 20 * 3600
        RobotsChecker(fetch, store=lambda: cache, clock=lambda: now[0]).allowed("http://h.test/")
        assert len(fetch.calls) == 2
        assert not RobotsChecker(fetch, store=lambda: cache).allowed("http://down.test/a")
        assert cache.get_robots("http://down.test") is None


def test_unreachable_host_allows_and_user_agent_picks_the_group() -> None:
    """An unreachable robots.txt allows the crawl; a configured user agent selects its group."""
    fetch = Fetcher(
        {
            "http://gone.test/robots.txt": ConnectionRefusedError("refused"),
            "http://h.test/robots.txt": PlainResponse(200, {}, ROBOTS.encode()),
        }
    )
    assert RobotsChecker(fetch).allowed("http://gone.test/anything")
    other = RobotsChecker(fetch, user_agent="OtherBot/1.0 (+https://bot.test)")
    assert not other.allowed("http://h.test/members/x")
