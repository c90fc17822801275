"""The assistant: follow-up → Query → injection check → retrieval → checks (place, support model, premise)
→ an answer composed for the decided support level → history.

Every entry point (CLI, HTTP, Gradio, widget) calls ``Assistant.ask`` or ``Assistant.stream``, so all of
them get the same checks and the same answers.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from chat_app.checks import Check, ForeignPlaceCheck, InjectionCheck, PremiseCheck, SupportCheck
from chat_app.config import Settings
from chat_app.followups import resolve
from chat_app.lists import StructuredAnswerer
from chat_app.overview import SectionOverview
from chat_app.parts import answer_parts, split_parts
from chat_app.query import subject, understand
from chat_app.schema import Answer, Decision, Query, echo
from chat_app.sessions import SessionStore
from chat_app.storage import Store, open_store
from chat_app.signals import Evidence, gather
from chat_app.support import SupportModel
from ingest.schema import Hit
from ingest.store import read_chunks
from retriever.factory import RetrieverSet, build_retrievers

INJECTION_REPLY = "我只能根据《永济市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》回答问题，无法执行其他指令。"
NOT_MENTIONED = "抱歉，规划中未提及这方面的内容。"
RELATED_TAIL = "以下是规划中与此最相关的原文："
SUGGESTIONS = 3  # nearest sections offered after a refusal
# How the related answer names what the plan lacks ("关于“五老峰门票”，规划没有写明具体金额。").
DETAIL_PHRASES = {"金额": "具体金额", "人数": "具体人数", "长度": "具体长度", "数量": "具体数量",
                  "面积": "具体面积", "具体时间": "具体时间", "具体钟点": "具体钟点", "年代": "年代",
                  "具体地点": "具体地点", "负责单位": "负责单位", "办理方式": "办理方式"}


class QuestionError(ValueError):
    """Bad user input; the message is Chinese and safe to show."""


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


def refusal(question: str, hits: list[Hit], decision: Decision) -> Answer:
    """A short "not in the plan" with the nearest sections, each offered as a one-tap follow-up."""
    sections = nearest_sections(hits)
    if decision.reason == "injection":
        return Answer(question, INJECTION_REPLY, "none", "extractive", notes=(decision.note,))
    places = "；".join(f"{short_place(c, s)}“{s.split(' ', 1)[-1]}”" for c, s in sections)
    tail = f"与您的问题最接近的章节有：{places}。" if sections else ""
    asks = tuple(f"规划中“{s.split(' ', 1)[-1]}”这一节讲了什么？" for _, s in sections)
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


class Assistant:
    def __init__(self, settings: Settings | None = None, retrievers: RetrieverSet | None = None,
                 sessions: Store | None = None, support_model: SupportModel | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.retrievers = retrievers or build_retrievers(
            read_chunks(), embedding=self.settings.embedding, index_dir=self.settings.index_dir, progress=False)
        self.retriever = self.retrievers.get(self.settings.retriever)
        self.extractive = StructuredAnswerer(self.retrievers.bm25, self.retrievers.chunks,
                                             self.retrievers.dense.sentence_similarities)
        self.sessions = sessions or open_store(self.settings)
        chunks = self.retrievers.chunks
        headings = dict.fromkeys(h for c in chunks for h in (c.chapter, c.section, c.title) if h)
        self.plan_text = "\n".join(list(headings) + [c.text for c in chunks])
        self.overview = SectionOverview(chunks)
        self.support = SupportCheck(self.retrievers, support_model or SupportModel.load())
        self.checks: tuple[Check, ...] = (ForeignPlaceCheck(self.plan_text), self.support)
        self.injection = InjectionCheck()
        self.premise = PremiseCheck(self.retrievers, self.plan_text)
        from chat_app.llm import make_llm_answerer

        self.llm = make_llm_answerer(self.settings)

    # -- input ------------------------------------------------------------------------
    def validate(self, question: object) -> str:
        if not isinstance(question, str):
            raise QuestionError("问题必须是文字。")
        q = question.strip()
        if not q:
            raise QuestionError("问题不能为空。")
        try:
            q.encode("utf-8")
        except UnicodeEncodeError:
            raise QuestionError("问题中含有无法识别的字符，请检查后重新输入。") from None
        if len(q) > self.settings.max_question_chars:
            raise QuestionError(f"问题太长了（{len(q)} 字），请控制在 {self.settings.max_question_chars} 字以内。")
        return q

    def standalone(self, question: str, history: list[dict]) -> tuple[str, set[str]]:
        """Offline follow-up rewriting (chat_app/followups.py); the LLM answerers may condense instead."""
        r = resolve(question, history)
        return r.standalone, set(r.exclude)

    # -- answering ----------------------------------------------------------------------
    def ask(self, question: object, session_id: str | None = None, use_llm: bool = True) -> Answer:
        q = self.validate(question)
        sid = session_id or SessionStore.new_id()
        history = self.sessions.history(sid) if session_id else []
        resolved = resolve(q, history)
        standalone, exclude = resolved.standalone, set(resolved.exclude)
        if self.llm is not None and use_llm and history:
            standalone = self.llm.condense(q, history) or standalone
        # "还有呢" and "这个投资多少（专栏3…有哪些）" ask past what the structure would list again
        structural = not exclude and not resolved.carried
        answer = self._answer(q, standalone, exclude, use_llm, structural)
        answer = replace(answer, standalone=standalone, session_id=sid)
        return replace(answer, turn=self.sessions.add_turn(sid, answer))

    def _answer(self, q: str, standalone: str, exclude: set[str], use_llm: bool, structural: bool = True) -> Answer:
        query = understand(q, standalone, self.retrievers.bm25, frozenset(exclude))
        injected = self.injection.decide(query, Evidence((), ()))
        if injected is not None:
            return refusal(q, [], injected)
        listed = (self.overview.answer(standalone) or self.extractive.whole_box(standalone)) if structural else None
        if listed is not None:  # "专栏3有哪些项目", "“X”这一节讲了什么": the structure answers it
            return replace(listed, question=q, notes=("answered from the plan's structure",))
        evidence = self.evidence(query)
        parts = self._parts(standalone, exclude)
        decision = self._by_parts(self.decide(query, evidence), parts)
        hits = list(evidence.hits)
        if decision.support == "none":
            return refusal(q, hits, decision)
        # a corrected claim is answered without its "为什么/听说": what the plan does say about the topic
        premise = decision.reason == "false_premise" and NEGATIVE_VERB_STRIP.sub("", standalone)
        base = replace(self._compose(premise or standalone, hits, structural, [] if premise else parts),
                       question=q)
        if decision.support == "related":
            text = related_lead(query, decision) + base.answer
            return replace(base, answer=text, support="related", notes=(decision.note,))
        base = replace(base, notes=(decision.note,))
        if self.llm is None or not use_llm:
            return base
        return self.llm.answer(q, standalone, hits, fallback=base)

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
                 parts: list[tuple[Query, Evidence]]) -> Answer:
        """The extractive answer; a question asking several things gets one sentence per part, each
        from its own evidence, unless the plan's structure lists the answer whole."""
        if parts and hits and self.extractive.listed(standalone, hits, structural) is None:
            evidence = [(pq.standalone, list(pe.hits)) for pq, pe in parts]
            split = answer_parts(self.extractive, standalone, hits, evidence)
            if split is not None:
                return split
        return self.extractive.answer(standalone, hits, structural)

    def decide(self, query: Query, evidence: Evidence) -> Decision:
        """The first check with an objection wins; the support model always decides; a false
        premise turns an answer into a correction."""
        decision = next(d for d in (c.decide(query, evidence) for c in self.checks) if d is not None)
        if decision.support != "none":
            corrected = self.premise.decide(query, evidence)
            if corrected is not None:
                return replace(corrected, note=f"{corrected.note}; {decision.note}")
        return decision

    def evidence(self, query: Query) -> Evidence:
        return gather(self.retrievers, self.settings.retriever, query)

    def stream(self, question: object, session_id: str | None = None) -> Iterator[dict]:
        """Events for SSE: token pieces, then citations (with the support level), then done. The
        checks need the whole answer (an LLM's too), so the checked text is streamed after it."""
        answer = self.ask(question, session_id)
        for i in range(0, len(answer.answer), 6):
            yield {"type": "token", "text": answer.answer[i:i + 6]}
        yield answer.citations_event()
        yield {"type": "done"}


NEGATIVE_VERB_STRIP = re.compile(r"为什么|为何|为啥|听说|真的假的|是不是")
