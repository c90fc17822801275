"""Multi-part questions: "老旧小区改造多少个，停车场建多少个？" asks two things, each with its own answer.

A question splits where one asking clause ends and another begins: at "？"/"；", or at "，" when the clause
after it asks on its own (it has a question word, general Chinese: 多少/几/哪/啥/吗…). A clause that names
no topic of its own ("是哪个节目啊", "规划里咋说的") stays with the one before it. Each part is then
retrieved and answered on its own, in the question's order.
"""
from __future__ import annotations

import re
from dataclasses import replace
from collections.abc import Sequence

from chat_app.ask import Ask
from chat_app.coordination import coordinated
from chat_app.extractive import MODE, Candidate, ExtractiveAnswerer, compose
from chat_app.followups import CARRIED_CORE_MAX  # a part read as "part（previous part）", as a carried follow-up
from chat_app.guards import topic_words
from chat_app.lexicon import ASKING_RE, DEICTIC_RE
from chat_app.statements import bare
from chat_app.schema import Answer
from ingest.schema import Hit
from retriever.bm25 import BM25Retriever

HARD_SPLIT_RE = re.compile(r"[？?；;]")
SOFT_SPLIT_RE = re.compile(r"[，,]|还有|另外|以及")
# General Chinese enumerators that number what follows: 一是/二是…, 其一/其二, ①②… (at a clause's start or
# after its colon: "关于数字化：一是…").
ENUMERATOR_RE = re.compile(r"(?:^|[：:])\s*(?:[一二三四五六七八九]是|其[一二三四五六七八九](?![他它中实次余])|[①-⑨])")
PART_MIN_CHARS = 4  # "在哪建" is a part; "啊" is not
MAX_PARTS = 3  # more than three asks in one message reads as a list request, answered whole
EXTRA_SENTENCES = 1  # after the parts' own sentences, the whole question's best other sentence


def clauses(question: str) -> list[str]:
    """Asking clauses in order; a clause that asks nothing stays with the one before it, except a new
    sentence's opening clause when its sentence asks later: "…？另外图书馆说要搬家，搬到哪" — the
    clause sets the topic of the ask after it (general usage: a sentence's topic comes first)."""
    out: list[str] = []
    for piece in HARD_SPLIT_RE.split(question):
        pieces = [c.strip() for c in SOFT_SPLIT_RE.split(piece) if c.strip()]
        for i, clause in enumerate(pieces):
            opens = (i == 0 and len(pieces) > 1 and len(clause) >= PART_MIN_CHARS and bool(out) and asks(out[-1])
                     and any(map(asks, pieces[1:])))
            if out and not opens and (len(clause) < PART_MIN_CHARS or not asks(clause) or not asks(out[-1])):
                out[-1] += "，" + clause
            else:
                out.append(clause)
    return out


def asks(clause: str) -> bool:
    """A question word, or an enumerator that numbers the asks ("一是…目标；二是…的2020年值")."""
    return bool(ASKING_RE.search(clause) or ENUMERATOR_RE.search(clause))


def split_parts(question: str, bm25: BM25Retriever) -> list[str]:
    """The standalone parts of a multi-part question, or [question] when it asks one thing."""
    parts = clauses(question)
    if len(parts) == 1:  # one clause may still ask about two things: "A和B分别是多少" (chat_app/coordination.py)
        general = getattr(bm25.tokenizer, "general", None)  # jieba with the plan's words, when BM25 uses it
        parts = (coordinated(question, general.tokenize) if general else coordinated(question)) or parts
    if not 1 < len(parts) <= MAX_PARTS:
        return [question]
    out = [parts[0]]
    for part in parts[1:]:
        topical = bool(topic_words(part, bm25))
        own_time = Ask.of(part).years - Ask.of(out[-1]).years  # "现在几家？到2025年多少家？": another year asked
        if not topical and not own_time:  # "是哪个节目啊", "规划里咋说的": the previous part again
            out[-1] = f"{out[-1]}，{part}"
        elif (DEICTIC_RE.search(part) or not topical) and len(part) <= CARRIED_CORE_MAX:
            out.append(f"{part}（{out[-1]}）")  # "专栏2中该指标…": what it points at is the previous part's
        else:
            out.append(part)
    return out if len(out) > 1 else [question]


def answer_parts(answerer: ExtractiveAnswerer, question: str, hits: Sequence[Hit],
                 parts: Sequence[tuple[str, Sequence[Hit]]]) -> Answer | None:
    """Each part's best sentence from its own evidence, in the question's order, then what the whole
    question's answer adds; None when one sentence answers every part (the single answer reads better)."""
    leads: list[Candidate] = []
    for part, part_hits in parts:
        best = next(iter(answerer.pick(part, part_hits)), None)
        if best is not None and _core(best) not in {_core(c) for c in leads}:
            if any(c.chunk.group and c.chunk.group == best.chunk.group for c in leads):
                best = replace(best, text=_core(best))  # the paragraph's lead phrase is said once
            leads.append(best)  # a sentence answering two parts is given once
    if len(leads) < 2:
        return None
    rest = [c for c in answerer.pick(question, hits) if _core(c) not in {_core(p) for p in leads}]
    return compose(question, [(c.text, c.chunk) for c in leads + rest[:EXTRA_SENTENCES]], MODE)


def _core(c: Candidate) -> str:
    """A picked sentence without the lead phrase the answerer may have opened it with."""
    lead = bare(c.chunk.group)
    return c.text.removeprefix(f"{lead}：") if lead else c.text
