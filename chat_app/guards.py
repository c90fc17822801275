"""Evidence tests the checks and the support signals share: injection, foreign places, false
premises, asked details, coverage, and the figure check on every answer.

They are lexical and cheap (they run on every request) and decide nothing alone: the support
decision is the calibrated model in chat_app/support.py; these functions feed it and its notes.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import cn2an
import numpy as np

from chat_app.lexicon import (ASKED_DETAILS, CLAIM_RE, CLAIMED_FIGURE_RE, CLAIMED_UNITS, CLAUSE_RE, CN_FIGURE_RE,
                              DIRECTIVE_RE, EXPLAIN_RE, FIGURE_ASK_RE, FIGURE_DETAIL_NAMES, GENERIC_PLACE_CHARS, INJECTION_RE,
                              NEGATIVE_PREMISE_RE, OWN_PLAN_RE, PROVINCES, WIDER_PLAN_RE, PERIOD_QUOTE_RE, PLACE_SUFFIXES, PROMISE_RE,
                              QUESTION_CHARS, QUESTION_SCAFFOLD, QUOTE_RE, ROMAN_NUMERALS, TABLE_QUESTION_RE, UNIT_WORDS,
                              WHY_RE, WIDER_SCOPE_CONTEXT, WIDER_SCOPE_RE, WITHIN_MARKERS)
from ingest.schema import Chunk
from retriever.bm25 import BM25Retriever

NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
CLAUSE_SPLIT_RE = re.compile(r"[，；。,;]")
TIME_LEAD_RE = re.compile(r"^\s*(?:力争)?(?:到|至|从)?\s*20\d\d\s*年")
UNIT_IN_NAME_RE = re.compile(r"[（(]([^）)]*)[）)]")
# A term at least this rare (BM25 idf) names what the question is about; "规划", "永济市" do not.
TOPIC_IDF = 2.0
CITATION_MARK_RE = re.compile(r"\[\d+\]")
TAGGED_CACHE = 256  # recent questions; a follow-up rewrite or a second document asks again
MIN_CLAUSE_CHARS = 2  # "好", "行": no clause of their own
PLACE_TAGS = ("ns", "nr", "nz")
CN_FIGURE_MIN = 2  # "一所", "一名" read as "a", not as a count (and "一级" as "first-rate")
MIN_REQUEST_TOKENS = 2  # a request judged on its own names an action and a thing


NOUN_TAGS = ("vn", "eng", "s")  # jieba: verbal nouns (建设), Latin words (GDP, 5G) and place words (村里) name things too


@lru_cache(maxsize=TAGGED_CACHE)
def tagged(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's part-of-speech tags (~2 ms a question): the place and request checks both read them, once."""
    import jieba.posseg

    return tuple((w, flag) for w, flag in jieba.posseg.cut(text))


def foreign_places(question: str, plan_text: str, home: tuple[str, ...] = ("永济",)) -> list[str]:
    """Place names the plan never mentions ("盐湖区", "临猗县"): a plan covers its own region only
    (``home``: the region's names, whose sub-units count as the plan's own).

    jieba's part-of-speech tagger marks place names (``ns``); a place the plan does not
    contain means the question is about somewhere else, however well the rest matches.
    Its dictionary also tags some ordinary words ns ("长度"), so an administrative suffix
    is required too.
    """
    if not any(ch in PLACE_SUFFIXES for ch in question) and not any(p in question for p in PROVINCES):
        return []  # the tagger costs ~2 ms; no administrative suffix or province, no foreign place
    return [w for w, flag in tagged(question)
            if (flag == "ns" and len(w) >= 3 and w[-1] in PLACE_SUFFIXES and not set(w[:-1]) <= GENERIC_PLACE_CHARS
                or w in PROVINCES)
            and w not in plan_text and not w.startswith(home)]


def wider_scope(question: str, plan_text: str) -> str:
    """"那2021年全国GDP增长了多少": a figure of the whole country (province, world), which a city plan
    does not report; "全国文明城市要创建几年" uses a phrase the plan writes and is its own. `plan_text`
    without whitespace (the plan writes "全国 5A 级"). Returns the scope word, or ''."""
    if not FIGURE_ASK_RE.search(question):
        return ""
    compact = re.sub(r"\s+", "", question)
    for m in WIDER_SCOPE_RE.finditer(compact):
        if m.start() and compact[m.start() - 1] in WITHIN_MARKERS:
            continue
        after = compact[m.end():].lstrip("的")[:WIDER_SCOPE_CONTEXT]
        if m.group(0) + after not in plan_text:
            return m.group(0)
    return ""


def wider_plan(question: str, plan_text: str) -> str:
    """"国家“十四五”规划纲要中…的目标": the plan of a wider level of government, unless the plan itself
    writes that phrase (`plan_text` without whitespace). Returns the level's word, or ''."""
    compact = re.sub(r"\s+", "", question)
    m = WIDER_PLAN_RE.search(compact)
    return m.group(1) if m and m.group(0) not in plan_text else ""


