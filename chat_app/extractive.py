"""The offline default answerer: the answer is composed from the plan's own sentences.

Sentences (and table rows, rendered readably) inside the top chunks are scored against
the question; figure questions prefer sentences with numbers, list questions prefer the
专栏 items. Every sentence is cited, so no figure can appear that a cited chunk lacks.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.chunker import sentences
from ingest.schema import Answer, Chunk, Citation, Hit
from retriever.bm25 import BM25Retriever

FIGURE_RE = re.compile(r"多少|几个|几项|几所|几条|几成|百分之|比例|比重|目标值|完成值|指标|增长|增速|规模|数量|面积|多长|多大|多高|达到|\d")
LIST_RE = re.compile(r"哪些|哪几|哪[二两三四五六七八九十\d]|有啥|包括|包含|都有|分别是|具体指|列出|清单|项目")
BOX_RE = re.compile(r"专栏\s*(\d+)")
# Words that ask for a list without saying what is in it ("专栏3有哪些项目").
LIST_WORDS = frozenset("专栏 项目 工程 建设 重点 哪些 哪几 包括 包含 具体 分别 都有 有啥 列出 清单 所列 规划 十四五".split())
YEAR_RE = re.compile(r"(?<!\d)(20[2-3]\d|2[0-9](?=年))(?!\d)")
COUNT_RE = re.compile(r"(?:哪|这)?([二两三四五六七八九十]|\d+)\s*(?:个|大|条|项|种|类|型|新|强|所|座|家|方面|板块|基地|集群)")
CN_DIGITS = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
TOP_LEVEL_SPLIT_RE = re.compile(r"、(?![^（(]*[）)])|；")
MAX_CHARS = 200
MODE = "extractive"


@dataclass(frozen=True)
class Candidate:
    text: str
    chunk: Chunk
    score: float


def render_row(c: Chunk) -> str:
    """A table row as a sentence: 指标 — 2020年完成 …，2025年目标 …（属性）."""
    f = dict(c.fields)
    name = f.pop("指标", c.text.split("：", 1)[0])
    attr = f.pop("属性", "")
    f.pop("序号", None)
    values = "，".join(f"{k} {v}" for k, v in f.items() if v not in ("", "-", "—"))
    table = re.sub(r"^(专栏|表)\s*(\d+)[：:].*$", r"\1\2", c.title)
    tail = f"（{attr}指标）" if attr else ""
    return f"{table}中，{name} — {values}{tail}。"


class ExtractiveAnswerer:
    mode = MODE

    def __init__(self, bm25: BM25Retriever, chunks: Sequence[Chunk]) -> None:
        self.bm25 = bm25
        self.tokenizer = bm25.tokenizer
        self.idf = bm25.bm25.idf
        self.by_box: dict[str, list[Chunk]] = {}
        self.by_section: dict[tuple[str, str], list[Chunk]] = {}
        for c in chunks:
            if c.kind == "box_item":
                self.by_box.setdefault(c.title, []).append(c)
            elif c.kind == "paragraph":
                self.by_section.setdefault((c.chapter, c.section), []).append(c)

    # -- scoring ----------------------------------------------------------------------
    def _score(self, qtoks: set[str], text: str) -> float:
        toks = set(self.tokenizer.tokens(text))
        return sum(self.idf.get(t, 0.5) for t in qtoks & toks) / (1 + 0.002 * len(text))

    def candidates(self, question: str, hits: Sequence[Hit], depth: int = 6) -> list[Candidate]:
        qtoks = set(self.tokenizer.query_tokens(question))
        figure = bool(FIGURE_RE.search(question))
        is_list = bool(LIST_RE.search(question))
        wanted = asked_count(question)
        years = {("20" + y if len(y) == 2 else y) for y in YEAR_RE.findall(question)}
        out = []
        for h in hits[:depth]:
            prior = 1.5 / (h.rank + 1)
            for s in pieces_of(h.chunk):
                if len(s.strip()) < 4:
                    continue
                score = self._score(qtoks, s) + prior
                if figure and re.search(r"\d", s):
                    score *= 1.3
                if is_list and s.count("、") >= 3:
                    score *= 1.2  # an enumeration is what a "哪些" question wants
                if years and any(y in s for y in years):
                    score *= 1.3  # "到2025年…达到多少": the target, not the 2020 baseline
                if wanted and s.count("、") + 1 >= wanted:
                    score *= 1.3  # "哪四个集群": a sentence listing at least four things
                out.append(Candidate(s.strip(), h.chunk, score))
        out.sort(key=lambda c: -c.score)
        return out

    # -- answering --------------------------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        if not hits:
            return Answer(question, "规划中未提及这方面的内容。", True, MODE)
        listed = self.whole_box(question) or self.section_list(question, hits)
        if listed is not None:
            return listed
        picked = self._pick(question, hits)
        return compose(question, [(c.text, c.chunk) for c in picked], MODE)

    def _pick(self, question: str, hits: Sequence[Hit]) -> list[Candidate]:
        cands = self.candidates(question, hits)
        if not cands:
            return []
        is_list = bool(LIST_RE.search(question))
        best = cands[0]
        picked = [best]
        limit = 3
        budget = 320 if is_list else MAX_CHARS
        used = len(best.text)
        for c in cands[1:]:
            if len(picked) >= limit or c.score < 0.6 * best.score:
                break
            if c.text in {p.text for p in picked} or used + len(c.text) > budget:
                continue
            picked.append(c)
            used += len(c.text)
        if is_list and best.chunk.kind == "box_item" and len(best.chunk.text) <= 400:
            # a project question is answered by the whole item, not a fragment of it
            picked = [Candidate(best.chunk.text, best.chunk, best.score)]
        order = {id(c): (c.chunk.order, c.chunk.text.find(c.text)) for c in picked}
        return sorted(picked, key=lambda c: order[id(c)])

    def section_list(self, question: str, hits: Sequence[Hit]) -> Answer | None:
        """"八大农业优势基地包括哪些": the plan answers with the lead phrases of a section's
        paragraphs (做强优质粮食生产基地。… 做强中药材产业基地。…). Used when the leads share an
        ending the question uses ("…基地", "…集群") and their number matches any count asked."""
        if not LIST_RE.search(question):
            return None
        wanted = asked_count(question)
        for h in hits[:3]:
            leads = first_by_lead(self.by_section.get((h.chunk.chapter, h.chunk.section), []), max_len=30)
            ending = common_suffix(list(leads))
            if len(leads) < 2 or len(ending) < 2 or ending[-2:] not in question:
                continue
            if wanted and len(leads) != wanted:
                continue
            head = h.chunk.section.split(" ", 1)[-1] if h.chunk.section else h.chunk.chapter
            return compose(question, list(leads.items()), MODE, prefix=f"规划在“{head}”中提出：", joiner="；")
        return None

    def whole_box(self, question: str) -> Answer | None:
        """"专栏3有哪些项目" asks for the box's item list; "专栏3里的沿黄公路支线是哪三条" for one item.

        Only the box reference plus list words → the list of item leads. Anything more
        specific → the best-matching pieces of that box's items.
        """
        m = BOX_RE.search(question)
        if not m or not LIST_RE.search(question):
            return None
        title = next((t for t in self.by_box if re.match(rf"专栏\s*{m.group(1)}[：:]", t)), None)
        if not title:
            return None
        items = self.by_box[title]
        title_toks = set(self.tokenizer.tokens(title))
        specific = {t for t in self.tokenizer.query_tokens(question)
                    if t not in title_toks and t not in LIST_WORDS and not t.isdigit() and len(t) > 1}
        matched = sorted(((self._score(specific, c.text), i, c) for i, c in enumerate(items)), key=lambda x: (-x[0], x[1]))
        if specific and matched and matched[0][0] > 0:
            hits = [Hit(c, score, r, "box") for r, (score, _, c) in enumerate(matched[:3], 1) if score > 0]
            picked = self._pick(question, hits)
            return compose(question, [(c.text, c.chunk) for c in picked], MODE)
        leads = first_by_lead(items)
        if not leads:
            return None
        head = re.sub(r"\s+", "", title.split("：", 1)[0])
        return compose(question, list(leads.items()), MODE, prefix=f"{head}包括：", joiner="；")


def first_by_lead(chunks: Sequence[Chunk], max_len: int = 1000) -> dict[str, Chunk]:
    """Each distinct lead phrase (Chunk.group) with the first chunk under it, in plan order."""
    leads: dict[str, Chunk] = {}
    for c in chunks:
        if c.group and len(c.group) <= max_len:
            leads.setdefault(c.group, c)
    return leads


def common_suffix(words: list[str]) -> str:
    out = ""
    for chars in zip(*(w[::-1] for w in words)):
        if len(set(chars)) != 1:
            break
        out = chars[0] + out
    return out


def asked_count(question: str) -> int:
    """"八大农业优势基地包括哪些" → 8: how many items the question expects (0 = not said)."""
    m = COUNT_RE.search(question)
    if not m:
        return 0
    n = m.group(1)
    return int(n) if n.isdigit() and int(n) <= 20 else CN_DIGITS.get(n, 0)


def pieces_of(chunk: Chunk) -> list[str]:
    """Scoring units: a table row as one sentence; a long 专栏 item as its listed projects."""
    if chunk.kind == "table_row":
        return [render_row(chunk)]
    sents = sentences(chunk.text)
    if chunk.kind != "box_item":
        return sents
    out = []
    for s in sents:
        parts = [p for p in TOP_LEVEL_SPLIT_RE.split(s) if p.strip()] if len(s) > 120 else [s]
        out.extend(parts)
    return out


def compose(question: str, parts: Sequence[tuple[str, Chunk]], mode: str,
            prefix: str = "", joiner: str = "") -> Answer:
    """Sentences in, cited plain-text answer out; one citation number per chunk."""
    cites: dict[str, Citation] = {}
    texts = []
    for text, chunk in parts:
        if chunk.id not in cites:
            quote = chunk.text if len(chunk.text) <= 300 else text
            cites[chunk.id] = Citation(len(cites) + 1, chunk.id, chunk.chapter, chunk.section, quote)
        texts.append(f"{text.rstrip('；;，,')}[{cites[chunk.id].n}]")
    body = joiner.join(texts)
    if joiner and not body.endswith("。"):
        body += "。"
    return Answer(question, prefix + body, False, mode, tuple(cites.values()))
