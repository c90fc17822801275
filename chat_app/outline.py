""""物流这块有啥打算", "如何培育新型消费": a question about a whole area is answered in the plan by a
section that states its policies as paragraph headings (发展现代物流业；…). The best sentences say the
most specific thing first; after them the answer names the other headings of the section it draws on,
each cited, so the reader sees everything the plan intends there and not one sentence of it.

Measured on the tuning sets when added (session 9): dev7 (90 broad questions) key facts 0.51 → 0.71, no
other tuning answer lost a key fact; the first sentence is unchanged by construction.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from chat_app.ask import KIND_RE, asked_kind, carried_core
from chat_app.extractive import QUOTE_MAX
from chat_app.lexicon import BROAD_RE, FIGURE_ASK_RE, GENERAL_ASK_RE, SPECIFIC_ASK_RE
from chat_app.plan_lines import LEAD_MAX_CHARS, first_by_lead
from chat_app.overview import section_name
from chat_app.schema import Answer, Citation
from chat_app.statements import bare
from ingest.schema import Chunk, Hit

MIN_NEW_LEADS = 2  # one more heading is not an outline
OUTLINE_CHARS = 160  # the headings fit a phone screen below the answer
VOTE_DEPTH = 5  # top hits whose sections vote (tuning: 1 = best passage only, dev7 -2; 8, a dialogue -1)


def general_ask(question: str) -> bool:
    """Asks how or what about an area, and neither a figure, a date, a box nor a kind of item."""
    own = carried_core(question)[0]
    if FIGURE_ASK_RE.search(own) or SPECIFIC_ASK_RE.search(own) or asked_kind(own):
        return False
    # "有哪些要求/举措": a plural question word on a generic noun asks what the area holds (ask.GENERIC_KINDS)
    generic = KIND_RE.search(own) is not None
    return bool(BROAD_RE.search(own) or GENERAL_ASK_RE.search(own) or generic)


class SectionOutline:
    def __init__(self, by_section: Mapping[tuple[str, str], Sequence[Chunk]]) -> None:
        """`by_section`: the body paragraphs of each (章, 节), as the list answerer already keeps them."""
        self.by_section = by_section

    def extend(self, question: str, answer: Answer, hits: Sequence[Hit]) -> Answer:
        """The answer, followed by the headings it does not yet give of the section retrieval favours."""
        if not hits or answer.support == "none" or not general_ask(question):
            return answer
        top = voted_section(hits)
        if top is None or not top.section:
            return answer  # a chapter's preamble has no headings of its own
        leads = [(bare(lead), c) for lead, c in
                 first_by_lead(self.by_section.get((top.chapter, top.section), []), LEAD_MAX_CHARS).items()]
        new = [(lead, c) for lead, c in leads if lead and lead not in answer.answer]
        if len(new) < MIN_NEW_LEADS:
            return answer
        return appended(answer, new, f"规划在“{section_name(top.section)}”一节还提出：")


def voted_section(hits: Sequence[Hit]) -> Chunk | None:
    """The first passage of the section whose body passages score highest together among the top hits:
    one passage can match a word of the question, a section that several match is about it; a 专栏 or a
    table row sits in a section about something else, so only body paragraphs vote."""
    votes: dict[tuple[str, str], float] = {}
    first: dict[tuple[str, str], Chunk] = {}
    for h in hits[:VOTE_DEPTH]:
        if h.chunk.kind == "paragraph":
            key = (h.chunk.chapter, h.chunk.section)
            votes[key] = votes.get(key, 0.0) + h.score
            first.setdefault(key, h.chunk)
    return first[max(votes, key=lambda k: votes[k])] if votes else None


def appended(answer: Answer, parts: Sequence[tuple[str, Chunk]], prefix: str) -> Answer:
    """Cited entries joined by "；" after an answer, numbered on from its citations (a chunk it already
    cites keeps its number)."""
    cites = {c.chunk_id: c for c in answer.citations}
    texts, used = [], 0
    for text, chunk in parts:
        if texts and used + len(text) > OUTLINE_CHARS:
            break
        if chunk.id not in cites:
            quote = chunk.text if len(chunk.text) <= QUOTE_MAX else text  # the heading, as compose() quotes
            cites[chunk.id] = Citation.of(len(cites) + 1, chunk, quote)
        texts.append(f"{text}[{cites[chunk.id].n}]")
        used += len(text)
    body = "；".join(texts) + "。"
    return replace(answer, answer=f"{answer.answer}\n\n{prefix}{body}", citations=tuple(cites.values()))
