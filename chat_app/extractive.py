"""The offline default answerer: the answer is composed from the plan's own sentences.

Sentences (and table rows, rendered readably) inside the top chunks are scored against
the question; figure questions prefer sentences with numbers, list questions prefer the
专栏 items. Every sentence is cited, so no figure can appear that a cited chunk lacks.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from chat_app.ask import KIND_MIN, Ask, carried_core, enumerated, items_of_kind
from chat_app.guards import names_topic
from chat_app.indicators import CHANGE_ASK_RE, gives_figure_for, measures_change, render_row
from chat_app.lexicon import QUANTITY_WORD_RE
from chat_app.schema import Answer, Citation
from chat_app.statements import bare, statements
from chat_app.weights import (CARRIED_RANK_PRIOR, CARRIED_WEIGHT, CLOSE_RATIO, EXPANSION_WEIGHT, HEADING_ONLY,
                              MULTI_FLOOR, RANK_PRIOR, RATE_ROW_FOR_LEVEL, ROW_WITHOUT_FIGURE, SENTENCE_WEIGHT)
from ingest.chunker import sentences
from ingest.schema import Chunk, Hit
from retriever.bm25 import BM25Retriever

LIST_BUDGET = 320  # characters a list answer may run to
MULTI_RE = re.compile(r"分别|两部分|还是|前前后后|各自|以及|[？?].+[？?]")
LEAD_MAX = 16  # a sentence this short that opens a chunk is a heading
LEAD_BODY = 160
CLAUSE_RE = re.compile(r"(?<=[，；：,;:])")
MAX_CHARS = 200
MODE = "extractive"
SUBJECT_MAX = 20
QUOTE_MAX = 300  # a citation quotes its whole chunk up to this length
ANNOUNCE_RE = re.compile(r"(以下|如下|下列)[\u4e00-\u9fff]{0,6}。\[\d+\]$")
CITED_END_RE = re.compile(r"[。！？](\[\d+\])$")  # a composed sentence's full stop before its citation
CITE_RE = re.compile(r"\[\d+\]")
ITEM_MAX = 24  # an announced item this short is a heading ("坚持党的全面领导"), read as one list
PIECE_RE = re.compile(r"\.\d+$")  # ingest/chunker.py numbers a long paragraph's pieces "<id>.1", "<id>.2"
SentenceSims = Callable[[str, Sequence[str]], list[tuple[str, str, float]]]


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
        # a long paragraph is chunked in pieces ("…-p002.1", "…-p002.2", ingest/chunker.py): its sentences
        # that enumerate one after another may sit in two of them
        self.pieces: dict[str, list[Chunk]] = {}
        for c in chunks:
            if c.kind == "paragraph":
                self.pieces.setdefault(paragraph_key(c), []).append(c)
        self.tokenizer = bm25.tokenizer
        self.idf = bm25.bm25.idf

    # -- scoring ----------------------------------------------------------------------
    def weights(self, question: str) -> dict[str, float]:
        """Query words and their weights: the asker's own words count fully, words added from the
        colloquial table (看病 → 医疗卫生) at EXPANSION_WEIGHT, so a sentence that uses the asker's
        words beats one that only matches an expansion."""
        core, previous = carried_core(question)
        core = QUANTITY_WORD_RE.sub(" ", core)  # "多大规模": 多大 asks, 规模 is the content
        own = self.tokenizer.tokens(core)
        # "以后每年能涨多少（城里人收入…）" names nothing itself: the carried question's topic is its topic
        carried = CARRIED_WEIGHT if previous and names_topic(core, self.bm25) else 1.0
        out = {t: carried * self.idf.get(t, 0.5) for t in self.tokenizer.tokens(previous)}
        out.update({t: EXPANSION_WEIGHT * self.idf.get(t, 0.5) for t in self.tokenizer.query_tokens(core)})
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
        rank_prior = CARRIED_RANK_PRIOR if carried_core(question)[1] else RANK_PRIOR
        for h in hits[:depth]:
            prior = rank_prior / (h.rank + 1)
            heading = bare(h.chunk.group) if h.chunk.kind == "paragraph" else ""
            for s in statements(h.chunk):
                if len(s) >= 4:
                    score = (self._score(weights, s) + prior) * (1 + SENTENCE_WEIGHT * close(h.chunk, s))
                    if heading and bare(s) == heading:
                        score *= HEADING_ONLY  # a lead phrase names the topic; the sentences after it answer
                    score = ask.boost(s, score)
                    if h.chunk.kind == "table_row" and ask.figure and ask.years \
                            and not gives_figure_for(h.chunk, ask.years):
                        score *= ROW_WITHOUT_FIGURE
                    if h.chunk.kind == "table_row" and ask.figure and measures_change(h.chunk) \
                            and not CHANGE_ASK_RE.search(question):
                        score *= RATE_ROW_FOR_LEVEL  # "收入是多少" asks the level, not its growth rate
                    out.append(Candidate(s, h.chunk, score))
        out.sort(key=lambda c: -c.score)
        return out

    # -- answering --------------------------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], whole_box: bool = True) -> Answer:
        """`whole_box=False` for follow-ups ("还有呢", "这个投资多少"): the box was listed already."""
        if not hits:
            return Answer(question, "规划中未提及这方面的内容。", "none", MODE)
        listed = self.listed(question, hits, whole_box)
        if listed is not None:
            return listed
        picked = self.pick(question, hits)
        return compose(question, [(c.text, c.chunk) for c in picked], MODE)

    def listed(self, question: str, hits: Sequence[Hit], whole_box: bool = True) -> Answer | None:
        """A list the plan's structure gives (chat_app/lists.py); none in the sentence-only answerer."""
        return None

    def pick(self, question: str, hits: Sequence[Hit]) -> list[Candidate]:
        ask, weights = Ask.of(question), self.weights(question)
        cands = self._ranked(question, hits, ask, weights)
        if not cands:
            return []
        spread = self.spread(ask, cands)
        return self.finish(spread or self.gather(question, cands, ask, weights), ask)

    def gather(self, question: str, cands: list[Candidate], ask: Ask, weights: dict[str, float]) -> list[Candidate]:
        """The best sentence and up to two more that score close to it, within the length budget."""
        best = cands[0]
        limit = 3
        budget = LIST_BUDGET if ask.is_list else MAX_CHARS
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
            # "…是哪两个": a count asked is that many sentences, however far the others score below the best
            counted = len(picked) < min(ask.wanted, limit) and enumerated(best.text) < ask.wanted
            if len(picked) >= limit or (c.score < CLOSE_RATIO * best.score and c is not other and not counted):
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
        if ask.is_list and best.chunk.kind == "box_item" and len(best.chunk.text) <= 400:
            # a project question is answered by the whole item, not a fragment of it; the piece that names
            # what the question names beyond the box and line ("万固寺" in 国保文物保护工程) leads it
            tok = self.tokenizer.tokens
            named = {t for t in set(tok(best.text)) & set(tok(question)) if len(t) > 1} \
                - set(tok(f"{best.chunk.title} {best.chunk.group}"))
            whole = whole_item(best) if named else [Candidate(best.chunk.text, best.chunk, best.score)]
            if enumerated(best.chunk.text) < ask.wanted:  # the item holds fewer than were asked for: the rest stay
                whole += [c for c in picked[1:] if c.chunk.id != best.chunk.id]
            picked = whole
        return picked

    def spread(self, ask: Ask, cands: list[Candidate]) -> list[Candidate] | None:
        """"要打造哪几个功能圈": the plan names one per sentence ("…打造西部时尚运动圈。…打造东部医疗康养圈。");
        the sentences of the best chunk that each name an item of the asked kind, in the plan's order."""
        if not ask.kind or items_of_kind(cands[0].text, ask.kind) >= KIND_MIN:
            return None  # one sentence lists them already
        chunk = cands[0].chunk
        pieces = self.pieces.get(paragraph_key(chunk), [chunk]) if chunk.kind == "paragraph" else [chunk]
        named = [Candidate(s, c, cands[0].score) for c in sorted(pieces, key=lambda c: c.order)
                 for s in statements(c) if items_of_kind(s, ask.kind)]
        if len(named) < max(KIND_MIN, ask.wanted) or sum(len(c.text) for c in named) > LIST_BUDGET:
            return None
        return named

    def finish(self, picked: list[Candidate], ask: Ask) -> list[Candidate]:
        """Headings joined to what they head, rows re-read for the asked year, the subject named."""
        picked = without_lone_headings(picked)
        picked = [self.with_body(c, picked) for c in picked]
        # a table row re-read for this question: the asked year's figure first
        picked = [replace(c, text=render_row(c.chunk, ask.years)) if c.chunk.kind == "table_row" else c
                  for c in picked]
        picked = [headed(c) for c in picked]
        picked[0] = named_subject(picked[0])
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

