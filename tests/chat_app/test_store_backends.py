"""The Store contract on both backends (SQLite file, real PostgreSQL via pgserver): turn numbers race-free
across processes, history, feedback, support levels kept, retention, read-only databases; and the
fixed-window rate limiter shared through PostgreSQL."""
from __future__ import annotations

import multiprocessing
import time

import pytest

from chat_app.schema import Answer
from chat_app.sessions import SECONDS_PER_DAY, StorageUnavailable
from chat_app.storage import open_store
from tests.conftest import BACKENDS

TURNS_PER_PROCESS = 150
SESSION = "shared-session"


def _answer(text: str = "答", support: str = "direct") -> Answer:
    return Answer("规划里的路网建设怎么安排？", text, support, "extractive")


def _writer(settings, start, errors) -> None:
    """One process: wait for the other, then add its turns to one session as fast as it can."""
    store = open_store(settings)
    start.wait()
    try:
        for _ in range(TURNS_PER_PROCESS):
            store.add_turn(SESSION, _answer())
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        errors.put(repr(exc))


@pytest.fixture(params=BACKENDS)
def settings(request, backend_settings):
    return backend_settings(request.param)


def test_two_processes_number_one_sessions_turns_without_collisions(settings):
    open_store(settings)  # schema first, as a running server would have
    ctx = multiprocessing.get_context("spawn")
    start, errors = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(settings, start, errors)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0] and errors.empty()
    rows = open_store(settings).read("SELECT idx FROM turns WHERE session_id = ?", (SESSION,))
    assert sorted(i for (i,) in rows) == list(range(2 * TURNS_PER_PROCESS))


def test_history_feedback_and_support_are_kept(settings):
    store = open_store(settings)
    assert store.add_turn("s", _answer("一", "direct")) == 0
    assert store.add_turn("s", _answer("二", "none")) == 1
    assert [h["answer"] for h in store.history("s")] == ["一", "二"]
    assert store.read("SELECT support FROM turns ORDER BY idx") == [("direct",), ("none",)]
    store.add_feedback("s", 1, -1, "问", "二", "没回答")
    assert store.recent_feedback()[0]["comment"] == "没回答" and store.feedback_count() == 1
    assert store.writable() and store.turn_count() == 2


def test_retention_purges_old_turns_and_keeps_feedback(settings):
    store = open_store(settings)
    for sid in ("old", "old", "new"):
        store.add_turn(sid, _answer())
    store.add_feedback("old", 0, 1, "问", "答")
    _age(store, "old", 31)
    from dataclasses import replace

    reopened = open_store(replace(settings, retention_days=30))
    assert reopened.initially_purged == 2 and reopened.turn_count() == 1 and reopened.feedback_count() == 1


def _age(store, session: str, days: float) -> None:
    """Backdate a session's turns on the store's own database, as time passing would."""
    if store.dialect == "sqlite":
        import sqlite3

        with sqlite3.connect(store.path) as db:
            db.execute("UPDATE turns SET created = ? WHERE session_id = ?", (time.time() - days * SECONDS_PER_DAY, session))
        return
    with store.pool.connection() as conn:
        conn.execute("UPDATE turns SET created = %s WHERE session_id = %s", (time.time() - days * SECONDS_PER_DAY, session))


def test_a_read_only_postgres_database_is_storage_unavailable(backend_settings):
    from tests.pg import execute, split

    settings = backend_settings("pg")
    store = open_store(settings)
    store.add_turn("s", _answer())
    name, admin = split(settings.database_url)
    execute(admin, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    execute(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    assert store.history("s")[0]["answer"] == "答"  # reading still works (the pool reconnects)
    time.sleep(1.1)  # past the probe's cache
    assert not store.writable()
    with pytest.raises(StorageUnavailable):
        store.add_turn("s", _answer())
    with pytest.raises(StorageUnavailable):
        store.add_feedback(None, None, -1)


def test_an_unreachable_database_url_is_storage_unavailable(tmp_path):
    from chat_app.config import Settings

    url = f"postgresql://nobody@/nothing?host={tmp_path}"  # no server listens there
    with pytest.raises(StorageUnavailable):
        open_store(Settings(database_url=url))


def test_the_shared_limit_counts_every_limiter_on_the_database(backend_settings):
    """Two limiters (as in two replicas) on one database allow the limit once between them."""
    from chat_app.pg_limits import PgRateLimiter
    from tests.pg import fresh_window

    url = backend_settings("pg").database_url
    a, b = PgRateLimiter(url, 4), PgRateLimiter(url, 4)
    fresh_window()
    allowed = [lim.retry_after("1.2.3.4") == 0 for lim in (a, b, a, b, a, b)]
    assert allowed == [True] * 4 + [False] * 2
    assert 1 <= b.retry_after("1.2.3.4") <= 61 and a.retry_after("5.6.7.8") == 0


def test_the_shared_limit_falls_back_to_per_process_when_the_database_goes(backend_settings):
    from chat_app.pg_limits import PgRateLimiter
    from tests.pg import execute, split

    url = backend_settings("pg").database_url
    limiter = PgRateLimiter(url, 2)
    name, admin = split(url)
    execute(admin, f'DROP DATABASE "{name}" WITH (FORCE)')
    t0 = time.monotonic()
    assert [limiter.retry_after("c") for _ in range(2)] == [0, 0]
    assert limiter.retry_after("c") > 0 and limiter.down
    assert time.monotonic() - t0 < 3  # one short wait for the pool, then no waiting while it is down
