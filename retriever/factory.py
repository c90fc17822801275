"""Build retrievers from configuration: which kind, which embedding model, where the cache is."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ingest.schema import Chunk
from retriever.base import Retriever
from retriever.bm25 import BM25Retriever, CharBigramBM25Retriever, SentenceBM25Retriever
from retriever.dense import DenseRetriever
from retriever.embeddings import DEFAULT_SPEC, make_embeddings
from retriever.hybrid import HybridRetriever

KINDS = ("bm25", "dense", "hybrid")


def default_index_dir() -> Path:
    base = os.environ.get("PLAN_ASSISTANT_INDEX_DIR")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "plan-assistant" / "index"


@dataclass
class RetrieverSet:
    """Everything built once per process; search paths only read from it."""

    chunks: list[Chunk]
    bm25: BM25Retriever
    dense: DenseRetriever
    hybrid: HybridRetriever
    sentence: SentenceBM25Retriever
    chars: CharBigramBM25Retriever
    rebuilt: bool = False

    def get(self, kind: str) -> Retriever:
        if kind not in KINDS:
            raise ValueError(f"未知的检索方式：{kind}（可用：{'、'.join(KINDS)}）")
        return getattr(self, kind)


def build_retrievers(chunks: list[Chunk], embedding: str = DEFAULT_SPEC,
                     index_dir: Path | None = None, progress: bool = True,
                     weights: tuple[float, float, float, float] = (1.0, 0.7, 0.3, 1.0),
                     database_url: str | None = None) -> RetrieverSet:
    """Hybrid = RRF of word BM25, dense, sentence BM25 and character-pair BM25; weights tuned on
    the dev split only (eval/RESULTS.md has the held-out numbers). With a database URL (default:
    PLAN_ASSISTANT_DATABASE_URL) the hybrid's voices are answered by PostgreSQL (retriever/pg.py)."""
    embeddings = make_embeddings(embedding)
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", embeddings.model_id)
    folder = (index_dir or default_index_dir()) / slug
    dense, rebuilt = DenseRetriever.load_or_build(folder, chunks, embeddings, progress=progress)
    bm25 = BM25Retriever(chunks)
    sentence = SentenceBM25Retriever(chunks, tokenizer=bm25.tokenizer)
    chars = CharBigramBM25Retriever(chunks)
    hybrid = HybridRetriever([bm25, dense, sentence, chars], weights=weights)
    rs = RetrieverSet(chunks, bm25, dense, hybrid, sentence, chars, rebuilt)
    url = os.environ.get("PLAN_ASSISTANT_DATABASE_URL", "").strip() if database_url is None else database_url
    if url:
        from retriever.pg import on_postgres

        return on_postgres(rs, url)
    return rs
