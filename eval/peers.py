"""The peers our retriever is measured against, built in the same harness.

- ``naive``: a plain 400-character split with jieba-BM25 + e5 fused by RRF (issue 2's
  reference point), i.e. our own retrievers minus the structure-aware chunks.
- ``langchain``: the recipe a user would otherwise build — RecursiveCharacterTextSplitter
  (500/50) + FAISS with the same embedding model, top-k chunks as the answer.
"""
from __future__ import annotations

from pathlib import Path

from langchain_text_splitters import RecursiveCharacterTextSplitter

from corpus import PLAN_PATH
from ingest.parse import body_lines
from ingest.schema import Chunk
from retriever.bm25 import BM25Retriever
from retriever.dense import DenseRetriever
from retriever.embeddings import PlanEmbeddings
from retriever.hybrid import HybridRetriever


def _body() -> str:
    return "\n".join(body_lines(PLAN_PATH.read_text(encoding="utf-8"))).replace("**", "")


def fixed_chunks(size: int = 400) -> list[Chunk]:
    text = _body()
    return [Chunk(id=f"naive-{i:04d}", kind="paragraph", chapter="", section="", text=text[s:s + size], order=i)
            for i, s in enumerate(range(0, len(text), size))]


def recursive_chunks(size: int = 500, overlap: int = 50) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap,
                                              separators=["\n\n", "\n", "。", "，", ""])
    return [Chunk(id=f"lc-{i:04d}", kind="paragraph", chapter="", section="", text=t, order=i)
            for i, t in enumerate(splitter.split_text(_body()))]


class PlainDense(DenseRetriever):
    """Dense retrieval over raw chunk text only: no heading vectors, as the recipe does."""

    name = "langchain-faiss"
    heading_weight = 0.0

    def query_text(self, query: str) -> str:
        return query  # the recipe embeds the question as typed


def naive_hybrid(embeddings: PlanEmbeddings, cache: Path) -> HybridRetriever:
    chunks = fixed_chunks()
    dense, _ = PlainDense.load_or_build(cache / "naive400", chunks, embeddings)
    dense.name = "naive-dense"
    bm25 = BM25Retriever(chunks)
    hybrid = HybridRetriever([bm25, dense])
    hybrid.name = "naive-400-hybrid"
    return hybrid


def langchain_recipe(embeddings: PlanEmbeddings, cache: Path) -> PlainDense:
    chunks = recursive_chunks()
    dense, _ = PlainDense.load_or_build(cache / "lc500", chunks, embeddings)
    return dense
