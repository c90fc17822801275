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
