"""What the load tests share (eval/load_api.py: one server; eval/load_replicas.py: replicas on PostgreSQL):
latency counters, the question mix, the /healthz prober, start-up waiting, process RSS."""
from __future__ import annotations

import itertools
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from eval.metrics import percentile

HOT_QUESTIONS = 40  # repeated questions are drawn from this many
HEALTH_INTERVAL_S = 0.05  # pause between /healthz probes
HEALTH_P95_TARGET_MS = 100.0
REQUEST_TIMEOUT_S = 30.0  # a request slower than this counts as an error
STARTUP_TIMEOUT_S = 120.0
SEED = 7


def rss_mb(pid: int) -> float:
    total = 0
    for p in [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


@dataclass
class Latencies:
    """Milliseconds per request and the number that failed, filled from several threads."""

    ms: list[float] = field(default_factory=list)
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, ok: bool) -> None:
        with self.lock:
            self.ms.append(ms)
            self.errors += not ok

    def summary(self) -> str:
        return (f"p50 {percentile(self.ms, 50):.0f} ms, p95 {percentile(self.ms, 95):.0f} ms, "
                f"max {max(self.ms, default=0):.0f} ms, errors {self.errors}")


class Questions:
    """Repeated questions from a hot set, new ones made unique by a counter (thread-safe)."""

    def __init__(self, pool: list[str], new_share: float) -> None:
        rng = random.Random(SEED)
        pool = sorted(set(pool))
        rng.shuffle(pool)
        self.hot, self.cold = pool[:HOT_QUESTIONS], pool[HOT_QUESTIONS:] or pool
        self.new_share = new_share
        self.counter = itertools.count()
        self.lock = threading.Lock()

    def next(self, rng: random.Random) -> str:
        if rng.random() >= self.new_share:
            return rng.choice(self.hot)
        with self.lock:
            n = next(self.counter)
        return f"{self.cold[n % len(self.cold)]}（{n}）"


def probe_health(url: str, stop: threading.Event, out: Latencies) -> None:
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as c:
        while not stop.is_set():
            t = time.perf_counter()
            try:
                ok = c.get(f"{url}/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            out.add((time.perf_counter() - t) * 1000, ok)
            stop.wait(HEALTH_INTERVAL_S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"load_api: the server did not become healthy in {STARTUP_TIMEOUT_S:.0f} s")


def temporary_database(stack, name: str) -> str:
    """A pgserver PostgreSQL of our own in a temporary directory (stopped when ``stack`` closes) and a fresh
    database ``name`` in it, as tests/pg.py does: the eval tools that need PostgreSQL and were given no URL."""
    import tempfile

    import pgserver
    import psycopg

    server = pgserver.get_server(tempfile.mkdtemp(prefix=f"pa-{name}-pg-"), cleanup_mode="delete")
    stack.callback(server.cleanup)
    admin = server.get_uri()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    base, _, query = admin.partition("?")
    return f"{base.rsplit('/', 1)[0]}/{name}?{query}"
