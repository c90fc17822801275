"""/healthz stays fast while every request thread is busy and SQLite's write lock is held elsewhere: a load
balancer must not take a busy server for a dead one (eval/load_api.py measures the same under real load)."""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace

import httpx
import pytest
import uvicorn

from tests.chat_app.net import free_port, wait_up

pytestmark = pytest.mark.e2e

LOCK_SECONDS = 4.0  # held by another connection; asks wait on it (busy time-out 10 s)
ASKS = 12  # more than the request pool's threads on any CI machine here
HEALTH_BOUND_S = 1.0  # before the fix /healthz queued behind the asks: ≥ LOCK_SECONDS


@pytest.fixture
def server(assistant, tmp_path):
    from chat_app.api import create_app, request_threads
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    db = tmp_path / "pa.sqlite3"
    settings = replace(assistant.settings, rate_limit_per_minute=0, db_path=db)
    assert ASKS > request_threads(settings)
    a = Assistant(settings, retrievers=assistant.retrievers, sessions=SessionStore(db))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, assistant=a), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_up(f"{url}/healthz", attempts=100, delay=0.1)
    yield url, db
    srv.should_exit = True
    thread.join(timeout=10)


def test_healthz_answers_while_the_pool_is_full_and_the_database_locked(server):
    url, db = server
    lock = sqlite3.connect(db, timeout=0, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    statuses: list[int] = []

    def ask() -> None:
        statuses.append(httpx.post(f"{url}/api/ask", json={"question": "伍姓湖以后咋治理？"}, timeout=30).status_code)

    askers = [threading.Thread(target=ask) for _ in range(ASKS)]
    try:
        for t in askers:
            t.start()
        time.sleep(0.5)  # the asks now hold every request thread, waiting for the lock
        timings = []
        for _ in range(5):
            t = time.monotonic()
            r = httpx.get(f"{url}/healthz", timeout=LOCK_SECONDS * 3)
            timings.append(time.monotonic() - t)
            assert r.status_code == 200 and r.json() == {"status": "ok"}
            time.sleep(0.3)
        assert max(timings) < HEALTH_BOUND_S, timings
    finally:
        time.sleep(max(0.0, LOCK_SECONDS - 2.5))
        lock.execute("ROLLBACK")
        lock.close()
        for t in askers:
            t.join(timeout=60)
    assert statuses == [200] * ASKS  # the asks went through once the lock was released
