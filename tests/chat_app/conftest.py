"""A real uvicorn server on a free loopback port, shared by the API and browser tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.chat_app.net import serving


@pytest.fixture(scope="session")
def assistant(retrievers, tmp_path_factory):
    from chat_app.config import Settings
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    db = tmp_path_factory.mktemp("db") / "pa.sqlite3"
    return Assistant(Settings(), retrievers=retrievers, sessions=SessionStore(db))


@pytest.fixture(scope="session")
def live_server(assistant):
    from dataclasses import replace

    from chat_app.api import create_app
    from chat_app.config import Settings

    settings = replace(Settings(), rate_limit_per_minute=10_000, db_path=assistant.settings.db_path)
    with serving(create_app(settings, assistant=assistant)) as url:
        yield url


# -- two real documents in one library (tests/fixtures/plans: the national 15th five-year plan) ----------
PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
NATIONAL_TXT = PLANS / "china-15th-fyp-2026-2030.txt"
CN = "cn-15"


@pytest.fixture(scope="session")
def library(retrievers, tmp_path_factory):
    """The bundled plan plus the national 15th plan (indexed once; the index is cached between runs)."""
    from chat_app.config import Settings
    from chat_app.index import index_root
    from ingest.library import Library, bundled_info
    from retriever.factory import build_retrievers

    settings = Settings.from_env()
    lib = Library(tmp_path_factory.mktemp("lib"))
    prepared = lib.prepare(NATIONAL_TXT, doc_id=CN)
    lib.commit(prepared)
    national = build_retrievers(list(prepared.chunks), embedding=settings.embedding,
                                index_dir=index_root(settings, CN), progress=False)
    return [(bundled_info(), retrievers), (prepared.info, national)]


@pytest.fixture(scope="session")
def both(library):
    from chat_app.config import Settings
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    return Assistant(Settings(), sessions=SessionStore(":memory:"), library=library)


