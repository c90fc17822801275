"""How much of a question the evidence covers: the coverage signals of the support model.

Each content word of the question weighs its IDF in the plan (words the plan never uses weigh the most); a
colloquial word counts as covered through its plan-term expansions (retriever/colloquial.py), a typo
through a homophone (pinyin input methods make homophone typos: 规化 → 规划).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from chat_app.lexicon import QUESTION_SCAFFOLD
from ingest.schema import Hit
from retriever.bm25 import BM25Retriever
from retriever.homophones import sound
from retriever.text import COLLOQUIAL

COVERAGE_DEPTH = 5
# The tokenizer lower-cases ("GDP" → "gdp"); so must the colloquial keys it is matched against.
COLLOQUIAL_LOWER = {k.lower(): v for k, v in COLLOQUIAL.items()}
SCAFFOLD_LONGEST_FIRST = sorted((w for w in QUESTION_SCAFFOLD if len(w) >= 2), key=len, reverse=True)


@dataclass(frozen=True)
class Coverage:
    score: float
    missing: tuple[str, ...]
    unknown: float = 0.0  # share of the question's IDF mass in words the plan never uses ("房价", "天气")
    heaviest_missing: float = 0.0  # weight of the rarest word no top passage mentions, over the question's rarest


def strip_scaffold(question: str) -> str:
    """The question with its scaffolding words (lexicon.QUESTION_SCAFFOLD) cut out, longest first."""
    for word in SCAFFOLD_LONGEST_FIRST:
        question = question.replace(word, " ")
    return question


_TERMS: dict[int, dict[str, tuple[tuple[str, float, tuple[str, ...]], ...]]] = {}  # per index: question → terms
TERMS_KEPT = 4096


def question_terms(question: str, bm25: BM25Retriever) -> tuple[tuple[str, float, tuple[str, ...]], ...]:
    """Memoised: every signal asks for the same question's terms (five times per answer)."""
    cache = _TERMS.setdefault(id(bm25), {})
    terms = cache.get(question)
    if terms is None:
        if len(cache) >= TERMS_KEPT:
            cache.clear()
        terms = cache[question] = tuple(_question_terms(question, bm25))
    return terms


def _question_terms(question: str, bm25: BM25Retriever) -> list[tuple[str, float, tuple[str, ...]]]:
    """(term, IDF weight, plan words it may appear as) for each content word of the question.

    Words the plan never uses ("房价", "天气") weigh the most, so a question built around one of them
    scores low even when retrieval returns something loosely related. A colloquial word counts as
    covered when one of its plan-term expansions is (retriever/colloquial.py).
    """
    tok, idf = bm25.tokenizer, bm25.bm25.idf
    unknown = max(idf.values()) + 1.0 if idf else 1.0
    out = []
    for t in dict.fromkeys(tok.tokens(question)):
        if t in QUESTION_SCAFFOLD:
            continue
        # a one-character word ("钱") would sit inside many keys (挣钱, 借钱): match it exactly
        expansions = tuple(s for key, syns in COLLOQUIAL_LOWER.items()
                           if key == t or (len(t) > 1 and (key in t or t in key)) for s in syns)
        out.append((t, max(idf.get(t, unknown), 0.1), expansions))
    return out


_HOMOPHONES: dict[int, dict[str, frozenset[str]]] = {}  # per BM25 index (id): toneless pinyin → plan words


def homophones(term: str, bm25: BM25Retriever) -> frozenset[str]:
    """Plan words that sound like `term`: citizens type with pinyin input methods, so their typos are
    homophones (规化 → 规划, 幼儿圆 → 幼儿园, 五姓湖 → 伍姓湖). Built once per index (~0.15 s)."""
    index = _HOMOPHONES.get(id(bm25))
    if index is None:
        grouped: dict[str, set[str]] = {}
        for word in bm25.bm25.idf:
            if len(word) >= 2:
                grouped.setdefault(sound(word), set()).add(word)
        index = _HOMOPHONES[id(bm25)] = {k: frozenset(v) for k, v in grouped.items()}
    return index.get(sound(term), frozenset()) if len(term) >= 2 else frozenset()


