"""The app's start and end: the assistant loads on a thread while the server listens, and at shutdown what
the app opened is closed — the PostgreSQL pools of the store, the shared rate limiter and the retrieval.

An unclosed psycopg pool keeps its connections and worker threads until the interpreter exits: a server
embedded in another process (tests, a supervisor that restarts apps) would leave one set per app behind, and
a stopped replica would hold database connections until the OS reaps them. Closing is idempotent and only
touches what the app built itself: a store or assistant handed to ``create_app`` belongs to its caller.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager

from chat_app.config import Settings
from chat_app.engine import Assistant
from chat_app.index import load_library_documents
from chat_app.storage import Store, open_store

log = logging.getLogger("plan_assistant.api")


def close_quietly(obj: object, what: str) -> None:
    """``obj.close()`` when it has one (SQLite's store and the in-process limiter hold no pool); a failure is
    logged, never raised, so one resource cannot keep the others open."""
    close = getattr(obj, "close", None)
    if close is None:
        return
    try:
        close()
    except Exception:  # noqa: BLE001 - shutdown goes on
        log.exception("could not close %s", what)


def close_retrieval(assistant: Assistant) -> None:
    """Every document's hybrid on PostgreSQL gives back its share of the retrieval pool."""
    for doc in assistant.documents.values():
        close_quietly(doc.retrievers.hybrid, f"the retrieval of {doc.meta.id}")


class AssistantLoader:
    """The assistant is built once, on a thread started with the app, so the server listens (and /healthz
    can say "loading") while the index loads; a request that needs it first waits on the same lock."""

    def __init__(self, settings: Settings, assistant: Assistant | None, sessions: Store | None) -> None:
        self.settings = settings
        self.assistant = assistant
        self.owns_assistant = assistant is None
        self.owns_sessions = assistant is None and sessions is None
        self.sessions = assistant.sessions if assistant is not None else (sessions or open_store(settings))
        self.error = ""
        self.lock = threading.Lock()
        self.closed = False

    def get(self) -> Assistant:
        with self.lock:
            if self.assistant is None:
                self.assistant = Assistant(self.settings, library=load_library_documents(self.settings),
                                           sessions=self.sessions)
                if self.closed:  # the app shut down while this loaded: nothing will ask it
                    close_retrieval(self.assistant)
            return self.assistant

    def warm(self) -> None:
        try:
            self.get()
        except Exception as exc:  # noqa: BLE001 - a thread's failure must reach /healthz and the log
            self.error = str(exc)
            log.error("the assistant could not be loaded: %s", exc)

    def start(self) -> None:
        threading.Thread(target=self.warm, daemon=True).start()

    def close(self) -> None:
        """Once, at shutdown. ``closed`` is set before the assistant is looked at and ``get`` looks at it
        after setting the assistant, so a load finishing meanwhile is closed by one of the two."""
        if self.closed:
            return
        self.closed = True
        if self.owns_sessions:
            close_quietly(self.sessions, "the conversation store")
        if self.owns_assistant and self.assistant is not None:
            close_retrieval(self.assistant)


def closing(inner, closers: list[Callable[[], None]]):
    """The app's lifespan, then ``closers`` in order when it ends (also when startup or the server failed)."""

    @asynccontextmanager
    async def lifespan(app):
        try:
            async with inner(app) as state:
                yield state
        finally:
            for close in closers:
                close()

    return lifespan
