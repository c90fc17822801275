"""`plan-assistant serve` and `purge` as real processes: access log privacy, retention, unwritable paths."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from chat_app.schema import Answer
from chat_app.sessions import SECONDS_PER_DAY, SessionStore
from tests.chat_app.net import free_port

CLI = str(Path(sys.executable).parent / "plan-assistant")
SECRET = "我家孩子的学籍问题"
STARTUP_SECONDS = 60


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAN_ASSISTANT_")}
    env.update({"PLAN_ASSISTANT_DB_PATH": str(tmp_path / "pa.sqlite3"), **extra})
    if "PLAN_ASSISTANT_INDEX_DIR" in os.environ:
        env.setdefault("PLAN_ASSISTANT_INDEX_DIR", os.environ["PLAN_ASSISTANT_INDEX_DIR"])
    return env


def _serve_and_query(tmp_path: Path, **extra: str) -> str:
    """Start serve, send two requests with a question in the query string, stop it; its stderr."""
    port = free_port()
    proc = subprocess.Popen([CLI, "serve", "--port", str(port)], env=_env(tmp_path, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", params={"q": SECRET}, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        httpx.get(f"http://127.0.0.1:{port}/api/search", params={"q": SECRET, "k": 1}, timeout=60)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    return out


@pytest.mark.e2e
def test_access_log_keeps_paths_but_not_questions(tmp_path):
    out = _serve_and_query(tmp_path)
    assert '"GET /api/search HTTP/1.1" 200' in out and '"GET /healthz HTTP/1.1"' in out
    assert "q=" not in out and "%E6%88%91" not in out and SECRET not in out


@pytest.mark.e2e
def test_access_log_keeps_queries_when_asked(tmp_path):
    out = _serve_and_query(tmp_path, PLAN_ASSISTANT_LOG_QUERIES="1")
    assert '"GET /api/search?q=' in out


def test_purge_command_reports_removed_turns(tmp_path):
    path = tmp_path / "pa.sqlite3"
    store = SessionStore(path)
    for sid in ("old", "old", "old", "new"):
        store.add_turn(sid, Answer("污水处理厂在哪里建？", "答", "direct", "extractive"))
    store.add_feedback("old", 0, 1)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE turns SET created=? WHERE session_id='old'", (time.time() - 45 * SECONDS_PER_DAY,))
    run = lambda **e: subprocess.run([CLI, "purge"], env=_env(tmp_path, **e), capture_output=True, text=True)
    kept = run(PLAN_ASSISTANT_RETENTION_DAYS="0")
    assert kept.returncode == 0 and "永久保留" in kept.stdout and store.turn_count() == 4
    first, second = run(), run()  # default retention: 30 days
    assert first.returncode == 0 and "已删除 3 条" in first.stdout and "已删除 0 条" in second.stdout
    assert store.turn_count() == 1 and store.feedback_count() == 1


@pytest.mark.parametrize("db_path", ["under-a-file", "read-only"])
def test_serve_refuses_an_unwritable_database_with_one_chinese_line(tmp_path, db_path):
    (tmp_path / "a-file").write_text("")
    path = str(tmp_path / "a-file" / "pa.sqlite3")
    if db_path == "read-only":
        SessionStore(tmp_path / "ro.sqlite3")
        path = f"file:{tmp_path / 'ro.sqlite3'}?mode=ro"
    r = subprocess.run([CLI, "serve", "--port", str(free_port())], env=_env(tmp_path, PLAN_ASSISTANT_DB_PATH=path),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"无法写入数据库：{path}" in r.stderr and r.stderr.count("\n") == 1


def _codes_per_forwarded_client(tmp_path: Path, requests: int, **extra: str) -> list[int]:
    """`serve` with a limit of 3 a minute; each request from 127.0.0.1 claims another X-Forwarded-For client."""
    port = free_port()
    env = _env(tmp_path, PLAN_ASSISTANT_RATE_LIMIT="3", **extra)
    proc = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        # no q: the route answers 422 without the index, after the guard has counted the request
        return [httpx.get(f"{url}/api/search", headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=30).status_code
                for i in range(requests)]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)


@pytest.mark.e2e
def test_a_local_peer_cannot_pick_a_fresh_rate_limit_with_x_forwarded_for(tmp_path):
    """uvicorn believed X-Forwarded-For from 127.0.0.1 by default, so each made-up client got a new allowance."""
    assert _codes_per_forwarded_client(tmp_path, 5) == [422, 422, 422, 429, 429]
    trusted = _codes_per_forwarded_client(tmp_path, 5, PLAN_ASSISTANT_TRUSTED_PROXIES="127.0.0.1")
    assert trusted == [422] * 5  # behind a configured proxy, the forwarded address is the client
