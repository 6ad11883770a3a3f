"""A deep crawl's frontier in Redis, shared by any number of worker processes
(``state_url="redis://host:port/db"``, ``crawl_id=...``; docs/distributed.md).

Keys, all under ``seleniumcrawl:{<crawl_id>}:`` (one hash tag: a Redis Cluster keeps them
on one node, so every script below runs on one shard):

- ``meta`` (hash): the crawl's start URL and strategy, checked by every worker, and
  ``finished`` once a worker found nothing left to do;
- ``seen`` (set): every normalised URL ever queued, leased or done (the global seen-set);
- ``queue`` (sorted set): URLs not yet leased, by priority (lowest first, see
  :data:`_PRIORITY`); ``prio`` (hash) keeps each URL's priority to queue it again;
- ``nodes`` (hash): URL -> its depth, parent, score, discovery numbers (JSON);
- ``leases`` (sorted set): leased URLs by lease deadline (Redis server time, ms);
  ``owner`` (hash): leased URL -> ``"<token> <worker>"``;
- ``done`` (hash): URL -> ``1`` (success) or ``0`` (failure);
- ``counts`` (hash): ``successes``, ``done``, ``failed``, ``expired``, ``refused`` and the
  counters ``seq``, ``batch``, ``token``; ``workers`` (hash): ``<worker>:done|failed``;
- ``results`` (stream, with ``results="redis"``): one entry per page committed;
- ``host:<host>`` (string, with ``mean_delay``): the host's next page start, for all workers.

Every change is one Lua script, so it is atomic across workers. A lease is a *fencing
token* (a counter no two leases share) and a deadline; the worker renews its leases while
it crawls. When a deadline passes (the worker was killed, lost its host or its network,
or stood still) the next lease call puts the page back in the queue; a commit whose token
no longer owns the page is refused, so a page is committed once, by its current owner.
Time is the Redis server's (``TIME``), so the workers' clocks do not matter.
"""

from __future__ import annotations

import json
import logging
import math
import os
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from seleniumcrawl.deep_crawling.state import Node, decode_result, encode_result

if TYPE_CHECKING:
    from seleniumcrawl.models import CrawlResult

logger = logging.getLogger(__name__)

T = TypeVar("T")

SCHEMA_VERSION = "1"

#: How each strategy's queue orders pages, as one sorted-set score (lowest first).
#: BFS: depth first, then discovery order (so each level is leased before the next, across
#: workers); DFS: the pages found last first (``batch`` numbers the pages whose links were
#: followed); best-first: the highest score first (ties: by URL, Redis's order).
_PRIORITY = """
local function priority(mode, depth, seq, score, batch)
  if mode == 'bfs' then return depth * 4294967296 + seq end
  if mode == 'dfs' then return -batch * 67108864 + seq end
  return -score
end
"""

_REQUEUE_EXPIRED = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, url in ipairs(expired) do
  redis.call('ZREM', KEYS[2], url)
  redis.call('HDEL', KEYS[3], url)
  redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[4], url), url)
  redis.call('HINCRBY', KEYS[5], 'expired', 1)
end
"""

# KEYS: queue leases owner prio counts nodes; ARGV: worker, lease ms, max pages (-1: none)
_LEASE = (
    _REQUEUE_EXPIRED
    + """
local leased = redis.call('ZCARD', KEYS[2])
local max_pages = tonumber(ARGV[3])
local successes = tonumber(redis.call('HGET', KEYS[5], 'successes') or '0')
if max_pages >= 0 and successes + leased >= max_pages then
  return {'limit', leased, successes}
