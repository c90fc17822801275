"""BM25 and dense rankings fused by reciprocal rank: each covers the other's blind spot
(exact figures and names vs. paraphrase and colloquial wording)."""
from __future__ import annotations

from collections.abc import Sequence

from ingest.schema import Hit
from retriever.base import Retriever, rrf


class HybridRetriever:
    name = "hybrid"

    def __init__(self, retrievers: Sequence[Retriever], weights: Sequence[float] | None = None,
                 depth: int = 50, c: float = 5.0) -> None:
        self.retrievers = list(retrievers)
        self.weights = list(weights or [1.0] * len(self.retrievers))
        self.depth = depth
        self.c = c

    def search(self, query: str, k: int = 10) -> list[Hit]:
        return self.fuse(self.rankings(query), k)

    def rankings(self, query: str) -> list[list[Hit]]:
        """Each voice's own ranking: the answering stage reads how far they agree."""
        if not query.strip():
            return [[] for _ in self.retrievers]
        return [r.search(query, self.depth) for r in self.retrievers]

    def fuse(self, rankings: Sequence[Sequence[Hit]], k: int = 10) -> list[Hit]:
        if not any(rankings):
            return []
        return rrf(rankings, k, c=self.c, weights=self.weights, name=self.name)
