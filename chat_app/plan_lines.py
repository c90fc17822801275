"""How the plan writes its lists: paragraphs and 专栏 lines open with a lead phrase (Chunk.group), a 专栏
line may end in the count of its items ("省保文物保护工程 2 个"), and towns have two-character names.
Shared by the list answers (chat_app/lists.py), the section overview and the outline.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.schema import Chunk

PLACE_RE = re.compile(r"([\u4e00-\u9fff]{2,3}?)(镇|街道|乡)")
TOWN_NAME_CHARS = 2  # the plan's towns and 街道: 韩阳, 卿头, 蒲州, 虞乡, 开张, 栲栳, 张营, 城西…
LEAD_MAX_CHARS = 30  # a paragraph's lead phrase, not a whole sentence
GROUP_MIN_CHARS = 4  # "新基建" is too generic to name one line of a box; "机电制造产业" is not
GROUP_ENDINGS = re.compile(r"(产业|工程|项目|行业|板块)$")
LINE_COUNT_RE = re.compile(r"\s*\d+\s*[个项座处]$")  # "省保文物保护工程 2 个": a 专栏 line's count of its items


def without_lead(text: str, group: str) -> str:
    """"机电制造产业。泰诺博锐…、" → "泰诺博锐…": the line's name is already in the answer's opening."""
    text = text[len(group):].lstrip("。：: ") if text.startswith(group) else text
    return text.strip().rstrip("、，,")


def names_line(question: str, group: str) -> bool:
    """The question names the line, or the line without its generic ending (产业/工程/项目)."""
    group = LINE_COUNT_RE.sub("", group.rstrip("。"))
    stem = GROUP_ENDINGS.sub("", group)
    return group in question or (len(stem) >= GROUP_MIN_CHARS and stem in question)


def place_of(question: str) -> tuple[str, str] | None:
    """("韩阳", "韩阳镇") for "专栏6中涉及韩阳镇的项目": Yongji's towns have two-character names, so the two
    characters before 镇/乡/街道 are the name, whatever precedes them ("涉及", "里")."""
    m = PLACE_RE.search(question)
    if not m:
        return None
    stem = m.group(1)[-TOWN_NAME_CHARS:]
    return stem, stem + m.group(2)


def first_by_lead(chunks: Sequence[Chunk], max_len: int = 1000) -> dict[str, Chunk]:
    """Each distinct lead phrase (Chunk.group) with the first chunk under it, in plan order."""
    leads: dict[str, Chunk] = {}
    for c in chunks:
        if c.group and len(c.group) <= max_len:
            leads.setdefault(c.group, c)
    return leads


def common_suffix(words: list[str]) -> str:
    out = ""
    for chars in zip(*(w[::-1] for w in words)):
        if len(set(chars)) != 1:
            break
        out = chars[0] + out
    return out


def line_names(chunks: Sequence[Chunk]) -> dict[str, frozenset[str]]:
    """Each 专栏 line's name with the names of the other lines of its box ("新业态" → 新基建, 新技术, …):
    the plan's own siblings, so a follow-up naming one ("新业态呢？") asks the previous question of it.
    A name is the line's lead phrase without its marks, its count and quotation marks."""
    boxes: dict[str, list[str]] = {}
    for c in chunks:
        if c.kind == "box_item" and c.group:
            name = LINE_COUNT_RE.sub("", c.group.strip("。；;：: ")).replace("“", "").replace("”", "")
            if name and name not in boxes.setdefault(c.title, []):
                boxes[c.title].append(name)
    out: dict[str, set[str]] = {}
    for names in boxes.values():
        for name in names:
            out.setdefault(name, set()).update(n for n in names if n != name)
    return {name: frozenset(others) for name, others in out.items()}