end
local top = redis.call('ZRANGE', KEYS[1], 0, 0)
if #top == 0 then return {'empty', leased, successes} end
local url = top[1]
redis.call('ZREM', KEYS[1], url)
local token = redis.call('HINCRBY', KEYS[5], 'token', 1)
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), url)
redis.call('HSET', KEYS[3], url, token .. ' ' .. ARGV[1])
return {'url', url, token, redis.call('HGET', KEYS[6], url)}
"""
)

_OWNS = """
local function owns(owner, url, token)
  local held = redis.call('HGET', owner, url)
  return held and string.sub(held, 1, #token + 1) == token .. ' '
end
"""

# KEYS: leases owner; ARGV: lease ms, then url, token pairs. Returns the URLs not renewed.
_RENEW = (
    _OWNS
    + """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local lost = {}
for i = 2, #ARGV, 2 do
  if owns(KEYS[2], ARGV[i], ARGV[i + 1]) then
    redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
  else
    table.insert(lost, ARGV[i])
  end
end
return lost
"""
)

# KEYS: queue leases owner prio; ARGV: url, token pairs: give leased pages back (not crawled).
_RELEASE = (
    _OWNS
    + """
for i = 1, #ARGV, 2 do
  if owns(KEYS[3], ARGV[i], ARGV[i + 1]) then
    redis.call('ZREM', KEYS[2], ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[4], ARGV[i]), ARGV[i])
  end
end
return 0
"""
)

# KEYS: queue leases owner prio counts nodes seen done workers results
# ARGV: url token worker success(0/1) mode stream(0/1) result-json, the redirect target
# ('' for none), then the children: url, depth, score, parent triples (parent is ARGV[1]).
# Returns 1 (committed) or 0 (refused: the token no longer owns the page).
_COMMIT = (
    _OWNS
    + _PRIORITY
    + """
local url, token, worker = ARGV[1], ARGV[2], ARGV[3]
if not owns(KEYS[3], url, token) then
  redis.call('HINCRBY', KEYS[5], 'refused', 1)
  return 0
end
redis.call('ZREM', KEYS[2], url)
redis.call('HDEL', KEYS[3], url)
redis.call('HSET', KEYS[8], url, ARGV[4])
redis.call('HINCRBY', KEYS[5], 'done', 1)
if ARGV[4] == '1' then
  redis.call('HINCRBY', KEYS[5], 'successes', 1)
  redis.call('HINCRBY', KEYS[9], worker .. ':done', 1)
else
  redis.call('HINCRBY', KEYS[5], 'failed', 1)
  redis.call('HINCRBY', KEYS[9], worker .. ':failed', 1)
end
if ARGV[8] ~= '' then redis.call('SADD', KEYS[7], ARGV[8]) end
if #ARGV > 8 then
  local batch = redis.call('HINCRBY', KEYS[5], 'batch', 1)
  for i = 9, #ARGV, 3 do
    local child = ARGV[i]
    if redis.call('SADD', KEYS[7], child) == 1 then
      local seq = redis.call('HINCRBY', KEYS[5], 'seq', 1)
      local depth, score = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
      local p = priority(ARGV[5], depth, seq, score, batch)
      redis.call('HSET', KEYS[6], child, cjson.encode({url, seq, depth, score, batch}))
      redis.call('HSET', KEYS[4], child, p)
      redis.call('ZADD', KEYS[1], p, child)
    end
  end
end
if ARGV[6] == '1' then
  redis.call('XADD', KEYS[10], '*', 'url', url, 'worker', worker, 'result', ARGV[7])
end
return 1
"""
)

# KEYS: meta queue seen nodes prio; ARGV: start url, strategy, schema, time.
# Returns {} for a new or matching crawl, else the stored {start url, strategy}.
_BEGIN = """
local stored = redis.call('HMGET', KEYS[1], 'start_url', 'strategy')
if stored[1] then
  if stored[1] ~= ARGV[1] or stored[2] ~= ARGV[2] then return stored end
  return {}
end
redis.call('HSET', KEYS[1], 'start_url', ARGV[1], 'strategy', ARGV[2],
  'schema_version', ARGV[3], 'created_at', ARGV[4])
if redis.call('SADD', KEYS[3], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[4], ARGV[1], cjson.encode({false, 0, 0, tonumber(ARGV[5]), 0}))
  redis.call('HSET', KEYS[5], ARGV[1], 0)
  redis.call('ZADD', KEYS[2], 0, ARGV[1])
end
return {}
"""


# KEYS: the host's pacing key; ARGV: gap ms. The host's next start, claimed for this
# worker (0) or the ms to wait, shared by all the workers of the crawl.
_PACE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000 + math.floor(tonumber(now_t[2]) / 1000)
local next_start = tonumber(redis.call('GET', KEYS[1]) or '0')
if next_start > now then return next_start - now end
local gap = tonumber(ARGV[1])
redis.call('SET', KEYS[1], now + gap, 'PX', gap + 1000)
return 0
"""


