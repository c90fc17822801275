"""Two `plan-assistant serve` processes on one PostgreSQL database (real pgserver), as behind a load
balancer: a widget token from one opens the other (shared PLAN_ASSISTANT_WIDGET_SECRET), a conversation
started on one continues on the other, feedback from both lands in one table, and the rate limit is one
global limit, not one per replica."""
from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.chat_app.net import free_port, wait_up
from tests.chat_app.test_serve_cli import CLI, _env

pytestmark = pytest.mark.e2e

LIMIT = 6  # requests per minute per client, across both replicas
KEY = "replica-key"


@contextmanager
def replica(tmp_path: Path, env: dict[str, str], name: str) -> Iterator[str]:
    """One real `serve` process; its output goes to a log file printed when the test fails."""
    port = free_port()
    log = (tmp_path / f"{name}.log").open("w")
    proc = subprocess.Popen([CLI, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def replicas(backend_settings, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("replicas")
    url = backend_settings("pg").database_url
    env = _env(tmp, PLAN_ASSISTANT_DATABASE_URL=url, PLAN_ASSISTANT_WIDGET_SECRET="shared-secret-for-both",
               PLAN_ASSISTANT_API_KEYS=KEY, PLAN_ASSISTANT_RATE_LIMIT=str(LIMIT),
               PLAN_ASSISTANT_TRUSTED_PROXIES="127.0.0.1")  # each phase below is its own client
    with ExitStack() as stack:
        a, b = (stack.enter_context(replica(tmp, env, name)) for name in ("a", "b"))
        for u in (a, b):
            wait_up(f"{u}/healthz", attempts=240, delay=0.5)
            assert httpx.get(f"{u}/healthz").json() == {"status": "ok"}, (tmp / "a.log").read_text()
        yield a, b, url


def _token(base: str) -> str:
    return re.search(r'name="widget-token" content="([^"]+)"', httpx.get(f"{base}/embed").text).group(1)


def test_a_conversation_continues_across_replicas_and_feedback_is_shared(replicas):
    from tests.pg import execute

    a, b, url = replicas
    headers = {"x-widget-token": _token(a), "X-Forwarded-For": "10.0.0.1"}  # a's token, used on b too
    first = httpx.post(f"{a}/api/ask", json={"question": "“十四五”常住人口城镇化率目标是多少？"},
                       headers=headers, timeout=60).json()
    assert "59" in first["answer"] and first["turn"] == 0
    follow = httpx.post(f"{b}/api/ask", json={"question": "那2020年呢？", "session_id": first["session_id"]},
                        headers=headers, timeout=60)
    assert follow.status_code == 200, follow.text
    assert follow.json()["turn"] == 1 and "52" in follow.json()["answer"]  # b read a's turn from the database
    for base, rating, turn in ((a, 1, 0), (b, -1, 1)):
        r = httpx.post(f"{base}/api/feedback", headers=headers, json={
            "rating": rating, "session_id": first["session_id"], "turn": turn, "comment": f"来自{base[-5:]}"})
        assert r.status_code == 200
    rows = execute(url, "SELECT turn, rating FROM feedback WHERE session_id = %s ORDER BY turn", (first["session_id"],))
    assert rows == [(0, 1), (1, -1)]
    turns = execute(url, "SELECT idx, support FROM turns WHERE session_id = %s ORDER BY idx", (first["session_id"],))
    assert turns == [(0, "direct"), (1, "direct")]


def test_the_rate_limit_is_one_limit_across_replicas(replicas):
    from tests.pg import fresh_window

    a, b, _ = replicas
    headers = {"X-API-Key": KEY, "X-Forwarded-For": "10.0.0.2"}
    fresh_window(margin=10)
    codes = [httpx.get(f"{base}/api/search", params={"q": "教育", "k": 1}, headers=headers, timeout=30).status_code
             for base in (a, b) * LIMIT]
    assert codes == [200] * LIMIT + [429] * LIMIT  # per-process limiters would have allowed all twelve
    other = httpx.get(f"{b}/api/search", params={"q": "教育"}, headers={**headers, "X-Forwarded-For": "10.0.0.3"})
    assert other.status_code == 200  # the limit is per client


def test_the_global_limit_holds_for_concurrent_requests(replicas):
    """The guard counts on worker threads now: requests in flight at once on both replicas still get exactly
    LIMIT admissions between them (the count is one atomic upsert, whoever's thread runs it first)."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.pg import fresh_window

    a, b, _ = replicas
    headers = {"X-API-Key": KEY, "X-Forwarded-For": "10.0.0.4"}
    fresh_window(margin=15)
    with httpx.Client(headers=headers, timeout=30) as c, ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda base: c.get(f"{base}/api/search", params={"q": "教育", "k": 1}).status_code,
                              (a, b) * (2 * LIMIT)))
    assert sorted(codes) == [200] * LIMIT + [429] * (3 * LIMIT)
