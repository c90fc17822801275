"""Conversation history and feedback in SQLite: survives restarts, nothing accepted is lost.

Several server processes may share one file, so every write takes SQLite's write lock first
(``BEGIN IMMEDIATE``, waiting up to ``BUSY_TIMEOUT_SECONDS``) and a turn's number is computed inside the
INSERT itself. A write that fails because the disk is full or the file is read-only raises
``StorageUnavailable`` (the API answers 503), never a bare ``sqlite3`` error (which would be a 500).
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chat_app.schema import Answer

log = logging.getLogger("plan_assistant.storage")

BUSY_TIMEOUT_SECONDS = 10.0  # another process holding the write lock is waited for, not an error
INSERT_RETRIES = 5  # belt and braces: a turn-number collision is retried, not a 500
PROBE_CACHE_SECONDS = 1.0  # /healthz asks often; one real write probe per second at most
PROBE_BYTES = 4096  # one page: the probe fails when SQLite cannot allocate another page
PURGE_EVERY_SECONDS = 3600.0  # while serving, old turns are purged at most once an hour
SECONDS_PER_DAY = 86400

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL, idx INTEGER NOT NULL, question TEXT NOT NULL,
    standalone TEXT NOT NULL, answer TEXT NOT NULL, cited TEXT NOT NULL, created REAL NOT NULL,
    support TEXT NOT NULL DEFAULT '', PRIMARY KEY (session_id, idx));
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT, turn INTEGER, rating INTEGER NOT NULL,
    question TEXT, answer TEXT, comment TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS health (id INTEGER PRIMARY KEY, at REAL NOT NULL, pad BLOB);
"""

INSERT_TURN = """
INSERT INTO turns (session_id, idx, question, standalone, answer, cited, created, support)
SELECT :sid, COALESCE(MAX(idx), -1) + 1, :q, :s, :a, :c, :t, :support FROM turns WHERE session_id = :sid
RETURNING idx
"""


STORAGE_DOWN = "服务暂时无法保存记录，请稍后再试。"  # what users see (HTTP 503, /ui toast)


class StorageUnavailable(RuntimeError):
    """The database cannot take a write now (disk full, read-only file, locked too long)."""


def _connect(path: str | Path) -> sqlite3.Connection:
    """``file:…?mode=ro`` URIs are accepted (a read-only store); autocommit, transactions are explicit."""
    target = str(path)
    uri = target.startswith("file:")
    if target != ":memory:" and not uri:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                           check_same_thread=False, uri=uri)


def _add_support_column(db: sqlite3.Connection) -> None:
    """Files written before turns kept their answer's support level gain the column (empty for old rows),
    so /admin can count direct/related/refused answers."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(turns)")}
    if "support" not in columns:
        db.execute("ALTER TABLE turns ADD COLUMN support TEXT NOT NULL DEFAULT ''")


class Retention(ABC):
    """Turn retention shared by the stores (SQLite here, PostgreSQL in chat_app/pg_store.py): a store sets
    ``retention_seconds``, ``purge_every``, ``_next_purge`` and implements ``_delete_turns_before`` only."""

    retention_seconds: float
    purge_every: float
    _next_purge: float

    @abstractmethod
    def _delete_turns_before(self, cutoff: float, quiet: bool) -> int:
        """Delete turns created before ``cutoff``; return how many."""

    def purge(self, now: float | None = None, quiet: bool = False) -> int:
        """Delete turns older than the retention period; feedback rows are the product's record and stay."""
        if not self.retention_seconds:
            return 0
        now = time.time() if now is None else now
        self._next_purge = time.monotonic() + self.purge_every
        n = self._delete_turns_before(now - self.retention_seconds, quiet)
        if n:
            log.info("purged %d turns older than %g days", n, self.retention_seconds / SECONDS_PER_DAY)
        return n

    def _maybe_purge(self) -> None:
        if self.retention_seconds and time.monotonic() >= self._next_purge:
            try:
                self.purge()
            except StorageUnavailable:
                pass  # already logged; the turn's own write reports the problem to the caller


