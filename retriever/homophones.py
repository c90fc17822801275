"""Typos that are homophones of the plan's words: citizens type with pinyin input methods, so "普就寺" is
"普救寺" and "五姓湖" is "伍姓湖". A query also searches for the plan word its typo sounds like.

A window of the question is read as a typo only when it is safe to: three or four characters (two-character
sound-alikes are everywhere: "有几"/"有机"), on the question's own word boundaries, no word of general
Chinese or of the plan itself, and exactly one character away from exactly one plan word that sounds the
same — the character a pinyin input method picks wrongly.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from pypinyin import lazy_pinyin

WINDOWS = (4, 3)  # characters in a typo window
CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+")
Tokenize = Callable[[str], Iterable[tuple[str, int, int]]]


@lru_cache(maxsize=100_000)
def sound(word: str) -> str:
    """Toneless pinyin ("规化" → "guihua")."""
    return "".join(lazy_pinyin(word))


class HomophoneIndex:
    def __init__(self, plan_words: Iterable[str], general: Mapping[str, int]) -> None:
        self.words = {w for w in plan_words if len(w) in WINDOWS and CJK_RUN_RE.fullmatch(w)}
        self.general = general
        self.by_sound: dict[str, list[str]] = {}
        for w in self.words:
            self.by_sound.setdefault(sound(w), []).append(w)

    def corrections(self, text: str, tokenize: Tokenize) -> list[str]:
        """The plan words the question's typos stand for ("普就寺那边" → ["普救寺"])."""
        bounds = {p for _, start, end in tokenize(text) for p in (start, end)}
        singles = {start for tok, start, _ in tokenize(text) if len(tok) == 1}
        out: list[str] = []
        for run in CJK_RUN_RE.finditer(text):
            for n in WINDOWS:
                for i in range(run.start(), run.end() - n + 1):
                    window = text[i:i + n]
                    if i not in bounds or i + n not in bounds or window in self.words or self.general.get(window):
                        continue
                    fixed = self._one_off(window, i, singles)
                    if fixed and fixed not in out:
                        out.append(fixed)
        return out

    def _one_off(self, window: str, start: int, singles: set[int]) -> str:
        found = [w for w in self.by_sound.get(sound(window), ())
                 if [k for k, (a, b) in enumerate(zip(w, window)) if a != b] in ([k] for k in range(len(w)))
                 and start + next(k for k, (a, b) in enumerate(zip(w, window)) if a != b) in singles]
        return found[0] if len(found) == 1 else ""
