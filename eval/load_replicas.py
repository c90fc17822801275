"""``python -m eval.load_api --replicas 2``: the load test against several `serve` replicas on one PostgreSQL.

As behind a load balancer: N `plan-assistant serve` processes share ``PLAN_ASSISTANT_DATABASE_URL`` (or a
pgserver PostgreSQL started here, in a temporary directory, with a fresh database) and one widget secret.
Clients are spread over the replicas; every other client alternates replicas within its one session, and
its answers' turn numbers must keep counting (a replica that did not see the other's turns would restart
at 0), so session continuity is checked under load. Each client is its own citizen (X-Forwarded-For from
the trusted loopback proxy) under a per-minute limit it never reaches; afterwards one more client sends
2 × LIMIT requests alternating replicas: a global limit answers LIMIT × 200 then 429s, per-replica
limiters would answer all of them.
"""
from __future__ import annotations

import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack

import httpx

from eval.load_common import (HEALTH_P95_TARGET_MS, REQUEST_TIMEOUT_S, SEED, Latencies, Questions, free_port,
                              probe_health, rss_mb, temporary_database, wait_healthy)
from eval.metrics import percentile

LIMIT = 200  # requests per minute per client: far above a load client's pace, low enough to probe
KEY = "load-replicas-key"


def database_url(stack: ExitStack) -> str:
    """PLAN_ASSISTANT_DATABASE_URL, else a pgserver PostgreSQL of our own (stopped at exit) and a fresh
    database in it, as tests/pg.py does."""
    return os.environ.get("PLAN_ASSISTANT_DATABASE_URL") or temporary_database(stack, "load_replicas")


def start_replicas(n: int, url: str, no_cache: bool, tmp: str, stack: ExitStack) -> list[tuple[str, subprocess.Popen]]:
    """N serve processes started together (so they also race to load the index: one ingestion job)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAN_ASSISTANT_")}
    env.update(PLAN_ASSISTANT_DATABASE_URL=url, PLAN_ASSISTANT_WIDGET_SECRET=secrets.token_hex(16),
               PLAN_ASSISTANT_API_KEYS=KEY, PLAN_ASSISTANT_RATE_LIMIT=str(LIMIT),
               PLAN_ASSISTANT_TRUSTED_PROXIES="127.0.0.1", PLAN_ASSISTANT_DB_PATH=f"{tmp}/unused.sqlite3")
    if no_cache:
        env["PLAN_ASSISTANT_QUERY_CACHE"] = "0"
    out = []
    for i in range(n):
        port = free_port()
        log = open(f"{tmp}/replica{i + 1}.log", "w")  # noqa: SIM115 - closed by the stack
        proc = subprocess.Popen([sys.executable, "-m", "chat_app.cli", "serve", "--port", str(port)], env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        stack.callback(log.close)
        stack.callback(_stop, proc)
        out.append((f"http://127.0.0.1:{port}", proc))
    for u, _ in out:
        wait_healthy(u)
    return out


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


class Continuity:
    """Follow-ups sent to another replica than the session's previous turn, and those whose turn number
    did not continue (thread-safe counts)."""

    def __init__(self) -> None:
        self.cross, self.broken, self.lock = 0, 0, threading.Lock()

    def add(self, crossed: bool, ok: bool) -> None:
        with self.lock:
            self.cross += crossed
            self.broken += not ok


def _call(c: httpx.Client, url: str, path: str, q: str, session: str | None) -> tuple[bool, float, dict]:
    """One request: (ok, milliseconds, the /api/ask body or {})."""
    t = time.perf_counter()
    try:
        if path == "search":
            r = c.get(f"{url}/api/search", params={"q": q, "k": 10})
        else:
            r = c.post(f"{url}/api/ask", json={"question": q, "session_id": session})
        ok = r.status_code == 200
        body = r.json() if ok and path == "ask" else {}
    except httpx.HTTPError:
        ok, body = False, {}
    return ok, (time.perf_counter() - t) * 1000, body


def run_phase(urls: list[str], path: str, clients: int, seconds: float, questions: Questions, token: str):
    """Per-replica latencies, per-replica /healthz latencies, the continuity counts and the elapsed time."""
    lat = [Latencies() for _ in urls]
    health = [Latencies() for _ in urls]
    cont = Continuity()
    stop_at = time.monotonic() + seconds

    def worker(i: int) -> None:
        rng, session, turn, n = random.Random(SEED + i), None, -1, 0
        alternate = i % 2 == 0  # these switch replica on every request of their one session
        headers = {"X-Forwarded-For": f"10.77.{i // 250}.{i % 250 + 1}"}
        # /api/ask the widget's way (a token issued by replica 1, valid on all); /api/search with the key
        headers.update({"x-widget-token": token} if path == "ask" else {"X-API-Key": KEY})
        with httpx.Client(timeout=REQUEST_TIMEOUT_S, headers=headers) as c:
            while time.monotonic() < stop_at:
                r_ix = (i // 2 + n) % len(urls) if alternate else (i // 2) % len(urls)
                ok, ms, body = _call(c, urls[r_ix], path, questions.next(rng), session)
                lat[r_ix].add(ms, ok)
                if ok and path == "ask":
                    if session is not None and alternate:
                        cont.add(True, body.get("turn") == turn + 1)
                    session, turn = body.get("session_id"), body.get("turn", -1)
                n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    stop = threading.Event()
    probers = [threading.Thread(target=probe_health, args=(u, stop, h)) for u, h in zip(urls, health)]
    t0 = time.monotonic()
    for t in probers + threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    stop.set()
    for t in probers:
        t.join()
    return lat, health, cont, elapsed


def ingest_jobs(url: str) -> str:
    """Who loaded the search index at start-up: the replicas raced for one ingestion job."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT status, attempts, claimed_by FROM ingest_jobs ORDER BY id").fetchall()
    return "; ".join(f"ingestion job {st}, {n} attempt(s), claimed by {by}" for st, n, by in rows) or "no job"


