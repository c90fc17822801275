"""One rate limit for all replicas: a fixed one-minute window per client, counted in PostgreSQL.

N replicas with per-process limiters would let a client make N times the configured requests. Here each
request is one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on (client, window): no read-modify-write
race between replicas. The table is UNLOGGED (counts need no crash safety, and skip the WAL). When the
database cannot be reached the limiter falls back to the in-process one, so limits still hold per replica
and a database outage does not also turn every request into an error.
"""
from __future__ import annotations

import logging
import time

from retriever.pgdb import apply_schema, make_pool, masked
from chat_app.security import WINDOW_SECONDS, RateLimiter

log = logging.getLogger("plan_assistant.limits")

PRUNE_EVERY = 1024  # requests between deletions of windows that have ended
POOL_SIZE = 2  # connections, and the guard's worker threads asking through them at once
POOL_WAIT_S = 0.5  # a request never waits long for a connection: past this it is limited per process
RETRY_DOWN_S = 5.0  # after a failure, the database is tried again this often (meanwhile: per process)
SCHEMA = """
CREATE UNLOGGED TABLE IF NOT EXISTS rate_limits (
    client text NOT NULL, window_start bigint NOT NULL, hits integer NOT NULL,
    PRIMARY KEY (client, window_start));
"""
COUNT = """
INSERT INTO rate_limits (client, window_start, hits) VALUES (%s, %s, 1)
ON CONFLICT (client, window_start) DO UPDATE SET hits = rate_limits.hits + 1
RETURNING hits
"""


class PgRateLimiter:
    """``retry_after(client)`` like ``security.RateLimiter``: 0 = go ahead, else seconds to wait. It waits on
    the database, so the guard calls it on a worker thread (``blocking``), at most ``concurrency`` at once."""

    blocking = True
    concurrency = POOL_SIZE

    def __init__(self, url: str, per_minute: int) -> None:
        self.per_minute = per_minute
        self.where = masked(url)
        self.pool = make_pool(url, max_size=POOL_SIZE, name="plan-assistant-limits")
        apply_schema(self.pool, SCHEMA)
        self.local = RateLimiter(per_minute)
        self.calls = 0
        self.down = False
        self.retry_at = 0.0  # time.monotonic() before which a down database is not tried

    def retry_after(self, client: str) -> int:
        if self.per_minute <= 0:
            return 0
        now = time.time()
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        if self.down and time.monotonic() < self.retry_at:
            return self.local.retry_after(client)
        try:
            hits = self._count(client, window)
        except Exception as exc:  # noqa: BLE001 - any database failure: limit locally instead
            if not self.down:
                log.error("shared rate limit unavailable, limiting per process (%s): %s", exc, self.where)
            self.down, self.retry_at = True, time.monotonic() + RETRY_DOWN_S
            return self.local.retry_after(client)
        if self.down:
            log.info("shared rate limit available again: %s", self.where)
            self.down = False
        if hits <= self.per_minute:
            return 0
        return max(1, int(window + WINDOW_SECONDS - now) + 1)

    def _count(self, client: str, window: int) -> int:
        with self.pool.connection(timeout=POOL_WAIT_S) as conn:
            hits = int(conn.execute(COUNT, (client, window)).fetchone()[0])
            self.calls += 1
            if self.calls % PRUNE_EVERY == 0:
                conn.execute("DELETE FROM rate_limits WHERE window_start < %s", (window,))
        return hits

    def close(self) -> None:
        self.pool.close()