class SessionStore(Retention):
    dialect = "sqlite"

    def __init__(self, path: str | Path = ":memory:", retention_days: float = 0,
                 purge_every: float = PURGE_EVERY_SECONDS) -> None:
        self.path = str(path)
        self.retention_seconds = max(0.0, retention_days) * SECONDS_PER_DAY
        self.purge_every = purge_every
        self._lock = threading.Lock()
        self._probe_at, self._probe_ok = float("-inf"), True
        self._next_purge = 0.0
        self.initially_purged = 0  # turns removed when the store was opened
        try:
            self._db = _connect(path)
            if self.path != ":memory:":
                # WAL + NORMAL: a commit survives a process crash without an fsync per turn.
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_SECONDS * 1000)}")
            self._db.executescript(SCHEMA)
            _add_support_column(self._db)
        except (OSError, sqlite3.Error) as exc:  # the caller names the path to the user
            raise StorageUnavailable(f"{self.path}: {exc}") from exc
        if self.retention_seconds:
            self.initially_purged = self.purge(quiet=True)  # a failure here is the opener's to report

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    @contextmanager
    def _write(self, quiet: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction under the write lock; SQLite's failures become StorageUnavailable
        (logged with the path, except for the health probe, which logs only when readiness changes)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.IntegrityError:
                self._rollback()
                raise
            except sqlite3.Error as exc:
                self._rollback()
                if not quiet:
                    log.error("database write failed (%s: %s): %s", getattr(exc, "sqlite_errorname", "?"),
                              exc, self.path)
                raise StorageUnavailable(str(exc)) from exc

    def _rollback(self) -> None:
        if self._db.in_transaction:  # SQLite already rolled back after SQLITE_FULL
            self._db.execute("ROLLBACK")

    def read(self, sql: str, params: tuple = ()) -> list[tuple]:
        """A read-only query (analytics); SQLite's own ``?`` placeholders."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def history(self, session_id: str, limit: int = 6) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT question, standalone, answer, cited FROM turns WHERE session_id=? ORDER BY idx DESC LIMIT ?",
                (session_id, limit)).fetchall()
        return [{"question": q, "standalone": s, "answer": a, "cited": json.loads(c)} for q, s, a, c in reversed(rows)]

    def add_turn(self, session_id: str, answer: Answer) -> int:
        """The turn number is computed inside the INSERT, under the write lock, so processes sharing
        the file never pick the same one; a collision anyway (another writer without the lock) is retried."""
        row = {"sid": session_id, "q": answer.question, "s": answer.standalone or answer.question,
               "a": answer.answer, "c": json.dumps([c.chunk_id for c in answer.citations]), "t": time.time(),
               "support": answer.support}
        self._maybe_purge()
        for attempt in range(INSERT_RETRIES):
            try:
                with self._write() as db:
                    return int(db.execute(INSERT_TURN, row).fetchone()[0])
            except sqlite3.IntegrityError:
                if attempt == INSERT_RETRIES - 1:
                    raise StorageUnavailable("turn number collision") from None
        raise AssertionError("unreachable")

    def add_feedback(self, session_id: str | None, turn: int | None, rating: int,
                     question: str = "", answer: str = "", comment: str = "") -> int:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO feedback (session_id, turn, rating, question, answer, comment, created) VALUES (?,?,?,?,?,?,?)",
                (session_id, turn, rating, question, answer, comment, time.time()))
        return int(cur.lastrowid)

    def recent_feedback(self, limit: int = 50) -> list[dict]:
        """The newest feedback rows first: what officials review (and what a click recorded)."""
        with self._lock:
            rows = self._db.execute("SELECT session_id, turn, rating, question, comment, created FROM feedback "
                                    "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        keys = ("session_id", "turn", "rating", "question", "comment", "created")
        return [dict(zip(keys, r)) for r in rows]

    def feedback_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def turn_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM turns").fetchone()[0])

    # -- retention --------------------------------------------------------------------
    def _delete_turns_before(self, cutoff: float, quiet: bool) -> int:
        with self._write(quiet) as db:
            return db.execute("DELETE FROM turns WHERE created < ?", (cutoff,)).rowcount

    # -- readiness --------------------------------------------------------------------
    def writable(self) -> bool:
        """A real write (committed timestamp) plus room for one more page (a rolled-back savepoint),
        at most once per PROBE_CACHE_SECONDS, so /healthz says 503 when asking would fail."""
        now = time.monotonic()
        if now - self._probe_at < PROBE_CACHE_SECONDS:
            return self._probe_ok
        try:
            with self._write(quiet=True) as db:
                db.execute("SAVEPOINT room")
                db.execute("INSERT OR REPLACE INTO health (id, at, pad) VALUES (2, 0, zeroblob(?))", (PROBE_BYTES,))
                db.execute("ROLLBACK TO room")
                db.execute("RELEASE room")
                db.execute("INSERT OR REPLACE INTO health (id, at, pad) VALUES (1, ?, NULL)", (time.time(),))
            ok = True
        except (StorageUnavailable, sqlite3.Error) as exc:
            ok = False
            if self._probe_ok:
                log.error("database is not writable (%s): %s", exc, self.path)
        if ok and not self._probe_ok:
            log.info("database is writable again: %s", self.path)
        self._probe_at, self._probe_ok = time.monotonic(), ok
        return ok