def widget_token(url: str) -> str:
    """The token replica 1 puts in its /embed page (signed with the shared secret)."""
    html = httpx.get(f"{url}/embed", timeout=REQUEST_TIMEOUT_S).text
    return re.search(r'name="widget-token" content="([^"]+)"', html).group(1)


def rate_limit_probe(urls: list[str]) -> tuple[list[int], bool]:
    """2 × LIMIT cheap searches from one new client, alternating replicas, in one fixed window: the
    status codes, and whether they are exactly LIMIT × 200 then 429s (one global limit)."""
    left = 60 - time.time() % 60
    if left < 20:
        time.sleep(left + 0.1)
    headers = {"X-API-Key": KEY, "X-Forwarded-For": f"10.78.{os.getpid() % 250}.1"}
    with httpx.Client(timeout=REQUEST_TIMEOUT_S, headers=headers) as c:
        codes = [c.get(f"{urls[n % len(urls)]}/api/search", params={"q": "教育", "k": 1}).status_code
                 for n in range(2 * LIMIT)]
    return codes, codes == [200] * LIMIT + [429] * LIMIT


def report(urls, path, clients, seconds, new_share, lat, health, cont, elapsed) -> bool:
    """Print per-replica and total lines like load_api's; True when something failed."""
    failed = False
    for k, (u, l, h) in enumerate(zip(urls, lat, health), 1):
        print(f"/api/{path} replica {k} ({u}): {len(l.ms)} requests, {len(l.ms) / elapsed:.1f} req/s, {l.summary()}")
        print(f"/healthz replica {k} during /api/{path}: {len(h.ms)} probes, {h.summary()}")
        failed |= l.errors > 0 or h.errors > 0
    total, hall = Latencies(), Latencies()
    for l, h in zip(lat, health):
        total.ms += l.ms
        total.errors += l.errors
        hall.ms += h.ms
        hall.errors += h.errors
    print(f"/api/{path} total: {len(urls)} replicas, {clients} clients × {seconds:.0f} s, {new_share:.0%} new "
          f"questions → {len(total.ms)} requests, {len(total.ms) / elapsed:.1f} req/s, {total.summary()}")
    print(f"/healthz total during /api/{path}: {len(hall.ms)} probes, {hall.summary()} "
          f"(target p95 ≤ {HEALTH_P95_TARGET_MS:.0f} ms)")
    failed |= percentile(hall.ms, 95) > HEALTH_P95_TARGET_MS
    if path == "ask":
        print(f"sessions across replicas: {(clients + 1) // 2} of {clients} clients alternate replicas within one "
              f"session; {cont.cross} follow-ups on the other replica, {cont.broken} did not continue the session")
        failed |= cont.broken > 0 or cont.cross == 0
    return failed


def run(args) -> int:
    """The whole replica run; exit status like load_api's (1 on any error, broken session, per-replica
    limit or /healthz p95 over target)."""
    from eval.data import load_questions

    failed = False
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="plan-assistant-load-"))
        url = database_url(stack)
        t0 = time.monotonic()
        replicas = start_replicas(args.replicas, url, args.no_cache, tmp, stack)
        urls = [u for u, _ in replicas]
        print(f"{len(urls)} replicas on one PostgreSQL database, healthy after {time.monotonic() - t0:.0f} s")
        print(f"index: {ingest_jobs(url)}")
        token = widget_token(urls[0])
        questions = Questions([q.question for q in load_questions("all")], args.new_share)
        for path in args.paths.split(","):
            lat, health, cont, elapsed = run_phase(urls, path, args.clients, args.seconds, questions, token)
            failed |= report(urls, path, args.clients, args.seconds, args.new_share, lat, health, cont, elapsed)
        codes, global_ = rate_limit_probe(urls)
        print(f"rate limit {LIMIT}/min per client: {2 * LIMIT} requests alternating replicas → "
              f"{codes.count(200)} × 200, {codes.count(429)} × 429 ({'global' if global_ else 'NOT global'})")
        failed |= not global_
        print("server RSS: " + ", ".join(f"replica {k} {rss_mb(p.pid):.0f} MB" for k, (_, p) in enumerate(replicas, 1)))
    return 1 if failed else 0
