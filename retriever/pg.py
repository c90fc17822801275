"""The hybrid retriever's four voices answered by PostgreSQL (PLAN_ASSISTANT_DATABASE_URL set).

Two ways to ask, one index (retriever/pg_index.py):

* ``scores(query)`` — every chunk's score, as the in-process voices give it. BM25 fetches the postings of
  the query's terms and adds them in query-token order, exactly as ``BM25Retriever._unit_scores`` does, so
  the scores are the same floats and the answer path (which reads whole score arrays and the voices'
  agreement) gives identical answers on both backends.
* ``top(query, k, scope)`` — SQL does the summing and ranking (``SUM(weight) … ORDER BY … LIMIT``;
  pgvector's inner product, exact scan within a document scope, HNSW when unscoped and large): what many
  documents need, where no process holds every chunk's score. ``PgHybrid.search(…, scope=[doc ids])``
  fuses these.
"""
from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from ingest.schema import Hit
from retriever.base import ScoringRetriever
from retriever.bm25 import BM25Retriever
from retriever.dense import DenseRetriever
from retriever.hybrid import HybridRetriever
from retriever.pg_index import VOICES, index_key, load

log = logging.getLogger("plan_assistant.pg_retrieval")

POSTINGS = "SELECT term, unit, weight FROM bm25_postings WHERE index_key = %s AND voice = %s AND term = ANY(%s)"
TOP_BM25 = """
SELECT position, MAX(s) AS score FROM (
    SELECT p.unit, p.position, SUM(p.weight) AS s
    FROM unnest(%(terms)s::text[]) AS q(term)
    JOIN bm25_postings p ON p.index_key = %(key)s AND p.voice = %(voice)s AND p.term = q.term {scope}
    GROUP BY p.unit, p.position) AS units
GROUP BY position ORDER BY score DESC, position LIMIT %(k)s
"""
TOP_DENSE_SCOPED = """
WITH s AS MATERIALIZED (SELECT position, embedding <#> %(q)s::vector AS d FROM chunks
                        WHERE index_key = %(key)s AND doc_id = ANY(%(scope)s))
SELECT position, -d FROM s ORDER BY d, position LIMIT %(k)s
"""
TOP_DENSE = """SELECT position, -(embedding <#> %(q)s::vector) FROM chunks WHERE index_key = %(key)s
ORDER BY embedding <#> %(q)s::vector LIMIT %(k)s"""


def _vector(v: np.ndarray) -> str:
    return "[" + ",".join(repr(float(x)) for x in v) + "]"


class PgBM25(ScoringRetriever):
    """One BM25 voice (word, sentence or character pair) read from the postings table."""

    def __init__(self, pool, voice: str, local: BM25Retriever, key: str) -> None:
        super().__init__(local.chunks)
        self.pool, self.voice, self.name, self.key = pool, voice, local.name, key
        self.tokenizer = local.tokenizer
        self.units = local.bm25.corpus_size
        self.owner = local._owner

    def scores(self, query: str) -> np.ndarray:
        toks = self.tokenizer.query_tokens(query)
        if not toks:
            return np.zeros(len(self.chunks))
        lists: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        with self.pool.connection() as conn:
            for term, unit, weight in conn.execute(POSTINGS, (self.key, self.voice, list(set(toks)))):
                lists[term][0].append(unit)
                lists[term][1].append(weight)
        unit_scores = np.zeros(self.units)
        for term in toks:  # the in-process order of additions: the same floats
            if term in lists:
                ix, w = lists[term]
                unit_scores[np.asarray(ix)] += np.asarray(w)
        if self.units == len(self.chunks):
            return unit_scores
        out = np.zeros(len(self.chunks))
        np.maximum.at(out, self.owner, unit_scores)
        return out

    def top(self, query: str, k: int, scope: Sequence[str] | None = None) -> list[tuple[int, float]]:
        toks = self.tokenizer.query_tokens(query)
        if not toks:
            return []
        sql = TOP_BM25.format(scope="AND p.doc_id = ANY(%(scope)s)" if scope is not None else "")
        with self.pool.connection() as conn:
            rows = conn.execute(sql, {"terms": toks, "key": self.key, "voice": self.voice, "k": k,
                                      "scope": list(scope or ())})
            return [(int(p), float(s)) for p, s in rows]


