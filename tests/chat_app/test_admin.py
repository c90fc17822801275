"""/admin's data routes on both backends: counts, levels with their questions, 👎 with comments, CSV; keys
required (no widget token, no keys configured = off); bad parameters are Chinese 4xx."""
from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from chat_app.schema import Answer
from tests.conftest import BACKENDS

KEY = "admin-key-1"
HOSTILE = "<img src=x onerror=alert(1)>规划说了啥"
FORMULA = "=HYPERLINK(\"http://evil\")"


def seed(store) -> None:
    """Three questions asked: one twice and answered directly, one related, one refused; two ratings."""
    for sid, q, level in (("a", "森林覆盖率目标是多少？", "direct"), ("b", "森林覆盖率目标是多少？", "direct"),
                          ("a", "鹳雀楼几点开门？", "related"), ("c", HOSTILE, "none"), ("c", FORMULA, "none")):
        store.add_turn(sid, Answer(q, f"答：{q}", level, "extractive"))
    store.add_feedback("a", 1, -1, "鹳雀楼几点开门？", "规划没有写明…", "想知道开放时间")
    store.add_feedback("a", 0, 1, "森林覆盖率目标是多少？", "30.8%", "")


@pytest.fixture(scope="module", params=BACKENDS)
def admin_app(request, retrievers, backend_settings):
    from chat_app.api import create_app
    from chat_app.engine import Assistant
    from chat_app.storage import open_store

    settings = backend_settings(request.param, api_keys=(KEY,), rate_limit_per_minute=0)
    store = open_store(settings)
    seed(store)
    return create_app(settings, assistant=Assistant(settings, retrievers=retrievers, sessions=store))


@pytest.fixture(scope="module")
def client(admin_app):
    return TestClient(admin_app)


def test_stats_count_levels_questions_and_negative_feedback(client):
    s = client.get("/api/admin/stats", params={"days": 7}, headers={"X-API-Key": KEY}).json()
    assert s["questions"] == 5 and len(s["per_day"]) in (7, 8) and s["per_day"][-1]["questions"] == 5
    assert s["top"][0] == {**s["top"][0], "question": "森林覆盖率目标是多少？", "count": 2}
    levels = {lv["level"]: lv for lv in s["support"]}
    assert [levels[k]["count"] for k in ("direct", "related", "none")] == [2, 1, 2]
    assert levels["none"]["share"] == 0.4
    assert {q["question"] for q in levels["none"]["questions"]} == {HOSTILE, FORMULA}
    assert s["thumbs_up"] == 1 and s["thumbs_down"] == 1
    assert s["negative"] == [{**s["negative"][0], "question": "鹳雀楼几点开门？", "comment": "想知道开放时间"}]


def test_csv_exports_are_excel_ready_and_defused(client):
    r = client.get("/api/admin/export.csv", params={"kind": "turns"}, headers={"Authorization": f"Bearer {KEY}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.startswith("\ufeff") and "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["时间（北京时间）", "会话", "轮次", "问题", "回答情况"] and len(rows) == 6
    assert ["'" + FORMULA, "拒答"] in [r[3:5] for r in rows]  # a formula is text in Excel
    fb = list(csv.reader(io.StringIO(client.get("/api/admin/export.csv", params={"kind": "feedback"},
                                                headers={"X-API-Key": KEY}).text.lstrip("\ufeff"))))
    assert len(fb) == 3 and ["👎", "鹳雀楼几点开门？"] == fb[1][3:5] and fb[1][6] == "想知道开放时间"


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"Authorization": KEY}])
def test_a_key_is_required(client, headers):
    r = client.get("/api/admin/stats", headers=headers)
    assert r.status_code == 401 and "密钥" in r.json()["detail"]


def test_a_widget_token_does_not_open_admin(client):
    import re

    token = re.search(r'name="widget-token" content="([^"]+)"', client.get("/embed").text).group(1)
    assert client.get("/api/admin/stats", headers={"x-widget-token": token}).status_code == 401


@pytest.mark.parametrize("params", [{"days": 0}, {"days": 10_000}, {"days": "abc"}, {"kind": "secrets"}])
def test_bad_parameters_are_chinese_422(client, params):
    path = "/api/admin/export.csv" if "kind" in params else "/api/admin/stats"
    r = client.get(path, params=params, headers={"X-API-Key": KEY})
    assert r.status_code == 422 and "请求格式不正确" in r.json()["detail"]


def test_without_configured_keys_admin_is_off(admin_app, assistant):
    from chat_app.api import create_app

    app = create_app(replace(assistant.settings, api_keys=(), rate_limit_per_minute=0), assistant=assistant)
    r = TestClient(app).get("/api/admin/stats")
    assert r.status_code == 403 and "PLAN_ASSISTANT_API_KEYS" in r.json()["detail"]


def test_the_page_is_static_chinese_and_not_frameable(client):
    r = client.get("/admin")
    assert r.status_code == 200 and "使用情况统计" in r.text and 'lang="zh-CN"' in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert client.get("/admin/admin.js").headers["content-type"].startswith("application/javascript")