def other_plans(question: str, home: tuple[str, ...] = ("永济",)) -> list[str]:
    """Regions the question makes the owner of a plan ("芮城县“十四五”规划", "河津市“十四五”期间…目标"),
    though the plan may mention them as neighbours: another region's plan is another document.
    General usage: a place name followed by its plan's name or period (lexicon.OWN_PLAN_RE)."""
    if not any(ch in PLACE_SUFFIXES for ch in question):
        return []
    found, pos = [], 0
    for w, flag in tagged(question):
        pos += len(w)
        # jieba tags some county names as person names (闻喜县/nr): the suffix and the plan after it decide
        if flag in PLACE_TAGS and len(w) >= 3 and w[-1] in PLACE_SUFFIXES and not w.startswith(home) \
                and OWN_PLAN_RE.match(question[pos:]):
            found.append(w)
    return found


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


def directive_clauses(question: str) -> tuple[list[str], list[str]]:
    """The question's clauses, and those that hand the assistant a task (lexicon.DIRECTIVE_RE)."""
    clauses = [c.strip() for c in CLAUSE_RE.split(question) if len(c.strip()) >= MIN_CLAUSE_CHARS]
    return clauses, [c for c in clauses
                     if (DIRECTIVE_RE.match(c) and not EXPLAIN_RE.search(c)) or PROMISE_RE.search(c)]


def unknown_nouns(text: str, bm25: BM25Retriever) -> list[str]:
    """Nouns (jieba's part-of-speech tags n*) the plan never uses: what a request asks *for* when it
    is not the plan's business. Verbs (确认, 核实) are how a request asks, not what about."""
    vocabulary = bm25.bm25.idf
    content = [t for t in bm25.tokenizer.query_tokens(text) if t not in QUESTION_SCAFFOLD and len(t) > 1]
    if len(content) < MIN_REQUEST_TOKENS:
        return []  # "请核实", "请确认": a bare verb points back at the rest of the question
    return [w for w, flag in tagged(text)
            if flag.startswith("n") and len(w) >= 2 and w not in QUESTION_SCAFFOLD
            and not all(t in vocabulary or t in QUESTION_SCAFFOLD for t in _parts(w, bm25))]


def _parts(word: str, bm25: BM25Retriever) -> list[str]:
    """A compound the plan never writes whole ("具体措施") is known when its parts are."""
    toks = bm25.tokenizer.tokens(word)
    return [t for t in toks if t != word] or toks


def is_injection(question: str) -> bool:
    return bool(INJECTION_RE.search(question))


# A verb directly followed by a sum asked ("卖了多少钱", "投了多少亿"): general grammar of asking an amount.
AMOUNT_ASKED_RE = re.compile(r"多少(?:钱|万|亿|元|个亿)")


def negative_premise(question: str) -> str:
    """The negative verb of a "why will the plan abolish X" / "规划说X要关门了" question, or ''.

    The caller then checks the verb against the evidence: a plan that does say 关停 (落后产能)
    is quoted normally; one that never says it gets its premise corrected.
    """
    for m in NEGATIVE_PREMISE_RE.finditer(question):
        verb, start = m.group(1), m.start(1)
        if verb.startswith("不") and start and question[start - 1] == verb[1:2]:
            continue  # "还管不管", "让不让": asking whether, not claiming
        if AMOUNT_ASKED_RE.match(question, m.end(1)):
            continue  # "一共卖了多少钱": a verb asked of its sum is a transaction, not something done away with
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


def stated_figures(text: str) -> list[tuple[float, str, str]]:
    """(value, unit compared in, as written) for every figure with a unit ("250 亿元左右" → 250, 亿元), in
    Arabic or in Chinese numerals ("十三所" → 13, 所; "五十亿级" → 50, 亿元)."""
    figures = [(float(m.group(1)), CLAIMED_UNITS[m.group(2)], m.group(0)) for m in CLAIMED_FIGURE_RE.finditer(text)]
    for m in CN_FIGURE_RE.finditer(text):
        value = chinese_number(m.group(1))
        if value is not None and value >= CN_FIGURE_MIN:
            figures.append((value, CLAIMED_UNITS[m.group(2)], m.group(0)))
    return figures


def without_figures(text: str) -> str:
    """The text with every figure it states taken out: a claim's words, not its number, find the plan's."""
    for _, _, written in stated_figures(text):
        text = text.replace(written, "")
    return text


def figures_asked(text: str) -> str:
    """A claim turned into the question it answers: "GDP要冲到500个亿" → "GDP要冲到多少亿元", so the
    correction quotes the plan's figure in the claimed unit."""
    for _, unit, written in stated_figures(text):
        text = text.replace(written, f"多少{unit}")
    return text


def chinese_number(numeral: str) -> float | None:
    """"五十" → 50, "百" → 100 (cn2an reads "一百", not a bare "百"); None when it is not a number."""
    if numeral in ROMAN_NUMERALS:
        return float(ROMAN_NUMERALS[numeral])
    if numeral[0] in "百千":
        numeral = "一" + numeral
    try:
        return float(cn2an.cn2an(numeral, "strict"))
    except ValueError:
        return None


def names_topic(question: str, bm25: BM25Retriever) -> bool:
    """The question names a thing of its own: a rarer word of the plan that jieba tags as a noun, or a
    quoted name (“三无”). "以后每年能涨多少？" (time words, verbs) and "2020年完成值呢？" name none."""
    if QUOTE_RE.search(PERIOD_QUOTE_RE.sub("", question)):  # Chinese typography quotes a name
        return True
    topics = topic_words(question, bm25)
    nouns = [w for w, flag in tagged(question) if len(w) > 1 and (flag[0] == "n" or flag in NOUN_TAGS)]
    return any(t in w or w in t for t in topics for w in nouns)


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
