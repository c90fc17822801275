"""Build the ``Query`` every later step reads: raw, standalone, asked details, topic words."""
from __future__ import annotations

import re

from chat_app.guards import asked_details, topic_words
from chat_app.lexicon import ASKING_RE
from chat_app.schema import Query
from retriever.bm25 import BM25Retriever

PART_RE = re.compile(r"[？?]")
MAIN_PART_MIN = 4  # "有没有建充电桩的？在哪建": the first part this long is the main question
SUBJECT_MAX = 12  # characters of the question quoted back as its subject


def understand(raw: str, standalone: str, bm25: BM25Retriever, exclude: frozenset[str] = frozenset()) -> Query:
    """A missing detail in a follow-up part ("…？在哪建") does not sink what the plan says about the
    first, so asked details are read from the main part only; topic words from the whole question."""
    main = next((p for p in PART_RE.split(standalone) if len(p.strip()) >= MAIN_PART_MIN), standalone)
    words = topic_words(standalone, bm25)
    ordered = tuple(sorted(words, key=lambda w: (standalone.find(w), -len(w))))
    in_plan = frozenset(w for w in words if w in bm25.bm25.idf)
    return Query(raw, standalone, asked_details(main), ordered, frozenset(exclude), in_plan)


def subject(query: Query) -> str:
    """The stretch of the question its topic words span ("五老峰门票"), to name what the plan lacks.
    Words with digits stay out: every figure in an answer must come from a cited passage."""
    text = query.standalone.lower()  # topic words are lower-cased tokens ("gdp")
    asking = ASKING_RE.search(text)
    stop = asking.start() if asking else len(text)
    # words the plan uses name the thing ("GDP"), not how it was asked ("能到", a typo like "规化")
    words = [w for w in query.topic if w in query.in_plan] or list(query.topic)
    spans = [(text.find(w), text.find(w) + len(w)) for w in words
             if w in text and not re.search(r"\d", w)]
    spans = [s for s in spans if s[1] <= stop] or spans
    if not spans:
        return ""
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    if end - start <= SUBJECT_MAX and not re.search(r"[\d？?，,。！!]", text[start:end]):
        return query.standalone[start:end]
    first = min(spans)
    return query.standalone[first[0]:first[1]]
