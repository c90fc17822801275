""""规划中“X”这一节讲了什么？": a section named by its heading, answered with the opening of each of its
paragraphs. The refusal's one-tap follow-ups are worded this way, so each of them lands here.

"深入推进污染防治有哪些重点任务？" names a section by its heading too (unquoted) and asks what it contains:
answered with the section's paragraph headings (稳步提升水生态环境质量；加强土壤环境质量安全保障；…), which
is how the plan itself lists its tasks."""
from __future__ import annotations

import re
from collections.abc import Sequence

from chat_app.extractive import MODE, compose
from chat_app.guards import topic_words
from chat_app.lexicon import BROAD_RE, FIGURE_ASK_RE, OVERVIEW_RE, QUOTE_RE, SECTION_ASK_RE, SECTION_ASK_WORDS
from chat_app.plan_lines import first_by_lead
from chat_app.statements import bare
from chat_app.schema import Answer
from ingest.chunker import sentences
from ingest.schema import Chunk
from retriever.bm25 import BM25Retriever

OVERVIEW_CHARS = 260  # an overview fits a phone screen
OVERVIEW_PARAGRAPHS = 4
NAME_MIN = 4  # "发展回顾" names a section; two characters name a topic
LEAD_MAX = 30  # a paragraph's heading, not a sentence
VERB_CHARS = 2  # a section heading opens with a two-character verb (打造, 加快, 推进, 深化…), which askers drop
MIN_LEADS = 2


def section_name(section: str) -> str:
    """"第二节 深度拓展投资空间" → "深度拓展投资空间"."""
    return re.sub(r"^第\S+?节\s*", "", section).strip()


class SectionOverview:
    def __init__(self, chunks: Sequence[Chunk], bm25: BM25Retriever) -> None:
        self.bm25 = bm25
        self.by_name: dict[str, list[Chunk]] = {}
        for c in chunks:
            if c.section and c.kind == "paragraph":
                self.by_name.setdefault(section_name(c.section), []).append(c)
        # the longest heading a question spells out wins ("推进城市治理现代化" over a shorter one inside it)
        self.longest_first = sorted((n for n in self.by_name if len(n) >= NAME_MIN), key=len, reverse=True)

    def answer(self, question: str) -> Answer | None:
        quoted = next((t for t in QUOTE_RE.findall(question) if t in self.by_name), None)
        if quoted and OVERVIEW_RE.search(question):
            return self.opening(question, quoted)
        name = self.named(question)
        return self.headings(question, name) if name else None

    def named(self, question: str) -> str | None:
        """The section whose heading the question spells out while asking what it holds, and nothing more
        specific ("…灵活就业有哪些支持" names something inside the section: the sentences answer that)."""
        if not (SECTION_ASK_RE.search(question) or BROAD_RE.search(question)) or FIGURE_ASK_RE.search(question):
            return None
        plain = re.sub(r"[\s“”\"]", "", question)
        name = next((n for n in self.longest_first if n in plain), None)
        spelled = name
        if name is None:  # "四大特色精深加工集群分别指什么": the heading without its opening verb (打造)
            name = next((n for n in self.longest_first if len(n) - VERB_CHARS >= NAME_MIN + 2
                         and n[VERB_CHARS:] in plain), None)
            spelled = name[VERB_CHARS:] if name else None
        if name is None:
            return None
        # words the heading itself uses ("深化重点领域改革…哪几项改革任务") add nothing more specific
        rest = (topic_words(SECTION_ASK_RE.sub(" ", plain.replace(spelled, " ")), self.bm25) - SECTION_ASK_WORDS
                - set(self.bm25.tokenizer.tokens(name)))
        return None if rest else name

    def headings(self, question: str, name: str) -> Answer | None:
        leads = [(bare(lead), c) for lead, c in first_by_lead(self.by_name[name], LEAD_MAX).items()]
        if len(leads) < MIN_LEADS:
            return self.opening(question, name)
        return compose(question, leads, MODE, prefix=f"规划在“{name}”中提出：", joiner="；")

    def opening(self, question: str, name: str) -> Answer:
        parts, used = [], 0
        for chunk in self.by_name[name][:OVERVIEW_PARAGRAPHS]:
            first = next(iter(sentences(chunk.text)), chunk.text)
            if used + len(first) > OVERVIEW_CHARS and parts:
                break
            parts.append((first, chunk))
            used += len(first)
        head = self.by_name[name][0]
        return compose(question, parts, MODE, prefix=f"{head.section}主要讲：")
