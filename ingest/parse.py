"""Parse the PDF-extracted plan text into 章 → 节 → blocks (paragraphs, table rows, 专栏 items).

The text was extracted from a PDF, so the parser has to undo the extraction's damage
(page breaks inside sentences, ``**`` bold marks, the table of contents) without
rewording anything: every block's text must stay quotable against the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CN_NUM = "一二三四五六七八九十"
CHAPTER_RE = re.compile(rf"^第[{CN_NUM}]+章\s*(\S.*)$")
SECTION_RE = re.compile(rf"^第[{CN_NUM}]+节\s*(\S.*)$")
BOX_RE = re.compile(r"^专栏\s*\d+\s*[：:]")
TABLE_RE = re.compile(r"^表\s*\d+\s*[：:]")
TOC_RE = re.compile(r"\.{3,}|…{2,}")
TERMINAL = "。！？；：…"
# A 专栏 item opens with a short noun-phrase lead ("公路建设项目。", "现代农业：", "新基建。");
# body paragraphs after a box open with a verb phrase ("聚焦重点领域扩大投资。").
ITEM_LEAD_SUFFIX = re.compile(r"(项目|工程|产业|业|基地|园|个|板块)$")
LEAD_RE = re.compile(r"^(.{2,24}?)[。：:]")


@dataclass(frozen=True)
class Block:
    kind: str  # paragraph | table_row | box_item
    chapter: str
    section: str
    text: str
    title: str = ""
    group: str = ""
    fields: tuple[tuple[str, str], ...] = ()


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Chapter:
    title: str
    sections: list[Section] = field(default_factory=list)


@dataclass
class Document:
    preamble: list[Block]
    chapters: list[Chapter]

    def blocks(self) -> list[Block]:
        out = list(self.preamble)
        for ch in self.chapters:
            for sec in ch.sections:
                out.extend(sec.blocks)
        return out

    def tables(self) -> list[str]:
        return sorted({b.title for b in self.blocks() if b.kind == "table_row"})

    def boxes(self) -> list[str]:
        seen: list[str] = []
        for b in self.blocks():
            if b.title.startswith("专栏") and b.title not in seen:
                seen.append(b.title)
        return seen


def clean_line(line: str) -> str:
    """Drop the PDF's bold marks and trailing cell separators; keep the wording."""
    return line.replace("**", "").rstrip().rstrip("\t").strip(" \u3000")


def heading(line: str) -> str:
    """Normalise a heading to '第X节 标题' (one space, no tabs) as users cite it."""
    m = re.match(rf"^(第[{CN_NUM}]+[章节])\s*(.+)$", line.strip())
    return f"{m.group(1)} {m.group(2).strip()}" if m else line.strip()


def lead_of(text: str) -> str:
    m = LEAD_RE.match(text)
    return m.group(1) if m else ""


def looks_like_item(text: str) -> bool:
    lead = lead_of(text)
    return bool(lead) and (len(lead) <= 6 or bool(ITEM_LEAD_SUFFIX.search(lead)))


def join(a: str, b: str) -> str:
    """Join two halves of a sentence split by a page break."""
    if a and b and a[-1].isascii() and a[-1].isalnum() and b[0].isascii() and b[0].isalnum():
        return a + " " + b
    return a + b


def body_lines(text: str) -> list[str]:
    """The document body: everything after the table of contents."""
    lines = text.split("\n")
    toc_end = 0
    for i, line in enumerate(lines):
        if TOC_RE.search(line) and (CHAPTER_RE.match(line.strip()) or SECTION_RE.match(line.strip())):
            toc_end = i
    return lines[toc_end + 1 :]


def split_cells(line: str) -> list[str]:
    return [c.replace("**", "").strip() for c in line.rstrip("\n").split("\t")]


