"""One clause that asks about two things: "A和B分别是多少", "是A还是B", "又要A又要B".

General Chinese grammar, not the plan's words: 分别/各自 (and 都 right after the coordination) distribute
a predicate over coordinated nouns joined by 和/与/及/以及/跟/同/、; "是A还是B" asks an alternative; "又A又B"
joins two predicates. Each conjunct becomes its own question with the words around the coordination kept
("养老保险参保率在A与B分别是什么" → "养老保险参保率在A是什么", "养老保险参保率在B是什么"), so
chat_app/parts.py retrieves and answers each with its own evidence.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import jieba

Tokens = Callable[[str], Iterable[tuple[str, int, int]]]

CONJUNCTIONS = frozenset(("和", "与", "及", "以及", "跟", "同", "、"))
DISTRIBUTIVE = frozenset(("分别", "各自", "都"))
# The coordination ends before the predicate: a count of the conjuncts ("两部分", "两节"), a preposition
# that opens the predicate ("对5G网络建设"), or 中 after a numbered part of a document ("专栏10中").
SPAN_END_RE = re.compile(r"两个?(?:部分|节|章|处|方面|块|项|个)|对(?!于)|关于|(?<=[\d节章表栏])中")
COUNT_RE = re.compile(r"^两个?(?:部分|节|章|处|方面|块|项|个)")
# ...and starts after a clause break or a preposition that introduces it ("规划在A和B…", "对A和B…").
SPAN_START_RE = re.compile(r"[，,：:]|(?<![现存正所实好])在|对于|关于")
BREAKS = "，,"
CONJUNCT_MIN_CHARS = 2  # "城里和乡下": two characters name a thing; one ("新") does not
ALTERNATIVE_RE = re.compile(r"(?<![不就还但总要只可倒于凡或若真])是(?!不是)([^，,？?。！!是]{2,14}?)还是"
                            r"([^，,？?。！!]{2,14}?)(?=[？?，,。！!]|呢|啊|呀|$)")
BOTH_RE = re.compile(r"又(要|是|能|得|想|在)?([^，,？?。！!又]{2,12}?)[，,]?又(要|是|能|得|想|在)?"
                     r"([^，,？?。！!]{2,12}?)(?=[？?，,。！!]|呢|啊|呀|$)")


def coordinated(question: str, tokens: Tokens = jieba.tokenize) -> list[str]:
    """The question asked once per conjunct, or [] when it coordinates nothing it asks about."""
    return distributed(question, tokens) or alternatives(question)


def distributed(question: str, tokens: Tokens = jieba.tokenize) -> list[str]:
    """"A和B分别…" / "A与B各自…" / "A和B都…": the predicate asked of A and of B."""
    toks = list(tokens(question))
    marker = next((t for t in toks if t[0] in DISTRIBUTIVE), None)
    if marker is None:
        return []
    links = [t for t in toks if t[0] in CONJUNCTIONS and t[2] <= marker[1] and not quoted(question, t[1])]
    if not links:
        return []
    head = question[:marker[1]]
    end = next((m.start() for m in SPAN_END_RE.finditer(head) if m.start() >= links[-1][2]), len(head))
    if marker[0] == "都" and end != len(head):
        return []  # "A和B对…都": 都 does not distribute there; only "A和B都…" does
    # "A，以及B分别…": a clause break right before the conjunction still joins A and B
    first = links[0][1] - 1 if head[links[0][1] - 1:links[0][1]] in BREAKS else links[0][1]
    start = max((m.end() for m in SPAN_START_RE.finditer(head) if m.end() <= first), default=0)
    cuts = [(s, e) for _, s, e in links if start <= s and e <= end]
    if cuts and "的" not in head[start:cuts[0][0]] and "的" in head[cuts[-1][1]:end]:
        end = head.index("的", cuts[-1][1])  # "2020年和2025年的GDP": 的GDP is shared by both
    bounds = [start] + [p for s, e in cuts for p in (s, e)] + [end]
    items = [head[a:b].strip().rstrip(BREAKS) for a, b in zip(bounds[::2], bounds[1::2])]
    if len(items) < 2 or any(len(i) < CONJUNCT_MIN_CHARS for i in items):
        return []
    tail = COUNT_RE.sub("", head[end:]) + question[marker[2]:]
    return [question[:start] + item + tail for item in items]


def quoted(question: str, at: int) -> bool:
    """Inside “…”: "“一带三核、三区多廊”" is one name, its 、 joins nothing the question asks about."""
    return question.count("“", 0, at) > question.count("”", 0, at)


def alternatives(question: str) -> list[str]:
    """"是A还是B" and "又要A又要B": the question asked with A, then with B."""
    m = ALTERNATIVE_RE.search(question)
    if m:
        return [question[:m.start()] + m.group(i) + question[m.end():] for i in (1, 2)]
    m = BOTH_RE.search(question)
    if m:
        return [question[:m.start()] + (m.group(v) or "") + m.group(i) + question[m.end():] for v, i in ((1, 2), (3, 4))]
    return []
