"""A deep crawl's state in SQLite (``state_path``): the frontier, the pages done, and the
results not yet handed to the caller (README: "Crawls that survive").

Every page of the crawl is a row of ``pages``, in one of these states:

- ``queued``: discovered, not fetched yet (the frontier);
- ``fetched``: fetched; its result is stored (JSON), its links not yet followed;
- ``processed``: its links were followed (their rows inserted); result still stored;
- ``delivered``: the caller has the result; the stored copy is dropped;
- ``alias``: a URL that another page redirected to; never crawled on its own.

:meth:`SqliteState.record` writes each batch of changes in one transaction, so a
crash (SIGKILL included) leaves the file at the last committed page: a page is
``queued`` until its fetch is committed as ``fetched`` with its result. The file is
in WAL mode with ``synchronous=NORMAL``: a committed page survives the process being
killed; only a power loss can take back the last few commits.

One crawl at a time: a second crawl on the same file (in this process or another)
gets :class:`~seleniumcrawl.errors.StateInUseError`, through an exclusive ``flock`` on
``<state_path>.lock`` that the kernel releases when the process ends, however it ends.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import attrs

from seleniumcrawl.errors import StateInUseError
from seleniumcrawl.models import CrawlResult
from seleniumcrawl.transactions import immediate_transaction

logger = logging.getLogger(__name__)

SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    parent_url TEXT,
    depth INTEGER NOT NULL,
    score REAL NOT NULL,
    batch INTEGER NOT NULL,
    state TEXT NOT NULL,
    success INTEGER,
    emit_order INTEGER,
    result TEXT
);
CREATE INDEX IF NOT EXISTS pages_by_state ON pages (state);
"""


@attrs.frozen
class Node:
    """A page of the crawl: ``seq`` is its discovery order, ``batch`` the processing
    number of the page it was found on (DFS order), ``score`` its scorer's score."""

    url: str
    seq: int
    parent_url: str | None
    depth: int
    score: float = 0.0
    batch: int = 0


@attrs.frozen
class Fetched:
    """A page whose fetch finished: its result, and its place in the output order."""

    node: Node
    result: CrawlResult
    emit_order: int


@attrs.frozen
class Snapshot:
    """What a state file holds when a crawl resumes from it."""

    start_url: str
    strategy: str
    queued: list[Node]
    #: Fetched (``processed`` False: links not followed yet) but not delivered, in output order.
    undelivered: list[tuple[Fetched, bool]]
    seen: set[str]
    done: int
    successes: int
    next_seq: int
    next_batch: int
    next_emit: int


class StateStore(Protocol):
    """Where a traversal keeps its state: SQLite (:class:`SqliteState`) or nowhere."""

    def load(self) -> Snapshot | None: ...

    def begin(self, start_url: str, strategy: str, root: Node) -> None: ...

    def record(
        self,
        *,
        fetched: Sequence[Fetched] = (),
        processed: Sequence[tuple[Node, Sequence[Node]]] = (),
        aliases: Sequence[Node] = (),
        delivered: Sequence[str] = (),
    ) -> None: ...

    def close(self) -> None: ...


class MemoryState:
    """No state file: nothing survives the process."""

    def load(self) -> Snapshot | None:
        return None

    def begin(self, start_url: str, strategy: str, root: Node) -> None:
        return None

    def record(
        self,
        *,
        fetched: Sequence[Fetched] = (),
        processed: Sequence[tuple[Node, Sequence[Node]]] = (),
        aliases: Sequence[Node] = (),
        delivered: Sequence[str] = (),
    ) -> None:
        return None

    def close(self) -> None:
        return None


# -- results as JSON ----------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str.__str__(value)  # a str subclass (the markdown result) is stored as its text
    return value


