"""Which database holds conversations, feedback and rate-limit counts: SQLite by default, PostgreSQL when
``PLAN_ASSISTANT_DATABASE_URL`` is set.

``Store`` is what the engine, the API, /ui and /admin rely on; ``SessionStore`` (SQLite, chat_app/sessions.py)
and ``PgSessionStore`` (chat_app/pg_store.py) both implement it. The choice is made here once, so nothing
else imports psycopg and the embedded default starts without it.
"""
from __future__ import annotations

from typing import Protocol

from chat_app.config import Settings
from chat_app.schema import Answer


class Store(Protocol):
    """Sessions and feedback. Writes raise ``StorageUnavailable`` (→ 503) when the database cannot take them."""

    dialect: str  # "sqlite" | "pg": the few SQL differences analytics must know about
    initially_purged: int

    def history(self, session_id: str, limit: int = 6) -> list[dict]: ...

    def add_turn(self, session_id: str, answer: Answer) -> int: ...

    def add_feedback(self, session_id: str | None, turn: int | None, rating: int,
                     question: str = "", answer: str = "", comment: str = "") -> int: ...

    def recent_feedback(self, limit: int = 50) -> list[dict]: ...

    def feedback_count(self) -> int: ...

    def turn_count(self) -> int: ...

    def purge(self, now: float | None = None, quiet: bool = False) -> int: ...

    def writable(self) -> bool: ...

    def read(self, sql: str, params: tuple = ()) -> list[tuple]:
        """A read-only query with ``?`` placeholders (translated for PostgreSQL): analytics' one door in."""
        ...


class Limiter(Protocol):
    """``retry_after(client)``: 0 = go ahead, else seconds. ``blocking`` limiters (a database round trip)
    are called off the event loop by the guard."""

    blocking: bool

    def retry_after(self, client: str) -> int: ...


def open_store(settings: Settings) -> Store:
    """The configured store; raises ``StorageUnavailable`` when it cannot be opened."""
    if settings.database_url:
        try:
            from chat_app.pg_store import PgSessionStore
        except ImportError as exc:
            from retriever.pgdb import PG_MISSING
            from chat_app.sessions import StorageUnavailable

            raise StorageUnavailable(PG_MISSING) from exc
        return PgSessionStore(settings.database_url, settings.retention_days)
    from chat_app.sessions import SessionStore

    return SessionStore(settings.db_path, settings.retention_days)


def make_limiter(settings: Settings) -> "Limiter":
    """Per process by default; with a database URL one fixed window shared by every replica."""
    from chat_app.security import RateLimiter

    if settings.database_url and settings.rate_limit_per_minute > 0:
        from chat_app.pg_limits import PgRateLimiter

        return PgRateLimiter(settings.database_url, settings.rate_limit_per_minute)
    return RateLimiter(settings.rate_limit_per_minute)


def location(settings: Settings) -> tuple[str, str]:
    """Where the store lives and the variable that moves it, for the "cannot write" message."""
    if settings.database_url:
        from retriever.pgdb import masked

        return masked(settings.database_url), "PLAN_ASSISTANT_DATABASE_URL"
    return str(settings.db_path), "PLAN_ASSISTANT_DB_PATH"
