"""The assistant: follow-up rewriting → guards → retrieval → answerer → guards → history.

Every entry point (CLI, HTTP, Gradio, widget) calls ``Assistant.ask`` or
``Assistant.stream``, so all of them get the same guards and the same answers.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from chat_app.config import Settings
from chat_app.extractive import ExtractiveAnswerer, pieces_of, statements
from chat_app.guards import (COVERAGE_THRESHOLD, PEAK_THRESHOLD, Coverage, coverage, foreign_places, is_injection,
                             invented_quote, missing_detail, negative_premise, peak, topic_words)
from chat_app.sessions import SessionStore
from ingest.schema import Answer, Hit
from ingest.store import read_chunks
from retriever.factory import RetrieverSet, build_retrievers

FOLLOWUP_RE = re.compile(r"^(那|那么|还有|另外|这个|那个|它|其|该|此|具体|什么时候|啥时候|啥时|多少|哪些|有哪些|然后)")
# "生物医药制药产业呢？" — a short "and X?" names a new subject for the previous question
ABOUT_RE = re.compile(r"^[^？?，,。]{2,14}呢[？?。！!]*$")
MORE_RE = re.compile(r"^(还有|其他|别的|另外|更多)(呢|吗|的|些)?[呢吗？?。！!]*$")
INJECTION_REPLY = "我只能根据《永济市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》回答问题，无法执行其他指令。"


class QuestionError(ValueError):
    """Bad user input; the message is Chinese and safe to show."""


def refusal(question: str, hits: list[Hit], why: str, lead: str = "抱歉，规划中未提及这方面的内容。") -> Answer:
    places = []
    for h in hits[:5]:
        place = " ".join(p for p in (h.chunk.chapter, h.chunk.section) if p)
        if place and place not in places:
            places.append(place)
    tail = f"与您的问题最接近的章节有：{'；'.join(places[:3])}。" if places else ""
    return Answer(question, f"{lead}{tail}", True, "extractive", notes=(why,))


class Assistant:
    def __init__(self, settings: Settings | None = None, retrievers: RetrieverSet | None = None,
                 sessions: SessionStore | None = None) -> None:
        self.settings = settings or Settings.from_env()
        self.retrievers = retrievers or build_retrievers(
            read_chunks(), embedding=self.settings.embedding, index_dir=self.settings.index_dir, progress=False)
        self.retriever = self.retrievers.get(self.settings.retriever)
        self.extractive = ExtractiveAnswerer(self.retrievers.bm25, self.retrievers.chunks)
        self.sessions = sessions or SessionStore(self.settings.db_path)
        self.plan_text = "\n".join(f"{c.title}\n{c.text}" for c in self.retrievers.chunks)
        from chat_app.llm import make_llm_answerer

        self.llm = make_llm_answerer(self.settings)

    # -- input ------------------------------------------------------------------------
    def validate(self, question: object) -> str:
        if not isinstance(question, str):
            raise QuestionError("问题必须是文字。")
        q = question.strip()
        if not q:
            raise QuestionError("问题不能为空。")
        if len(q) > self.settings.max_question_chars:
            raise QuestionError(f"问题太长了（{len(q)} 字），请控制在 {self.settings.max_question_chars} 字以内。")
        return q

    def standalone(self, question: str, history: list[dict]) -> tuple[str, set[str]]:
        """Offline follow-up rewriting: carry the topic of the previous turn."""
        if not history:
            return question, set()
        prev = history[-1]
        if MORE_RE.match(question):
            return prev["standalone"], set(prev["cited"])
        short = FOLLOWUP_RE.match(question) or len(question) <= 8
        if short or ABOUT_RE.match(question):
            core = re.sub(r"^(那么|那|还有|另外|然后)", "", question).strip("呢吗？?。 ")
            swapped = substitute(core, prev["standalone"])
            if swapped:
                return swapped, set()
            if short:  # too short to stand alone: lean on the previous question
                return f"{core}（{prev['standalone'].rstrip('？?。')}）", set()
        return question, set()

    # -- answering ----------------------------------------------------------------------
    def ask(self, question: object, session_id: str | None = None, use_llm: bool = True) -> Answer:
        q = self.validate(question)
        sid = session_id or SessionStore.new_id()
        history = self.sessions.history(sid) if session_id else []
        standalone, exclude = self.standalone(q, history)
        if self.llm is not None and use_llm and history:
            standalone = self.llm.condense(q, history) or standalone
        answer = self._answer(q, standalone, exclude, use_llm)
        answer = replace(answer, standalone=standalone, session_id=sid)
        self.sessions.add_turn(sid, answer)
        return answer

    def _answer(self, q: str, standalone: str, exclude: set[str], use_llm: bool) -> Answer:
        if is_injection(q):
            return Answer(q, INJECTION_REPLY, True, "extractive", notes=("injection",))
        hits, cov = self.evidence(standalone, exclude)
        boxed = self.extractive.whole_box(standalone)
        if boxed is not None:  # "专栏3有哪些项目": the box exists, list it
            return replace(boxed, question=q)
        elsewhere = foreign_places(q, self.plan_text)
        if elsewhere:
            return refusal(q, [], f"places not in the plan: {' '.join(elsewhere)}",
                           lead=f"抱歉，本助手只回答永济市“十四五”规划的内容，规划中没有涉及“{'、'.join(elsewhere)}”。")
        quoted = invented_quote(q, self.plan_text)  # "定位为“国际航空物流枢纽”": words the plan never uses
        weak = f"抱歉，规划中并没有“{quoted}”的提法。" if quoted else "抱歉，规划中未提及这方面的内容。"
        if cov.score < COVERAGE_THRESHOLD:
            missing = " ".join(cov.missing)
            return refusal(q, hits, f"coverage {cov.score:.2f} < {COVERAGE_THRESHOLD} (missing: {missing})", weak)
        z = self.peak(standalone) if cov.missing else PEAK_THRESHOLD  # every word found: no need to ask the embedding
        if z < PEAK_THRESHOLD:
            return refusal(q, hits, f"no passage stands out: dense peak z {z:.2f} < {PEAK_THRESHOLD}", weak)
        detail = self.missing_detail(standalone, hits)
        if detail:
            return refusal(q, hits, f"the evidence gives no {detail} about the topic",
                           lead=f"抱歉，规划中没有写明您问的{detail}。")
        if quoted:
            return self._correct_premise(q, quoted, hits)
        verb = negative_premise(q)
        if verb and not self.premise_stated(q, verb, hits):
            return self._correct_premise(q, verb, hits)
        base = self.extractive.answer(standalone, hits)
        base = replace(base, question=q)
        if self.llm is None or not use_llm:
            return base
        return self.llm.answer(q, standalone, hits, fallback=base)

    def evidence(self, standalone: str, exclude: set[str] | frozenset[str] = frozenset()) -> tuple[list[Hit], Coverage]:
        """The hits an answer may use and how much of the question they cover (the refusal signal)."""
        hits = [h for h in self.retriever.search(standalone, 10 + len(exclude)) if h.chunk.id not in exclude][:8]
        return hits, coverage(standalone, hits, self.retrievers.bm25)

    def peak(self, standalone: str) -> float:
        """How clearly one passage stands out for the question. "签多少钱的项目？能开工多少？" asks
        two things, which blurs one embedding, so each part also gets its own chance."""
        parts = [p for p in re.split(r"[？?]", standalone) if len(p.strip()) >= 4]
        texts = [standalone] + (parts if len(parts) > 1 else [])
        return max(peak(self.retrievers.dense.scores(t)) for t in texts)

    def missing_detail(self, standalone: str, hits: list[Hit]) -> str:
        """"多少钱" with no sum of money about the topic in the top passages → what is missing ("金额数字")."""
        pieces = [p for h in hits[:6] for p in statements(h.chunk)]
        # "有没有建充电桩的？在哪建": the first question is the main one; a missing detail in a
        # follow-up part does not sink what the plan does say about the first
        first = next((p for p in re.split(r"[？?]", standalone) if len(p.strip()) >= 4), standalone)
        return missing_detail(standalone, pieces, self.retrievers.bm25, asking=first)

    def premise_stated(self, q: str, verb: str, hits: list[Hit]) -> bool:
        """Does a top passage say `verb` about what the question is about? "不得" somewhere in the
        plan does not make "评估不得引入第三方" true: the verb and a topic word share a sentence."""
        tok = self.retrievers.bm25.tokenizer
        topic = {t for t in topic_words(q, self.retrievers.bm25) if verb not in t and t not in verb}
        return any(verb in s and (not topic or topic & set(tok.tokens(s)))
                   for h in hits[:5] for s in pieces_of(h.chunk))

    def _correct_premise(self, q: str, claim: str, hits: list[Hit]) -> Answer:
        """"为何要撤销X" (or "定位为“…”" in words the plan never uses) when the plan says nothing of
        the sort: say so, quote what it does say."""
        base = self.extractive.answer(re.sub(NEGATIVE_VERB_STRIP, "", q), hits)
        text = f"规划中并没有“{claim.strip('“”')}”的提法，这个说法与规划原文不符。规划原文是：{base.answer}"
        return replace(base, question=q, answer=text, notes=("false premise",))

    def stream(self, question: object, session_id: str | None = None) -> Iterator[dict]:
        """Events for SSE: token pieces, then citations, then done."""
        if self.llm is not None:
            yield from self.llm.stream_events(self, question, session_id)
            return
        answer = self.ask(question, session_id)
        for i in range(0, len(answer.answer), 6):
            yield {"type": "token", "text": answer.answer[i:i + 6]}
        yield citations_event(answer)
        yield {"type": "done"}


CATEGORY_CHARS = frozenset("镇村乡区县市院校园站湖山寺楼馆厂局所库路河")
BOUNDARY_CHARS = frozenset("的中在和与及是要把对为从到了吗呢，,。？?！!“”\"《》（）()、：: ")


def substitute(core: str, previous: str) -> str | None:
    """"蒲州镇呢" after "卿头镇以后要发展成个啥样" → "蒲州镇以后要发展成个啥样": the follow-up names
    a sibling of something in the previous question (same ending: 镇, 产业, 绿化工程), so swap it in."""
    for n in range(min(len(core) - 1, 4), 0, -1):
        ending = core[-n:]
        if n == 1 and ending not in CATEGORY_CHARS:
            continue
        end = previous.find(ending)
        if end < 0:
            continue
        start = end
        while start > 0 and previous[start - 1] not in BOUNDARY_CHARS and not previous[start - 1].isdigit() \
                and end + n - start < 10:
            start -= 1
        old = previous[start:end + n]
        if old != core and len(old) > n:
            return previous[:start] + core + previous[end + n:]
    return None


NEGATIVE_VERB_STRIP = re.compile(r"为什么|为何|为啥|听说|真的假的|是不是")


def citations_event(answer: Answer) -> dict:
    return {"type": "citations", "citations": [c.to_dict() for c in answer.citations],
            "refused": answer.refused, "mode": answer.mode, "session_id": answer.session_id}
