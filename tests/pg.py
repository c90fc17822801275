"""A real PostgreSQL 16 + pgvector for the tests, from the PyPI wheel ``pgserver`` (no Docker, no service).

One server per test session in a temporary directory; every caller gets a fresh database of its own, so
tests never see each other's rows or rate-limit counts.
"""
from __future__ import annotations

import itertools
from pathlib import Path

_names = itertools.count()


def start(folder: Path | None = None):
    """Start a server whose data and Unix socket live in ``folder`` (default: a new temporary directory
    directly under /tmp — run as root, pgserver runs postgres as its own user, which cannot traverse
    pytest's private temporary tree); stopped and deleted at interpreter exit."""
    import tempfile

    import pgserver

    return pgserver.get_server(folder or tempfile.mkdtemp(prefix="pa-pg-"), cleanup_mode="delete")


def new_database(server, prefix: str = "t") -> str:
    """CREATE DATABASE with a unique name; returns its URL (the server's own URL with the name swapped)."""
    import psycopg

    name = f"{prefix}_{next(_names)}"
    admin = server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, query = admin.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}?{query}"


def execute(url: str, sql: str, params: tuple = ()) -> list[tuple]:
    """One statement on its own connection, as another process would run it."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def fresh_window(margin: float = 5.0) -> None:
    """Sleep past the end of the current one-minute rate-limit window when it ends within ``margin``
    seconds, so a test's few requests all land in one fixed window."""
    import time

    from chat_app.security import WINDOW_SECONDS

    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < margin:
        time.sleep(left + 0.05)


def split(url: str) -> tuple[str, str]:
    """(database name, the same server's ``postgres`` database URL) — for ALTER/DROP DATABASE."""
    base, _, query = url.partition("?")
    head, _, name = base.rpartition("/")
    return name, f"{head}/postgres?{query}"
