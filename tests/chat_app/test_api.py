import json
from dataclasses import replace

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from tests.conftest import BACKENDS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=BACKENDS)
def assistant(request, retrievers, backend_settings):
    """The whole suite runs on SQLite and on a real PostgreSQL (pgserver), each with a fresh database."""
    from chat_app.engine import Assistant
    from chat_app.storage import open_store

    settings = backend_settings(request.param)
    return Assistant(settings, retrievers=retrievers, sessions=open_store(settings))


@pytest.fixture(scope="module")
def live_server(assistant):
    from chat_app.api import create_app
    from tests.chat_app.net import serving

    with serving(create_app(replace(assistant.settings, rate_limit_per_minute=10_000), assistant=assistant)) as url:
        yield url


def test_healthz_and_docs(live_server):
    assert httpx.get(f"{live_server}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{live_server}/docs").status_code == 200
    assert "/api/ask" in httpx.get(f"{live_server}/openapi.json").json()["paths"]


def test_ask_returns_cited_answer_and_session(live_server):
    r = httpx.post(f"{live_server}/api/ask", json={"question": "“十四五”常住人口城镇化率目标是多少？"}, timeout=30)
    body = r.json()
    assert r.status_code == 200 and "59" in body["answer"] and body["session_id"]
    assert set(body) >= {"answer", "support", "refused", "mode", "citations", "suggestions", "session_id"}
    assert body["support"] == "direct" and body["refused"] is False
    assert body["citations"][0]["chapter"].startswith("第")
    follow = httpx.post(f"{live_server}/api/ask", json={"question": "那2020年呢？", "session_id": body["session_id"]},
                        timeout=30).json()
    assert follow["session_id"] == body["session_id"] and "52" in follow["answer"]


@pytest.mark.parametrize("payload,status", [
    ({"question": ""}, 400), ({"question": "   "}, 400), ({"question": "字" * 501}, 400),
    ({"question": 5}, 422), ({}, 422), ({"question": ["a"]}, 422),
])
def test_bad_input_is_chinese_4xx(live_server, payload, status):
    r = httpx.post(f"{live_server}/api/ask", json=payload)
    assert r.status_code == status
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["detail"])


