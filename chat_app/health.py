"""Staying answerable under load: the worker pool sized to the cores, and /healthz's database write probe
kept off the request path, so health checks answer in milliseconds while questions queue.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import asynccontextmanager

from chat_app.config import Settings
from chat_app.sessions import SessionStore

log = logging.getLogger("plan_assistant.api")

THREADS_PER_CPU = 2  # worker threads per core for the sync routes (their work is CPU-bound)
PROBE_WAIT_S = 0.05  # /healthz waits this long for a write probe, then answers from the last one
FIRST_PROBE_WAIT_S = 2.0  # before any probe has finished there is no last answer to give


def request_threads(settings: Settings) -> int:
    """Per core, plus one per model call in flight when an LLM answers (those threads wait on the model)."""
    waiting = settings.llm_max_concurrent if settings.answerer != "extractive" else 0
    return THREADS_PER_CPU * (os.cpu_count() or 2) + waiting


def bounded_request_threads(inner, threads: int):
    """The app's lifespan, first sizing the worker pool. Sync routes run in anyio's pool (40 threads by
    default); their work is CPU-bound on a few cores, so 40 threads only queue on the GIL and the event loop
    — which answers /healthz — waits behind them (/healthz p95 ~1 s under 50 clients). A pool sized to the
    cores, plus the model calls that wait on the network, keeps the loop responsive and asks no slower."""

    @asynccontextmanager
    async def lifespan(app):
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        async with inner(app) as state:
            yield state

    return lifespan


class WriteProbe:
    """The database write probe off the request path. ``SessionStore.writable()`` writes under SQLite's lock
    (10 s busy time-out) and caches its answer for a second; here it runs on one thread of its own — not the
    request pool, which a load of questions fills — and /healthz waits at most PROBE_WAIT_S for it, else
    answers from the last finished probe (a database busy with writes is not a broken one)."""

    def __init__(self, sessions: SessionStore) -> None:
        self.sessions = sessions
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="health-probe")
        self.running: Future | None = None
        self.last: bool | None = None  # no probe finished yet

    async def writable(self) -> bool:
        if self.running is None or self.running.done():
            self.running = self.pool.submit(self.sessions.writable)
        wait = PROBE_WAIT_S if self.last is not None else FIRST_PROBE_WAIT_S
        try:
            self.last = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self.running)), wait)
        except asyncio.TimeoutError:
            pass
        except Exception:  # noqa: BLE001 - a probe that failed in an unforeseen way: not writable
            log.exception("database write probe failed")
            self.last = False
        return self.last is not False  # still unknown after the first wait: the store did open at start-up
