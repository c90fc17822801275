"""Connecting to PostgreSQL (``PLAN_ASSISTANT_DATABASE_URL``): one pool per concern, schema under a lock.

Here, in the retrieval stage, because both the search index (retriever/pg.py) and the sessions store
(chat_app/pg_store.py) use it and stages import only earlier ones.

psycopg is an optional extra (``pip install -e ".[pg]"``): the embedded default never imports it. Every
replica runs the same ``CREATE … IF NOT EXISTS`` at start-up; two doing so at once collide inside
PostgreSQL's catalog, so schema changes take one advisory lock first.
"""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg_pool import ConnectionPool

log = logging.getLogger("plan_assistant.pg")

SCHEMA_LOCK = 7_245_001  # pg_advisory_xact_lock key taken by every schema change
CONNECT_TIMEOUT_S = 3  # a database that does not answer makes the request a 503, not a hang
STATEMENT_TIMEOUT_MS = 10_000  # like SQLite's busy timeout: a long wait is an error, not a stuck thread
PG_MISSING = "使用 PostgreSQL 需要安装 psycopg：pip install -e \".[pg]\""


class PgMissing(RuntimeError):
    """PLAN_ASSISTANT_DATABASE_URL is set but psycopg is not installed."""


def masked(url: str) -> str:
    """The URL for logs and messages, its password replaced: user:secret@host → user:***@host."""
    return re.sub(r"(//[^:/@]+:)[^@]*@", r"\1***@", url)


def make_pool(url: str, max_size: int = 8, name: str = "plan-assistant") -> "ConnectionPool":
    """An autocommit pool whose connections are checked before use, so a restarted database costs no
    request a 503; waits at most CONNECT_TIMEOUT_S for a connection."""
    try:
        from psycopg_pool import ConnectionPool
    except ImportError as exc:
        raise PgMissing(PG_MISSING) from exc
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    pool = ConnectionPool(url, min_size=1, max_size=max_size, name=name, open=False,
                          timeout=CONNECT_TIMEOUT_S, check=ConnectionPool.check_connection,
                          kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S, "options": options})
    pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
    return pool


def apply_schema(pool: "ConnectionPool", statements: str) -> None:
    """Run ``statements`` in one transaction under the schema lock (replicas starting together)."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(statements)