class FrontierUnavailable(ConnectionError):
    """Redis did not answer for ``retry_seconds``: the worker stops (nothing committed is
    lost; its leased pages go to other workers when their leases expire)."""


def parse_redis_url(url: str, field: str = "state_url") -> dict[str, Any]:
    """``redis://[:password@]host[:port][/db]`` (or ``rediss://``, ``unix://``) checked
    early: a malformed URL raises ValueError naming ``field``. Returns the URL's parts."""
    if not isinstance(url, str):
        raise TypeError(f"{field} must be a str, got {type(url).__name__}")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ValueError(f"{field} must be a redis://, rediss:// or unix:// URL")
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError(f"{field}: a unix:// URL needs a socket path")
        return {"scheme": "unix", "path": parts.path}
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{field}: the port is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError(f"{field}: no host in the Redis URL")
    db = parts.path.lstrip("/") or "0"
    if not db.isdigit():
        raise ValueError(f"{field}: the database (the URL's path) must be a number")
    return {"scheme": parts.scheme, "host": parts.hostname, "port": port or 6379, "db": int(db)}


def redacted(url: str) -> str:
    """``url`` without its password (for logs and errors)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urllib.parse.urlunsplit(parts._replace(netloc=user + netloc))


def default_worker_id() -> str:
    """``<host>:<pid>``: unique per process on the machines of one crawl."""
    return f"{socket.gethostname()}:{os.getpid()}"


@attrs.frozen
class Lease:
    """A page this worker holds: its fencing token, until its lease expires."""

    node: Node
    token: str


@attrs.frozen
class WorkerStatus:
    """One worker's pages: done (successes), failed, and leased right now."""

    done: int = 0
    failed: int = 0
    leased: int = 0


@attrs.frozen
class CrawlStatus:
    """A shared crawl's counts (``seleniumcrawl crawl-status``)."""

    start_url: str | None
    strategy: str | None
    done: int
    successes: int
    failed: int
    queued: int
    leased: int
    expired: int
    refused: int
    workers: dict[str, WorkerStatus]
    #: A worker found nothing left to do: the queue empty and nothing leased, or
    #: ``max_pages`` successes.
    finished: bool = False


