"""Hybrid search on PostgreSQL at 100k chunks — a SYNTHETIC corpus built from the Yongji plan.

    python -m eval.bench_pg [--chunks 100000] [--docs 200] [--queries 100] [--database-url URL]

No real 100k-chunk library exists here, so one is made (and labelled synthetic everywhere it is printed):
document d is a run of the plan's chunks again (ids "synthetic-county-ddd:NNNNNN-<plan id>"), each chunk's jieba tokens with
~10% dropped at random and the county's own name token added, its vector the plan chunk's vector plus
Gaussian noise (σ 0.02, renormalised). Tokens are computed once per plan chunk and vectors reused, because
embedding 100k texts would cost ~50 min here (~30 ms each). BM25 statistics (idf, lengths) are those of
the synthetic corpus itself, loaded through the same postings table as retriever/pg_index.py.

Measured: scoped hybrid (one document, exact vector scan + document postings) and unscoped hybrid (HNSW +
all postings), word BM25 + dense fused by RRF like the app's hybrid, query vectors embedded beforehand
(the embedding, ~18 ms, is the same on both backends and cached for repeated questions); plus load time.
Without --database-url a pgserver PostgreSQL is started in a temporary directory.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from retriever.base import rrf
from ingest.schema import Chunk, Hit

KEY = "synthetic-100k"  # the bench's rows in the shared tables (index_key)
NOISE = 0.02
DROP = 0.10
QUESTIONS = Path(__file__).resolve().parent / "questions_dev.jsonl"


def synthetic(rs, n_chunks: int, n_docs: int, seed: int = 7):
    """(chunks, token lists, vectors, doc ids) of the synthetic library."""
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    base_tokens = [rs.bm25.tokenizer.tokens(c.index_text()) for c in rs.chunks]
    base_vecs = rs.dense.index.reconstruct_n(0, rs.dense.index.ntotal)
    chunks, corpus, docs = [], [], []
    vecs = np.empty((n_chunks, base_vecs.shape[1]), dtype=np.float32)
    for i in range(n_chunks):
        j, d = i % len(rs.chunks), (i * n_docs) // n_chunks
        doc = f"synthetic-county-{d:03d}"
        src = rs.chunks[j]
        chunks.append(Chunk(f"{doc}:{i:06d}-{src.id}", src.kind, src.chapter, src.section, src.text, src.title, order=i))
        corpus.append([t for t in base_tokens[j] if rng.random() > DROP] + [f"合成县{d:03d}"])
        v = base_vecs[j] + nrng.normal(0, NOISE, base_vecs.shape[1]).astype(np.float32)
        vecs[i] = v / np.linalg.norm(v)
        docs.append(doc)
    return chunks, corpus, vecs, docs


def bm25_over(chunks, corpus, tokenizer):
    """A BM25Retriever over pre-tokenised units (no jieba pass over 100k texts)."""
    from rank_bm25 import BM25Okapi

    from retriever.bm25 import BM25Retriever

    r = BM25Retriever.__new__(BM25Retriever)
    r.chunks, r.tokenizer, r.name = chunks, tokenizer, "bm25"
    r._owner = np.arange(len(chunks))
    r.bm25 = BM25Okapi(corpus, k1=1.2, b=0.3)
    r._index_postings()
    return r


def load(pool, chunks, vecs, docs, bm25) -> dict:
    """The synthetic library into the same tables the app uses; seconds per stage."""
    from retriever import pg_index

    out = {}
    t = time.perf_counter()
    with pool.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL statement_timeout = 0")  # bulk loading is not a request
        conn.execute(pg_index.schema(vecs.shape[1]))
        for table in ("chunks", "bm25_postings"):
            conn.execute(f"DELETE FROM {table} WHERE index_key = %s", (KEY,))
        pg_index.copy_chunks(conn, KEY, chunks, vecs, docs)
        pg_index.copy_postings(conn, KEY, "word", bm25, chunks, docs)
    out["copy_s"] = time.perf_counter() - t
    t = time.perf_counter()
    with pool.connection() as conn:
        conn.execute("SET statement_timeout = 0")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("CREATE INDEX IF NOT EXISTS chunks_hnsw ON chunks USING hnsw (embedding vector_ip_ops)")
        conn.execute("ANALYZE chunks")
        conn.execute("ANALYZE bm25_postings")
        conn.execute("RESET statement_timeout")
    out["hnsw_s"] = time.perf_counter() - t
    with pool.connection() as conn:
        out["postings"] = conn.execute("SELECT COUNT(*) FROM bm25_postings").fetchone()[0]
    return out


class _Dense:
    """What PgDense needs from a local dense retriever: the chunk list and (precomputed) query vectors."""

    def __init__(self, chunks, vectors: dict[str, np.ndarray]) -> None:
        self.chunks, self.vectors = chunks, vectors

    def query_text(self, q: str) -> str:
        return q

    def _query_vector(self, q: str) -> np.ndarray:
        return self.vectors[q]


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float]) -> str:
    return f"p50 {np.percentile(xs, 50):.1f} ms, p95 {np.percentile(xs, 95):.1f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="合成语料上的 PostgreSQL 混合检索基准")
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args(argv)

    from chat_app.config import load_retrievers
    from retriever.pgdb import make_pool
    from retriever.pg import PgBM25, PgDense

    rs = load_retrievers()
    url = args.database_url
    if not url:
        import pgserver

        url = pgserver.get_server(tempfile.mkdtemp(prefix="pa-bench-pg-"), cleanup_mode="delete").get_uri()
    print(f"SYNTHETIC corpus: {args.chunks:,} chunks in {args.docs} documents, made from the Yongji plan's "
          f"{len(rs.chunks)} chunks (tokens −{DROP:.0%}, vectors + N(0, {NOISE}))")
    t = time.perf_counter()
    chunks, corpus, vecs, docs = synthetic(rs, args.chunks, args.docs)
    bm25 = bm25_over(chunks, corpus, rs.bm25.tokenizer)
    print(f"built in-process in {time.perf_counter() - t:.1f} s")
    pool = make_pool(url, name="bench")
    stats = load(pool, chunks, vecs, docs, bm25)
    print(f"loaded: COPY {stats['copy_s']:.1f} s ({args.chunks / stats['copy_s']:,.0f} chunks/s, "
          f"{stats['postings']:,} postings), HNSW build {stats['hnsw_s']:.1f} s")

    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[: args.queries]
    queries = [json.loads(x)["question"] for x in lines]
    vectors = {q: rs.dense._query_vector(rs.dense.query_text(q)) for q in queries}
    word, dense = PgBM25(pool, "word", bm25, KEY), PgDense(pool, _Dense(chunks, vectors), KEY)
    rng = random.Random(1)
    scopes = {q: [f"synthetic-county-{rng.randrange(args.docs):03d}"] for q in queries}

    def hybrid(q: str, scope) -> list[Hit]:
        rankings = []
        for r, w in ((word, 1.0), (dense, 0.7)):
            rankings.append([Hit(chunks[p], s, i, r.name) for i, (p, s) in enumerate(r.top(q, 50, scope), 1)])
        return rrf(rankings, 10, c=5.0, weights=[1.0, 0.7])

    for q in queries[:5]:  # warm the caches
        hybrid(q, scopes[q])
        hybrid(q, None)
    print(f"scoped hybrid (1 of {args.docs} documents):   {pct(timed(lambda q: hybrid(q, scopes[q]), queries))}")
    print(f"unscoped hybrid (all {args.chunks:,} chunks): {pct(timed(lambda q: hybrid(q, None), queries))}")
    print(f"  unscoped word BM25 alone: {pct(timed(lambda q: word.top(q, 50, None), queries))}")
    print(f"  unscoped dense (HNSW) alone: {pct(timed(lambda q: dense.top(q, 50, None), queries))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