def whole_item(best: Candidate) -> list[Candidate]:
    """A 专栏 item whole; when the piece that answers sits inside it ("自然村通硬化路建设 39 项…" in the
    四好农村路 line), that piece first and the rest of the item after it, so the first sentence answers."""
    whole = best.chunk.text
    start = whole.find(best.text)
    if start <= 0 or len(best.text) * 2 > len(whole):
        return [Candidate(whole, best.chunk, best.score)]
    rest = (whole[:start].rstrip() + whole[start + len(best.text):].lstrip("；;、，, ")).strip()
    lead = bare(best.chunk.group)
    if lead and rest.startswith(lead):  # the first sentence is opened with the line's name already
        rest = rest[len(lead):].lstrip("。：: ")
    return [best, Candidate(rest, best.chunk, best.score)]


def paragraph_key(chunk: Chunk) -> str:
    """The paragraph a chunk is a piece of: its id without the piece number."""
    return PIECE_RE.sub("", chunk.id)


def is_heading(c: Candidate) -> bool:
    return bool(c.chunk.group) and bare(c.text) == bare(c.chunk.group)


def without_lone_headings(picked: list[Candidate]) -> list[Candidate]:
    """"东南亚文化风情园项目。[1]该项目拟占地…[1]": a heading picked beside a sentence of its own chunk gives
    its place to that sentence (which the heading then opens, see named_subject), so the first sentence says
    something."""
    out: list[Candidate] = []
    for c in picked:
        body = next((p for p in picked if p is not c and p.chunk.id == c.chunk.id), None) if is_heading(c) else None
        if body is None:
            if c not in out:
                out.append(c)
        elif body not in out:
            out.append(body)
    return out