class _Parser:
    """A single pass over the body lines with the current 章/节/table/专栏 as state."""

    def __init__(self) -> None:
        self.doc = Document(preamble=[], chapters=[])
        self.chapter = ""
        self.section = ""
        self.box = ""  # title of the open 专栏 (project-list kind)
        self.box_items = 0
        self.table = ""  # title of the open table
        self.header: list[str] = []
        self.header_rows = 0
        self.body_rows = 0
        self.group = ""
        self.parent = ""
        self.para: list[str] = []  # lines of the paragraph being assembled

    # -- emitting -------------------------------------------------------------
    def _target(self) -> list[Block]:
        if not self.doc.chapters:
            return self.doc.preamble
        ch = self.doc.chapters[-1]
        if not ch.sections or ch.sections[-1].title != self.section:
            ch.sections.append(Section(self.section))
        return ch.sections[-1].blocks

    def emit(self, kind: str, text: str, title: str = "", group: str = "",
             fields: tuple[tuple[str, str], ...] = ()) -> None:
        self._target().append(Block(kind, self.chapter, self.section, text, title, group, fields))

    def flush(self) -> None:
        if not self.para:
            return
        text = ""
        for part in self.para:
            text = join(text, part)
        self.para = []
        if self.box:
            if self.box_items and not looks_like_item(text):
                self.box = ""
            else:
                self.box_items += 1
                self.emit("box_item", text, self.box, lead_of(text))
                return
        self.emit("paragraph", text, group=lead_of(text))

    # -- tables ---------------------------------------------------------------
    def table_line(self, raw: str) -> None:
        cells = split_cells(raw)
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            return
        first = cells[0]
        if self.header_rows < 2 and self._is_header(cells):
            self._merge_header(split_cells(raw))
            return
        if len([c for c in cells if c]) == 1 and re.match(r"^[一二三四五六七八九十]+、", first):
            self.group, self.parent = first, ""
            return
        if first.startswith("注"):
            self.emit("paragraph", "".join(cells), self.table, self.group)
            return
        named = list(zip(self.header, split_cells(raw) + [""] * len(self.header)))
        # 专栏2 leads with a 序号 column; the indicator is the column named 指标*.
        name_col = next((i for i, h in enumerate(self.header) if h.startswith("指标")), 0)
        name = named[name_col][1] if name_col < len(named) else first
        values = [(h, v) for i, (h, v) in enumerate(named) if i != name_col and h and v]
        if not any(v for h, v in values if h not in ("序号",)):
            self.parent = name  # a parent row such as "2.城镇化率（%）" whose children follow
            return
        label = f"{self.parent}／{name}" if self.parent and not re.match(r"^\d", name) else name
        if re.match(r"^\d", name):
            self.parent = ""
        shown = [(h, v) for h, v in values if h != "序号" and v not in ("-", "—")]
        text = f"{label}：" + "；".join(f"{h} {v}" for h, v in shown)
        fields = (("指标", label),) + tuple(values)
        self.body_rows += 1
        self.emit("table_row", text, self.table, self.group, fields)

    def _is_header(self, cells: list[str]) -> bool:
        if self.group or self.body_rows:
            return False
        joined = "".join(cells)
        names_columns = "指" in joined and "标" in joined and not re.match(r"^\d", cells[0])
        return names_columns or (self.header_rows == 1 and not cells[0])

    def _merge_header(self, cells: list[str]) -> None:
        cells = [re.sub(r"\s+", "", c) for c in cells]
        if not self.header:
            self.header = cells
        else:
            width = max(len(self.header), len(cells))
            top = self.header + [""] * (width - len(self.header))
            low = cells + [""] * (width - len(cells))
            self.header = [(t + b) if t and b and not t.endswith(b) else (t or b) for t, b in zip(top, low)]
        self.header_rows += 1

    def open_table(self, title: str) -> None:
        self.table, self.header, self.header_rows, self.group, self.parent = title, [], 0, "", ""
        self.body_rows = 0

    # -- main loop ------------------------------------------------------------
    def feed(self, raw: str) -> None:
        line = clean_line(raw)
        if not line:
            return
        is_row = "\t" in raw.strip("\n") and not CHAPTER_RE.match(line)
        if self.table and not is_row:
            if self.body_rows:
                self.box = ""  # a table-shaped 专栏 (专栏2) ends with its table
            self.table = ""
        if self.table:
            self.table_line(raw)
            return
        if CHAPTER_RE.match(line):
            self.flush()
            self.chapter, self.section, self.box = heading(line), "", ""
            self.doc.chapters.append(Chapter(self.chapter))
            return
        if SECTION_RE.match(line):
            self.flush()
            self.section, self.box = heading(line), ""
            return
        if BOX_RE.match(line) or TABLE_RE.match(line):
            self.flush()
            title = re.sub(r"\s+", " ", line).strip()
            self.box, self.box_items = title if BOX_RE.match(line) else "", 0
            self.open_table(title)  # a table follows if the next lines have cells
            return
        self._text_line(line)

    def _text_line(self, line: str) -> None:
        if self.para:
            prev = self.para[-1]
            starts_item = bool(self.box) and looks_like_item(line)
            if prev[-1] not in TERMINAL and not line.startswith("——") and not starts_item:
                self.para.append(line)
                return
            self.flush()
        self.para.append(line)


def parse_text(text: str) -> Document:
    p = _Parser()
    lines = body_lines(text)
    # The body opens with the plan's two-line title; it is a heading, not content.
    while lines and (not lines[0].strip() or "永济市国民经济和社会发展" in lines[0]
                     or lines[0].strip().startswith("第十四个五年规划")):
        if lines[0].strip() and "根据" in lines[0]:
            break
        lines.pop(0)
    for raw in lines:
        p.feed(raw)
    p.flush()
    return p.doc


def parse_file(path: str | Path) -> Document:
    return parse_text(Path(path).read_text(encoding="utf-8"))
