"""The shared vocabulary of ingestion and retrieval: chunks in, hits out (answers: chat_app/schema.py).

Frozen dataclasses so that a chunk read from ``chunks.jsonl`` can be cached, hashed and
passed between retriever, answerer and API without anyone mutating it underneath.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

KINDS = ("paragraph", "table_row", "box_item")


@dataclass(frozen=True)
class Chunk:
    id: str
    kind: str  # one of KINDS
    chapter: str  # "第九章 持续增进民生福祉，…" ("" for the document preamble)
    section: str  # "第三节 办好人民满意教育" ("" for a chapter's preamble)
    text: str  # original wording, quotable
    title: str = ""  # table or 专栏 title the chunk belongs to
    group: str = ""  # table group heading (一、经济发展…) or the item/paragraph lead phrase
    fields: tuple[tuple[str, str], ...] = ()  # table rows: (column meaning, cell) pairs
    order: int = 0  # position in the document, for outline views
    doc_id: str = ""  # the library document it comes from (ingest/library.py); ids are "<doc_id>:<local id>"
    doc_title: str = ""  # that document's title, so a citation can name it without a lookup
    part: str = ""  # the 篇 of plans that group chapters into 篇 ("第二篇 建设现代化产业体系…"), else ""

    @property
    def heading(self) -> str:
        """Where the chunk sits, as an official would cite it."""
        parts = [p for p in (self.part, self.chapter, self.section, self.title) if p]
        return " › ".join(parts) or "前言"

    def index_text(self) -> str:
        """Text used for retrieval: the title chain gives short chunks their context."""
        head = [p for p in (self.chapter, self.section, self.title) if p]
        if self.group and self.group not in self.text:
            head.append(self.group)
        return "\n".join(head + [self.text])

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fields"] = [list(f) for f in self.fields]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Chunk":
        d = dict(d)
        d["fields"] = tuple(tuple(f) for f in d.get("fields", ()))
        return cls(**d)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float
    rank: int  # 1-based
    source: str = ""  # which retriever produced it

    def to_dict(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "rank": self.rank,
            "chunk_id": c.id,
            "doc_id": c.doc_id,
            "doc_title": c.doc_title,
            "chapter": c.chapter,
            "section": c.section,
            "kind": c.kind,
            "text": c.text,
            "score": round(float(self.score), 6),
        }
