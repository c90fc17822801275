"""Ingestion jobs in PostgreSQL, claimed with ``FOR UPDATE SKIP LOCKED`` so any replica can ingest.

One row per (index key, content hash): enqueueing the same content twice is one job, so N replicas starting
together with the same library make one job, not N loads. A replica claims a queued job in a short
transaction (``SELECT … FOR UPDATE SKIP LOCKED LIMIT 1`` then ``status = 'running'``): concurrent claimers
skip rows another transaction holds instead of queueing behind it, so each job is claimed exactly once and
nobody blocks. The claim is committed, so the others can see who is loading (``claimed_by``) and wait.
A claimer also records its connection's ``pg_backend_pid()``: when that backend is gone (the replica died
mid-load, its transaction rolled back) a waiter marks the job failed and queues it again, instead of
waiting forever. A failed job keeps its error; enqueueing it again retries it (``attempts`` counts).
"""
from __future__ import annotations

import os
import socket
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE IF NOT EXISTS ingest_jobs (
    id bigserial PRIMARY KEY, index_key text NOT NULL, content_hash text NOT NULL,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    claimed_by text, claimed_pid integer, attempts integer NOT NULL DEFAULT 0, error text,
    created_at timestamptz NOT NULL DEFAULT now(), claimed_at timestamptz, finished_at timestamptz,
    UNIQUE (index_key, content_hash));
CREATE INDEX IF NOT EXISTS ingest_jobs_queued ON ingest_jobs (id) WHERE status = 'queued';
"""
# A done job is queued again too: content A → B → A must load A again (the caller only enqueues content
# that is not the current one, checked under a lock in the same transaction).
ENQUEUE = """
INSERT INTO ingest_jobs (index_key, content_hash) VALUES (%s, %s)
ON CONFLICT (index_key, content_hash) DO UPDATE SET status = 'queued', claimed_by = NULL, claimed_pid = NULL,
    claimed_at = NULL, finished_at = NULL
    WHERE ingest_jobs.status IN ('failed', 'done')
RETURNING id
"""
CLAIM = """
SELECT id, index_key, content_hash FROM ingest_jobs
WHERE status = 'queued' AND (%(key)s::text IS NULL OR index_key = %(key)s)
    AND (%(hash)s::text IS NULL OR content_hash = %(hash)s)
ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1
"""


@dataclass(frozen=True)
class Job:
    id: int
    index_key: str
    content_hash: str


def worker_name() -> str:
    """Who claimed a job, for people reading the table: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue(conn, key: str, content_hash: str) -> int:
    """The job id for this content, queued unless it is already queued or running (idempotent)."""
    row = conn.execute(ENQUEUE, (key, content_hash)).fetchone()
    if row:
        return int(row[0])
    return int(conn.execute("SELECT id FROM ingest_jobs WHERE index_key = %s AND content_hash = %s",
                            (key, content_hash)).fetchone()[0])


def claim(conn, worker: str, key: str | None = None, content_hash: str | None = None) -> Job | None:
    """The oldest queued job (optionally of one key/content), now running under ``worker``; None when every
    queued job is taken. One short transaction, so the claim is visible to the others at once."""
    with conn.transaction():
        row = conn.execute(CLAIM, {"key": key, "hash": content_hash}).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE ingest_jobs SET status = 'running', claimed_by = %s, claimed_pid = pg_backend_pid(),"
                     " claimed_at = now(), attempts = attempts + 1, error = NULL WHERE id = %s", (worker, row[0]))
    return Job(int(row[0]), row[1], row[2])


def complete(conn, job_id: int) -> None:
    """Mark done; run it inside the transaction that wrote the job's rows, so done means loaded."""
    conn.execute("UPDATE ingest_jobs SET status = 'done', finished_at = now(), error = NULL WHERE id = %s",
                 (job_id,))


def fail(conn, job_id: int, error: str) -> None:
    """Record why a job failed (its own transaction: the load's was rolled back); enqueue retries it."""
    conn.execute("UPDATE ingest_jobs SET status = 'failed', finished_at = now(), error = %s WHERE id = %s",
                 (error[:2000], job_id))


def status(conn, job_id: int) -> tuple[str, int, str | None]:
    """(status, attempts, error) of one job."""
    row = conn.execute("SELECT status, attempts, error FROM ingest_jobs WHERE id = %s", (job_id,)).fetchone()
    return row[0], int(row[1]), row[2]


def release_orphan(conn, job_id: int) -> bool:
    """Fail a running job whose claiming connection no longer exists (its replica died mid-load); True if
    it did. Its load ran in one transaction, which PostgreSQL rolled back with the connection."""
    cur = conn.execute(
        "UPDATE ingest_jobs j SET status = 'failed', finished_at = now(), error = 'claimer disconnected' "
        "WHERE id = %s AND status = 'running' AND NOT EXISTS "
        "(SELECT 1 FROM pg_stat_activity a WHERE a.pid = j.claimed_pid)", (job_id,))
    return cur.rowcount > 0
