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


def _client(retrievers, store: SessionStore) -> TestClient:
    from chat_app.api import create_app
    from chat_app.config import Settings
    from chat_app.engine import Assistant

    settings = replace(Settings(), rate_limit_per_minute=0)
    return TestClient(create_app(settings, assistant=Assistant(settings, retrievers=retrievers, sessions=store)))


@pytest.fixture(params=["disk_full", "read_only"])
def broken_client(request, retrievers, tmp_path):
    if request.param == "disk_full":
        store = SessionStore(tmp_path / "pa.sqlite3")
        fill(store)
    else:
        store = read_only_copy(tmp_path)
    return _client(retrievers, store)


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


def test_a_healthy_database_is_ok(retrievers, tmp_path):
    c = _client(retrievers, SessionStore(tmp_path / "pa.sqlite3"))
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
