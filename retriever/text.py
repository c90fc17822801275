"""Chinese tokenisation for BM25: jieba, taught the plan's own vocabulary.

jieba's default dictionary cuts project names and slogans ("六强五新", "伍姓湖") into
pieces; adding the plan's headings, 专栏 titles and item leads keeps them whole, and
``cut_for_search`` still emits the pieces so partial matches work too.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache

import jieba

from ingest.schema import Chunk
from retriever.colloquial import COLLOQUIAL
from retriever.homophones import HomophoneIndex

jieba.setLogLevel(logging.WARNING)

STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 么 嘛 是 在 和 与 及 或 有 没有 什么 啥 咋 怎么 怎样 如何 哪些 哪个 多少 几 "
    "我 我们 俺 俺们 咱 咱们 你 你们 他 她 它 这 那 这个 那个 这些 那些 就 都 也 还 又 要 会 能 "
    "可以 吗 请问 一下 规划 里 中 上 对 说 讲 提到 方面 关于 情况 问题 事 事儿 有没有 是否 给 为 "
    "以 将 把 被 等 及其 并 其 之 个 年".split()
)
PUNCT_RE = re.compile(r"^[\W_]+$", re.UNICODE)
TERM_RE = re.compile(r"[“”\"《》]([^“”\"《》]{2,12})[“”\"《》]")
# Question scaffolding removed before cutting a query into character pairs.
CHAR_QUERY_NOISE = ("规划", "什么", "多少", "哪些", "怎么", "是不", "不是", "有没", "没有")
NON_WORD_RE = re.compile(r"[^\u4e00-\u9fff0-9a-z]+")


def plan_vocabulary(chunks: Iterable[Chunk]) -> set[str]:
    """Headings, 专栏/table titles, item leads and quoted slogans of the plan."""
    words: set[str] = set()
    for c in chunks:
        for head in (c.chapter, c.section, c.title):
            if head:
                body = re.sub(r"^(第\S+?[章节]|专栏\s*\d+[：:]|表\s*\d+[：:])\s*", "", head)
                words.update(p for p in re.split(r"[，、：:\s]+", body) if 2 <= len(p) <= 16)
        if c.group and len(c.group) <= 16:
            words.add(c.group.strip("——“”"))
        words.update(TERM_RE.findall(c.text))
    return {w for w in words if w and not PUNCT_RE.match(w)}


class Tokenizer:
    """A private jieba instance so the user dictionary never leaks into other callers."""

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for word in sorted(set(vocabulary)):
            self._jieba.add_word(word, freq=2000)
        self.general = self._jieba  # its FREQ table: general-language word frequencies (+ the plan's words)
        self.homophones: HomophoneIndex | None = None  # set by the BM25 index that knows the plan's words
        # The plan's sentences are tokenised again on every answer; they never change.
        self._cached = lru_cache(maxsize=50_000)(self._tokenize)

    def tokens(self, text: str) -> list[str]:
        return list(self._cached(text))

    def _tokenize(self, text: str) -> tuple[str, ...]:
        out = []
        for tok in self._jieba.cut_for_search(text.lower()):
            tok = tok.strip()
            if tok and tok not in STOPWORDS and not PUNCT_RE.match(tok):
                out.append(tok)
        return tuple(out)

    def dictionary_words(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) by the dictionary alone: no HMM guesses, so an unknown typo stays in characters."""
        return list(self._jieba.tokenize(text, HMM=False))

    def query_tokens(self, text: str) -> list[str]:
        fixed = self.homophones.corrections(text, self.dictionary_words) if self.homophones else []
        return self.tokens(text) + [t for w in expansions(text) + fixed for t in self.tokens(w)]


def expansions(text: str) -> list[str]:
    """The plan's words for the citizen words in `text` (看病 → 医疗卫生, 医院)."""
    return [w for key, syns in COLLOQUIAL.items() if key in text for w in syns]


class CharBigramTokenizer:
    """Overlapping character pairs: no dictionary, so misspellings (五姓湖 → 伍姓湖 share 姓湖)
    and colloquial compounds still meet the plan's wording halfway."""

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for seg in NON_WORD_RE.sub(" ", text.lower()).split():
            out.extend(seg[i:i + 2] for i in range(len(seg) - 1))
        return out

    def dictionary_words(self, text: str) -> list[tuple[str, int, int]]:
        """(word, start, end) by the dictionary alone: no HMM guesses, so an unknown typo stays in characters."""
        return list(self._jieba.tokenize(text, HMM=False))

    def query_tokens(self, text: str) -> list[str]:
        for noise in CHAR_QUERY_NOISE:
            text = text.replace(noise, " ")
        return self.tokens(text)
