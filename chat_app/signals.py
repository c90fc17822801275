"""Generic signals of how well the plan answers a question, the inputs of the support model.

None of them names a word from any question: they read the retrieval scores (query-performance
prediction: how far the best passages stand out, how much the four voices agree), how much of the
question's IDF mass the best passages cover, and whether an asked detail (a sum, a date, a place)
sits next to a topic word in the evidence. chat_app/support.py turns them into a decision.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from chat_app.coverage import coverage, general_coverage, sentence_coverage, specific_gap, strip_scaffold
from chat_app.statements import statements
from chat_app.guards import missing_detail, peak
from chat_app.schema import Query
from ingest.schema import Hit
from retriever.factory import RetrieverSet

TOP = 5  # passages an answer draws on
DETAIL_DEPTH = 6  # passages searched for an asked detail
SENTENCE_GAP_RANK = 9  # the tenth-best sentence: the usual QPP "top-k gap" (Shtok et al.)
PART_MIN_CHARS = 4  # "签多少钱的项目？能开工多少？": parts this long get their own dense peak
# Table rows among the hits an answer is composed from. Tuning sweep (answers gaining/losing key facts against no
# cap): 1 row −7 (table questions), 2 rows best, 3 rows 2 fewer gains, 4 rows 4 fewer.
MAX_TABLE_ROWS = 2
VARIED_DEPTH = 3  # how much deeper than k the fused ranking is read to replace the rows left out (2: one fewer first sentence)
FEATURES = ("coverage", "unknown", "dense_peak", "dense_top", "dense_gap", "lex_wig", "lex_nqc",
            "agreement", "overlap", "fused_gap", "asks_detail", "detail_missing", "length",
            "sentence_coverage", "heaviest_missing", "missing_words", "top1_coverage", "specific_missing",
            "most_specific_missing", "general_coverage", "bigram_top1", "bigram_top5", "coverage_contrast",
            "sent_top1", "sent_top5", "sent_best", "sent_gap")

# Which way each signal should push "the plan answers this" (+1 up, -1 down, 0 either way). The fit keeps
# only weights that agree: with correlated signals an unconstrained fit can reward *missing* coverage.
FEATURE_SIGNS = {
    "coverage": 1, "unknown": -1, "dense_peak": 1, "dense_top": 1, "dense_gap": 1, "lex_wig": 1, "lex_nqc": 1,
    "agreement": 1, "overlap": 1, "fused_gap": 1, "asks_detail": -1, "detail_missing": -1, "length": 0,
    "sentence_coverage": 1, "heaviest_missing": -1, "missing_words": -1, "top1_coverage": 1,
    "specific_missing": -1, "most_specific_missing": -1, "general_coverage": 1, "bigram_top1": 1, "bigram_top5": 1,
    "coverage_contrast": 0, "sent_top1": 1, "sent_top5": 1, "sent_best": 1, "sent_gap": 1,
}


@dataclass(frozen=True)
class Evidence:
    """What retrieval returned for a query: the fused hits and each voice's own ranking."""

    hits: tuple[Hit, ...]
    voices: tuple[tuple[Hit, ...], ...]


@dataclass(frozen=True)
class Signals:
    values: dict[str, float]
    missing_detail: str  # the asked detail the evidence lacks, or ""
    embedding: np.ndarray | None = field(default=None, compare=False)  # the question's vector, for the probes
    embedding_model: str = ""  # which model made it: probes fitted on another model's vectors stay silent

    def vector(self, names: Sequence[str] = FEATURES) -> np.ndarray:
        return np.array([self.values[n] for n in names], dtype=np.float64)

    def note(self) -> str:
        shown = ("coverage", "dense_peak", "agreement", "detail_missing")
        return " ".join(f"{k}={self.values[k]:.2f}" for k in shown)


