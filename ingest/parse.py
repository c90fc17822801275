"""Parse the PDF-extracted plan text into 章 → 节 → blocks (paragraphs, table rows, 专栏 items).

The text was extracted from a PDF, so the parser has to undo the extraction's damage
(page breaks inside sentences, ``**`` bold marks, the table of contents) without
rewording anything: every block's text must stay quotable against the original.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# Chinese numerals as 规划纲要 number their 篇/章/节 (national plans reach 第六十二章; 〇/零/百 for completeness).
CN_NUM = "一二三四五六七八九十〇零百"
PART_RE = re.compile(rf"^第[{CN_NUM}]+篇\s*(\S.*)$")
CHAPTER_RE = re.compile(rf"^第[{CN_NUM}]+章\s*(\S.*)$")
SECTION_RE = re.compile(rf"^第[{CN_NUM}]+节\s*(\S.*)$")
# "专栏 2：…" (Yongji) or "专栏1　交通重点工程" (national and provincial plans put a space, not a colon).
BOX_RE = re.compile(r"^专栏\s*\d+\s*(?:[：:]|\s\S)")
TABLE_RE = re.compile(r"^表\s*\d+\s*(?:[：:]|\s\S)")
CAPTION_MAX = 60  # a 专栏/表 caption is one short line; longer text that starts "专栏1 …" is prose
TOC_RE = re.compile(r"\.{3,}|…{2,}")
# A title line of the plan ("永济市国民经济和社会发展", "第十四个五年规划和二〇三五年远景目标纲要"): short, no
# sentence punctuation, naming the plan. The first body paragraph repeats the title followed by "，根据…".
TITLE_WORDS = ("规划", "纲要", "国民经济和社会发展")
TITLE_MAX = 40
SENTENCE_PUNCT = re.compile(r"[，。；！？,;]")
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
    part: str = ""  # the 篇 a chapter belongs to, in plans that group chapters into 篇


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Chapter:
    title: str
    sections: list[Section] = field(default_factory=list)
    part: str = ""


@dataclass
class Document:
    preamble: list[Block]
    chapters: list[Chapter]
    title: str = ""  # the plan's title lines joined, when the text opens with them
    # text between a 篇 heading and its first 章 (the 篇's own introduction), by 篇
    part_intros: dict[str, list[Block]] = field(default_factory=dict)

    def parts(self) -> list[str]:
        return list(dict.fromkeys(ch.part for ch in self.chapters if ch.part))

    def places(self) -> list[tuple[str, list[Block]]]:
        """Block lists in document order, each with its key: "" (preamble), a 篇, or "章|节"."""
        out: list[tuple[str, list[Block]]] = [("", self.preamble)]
        seen: set[str] = set()
        for ch in self.chapters:
            if ch.part and ch.part not in seen:
                seen.add(ch.part)
                out.append((ch.part, self.part_intros.get(ch.part, [])))
            out += [(f"{ch.title}|{sec.title}", sec.blocks) for sec in ch.sections]
        return out

    def blocks(self) -> list[Block]:
        return [b for _, blocks in self.places() for b in blocks]

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
    """Normalise a heading to '第X节 标题' (single spaces, no tabs or ideographic spaces) as users cite it."""
    m = re.match(rf"^(第[{CN_NUM}]+[篇章节])\s*(.+)$", line.strip())
    if not m:
        return line.strip()
    title = re.sub(r"\s+", " ", m.group(2).strip())
    return f"{m.group(1)} {title}"


def is_heading(line: str) -> bool:
    return bool(PART_RE.match(line) or CHAPTER_RE.match(line) or SECTION_RE.match(line))


def is_title_line(line: str) -> bool:
    return (len(line) <= TITLE_MAX and not SENTENCE_PUNCT.search(line)
            and any(w in line for w in TITLE_WORDS) and not is_heading(line))


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
    """The document body: everything after the table of contents, found either by its dot leaders
    ("第一章 …………1") or, in a contents list without page numbers, as the run of headings that the
    body repeats (the first chapter's heading occurs twice)."""
    lines = text.split("\n")
    toc_end = -1
    for i, line in enumerate(lines):
        if TOC_RE.search(line) and is_heading(line.strip()):
            toc_end = i
    if toc_end < 0:
        toc_end = _repeated_contents_end(lines)
    return lines[toc_end + 1 :]


def _repeated_contents_end(lines: list[str]) -> int:
    """Index of the last line of a contents list without page numbers, or -1 when there is none."""
    chapters = [i for i, line in enumerate(lines) if CHAPTER_RE.match(clean_line(line))]
    if not chapters:
        return -1
    first = heading(clean_line(lines[chapters[0]]))
    if not any(heading(clean_line(lines[i])) == first for i in chapters[1:]):
        return -1
    end = chapters[0]
    for i in range(chapters[0], len(lines)):
        line = clean_line(lines[i])
        if line and not is_heading(line):
            break
        end = i
    return end


def split_cells(line: str) -> list[str]:
    return [c.replace("**", "").strip() for c in line.rstrip("\n").split("\t")]


class _Parser:
    """A single pass over the body lines with the current 章/节/table/专栏 as state."""

    def __init__(self) -> None:
        self.doc = Document(preamble=[], chapters=[])
        self.part = ""
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
        if self.part and not self.chapter:
            return self.doc.part_intros.setdefault(self.part, [])
        if not self.doc.chapters:
            return self.doc.preamble
        ch = self.doc.chapters[-1]
        if not ch.sections or ch.sections[-1].title != self.section:
            ch.sections.append(Section(self.section))
        return ch.sections[-1].blocks

    def emit(self, kind: str, text: str, title: str = "", group: str = "",
             fields: tuple[tuple[str, str], ...] = ()) -> None:
        # a 篇's introduction is cited by the 篇 itself ("第二篇 建设现代化产业体系…")
        chapter = self.chapter or self.part
        self._target().append(Block(kind, chapter, self.section, text, title, group, fields, self.part))

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
        if PART_RE.match(line):
            self.flush()
            self.part, self.chapter, self.section, self.box = heading(line), "", "", ""
            return
        if CHAPTER_RE.match(line):
            self.flush()
            self.chapter, self.section, self.box = heading(line), "", ""
            self.doc.chapters.append(Chapter(self.chapter, part=self.part))
            return
        if SECTION_RE.match(line):
            self.flush()
            self.section, self.box = heading(line), ""
            return
        if (BOX_RE.match(line) or TABLE_RE.match(line)) and len(line) <= CAPTION_MAX:
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


def leading_title(lines: list[str]) -> tuple[str, int]:
    """The plan's title lines at the top of ``lines`` (joined) and how many lines they and the blank
    lines around them take; a title is a heading, not content."""
    parts: list[str] = []
    n = 0
    for raw in lines:
        line = clean_line(raw)
        if line and not is_title_line(line):
            break
        if line:
            parts.append(line)
        n += 1
    return "".join(parts), n


def parse_text(text: str) -> Document:
    p = _Parser()
    title, _ = leading_title(text.split("\n"))
    lines = body_lines(text)
    lines = lines[leading_title(lines)[1]:]  # the body may open with the title again
    for raw in lines:
        p.feed(raw)
    p.flush()
    p.doc.title = title
    return p.doc


def parse_file(path: str | Path) -> Document:
    return parse_text(Path(path).read_text(encoding="utf-8"))
