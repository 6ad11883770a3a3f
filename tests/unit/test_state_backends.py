"""state_url / crawl_id on the deep-crawl strategies: the backend chosen by the URL's
scheme, and bad input refused naming the field (no Redis needed)."""

from __future__ import annotations

import pytest

from seleniumcrawl.deep_crawling import BFSDeepCrawlStrategy, DFSDeepCrawlStrategy
from seleniumcrawl.deep_crawling.backends import backend_of, sqlite_path
from seleniumcrawl.deep_crawling.redis_frontier import parse_redis_url, redacted


def test_the_scheme_chooses_the_backend() -> None:
    """sqlite:/// is the SQLite file; redis://, rediss:// and unix:// are Redis."""
    assert backend_of("sqlite:///crawl.db") == "sqlite"
    assert sqlite_path("sqlite:////tmp/crawl.db") == "/tmp/crawl.db"
    assert backend_of("redis://127.0.0.1:6379/0") == "redis"
    assert backend_of("rediss://:pw@cache.example:6380/2") == "redis"
    assert backend_of("unix:///run/redis.sock") == "redis"


def test_a_sqlite_state_url_is_state_path() -> None:
    """state_url='sqlite:///PATH' sets state_path (one process owns the crawl)."""
    strategy = BFSDeepCrawlStrategy(max_depth=1, state_url="sqlite:///crawl.db")
    assert strategy.state_path == "crawl.db" and strategy.crawl_id is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:6379", "state_url must start with sqlite:///, redis://"),
        ("redis://127.0.0.1:99999/0", "state_url: the port"),
        ("redis://127.0.0.1:6379/zero", "state_url: the database"),
        ("redis:///0", "state_url: no host"),
        ("sqlite://", "state_url: a SQLite state URL is sqlite:///PATH"),
    ],
)
def test_a_malformed_state_url_raises_naming_the_field(url: str, message: str) -> None:
    """A malformed URL raises ValueError naming BFSDeepCrawlStrategy.state_url."""
    with pytest.raises(ValueError, match=f"BFSDeepCrawlStrategy.{message}"):
        BFSDeepCrawlStrategy(max_depth=1, state_url=url, crawl_id="c")


def test_crawl_id_rules() -> None:
    """A Redis URL needs a crawl_id; a crawl_id needs a Redis URL; state_path and
    state_url, resume_state and state_url, do not go together; results='redis' needs Redis."""
    with pytest.raises(ValueError, match="crawl_id is needed"):
        DFSDeepCrawlStrategy(max_depth=1, state_url="redis://h/0")
    with pytest.raises(ValueError, match="crawl_id needs a state_url"):
        DFSDeepCrawlStrategy(max_depth=1, crawl_id="c")
    with pytest.raises(ValueError, match="crawl_id goes with a Redis"):
        DFSDeepCrawlStrategy(max_depth=1, state_url="sqlite:///x.db", crawl_id="c")
    with pytest.raises(ValueError, match="state_path or state_url"):
        DFSDeepCrawlStrategy(max_depth=1, state_path="x.db", state_url="redis://h/0", crawl_id="c")
    with pytest.raises(ValueError, match="resume_state or state_url"):
        DFSDeepCrawlStrategy(max_depth=1, resume_state={}, state_url="redis://h/0", crawl_id="c")
    with pytest.raises(TypeError, match="crawl_id must be a non-empty str"):
        DFSDeepCrawlStrategy(max_depth=1, state_url="redis://h/0", crawl_id=" ")
    with pytest.raises(ValueError, match="results='redis' needs"):
        DFSDeepCrawlStrategy(max_depth=1, results="redis")
    with pytest.raises(ValueError, match="results must be 'local' or 'redis'"):
        DFSDeepCrawlStrategy(max_depth=1, state_url="redis://h/0", crawl_id="c", results="x")
    with pytest.raises(ValueError, match="lease_seconds must be in"):
        DFSDeepCrawlStrategy(max_depth=1, state_url="redis://h/0", crawl_id="c", lease_seconds=0)


def test_the_password_stays_out_of_repr() -> None:
    """A Redis password in state_url never shows in the strategy's repr."""
    strategy = BFSDeepCrawlStrategy(max_depth=1, state_url="redis://u:hunter2@h:1/0", crawl_id="c")
    assert "hunter2" not in repr(strategy) and "u:***@h:1" in repr(strategy)
    assert redacted("redis://:pw@h/0") == "redis://:***@h/0"
    assert parse_redis_url("redis://h") == {"scheme": "redis", "host": "h", "port": 6379, "db": 0}


def test_cli_shared_crawl_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """--crawl-id/--worker without a redis:// --state, and a redis:// --state without
    --crawl-id, are usage errors (exit 2, one line); crawl-status with an unreachable
    Redis fails with one line (exit 1) naming it."""
    from seleniumcrawl.cli import main

    deep = ["crawl", "http://127.0.0.1:9/", "--deep-crawl", "bfs"]
    assert main([*deep, "--crawl-id", "c"]) == 2
    assert "--crawl-id needs a shared crawl" in capsys.readouterr().err
    assert main([*deep, "--state", "crawl.db", "--worker"]) == 2
    assert "--worker needs a shared crawl" in capsys.readouterr().err
    assert main([*deep, "--state", "redis://127.0.0.1:1/0"]) == 2
    assert "needs --crawl-id ID" in capsys.readouterr().err
    assert main(["crawl-status", "--state", "http://x", "--crawl-id", "c"]) == 2
    assert "--state must be a redis://" in capsys.readouterr().err
    assert main(["crawl-status", "--state", "redis://:pw@127.0.0.1:1/0", "--crawl-id", "c"]) == 1
    err = capsys.readouterr().err
    assert "Redis at redis://:***@127.0.0.1:1/0 is unreachable" in err
    assert err.count("\n") == 1 and "pw@" not in err


def test_sitemap_seeding_is_refused_with_redis() -> None:
    """seed_from_sitemap with a Redis state_url raises (not silently ignored)."""
    with pytest.raises(ValueError, match="seed_from_sitemap does not go with a Redis"):
        BFSDeepCrawlStrategy(
            max_depth=1, state_url="redis://h/0", crawl_id="c", seed_from_sitemap=True
        )
