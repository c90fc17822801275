"""A question that names where to look ("第八章第四节对…提出了什么目标", "在第三章…中分别是多少") is
answered from that chapter or section: officials quote the plan's own structure, and the same figure
("高新技术企业 20 家以上") may stand in several chapters with different context.

A place is a chapter (with or without its section: "第四节" alone names a section of every chapter), a
专栏 or a 表 by its number. The answer then comes from the named places only; a question naming none, or
one whose places the ranking does not reach, keeps its hits.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from cn2an import an2cn

from ingest.schema import Hit

PLACE_RE = re.compile(r"第([一二三四五六七八九十]+|\d{1,2})章(?:第([一二三四五六七八九十]+|\d{1,2})节)?")
BOX_RE = re.compile(r"(专栏|表)\s*(\d{1,2})(?![\d.])")
SCOPE_DEPTH = 40  # how deep the fused ranking is searched for passages of the named part


def _numeral(n: str) -> str:
    return an2cn(n) if n.isdigit() else n


def named_places(question: str) -> list[tuple[str, str]]:
    """("第八章", "第四节") or ("第三章", "") for every chapter reference in the question."""
    return [(f"第{_numeral(c)}章", f"第{_numeral(s)}节" if s else "") for c, s in PLACE_RE.findall(question)]


def named_boxes(question: str) -> list[str]:
    """"专栏 3" / "表 1" for every box or table the question names by number (chunk titles read "专栏 3：…")."""
    return [f"{kind} {n}" for kind, n in BOX_RE.findall(question)]


def in_place(hit: Hit, places: Sequence[tuple[str, str]], boxes: Sequence[str]) -> bool:
    chunk = hit.chunk
    title = re.sub(r"\s+", " ", chunk.title)
    return any(chunk.chapter.startswith(c + " ") and (not s or chunk.section.startswith(s + " ")) for c, s in places) \
        or any(title.startswith(b + "：") or title.startswith(b + ":") for b in boxes)


def scoped(question: str, hits: Sequence[Hit], deeper: Callable[[], Sequence[Hit]], k: int) -> list[Hit]:
    """The named places' passages in ranking order (searched `SCOPE_DEPTH` deep: `deeper` is only called
    when the question names a place); the hits unchanged when it names none or none is reached."""
    places, boxes = named_places(question), named_boxes(question)
    if not places and not boxes:
        return list(hits)
    inside = [h for h in deeper() if in_place(h, places, boxes)][:k]
    return inside or list(hits)
