"""The search index in PostgreSQL: chunks with a pgvector column and BM25 postings with precomputed weights.

PostgreSQL's text search cannot segment Chinese (``to_tsvector('simple', …)`` keeps a sentence as one
lexeme), so the postings come from the in-process retrievers themselves: the same jieba / character-pair
tokens and the same rank_bm25 statistics. Each posting stores its whole BM25 term weight
``idf·f·(k1+1)/(f + k1·(1-b+b·len/avgdl))`` as float8, computed with the same numpy expression as
``BM25Retriever._unit_scores``, so a score is a plain sum (float8: numeric made it 8× slower) and equals
the in-process score. Loading is idempotent (a content hash in ``pg_index_meta``) and is an ingestion job
(``ingest_jobs``, claimed with ``FOR UPDATE SKIP LOCKED``): any replica may claim it, the others wait for
it to be done and then use it.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator

import numpy as np

from retriever import pg_jobs
from retriever.bm25 import BM25Retriever

log = logging.getLogger("plan_assistant.pg_index")

INDEX_LOCK = 7_245_002
DEFAULT_DOC = "yongji-14"  # chunks without a doc_id of their own (ingest/store.py's BUNDLED_ID)
VOICES = {"bm25": "word", "sentence": "sentence", "chars": "char"}  # RetrieverSet attribute → voice name
BATCH_ROWS = 5000
WAIT_POLL_S = 0.5  # how often a waiting replica looks at the job another one runs
MAX_ATTEMPTS = 3  # a job failing this often stops the replica with its error instead of looping


def schema(dim: int) -> str:
    return f"""
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS pg_index_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    index_key text NOT NULL, position integer NOT NULL, chunk_id text NOT NULL, doc_id text NOT NULL,
    embedding vector({dim}) NOT NULL, PRIMARY KEY (index_key, position));
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks (index_key, doc_id);
CREATE TABLE IF NOT EXISTS bm25_postings (
    index_key text NOT NULL, voice text NOT NULL, term text NOT NULL, unit integer NOT NULL,
    position integer NOT NULL, doc_id text NOT NULL, weight float8 NOT NULL);
CREATE INDEX IF NOT EXISTS bm25_postings_term ON bm25_postings (index_key, voice, term)
    INCLUDE (unit, position, weight);
CREATE INDEX IF NOT EXISTS bm25_postings_doc_term ON bm25_postings (index_key, voice, doc_id, term)
    INCLUDE (unit, position, weight);
"""


def index_key(chunks) -> str:
    """Which rows belong to one RetrieverSet: each library document has its own set (positions count from
    0 in each), so rows are keyed by the set's document; ``doc_id`` on a row is what a scope filters."""
    return doc_id(chunks[0]) if chunks else DEFAULT_DOC


def doc_id(chunk) -> str:
    return getattr(chunk, "doc_id", "") or DEFAULT_DOC


def term_weights(r: BM25Retriever) -> Iterator[tuple[str, int, float]]:
    """(term, unit, weight) for every posting of ``r``, weights exactly as its ``_unit_scores`` adds them."""
    bm = r.bm25
    for term, (ix, f) in r._postings.items():
        w = bm.idf.get(term, 0.0) * f * (bm.k1 + 1) / (f + r._length_norm[ix])
        for unit, weight in zip(ix.tolist(), w.tolist()):
            yield term, unit, weight


def content_key(retrievers) -> str:
    """What the loaded index must match: chunk ids and texts, the dense vectors, the voices' settings."""
    h = hashlib.sha256()
    for c in retrievers.chunks:
        h.update(f"{c.id}\x1f{doc_id(c)}\x1f{c.index_text()}\x1e".encode())
    h.update(np.ascontiguousarray(dense_matrix(retrievers.dense)).tobytes())
    for attr in VOICES:
        bm = getattr(retrievers, attr).bm25
        h.update(f"{attr}:{bm.k1}:{bm.b}:{bm.corpus_size}".encode())
    return h.hexdigest()


def dense_matrix(dense) -> np.ndarray:
    """The vectors the FAISS index searches (chunk + weighted heading vector), row i = chunk i."""
    return dense.index.reconstruct_n(0, dense.index.ntotal)


def load(pool, retrievers) -> bool:
    """Make the database hold exactly this index; True when this replica (re)loaded it, False when it was
    current or another replica loaded it meanwhile. Coordination is an ``ingest_jobs`` row (see
    retriever/pg_jobs.py): one replica claims and loads, the others wait for done, then use it."""
    key, owner = content_key(retrievers), index_key(retrievers.chunks)
    matrix = dense_matrix(retrievers.dense)
    worker = pg_jobs.worker_name()
    with pool.connection() as conn:
        job_id = _enqueue_unless_current(conn, owner, key, matrix.shape[1])
        while job_id is not None:
            job = pg_jobs.claim(conn, worker, owner, key)
            if job is not None:
                _run(conn, job, retrievers, matrix)
                break
            if _wait(conn, job_id, owner, key):
                return False
        else:
            return False
    with pool.connection() as conn:
        conn.execute("ANALYZE chunks")
        conn.execute("ANALYZE bm25_postings")
    log.info("search index %s loaded into PostgreSQL: %d chunks", owner, len(retrievers.chunks))
    return True


