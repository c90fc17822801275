"""Shared fixtures: the real chunks and the real (cached) index, built once per session."""
from __future__ import annotations

import pytest

from ingest.schema import Chunk


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
