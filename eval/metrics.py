"""Ranking metrics over a list of 0/1 relevance flags (rank order)."""
from __future__ import annotations

import math
from collections.abc import Sequence


def recall_at(flags: Sequence[bool], k: int) -> float:
    return 1.0 if any(flags[:k]) else 0.0


def reciprocal_rank(flags: Sequence[bool]) -> float:
    for i, f in enumerate(flags, 1):
        if f:
            return 1.0 / i
    return 0.0


def ndcg_at(flags: Sequence[bool], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 1) for i, f in enumerate(flags[:k], 1) if f)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, sum(map(bool, flags))) + 1))
    return dcg / ideal if ideal else 0.0


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    idx = min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))
    return s[idx]


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    fmt = lambda v: f"{v:.3f}" if isinstance(v, float) else str(v)  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(v) for v in r) + " |" for r in rows]
    return "\n".join(lines)
