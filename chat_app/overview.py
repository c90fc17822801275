""""规划中“X”这一节讲了什么？": a section named by its heading, answered with the opening of each of its
paragraphs. The refusal's one-tap follow-ups are worded this way, so each of them lands here."""
from __future__ import annotations

import re
from collections.abc import Sequence

from chat_app.extractive import MODE, compose
from chat_app.lexicon import OVERVIEW_RE, QUOTE_RE
from chat_app.schema import Answer
from ingest.chunker import sentences
from ingest.schema import Chunk

OVERVIEW_CHARS = 260  # an overview fits a phone screen
OVERVIEW_PARAGRAPHS = 4


def section_name(section: str) -> str:
    """"第二节 深度拓展投资空间" → "深度拓展投资空间"."""
    return re.sub(r"^第\S+?节\s*", "", section).strip()


class SectionOverview:
    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.by_name: dict[str, list[Chunk]] = {}
        for c in chunks:
            if c.section and c.kind == "paragraph":
                self.by_name.setdefault(section_name(c.section), []).append(c)

    def answer(self, question: str) -> Answer | None:
        if not OVERVIEW_RE.search(question):
            return None
        name = next((t for t in QUOTE_RE.findall(question) if t in self.by_name), None)
        if name is None:
            return None
        parts, used = [], 0
        for chunk in self.by_name[name][:OVERVIEW_PARAGRAPHS]:
            first = next(iter(sentences(chunk.text)), chunk.text)
            if used + len(first) > OVERVIEW_CHARS and parts:
                break
            parts.append((first, chunk))
            used += len(first)
        head = self.by_name[name][0]
        return compose(question, parts, MODE, prefix=f"{head.section}主要讲：")
