"""Blocks → chunks: stable ids, a token budget, and the context a lone piece needs.

Paragraph chunks are cut only at sentence ends so quotes stay whole; table rows and 专栏
items are already one retrievable unit each (long items are cut the same way and keep
their lead, e.g. "机电制造产业", as ``group``).
"""
from __future__ import annotations

import re
from dataclasses import replace

from ingest.parse import Block, Document
from ingest.schema import Chunk
from ingest.tokens import count_tokens

DEFAULT_MAX_TOKENS = 320
SENTENCE_RE = re.compile(r"[^。！？；]+[。！？；]?")
KIND_LETTER = {"paragraph": "p", "table_row": "t", "box_item": "b"}


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_RE.findall(text) if s.strip()]


def split_budget(text: str, max_tokens: int) -> list[str]:
    """Greedy sentence packing; a single over-long sentence is split at commas."""
    if count_tokens(text) <= max_tokens:
        return [text]
    pieces: list[str] = []
    for sent in sentences(text):
        if count_tokens(sent) > max_tokens:
            pieces.extend(re.findall(r"[^，、]+[，、]?", sent))
        else:
            pieces.append(sent)
    parts, cur = [], ""
    for piece in pieces:
        if cur and count_tokens(cur + piece) > max_tokens:
            parts.append(cur)
            cur = ""
        cur += piece
    if cur:
        parts.append(cur)
    return parts


def _with_intro_groups(blocks: list[Block]) -> list[Block]:
    """'……必须坚持以下原则：' introduces the '——' bullets after it: give them that context."""
    out: list[Block] = []
    intro = ""
    for b in blocks:
        if b.kind == "paragraph" and b.text.startswith("——") and intro:
            b = replace(b, group=intro)
        elif b.kind == "paragraph":
            intro = b.text.rstrip("：:") if b.text.endswith(("：", ":")) and len(b.text) < 80 else ""
        out.append(b)
    return out


def chunk_document(doc: Document, max_tokens: int = DEFAULT_MAX_TOKENS, doc_id: str = "",
                   doc_title: str = "") -> list[Chunk]:
    """Chunks in document order; ids carry the document ("yongji-14:c07s02-p001") so that chunks of
    several plans can share one library without colliding."""
    chunks: list[Chunk] = []
    prefix = f"{doc_id}:" if doc_id else ""
    places: list[tuple[str, list[Block]]] = []  # (id stem, blocks)
    chapter_no = {ch.title: i for i, ch in enumerate(doc.chapters, 1)}
    part_no = {p: i for i, p in enumerate(doc.parts(), 1)}
    for key, blocks in doc.places():
        if "|" in key:
            chapter, section = key.split("|", 1)
            places.append((f"c{chapter_no[chapter]:02d}s{_section_number(section):02d}", blocks))
        elif key:
            places.append((f"p{part_no[key]:02d}", blocks))  # a 篇's introduction
        else:
            places.append(("c00s00", blocks))
    for stem, blocks in places:
        for bi, b in enumerate(_with_intro_groups(blocks), 1):
            base = f"{prefix}{stem}-{KIND_LETTER[b.kind]}{bi:03d}"
            parts = [b.text] if b.kind == "table_row" else split_budget(b.text, max_tokens)
            for pi, part in enumerate(parts, 1):
                cid = base if len(parts) == 1 else f"{base}.{pi}"
                chunks.append(Chunk(
                    id=cid, kind=b.kind, chapter=b.chapter, section=b.section, text=part,
                    title=b.title, group=b.group, fields=b.fields, order=len(chunks),
                    doc_id=doc_id, doc_title=doc_title, part=b.part,
                ))
    return chunks


CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}


def _section_number(title: str) -> int:
    m = re.match(r"^第([一二三四五六七八九十]+)节", title)
    if not m:
        return 0
    s = m.group(1)
    if len(s) == 1:
        return CN_DIGITS[s]
    return 10 + CN_DIGITS.get(s[-1], 0) if s[0] == "十" else CN_DIGITS[s[0]] * 10 + CN_DIGITS.get(s[-1], 0)
