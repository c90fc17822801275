"""How one answer looks in /ui's chat: badge, text with [n] links, collapsible sources with the used words marked.

Gradio 6's Chatbot inserts message content as (DOMPurify-sanitised) HTML even with render_markdown=False, so
the page builds that HTML itself: every piece of text — a citizen's question, the plan's own words — goes
through ``as_text`` first, and only the few tags written here (a, details, summary, blockquote, mark, div, p, span)
are markup. The sanitiser drops ``data-*`` and ``aria-*`` attributes, so links find their quote by ``id`` and get
their spoken label from the page script (chat_app/ui_page.py).
"""
from __future__ import annotations

import html
import re

from chat_app.schema import Answer, Citation

RELATED_MARK = "⚠ 相关内容（规划未直接写明您问的内容）"
REFUSED_MARK = "ⓘ 规划未涉及这个问题"
SOURCES_LABEL = "依据规划原文："
SECTION_ASK = "规划中“{}”这一节讲了什么？"  # the same wording as a refusal's suggestions (chat_app/engine.py)
MAX_CHIPS = 3  # nearest sections offered under a related answer, as under a refusal
CITE_MARK = re.compile(r"\[(\d+)\]")
SENTENCE_END = "。！？；!?;：:\n"
CLAUSE_SPLIT = re.compile(r"[，,]")
MIN_SENTENCE = 4  # shorter pieces ("是。") would mark unrelated words in a quote
MIN_CLAUSE = 6


def as_text(text: str) -> str:
    """Text shown exactly as typed, never as markup ("<b>粗体</b>" stays literal, "<img …>" is no image)."""
    return html.escape(text, quote=True)


def short_header(chapter: str, section: str, title: str = "") -> str:
    """"第九章 持续增进…", "第三节 办好人民满意教育" → "第九章·第三节 办好人民满意教育" (+ its 专栏/表):
    three full 章+节 headers would fill a phone screen."""
    ch, sec = chapter.split(" ", 1)[0], section.split(" ", 1)
    head = f"{ch}·{sec[0]} {sec[1]}" if len(sec) == 2 else (f"{ch} {section}".strip() if ch else section)
    return f"{head} · {' '.join(title.split())}" if title else head


def claims(answer: str) -> dict[int, list[str]]:
    """The answer's text before each [n]: what that citation supports ("…。[1][2]": both cite the same words)."""
    out: dict[int, list[str]] = {}
    last, prev = 0, ""
    for m in CITE_MARK.finditer(answer):
        piece = answer[last:m.start()]
        piece = piece if piece.strip() else prev
        out.setdefault(int(m.group(1)), []).append(piece)
        prev, last = piece, m.end()
    return out


def _sentences(text: str) -> list[str]:
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch in SENTENCE_END:
            out.append(cur)
            cur = ""
    return out + ([cur] if cur else [])


def used_ranges(quote: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Spans of `quote` the answer took: whole sentences found verbatim, else their clauses (the widget's rule)."""
    ranges: list[tuple[int, int]] = []

    def find(s: str) -> bool:
        s = s.strip().lstrip("，,、")
        if len(s) < MIN_SENTENCE:
            return False
        at = quote.find(s)
        if at < 0 and s[-1] in SENTENCE_END:
            s = s[:-1]
            at = quote.find(s) if len(s) >= MIN_SENTENCE else -1
        if at >= 0:
            ranges.append((at, at + len(s)))
        return at >= 0

    for piece in pieces:
        for s in _sentences(piece):
            if not find(s):
                for clause in CLAUSE_SPLIT.split(s):
                    if len(clause.strip()) >= MIN_CLAUSE:
                        find(clause)
    merged: list[list[int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def marked(quote: str, ranges: list[tuple[int, int]]) -> str:
    """The quote as HTML with the used spans in <mark>."""
    out, at = [], 0
    for a, b in ranges:
        out += [as_text(quote[at:a]), f"<mark>{as_text(quote[a:b])}</mark>"]
        at = b
    return "".join(out) + as_text(quote[at:])


def quote_id(message: int, n: int) -> str:
    """Unique in the page: the chat message's index and the citation number ("pa-" keeps clear of DOM names)."""
    return f"pa-q{message}-{n}"


def _badge(answer: Answer) -> str:
    if answer.support == "related":
        return f'<span class="pa-badge pa-badge-related">{RELATED_MARK}</span>'
    if answer.support == "none":
        return f'<span class="pa-badge pa-badge-refused">{REFUSED_MARK}</span>'
    return ""


def _text(text: str) -> str:
    return as_text(text).replace("\n", "<br>")


def partial_html(answer: Answer, upto: int) -> str:
    """While the answer streams: the badge and the text so far, no links yet (a mark may be cut in half)."""
    return f'{_badge(answer)}<span class="pa-text">{_text(answer.answer[:upto])}</span>'


def answer_html(answer: Answer, message: int) -> str:
    """The finished answer: [n] marks link to their quote; one collapsible source per 章/节 (+ 专栏/表)."""
    numbers = {c.n for c in answer.citations}

    def link(m: re.Match) -> str:
        n = int(m.group(1))
        if n not in numbers:
            return m.group(0)
        return f'<a class="pa-cite-ref" href="#{quote_id(message, n)}" role="button">[{n}]</a>'

    text = CITE_MARK.sub(link, _text(answer.answer))
    return f'{_badge(answer)}<span class="pa-text">{text}</span>{_sources(answer, message)}'


def _sources(answer: Answer, message: int) -> str:
    if not answer.citations:
        return ""
    used = claims(answer.answer)
    cards: dict[str, list[Citation]] = {}
    for c in answer.citations:
        cards.setdefault(short_header(c.chapter, c.section, c.title), []).append(c)
    out = [f'<div class="pa-sources"><p class="pa-cite-label">{SOURCES_LABEL}</p>']
    for head, cites in cards.items():
        nums = "".join(f"[{c.n}]" for c in cites)
        out.append(f'<details class="pa-citation"><summary>{nums} {as_text(head)}</summary>')
        for c in cites:
            label = f'<span class="pa-quote-n">[{c.n}]</span> ' if len(cites) > 1 else ""
            out.append(f'<blockquote class="pa-quote" id="{quote_id(message, c.n)}">{label}'
                       f'{marked(c.quote, used_ranges(c.quote, used.get(c.n, [])))}</blockquote>')
        out.append("</details>")
    return "".join(out) + "</div>"


def section_chips(answer: Answer) -> tuple[str, ...]:
    """One-tap follow-ups: a refusal's own suggestions; for a related answer, the sections it quotes."""
    if answer.suggestions or answer.support != "related":
        return answer.suggestions
    names = dict.fromkeys(c.section.split(" ", 1)[-1] for c in answer.citations if c.section)
    return tuple(SECTION_ASK.format(name) for name in list(names)[:MAX_CHIPS])
