"""Evidence tests the checks and the support signals share: injection, foreign places, false
premises, asked details, coverage, and the figure check on every answer.

They are lexical and cheap (they run on every request) and decide nothing alone: the support
decision is the calibrated model in chat_app/support.py; these functions feed it and its notes.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from chat_app.lexicon import (ASKED_DETAILS, CLAIM_RE, FIGURE_ASK_RE, FIGURE_DETAIL_NAMES, INJECTION_RE, NEGATIVE_PREMISE_RE,
                              PLACE_SUFFIXES, QUESTION_CHARS, QUESTION_SCAFFOLD, QUOTE_RE, TABLE_QUESTION_RE,
                              UNIT_WORDS, WHY_RE)
from ingest.schema import Chunk, Hit
from retriever.bm25 import BM25Retriever
from retriever.text import COLLOQUIAL

COVERAGE_DEPTH = 5
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
CLAUSE_SPLIT_RE = re.compile(r"[，；。,;]")
TIME_LEAD_RE = re.compile(r"^\s*(?:力争)?(?:到|至|从)?\s*20\d\d\s*年")
UNIT_IN_NAME_RE = re.compile(r"[（(]([^）)]*)[）)]")
# A term at least this rare (BM25 idf) names what the question is about; "规划", "永济市" do not.
TOPIC_IDF = 2.0
CITATION_MARK_RE = re.compile(r"\[\d+\]")
# The tokenizer lower-cases ("GDP" → "gdp"); so must the colloquial keys it is matched against.
COLLOQUIAL_LOWER = {k.lower(): v for k, v in COLLOQUIAL.items()}
SCAFFOLD_LONGEST_FIRST = sorted((w for w in QUESTION_SCAFFOLD if len(w) >= 2), key=len, reverse=True)
YEAR_RE = re.compile(r"(?<!\d)(20[0-9]{2})(?!\d)")


def foreign_places(question: str, plan_text: str) -> list[str]:
    """Place names the plan never mentions ("盐湖区", "临猗县"): the plan covers 永济 only.

    jieba's part-of-speech tagger marks place names (``ns``); a place the plan does not
    contain means the question is about somewhere else, however well the rest matches.
    Its dictionary also tags some ordinary words ns ("长度"), so an administrative suffix
    is required too.
    """
    if not any(ch in PLACE_SUFFIXES for ch in question):
        return []  # the tagger costs ~2 ms; no administrative suffix, no foreign place
    import jieba.posseg

    return [w for w, flag in jieba.posseg.cut(question)
            if flag == "ns" and len(w) >= 3 and w[-1] in PLACE_SUFFIXES and w not in plan_text
            and not w.startswith("永济")]


def invented_quote(question: str, plan_text: str) -> str:
    """A term the question quotes as the plan's ("规划将永济定位为“全国光伏制造产业集聚区”") that
    the plan never uses, or ''. One character off (“五姓湖” for 伍姓湖) is a typo, not a claim."""
    for term in QUOTE_RE.findall(question):
        if len(term) < 4 or term in plan_text:
            continue
        near = "|".join(re.escape(term[:i]) + "." + re.escape(term[i + 1:]) for i in range(len(term)))
        if not re.search(near, plan_text):
            return term
    return ""


def is_injection(question: str) -> bool:
    return bool(INJECTION_RE.search(question))


def negative_premise(question: str) -> str:
    """The negative verb of a "why will the plan abolish X" / "规划说X要关门了" question, or ''.

    The caller then checks the verb against the evidence: a plan that does say 关停 (落后产能)
    is quoted normally; one that never says it gets its premise corrected.
    """
    for m in NEGATIVE_PREMISE_RE.finditer(question):
        verb, start = m.group(1), m.start(1)
        if verb.startswith("不") and start and question[start - 1] == verb[1:2]:
            continue  # "还管不管", "让不让": asking whether, not claiming
        if WHY_RE.search(question) or CLAIM_RE.search(question):
            return verb
    return ""


def numbers_in(text: str) -> list[str]:
    return NUMBER_RE.findall(CITATION_MARK_RE.sub("", text))


def _norm_num(n: str) -> str:
    return n.rstrip("0").rstrip(".") if "." in n else n


def unsupported_numbers(answer: str, cited: Sequence[Chunk]) -> list[str]:
    """Numbers in the answer that no cited chunk contains (the hallucination check)."""
    pool = {_norm_num(n) for c in cited for n in NUMBER_RE.findall(c.text + " " + c.title)}
    return [n for n in numbers_in(answer) if _norm_num(n) not in pool]


def peak(scores: np.ndarray) -> float:
    """z-score of the best score among all chunks' scores."""
    return float((scores.max() - scores.mean()) / (scores.std() + 1e-9)) if len(scores) else 0.0


