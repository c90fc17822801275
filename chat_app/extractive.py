"""The offline default answerer: the answer is composed from the plan's own sentences.

Sentences (and table rows, rendered readably) inside the top chunks are scored against
the question; figure questions prefer sentences with numbers, list questions prefer the
专栏 items. Every sentence is cited, so no figure can appear that a cited chunk lacks.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from chat_app.guards import gives_figure
from chat_app.indicators import render_row
from chat_app.lexicon import ASKED_DETAILS, FIGURE_DETAIL_NAMES
from chat_app.schema import Answer, Citation
from ingest.chunker import sentences
from ingest.schema import Chunk, Hit
from retriever.bm25 import BM25Retriever

FIGURE_RE = re.compile(r"多少|几个|几项|几所|几条|几成|百分之|比例|比重|目标值|完成值|指标|增长|增速|规模|数量|面积|多长|多大|多高|达到|\d")
LIST_RE = re.compile(r"哪些|哪几|都是啥|都是哪|都有啥|哪[二两三四五六七八九十\d]|有啥|包括|包含|都有|分别是|具体指|列出|清单|项目")
QUOTED_RE = re.compile(r"“([^”]{2,12})”")
PLACE_RE = re.compile(r"([\u4e00-\u9fff]{2,3}?)(镇|街道|乡)")
PROJECT_RE = re.compile(r"项目|工程")
ITEM_SPLIT_RE = re.compile(r"[、；，。](?![^（(“]*[）)”])")
BOX_RE = re.compile(r"专栏\s*(\d+)")
# Words that ask for a list without saying what is in it ("专栏3有哪些项目").
LIST_WORDS = frozenset("专栏 项目 工程 建设 重点 哪些 哪几 包括 包含 具体 分别 都有 有啥 列出 清单 所列 规划 十四五".split())
YEAR_RE = re.compile(r"(?<!\d)(20[2-3]\d|2[0-9](?=年))(?!\d)")
COUNT_RE = re.compile(r"(?:哪|这)?([二两三四五六七八九十]|\d+)\s*(?:个|大|条|项|种|类|型|新|强|所|座|家|方面|板块|基地|集群)")
CN_DIGITS = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
MULTI_RE = re.compile(r"分别|两部分|还是|前前后后|各自|以及|[？?].+[？?]")
MULTI_FLOOR = 0.4  # of the best score: a weaker sentence from the other section still beats a third from the same
LEAD_MAX = 16  # a sentence this short that opens a chunk is a heading
LEAD_BODY = 160
ANAPHOR_RE = re.compile(r"(该|此|上述|这些|这一)")
CLAUSE_RE = re.compile(r"(?<=[，；：,;:])")
TOP_LEVEL_SPLIT_RE = re.compile(r"、(?![^（(]*[）)])|；")
MAX_CHARS = 200
EXPANSION_WEIGHT = 0.7  # dev-tuned (1.0, 0.7, 0.5 tried): see weights()
# "占到多少" wants a share: with the units the refusal guard knows, what a figure question asks for.
MEASURES = "所家项条座处户台个批"
ASKED_UNITS = tuple((ask, unit) for name, ask, unit in ASKED_DETAILS if name in FIGURE_DETAIL_NAMES) + (
    (re.compile(r"百分之|多少%|比例|比重|占比|占到|占多少|率"), re.compile(r"\d\s*(?:%|％|个百分点)|（%）")),
) + tuple((re.compile(rf"(?:几|多少){m}"), re.compile(rf"\d\s*{m}")) for m in MEASURES)  # "新盖几所" → "20所"
MODE = "extractive"
# How much the question's closeness to a sentence (e5 cosine, min-max scaled over the candidates)
# multiplies its word score. Tuned on the tuning sets (0, 0.5, 1, 2 tried) for key facts in the first
# sentence: 0 → 0.66/0.73/0.66/0.73/0.64 on dev…dev5, 0.5 → 0.72/0.79/0.69/0.75/0.70, more no better.
SENTENCE_WEIGHT = 0.5
SentenceSims = Callable[[str, Sequence[str]], list[tuple[str, str, float]]]


@dataclass(frozen=True)
class Ask:
    """What kind of answer the question wants, read once from its wording."""
    figure: bool
    is_list: bool
    wanted: int
    units: tuple[re.Pattern[str], ...]
    years: frozenset[str]

    @classmethod
    def of(cls, question: str) -> Ask:
        return cls(bool(FIGURE_RE.search(question)), bool(LIST_RE.search(question)), asked_count(question),
                   tuple(unit for ask, unit in ASKED_UNITS if ask.search(question)),
                   frozenset(("20" + y if len(y) == 2 else y) for y in YEAR_RE.findall(question)))

    def boost(self, s: str, score: float) -> float:
        if self.figure and re.search(r"\d", s):
            score *= 1.3
        if any(gives_figure(u, s) for u in self.units):
            score *= 1.3  # "多长" → a figure in 公里, not the number of projects
        if self.is_list and s.count("、") >= 3:
            score *= 1.2  # an enumeration is what a "哪些" question wants
        if self.years and any(y in s for y in self.years):
            score *= 1.3  # "到2025年…达到多少": the target, not the 2020 baseline
        if self.wanted and s.count("、") + 1 >= self.wanted:
            score *= 1.3  # "哪四个集群": a sentence listing at least four things
        return score


@dataclass(frozen=True)
class Candidate:
    text: str
    chunk: Chunk
    score: float


class ExtractiveAnswerer:
    mode = MODE

    def __init__(self, bm25: BM25Retriever, chunks: Sequence[Chunk],
                 sentence_sims: SentenceSims | None = None) -> None:
        self.bm25 = bm25
        self.sentence_sims = sentence_sims
        self.tokenizer = bm25.tokenizer
        self.idf = bm25.bm25.idf
        self.by_box: dict[str, list[Chunk]] = {}
        self.by_section: dict[tuple[str, str], list[Chunk]] = {}
        # how many chunks quote a term: “一城五区” (once) names a set, “十四五” (everywhere) does not
        self.quote_count: dict[str, int] = {}
        for c in chunks:
            for t in set(QUOTED_RE.findall(c.text)):
                self.quote_count[t] = self.quote_count.get(t, 0) + 1
            if c.kind == "box_item":
                self.by_box.setdefault(c.title, []).append(c)
            elif c.kind == "paragraph":
                self.by_section.setdefault((c.chapter, c.section), []).append(c)

    # -- scoring ----------------------------------------------------------------------
    def weights(self, question: str) -> dict[str, float]:
        """Query words and their weights: the asker's own words count fully, words added from the
        colloquial table (看病 → 医疗卫生) at EXPANSION_WEIGHT, so a sentence that uses the asker's
        words beats one that only matches an expansion."""
        own = self.tokenizer.tokens(question)
        out = {t: EXPANSION_WEIGHT * self.idf.get(t, 0.5) for t in self.tokenizer.query_tokens(question)}
        out.update({t: self.idf.get(t, 0.5) for t in own})
        return out

    def _score(self, weights: dict[str, float], text: str) -> float:
        matched = weights.keys() & set(self.tokenizer.tokens(text))
        return sum(weights[t] for t in matched) / (1 + 0.002 * len(text))

    def candidates(self, question: str, hits: Sequence[Hit], depth: int = 6) -> list[Candidate]:
        return self._ranked(question, hits, Ask.of(question), self.weights(question), depth)

    def _closeness(self, question: str, hits: Sequence[Hit]) -> Callable[[Chunk, str], float]:
        """0..1 per statement: its best sentence's cosine with the question, scaled over these hits."""
        sims = self.sentence_sims(question, [h.chunk.id for h in hits]) if self.sentence_sims else []
        if not sims:
            return lambda chunk, text: 0.0
        lo, hi = min(s for *_, s in sims), max(s for *_, s in sims)
        by_chunk: dict[str, list[tuple[str, float]]] = {}
        for cid, text, sim in sims:
            by_chunk.setdefault(cid, []).append((text, (sim - lo) / (hi - lo) if hi > lo else 0.0))

        def closeness(chunk: Chunk, text: str) -> float:
            own = by_chunk.get(chunk.id, [])
            inside = [v for t, v in own if t in text or text in t]
            return max(inside or [v for _, v in own] or [0.0])
        return closeness

    def _ranked(self, question: str, hits: Sequence[Hit], ask: Ask, weights: dict[str, float],
                depth: int = 6) -> list[Candidate]:
        out = []
        close = self._closeness(question, hits[:depth])
        for h in hits[:depth]:
            prior = 1.5 / (h.rank + 1)
            for s in statements(h.chunk):
                if len(s) >= 4:
                    score = (self._score(weights, s) + prior) * (1 + SENTENCE_WEIGHT * close(h.chunk, s))
                    out.append(Candidate(s, h.chunk, ask.boost(s, score)))
        out.sort(key=lambda c: -c.score)
        return out

    # -- answering --------------------------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], whole_box: bool = True) -> Answer:
        """`whole_box=False` for follow-ups ("还有呢", "这个投资多少"): the box was listed already."""
        if not hits:
            return Answer(question, "规划中未提及这方面的内容。", "none", MODE)
        boxed = self.whole_box(question) if whole_box else None
        listed = boxed or self.section_list(question, hits) or self.place_items(question, hits)
        if listed is not None:
            return listed
        picked = self._pick(question, hits)
        return compose(question, [(c.text, c.chunk) for c in picked], MODE)

    def _pick(self, question: str, hits: Sequence[Hit]) -> list[Candidate]:
        ask, weights = Ask.of(question), self.weights(question)
        cands = self._ranked(question, hits, ask, weights)
        if not cands:
            return []
        is_list = ask.is_list
        best = cands[0]
        limit = 3
        budget = 320 if is_list else MAX_CHARS
        if len(best.text) > budget and best.chunk.kind == "paragraph":
            best = replace(best, text=self.trim(best.text, weights, ask, budget) or best.text)
        picked = [best]
        used = len(best.text)
        other = None
        if MULTI_RE.search(question):
            # "正文和专栏分别…", "旅游还是治理": the second sentence comes from another section
            other = next((c for c in cands[1:] if c.chunk.section != best.chunk.section), None)
            if other is not None and other.score >= MULTI_FLOOR * best.score:
                cands = [best, other] + [c for c in cands[1:] if c is not other]
        for c in cands[1:]:
            if len(picked) >= limit or (c.score < 0.6 * best.score and c is not other):
                break
            if c.text in {p.text for p in picked}:
                continue
            if used + len(c.text) > budget:
                if c.chunk.kind == "table_row":
                    continue  # a table row is read whole or not at all
                c = replace(c, text=self.trim(c.text, weights, ask, budget - used))
                if len(c.text) < 8:
                    continue
            picked.append(c)
            used += len(c.text)
        if is_list and best.chunk.kind == "box_item" and len(best.chunk.text) <= 400:
            # a project question is answered by the whole item, not a fragment of it
            picked = [Candidate(best.chunk.text, best.chunk, best.score)]
        picked = [self.with_body(c, picked) for c in picked]
        # a table row re-read for this question: the asked year's figure first
        picked = [replace(c, text=render_row(c.chunk, ask.years)) if c.chunk.kind == "table_row" else c
                  for c in picked]
        # the best sentence leads (a phone shows the first sentence first); the rest keep the plan's order
        order = {id(c): (c.chunk.order, c.chunk.text.find(c.text)) for c in picked}
        return picked[:1] + sorted(picked[1:], key=lambda c: order[id(c)])

    def with_body(self, c: Candidate, picked: Sequence[Candidate]) -> Candidate:
        """A heading alone ("推动水资源节约利用。", "生物医药制药产业。") answers nothing: add what
        follows it in the same chunk, up to LEAD_BODY characters."""
        text = c.chunk.text
        start = text.find(c.text)
        if len(c.text) > LEAD_MAX or start < 0 or not (start == 0 and c.chunk.group or c.chunk.kind == "box_item"):
            return c
        if any(p is not c and p.chunk.id == c.chunk.id for p in picked):
            return c  # the body is already in the answer
        body = c.text
        for s in sentences(text[start + len(c.text):]):
            if len(body) + len(s) > LEAD_BODY:
                break
            body += s
        return replace(c, text=body)

    def trim(self, sentence: str, weights: dict[str, float], ask: Ask, room: int) -> str:
        """The clauses of a long sentence that carry the question's words, within `room` characters:
        "推进 282 公里四好农村公路" out of a 150-character list of transport projects."""
        clauses = [c for c in CLAUSE_RE.split(sentence) if c]
        score = [ask.boost(c, self._score(weights, c)) for c in clauses]
        i = max(range(len(clauses)), key=lambda k: score[k])
        if score[i] <= 0 or len(clauses[i]) > room:
            return ""
        lo = hi = i
        while True:
            options = [k for k in (lo - 1, hi + 1) if 0 <= k < len(clauses) and score[k] > 0]
            k = max(options, key=lambda k: score[k], default=None)
            if k is None or sum(len(c) for c in clauses[min(lo, k):max(hi, k) + 1]) > room:
                break
            lo, hi = min(lo, k), max(hi, k)
        return "".join(clauses[lo:hi + 1]).rstrip("，；：,;:")

    def section_list(self, question: str, hits: Sequence[Hit]) -> Answer | None:
        """"八大农业优势基地包括哪些": the plan answers with the lead phrases of a section's
        paragraphs (做强优质粮食生产基地。… 做强中药材产业基地。…). Used when the leads share an
        ending the question uses ("…基地", "…集群") or the section's opening names the set the
        question quotes (打造“一城五区”。——中国北方…城市。——…先行区。), and their number matches
        any count asked."""
        if not LIST_RE.search(question) or re.search(r"多少|几成|百分之", question):
            return None  # "分别是多少" asks for figures, not for the section's list
        wanted = asked_count(question)
        quoted = [t for t in QUOTED_RE.findall(question) if self.quote_count.get(t, 0) == 1]
        for h in hits[:3]:
            paragraphs = self.by_section.get((h.chunk.chapter, h.chunk.section), [])
            leads = first_by_lead(paragraphs, max_len=30)
            ending = common_suffix(list(leads))
            named = any(f"“{t}”" in c.text for c in paragraphs if not c.group for t in quoted)
            if len(leads) < 2 or not (named or (len(ending) >= 2 and ending[-2:] in question)):
                continue
            if wanted and len(leads) != wanted:
                continue
            head = h.chunk.section.split(" ", 1)[-1] if h.chunk.section else h.chunk.chapter
            items = [(lead.lstrip("—-－ "), c) for lead, c in leads.items()]
            return compose(question, items, MODE, prefix=f"规划在“{head}”中提出：", joiner="；")
        return None

    def place_items(self, question: str, hits: Sequence[Hit]) -> Answer | None:
        """"韩阳镇有啥农业项目": the project lists' entries that name the place, from every list
        among the top hits — not one whole list where the place is one entry among twenty."""
        m = PLACE_RE.search(question)
        if not m or not PROJECT_RE.search(question):
            return None
        stem = m.group(1)
        found = [(p.strip(), h.chunk) for h in hits[:6] if h.chunk.kind == "box_item"
                 for p in ITEM_SPLIT_RE.split(h.chunk.text) if stem in p]
        found = list({p: (p, c) for p, c in found}.values())
        topic = {t for t in self.tokenizer.tokens(question) if len(t) > 1} - LIST_WORDS - {stem, m.group(0)}
        titled = [(p, c) for p, c in found if topic & set(self.tokenizer.tokens(c.title))]
        found = titled if topic else found  # "农业项目": only the 农业 list's entries
        if not found:
            return None
        return compose(question, found, MODE, prefix=f"规划的项目中涉及{m.group(0)}的有：", joiner="；")

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
        specific = {t: self.idf.get(t, 0.5) for t in self.tokenizer.query_tokens(question)
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


def statements(chunk: Chunk) -> list[str]:
    """pieces_of, with a sentence that points back ("该项目拟占地 500-800 亩") joined to the short
    one before it: without the project's name it says nothing about anything."""
    out: list[str] = []
    previous = ""
    for s in pieces_of(chunk):
        s = s.strip()
        if ANAPHOR_RE.match(s) and previous:
            s = previous + s
        out.append(s)
        previous = s if len(s) <= 40 else ""
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
        text = text.rstrip("；;，,：:")
        if not joiner and text[-1:] not in ("。", "！", "？", "”", "）"):
            text += "。"  # a list entry or a trimmed clause still ends as a sentence
        texts.append(f"{text}[{cites[chunk.id].n}]")
    body = joiner.join(texts)
    if joiner and not body.endswith("。"):
        body += "。"
    return Answer(question, prefix + body, "direct", mode, tuple(cites.values()))
