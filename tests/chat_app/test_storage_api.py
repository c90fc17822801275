"""A database that cannot be written (really full, really read-only) → 503 in Chinese on every writing
route and on /healthz, a log line, never a 500 or an empty stream."""
from __future__ import annotations

import json
import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from chat_app.sessions import SessionStore
from tests.chat_app.test_sessions import fill, read_only_copy

QUESTION = "规划对城区公交线路有什么打算？"
DOWN = "服务暂时无法保存记录，请稍后再试。"


def _client(retrievers, store, settings=None) -> TestClient:
    from chat_app.api import create_app
    from chat_app.config import Settings
    from chat_app.engine import Assistant

    settings = replace(settings or Settings(), rate_limit_per_minute=0)
    return TestClient(create_app(settings, assistant=Assistant(settings, retrievers=retrievers, sessions=store)))


@pytest.fixture(params=["disk_full", "read_only", "pg_read_only", "pg_dropped"])
def broken_client(request, retrievers, tmp_path):
    """SQLite: a really full file, a read-only file. PostgreSQL: a database switched to read-only
    transactions, and one dropped while the server runs (every pooled connection is cut)."""
    if request.param == "disk_full":
        store = SessionStore(tmp_path / "pa.sqlite3")
        fill(store)
    elif request.param == "read_only":
        store = read_only_copy(tmp_path)
    else:
        return _client(retrievers, *broken_pg(request, request.param))
    return _client(retrievers, store)


def broken_pg(request, how: str):
    from chat_app.storage import open_store
    from tests.pg import execute, split

    settings = request.getfixturevalue("backend_settings")("pg")
    store = open_store(settings)
    name, admin = split(settings.database_url)
    if how == "pg_read_only":
        execute(admin, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
        execute(admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    else:
        execute(admin, f'DROP DATABASE "{name}" WITH (FORCE)')
    return store, settings


def test_writing_routes_answer_503_in_chinese(broken_client, caplog):
    caplog.set_level(logging.ERROR, logger="plan_assistant")
    c = broken_client
    responses = {
        "ask": c.post("/api/ask", json={"question": QUESTION}),
        "stream": c.post("/api/ask/stream", json={"question": QUESTION}),
        "feedback": c.post("/api/feedback", json={"rating": 1, "question": QUESTION, "answer": "答"}),
        "chat": c.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": QUESTION}]}),
        "chat_stream": c.post("/v1/chat/completions", json={
            "stream": True, "messages": [{"role": "user", "content": QUESTION}]}),
    }
    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, 503)
    assert all(r.json() == {"detail": DOWN} for r in responses.values())
    assert caplog.text.count("503 on /") == len(responses)
    health = c.get("/healthz")
    assert health.status_code == 503 and health.json()["status"] == "unavailable"


def test_reading_routes_still_work_when_writes_fail(broken_client):
    assert broken_client.get("/api/search", params={"q": "公交"}).status_code == 200


@pytest.mark.parametrize("kind", ["sqlite", "pg"])
def test_a_healthy_database_is_ok(retrievers, backend_settings, kind):
    from chat_app.storage import open_store

    settings = backend_settings(kind)
    c = _client(retrievers, open_store(settings), settings)
    assert c.get("/healthz").json() == {"status": "ok"}
    assert c.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_a_failure_after_the_stream_started_is_an_error_event():
    """The SSE wrapper turns a storage failure mid-stream into the event the widget shows."""
    from chat_app.api import _sse
    from chat_app.sessions import StorageUnavailable

    def events():
        yield {"type": "token", "text": "规划"}
        raise StorageUnavailable("disk I/O error")

    lines = [json.loads(chunk[6:]) for chunk in _sse(events())]
    assert lines == [{"type": "token", "text": "规划"}, {"type": "error", "message": DOWN}]
