"""Retrieval on a real PostgreSQL + pgvector (pgserver): the postings table scores exactly like the
in-process BM25 (same tokenizer, same weights), pgvector like FAISS, the hybrid ranks the same, and a
document scope filters."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retriever.pg_index import DEFAULT_DOC

QUESTIONS = Path(__file__).resolve().parents[2] / "eval" / "questions_dev.jsonl"


@pytest.fixture(scope="module")
def queries() -> list[str]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines[:40]] + ["伍姓湖", "5G", "娃上学的事规划咋说？"]


@pytest.fixture(scope="module")
def on_pg(retrievers, new_pg_database):
    from retriever.pg import on_postgres

    return on_postgres(retrievers, new_pg_database("retrieval"))


def test_loading_is_idempotent(retrievers, on_pg):
    from retriever.pg_index import load

    assert load(on_pg.hybrid.retrievers[0].pool, retrievers) is False  # current: nothing rewritten


def test_bm25_postings_score_like_the_in_process_bm25(retrievers, on_pg, queries):
    for local, pg in zip(retrievers.hybrid.retrievers, on_pg.hybrid.retrievers):
        if local.name == "dense":
            continue
        for q in queries:
            a, b = local.scores(q), pg.scores(q)
            assert np.max(np.abs(a - b)) <= 1e-6, (local.name, q)
            assert np.array_equal(a, b), (local.name, q)  # the same floats, added in the same order
            top = pg.top(q, 20)  # summed and ranked by SQL
            for position, score in top:
                assert abs(a[position] - score) <= 1e-6, (local.name, q)
            assert [s for _, s in top] == pytest.approx(sorted(a[a > 0], reverse=True)[:20], abs=1e-6)


def test_pgvector_scores_like_faiss(retrievers, on_pg, queries):
    local, pg = retrievers.dense, on_pg.hybrid.retrievers[1]
    for q in queries[:10]:
        assert np.max(np.abs(local.scores(q) - pg.scores(q))) <= 1e-5


def test_the_hybrid_ranks_the_same(retrievers, on_pg, queries):
    for q in queries:
        assert [h.chunk.id for h in on_pg.hybrid.search(q, 10)] == [h.chunk.id for h in retrievers.hybrid.search(q, 10)], q


def test_a_document_scope_filters(on_pg):
    hits = on_pg.hybrid.search("森林覆盖率2025年目标是多少？", 5, scope=[DEFAULT_DOC])
    assert len(hits) == 5 and any("30.8" in h.chunk.text for h in hits)
    assert on_pg.hybrid.search("森林覆盖率2025年目标是多少？", 5, scope=["another-county-plan"]) == []


def test_answers_are_identical_on_both_backends(retrievers, on_pg, queries):
    """The whole answer path (support level, text, citations) over the PostgreSQL voices."""
    from chat_app.config import Settings
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    local = Assistant(Settings(), retrievers=retrievers, sessions=SessionStore(":memory:"))
    pg = Assistant(Settings(), retrievers=on_pg, sessions=SessionStore(":memory:"))
    for q in queries[:12]:
        a, b = local.ask(q).to_dict(), pg.ask(q).to_dict()
        assert {**a, "session_id": ""} == {**b, "session_id": ""}, q
