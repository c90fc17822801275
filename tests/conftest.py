"""Shared fixtures: the real chunks and the real (cached) index, built once per session."""
from __future__ import annotations

import os

import pytest

from ingest.schema import Chunk


@pytest.fixture(scope="session", autouse=True)
def empty_library(tmp_path_factory):
    """Every test (and every CLI it starts) sees a library with only the bundled plan, whatever the
    developer has added to their own; tests that need more documents add them to their own folder."""
    os.environ["PLAN_ASSISTANT_LIBRARY_DIR"] = str(tmp_path_factory.mktemp("library"))


@pytest.fixture(scope="session")
def chunks() -> list[Chunk]:
    from ingest.store import read_chunks

    return read_chunks()


@pytest.fixture(scope="session")
def retrievers(chunks):
    from chat_app.config import Settings
    from retriever.factory import build_retrievers

    s = Settings.from_env()
    return build_retrievers(chunks, embedding=s.embedding, index_dir=s.index_dir, progress=False)


BACKENDS = ("sqlite", "pg")  # the storage backends the API suite runs on


@pytest.fixture(scope="session")
def pg_server():
    """PostgreSQL 16 + pgvector from the pgserver wheel, started once per test session (skipped only when
    the wheel is not installed: `pip install -e ".[test]"` installs it)."""
    pytest.importorskip("pgserver")
    pytest.importorskip("psycopg")
    from tests import pg

    server = pg.start()
    yield server
    server.cleanup()


@pytest.fixture(scope="session")
def new_pg_database(pg_server):
    """Call it for a fresh, empty database URL."""
    from tests import pg

    return lambda prefix="t": pg.new_database(pg_server, prefix)


@pytest.fixture(scope="session")
def backend_settings(tmp_path_factory, request):
    """Settings for a fresh store on either backend: ``backend_settings("pg")`` → a new PostgreSQL database,
    ``backend_settings("sqlite")`` → a new SQLite file."""
    from dataclasses import replace

    from chat_app.config import Settings

    def make(kind: str, **overrides):
        if kind == "pg":
            url = request.getfixturevalue("new_pg_database")()
            return replace(Settings(), database_url=url, **overrides)
        db = tmp_path_factory.mktemp("db") / "pa.sqlite3"
        return replace(Settings(), db_path=db, database_url="", **overrides)

    return make
