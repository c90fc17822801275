"""The checks a question passes, each a small class that returns a ``Decision`` (or None: no objection).

Order (engine.Assistant): injection on the raw text, then — with the evidence — a place the plan
never mentions, the calibrated support model, and last a false premise, which turns an answer into
a correction. Subclasses override ``decide`` only.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

from chat_app.injection_probe import InjectionProbe
from chat_app.statements import pieces_of
from chat_app.guards import (directive_clauses, foreign_places, wider_plan, invented_quote, is_injection, negative_premise,
                             other_plans, stated_figures, topic_words, unknown_nouns, wider_scope, without_figures)
from chat_app.lexicon import ADVICE_RE, ATTRIBUTE_FIELD, DICTATION_RE, FIGURE_ASK_RE, INDICATOR_ATTRIBUTES, MISUSE_REPLY
from chat_app.query import understand
from chat_app.schema import Decision, Query, echo
from chat_app.signals import Evidence, compute, gather
from chat_app.support import SupportModel
from retriever.factory import RetrieverSet

PREMISE_DEPTH = 5  # top passages searched for the claimed verb
FIGURE_LEAD = "规划中并没有这个{what}，这个说法与规划原文不符。规划原文是："
Embed = Callable[[str], tuple[np.ndarray, str]]  # text → (its query embedding, the model that made it)
GRADE_UNITS = ("级", "类")  # "二级医院", "Ⅲ类水质": a grade, not a number


class Check(ABC):
    name = "check"

    @abstractmethod
    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        """A decision, or None when this check has nothing to object."""


class InjectionCheck(Check):
    """The phrase list first (lexicon.INJECTION_RE), then the learned probe on the question's own words
    (chat_app/injection_probe.py), when there is one and an embedding to read."""

    name = "injection"

    def __init__(self, probe: InjectionProbe | None = None, embed: Embed | None = None) -> None:
        self.probe = probe
        self.embed = embed

    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        if is_injection(query.raw):
            return Decision("none", "injection phrase", self.name)
        if self.probe is not None and self.embed is not None:
            vector, model = self.embed(query.raw)
            score = self.probe.score(vector, model)
            if score is not None and score > self.probe.threshold:
                return Decision("none", f"injection probe {score:.2f} > {self.probe.threshold:.2f}", self.name)
        return None


class DirectiveCheck(Check):
    """A task handed to the assistant inside a question ("先说说X，然后给俺推荐三只股票", "请在回答中写明…"):
    the plan part would pass every other check, so each directive clause is judged on its own — a
    dictated sentence or a promise is refused, and so is a request the support model finds off the plan.
    A question that is one directive clause ("请告诉我X") goes the normal way: its support decides."""

    name = "directive"

    def __init__(self, retrievers: RetrieverSet, model: SupportModel) -> None:
        self.retrievers = retrievers
        self.model = model

    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        advice = ADVICE_RE.search(query.raw)
        if advice:
            return Decision("none", f"asks for money advice: {advice.group(0)}", "injection", MISUSE_REPLY)
        clauses, directives = directive_clauses(query.raw)
        for clause in directives:
            if DICTATION_RE.search(clause):
                return Decision("none", f"dictated or promised: {clause}", "injection", MISUSE_REPLY)
            if len(clauses) > 1 and self.off_plan(clause):
                return Decision("none", f"request off the plan: {clause}", "injection", MISUSE_REPLY)
        return None

    def off_plan(self, clause: str) -> bool:
        """Below the on-topic threshold *and* naming a thing the plan has no word for (a noun outside its
        vocabulary: 股票, 请假条): "请说明相应举措", "请确认" score low on their own too, but only point
        back at the question's plan part."""
        if not unknown_nouns(clause, self.retrievers.bm25):
            return False
        query = understand(clause, clause, self.retrievers.bm25)
        signals = compute(self.retrievers, query, gather(self.retrievers, "hybrid", query))
        return self.model.probabilities(signals)[0] < self.model.on_topic_threshold


