"""The assistant: follow-up → Query → injection check → retrieval → checks (place, support model, premise)
→ an answer composed for the decided support level → history.

Every entry point (CLI, HTTP, Gradio, widget) calls ``Assistant.ask`` or ``Assistant.stream``, so all of
them get the same checks and the same answers.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import numpy as np

from chat_app.checks import InjectionCheck
from chat_app.compare import Comparison, comparison_free_scope, plan_comparison
from chat_app.config import Settings
from chat_app.document import SUPPORT_RANK, DocumentMeta, Drafted, PlanDocument
from chat_app.followups import Resolution, resolve
from chat_app.injection_probe import InjectionProbe
from chat_app.schema import Answer, Decision, Query
from chat_app.sessions import SessionStore
from chat_app.storage import Store, open_store
from chat_app.signals import Evidence
from chat_app.support import SupportModel
from corpus import BUNDLED_ID
from ingest.library import DocumentInfo
from ingest.store import read_chunks
from ingest.schema import Hit
from retriever.factory import RetrieverSet, build_retrievers
from retriever.scope import search_many

INJECTION_REPLY = "我只能根据《永济市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》回答问题，无法执行其他指令。"
INJECTION_REPLY_MANY = "我只能根据文档库中的规划（{titles}）回答问题，无法执行其他指令。"
NONE_IN_ANY = "抱歉，所选的 {n} 份规划中都没有找到这方面的内容。"


class QuestionError(ValueError):
    """Bad user input; the message is Chinese and safe to show."""


def meta_of(info: DocumentInfo | None) -> DocumentMeta:
    if info is None or info.builtin:
        return DocumentMeta()
    return DocumentMeta(info.id, info.title, info.region, info.period)


def with_source(answer: Answer, meta: DocumentMeta) -> Answer:
    """In a scope of several documents an answer says which one it comes from."""
    if answer.support == "none":
        return answer
    return replace(answer, answer=f"据{meta.name}：{answer.answer}")


class Assistant:
    """One assistant over the document library: ``library`` pairs each document's metadata with its
    retrievers (chat_app/index.py's load_library); ``retrievers`` alone means the bundled plan only."""

    def __init__(self, settings: Settings | None = None, retrievers: RetrieverSet | None = None,
                 sessions: Store | None = None, support_model: SupportModel | None = None,
                 library: list[tuple[DocumentInfo | None, RetrieverSet]] | None = None) -> None:
        self.settings = settings or Settings.from_env()
        if library is None:
            library = [(None, retrievers or build_retrievers(
                read_chunks(), embedding=self.settings.embedding, index_dir=self.settings.index_dir,
                progress=False))]
        model = support_model or SupportModel.load()
        self.documents: dict[str, PlanDocument] = {}
        for info, rs in library:
            meta = meta_of(info)
            self.documents[meta.id] = PlanDocument(rs, model, self.settings.retriever, meta)
        self.default = next(iter(self.documents.values()))
        self.sessions = sessions or open_store(self.settings)
        self.injection = InjectionCheck(InjectionProbe.load(), self.embed)
        from chat_app.llm import make_llm_answerer

        self.llm = make_llm_answerer(self.settings)

    def embed(self, text: str) -> tuple[np.ndarray, str]:
        """A question's embedding (cached by the dense retriever) and the model's id: one model serves all
        documents."""
        dense = self.default.retrievers.dense
        return dense.query_vector(text), dense.embeddings.model_id

    # the bundled (first) document's parts, for callers that predate the library
    @property
    def retrievers(self) -> RetrieverSet:
        return self.default.retrievers

    @property
    def retriever(self):
        return self.default.retriever

    @property
    def extractive(self):
        return self.default.extractive

    @property
    def plan_text(self) -> str:
        return self.default.plan_text

    @property
    def support(self):
        return self.default.support

    def evidence(self, query: Query) -> Evidence:
        return self.default.evidence(query)

    def decide(self, query: Query, evidence: Evidence) -> Decision:
        return self.default.decide(query, evidence)

    def scope(self, docs: Sequence[str] | None) -> list[str]:
        """The documents a question is asked of: all when none are named; unknown ids are the user's error."""
        if not docs:
            return list(self.documents)
        unknown = [d for d in docs if d not in self.documents]
        if unknown:
            known = "、".join(self.documents)
            raise QuestionError(f"文档库中没有编号为“{'、'.join(map(str, unknown))}”的文档（现有：{known}）。")
        return list(dict.fromkeys(docs))

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
        r = self._resolve(question, history, self.scope(None))
        return r.standalone, set(r.exclude)

    def _resolve(self, question: str, history: list[dict], scope: Sequence[str]) -> Resolution:
        """A follow-up names a topic of its own when any document in scope knows it as one."""
        return resolve(question, history, lambda text: any(self.documents[d].topical(text) for d in scope),
                       lambda word: any(self.documents[d].knows(word) for d in scope),
                       lambda name: frozenset().union(*(self.documents[d].siblings(name) for d in scope)),
                       lambda text: set().union(*(self.documents[d].topics(text) for d in scope)))

    def document(self, doc_id: str | None = None) -> PlanDocument:
        """One document by id (the bundled plan when None); an unknown id is the user's error."""
        return self.documents[self.scope([doc_id])[0]] if doc_id else self.default

    def search(self, query: str, k: int = 10, docs: Sequence[str] | None = None) -> list[Hit]:
        return search_many([self.documents[d].retriever for d in self.scope(docs)], query, k)

    # -- answering ----------------------------------------------------------------------
    def ask(self, question: object, session_id: str | None = None, use_llm: bool = True,
            docs: Sequence[str] | None = None) -> Answer:
        q = self.validate(question)
        scope = self.scope(docs)
        sid = session_id or SessionStore.new_id()
        history = self.sessions.history(sid) if session_id else []
        resolved = self._resolve(q, history, scope)
        standalone, exclude = resolved.standalone, set(resolved.exclude)
        if self.llm is not None and use_llm and history:
            standalone = self.llm.condense(q, history) or standalone
        # "还有呢" and "这个投资多少（专栏3…有哪些）" ask past what the structure would list again
        structural = not exclude and not resolved.carried
        answer = self._answer(q, standalone, exclude, use_llm, structural, scope, explicit=bool(docs))
        answer = replace(answer, standalone=standalone, session_id=sid)
        return replace(answer, turn=self.sessions.add_turn(sid, answer))

    def _answer(self, q: str, standalone: str, exclude: set[str], use_llm: bool, structural: bool = True,
                scope: Sequence[str] = (BUNDLED_ID,), explicit: bool = False) -> Answer:
        scope = [d for d in scope if d in self.documents] or [self.default.meta.id]
        injected = self.injection.decide(Query(q, standalone), Evidence((), ()))
        if injected is not None:
            return Answer(q, self.injection_reply(scope), "none", "extractive", notes=(injected.note,))
        if len(scope) == 1:
            return self._finish(self.documents[scope[0]].draft(q, standalone, exclude, structural), q, standalone,
                                use_llm)
        metas = [self.documents[d].meta for d in scope]
        comparison = plan_comparison(standalone, metas, explicit)
        if comparison is not None:
            return self._compare(q, comparison, exclude)
        narrowed = comparison_free_scope(standalone, metas) or scope
        return self._best_of(q, standalone, exclude, structural, narrowed, use_llm)

    def _best_of(self, q: str, standalone: str, exclude: set[str], structural: bool, scope: Sequence[str],
                 use_llm: bool) -> Answer:
        """A question naming no document is answered by the one that supports it best, named; never mixed.
        (A question naming one document is answered by that one, named too.)"""
        docs = [self.documents[d] for d in scope]
        drafts = [(doc, doc.draft(q, standalone, exclude, structural)) for doc in docs]
        ranked = sorted(drafts, key=lambda p: (SUPPORT_RANK[p[1].answer.support], p[0].strength(standalone)),
                        reverse=True)
        doc, best = ranked[0]
        answer = self._finish(best, q, standalone, use_llm)
        if answer.support == "none" and len(docs) > 1:
            return replace(answer, answer=NONE_IN_ANY.format(n=len(docs)) + answer.answer.split("。", 1)[-1])
        return with_source(answer, doc.meta)

    def _compare(self, q: str, comparison: Comparison, exclude: set[str]) -> Answer:
        drafts = [(self.documents[m.id].meta, self.documents[m.id].draft(comparison.question, comparison.question,
                                                                            exclude, True).answer)
                  for m in comparison.documents]
        return comparison.compose(q, drafts, {m.id: self.documents[m.id].retrievers for m in comparison.documents})

    def _finish(self, drafted: Drafted, q: str, standalone: str, use_llm: bool) -> Answer:
        if not drafted.hits or self.llm is None or not use_llm:
            return drafted.answer
        return self.llm.answer(q, standalone, list(drafted.hits), fallback=drafted.answer)

    def injection_reply(self, scope: Sequence[str]) -> str:
        if scope == [BUNDLED_ID] or len(self.documents) == 1:
            return INJECTION_REPLY
        titles = "、".join(f"《{self.documents[d].meta.title}》" for d in scope)
        return INJECTION_REPLY_MANY.format(titles=titles)

    def stream(self, question: object, session_id: str | None = None,
               docs: Sequence[str] | None = None) -> Iterator[dict]:
        """Events for SSE: token pieces, then citations (with the support level), then done. The
        checks need the whole answer (an LLM's too), so the checked text is streamed after it."""
        answer = self.ask(question, session_id, docs=docs)
        for i in range(0, len(answer.answer), 6):
            yield {"type": "token", "text": answer.answer[i:i + 6]}
        yield answer.citations_event()
        yield {"type": "done"}

