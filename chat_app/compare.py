"""Questions across documents: which documents a question names, and side-by-side comparison answers.

A question names a document by a short name only that document has: its five-year-plan short name
("十四五", from 第十四个五年 in its title), its region ("永济", not for national plans, whose region
words 全国/国家 occur everywhere), or its full title. A comparison is a question that names two or more
documents, or uses a comparison word (general Chinese usage: 比较/对比/相比/不同/区别/差别/差异/异同/
变化) while the user selected two or more documents. Each document then answers the question on its own
evidence; the parts are shown side by side, each cited to its document, and an indicator both documents
tabulate is compared row by row.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from chat_app.document import DocumentMeta
from chat_app.schema import Answer, Citation
from ingest.meta import region_names
from ingest.schema import Chunk
from retriever.factory import RetrieverSet

COMPARE_RE = re.compile(r"比较|对比|相比|比起|不同|区别|差别|差异|异同|变化")
# The comparison phrasing removed before each document is asked ("…有什么不同" → "…").
COMPARE_TAIL_RE = re.compile(r"(?:相比|比较|对比|比起)?(?:一下)?[，,]?(?:有|有没有)?(?:什么|哪些|啥|何|多大)?"
                             r"(?:不同|区别|差别|差异|异同|变化)(?:吗|呢)?[？?。！!]*$")
COMPARE_HEAD_RE = re.compile(r"^(?:请)?(?:比较|对比)(?:一下)?")
JOINERS = "和与跟同及、"
MIN_QUESTION_CHARS = 2
ROW_TOP = 5  # passages searched for an indicator row
MARK_RE = re.compile(r"\[(\d+)\]")


def aliases(meta: DocumentMeta) -> list[str]:
    names = [meta.title]
    if meta.short:
        names += [meta.short, f"“{meta.short}”"]
    if meta.region not in ("全国", "国家"):
        names += region_names(meta.region)
    return [n for n in names if n]


def named(question: str, metas: Sequence[DocumentMeta]) -> list[DocumentMeta]:
    """Documents the question names by a name no other document in scope shares."""
    owners: dict[str, set[str]] = {}
    for m in metas:
        for a in aliases(m):
            owners.setdefault(a, set()).add(m.id)
    hits = {next(iter(ids)) for a, ids in owners.items() if len(ids) == 1 and a in question}
    return [m for m in metas if m.id in hits]


def comparison_free_scope(question: str, metas: Sequence[DocumentMeta]) -> list[str]:
    """The one document a question names, as the scope to answer from; [] when it names none."""
    found = named(question, metas)
    return [found[0].id] if len(found) == 1 else []


def strip_names(question: str, metas: Sequence[DocumentMeta]) -> str:
    """"十四五和十五五的粮食目标有什么不同" → "粮食目标": what each document is asked."""
    text = question
    for a in sorted({a for m in metas for a in aliases(m)}, key=len, reverse=True):
        text = text.replace(a, "")
    text = COMPARE_TAIL_RE.sub("", COMPARE_HEAD_RE.sub("", text.strip()))
    text = text.strip(JOINERS + "的在中里，, ")
    return text if len(text) >= MIN_QUESTION_CHARS else question


@dataclass(frozen=True)
class Comparison:
    question: str  # what each document is asked
    documents: tuple[DocumentMeta, ...]

    def compose(self, q: str, drafts: Sequence[tuple[DocumentMeta, Answer]],
                retrievers: dict[str, RetrieverSet]) -> Answer:
        """Side by side, in the order the documents were named; citations renumbered across parts."""
        blocks: list[str] = []
        citations: list[Citation] = []
        rows = indicator_rows(self.question, [m for m, _ in drafts], retrievers)
        if rows:
            blocks.append(rows)
        for meta, answer in drafts:
            offset = len(citations)
            text = MARK_RE.sub(lambda m: f"[{int(m.group(1)) + offset}]", answer.answer)
            citations += [replace(c, n=c.n + offset) for c in answer.citations]
            blocks.append(f"【{meta.name}】{text}")
        levels = [a.support for _, a in drafts]
        support = "direct" if all(s == "direct" for s in levels) else (
            "none" if all(s == "none" for s in levels) else "related")
        head = f"按文档分别列出（{'、'.join(m.name for m, _ in drafts)}）："
        return Answer(q, head + "\n\n" + "\n\n".join(blocks), support, "extractive", tuple(citations),
                      notes=(f"comparison over {len(drafts)} documents",))


def plan_comparison(question: str, metas: Sequence[DocumentMeta], explicit: bool) -> Comparison | None:
    found = named(question, metas)
    if len(found) >= 2:
        return Comparison(strip_names(question, metas), tuple(found))
    if explicit and not found and len(metas) >= 2 and COMPARE_RE.search(question):
        return Comparison(strip_names(question, metas), tuple(metas))
    return None


def indicator_name(chunk: Chunk) -> str:
    name = dict(chunk.fields).get("指标", "")
    return re.sub(r"[（(][^）)]*[）)]", "", name).split("／")[-1].strip()


def best_row(question: str, rs: RetrieverSet) -> Chunk | None:
    return next((h.chunk for h in rs.hybrid.search(question, ROW_TOP) if h.chunk.kind == "table_row"), None)


def indicator_rows(question: str, metas: Sequence[DocumentMeta], retrievers: dict[str, RetrieverSet]) -> str:
    """"粮食综合生产能力：永济市“十四五”规划 2025年 …；全国“十五五”规划 2030年 …" when every document
    tabulates the same indicator (names equal once units in brackets are dropped), else ""."""
    rows = [best_row(question, retrievers[m.id]) for m in metas]
    if any(r is None for r in rows):
        return ""
    names = {indicator_name(r) for r in rows if r is not None}
    if len(names) != 1 or not next(iter(names)):
        return ""
    cells = []
    for meta, row in zip(metas, rows):
        values = "，".join(f"{k} {v}" for k, v in row.fields if k not in ("指标", "序号") and v not in ("", "-", "—"))
        cells.append(f"{meta.name}：{values}")
    return f"指标“{next(iter(names))}”对比——" + "；".join(cells) + "。"
