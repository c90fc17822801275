"""The app on a real PostgreSQL (pgserver): what it opens it closes at shutdown, and the shared rate limiter
waits for the database on a worker thread, never on the event loop."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

import httpx
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.e2e


def _connections(url: str) -> int:
    """Backends connected to this test's database, other than the one asking."""
    from tests.pg import execute

    return execute(url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()")[0][0]


def _wait(condition, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def test_shutdown_closes_the_store_limiter_and_retrieval_pools(backend_settings, monkeypatch):
    from chat_app.api import create_app

    settings = backend_settings("pg")
    url = settings.database_url
    monkeypatch.setenv("PLAN_ASSISTANT_DATABASE_URL", url)  # the retrieval reads it from the environment
    app = create_app(settings)  # builds its own store, limiter and (on its loader thread) assistant
    loader, limiter = app.state.loader, app.state.limiter
    with TestClient(app) as c:
        assert _wait(lambda: c.get("/healthz").status_code == 200, 180, 0.5), loader.error
        r = c.get("/api/search", params={"q": "森林覆盖率"})
        assert r.status_code == 200 and r.json()["hits"]
        hybrid = loader.assistant.default.retrievers.hybrid
        pools = {"store": loader.sessions.pool, "limiter": limiter.pool, "retrieval": hybrid.retrievers[0].pool}
        assert {name: p.closed for name, p in pools.items()} == dict.fromkeys(pools, False)
        assert _connections(url) >= 3
    assert {name: p.closed for name, p in pools.items()} == dict.fromkeys(pools, True)
    assert _wait(lambda: _connections(url) == 0, 10), "connections left open after shutdown"
    loader.close()  # idempotent: a second shutdown (or a closer running twice) is harmless
    limiter.close()
    hybrid.close()


def test_a_store_and_assistant_passed_in_stay_open(retrievers, backend_settings):
    """What the caller hands to create_app is the caller's to close; the app's own limiter is closed."""
    from chat_app.api import create_app
    from chat_app.engine import Assistant
    from chat_app.pg_store import PgSessionStore

    settings = backend_settings("pg")
    store = PgSessionStore(settings.database_url)
    app = create_app(settings, assistant=Assistant(settings, retrievers=retrievers, sessions=store))
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
    assert app.state.limiter.pool.closed and not store.pool.closed
    assert store.turn_count() == 0  # still usable by its owner
    store.close()


def test_the_shared_limiter_waits_for_the_database_off_the_event_loop(assistant, backend_settings):
    """A rate-limit count stuck behind a row lock holds up only its own request: /healthz still answers at
    once. Called on the event loop (as before), the whole server stalled until the lock was released."""
    import psycopg

    from chat_app.api import create_app
    from chat_app.security import WINDOW_SECONDS
    from tests.chat_app.net import serving
    from tests.pg import execute, fresh_window

    settings = replace(assistant.settings, database_url=backend_settings("pg").database_url, rate_limit_per_minute=50)
    url = settings.database_url
    with serving(create_app(settings, assistant=assistant)) as base:
        fresh_window(margin=30)
        window = int(time.time() // WINDOW_SECONDS) * WINDOW_SECONDS
        statuses: list[int] = []
        with psycopg.connect(url) as locker:  # an open transaction inserting the client's counter row
            locker.execute("INSERT INTO rate_limits VALUES ('127.0.0.1', %s, 0)", (window,))
            asker = threading.Thread(target=lambda: statuses.append(
                httpx.get(f"{base}/api/search", params={"q": "教育"}, timeout=30).status_code))
            asker.start()
            waiting = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
            assert _wait(lambda: execute(url, waiting)[0][0] == 1, 10), "the limiter never reached the database"
            t = time.perf_counter()
            health = httpx.get(f"{base}/healthz", timeout=5)
            elapsed = time.perf_counter() - t
            assert health.status_code == 200 and elapsed < 2.0, elapsed
            assert statuses == []  # still waiting for the row lock
            locker.commit()
        asker.join(timeout=30)
    assert statuses == [200]
    # counted in the database after the wait (not by the per-process fallback)
    assert execute(url, "SELECT hits FROM rate_limits WHERE client = '127.0.0.1'") == [(1,)]
