"""The retriever contract and the pieces every implementation shares.

One small protocol, ``search(query, k) -> list[Hit]``, so BM25, dense, hybrid and the
baseline peers in eval/ are interchangeable; LangChain sees the same object through
``PlanRetriever`` (retriever/lc.py).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from ingest.schema import Chunk, Hit


@runtime_checkable
class Retriever(Protocol):
    name: str

    def search(self, query: str, k: int = 10) -> list[Hit]: ...


class ScoringRetriever(ABC):
    """Retrievers that score every chunk; subclasses implement ``scores`` only."""

    name = "scoring"

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.chunks = list(chunks)

    @abstractmethod
    def scores(self, query: str) -> np.ndarray:
        """One score per chunk, higher is better."""

    def search(self, query: str, k: int = 10) -> list[Hit]:
        query = query.strip()
        if not query:
            return []
        s = self.scores(query)
        k = min(k, len(self.chunks))
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top], kind="stable")]
        return [Hit(self.chunks[i], float(s[i]), r, self.name) for r, i in enumerate(top, 1)]


def rrf(rankings: Sequence[Sequence[Hit]], k: int, c: float = 60.0,
        weights: Sequence[float] | None = None, name: str = "hybrid") -> list[Hit]:
    """Reciprocal-rank fusion: robust to BM25 and cosine scores living on different scales."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    by_id: dict[str, Chunk] = {}
    for w, hits in zip(weights, rankings):
        for h in hits:
            fused[h.chunk.id] = fused.get(h.chunk.id, 0.0) + w / (c + h.rank)
            by_id[h.chunk.id] = h.chunk
    order = sorted(fused, key=lambda cid: (-fused[cid], by_id[cid].order))[:k]
    return [Hit(by_id[cid], fused[cid], r, name) for r, cid in enumerate(order, 1)]
