"""The answering stage's vocabulary: a question understood once, a decision, an answer with citations.

Frozen dataclasses, like ``Chunk`` and ``Hit`` in ingest/schema.py: a ``Query`` is built once per
question and read by every check and answerer; nobody mutates it underneath the others.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.schema import Chunk

# How far the cited passages answer the question, from best to worst.
#   direct  — they state what was asked;
#   related — the plan covers the topic but not the asked detail (the answer says so first);
#   none    — off-topic, another place, an injection: a short refusal with nearby sections.
SUPPORT_LEVELS = ("direct", "related", "none")


@dataclass(frozen=True)
class Query:
    """A question as every stage after retrieval sees it."""

    raw: str  # what the user typed
    standalone: str  # after follow-up rewriting: what retrieval searches
    asked: tuple[str, ...] = ()  # details the question asks for ("金额", "具体时间"); see lexicon.ASKED_DETAILS
    topic: tuple[str, ...] = ()  # its rarer words, in question order: what it is about
    exclude: frozenset[str] = frozenset()  # chunk ids already given ("还有呢")
    in_plan: frozenset[str] = frozenset()  # the topic words the plan itself uses


@dataclass(frozen=True)
class Decision:
    """What one check concluded; ``note`` explains it in logs and eval output."""

    support: str  # one of SUPPORT_LEVELS
    note: str
    reason: str = ""  # injection | foreign_place | model | false_premise | box
    lead: str = ""  # the sentence the answer opens with, when the check has one to say
    detail: str = ""  # the asked detail the evidence lacks ("金额"), for the related lead


@dataclass(frozen=True)
class Citation:
    n: int
    chunk_id: str
    chapter: str
    section: str
    quote: str
    title: str = ""  # the 专栏 or 表 the quote comes from ("专栏 3：“十四五”全市重点交通项目"), else ""
    doc_id: str = ""  # the library document (ingest/library.py) the quote comes from
    doc_title: str = ""

    @classmethod
    def of(cls, n: int, chunk: Chunk, quote: str | None = None) -> "Citation":
        return cls(n, chunk.id, chunk.chapter, chunk.section, chunk.text if quote is None else quote,
                   chunk.title, chunk.doc_id, chunk.doc_title)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    support: str  # one of SUPPORT_LEVELS
    mode: str  # extractive | openai | llama
    citations: tuple[Citation, ...] = ()
    standalone: str = ""  # the question as retrieval saw it (after follow-up rewriting)
    notes: tuple[str, ...] = field(default=())  # why a check decided, for logs and eval
    session_id: str = ""
    suggestions: tuple[str, ...] = ()  # follow-up questions a user can send with one tap
    turn: int = -1  # its index in the session (what /api/feedback's `turn` refers to); -1 before it is stored

    @property
    def refused(self) -> bool:
        return self.support == "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "support": self.support,
            "refused": self.refused,
            "mode": self.mode,
            "citations": [c.to_dict() for c in self.citations],
            "suggestions": list(self.suggestions),
            "session_id": self.session_id,
            "turn": self.turn,
        }

    def citations_event(self) -> dict[str, Any]:
        """The SSE event that closes a streamed answer (everything but the text)."""
        return {"type": "citations", "citations": [c.to_dict() for c in self.citations],
                "support": self.support, "refused": self.refused, "mode": self.mode,
                "suggestions": list(self.suggestions), "session_id": self.session_id, "turn": self.turn}


MARKUP_LOOKALIKES = str.maketrans({"<": "＜", ">": "＞"})


def echo(user_text: str) -> str:
    """User text quoted back in an answer: angle brackets become their full-width look-alikes, so a
    page that renders answers as HTML (an embedder's own widget) shows "<img …>" instead of running it."""
    return user_text.translate(MARKUP_LOOKALIKES)
