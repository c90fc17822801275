"""Counted enumerations: "六强是哪六个产业" is answered by the plan's own "A、B、…F6个优势产业".

Official Chinese writing names a set by listing its members and then counting them ("以机电制造产业、
铝精深加工产业、…、高端印染包装业6个优势产业为基础", "…等四大集群"). A list question that says how many it
wants and names the kind of thing is answered by the enumeration with exactly that many members followed by
that count, wherever in the best passages it sits — a sentence the picker would score low because its
words are mostly the members' names.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from chat_app.ask import LIST_RE, last_count, numeral
from chat_app.coordination import coordinated
from chat_app.extractive import MODE, compose
from chat_app.parts import clauses
from chat_app.schema import Answer
from ingest.chunker import sentences
from ingest.schema import Chunk, Hit

# members joined by 、, an optional 等/为, then "N个/N大 + noun" (general usage of counted sets)
COUNTED_RE = re.compile(r"((?:[^、，。；：,;:]{2,30}、)+[^、，。；：,;:]{2,30}?)(?:等|为|作为)?\s*"
                        r"(\d+|[二两三四五六七八九十])\s*[个大项类种条]\s*([\u4e00-\u9fff]{2,10})")
# where the counted noun ends: a function word or what the sentence goes on to say (general usage)
NOUN_END_RE = re.compile(r"[为的和与及是在]")
# words a first member starts after ("加快形成以机电制造产业", "划定伍姓湖"): prepositions and verbs that
# introduce a set (general usage)
LEAD_IN_RE = re.compile(r"^.*(?:以|把|将|有|是|包括|涵盖|即|划定|发展|打造|建设|形成|推动|推进|实施)")
HITS_SEARCHED = 8
CHAPTERS_FROM = 3  # the chapters of the three best passages are searched whole
HEAD_CHARS = 2  # a Chinese compound's head: "产业" of 优势产业, "中区" of 生态保护集中区


def counted_list(question: str, hits: Sequence[Hit], by_section: Mapping[tuple[str, str], Sequence[Chunk]]
                 ) -> Answer | None:
    """The enumeration with as many members as the question asks for, of the kind it names: in the best
    passages, then anywhere in their chapters (a chapter's opening names its sets, "六强五新", and the
    question's words are those of the sections that follow)."""
    wanted = last_count(question)
    if wanted < 2 or not LIST_RE.search(question) or len(clauses(question)) > 1 or coordinated(question):
        return None  # a question asking something else too ("三个A和三大B分别是什么") is answered part by part
    chapters = {h.chunk.chapter for h in hits[:CHAPTERS_FROM]}
    pool = [h.chunk for h in hits[:HITS_SEARCHED]] + [c for (chapter, _), cs in by_section.items()
                                                        if chapter in chapters for c in cs]
    for chunk in dict.fromkeys(pool):
        for s in sentences(chunk.text):
            for m in COUNTED_RE.finditer(s):
                members, count = m.group(1).split("、"), m.group(2)
                noun = NOUN_END_RE.split(m.group(3), maxsplit=1)[0]
                if numeral(count) != wanted or len(members) != wanted or len(noun) < HEAD_CHARS or noun[-HEAD_CHARS:] not in question:
                    continue
                first = LEAD_IN_RE.sub("", members[0]) or members[0]
                # the plan's own words from the first member to the noun: "伍姓湖、…三大生态保护集中区"
                text = s[m.start(1) + len(members[0]) - len(first):m.start(3) + len(noun)].strip()
                return compose(question, [(text, chunk)], MODE)
    return None