def _enqueue_unless_current(conn, owner: str, key: str, dim: int) -> int | None:
    """The job to wait for, or None when the database already holds this content. Checking and enqueueing
    under one short lock means a job is queued only for content that is not loaded (a done job's rows and
    its meta row commit together)."""
    _ensure_schema(conn, dim)
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
        row = conn.execute("SELECT value FROM pg_index_meta WHERE key = %s", (f"content:{owner}",)).fetchone()
        if row and row[0] == key:
            return None
        return pg_jobs.enqueue(conn, owner, key)


def _ensure_schema(conn, dim: int) -> None:
    """Create the tables once. Only when missing: ``CREATE INDEX IF NOT EXISTS`` locks its table even when
    the index exists, so run each start it would queue behind a replica's load (and deadlock with a claim)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (INDEX_LOCK,))
        row = conn.execute("SELECT to_regclass('bm25_postings_doc_term') IS NOT NULL, "
                           "to_regclass('ingest_jobs_queued') IS NOT NULL").fetchone()
        if not row[0]:
            conn.execute(schema(dim))
        if not row[1]:
            conn.execute(pg_jobs.SCHEMA)


def _wait(conn, job_id: int, owner: str, key: str) -> bool:
    """One poll while another replica holds the job: True once it is done. A failed job (its error kept)
    is queued again for the next claim, up to MAX_ATTEMPTS; a job whose claimer died is failed first."""
    state, attempts, error = pg_jobs.status(conn, job_id)
    if state == "done":
        return True
    if state == "running" and pg_jobs.release_orphan(conn, job_id):
        log.warning("index %s: the replica loading it disconnected; loading it again", owner)
        state = "failed"
    if state == "failed":
        if attempts >= MAX_ATTEMPTS:
            raise RuntimeError(f"loading index {owner} into PostgreSQL failed {attempts} times: {error}")
        pg_jobs.enqueue(conn, owner, key)
        return False
    time.sleep(WAIT_POLL_S)
    return False


def _run(conn, job, retrievers, matrix: np.ndarray) -> None:
    """Replace this index key's rows in one transaction that also marks the job done; on error the rows
    roll back and the job records the error."""
    try:
        with conn.transaction():
            conn.execute("SET LOCAL statement_timeout = 0")  # a large library loads for longer than a request
            for table in ("chunks", "bm25_postings"):
                conn.execute(f"DELETE FROM {table} WHERE index_key = %s", (job.index_key,))
            copy_chunks(conn, job.index_key, retrievers.chunks, matrix)
            for attr, voice in VOICES.items():
                copy_postings(conn, job.index_key, voice, getattr(retrievers, attr), retrievers.chunks)
            conn.execute("INSERT INTO pg_index_meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                         "SET value = EXCLUDED.value", (f"content:{job.index_key}", job.content_hash))
            pg_jobs.complete(conn, job.id)
    except Exception as exc:
        try:
            pg_jobs.fail(conn, job.id, f"{type(exc).__name__}: {exc}")
        except Exception:  # noqa: BLE001 - a lost connection: release_orphan fails it for the others
            log.exception("could not record the failure of ingest job %s", job.id)
        raise


def _vector_text(v: np.ndarray) -> str:
    """pgvector's text form; repr() of a float32 round-trips exactly through its float4 parser."""
    return "[" + ",".join(repr(float(x)) for x in v.astype(np.float32)) + "]"


def copy_chunks(conn, key: str, chunks, matrix: np.ndarray, docs: list[str] | None = None) -> None:
    docs = docs or [doc_id(c) for c in chunks]
    with conn.cursor().copy("COPY chunks (index_key, position, chunk_id, doc_id, embedding) FROM STDIN") as cp:
        for i, c in enumerate(chunks):
            cp.write_row((key, i, c.id, docs[i], _vector_text(matrix[i])))


def copy_postings(conn, key: str, voice: str, r: BM25Retriever, chunks, docs: list[str] | None = None) -> None:
    owners = r._owner.tolist()
    docs = docs or [doc_id(c) for c in chunks]
    with conn.cursor().copy("COPY bm25_postings (index_key, voice, term, unit, position, doc_id, weight) "
                            "FROM STDIN") as cp:
        for term, unit, weight in term_weights(r):
            pos = owners[unit]
            cp.write_row((key, voice, term, unit, pos, docs[pos], weight))
