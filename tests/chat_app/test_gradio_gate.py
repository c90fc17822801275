"""Gradio's routes under /ui: only those the page uses pass, and only with arguments their function can take.

Each case here gave a 500 or a dropped connection from Gradio 6.31 before chat_app/gradio_gate.py (see
`python -m eval.fuzz_api --serve`); now every one is a 4xx with a Chinese detail, decided before Gradio.
"""
from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

pytest.importorskip("gradio")

API = "/ui/gradio_api"
QUESTION = "城区的停车位打算怎么增加？"  # written for this test


@pytest.fixture(scope="module")
def client(assistant):
    from chat_app.api import create_app

    settings = replace(assistant.settings, api_keys=(), rate_limit_per_minute=0)
    with TestClient(create_app(settings, assistant=assistant)) as c:  # the lifespan starts Gradio's queue
        yield c


def _chinese(r) -> str:
    detail = r.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    return detail


@pytest.mark.parametrize("method, path", [
    ("POST", f"{API}/upload"), ("GET", f"{API}/file=/etc/passwd"), ("GET", f"{API}/proxy=https://example.com/x"),
    ("POST", f"{API}/component_server"), ("POST", "/ui/login"), ("GET", "/ui/monitoring"),
    ("POST", f"{API}/call/v2/search"), ("POST", f"{API}/api/search"), ("POST", f"{API}/cancel"),
    ("POST", f"{API}/reset"), ("POST", f"{API}/call/nope"), ("POST", f"{API}/run/nope"),
    ("GET", f"{API}/startup-events"), ("POST", f"{API}/vibe-edit"), ("GET", "/ui/gradio_api/upload_progress"),
])
def test_routes_the_page_does_not_use_are_404_before_gradio(client, method, path):
    r = client.request(method, path, json={"data": []})
    assert r.status_code == 404 and "没有这个页面或接口" in _chinese(r)


def test_a_used_route_with_another_method_is_405_naming_the_allowed_one(client):
    r = client.put(f"{API}/queue/join", json={})
    assert r.status_code == 405 and r.headers["allow"] == "POST" and "PUT" in _chinese(r)
    assert client.post("/ui/config").status_code == 405


