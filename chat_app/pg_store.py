"""Conversation history and feedback on PostgreSQL: what makes ``serve`` replicas stateless.

Same contract as the SQLite ``SessionStore``: a turn's number is computed inside its INSERT, and a failed
write is ``StorageUnavailable`` (503), never a bare driver error (500). Under READ COMMITTED two replicas
computing ``MAX(idx) + 1`` for one session could both pick the same number, so each turn insert first takes
a transaction-scoped advisory lock on the session id: turns of one session are serialised, different
sessions never wait on each other.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from retriever.pgdb import apply_schema, make_pool, masked
from chat_app.schema import Answer
from chat_app.sessions import (INSERT_RETRIES, PROBE_CACHE_SECONDS, PURGE_EVERY_SECONDS, SECONDS_PER_DAY,
                               Retention, SessionStore, StorageUnavailable)

log = logging.getLogger("plan_assistant.storage")

PROBE_WAIT_S = 1.0  # the health probe gives up on the pool sooner than /healthz's first wait (2 s)

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    session_id text NOT NULL, idx integer NOT NULL, question text NOT NULL, standalone text NOT NULL,
    answer text NOT NULL, cited text NOT NULL, support text NOT NULL DEFAULT '',
    created double precision NOT NULL, PRIMARY KEY (session_id, idx));
CREATE INDEX IF NOT EXISTS turns_created ON turns (created);
CREATE TABLE IF NOT EXISTS feedback (
    id bigserial PRIMARY KEY, session_id text, turn integer, rating smallint NOT NULL,
    question text, answer text, comment text, created double precision NOT NULL);
CREATE TABLE IF NOT EXISTS health (id integer PRIMARY KEY, at double precision NOT NULL);
"""

INSERT_TURN = """
INSERT INTO turns (session_id, idx, question, standalone, answer, cited, support, created)
SELECT %(sid)s, COALESCE(MAX(idx), -1) + 1, %(q)s, %(s)s, %(a)s, %(c)s, %(support)s, %(t)s
FROM turns WHERE session_id = %(sid)s
RETURNING idx
"""


class PgSessionStore(Retention):
    dialect = "pg"
    new_id = staticmethod(SessionStore.new_id)

    def __init__(self, url: str, retention_days: float = 0, purge_every: float = PURGE_EVERY_SECONDS) -> None:
        self.path = masked(url)  # what logs and messages name (never the password)
        self.retention_seconds = max(0.0, retention_days) * SECONDS_PER_DAY
        self.purge_every = purge_every
        self._probe_at, self._probe_ok = float("-inf"), True
        self._next_purge = 0.0
        self.initially_purged = 0
        try:
            self.pool = make_pool(url)
            apply_schema(self.pool, SCHEMA)
        except Exception as exc:  # noqa: BLE001 - connection, auth, pool timeout: the opener names the URL
            log.error("cannot open the database (%s): %s", exc, self.path)
            raise StorageUnavailable("无法连接数据库") from None
        if self.retention_seconds:
            self.initially_purged = self.purge(quiet=True)

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _conn(self, quiet: bool = False, wait: float | None = None) -> Iterator[psycopg.Connection]:
        """A pooled connection; any driver or pool failure becomes StorageUnavailable (logged with the
        masked URL, except for the health probe). Unique violations pass through for the retry loop."""
        from psycopg_pool import PoolTimeout

        try:
            with self.pool.connection(timeout=wait) as conn:
                yield conn
        except psycopg.errors.UniqueViolation:
            raise
        except (psycopg.Error, PoolTimeout) as exc:
            if not quiet:
                log.error("database operation failed (%s): %s", exc, self.path)
            raise StorageUnavailable(str(exc)) from exc

    def read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._conn() as conn:
            return conn.execute(sql.replace("?", "%s"), params).fetchall()

    def history(self, session_id: str, limit: int = 6) -> list[dict]:
        rows = self.read("SELECT question, standalone, answer, cited FROM turns WHERE session_id=? "
                         "ORDER BY idx DESC LIMIT ?", (session_id, limit))
        return [{"question": q, "standalone": s, "answer": a, "cited": json.loads(c)} for q, s, a, c in reversed(rows)]

    def add_turn(self, session_id: str, answer: Answer) -> int:
        row = {"sid": session_id, "q": answer.question, "s": answer.standalone or answer.question,
               "a": answer.answer, "c": json.dumps([c.chunk_id for c in answer.citations]),
               "support": answer.support, "t": time.time()}
        self._maybe_purge()
        for attempt in range(INSERT_RETRIES):
            try:
                with self._conn() as conn, conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (session_id,))
                    return int(conn.execute(INSERT_TURN, row).fetchone()[0])
            except psycopg.errors.UniqueViolation:
                if attempt == INSERT_RETRIES - 1:
                    raise StorageUnavailable("turn number collision") from None
        raise AssertionError("unreachable")

    def add_feedback(self, session_id: str | None, turn: int | None, rating: int,
                     question: str = "", answer: str = "", comment: str = "") -> int:
        with self._conn() as conn:
            return int(conn.execute(
                "INSERT INTO feedback (session_id, turn, rating, question, answer, comment, created) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s) RETURNING id",
                (session_id, turn, rating, question, answer, comment, time.time())).fetchone()[0])

    def recent_feedback(self, limit: int = 50) -> list[dict]:
        rows = self.read("SELECT session_id, turn, rating, question, comment, created FROM feedback "
                         "ORDER BY id DESC LIMIT ?", (limit,))
        keys = ("session_id", "turn", "rating", "question", "comment", "created")
        return [dict(zip(keys, r)) for r in rows]

    def feedback_count(self) -> int:
        return int(self.read("SELECT COUNT(*) FROM feedback")[0][0])

    def turn_count(self) -> int:
        return int(self.read("SELECT COUNT(*) FROM turns")[0][0])

    def _delete_turns_before(self, cutoff: float, quiet: bool) -> int:
        with self._conn(quiet) as conn:
            return conn.execute("DELETE FROM turns WHERE created < %s", (cutoff,)).rowcount

    def writable(self) -> bool:
        """A real committed write, at most once per PROBE_CACHE_SECONDS (what /healthz reports)."""
        now = time.monotonic()
        if now - self._probe_at < PROBE_CACHE_SECONDS:
            return self._probe_ok
        try:
            with self._conn(quiet=True, wait=PROBE_WAIT_S) as conn:
                conn.execute("INSERT INTO health (id, at) VALUES (1, %s) ON CONFLICT (id) DO UPDATE "
                             "SET at = EXCLUDED.at", (time.time(),))
            ok = True
        except StorageUnavailable as exc:
            ok = False
            if self._probe_ok:
                log.error("database is not writable (%s): %s", exc, self.path)
        if ok and not self._probe_ok:
            log.info("database is writable again: %s", self.path)
        self._probe_at, self._probe_ok = time.monotonic(), ok
        return ok
