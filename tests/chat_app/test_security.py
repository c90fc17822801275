"""The guard in front of every working route, against the real app (in-process ASGI client)."""
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from chat_app.security import RateLimiter, SignedTokens, key_matches, presented_key

KEY = "test-key-1"


@pytest.fixture(scope="module")
def client(assistant):
    from chat_app.api import create_app

    settings = replace(assistant.settings, api_keys=(KEY,), rate_limit_per_minute=10_000,
                       allowed_origins=("http://portal.example",))
    return TestClient(create_app(settings, assistant=assistant))


def test_bearer_is_required_on_authorization():
    assert presented_key({"authorization": f"Bearer {KEY}"}) == KEY
    assert presented_key({"authorization": KEY}) == ""
    assert presented_key({"x-api-key": KEY}) == KEY
    assert key_matches(KEY, ("other", KEY)) and not key_matches(KEY + "x", (KEY,))


@pytest.mark.parametrize("token", ["¹²³.x", "9" * 5000 + ".abc", "123.签名", "", ".", "abc.def",
                                   "99999999999.0123456789abcdef0123456789abcdef"])
def test_malformed_tokens_are_invalid_not_errors(token):
    assert SignedTokens("s").valid(token) is False


def test_tokens_expire_and_cannot_outlive_their_lifetime():
    tokens = SignedTokens("s", ttl_seconds=60)
    assert tokens.valid(tokens.issue())
    longer = SignedTokens("s", ttl_seconds=10 * 24 * 3600).issue()  # same secret, far longer expiry
    assert not tokens.valid(longer)


def test_limiter_forgets_idle_clients():
    limiter = RateLimiter(5)
    for i in range(3000):
        limiter.retry_after(f"client-{i}")
    for q in limiter.hits.values():
        q.clear()  # as if their minute had passed
    limiter.retry_after("x")
    for _ in range(1024):
        limiter.retry_after("y")
    assert len(limiter.hits) <= 3  # the idle thousands are gone


def test_limiter_counts_and_refuses():
    limiter = RateLimiter(2)
    assert limiter.retry_after("a") == 0 and limiter.retry_after("a") == 0
    assert limiter.retry_after("a") > 0 and limiter.retry_after("b") == 0


@pytest.mark.parametrize("headers, token", [
    ({"authorization": KEY}, None), ({}, "¹²³.x".encode()), ({}, ("9" * 5000 + ".x").encode()),
    ({}, "123.签名".encode()),
])
def test_requests_without_a_valid_key_get_401_never_500(client, headers, token):
    if token is not None:
        headers = {**headers, "x-widget-token": token}
    r = client.post("/api/ask", json={"question": "伍姓湖以后咋治理？"}, headers=headers)
    assert r.status_code == 401 and "密钥" in r.json()["detail"]


def test_lone_surrogates_get_a_chinese_400_everywhere(client):
    h = {"content-type": "application/json", "x-api-key": KEY}
    for path, body in (("/api/ask", '{"question": "\\ud800教育"}'),
                       ("/api/feedback", '{"rating": 1, "question": "\\ud800教育"}'),
                       ("/api/feedback", '{"rating": 1, "session_id": "\\udfff"}')):
        r = client.post(path, content=body.encode(), headers=h)
        assert r.status_code == 400 and "无法识别的字符" in r.json()["detail"], (path, r.text)


def test_fields_are_bounded(client):
    h = {"x-api-key": KEY}
    assert client.post("/api/feedback", json={"rating": 1, "turn": 2 ** 63}, headers=h).status_code == 422
    assert client.post("/api/feedback", json={"rating": 1, "answer": "字" * 5000}, headers=h).status_code == 422
    assert client.post("/api/feedback", json={"rating": 1, "session_id": "s" * 65}, headers=h).status_code == 422


def test_chunked_bodies_are_capped_too(client):
    def body():
        for _ in range(100):
            yield b"x" * 1000  # no Content-Length: sent chunked

    r = client.post("/api/feedback", content=body(), headers={"content-type": "application/json", "x-api-key": KEY})
    assert r.status_code == 413


def test_cors_preflight_before_keys_and_cors_on_401(client):
    pre = client.options("/api/ask", headers={"origin": "http://portal.example", "access-control-request-method": "POST",
                                              "access-control-request-headers": "x-api-key"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == "http://portal.example"
    r = client.post("/api/ask", json={"question": "x"}, headers={"origin": "http://portal.example"})
    assert r.status_code == 401 and r.headers["access-control-allow-origin"] == "http://portal.example"


def test_gradio_api_needs_a_key_or_the_ui_cookie(assistant):
    from chat_app.api import create_app

    settings = replace(assistant.settings, api_keys=(KEY,), rate_limit_per_minute=10_000)
    fresh = TestClient(create_app(settings, assistant=assistant))
    call = {"data": ["伍姓湖以后咋治理？", [], None, [], None]}  # question, chat, session, ratings, scope
    assert fresh.post("/ui/gradio_api/call/respond", json=call).status_code == 401
    assert fresh.get("/ui/").status_code == 200 and fresh.cookies.get("pa_ui_token")
    assert fresh.post("/ui/gradio_api/call/respond", json=call).status_code == 200


def test_failed_keys_count_toward_the_limit(assistant):
    from chat_app.api import create_app

    settings = replace(assistant.settings, api_keys=(KEY,), rate_limit_per_minute=3)
    c = TestClient(create_app(settings, assistant=assistant))
    codes = [c.post("/api/ask", json={"question": "x"}, headers={"x-api-key": "guess"}).status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


@pytest.mark.parametrize("keys, seed", [(False, 3), (True, 5)])
def test_fuzzed_requests_never_get_a_5xx(assistant, keys, seed):
    """A short run of eval/fuzz_api.py (the full run: `python -m eval.fuzz_api --cases 1200`)."""
    from eval.fuzz_api import run

    codes, failures = run(240, seed, keys, assistant=assistant)
    assert failures == [] and sum(codes.values()) == 240
    assert codes[400] > 0 and codes[422] > 0 and (codes[401] > 0) == keys  # the junk was really rejected


def test_invalid_utf8_and_nan_bodies_are_rejected_before_gradio(client):
    h = {"content-type": "application/json", "x-api-key": KEY}
    bad = client.post("/ui/gradio_api/call/search", content=b'{"data": ["\xed\xa0\x80"]}', headers=h)
    assert bad.status_code == 400 and "UTF-8" in bad.json()["detail"]
    nan = client.post("/ui/gradio_api/call/search", content=b"NaN", headers=h)
    assert nan.status_code == 422