def gather(retrievers: RetrieverSet, kind: str, query: Query, k: int = 8) -> Evidence:
    """Hits for the answer (from the configured retriever) and the four voices (always, for the signals)."""
    voices = retrievers.hybrid.rankings(query.standalone)
    extra = len(query.exclude)
    fused = retrievers.hybrid.fuse(voices, k + 2 + extra) if kind == "hybrid" \
        else retrievers.get(kind).search(query.standalone, k + 2 + extra)
    hits = [h for h in fused if h.chunk.id not in query.exclude][:k]
    return Evidence(tuple(hits), tuple(tuple(v) for v in voices))


def varied(retrievers: RetrieverSet, kind: str, evidence: Evidence, exclude: frozenset[str], k: int = 8,
           max_rows: int = MAX_TABLE_ROWS) -> list[Hit]:
    """The hits an answer is composed from: the fused ranking, with no more than `max_rows` table rows.
    Rows of one table share their words ("…占 GDP 比重", "单位GDP能耗…"), so a question using one of them
    ("GDP能到多少") fills every place with rows and the body sentence that answers it ("地区生产总值…达到
    250 亿元左右") never reaches the answerer. The support signals keep the plain ranking."""
    if kind != "hybrid" or not evidence.voices or not any(evidence.voices):
        return list(evidence.hits)  # a single configured retriever's ranking is used as it is
    fused = [h for h in retrievers.hybrid.fuse(evidence.voices, k * VARIED_DEPTH + len(exclude))
             if h.chunk.id not in exclude]
    rows = [h for h in fused if h.chunk.kind == "table_row"]
    others = len(fused) - len(rows)
    # rows beyond the cap only make up for body passages the deeper ranking does not have
    kept = {id(h) for h in rows[:max(max_rows, k - others)]}
    return [h for h in fused if h.chunk.kind != "table_row" or id(h) in kept][:k]


def dense_peak(retrievers: RetrieverSet, standalone: str) -> float:
    """How clearly one passage stands out; a question in several parts blurs one embedding, so each
    part also gets its own chance."""
    parts = [p for p in re.split(r"[？?]", standalone) if len(p.strip()) >= PART_MIN_CHARS]
    texts = [standalone] + (parts if len(parts) > 1 else [])
    return max(peak(retrievers.dense.scores(t)) for t in texts)


def _agreement(evidence: Evidence) -> tuple[float, float]:
    """Share of voices with the fused best passage in their top 5; mean pairwise overlap of their top 5s."""
    voices = [v for v in evidence.voices if v]
    if not voices or not evidence.hits:
        return 0.0, 0.0
    best = evidence.hits[0].chunk.id
    agree = sum(best in {h.chunk.id for h in v[:TOP]} for v in voices) / len(voices)
    sets = [{h.chunk.id for h in v[:TOP]} for v in voices]
    pairs = [(a, b) for i, a in enumerate(sets) for b in sets[i + 1:]]
    overlap = sum(len(a & b) / len(a | b) for a, b in pairs) / len(pairs) if pairs else 0.0
    return agree, overlap


def _lexical(retrievers: RetrieverSet, standalone: str) -> tuple[float, float]:
    """Weighted information gain and normalised query commitment of word BM25 (Shtok et al.; Zhou &
    Croft), both divided by the query's IDF mass so long and short questions compare."""
    bm25 = retrievers.bm25
    scores = bm25.scores(standalone)
    if not len(scores) or scores.max() <= 0:
        return 0.0, 0.0
    toks = set(bm25.tokenizer.query_tokens(standalone))
    mass = sum(bm25.bm25.idf.get(t, 0.0) for t in toks) or 1.0
    top = np.sort(scores)[::-1][:TOP * 2]
    wig = float((top[:TOP].mean() - scores.mean()) / mass)
    nqc = float(top.std() / (scores.mean() + 1e-9))
    return wig, math.log1p(nqc)


