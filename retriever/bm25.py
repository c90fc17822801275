"""Lexical retrieval: BM25 (rank_bm25) over jieba tokens of each chunk's title chain + text."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from ingest.schema import Chunk
from retriever.base import ScoringRetriever
from retriever.text import Tokenizer, plan_vocabulary


class BM25Retriever(ScoringRetriever):
    name = "bm25"

    def __init__(self, chunks: Sequence[Chunk], tokenizer: Tokenizer | None = None,
                 k1: float = 1.2, b: float = 0.3) -> None:
        super().__init__(chunks)
        self.tokenizer = tokenizer or Tokenizer(plan_vocabulary(self.chunks))
        corpus = [self.tokenizer.tokens(c.index_text()) for c in self.chunks]
        self.token_sets = {c.id: set(toks) for c, toks in zip(self.chunks, corpus)}  # reused by the guards
        # b < 0.75: chunks are short and similar in length; full length normalisation
        # over-rewards one-line table rows.
        self.bm25 = BM25Okapi(corpus, k1=k1, b=b)

    def scores(self, query: str) -> np.ndarray:
        toks = self.tokenizer.query_tokens(query)
        if not toks:
            return np.zeros(len(self.chunks))
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float64)
