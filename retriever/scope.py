"""Search over several documents' retrievers at once (a scope of the document library).

Each document keeps its own index and statistics (BM25 idf, vocabulary), so a document searched alone
ranks exactly as it did before others were added; a scope of several merges their lists by fused score,
which is rank-based and so on one scale for every document.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ingest.schema import Hit
from retriever.base import Retriever


def search_many(retrievers: Sequence[Retriever], query: str, k: int = 10) -> list[Hit]:
    if len(retrievers) == 1:
        return retrievers[0].search(query, k)
    hits = [h for r in retrievers for h in r.search(query, k)]
    hits.sort(key=lambda h: (-h.score, h.rank))
    return [replace(h, rank=i) for i, h in enumerate(hits[:k], 1)]