def _bigram_share(retrievers: RetrieverSet, standalone: str, hits: Sequence[Hit]) -> float:
    """Share of the question's character pairs (scaffolding removed) found in the passages: a compound
    the plan never writes ("老龄化率") leaves pairs unmatched even when each word occurs somewhere."""
    chars = retrievers.chars.tokenizer
    pairs = set(chars.query_tokens(strip_scaffold(standalone)))
    if not pairs:
        return 0.0
    found: set[str] = set()
    for h in hits:
        found |= set(chars.tokens(h.chunk.text + h.chunk.title))
    return len(pairs & found) / len(pairs)


def _sentence_signals(retrievers: RetrieverSet, standalone: str, hits: Sequence[Hit]) -> dict[str, float]:
    """How close the question comes to one sentence of the plan (retriever/sentences.py): in the best
    passage, in the top passages, anywhere, and how far the best sentence stands out from the tenth."""
    dense = retrievers.dense
    everywhere = np.sort(dense.sentence_scores(standalone))[::-1]
    if not len(everywhere):
        return {"sent_top1": 0.0, "sent_top5": 0.0, "sent_best": 0.0, "sent_gap": 0.0}
    sims = dense.sentence_similarities(standalone, [h.chunk.id for h in hits[:TOP]])
    best_id = hits[0].chunk.id if hits else ""
    top1 = [s for cid, _, s in sims if cid == best_id]
    return {"sent_top1": max(top1, default=0.0), "sent_top5": max((s for _, _, s in sims), default=0.0),
            "sent_best": float(everywhere[0]),
            "sent_gap": float(everywhere[0] - everywhere[min(SENTENCE_GAP_RANK, len(everywhere) - 1)])}


def compute(retrievers: RetrieverSet, query: Query, evidence: Evidence) -> Signals:
    hits = list(evidence.hits)
    bm25 = retrievers.bm25
    cov = coverage(query.standalone, hits, bm25)
    dense = retrievers.dense.scores(query.standalone)
    top = np.sort(dense)[::-1][:TOP] if len(dense) else np.zeros(1)
    fused = [h.score for h in hits[:TOP]] or [0.0]
    agree, overlap = _agreement(evidence)
    wig, nqc = _lexical(retrievers, query.standalone)
    pieces = [p for h in hits[:DETAIL_DEPTH] for p in statements(h.chunk)]
    missing = missing_detail(query.standalone, query.asked, pieces, bm25)
    specific = specific_gap(query.standalone, cov.missing, bm25)
    values = {
        "coverage": cov.score,
        "unknown": cov.unknown,
        "dense_peak": dense_peak(retrievers, query.standalone),
        "dense_top": float(top[0]),
        "dense_gap": float(top[0] - top[-1]),
        "lex_wig": wig,
        "lex_nqc": nqc,
        "agreement": agree,
        "overlap": overlap,
        "fused_gap": (fused[0] - fused[-1]) / fused[0] if fused[0] else 0.0,
        "asks_detail": float(bool(query.asked)),
        "detail_missing": float(bool(missing)),
        "length": math.log(1 + len(query.standalone)),
        "sentence_coverage": sentence_coverage(query.standalone, pieces, bm25),
        "heaviest_missing": cov.heaviest_missing,
        "missing_words": math.log1p(len(cov.missing)),
        "top1_coverage": coverage(query.standalone, hits, bm25, depth=1).score,
        "specific_missing": specific[0],
        "most_specific_missing": specific[1],
        "general_coverage": general_coverage(query.standalone, hits, bm25),
        "bigram_top1": _bigram_share(retrievers, query.standalone, hits[:1]),
        "bigram_top5": _bigram_share(retrievers, query.standalone, hits[:TOP]),
    }
    values.update(_sentence_signals(retrievers, query.standalone, hits))
    # everyday words found but the plan's own rare words missing (or the reverse): either way a signal
    values["coverage_contrast"] = values["general_coverage"] - values["coverage"]
    dense_model = retrievers.dense
    return Signals(values, missing, dense_model.query_vector(query.standalone), dense_model.embeddings.model_id)