def headed(c: Candidate) -> Candidate:
    """"航天科技产业。北京光府…" → "航天科技产业：北京光府…": a heading and what it heads read as one sentence,
    so the first sentence a phone shows carries the content, not the heading alone."""
    lead = bare(c.chunk.group)
    if lead and c.text.startswith(lead + "。") and len(c.text) > len(lead) + 1:
        return replace(c, text=f"{lead}：{c.text[len(lead) + 1:]}")
    return c


def named_subject(c: Candidate) -> Candidate:
    """"支持大象集团…" says whom it supports but not for which cluster: the lead sentence is opened with
    the lead phrase of its paragraph or 专栏 line when it does not name it itself."""
    subject = bare(c.chunk.group)
    if (not subject or len(subject) > SUBJECT_MAX or subject in c.text or c.chunk.kind == "table_row"
            or (re.search(r"\d", subject) and subject not in c.chunk.text)):  # no figure from outside the chunk
        return c
    return replace(c, text=f"{subject}：{c.text}")


def announced(texts: list[str]) -> str:
    """"必须坚持以下原则。[1]坚持党的全面领导。[2]…" → "必须坚持以下原则[1]：坚持党的全面领导[2]、…。": a sentence
    ending in 以下/如下/下列 + noun points to what follows (general usage), so the short items it announces are
    read as its own enumeration, one sentence; longer items keep their sentences."""
    first = next((i for i, t in enumerate(texts[:-1]) if ANNOUNCE_RE.search(t)), None)
    if first is None:
        return "".join(texts)
    items = [CITED_END_RE.sub(r"\1", t) for t in texts[first + 1:]]
    if any(len(CITE_RE.sub("", t)) > ITEM_MAX for t in items):
        return "".join(texts)
    intro = CITED_END_RE.sub(r"\1", texts[first])
    return "".join(texts[:first]) + intro + "：" + "、".join(items) + "。"


def compose(question: str, parts: Sequence[tuple[str, Chunk]], mode: str,
            prefix: str = "", joiner: str = "") -> Answer:
    """Sentences in, cited plain-text answer out; one citation number per chunk. A list joined with "；"
    whose entries are all short headings ("发展现代物流业") reads as one enumeration, joined with "、"."""
    if joiner == "；" and all(len(t.rstrip("。；;")) <= ITEM_MAX for t, _ in parts):
        joiner = "、"
    cites: dict[str, Citation] = {}
    texts = []
    taken: dict[str, list[str]] = {}
    for text, chunk in parts:
        taken.setdefault(chunk.id, []).append(text)
    for text, chunk in parts:
        if chunk.id not in cites:
            # a long chunk is quoted by what the answer takes from it (all of it: no figure uncited)
            quote = chunk.text if len(chunk.text) <= QUOTE_MAX else "……".join(dict.fromkeys(taken[chunk.id]))
            cites[chunk.id] = Citation.of(len(cites) + 1, chunk, quote)
        text = text.rstrip("；;，,：:、")
        if not joiner and text[-1:] not in ("。", "！", "？", "”", "）"):
            text += "。"  # a list entry or a trimmed clause still ends as a sentence
        texts.append(f"{text}[{cites[chunk.id].n}]")
    body = joiner.join(texts) if joiner else announced(texts)
    if joiner and not body.endswith("。"):
        body += "。"
    return Answer(question, prefix + body, "direct", mode, tuple(cites.values()))
