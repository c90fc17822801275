"""Bounded loopback load test for the HTTP API (prints numbers; not a test).

    python -m eval.load_api [--clients 20] [--seconds 30] [--no-cache]

Starts `plan-assistant serve` on a free 127.0.0.1 port, then runs N concurrent clients
against /api/search and /api/ask for a fixed time each, and reports requests/s, p50/p95,
errors and the server's RSS. Clients cycle through the 240 evaluation questions, so after the
first round the server's query-vector cache answers the embedding step; ``--no-cache`` turns
that cache off to show the cost of all-new questions.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from eval.data import load_questions
from eval.metrics import percentile


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def run_phase(url: str, path: str, clients: int, seconds: float, questions: list[str]) -> dict:
    lat: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(i: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=30) as c:
            n = i
            while time.monotonic() < stop:
                q = questions[n % len(questions)]
                n += clients
                t = time.perf_counter()
                try:
                    r = c.get(f"{url}/api/search", params={"q": q, "k": 10}) if path == "search" \
                        else c.post(f"{url}/api/ask", json={"question": q})
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)
                    errors += not ok

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    return {"requests": len(lat), "rps": len(lat) / elapsed, "p50": percentile(lat, 50), "p95": percentile(lat, 95),
            "errors": errors}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--no-cache", action="store_true", help="disable the server's query-vector cache")
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PLAN_ASSISTANT_RATE_LIMIT="0", PLAN_ASSISTANT_DB_PATH="/tmp/plan-assistant-load.sqlite3")
    if args.no_cache:
        env["PLAN_ASSISTANT_QUERY_CACHE"] = "0"
    server = subprocess.Popen([sys.executable, "-m", "chat_app.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        questions = [q.question for q in load_questions("all")]
        for path in ("search", "ask"):
            r = run_phase(url, path, args.clients, args.seconds, questions)
            print(f"/api/{path}: {args.clients} clients × {args.seconds:.0f} s → {r['requests']} requests, "
                  f"{r['rps']:.1f} req/s, p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, errors {r['errors']}")
        print(f"query-vector cache: {'off' if args.no_cache else 'on'}")
        print(f"server RSS: {rss_mb(server.pid):.0f} MB (target ≤ 1536 MB)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