def test_broken_json_and_huge_body(live_server):
    r = httpx.post(f"{live_server}/api/ask", content=b"{bad", headers={"content-type": "application/json"})
    assert r.status_code == 422 and "JSON" in r.json()["detail"]
    r = httpx.post(f"{live_server}/api/ask", content=b"x" * 20000, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_sse_stream_format(live_server):
    with httpx.stream("POST", f"{live_server}/api/ask/stream", json={"question": "专栏3有哪些项目？"}, timeout=30) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    kinds = [e["type"] for e in events]
    assert kinds[0] == "token" and kinds[-2:] == ["citations", "done"]
    text = "".join(e["text"] for e in events if e["type"] == "token")
    assert "运输场站建设工程" in text and events[-2]["citations"]
    assert events[-2]["support"] == "direct" and events[-2]["refused"] is False and events[-2]["suggestions"] == []


def test_support_levels_reach_every_endpoint(live_server):
    related = httpx.post(f"{live_server}/api/ask", json={"question": "鹳雀楼景区每天几点开门？"}, timeout=30).json()
    assert related["support"] == "related" and not related["refused"] and related["citations"]
    none = httpx.post(f"{live_server}/api/ask", json={"question": "明天永济会下雨吗？"}, timeout=30).json()
    assert none["support"] == "none" and none["refused"] and none["suggestions"]
    with httpx.stream("POST", f"{live_server}/api/ask/stream", json={"question": "明天永济会下雨吗？"}, timeout=30) as r:
        events = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
    cites = next(e for e in events if e["type"] == "citations")
    assert cites["support"] == "none" and cites["suggestions"] == none["suggestions"]
    r = httpx.post(f"{live_server}/v1/chat/completions", timeout=30, json={
        "model": "plan-assistant", "messages": [{"role": "user", "content": "鹳雀楼景区每天几点开门？"}]}).json()
    assert r["plan_assistant"]["support"] == "related" and r["plan_assistant"]["refused"] is False


def test_search_outline_feedback(live_server):
    hits = httpx.get(f"{live_server}/api/search", params={"q": "伍姓湖", "k": 3}).json()["hits"]
    assert len(hits) == 3 and hits[0]["rank"] == 1
    assert httpx.get(f"{live_server}/api/search", params={"q": " "}).status_code == 400
    assert httpx.get(f"{live_server}/api/search", params={"q": "x", "k": 0}).status_code == 422
    outline = httpx.get(f"{live_server}/api/outline").json()
    assert sum(1 for ch in outline if ch["chapter"].startswith("第")) == 10
    r = httpx.post(f"{live_server}/api/feedback", json={"rating": 1, "question": "q", "answer": "a"})
    assert r.status_code == 200
    assert httpx.post(f"{live_server}/api/feedback", json={"rating": 3}).status_code == 422


def test_feedback_survives_restart(assistant):
    from chat_app.storage import open_store

    store = assistant.sessions
    n = store.feedback_count()
    store.add_feedback("s", 0, -1, "问", "答")
    assert open_store(assistant.settings).feedback_count() == n + 1  # a second connection, as after a restart


def test_openai_compatible_with_official_client(live_server):
    client = openai.OpenAI(base_url=f"{live_server}/v1", api_key="unused")
    r = client.chat.completions.create(model="plan-assistant",
                                       messages=[{"role": "user", "content": "森林覆盖率2025年目标是多少？"}])
    assert "30.8" in r.choices[0].message.content
    stream = client.chat.completions.create(model="plan-assistant", stream=True,
                                            messages=[{"role": "user", "content": "森林覆盖率2025年目标是多少？"}])
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert "30.8" in text


def test_rate_limit_and_api_keys(assistant):
    from chat_app.api import create_app
    from tests.pg import fresh_window

    fresh_window()  # PostgreSQL's limit is a fixed window: do not straddle its end
    app = create_app(replace(assistant.settings, rate_limit_per_minute=3, api_keys=("k1",)), assistant=assistant)
    with TestClient(app) as c:
        assert c.get("/api/search", params={"q": "教育"}).status_code == 401  # counts toward the limit too
        h = {"x-api-key": "k1"}
        assert c.get("/api/search", params={"q": "教育"}, headers=h).status_code == 200
        assert c.get("/api/search", params={"q": "教育"}, headers=h).status_code == 200
        r = c.get("/api/search", params={"q": "教育"}, headers=h)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert c.get("/healthz").status_code == 200  # not behind keys or limits


def test_widget_token_opens_only_the_ask_endpoints_when_keys_are_on(assistant):
    import re

    from chat_app.api import create_app

    app = create_app(replace(assistant.settings, rate_limit_per_minute=0, api_keys=("k1",)), assistant=assistant)
    with TestClient(app) as c:
        html = c.get("/embed").text
        token = re.search(r'name="widget-token" content="([^"]+)"', html).group(1)
        ask = {"question": "森林覆盖率2025年目标是多少？"}
        assert c.post("/api/ask", json=ask).status_code == 401
        assert c.post("/api/ask", json=ask, headers={"x-widget-token": token}).status_code == 200
        assert c.post("/api/ask", json=ask, headers={"x-widget-token": token[:-1] + ("1" if token[-1] == "0" else "0")}).status_code == 401
        assert c.get("/api/search", params={"q": "教育"}, headers={"x-widget-token": token}).status_code == 401
        expired = "1000." + token.split(".")[1]
        assert c.post("/api/ask", json=ask, headers={"x-widget-token": expired}).status_code == 401


def test_embed_headers_and_widget(live_server):
    r = httpx.get(f"{live_server}/embed")
    assert r.status_code == 200 and "frame-ancestors" in r.headers["content-security-policy"]
    assert httpx.get(f"{live_server}/widget.js").headers["content-type"].startswith("application/javascript")


def test_healthz_says_loading_until_the_index_is_ready():
    """The app is created (and could listen) before the assistant is loaded; /healthz tells the two apart."""
    import time

    from chat_app.api import create_app
    from chat_app.config import Settings

    with TestClient(create_app(Settings())) as c:
        first = c.get("/healthz")
        assert first.status_code == 503 and first.json() == {"status": "loading"}
        deadline = time.monotonic() + 60
        while c.get("/healthz").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert c.get("/healthz").json() == {"status": "ok"}