class PgDense(ScoringRetriever):
    """The dense voice on pgvector; query vectors still come from the process's (cached) embedding model."""

    name = "dense"

    def __init__(self, pool, local: DenseRetriever, key: str) -> None:
        super().__init__(local.chunks)
        self.pool, self.local, self.key = pool, local, key

    def _query(self, query: str) -> str:
        return _vector(self.local._query_vector(self.local.query_text(query))[0])

    def scores(self, query: str) -> np.ndarray:
        out = np.zeros(len(self.chunks))
        with self.pool.connection() as conn:
            rows = conn.execute("SELECT position, -(embedding <#> %s::vector) FROM chunks WHERE index_key = %s",
                                (self._query(query), self.key))
            for p, s in rows:
                out[p] = s
        return out

    def top(self, query: str, k: int, scope: Sequence[str] | None = None) -> list[tuple[int, float]]:
        params = {"q": self._query(query), "k": k, "key": self.key, "scope": list(scope or ())}
        with self.pool.connection() as conn, conn.transaction():
            if scope is None:  # HNSW returns at most ef_search rows (default 40)
                conn.execute(f"SET LOCAL hnsw.ef_search = {max(40, 2 * int(k))}")
            rows = conn.execute(TOP_DENSE if scope is None else TOP_DENSE_SCOPED, params)
            return [(int(p), float(s)) for p, s in rows]


class PgHybrid(HybridRetriever):
    """``search(q, k)`` ranks like the in-process hybrid; ``search(q, k, scope=[doc ids])`` ranks inside
    those documents with SQL doing the work. ``close()`` gives back its share of the connection pool."""

    url = ""  # the database whose shared pool the voices use (set by on_postgres)
    closed = False

    def close(self) -> None:
        """Idempotent: the pool is closed when the last hybrid on it is (a library shares one per URL)."""
        if not self.closed:
            self.closed = True
            _release(self.url)

    def search(self, query: str, k: int = 10, scope: Sequence[str] | None = None) -> list[Hit]:
        if scope is None:
            return super().search(query, k)
        return self.fuse(self.top_rankings(query, scope), k)

    def top_rankings(self, query: str, scope: Sequence[str] | None) -> list[list[Hit]]:
        if not query.strip():
            return [[] for _ in self.retrievers]
        out = []
        for r in self.retrievers:
            pairs = r.top(query, self.depth, scope)
            out.append([Hit(r.chunks[p], s, rank, r.name) for rank, (p, s) in enumerate(pairs, 1)])
        return out


_pools: dict[str, list] = {}  # url → [pool, hybrids using it]
_pools_lock = threading.Lock()


def _acquire(url: str):
    """The process's pool for ``url`` (one for all documents of a library), counted per user."""
    from retriever.pgdb import make_pool

    with _pools_lock:
        entry = _pools.get(url)
        if entry is None:
            entry = _pools[url] = [make_pool(url, name="plan-assistant-retrieval"), 0]
        entry[1] += 1
        return entry[0]


def _release(url: str) -> None:
    """One user fewer; the last one closes the pool (outside the lock: closing waits for its workers)."""
    with _pools_lock:
        entry = _pools.get(url)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _pools[url]
    entry[0].close()


def on_postgres(rs, url: str):
    """``rs`` with its hybrid answered by PostgreSQL (index loaded there first if it is not current); the
    documents of a library share one connection pool per database, closed with the last ``hybrid.close()``."""
    pool = _acquire(url)
    try:
        loaded, key = load(pool, rs), index_key(rs.chunks)
    except BaseException:
        _release(url)
        raise
    voices = {attr: PgBM25(pool, voice, getattr(rs, attr), key) for attr, voice in VOICES.items()}
    hybrid = PgHybrid([voices["bm25"], PgDense(pool, rs.dense, key), voices["sentence"], voices["chars"]],
                      weights=rs.hybrid.weights, depth=rs.hybrid.depth, c=rs.hybrid.c)
    hybrid.url = url
    log.info("hybrid retrieval on PostgreSQL (%s)", "index loaded" if loaded else "index current")
    return replace(rs, hybrid=hybrid)
