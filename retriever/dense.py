"""Dense retrieval: e5 vectors in a FAISS inner-product index, cached on disk.

Embedding the plan takes about a minute on two cores, so vectors are saved with a
manifest (model id + chunk-set hash) and rebuilt only when either changes.

Structure: each chunk vector is added to the vector of its heading chain (节 + 专栏/表
title), so a question about "教育" reaches a short 专栏 item whose own text never says it.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from ingest.schema import Chunk
from retriever.base import ScoringRetriever
from retriever.embeddings import PlanEmbeddings
from retriever.sentences import SentenceVectors

QUERY_PUNCT_RE = re.compile(r"[？?，,。！!、；;：:“”\"'‘’（）()\s]+")
QUERY_CACHE_SIZE = int(os.environ.get("PLAN_ASSISTANT_QUERY_CACHE", "2048"))

INDEX_VERSION = 2
HEADING_WEIGHT = 0.2
BATCH = 16


def passage_text(c: Chunk) -> str:
    """The text e5 embeds: the nearest heading (not the whole chain: length costs time)."""
    head = [c.section or c.chapter, c.title]
    if c.group and c.group not in c.text:
        head.append(c.group)
    return "\n".join([h for h in head if h] + [c.text])


def heading_text(c: Chunk) -> str:
    return " ".join(h for h in (c.chapter, c.section, c.title) if h) or "前言"


def chunks_hash(chunks: Sequence[Chunk]) -> str:
    h = hashlib.sha256()
    for c in chunks:
        h.update(json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True).encode())
    return h.hexdigest()


class DenseRetriever(ScoringRetriever):
    name = "dense"
    heading_weight = HEADING_WEIGHT

    def __init__(self, chunks: Sequence[Chunk], embeddings: PlanEmbeddings,
                 vectors: np.ndarray, heading_vectors: np.ndarray,
                 index: faiss.Index | None = None, sentences: SentenceVectors | None = None) -> None:
        super().__init__(chunks)
        self.sentences = sentences
        self.position = {c.id: i for i, c in enumerate(self.chunks)}
        self.embeddings = embeddings
        self.vectors = vectors
        self.heading_vectors = heading_vectors
        if index is None:
            combined = (vectors + self.heading_weight * heading_vectors).astype(np.float32)
            index = faiss.IndexFlatIP(combined.shape[1])
            index.add(combined)
        self.index = index
        # Citizens ask the same questions again and again; embedding is ~17 ms of CPU each.
        self._query_vector = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_query)
        self._last = threading.local()

    def clear_query_cache(self) -> None:
        """Benchmarks call this so repeated questions do not hide the embedding cost."""
        self._query_vector.cache_clear()
        self._last = threading.local()

    def _embed_query(self, query: str) -> np.ndarray:
        q = self.embeddings.encode([query], is_query=True).astype(np.float32)
        q.setflags(write=False)
        return q

    def query_vector(self, query: str) -> np.ndarray:
        """The question's embedding (cached), as the answering stage's support model reads it."""
        return self._query_vector(self.query_text(query))[0]

    def query_text(self, query: str) -> str:
        """Punctuation costs e5 tokens (≈2 ms a question); without it the dev hybrid ranks as well."""
        return QUERY_PUNCT_RE.sub("", query) or query

    def scores(self, query: str) -> np.ndarray:
        """Scores for every chunk (read-only). The answer path asks twice per question (ranking,
        then the refusal peak), so each thread keeps its last result, cache or no cache."""
        text = self.query_text(query)
        last = getattr(self._last, "value", None)
        if last is not None and last[0] == text:
            return last[1]
        scores, ids = self.index.search(self._query_vector(text), len(self.chunks))
        out = np.empty(len(self.chunks))
        out[ids[0]] = scores[0]
        out.setflags(write=False)
        self._last.value = (text, out)
        return out

    def sentence_similarities(self, query: str, chunk_ids: Sequence[str]) -> list[tuple[str, str, float]]:
        """(chunk id, sentence, cosine) for the sentences of these chunks; empty without sentence vectors."""
        if self.sentences is None:
            return []
        positions = [self.position[c] for c in chunk_ids if c in self.position]
        qv = self._query_vector(self.query_text(query))
        return [(self.chunks[p].id, t, s) for p, t, s in self.sentences.similarities(qv, positions)]

    def sentence_scores(self, query: str) -> np.ndarray:
        """Cosine of the query with every sentence of the plan (empty without sentence vectors)."""
        if self.sentences is None:
            return np.zeros(0)
        return self.sentences.all_similarities(self._query_vector(self.query_text(query)))

    # -- persistence -------------------------------------------------------------
    @classmethod
    def build(cls, chunks: Sequence[Chunk], embeddings: PlanEmbeddings,
              progress: bool = True) -> "DenseRetriever":
        texts = [passage_text(c) for c in chunks]
        rows = []
        for i in tqdm(range(0, len(texts), BATCH), desc="向量化", unit="批", disable=not progress):
            rows.append(embeddings.encode(texts[i:i + BATCH], is_query=False))
        vectors = np.vstack(rows).astype(np.float32)
        heads = sorted({heading_text(c) for c in chunks})
        head_vecs = embeddings.encode(heads, is_query=False)
        lookup = {h: v for h, v in zip(heads, head_vecs)}
        heading_vectors = np.vstack([lookup[heading_text(c)] for c in chunks]).astype(np.float32)
        sents = SentenceVectors.build(chunks, embeddings, progress=progress)
        return cls(chunks, embeddings, vectors, heading_vectors, sentences=sents)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", self.vectors)
        np.save(folder / "heading_vectors.npy", self.heading_vectors)
        faiss.write_index(self.index, str(folder / "index.faiss"))
        if self.sentences is not None:
            self.sentences.save(folder)
        manifest = manifest_for(self.chunks, self.embeddings)
        manifest["heading_weight"] = self.heading_weight
        manifest["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S")
        (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, folder: Path, chunks: Sequence[Chunk], embeddings: PlanEmbeddings) -> "DenseRetriever | None":
        """The cached index, or None when it is missing or stale."""
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
            want = manifest_for(chunks, embeddings)
            if any(manifest.get(k) != v for k, v in want.items()):
                return None
            vectors = np.load(folder / "vectors.npy")
            heads = np.load(folder / "heading_vectors.npy")
        except (OSError, ValueError, json.JSONDecodeError):
            return None
        if vectors.shape[0] != len(chunks):
            return None
        index = None
        if manifest.get("heading_weight") == cls.heading_weight and (folder / "index.faiss").exists():
            index = faiss.read_index(str(folder / "index.faiss"))
        return cls(chunks, embeddings, vectors, heads, index, SentenceVectors.load(folder, len(chunks)))

    @classmethod
    def load_or_build(cls, folder: Path, chunks: Sequence[Chunk], embeddings: PlanEmbeddings,
                      progress: bool = True) -> tuple["DenseRetriever", bool]:
        cached = cls.load(folder, chunks, embeddings)
        if cached is not None and cached.sentences is None:
            # an index built before sentence vectors existed (or with them damaged): add them, keep the
            # chunk vectors; reported as rebuilt so the caller seals the new files' checksums
            cached.sentences = SentenceVectors.build(chunks, embeddings, progress=progress)
            cached.sentences.save(folder)
            return cached, True
        if cached is not None:
            return cached, False
        built = cls.build(chunks, embeddings, progress=progress)
        built.save(folder)
        return built, True


def manifest_for(chunks: Sequence[Chunk], embeddings: PlanEmbeddings) -> dict:
    return {
        "version": INDEX_VERSION,
        "model_id": embeddings.model_id,
        "chunks_sha256": chunks_hash(chunks),
        "n_chunks": len(chunks),
    }
