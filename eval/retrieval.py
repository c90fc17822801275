"""Retrieval evaluation: Recall@k, MRR and nDCG@10 per retriever, split by persona and type."""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.data import Question, relevant
from eval.metrics import ndcg_at, percentile, recall_at, reciprocal_rank
from retriever.base import Retriever

KS = (1, 3, 5, 10)


@dataclass
class RetrievalScores:
    name: str
    n: int = 0
    sums: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    by: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(float)))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    def add(self, q: Question, flags: list[bool], ms: float) -> None:
        row = {f"R@{k}": recall_at(flags, k) for k in KS}
        row["MRR"] = reciprocal_rank(flags)
        row["nDCG@10"] = ndcg_at(flags, 10)
        self.n += 1
        self.latencies_ms.append(ms)
        for key in (f"persona:{q.persona}", f"type:{q.type}"):
            self.counts[key] += 1
            for m, v in row.items():
                self.by[key][m] += v
        for m, v in row.items():
            self.sums[m] += v
        if not row["R@5"]:
            self.misses.append(q.id)

    def metric(self, m: str, group: str | None = None) -> float:
        if group:
            return self.by[group][m] / self.counts[group] if self.counts[group] else 0.0
        return self.sums[m] / self.n if self.n else 0.0

    def summary(self) -> dict[str, float]:
        out = {m: round(self.metric(m), 4) for m in [f"R@{k}" for k in KS] + ["MRR", "nDCG@10"]}
        out["p50_ms"] = round(percentile(self.latencies_ms, 50), 2)
        out["p95_ms"] = round(percentile(self.latencies_ms, 95), 2)
        out["n"] = self.n
        return out


def evaluate(retriever: Retriever, questions: Sequence[Question], depth: int = 10) -> RetrievalScores:
    scores = RetrievalScores(retriever.name)
    for q in questions:
        if not q.answerable or not q.evidence:
            continue
        t = time.perf_counter()
        hits = retriever.search(q.question, depth)
        ms = (time.perf_counter() - t) * 1000
        scores.add(q, [relevant(q.evidence, h.chunk.text) for h in hits], ms)
    return scores