def test_the_page_and_its_files_still_load(client):
    page = client.get("/ui/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert client.get("/ui/config").status_code == 200
    assert client.get(f"{API}/info").status_code == 200


@pytest.mark.parametrize("api, data, field", [
    ("respond", [QUESTION], "data"),  # too few inputs: Gradio raised ValueError → 500 on run/
    ("search", [], "data"),
    ("search", [7], "data[0]"),
    ("respond", [QUESTION, "不是对话记录"], "data[1]"),
    ("respond", [QUESTION, [{"role": "user", "content": QUESTION}]], "data[1]"),  # content must be a list
    ("respond", [QUESTION, [{"role": "user", "content": [{"path": "/etc/passwd",
                                                          "meta": {"_type": "gradio.FileData"}}]}]], "data[1]"),
    ("sections", ["第十一章 不存在"], "data[0]"),  # not one of the choices: gr.Error → 500 on run/
])
def test_calls_with_arguments_the_function_cannot_take_are_422(client, api, data, field):
    """call/ may leave out the two state inputs of respond (Gradio fills them); run/ needs all four."""
    states = [None, None] if api == "respond" and len(data) == 2 else []
    for route, args in (("call", data), ("run", data + states)):
        r = client.post(f"{API}/{route}/{api}", json={"data": args})
        assert r.status_code == 422 and field in _chinese(r), (route, r.text)


def test_functions_that_read_event_data_need_it(client):
    """gr.LikeData/SelectData index event_data: null gave TypeError → 500; call/ drops it, so refused there."""
    assert client.post(f"{API}/run/like", json={"data": [None, None]}).status_code == 422
    assert client.post(f"{API}/call/pick", json={"data": [[]], "event_data": {"index": 0, "value": "x"}}).status_code == 422
    join = {"data": [None, None], "fn_index": 2, "session_hash": "abc123", "event_data": None}
    assert client.post(f"{API}/queue/join", json=join).status_code == 422


@pytest.mark.parametrize("body, field", [
    ({"data": [QUESTION], "fn_index": 99, "session_hash": "abc123"}, "fn_index"),
    ({"data": [QUESTION], "fn_index": True, "session_hash": "abc123"}, "fn_index"),
    ({"data": [QUESTION], "fn_index": 8}, "session_hash"),
    ({"data": [QUESTION], "fn_index": 8, "session_hash": "x" * 300}, "session_hash"),
    ({"data": [QUESTION], "fn_index": 8, "session_hash": "abc123", "trigger_id": "1"}, "trigger_id"),
    ({"data": [QUESTION], "fn_index": 8, "session_hash": "abc123", "batched": True}, "batched"),
    ([QUESTION], "请求体"),
])
def test_queue_join_checks_the_envelope(client, body, field):
    r = client.post(f"{API}/queue/join", json=body)
    assert r.status_code == 422 and field in _chinese(r)


def test_streams_open_only_for_sessions_and_events_gradio_holds(client):
    """Gradio raised inside an already started stream for these and the connection dropped."""
    assert client.get(f"{API}/queue/data", params={"session_hash": "never-joined"}).status_code == 404
    assert client.get(f"{API}/queue/data", params={"session_hash": "é"}).status_code == 400
    assert client.get(f"{API}/queue/data").status_code == 400
    assert client.get(f"{API}/call/search/0123456789abcdef").status_code == 404
    assert client.get(f"{API}/heartbeat/{'x' * 65}").status_code == 400


def test_a_valid_call_still_runs(client):
    r = client.post(f"{API}/run/search", json={"data": [QUESTION]})
    assert r.status_code == 200 and r.json()["data"][1]["data"]  # the 检索结果 table has rows
    joined = client.post(f"{API}/call/search", json={"data": [QUESTION]})
    assert joined.status_code == 200
    result = client.get(f"{API}/call/search/{joined.json()['event_id']}")
    assert result.status_code == 200 and "event: complete" in result.text


def test_a_section_of_another_chapter_is_answered_not_refused_with_500(client, assistant):
    """节's choices change per session with the chapter; any value is taken and body() says it is not there."""
    from chat_app.ui import NO_SECTION

    chunks = assistant.retrievers.chunks
    chapters = list(dict.fromkeys(c.chapter for c in chunks if c.chapter))
    later = next(c for c in chunks if c.chapter == chapters[2] and c.section)
    found = client.post(f"{API}/run/body", json={"data": [later.chapter, later.section]})
    assert found.status_code == 200 and later.text[:20] in found.json()["data"][0]
    other = client.post(f"{API}/run/body", json={"data": [chapters[0], later.section]})
    assert other.status_code == 200 and other.json()["data"][0] == NO_SECTION


def test_every_input_of_the_ui_has_a_check(assistant):
    """A component added to chat_app/ui.py without a check in gradio_gate.py would have its calls refused."""
    from chat_app.gradio_gate import GradioGate
    from chat_app.ui import build_ui

    gate = GradioGate(build_ui(lambda: assistant))
    assert gate.unchecked == []
    assert {f.api_name for f in gate.functions.values()} >= {"respond", "like", "pick", "starter", "search", "body"}


def test_gradio_internals_the_gate_reads_still_exist(client):
    """The stream checks read Gradio's queue; if an upgrade renames these they silently stop checking."""
    from chat_app.gradio_gate import GradioGate

    gate = next(m.kwargs["gate"] for m in client.app.user_middleware if m.kwargs.get("gate"))
    assert isinstance(gate, GradioGate)
    queue = gate.blocks._queue
    assert hasattr(queue, "pending_messages_per_session")
    assert hasattr(queue, "event_ids_to_events") and hasattr(queue, "pending_event_ids_session")


def test_a_long_search_through_gradio_is_capped_like_api_search(client):
    """One call/search with 20,000 characters held the server 169 s; now the question cap applies (a Chinese
    warning, no results) and the body limit stops anything longer."""
    import time

    start = time.monotonic()
    r = client.post(f"{API}/run/search", json={"data": ["供热" * 2500]})
    spans, table = r.json()["data"]
    assert r.status_code == 200 and spans == [] and table["data"] == []
    assert time.monotonic() - start < 10
    assert client.post(f"{API}/run/search", json={"data": ["供热" * 10_000]}).status_code == 413