def _restored(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__bytes__"}:
            return base64.b64decode(value["__bytes__"])
        return {k: _restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restored(v) for v in value]
    return value


def encode_result(result: CrawlResult) -> str:
    """``result`` as JSON (bytes fields base64); fields it cannot store are left out."""
    data = {}
    for field in attrs.fields(type(result)):
        value = getattr(result, field.name)
        try:
            json.dumps(_plain(value))
        except (TypeError, ValueError):
            logger.debug("state file: CrawlResult.%s is not JSON; not stored", field.name)
            continue
        data[field.name] = _plain(value)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_result(text: str) -> CrawlResult:
    """The result :func:`encode_result` stored (fields this version lacks are dropped)."""
    data = _restored(json.loads(text))
    known = {field.name for field in attrs.fields(CrawlResult)}
    return CrawlResult(**{k: v for k, v in data.items() if k in known})


# -- the SQLite store ------------------------------------------------------------------------


def _lock(path: Path) -> IO[str]:
    """Hold ``<path>.lock`` exclusively, or raise StateInUseError naming the holder."""
    import fcntl

    handle = open(path.with_name(path.name + ".lock"), "a+", encoding="utf-8")  # noqa: SIM115
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise StateInUseError(
            f"state file {str(path)!r} is in use by another crawl (pid {holder}); "
            "wait for it to end, or give this crawl another state_path"
        ) from None
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


class SqliteState:
    """The state of one deep crawl in a SQLite file; see the module docstring."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.is_dir():
            raise ValueError(f"state_path {str(self.path)!r}: no such directory")
        self._lock_file = _lock(self.path)
        self._guard = threading.Lock()
        try:
            # check_same_thread=False: workers commit, the consumer flushes; _guard serialises.
            self._conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._lock_file.close()
            raise ValueError(
                f"state_path {str(self.path)!r} is not a usable state file: {exc}"
            ) from exc
        except BaseException:
            self._lock_file.close()
            raise
        self._closed = False

    def _meta(self) -> dict[str, str]:
        return dict(self._conn.execute("SELECT key, value FROM meta").fetchall())

    def load(self) -> Snapshot | None:
        """The crawl stored here, or None for a new file."""
        with self._guard:
            meta = self._meta()
            if "start_url" not in meta:
                return None
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise ValueError(
                    f"state file {str(self.path)!r} has format {meta.get('schema_version')}, "
                    f"this version reads {SCHEMA_VERSION}"
                )
            rows = self._conn.execute(
                "SELECT url, seq, parent_url, depth, score, batch, state, success, emit_order, "
                "result FROM pages"
            ).fetchall()
        queued: list[Node] = []
        undelivered: list[tuple[int, Fetched, bool]] = []
        seen: set[str] = set()
        done = successes = 0
        next_seq = next_batch = next_emit = 0
        for url, seq, parent, depth, score, batch, state, success, emit, blob in rows:
            node = Node(url, seq, parent, depth, score, batch)
            seen.add(url)
            next_seq = max(next_seq, seq + 1)
            next_batch = max(next_batch, batch + 1)
            if emit is not None:
                next_emit = max(next_emit, emit + 1)
            if state == "queued":
                queued.append(node)
            elif state in ("fetched", "processed", "delivered"):
                done += 1
                successes += bool(success)
                if state != "delivered":
                    fetched = Fetched(node, decode_result(blob), emit)
                    undelivered.append((emit, fetched, state == "processed"))
        undelivered.sort(key=lambda entry: entry[0])
        return Snapshot(
            start_url=meta["start_url"],
            strategy=meta["strategy"],
            queued=queued,
            undelivered=[(fetched, processed) for _, fetched, processed in undelivered],
            seen=seen,
            done=done,
            successes=successes,
            next_seq=next_seq,
            next_batch=next_batch,
            next_emit=next_emit,
        )

    def begin(self, start_url: str, strategy: str, root: Node) -> None:
        """Record a new crawl: its start URL, strategy and first page."""
        with self._guard, immediate_transaction(self._conn):
            self._conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [
                    ("schema_version", SCHEMA_VERSION),
                    ("start_url", start_url),
                    ("strategy", strategy),
                    ("created_at", str(time.time())),
                ],
            )
            self._insert(self._conn, [root], "queued")

    @staticmethod
    def _insert(conn: sqlite3.Connection, nodes: Iterable[Node], state: str) -> None:
        conn.executemany(
            "INSERT OR IGNORE INTO pages (url, seq, parent_url, depth, score, batch, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(n.url, n.seq, n.parent_url, n.depth, n.score, n.batch, state) for n in nodes],
        )

    def record(
        self,
        *,
        fetched: Sequence[Fetched] = (),
        processed: Sequence[tuple[Node, Sequence[Node]]] = (),
        aliases: Sequence[Node] = (),
        delivered: Sequence[str] = (),
    ) -> None:
        """Commit, in one transaction: pages fetched (with their results), pages whose
        links were followed (with the pages found), redirect targets, results delivered."""
        if not (fetched or processed or aliases or delivered):
            return
        blobs = [(f, encode_result(f.result)) for f in fetched]
        conn = self._conn
        with self._guard, immediate_transaction(conn):
            conn.executemany(
                "UPDATE pages SET state = 'fetched', success = ?, emit_order = ?, result = ? "
                "WHERE url = ?",
                [(int(f.result.success), f.emit_order, blob, f.node.url) for f, blob in blobs],
            )
            for node, children in processed:
                conn.execute("UPDATE pages SET state = 'processed' WHERE url = ?", (node.url,))
                self._insert(conn, children, "queued")
            self._insert(conn, aliases, "alias")
            conn.executemany(
                "UPDATE pages SET state = 'delivered', result = NULL WHERE url = ?",
                [(url,) for url in delivered],
            )

    def close(self) -> None:
        """Close the file and release the lock (idempotent)."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            try:
                self._conn.close()
            finally:
                self._lock_file.close()


__all__ = [
    "Fetched",
    "MemoryState",
    "Node",
    "Snapshot",
    "SqliteState",
    "StateStore",
    "decode_result",
    "encode_result",
]