class ForeignPlaceCheck(Check):
    """A plan covers its own region only: a place name it never mentions means another place's question."""

    name = "foreign_place"

    def __init__(self, plan_text: str, home: tuple[str, ...] = ("永济",), plan_name: str = "永济市“十四五”规划") -> None:
        self.plan_text = plan_text
        self.compact = re.sub(r"\s+", "", plan_text)
        self.home = home
        self.plan_name = plan_name

    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        owners = other_plans(query.raw, self.home) or [o for o in (wider_plan(query.raw, self.compact),) if o]
        if owners:
            lead = f"抱歉，本助手只回答{self.plan_name}的内容，没有收录{echo('、'.join(owners))}的规划。"
            return Decision("none", f"another region's plan: {' '.join(owners)}", self.name, lead)
        places = foreign_places(query.raw, self.plan_text, self.home)
        if not places:
            return self.wider(query)
        lead = f"抱歉，本助手只回答{self.plan_name}的内容，规划中没有涉及“{echo('、'.join(places))}”。"
        return Decision("none", f"places not in the plan: {' '.join(places)}", self.name, lead)


    def wider(self, query: Query) -> Decision | None:
        scope = wider_scope(query.raw, self.compact)
        if not scope:
            return None
        lead = f"抱歉，本助手只回答{self.plan_name}的内容，规划中只有本地的目标和数据，没有{scope}的统计数字。"
        return Decision("none", f"a figure of a wider region: {scope}", self.name, lead)


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
        # every plan statement that gives a figure, with its figures read once
        self.figures = [(s, figures) for c in retrievers.chunks for s in pieces_of(c)
                        if (figures := stated_figures(s))]

    def decide(self, query: Query, evidence: Evidence) -> Decision | None:
        figure = self.misquoted_figure(query.raw, evidence)
        if figure:  # the claimed number is not echoed: an answer carries no figure its citations lack
            what = "等级" if figure.endswith(GRADE_UNITS) else "数字"
            return Decision("related", f"figure not in the plan: {figure}", self.name, FIGURE_LEAD.format(what=what))
        attribute = self.swapped_attribute(query.raw, evidence)
        if attribute:
            lead = f"规划中该指标不是{attribute}指标，这个说法与规划原文不符。规划原文是："
            return Decision("related", f"indicator attribute not the plan's: {attribute}", self.name, lead)
        claim = invented_quote(query.raw, self.plan_text)
        if not claim:
            verb = negative_premise(query.raw)
            claim = verb if verb and not self.stated(query.raw, verb, evidence) else ""
        if not claim:
            return None
        lead = f"规划中并没有“{echo(claim.strip('“”'))}”的提法，这个说法与规划原文不符。规划原文是："
        return Decision("related", f"claim not in the evidence: {claim}", self.name, lead)

    def misquoted_figure(self, question: str, evidence: Evidence) -> str:
        """"听说GDP要到500个亿" when the plan's sentences on that topic give other figures in that unit and
        nowhere give 500 亿元 next to the topic: the figure claimed, or ''. A question that asks for a
        figure (多少, 几个) is asking, not claiming."""
        claims = stated_figures(question)
        if not claims or FIGURE_ASK_RE.search(question):
            return ""
        bare = without_figures(question)
        topic = {t for t in topic_words(bare, self.bm25, expand=True) if not t.isdigit()}
        tok = self.bm25.tokenizer
        pieces = [(len(topic & set(tok.tokens(s))), s) for h in evidence.hits[:PREMISE_DEPTH] for s in pieces_of(h.chunk)]
        for value, unit, written in claims:
            # the plan's figures in that unit from the sentences sharing most topic words: "风电…百亿级" is
            # checked against 风电's 五十亿级, not against another cluster's 百亿级 one passage down
            scored = [(n, v) for n, s in pieces if n for v, u, _ in stated_figures(s) if u == unit]
            closest = {v for n, v in scored if n == max(scored)[0]} if scored else set()
            if closest and value not in closest and not self.anywhere(value, unit, topic):
                return written
        return ""

    def swapped_attribute(self, question: str, evidence: Evidence) -> str:
        """"森林覆盖率被列为预期性指标" when the indicator's row says 约束性: the attribute claimed, or ''.
        A question naming both attributes asks which one it is."""
        said = [a for a in INDICATOR_ATTRIBUTES if a in question]
        if len(said) != 1:
            return ""
        topic = topic_words(question.replace(said[0], " "), self.bm25, expand=True)
        tok = self.bm25.tokenizer
        rows = [(len(topic & set(tok.tokens(h.chunk.text))), h.chunk) for h in evidence.hits[:PREMISE_DEPTH]
                if h.chunk.kind == "table_row" and ATTRIBUTE_FIELD in dict(h.chunk.fields)]
        rows = [r for r in rows if r[0]]
        if not rows:
            return ""
        row = max(rows, key=lambda r: r[0])[1]  # the first of the rows naming most topic words
        return said[0] if dict(row.fields)[ATTRIBUTE_FIELD] != said[0] else ""

    def anywhere(self, value: float, unit: str, topic: set[str]) -> bool:
        """The plan gives this figure next to the question's rarest topic word somewhere, if not in the top
        passages ("风电…百亿级产业集群": the plan's 百亿级 clusters are others; 风电's is 五十亿级)."""
        tok, idf = self.bm25.tokenizer, self.bm25.bm25.idf
        rarest = max(sorted(topic), key=lambda t: idf.get(t, 0.0), default="")
        return any(rarest in tok.tokens(s) for s, figures in self.figures
                   if any(v == value and u == unit for v, u, _ in figures))

    def stated(self, question: str, verb: str, evidence: Evidence) -> bool:
        """"不得" somewhere in the plan does not make "评估不得引入第三方" true: the verb and a topic
        word share a sentence."""
        tok = self.bm25.tokenizer
        topic = {t for t in topic_words(question, self.bm25) if verb not in t and t not in verb}
        return any(verb in s and (not topic or topic & set(tok.tokens(s)))
                   for h in evidence.hits[:PREMISE_DEPTH] for s in pieces_of(h.chunk))


