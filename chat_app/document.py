"""One plan document's answering: retrieval → checks (place, support model, premise) → an answer composed
for the decided support level. The assistant (chat_app/engine.py) owns one per library document and
routes each question to one of them, or to several for a comparison (chat_app/compare.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from chat_app.checks import Check, DirectiveCheck, ForeignPlaceCheck, PremiseCheck, SupportCheck
from chat_app.guards import figures_asked, names_topic, topic_words
from chat_app.lists import StructuredAnswerer
from chat_app.outline import SectionOutline
from chat_app.overview import SectionOverview
from chat_app.parts import answer_parts, split_parts
from chat_app.plan_lines import line_names
from chat_app.query import subject, understand
from chat_app.schema import Answer, Decision, Query, echo
from chat_app.scope import SCOPE_DEPTH, scoped
from chat_app.signals import Evidence, gather, varied
from chat_app.support import SupportModel
from corpus import BUNDLED_ID, BUNDLED_PERIOD, BUNDLED_REGION, BUNDLED_TITLE
from ingest.meta import plan_number, region_names, short_name
from ingest.schema import Hit
from retriever.factory import RetrieverSet

NOT_MENTIONED = "抱歉，规划中未提及这方面的内容。"
RELATED_TAIL = "以下是规划中与此最相关的原文："
SUGGESTIONS = 3  # nearest sections offered after a refusal
ANSWER_HITS = 8  # passages an answer is composed from (signals.gather's k)
# How the related answer names what the plan lacks ("关于“五老峰门票”，规划没有写明具体金额。").
DETAIL_PHRASES = {"金额": "具体金额", "人数": "具体人数", "长度": "具体长度", "数量": "具体数量",
                  "面积": "具体面积", "具体时间": "具体时间", "具体钟点": "具体钟点", "年代": "年代",
                  "具体地点": "具体地点", "负责单位": "负责单位", "办理方式": "办理方式"}
NEGATIVE_VERB_STRIP = re.compile(r"为什么|为何|为啥|听说|真的假的|是不是")
SUPPORT_RANK = {"direct": 2, "related": 1, "none": 0}


@dataclass(frozen=True)
class DocumentMeta:
    """What answers need to know about the document they come from."""

    id: str = BUNDLED_ID
    title: str = BUNDLED_TITLE
    region: str = BUNDLED_REGION
    period: str = BUNDLED_PERIOD

    @property
    def short(self) -> str:
        """"十四五" (from the title's 第十四个五年)."""
        return short_name(plan_number(self.title))

    @property
    def name(self) -> str:
        """How a reply names the plan: "永济市“十四五”规划"."""
        return f"{self.region}“{self.short}”规划" if self.region and self.short else f"《{self.title}》"

    def public(self) -> dict:
        return {"id": self.id, "title": self.title, "region": self.region, "period": self.period, "name": self.name}

    @property
    def home(self) -> tuple[str, ...]:
        return tuple(n for n in region_names(self.region) if n not in ("全国", "国家")) or ("中国",)


@dataclass(frozen=True)
class Drafted:
    """One document's answer before history and the LLM: ``hits`` are what an LLM may rewrite a direct
    answer from (empty: keep it as it is)."""

    answer: Answer
    hits: tuple[Hit, ...] = ()


def nearest_sections(hits: list[Hit], n: int = SUGGESTIONS) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for h in hits:
        key = (h.chunk.chapter, h.chunk.section)
        if h.chunk.section and key not in out:
            out.append(key)
    return out[:n]


def short_place(chapter: str, section: str) -> str:
    """"第九章 持续增进…", "第三节 办好…" → "第九章第三节"."""
    return chapter.split(" ", 1)[0] + section.split(" ", 1)[0]


SECTION_ASK = "规划中“{}”这一节讲了什么？"


def section_asks(sections: list[tuple[str, str]]) -> tuple[str, ...]:
    """One-tap follow-ups for sections ("规划中“办好人民满意教育”这一节讲了什么？")."""
    return tuple(SECTION_ASK.format(s.split(" ", 1)[-1]) for _, s in sections)


def refusal(question: str, hits: list[Hit], decision: Decision) -> Answer:
    """A short "not in the plan" with the nearest sections, each offered as a one-tap follow-up."""
    sections = nearest_sections(hits)
    places = "；".join(f"{short_place(c, s)}“{s.split(' ', 1)[-1]}”" for c, s in sections)
    tail = f"与您的问题最接近的章节有：{places}。" if sections else ""
    asks = section_asks(sections)
    return Answer(question, f"{decision.lead or NOT_MENTIONED}{tail}", "none", "extractive",
                  notes=(decision.note,), suggestions=asks)


def related_lead(query: Query, decision: Decision) -> str:
    if decision.lead:
        return decision.lead
    what = subject(query)
    detail = DETAIL_PHRASES.get(decision.detail, "")
    if detail:
        about = f"关于“{echo(what)}”，" if what else ""
        return f"{about}规划没有写明{detail}。{RELATED_TAIL}"
    return f"规划可能没有直接回答这个问题。{RELATED_TAIL}"


class PlanDocument:
    """Everything that depends on one document's text, built once per process."""

    def __init__(self, retrievers: RetrieverSet, support_model: SupportModel, retriever: str = "hybrid",
                 meta: DocumentMeta | None = None) -> None:
        self.meta = meta or DocumentMeta()
        self.retrievers = retrievers
        self.retriever_kind = retriever
        self.retriever = retrievers.get(retriever)
        self.extractive = StructuredAnswerer(retrievers.bm25, retrievers.chunks,
                                             retrievers.dense.sentence_similarities)
        chunks = retrievers.chunks
        headings = dict.fromkeys(h for c in chunks for h in (c.chapter, c.section, c.title) if h)
        self.plan_text = "\n".join(list(headings) + [c.text for c in chunks])
        self.line_siblings = line_names(chunks)
        self.overview = SectionOverview(chunks, retrievers.bm25)
        self.outline = SectionOutline(self.extractive.by_section)
        self.support = SupportCheck(retrievers, support_model)
        places = ForeignPlaceCheck(self.plan_text, self.meta.home, self.meta.name)
        self.checks: tuple[Check, ...] = (DirectiveCheck(retrievers, support_model), places, self.support)
        self.premise = PremiseCheck(retrievers, self.plan_text)

    def draft(self, q: str, standalone: str, exclude: set[str], structural: bool = True) -> Drafted:
        query = understand(q, standalone, self.retrievers.bm25, frozenset(exclude))
        listed = (self.overview.answer(standalone) or self.extractive.whole_box(standalone)) if structural else None
        if listed is not None:  # "专栏3有哪些项目", "“X”这一节讲了什么": the structure answers it
            answer = replace(listed, question=q, notes=("answered from the plan's structure",))
            return Drafted(answer)
        evidence = self.evidence(query)
        parts = self._parts(standalone, exclude)
        decision = self._by_parts(self.decide(query, evidence), parts)
        if decision.support == "none":
            return Drafted(refusal(q, list(evidence.hits), decision))
        hits = varied(self.retrievers, self.retriever_kind, evidence, frozenset(exclude))
        if not parts:  # a question in parts is scoped part by part: "A在第九章与B在专栏2中…"
            hits = self.scoped(standalone, evidence, hits, frozenset(exclude))
        # a corrected claim is answered without its "为什么/听说" and its figure: what the plan does say
        premise = decision.reason == "false_premise" and figures_asked(NEGATIVE_VERB_STRIP.sub("", standalone))
        base = replace(self._compose(premise or standalone, hits, structural, [] if premise else parts, not exclude),
                       question=q)
        if decision.support == "related":
            text = related_lead(query, decision) + base.answer
            # the sections it quotes, as one-tap follow-ups: the asked detail may be elsewhere in them
            cited = list(dict.fromkeys((c.chapter, c.section) for c in base.citations if c.section))[:SUGGESTIONS]
            return Drafted(replace(base, answer=text, support="related", notes=(decision.note,),
                                   suggestions=section_asks(cited)))
        return Drafted(replace(base, notes=(decision.note,)), tuple(hits))

    def topical(self, question: str) -> bool:
        return names_topic(question, self.retrievers.bm25)

    def topics(self, question: str) -> set[str]:
        """The rarer words of the plan a question names (a follow-up naming new ones changes the subject)."""
        return topic_words(question, self.retrievers.bm25)

    def siblings(self, name: str) -> frozenset[str]:
        """The other lines of the 专栏 line a follow-up names ("新业态" → 新装备, …), or none."""
        return self.line_siblings.get(name, frozenset())

    def knows(self, word: str) -> bool:
        """Whether the plan writes a word (a follow-up's bare name "虞乡" completed as 虞乡镇)."""
        return word in self.plan_text

    def strength(self, standalone: str) -> float:
        """The question's closeness to this document's best sentence: one embedding model for all
        documents, so it compares across them (the support model's inputs are per-document ranks)."""
        scores = self.retrievers.dense.sentence_scores(standalone)
        return float(scores.max()) if len(scores) else 0.0

    def _parts(self, standalone: str, exclude: set[str]) -> list[tuple[Query, Evidence]]:
        """Each part of a question that asks several things, with its own retrieval (chat_app/parts.py)."""
        parts = split_parts(standalone, self.retrievers.bm25)
        if len(parts) < 2:
            return []
        queries = [understand(p, p, self.retrievers.bm25, frozenset(exclude)) for p in parts]
        return [(pq, self.evidence(pq)) for pq in queries]

    def _by_parts(self, decision: Decision, parts: list[tuple[Query, Evidence]]) -> Decision:
        """A two-part question blurs the signals of both; when the model finds each part answered
        directly on its own evidence, the whole is."""
        if decision.support != "related" or decision.reason != "model" or not parts:
            return decision
        if all(self.support.decide(pq, pe).support == "direct" for pq, pe in parts):
            return replace(decision, support="direct", note=f"{decision.note}; each part direct")
        return decision

    def _compose(self, standalone: str, hits: list[Hit], structural: bool,
                 parts: list[tuple[Query, Evidence]], outline: bool = True) -> Answer:
        """The extractive answer; a question asking several things gets one sentence per part, each
        from its own evidence, unless the plan's structure lists the answer whole."""
        if parts and hits and self.extractive.listed(standalone, hits, structural) is None:
            evidence = [(pq.standalone, self.scoped(pq.standalone, pe, list(pe.hits), pq.exclude)) for pq, pe in parts]
            split = answer_parts(self.extractive, standalone, hits, evidence)
            if split is not None:
                return split
        answer = self.extractive.answer(standalone, hits, structural)
        # "还有呢" asks past what was given: the section's headings are not repeated; a carried follow-up
        # ("空气污染又咋治（…）") asks afresh and gets them
        return self.outline.extend(standalone, answer, hits) if outline else answer

    def decide(self, query: Query, evidence: Evidence) -> Decision:
        """The first check with an objection wins; the support model always decides; a false
        premise turns an answer into a correction."""
        decision = next(d for d in (c.decide(query, evidence) for c in self.checks) if d is not None)
        if decision.support != "none":
            corrected = self.premise.decide(query, evidence)
            if corrected is not None:
                return replace(corrected, note=f"{corrected.note}; {decision.note}")
        return decision

    def scoped(self, question: str, evidence: Evidence, hits: list[Hit], exclude: frozenset[str]) -> list[Hit]:
        """The passages an answer is composed from: `hits`, or the places the question names
        ("第八章第四节…", "专栏2中…", chat_app/scope.py), searched deeper in the same voices."""
        def deeper() -> list[Hit]:
            fused = self.retrievers.hybrid.fuse(evidence.voices, SCOPE_DEPTH + len(exclude))
            return [h for h in fused if h.chunk.id not in exclude]
        return scoped(question, hits, deeper, max(len(hits), ANSWER_HITS))

    def evidence(self, query: Query) -> Evidence:
        return gather(self.retrievers, self.retriever_kind, query)