def topic_words(question: str, bm25: BM25Retriever, expand: bool = False) -> set[str]:
    """The rarer words of the question (and, with `expand`, of its colloquial expansions): what it is about."""
    tok, idf = bm25.tokenizer, bm25.bm25.idf
    words = tok.query_tokens(question) if expand else tok.tokens(question)
    return {t for t in words if len(t) > 1 and t not in QUESTION_SCAFFOLD and idf.get(t, TOPIC_IDF) >= TOPIC_IDF
            and not QUESTION_CHARS & set(t)}


def gives_figure(unit: re.Pattern[str], text: str, in_name: bool = True) -> bool:
    """`text` states a figure in `unit`: "1000 亿元", or (in_name) a table row "…（亿元） — 2020年完成 128.3"."""
    if unit.search(text):
        return True
    names = UNIT_IN_NAME_RE.findall(text) if in_name and NUMBER_RE.search(text) else []
    return any(unit.search("1" + n) for n in names)


def asked_details(asking: str) -> tuple[str, ...]:
    """The details a question asks for ("多少钱" → 金额, "啥时候" → 具体时间), in lexicon order."""
    return tuple(name for name, ask, _ in ASKED_DETAILS if ask.search(asking))


def detail_topic(question: str, bm25: BM25Retriever) -> set[str]:
    """Topic words a given detail must sit next to; "亿元", "平方公里" say what kind of figure, not what about."""
    return {t for t in topic_words(question, bm25, expand=True) if not any(t in u for u in UNIT_WORDS)}


def missing_detail(question: str, asked: Sequence[str], pieces: Iterable[str], bm25: BM25Retriever) -> str:
    """The first asked detail ("金额", "具体时间") no evidence passage gives about the topic, or ''.

    "五老峰门票多少钱" retrieves 五老峰 passages that never state a price; a passage counts only
    when it holds a figure in the asked unit (or a date, a place…) *and* a topic word (门票, 五老峰).
    """
    if not asked:
        return ""
    topic = detail_topic(question, bm25)
    if not topic:
        return ""  # "永济有多少人": nothing says what the figure is about, so nothing to check it against
    tok = bm25.tokenizer
    pieces = list(pieces)
    on_topic = [p for p in pieces if topic & set(tok.tokens(p))]
    # a date or a place must sit in the clause that names the topic ("…雪花山玉皇庙会…" says no date
    # even when "2021 年山西鼓乐大赛" shares its sentence), or in a "到 2025 年，" that opens it
    clauses = []
    for p in pieces:
        parts = [c for c in CLAUSE_SPLIT_RE.split(p) if c]
        clauses += [(parts[i - 1] if i and TIME_LEAD_RE.match(parts[i - 1]) else "") + c
                    for i, c in enumerate(parts) if topic & set(tok.tokens(c))]
    tables = TABLE_QUESTION_RE.search(question) is not None
    says = {name: pattern for name, _, pattern in ASKED_DETAILS}
    for name in asked:
        figure = name in FIGURE_DETAIL_NAMES
        if not any(gives_figure(says[name], p, figure and tables) for p in (on_topic if figure else clauses)):
            return name
    return ""


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


@lru_cache(maxsize=50_000)
def sound(word: str) -> str:
    """Toneless pinyin ("规化" → "guihua")."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(word))


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


def coverage(question: str, hits: Sequence[Hit], bm25: BM25Retriever, depth: int = COVERAGE_DEPTH) -> Coverage:
    """How much of what the question is about (IDF-weighted) the best chunks mention."""
    seen: set[str] = set()
    for h in hits[:depth]:
        cached = bm25.token_sets.get(h.chunk.id)
        seen.update(cached if cached is not None else bm25.tokenizer.tokens(h.chunk.index_text()))
    text = "\n".join(h.chunk.text for h in hits[:depth]).lower()
    terms = question_terms(question, bm25)
    if not terms:
        return Coverage(0.0, ())
    idf = bm25.bm25.idf
    total = sum(w for _, w, _ in terms)
    got = sum(w for t, w, e in terms if _covered(t, e, seen, text, bm25))
    absent = sum(w for t, w, _ in terms if t not in idf)
    missing = [(t, w) for t, w, e in terms if not _covered(t, e, seen, text, bm25)]
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
    seen: set[str] = set()
    for h in hits[:depth]:
        seen.update(bm25.token_sets.get(h.chunk.id) or bm25.tokenizer.tokens(h.chunk.index_text()))
    text = "\n".join(h.chunk.text for h in hits[:depth]).lower()
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


def year_missing(question: str, pieces: Sequence[str]) -> bool:
    """The question names a year (2021年, 2030) that no evidence passage mentions."""
    years = set(YEAR_RE.findall(question))
    return bool(years) and not any(y in p for p in pieces for y in years)


def figure_missing(question: str, topic: set[str], pieces: Sequence[str], bm25: BM25Retriever) -> bool:
    """The question asks how much/how many and no evidence sentence about its topic holds a number."""
    if not FIGURE_ASK_RE.search(question) or not topic:
        return False
    return not any(NUMBER_RE.search(p) and topic & set(bm25.tokenizer.tokens(p)) for p in pieces)
