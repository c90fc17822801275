"""Bounded loopback load test for the HTTP API (prints numbers; not a test).

    python -m eval.load_api [--clients 50] [--seconds 60] [--new-share 0.5] [--paths ask[,search]] [--no-cache]
                            [--replicas 2]

Starts `plan-assistant serve` on a free 127.0.0.1 port (rate limit off, a fresh database), then runs N
concurrent clients for a fixed time per path. Each client keeps its own conversation (session id) on
/api/ask. A share of the questions is new to the server (an evaluation question with a unique suffix, so
neither the query-vector cache nor any other cache has seen it), the rest repeat a small hot set. While
the clients run, one more client probes /healthz every 50 ms: a load balancer's view of the server.

Prints requests/s, p50/p95 and errors per path, the /healthz p50/p95/max during each, and the server's RSS;
exits 1 if any request failed or the /healthz p95 exceeded its target. ``--replicas N`` runs the same
against N replicas on one PostgreSQL database (eval/load_replicas.py).
"""
from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

import httpx

from eval.data import load_questions
from eval.load_common import (HEALTH_P95_TARGET_MS, REQUEST_TIMEOUT_S, SEED, Latencies, Questions, free_port,
                              probe_health, rss_mb, wait_healthy)
from eval.metrics import percentile


def run_phase(url: str, path: str, clients: int, seconds: float, questions: Questions) -> tuple[dict, Latencies]:
    lat = Latencies()
    health = Latencies()
    stop_at = time.monotonic() + seconds

    def worker(i: int) -> None:
        rng = random.Random(SEED + i)
        session: str | None = None
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as c:
            while time.monotonic() < stop_at:
                q = questions.next(rng)
                t = time.perf_counter()
                try:
                    if path == "search":
                        r = c.get(f"{url}/api/search", params={"q": q, "k": 10})
                    else:
                        r = c.post(f"{url}/api/ask", json={"question": q, "session_id": session})
                        session = r.json().get("session_id", session) if r.status_code == 200 else session
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                lat.add((time.perf_counter() - t) * 1000, ok)

    stop = threading.Event()
    prober = threading.Thread(target=probe_health, args=(url, stop, health))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    prober.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    stop.set()
    prober.join()
    return {"requests": len(lat.ms), "rps": len(lat.ms) / elapsed, "lat": lat}, health


def start_server(port: int, no_cache: bool, db_dir: str) -> subprocess.Popen:
    env = dict(os.environ, PLAN_ASSISTANT_RATE_LIMIT="0", PLAN_ASSISTANT_DB_PATH=f"{db_dir}/load.sqlite3")
    if no_cache:
        env["PLAN_ASSISTANT_QUERY_CACHE"] = "0"
    return subprocess.Popen([sys.executable, "-m", "chat_app.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--new-share", type=float, default=0.5, help="share of questions the server has not seen")
    ap.add_argument("--paths", default="ask", help="comma-separated: ask, search")
    ap.add_argument("--no-cache", action="store_true", help="disable the server's query-vector cache")
    ap.add_argument("--replicas", type=int, default=1,
                    help="> 1: that many serve processes on one PostgreSQL (PLAN_ASSISTANT_DATABASE_URL or a "
                         "pgserver started here); see eval/load_replicas.py")
    args = ap.parse_args()
    if args.replicas > 1:
        from eval.load_replicas import run  # not at the top: the replica run needs psycopg

        return run(args)
    port = free_port()
    failed = False
    with tempfile.TemporaryDirectory(prefix="plan-assistant-load-") as db_dir:
        server = start_server(port, args.no_cache, db_dir)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url)
            questions = Questions([q.question for q in load_questions("all")], args.new_share)
            for path in args.paths.split(","):
                r, health = run_phase(url, path, args.clients, args.seconds, questions)
                lat = r["lat"]
                print(f"/api/{path}: {args.clients} clients × {args.seconds:.0f} s, {args.new_share:.0%} new "
                      f"questions → {r['requests']} requests, {r['rps']:.1f} req/s, {lat.summary()}")
                print(f"/healthz during /api/{path}: {len(health.ms)} probes, {health.summary()} "
                      f"(target p95 ≤ {HEALTH_P95_TARGET_MS:.0f} ms)")
                failed |= lat.errors > 0 or health.errors > 0 or percentile(health.ms, 95) > HEALTH_P95_TARGET_MS
            print(f"query-vector cache: {'off' if args.no_cache else 'on'}")
            print(f"server RSS: {rss_mb(server.pid):.0f} MB (target ≤ 1536 MB)")
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
