"""The plan's statements, the units every answerer scores: sentences of a paragraph, a table row read as one
sentence, a long 专栏 item split into its listed projects, and a sentence that points back ("该项目…") joined to
the one it points at. The support signals, the premise check and the answerers all read a chunk this way.
"""
from __future__ import annotations

import re

from chat_app.indicators import render_row
from ingest.chunker import sentences
from ingest.schema import Chunk

ANAPHOR_RE = re.compile(r"(该|此|上述|这些|这一)")
TOP_LEVEL_SPLIT_RE = re.compile(r"、(?![^（(]*[）)])|；")
LONG_ITEM = 120  # characters: a 专栏 sentence this long is a list of projects
SHORT_LEAD = 40  # a sentence this short can be what the next one's 该/此 points at
LEAD_MARKS = "—-－ 。"  # a paragraph's lead phrase is written "——X。" or "X。"


def bare(lead: str) -> str:
    """"——中国北方美丽宜居山水城市。" → "中国北方美丽宜居山水城市": a lead phrase without its marks."""
    return lead.strip(LEAD_MARKS)


def pieces_of(chunk: Chunk) -> list[str]:
    """Scoring units: a table row as one sentence; a long 专栏 item as its listed projects."""
    if chunk.kind == "table_row":
        return [render_row(chunk)]
    sents = sentences(chunk.text)
    if chunk.kind != "box_item":
        return sents
    out = []
    for s in sents:
        parts = [p for p in TOP_LEVEL_SPLIT_RE.split(s) if p.strip()] if len(s) > LONG_ITEM else [s]
        out.extend(parts)
    return out


def statements(chunk: Chunk) -> list[str]:
    """pieces_of, with a sentence that points back ("该项目拟占地 500-800 亩") joined to the short
    one before it: without the project's name it says nothing about anything."""
    out: list[str] = []
    previous = ""
    for s in pieces_of(chunk):
        s = s.strip()
        if ANAPHOR_RE.match(s) and previous:
            s = previous + s
        out.append(s)
        previous = s if len(s) <= SHORT_LEAD else ""
    return out
