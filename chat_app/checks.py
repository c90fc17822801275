"""The checks a question passes, each a small class that returns a ``Decision`` (or None: no objection).

Order (engine.Assistant): injection on the raw text, then — with the evidence — a place the plan
never mentions, the calibrated support model, and last a false premise, which turns an answer into
a correction. Subclasses override ``decide`` only.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

from chat_app.extractive import pieces_of
from chat_app.guards import foreign_places, invented_quote, is_injection, negative_premise, topic_words
from chat_app.schema import Decision, Query, echo
from chat_app.signals import Evidence, compute
from chat_app.support import SupportModel
from retriever.factory import RetrieverSet

PREMISE_DEPTH = 5  # top passages searched for the claimed verb


class Check(ABC):
    name = "check"

    @abstractmethod
    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        """A decision, or None when this check has nothing to object."""


class InjectionCheck(Check):
    name = "injection"

    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        if is_injection(query.raw):
            return Decision("none", "injection phrase", self.name)
        return None


class ForeignPlaceCheck(Check):
    """A plan covers its own region only: a place name it never mentions means another place's question."""

    name = "foreign_place"

    def __init__(self, plan_text: str, home: tuple[str, ...] = ("永济",), plan_name: str = "永济市“十四五”规划") -> None:
        self.plan_text = plan_text
        self.home = home
        self.plan_name = plan_name

    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        places = foreign_places(query.raw, self.plan_text, self.home)
        if not places:
            return None
        lead = f"抱歉，本助手只回答{self.plan_name}的内容，规划中没有涉及“{echo('、'.join(places))}”。"
        return Decision("none", f"places not in the plan: {' '.join(places)}", self.name, lead)


class SupportCheck(Check):
    """The calibrated model on generic signals (chat_app/support.py): always decides."""

    name = "model"

    def __init__(self, retrievers: RetrieverSet, model: SupportModel) -> None:
        self.retrievers = retrievers
        self.model = model

    def decide(self, query: Query, evidence: Evidence) -> Decision:
        signals = compute(self.retrievers, query, evidence)
        support, note = self.model.decide(signals)
        return Decision(support, note, self.name, detail=signals.missing_detail)


class PremiseCheck(Check):
    """"为何要撤销X" when no top passage says 撤销 about X, or a term quoted as the plan's that the plan
    never uses: the answer corrects the claim, then quotes what the plan does say."""

    name = "false_premise"

    def __init__(self, retrievers: RetrieverSet, plan_text: str) -> None:
        self.bm25 = retrievers.bm25
        self.plan_text = plan_text

    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        claim = invented_quote(query.raw, self.plan_text)
        if not claim:
            verb = negative_premise(query.raw)
            claim = verb if verb and not self.stated(query.raw, verb, evidence) else ""
        if not claim:
            return None
        lead = f"规划中并没有“{echo(claim.strip('“”'))}”的提法，这个说法与规划原文不符。规划原文是："
        return Decision("related", f"claim not in the evidence: {claim}", self.name, lead)

    def stated(self, question: str, verb: str, evidence: Evidence) -> bool:
        """"不得" somewhere in the plan does not make "评估不得引入第三方" true: the verb and a topic
        word share a sentence."""
        tok = self.bm25.tokenizer
        topic = {t for t in topic_words(question, self.bm25) if verb not in t and t not in verb}
        return any(verb in s and (not topic or topic & set(tok.tokens(s)))
                   for h in evidence.hits[:PREMISE_DEPTH] for s in pieces_of(h.chunk))


