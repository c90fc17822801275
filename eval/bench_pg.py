"""Hybrid search on PostgreSQL at 100k chunks — a SYNTHETIC corpus built from the Yongji plan.

    python -m eval.bench_pg [--chunks 100000] [--docs 200] [--queries 100] [--database-url URL]

No real 100k-chunk library exists here, so one is made (and labelled synthetic everywhere it is printed):
document d is a run of the plan's chunks again (ids "synthetic-county-ddd:NNNNNN-<plan id>"). Each voice's
units are the plan chunk's own units with ~10% of their tokens dropped at random and the county's own name
token added: jieba words per chunk (word BM25), jieba words per sentence (sentence BM25), character pairs per
chunk (character-pair BM25); its vector is the plan chunk's vector plus Gaussian noise (σ 0.02,
renormalised). Tokens are computed once per plan unit and vectors reused, because embedding 100k texts
would cost ~50 min here (~30 ms each). Each voice's BM25 statistics (idf, lengths, k1, b) are those of the
synthetic corpus itself, loaded through the same postings table and code as retriever/pg_index.py.

Measured: the product's hybrid (retriever/pg.py ``PgHybrid``: all four voices — word BM25, dense, sentence
BM25, character-pair BM25 — each ranked by PostgreSQL, fused by RRF with the product's weights, depth and
constant), scoped to one document (document postings + exact vector scan) and unscoped (all postings + HNSW);
query vectors embedded beforehand (the embedding, ~18 ms, is the same on both backends and cached for
repeated questions); plus ingestion (COPY) rates and the HNSW build. Without --database-url a pgserver
PostgreSQL is started in a temporary directory.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from ingest.schema import Chunk
from retriever.pg_index import VOICES

KEY = "synthetic-100k"  # the bench's rows in the shared tables (index_key)
NOISE = 0.02
DROP = 0.10
QUESTIONS = Path(__file__).resolve().parent / "questions_dev.jsonl"


def synthetic(rs, n_chunks: int, n_docs: int, seed: int = 7):
    """(chunks, vectors, doc ids, plan chunk of each, document number of each) of the synthetic library."""
    nrng = np.random.default_rng(seed)
    base_vecs = rs.dense.index.reconstruct_n(0, rs.dense.index.ntotal)
    chunks, docs, plan, doc_no = [], [], [], []
    vecs = np.empty((n_chunks, base_vecs.shape[1]), dtype=np.float32)
    for i in range(n_chunks):
        j, d = i % len(rs.chunks), (i * n_docs) // n_chunks
        doc = f"synthetic-county-{d:03d}"
        src = rs.chunks[j]
        chunks.append(Chunk(f"{doc}:{i:06d}-{src.id}", src.kind, src.chapter, src.section, src.text, src.title, order=i))
        v = base_vecs[j] + nrng.normal(0, NOISE, base_vecs.shape[1]).astype(np.float32)
        vecs[i] = v / np.linalg.norm(v)
        docs.append(doc)
        plan.append(j)
        doc_no.append(d)
    return chunks, vecs, docs, plan, doc_no


def voice_corpus(local, plan: list[int], doc_no: list[int], seed: int) -> tuple[list[int], list[list[str]]]:
    """One voice's synthetic units: (owning chunk, tokens) — the plan chunk's units, thinned, plus the county."""
    rng = random.Random(seed)
    owners, texts = local.units()
    base: list[list[list[str]]] = [[] for _ in local.chunks]
    for o, t in zip(owners, texts):
        base[o].append(local.tokenizer.tokens(t))
    out_owners, corpus = [], []
    for i, (j, d) in enumerate(zip(plan, doc_no)):
        for toks in base[j]:
            out_owners.append(i)
            corpus.append([t for t in toks if rng.random() > DROP] + [f"合成县{d:03d}"])
    return out_owners, corpus


def bm25_over(chunks, owners: list[int], corpus: list[list[str]], local):
    """A BM25Retriever like ``local`` (tokenizer, k1, b, name) over pre-tokenised units: no jieba pass over
    100k texts."""
    from rank_bm25 import BM25Okapi

    from retriever.bm25 import BM25Retriever

    r = BM25Retriever.__new__(BM25Retriever)
    r.chunks, r.tokenizer, r.name = chunks, local.tokenizer, local.name
    r._owner = np.asarray(owners)
    r.bm25 = BM25Okapi(corpus, k1=local.bm25.k1, b=local.bm25.b)
    r._index_postings()
    return r


def copy_rows(pool, write) -> float:
    """``write(conn)`` in one transaction without the request statement timeout; seconds taken."""
    t = time.perf_counter()
    with pool.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL statement_timeout = 0")  # bulk loading is not a request
        write(conn)
    return time.perf_counter() - t


def load(pool, rs, chunks, vecs, docs, plan, doc_no) -> tuple[dict, dict]:
    """The synthetic library into the tables the app uses, voice by voice (each voice's in-process index is
    dropped once copied); seconds per stage and the stubs PgBM25 needs to ask (tokenizer, name)."""
    from retriever import pg_index

    stats: dict = {"postings": {}, "copy_s": {}}
    with pool.connection() as conn, conn.transaction():
        conn.execute("SET LOCAL statement_timeout = 0")
        conn.execute(pg_index.schema(vecs.shape[1]))
        for table in ("chunks", "bm25_postings"):
            conn.execute(f"DELETE FROM {table} WHERE index_key = %s", (KEY,))
    stats["copy_s"]["chunks"] = copy_rows(pool, lambda c: pg_index.copy_chunks(c, KEY, chunks, vecs, docs))
    stubs, t_build = {}, 0.0
    for n, (attr, voice) in enumerate(VOICES.items()):
        local = getattr(rs, attr)
        t = time.perf_counter()
        r = bm25_over(chunks, *voice_corpus(local, plan, doc_no, seed=11 + n), local)
        t_build += time.perf_counter() - t
        stats["postings"][voice] = sum(len(ix) for ix, _ in r._postings.values())
        stats["copy_s"][voice] = copy_rows(pool, lambda c: pg_index.copy_postings(c, KEY, voice, r, chunks, docs))
        stubs[attr] = SimpleNamespace(chunks=chunks, tokenizer=r.tokenizer, name=r.name, _owner=r._owner,
                                      bm25=SimpleNamespace(corpus_size=r.bm25.corpus_size))
        del r
    stats["build_s"] = t_build
    stats["hnsw_s"] = index_and_analyze(pool)
    return stats, stubs


def index_and_analyze(pool) -> float:
    t = time.perf_counter()
    with pool.connection() as conn:
        conn.execute("SET statement_timeout = 0")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("CREATE INDEX IF NOT EXISTS chunks_hnsw ON chunks USING hnsw (embedding vector_ip_ops)")
        conn.execute("ANALYZE chunks")
        conn.execute("ANALYZE bm25_postings")
        conn.execute("RESET statement_timeout")
    return time.perf_counter() - t


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


def report_load(stats: dict, n_chunks: int) -> None:
    copy_total = sum(stats["copy_s"].values())
    postings = sum(stats["postings"].values())
    per_voice = ", ".join(f"{v} {stats['postings'][v]:,} in {stats['copy_s'][v]:.0f} s" for v in stats["postings"])
    print(f"loaded: chunks + vectors {stats['copy_s']['chunks']:.1f} s; postings: {per_voice}")
    print(f"ingestion: {n_chunks:,} chunks and {postings:,} postings by COPY in {copy_total:.0f} s "
          f"({n_chunks / copy_total:,.0f} chunks/s, {postings / copy_total:,.0f} postings/s); "
          f"HNSW build + ANALYZE {stats['hnsw_s']:.0f} s; in-process BM25 statistics {stats['build_s']:.0f} s")


def hybrid_over(pool, rs, stubs, chunks, vectors):
    """The product's PgHybrid over the bench's rows: its four voices, weights, depth and RRF constant."""
    from retriever.pg import PgBM25, PgDense, PgHybrid

    voices = {attr: PgBM25(pool, voice, stubs[attr], KEY) for attr, voice in VOICES.items()}
    return PgHybrid([voices["bm25"], PgDense(pool, _Dense(chunks, vectors), KEY), voices["sentence"], voices["chars"]],
                    weights=rs.hybrid.weights, depth=rs.hybrid.depth, c=rs.hybrid.c)


def measure(hybrid, queries: list[str], scopes: dict[str, list[str]], n_docs: int, n_chunks: int) -> None:
    for q in queries[:5]:  # warm the caches
        hybrid.fuse(hybrid.top_rankings(q, scopes[q]), 10)
        hybrid.fuse(hybrid.top_rankings(q, None), 10)
    print(f"scoped hybrid, 4 voices (1 of {n_docs} documents): "
          f"{pct(timed(lambda q: hybrid.search(q, 10, scope=scopes[q]), queries))}")
    print(f"unscoped hybrid, 4 voices (all {n_chunks:,} chunks): "
          f"{pct(timed(lambda q: hybrid.fuse(hybrid.top_rankings(q, None), 10), queries))}")
    for r in hybrid.retrievers:
        scoped = timed(lambda q: r.top(q, hybrid.depth, scopes[q]), queries)
        unscoped = timed(lambda q: r.top(q, hybrid.depth, None), queries)
        print(f"  {r.name:14s} alone: scoped {pct(scoped)}; unscoped {pct(unscoped)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="合成语料上的 PostgreSQL 混合检索基准（四路检索）")
    ap.add_argument("--chunks", type=int, default=100_000)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args(argv)

    from retriever.pgdb import make_pool

    rs = plan_retrievers()
    url = args.database_url or own_server()
    print(f"SYNTHETIC corpus: {args.chunks:,} chunks in {args.docs} documents, made from the Yongji plan's "
          f"{len(rs.chunks)} chunks (tokens −{DROP:.0%} per voice unit, vectors + N(0, {NOISE}))")
    chunks, vecs, docs, plan, doc_no = synthetic(rs, args.chunks, args.docs)
    pool = make_pool(url, name="bench")
    stats, stubs = load(pool, rs, chunks, vecs, docs, plan, doc_no)
    report_load(stats, args.chunks)

    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()[: args.queries]
    queries = [json.loads(x)["question"] for x in lines]
    vectors = {q: rs.dense._query_vector(rs.dense.query_text(q)) for q in queries}
    rng = random.Random(1)
    scopes = {q: [f"synthetic-county-{rng.randrange(args.docs):03d}"] for q in queries}
    hybrid = hybrid_over(pool, rs, stubs, chunks, vectors)
    print(f"hybrid: {', '.join(r.name for r in hybrid.retrievers)}; weights {hybrid.weights}, depth {hybrid.depth}, "
          f"RRF c {hybrid.c}")
    measure(hybrid, queries, scopes, args.docs, args.chunks)
    pool.close()
    return 0


def plan_retrievers():
    """The plan's in-process voices (whatever PLAN_ASSISTANT_DATABASE_URL says): what the corpus is made of."""
    from chat_app.config import Settings
    from ingest.store import read_chunks
    from retriever.factory import build_retrievers

    s = Settings.from_env()
    return build_retrievers(read_chunks(), embedding=s.embedding, index_dir=s.index_dir, progress=False,
                            database_url="")


def own_server() -> str:
    import pgserver

    return pgserver.get_server(tempfile.mkdtemp(prefix="pa-bench-pg-"), cleanup_mode="delete").get_uri()


if __name__ == "__main__":
    raise SystemExit(main())