def _covered(term: str, expansions: Sequence[str], seen: set[str], text: str, bm25: BM25Retriever) -> bool:
    # "一城" is inside the plan's "一城五区" even where jieba cut it as one word: a substring counts
    if term in seen or (len(term) > 1 and term in text) or any(
            e in seen or any(x in seen for x in bm25.tokenizer.tokens(e)) for e in expansions):
        return True
    return term not in bm25.bm25.idf and bool(homophones(term, bm25) & seen)


def _evidence_words(hits: Sequence[Hit], bm25: BM25Retriever, depth: int) -> tuple[set[str], str]:
    """The top passages' tokens (cached by the BM25 index) and their lower-cased text, for `_covered`."""
    seen: set[str] = set()
    for h in hits[:depth]:
        cached = bm25.token_sets.get(h.chunk.id)
        seen.update(cached if cached is not None else bm25.tokenizer.tokens(h.chunk.index_text()))
    return seen, "\n".join(h.chunk.text for h in hits[:depth]).lower()


def coverage(question: str, hits: Sequence[Hit], bm25: BM25Retriever, depth: int = COVERAGE_DEPTH) -> Coverage:
    """How much of what the question is about (IDF-weighted) the best chunks mention."""
    seen, text = _evidence_words(hits, bm25, depth)
    terms = question_terms(question, bm25)
    if not terms:
        return Coverage(0.0, ())
    idf = bm25.bm25.idf
    total = sum(w for _, w, _ in terms)
    found = [_covered(t, e, seen, text, bm25) for t, _, e in terms]
    got = sum(w for (_, w, _), ok in zip(terms, found) if ok)
    absent = sum(w for t, w, _ in terms if t not in idf)
    missing = [(t, w) for (t, w, _), ok in zip(terms, found) if not ok]
    heaviest = max((w for _, w in missing), default=0.0) / max(w for _, w, _ in terms)
    return Coverage(got / total, tuple(t for t, _ in missing), absent / total, heaviest)


def specificity(term: str, bm25: BM25Retriever) -> float:
    """How surprising a word is in general Chinese (jieba's dictionary frequencies): "老龄化率" names a
    specific concept, "上学", "能到", "办些" are everyday words whose absence from the plan says little.
    A word the dictionary lacks (jieba's HMM made it) is as surprising as its rarest character."""
    jb = bm25.tokenizer.general
    freq = jb.FREQ.get(term)
    if freq:
        return math.log(jb.total / freq)
    return max((math.log(jb.total / (jb.FREQ.get(ch) or 1)) for ch in term), default=0.0)


def general_coverage(question: str, hits: Sequence[Hit], bm25: BM25Retriever, depth: int = COVERAGE_DEPTH) -> float:
    """Coverage with every word weighted by its general-language surprisal instead of the plan's IDF:
    colloquial filler the plan never uses weighs little, a specific concept it never uses a lot."""
    seen, text = _evidence_words(hits, bm25, depth)
    terms = [(t, specificity(t, bm25), e) for t, _, e in question_terms(question, bm25)]
    total = sum(w for _, w, _ in terms)
    got = sum(w for t, w, e in terms if _covered(t, e, seen, text, bm25))
    return got / total if total else 0.0


def specific_gap(question: str, missing: Sequence[str], bm25: BM25Retriever) -> tuple[float, float]:
    """(Share of the question's general-language specificity the evidence misses, the most specific
    missing word's specificity over the question's most specific word's)."""
    terms = [t for t, _, _ in question_terms(question, bm25)]
    if not terms:
        return 1.0, 1.0
    spec = {t: specificity(t, bm25) for t in terms}
    gone = [spec[t] for t in missing if t in spec]
    return sum(gone) / (sum(spec.values()) or 1.0), max(gone, default=0.0) / (max(spec.values()) or 1.0)


def sentence_coverage(question: str, pieces: Sequence[str], bm25: BM25Retriever) -> float:
    """The best single sentence's coverage: a question the plan answers usually has one sentence that
    names most of what it asks about; one it does not ("五老峰门票…") finds its words scattered."""
    terms = question_terms(question, bm25)
    total = sum(w for _, w, _ in terms)
    if not total:
        return 0.0
    best = 0.0
    for p in pieces:
        seen, text = set(bm25.tokenizer.tokens(p)), p.lower()
        best = max(best, sum(w for t, w, e in terms if _covered(t, e, seen, text, bm25)) / total)
    return best