class RedisFrontier:
    """The shared frontier of crawl ``crawl_id`` on the Redis at ``url``; thread-safe
    (redis-py's pool). Calls that fail to reach Redis are retried with backoff for
    ``retry_seconds``, then :class:`FrontierUnavailable` is raised."""

    def __init__(
        self,
        url: str,
        crawl_id: str,
        *,
        worker_id: str | None = None,
        lease_seconds: float = 30.0,
        retry_seconds: float = 30.0,
        socket_timeout: float = 5.0,
    ) -> None:
        parse_redis_url(url)
        try:
            import redis
        except ImportError:
            raise ImportError(
                "state_url redis://... needs the redis package: pip install 'seleniumcrawl[redis]'"
            ) from None
        self.url = url
        self.crawl_id = crawl_id
        self.worker_id = worker_id or default_worker_id()
        self.lease_ms = int(lease_seconds * 1000)
        self.retry_seconds = retry_seconds
        self._errors: tuple[type[BaseException], ...] = (
            redis.ConnectionError,
            redis.TimeoutError,
        )
        # Any: redis-py's annotations cover its sync and async clients at once.
        self._client: Any = redis.Redis.from_url(
            url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout
        )
        prefix = f"seleniumcrawl:{{{crawl_id}}}:"
        k = {
            name: prefix + name
            for name in (
                "meta",
                "queue",
                "leases",
                "owner",
                "prio",
                "counts",
                "nodes",
                "seen",
                "done",
                "workers",
                "results",
            )
        }
        self.keys = k
        self._lease_keys = [k["queue"], k["leases"], k["owner"], k["prio"], k["counts"], k["nodes"]]
        self._commit_keys = [*self._lease_keys, k["seen"], k["done"], k["workers"], k["results"]]
        self._begin_keys = [k["meta"], k["queue"], k["seen"], k["nodes"], k["prio"]]
        c = self._client
        self._lease = c.register_script(_LEASE)
        self._renew = c.register_script(_RENEW)
        self._release = c.register_script(_RELEASE)
        self._commit = c.register_script(_COMMIT)
        self._begin = c.register_script(_BEGIN)
        self._pace = c.register_script(_PACE)
        self._prefix = prefix

    # -- reaching Redis ----------------------------------------------------------------------

    def ping(self) -> None:
        """Fail at once (one line, no retry) when Redis cannot be reached."""
        try:
            self._client.ping()
        except self._errors as exc:
            raise FrontierUnavailable(
                f"Redis at {redacted(self.url)} is unreachable: {type(exc).__name__}: {exc}"
            ) from None

    def _call(self, what: str, call: Callable[[], T]) -> T:
        """``call()``, retried with backoff (0.1 s doubling to 5 s) while Redis is down."""
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.1
        while True:
            try:
                return call()
            except self._errors as exc:
                if time.monotonic() + delay > deadline:
                    raise FrontierUnavailable(
                        f"Redis at {redacted(self.url)} did not answer for "
                        f"{self.retry_seconds:g} s ({what}): {type(exc).__name__}"
                    ) from None
                logger.warning(
                    "Redis at %s: %s failed (%s); retrying in %.1f s",
                    redacted(self.url),
                    what,
                    type(exc).__name__,
                    delay,
                )
                time.sleep(delay)  # Redis is down: nothing to wait on but time
                delay = min(delay * 2, 5.0)

    # -- the crawl -------------------------------------------------------------------------

    def begin(self, start_url: str, strategy: str, score: float) -> None:
        """Join crawl ``crawl_id`` (created with its start page when new); a crawl of
        another start URL or strategy under this id raises ValueError."""
        stored = self._call(
            "begin",
            lambda: self._begin(
                keys=self._begin_keys,
                args=[start_url, strategy, SCHEMA_VERSION, str(time.time()), repr(score)],
            ),
        )
        if stored:
            url, kind = (v.decode() for v in stored)
            raise ValueError(
                f"crawl_id {self.crawl_id!r} holds a {kind} crawl of {url}, not a {strategy} "
                f"crawl of {start_url}; give this crawl another crawl_id"
            )

    def lease(self, max_pages: float) -> Lease | tuple[str, int, int]:
        """The next page for this worker, or ``(why, leased, successes)`` when there is
        none now: ``why`` is ``"empty"`` (queue empty) or ``"limit"`` (max_pages
        reached, counting the pages leased)."""
        limit = -1 if max_pages == math.inf else int(max_pages)
        got = self._call(
            "lease",
            lambda: self._lease(keys=self._lease_keys, args=[self.worker_id, self.lease_ms, limit]),
        )
        if got[0] != b"url":
            return (got[0].decode(), int(got[1]), int(got[2]))
        url = got[1].decode()
        parent, seq, depth, score, batch = json.loads(got[3])
        return Lease(Node(url, seq, parent or None, depth, score, batch), str(got[2]))

    def renew(self, leases: Sequence[Lease]) -> list[str]:
        """Push back the deadlines of ``leases``; returns the URLs this worker lost."""
        if not leases:
            return []
        args: list[Any] = [self.lease_ms]
        for lease in leases:
            args += [lease.node.url, lease.token]
        lost = self._call("renew", lambda: self._renew(keys=self._lease_keys[1:3], args=args))
        return [url.decode() for url in lost]

    def mark_finished(self) -> None:
        """Record that the crawl is over (nothing queued and leased, or max_pages done)."""
        self._call("finish", lambda: self._client.hset(self.keys["meta"], "finished", "1"))

    def pace(self, host: str, gap: float) -> float:
        """Claim ``host``'s next page start for this worker, ``gap`` seconds before the
        next one there (any worker's): 0.0, or the seconds until the host is free."""
        key = f"{self._prefix}host:{host}"
        wait = self._call("pace", lambda: self._pace(keys=[key], args=[int(gap * 1000)]))
        return int(wait) / 1000

    def release(self, leases: Sequence[Lease]) -> None:
        """Give pages back to the queue, not crawled (the worker is stopping)."""
        if not leases:
            return
        args = [value for lease in leases for value in (lease.node.url, lease.token)]
        self._call("release", lambda: self._release(keys=self._lease_keys[:4], args=args))

    def commit(
        self,
        lease: Lease,
        result: CrawlResult,
        children: Sequence[tuple[str, int, float]],
        *,
        mode: str,
        landed: str | None = None,
        stream: bool = False,
    ) -> bool:
        """Record ``lease``'s page as done with the pages found on it (url, depth, score),
        queued unless already seen, and ``landed`` (a redirect target) as seen. False:
        the lease was lost (expired, the page is another worker's now): nothing recorded."""
        args: list[Any] = [
            lease.node.url,
            lease.token,
            self.worker_id,
            int(bool(result.success)),
            mode,
            int(stream),
            encode_result(result) if stream else "",
            landed or "",
        ]
        for url, depth, score in children:
            args += [url, depth, repr(float(score))]
        done = self._call("commit", lambda: self._commit(keys=self._commit_keys, args=args))
        return bool(done)

    # -- looking on ---------------------------------------------------------------------------

    def status(self) -> CrawlStatus:
        """The crawl's counts, overall and per worker."""
        k = self.keys

        def read() -> list[Any]:
            pipe = self._client.pipeline(transaction=True)
            pipe.hmget(k["meta"], "start_url", "strategy", "finished")
            pipe.hgetall(k["counts"])
            pipe.zcard(k["queue"])
            pipe.hvals(k["owner"])
            pipe.hgetall(k["workers"])
            return list(pipe.execute())

        meta, counts, queued, owners, per_worker = self._call("status", read)
        counts = {key.decode(): int(value) for key, value in counts.items()}
        workers: dict[str, dict[str, int]] = {}
        for key, value in per_worker.items():
            name, _, field = key.decode().rpartition(":")
            workers.setdefault(name, {})[field] = int(value)
        for held in owners:
            name = held.decode().split(" ", 1)[1]
            entry = workers.setdefault(name, {})
            entry["leased"] = entry.get("leased", 0) + 1
        return CrawlStatus(
            start_url=meta[0].decode() if meta[0] else None,
            strategy=meta[1].decode() if meta[1] else None,
            done=counts.get("done", 0),
            successes=counts.get("successes", 0),
            failed=counts.get("failed", 0),
            queued=int(queued),
            leased=len(owners),
            expired=counts.get("expired", 0),
            refused=counts.get("refused", 0),
            workers={name: WorkerStatus(**entry) for name, entry in sorted(workers.items())},
            finished=meta[2] is not None,
        )

    def results(
        self, group: str = "consumers", consumer: str | None = None, *, block_ms: int = 1000
    ) -> Iterator[CrawlResult]:
        """The crawl's results stream (``results="redis"``) read through consumer group
        ``group``: each page's result goes to one consumer of the group, and is
        acknowledged when the next one is asked for (so a consumer killed mid-way leaves
        it pending, to be read again by :meth:`results` of the same consumer name).
        Ends when no entry arrives for ``block_ms`` and the crawl is finished."""
        import redis

        consumer = consumer or default_worker_id()
        stream = self.keys["results"]
        try:
            self._client.xgroup_create(stream, group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        pending_first = True
        while True:
            start = "0" if pending_first else ">"
            got = self._read(group, consumer, start, block_ms)
            entries = got[0][1] if got else []
            if pending_first and not entries:
                pending_first = False
                continue
            if not entries:
                if self.status().finished:
                    return
                continue
            for entry_id, fields in entries:
                yield decode_result(fields[b"result"].decode())
                self._ack(stream, group, entry_id)

    def _read(self, group: str, consumer: str, start: str, block_ms: int) -> Any:
        stream = self.keys["results"]
        return self._call(
            "read results",
            lambda: self._client.xreadgroup(
                group, consumer, {stream: start}, count=16, block=block_ms
            ),
        )

    def _ack(self, stream: str, group: str, entry_id: bytes) -> None:
        self._call("ack", lambda: self._client.xack(stream, group, entry_id))

    def delete(self) -> None:
        """Remove every key of this crawl (a finished crawl's clean-up)."""
        self._call("delete", lambda: self._client.delete(*self.keys.values()))

    def close(self) -> None:
        """Close the connections (idempotent)."""
        self._client.close()


__all__ = [
    "CrawlStatus",
    "FrontierUnavailable",
    "Lease",
    "RedisFrontier",
    "WorkerStatus",
    "default_worker_id",
    "parse_redis_url",
    "redacted",
]
