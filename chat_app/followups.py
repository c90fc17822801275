"""Follow-up questions made standalone, offline: "那农村呢？", "还有呢", "具体哪年？", "这个投资多少？".

The previous turn gives two things to lean on: its standalone question and the section its answer cited.
A follow-up either names a sibling of something in the previous question (蒲州镇 for 卿头镇: swap it in), the
other side of an urban/rural pair (农村 for 城镇: swap it), or asks something short about the same thing
(→ "问题（上一问）"). "还有呢" repeats the previous question without the passages already given. A bare name
the plan writes with a category ("虞乡" of 虞乡镇) is swapped for its sibling ("卿头镇", and 卿头 wherever the
question repeats it); another compass part ("北边呢" after 东部…) asks the same of it; a pointing word anywhere
("这一指标", "其中", "旁边") leans on the previous question; a change-of-subject marker ("换个话题，", "对了，")
starts afresh, and so does a short follow-up that asks its own question of a name the previous turn never
mentioned ("那市人民医院搬了以后那片要搞啥" after a farming question; a name counts whole when the plan writes
it whole, though the tokenizer cuts it: 人民 + 医院). (Tried and dropped on the tuning dialogues: the previous answer's section as the topic of "那X呢";
skipping the passages just quoted; carrying every "X呢" that names a topic, or every one after a figure question
(−1 each); searching a carried follow-up's own words apart and fusing them in (−5).)
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from chat_app.lexicon import (ASKING_RE, COMPASS, COMPASS_SUFFIXES, CONTRAST_PAIRS, DEICTIC_RE, FIGURE_ASK_RE,
                              QUESTION_CHARS, TOPIC_SWITCH_RE)

FOLLOWUP_RE = re.compile(r"^(那|那么|还有|另外|这个|那个|它|其|该|此|具体|什么时候|啥时候|啥时|多少|哪些|有哪些|然后)")
# "生物医药制药产业呢？" — a short "and X?" names a new subject for the previous question
ABOUT_RE = re.compile(r"^[^？?，,。]{2,14}呢[？?。！!]*$")
# "还有呢", "还有别的吗", "其他的呢": more of the same (general phrasing)
MORE_RE = re.compile(r"^(?:还有|另外|其他|其它|别的|更多)+(?:的|些|项目|内容)?[呢吗没不？?。！!]*$")
# "那" opens a follow-up ("那农村呢"), but 那边/那里/那儿/那块/那个/那些 are where or what it points at.
LEAD_WORD_RE = re.compile(r"^(那么|那(?![边里儿块个些])|还有|另外|然后)")
NAME_MAX = 4  # characters: a bare place name ("虞乡", "开张")
SHORT = 8  # characters: a question this short leans on the previous one
YEAR_ASK_RE = re.compile(r"20\d\d")
# A new subject is named by a specific name ("市人民医院", "黄河大道"); two-character words ("大棚", "湖面", "里头")
# are as often a part or an aspect of the previous topic (tuning dialogues: 2 characters −8 follow-ups).
SWITCH_NAME_MIN = 3
# ...and neither an ordinal ("第一个是什么": general grammar, 第 + numeral) nor a five-year period ("“十三五”期间
# …多少": the plan's own 十三五/十四五) names a subject: they ask about a position or a time of the last one.
NOT_A_SUBJECT_RE = re.compile(r"^第|十[一二三四五]五")
YES_NO_TAILS = ("不", "没")  # "要改造不", "修了没": a verb then 不/没 asks yes or no (northern colloquial usage)
CARRIED_CORE_MAX = 24  # characters of a carried question's own part
CARRIED_RE = re.compile(rf"^[^（]{{1,{CARRIED_CORE_MAX}}}（(.{{8,}})）$")  # "core（previous question）", as resolve() writes it


@dataclass(frozen=True)
class Resolution:
    standalone: str
    exclude: frozenset[str] = frozenset()  # passages already given ("还有呢")
    carried: bool = False  # the previous question was carried along in parentheses


def resolve(question: str, history: list[dict], topical: Callable[[str], bool] = lambda q: True,
            known: Callable[[str], bool] = lambda w: False,
            siblings: Callable[[str], frozenset[str]] = lambda n: frozenset(),
            topics: Callable[[str], set[str]] = lambda q: set()) -> Resolution:
    """`topical` says whether a question names a topic of its own; a figure asked of none ("以后每年能涨多少？",
    "2020年完成值呢？") is asked about the previous question's topic, however long it is (see leans). `known`
    says whether the plan has a word ("虞乡镇"), so a bare name ("虞乡呢") can be matched to its sibling;
    `siblings` gives the other lines of the 专栏 line a name is ("新业态" → 新装备…); `topics` the rarer plan
    words a question names (guards.topic_words), so a follow-up asking its own thing of a new one is a new question."""
    switched = TOPIC_SWITCH_RE.sub("", question, count=1)
    if not history or (switched != question and switched):
        return Resolution(switched or question)  # "换个话题，…" starts afresh: the marker names nothing
    prev = history[-1]
    if MORE_RE.match(question):
        return Resolution(prev["standalone"], frozenset(prev["cited"]))
    previous = root(prev["standalone"])
    short = bool(FOLLOWUP_RE.match(question) or DEICTIC_RE.search(question)) or len(question) <= SHORT \
        or leans(question, topical)
    if not (short or ABOUT_RE.match(question)):
        return Resolution(question)
    core = LEAD_WORD_RE.sub("", question).strip("呢吗？?。 ")
    swapped = (contrast(core, previous) or compass(core, previous) or sibling(core, previous, siblings)
               or substitute(named(core, previous, known), previous, known))
    if swapped:
        return Resolution(swapped)
    if short and switches(question, core, prev, topics, known):
        return Resolution(LEAD_WORD_RE.sub("", question).lstrip("，,、 "))
    if short:  # too short to stand alone: lean on the previous question
        return Resolution(f"{core}（{previous.rstrip('？?。')}）", carried=True)
    return Resolution(question)


def leans(question: str, topical: Callable[[str], bool]) -> bool:
    """A figure or a year asked of nothing ("以后每年能涨多少？", "2020年完成值呢？") is asked of the last topic;
    "明天永济会下雨吗？" names no plan topic either, but asks no figure: a new question, not a follow-up."""
    return bool(FIGURE_ASK_RE.search(question) or YEAR_ASK_RE.search(question)) and not topical(question)


def switches(question: str, core: str, prev: dict, topics: Callable[[str], set[str]],
             known: Callable[[str], bool] = lambda w: False) -> bool:
    """"那市人民医院搬了以后那片要搞啥" after a farming question: it asks its own question (a question word) of
    topics neither the previous question nor its answer names — an abrupt change of subject, not an ellipsis.
    A pointing word ("这个投资多少") or a bare name ("那鹳雀楼呢", no question word) still leans back."""
    if DEICTIC_RE.search(question) or not (ASKING_RE.search(core) or core.endswith(YES_NO_TAILS)):
        return False
    found = topics(core)
    words = {w for w in found | plan_names(core, found, known)
             if len(w) >= SWITCH_NAME_MIN and not NOT_A_SUBJECT_RE.search(w)}
    said = f"{prev['standalone']}{prev.get('answer', '')}"
    return bool(words) and not any(w in said for w in words)


def plan_names(core: str, words: set[str], known: Callable[[str], bool]) -> set[str]:
    """Names the plan writes that a question spells with two of its words side by side: the tokenizer cuts
    "黄河大道" into 黄河 + 大道 and "市人民医院" into 人民 + 医院, but the plan writes 黄河大道 and 人民医院 whole."""
    return {a + b for a in words for b in words if a != b and a + b in core and known(a + b)}


def root(standalone: str) -> str:
    """"鹳雀楼那咋弄（普救寺（五老峰以后要弄啥新耍的））" → "五老峰以后要弄啥新耍的": a carried follow-up leans
    on the question it was carried from, so a chain of follow-ups does not nest."""
    m = CARRIED_RE.match(standalone)
    return root(m.group(1)) if m else standalone


def contrast(core: str, previous: str) -> str | None:
    """"农村" after a question about "城镇…": the other side of a pair the previous question names."""
    for a, b in CONTRAST_PAIRS:
        for new, old in ((a, b), (b, a)):
            if core.startswith(new) and old in previous and new not in previous:
                return previous.replace(old, new, 1)
    return None


def compass(core: str, previous: str) -> str | None:
    """"北边呢" after "东部医疗康养圈…": the same question of another compass part (lexicon.COMPASS)."""
    if len(core) < 2 or core[0] not in COMPASS or core[1] not in COMPASS_SUFFIXES:
        return None
    # "城西那块" names a part of the city as 城 + compass (general usage), like "西部"
    m = re.search(f"[{COMPASS}](?=[{COMPASS_SUFFIXES}])|(?<=城)[{COMPASS}]", previous)
    if not m or m.group(0) == core[0]:
        return None
    return previous[:m.start()] + core[0] + previous[m.end():]


def sibling(core: str, previous: str, siblings: Callable[[str], frozenset[str]]) -> str | None:
    """"新业态" after "专栏12“新装备”类项目有哪些": another line of the same 专栏, swapped in (the longest
    sibling the previous question names)."""
    named_before = sorted((s for s in siblings(core) if s in previous), key=len, reverse=True)
    return previous.replace(named_before[0], core, 1) if named_before and core not in previous else None


def named(core: str, previous: str, known: Callable[[str], bool]) -> str:
    """"虞乡" → "虞乡镇" when the plan has 虞乡镇 and the previous question names a 镇 (卿头镇): a bare name
    gets the category it shares with its sibling, so substitute() can swap it in."""
    if not core or len(core) > NAME_MAX:  # "虞乡" ends in 乡 but is a 镇's name
        return core
    return next((core + c for c in sorted(CATEGORY_CHARS) if c in previous and known(core + c)), core)


CATEGORY_CHARS = frozenset("镇村乡区县市院校园站湖山寺楼馆厂局所库路河")
BOUNDARY_CHARS = frozenset("的中里在和与及是要把对为从到了吗呢，,。？?！!“”\"《》（）()、：: ")


def substitute(core: str, previous: str, known: Callable[[str], bool] = lambda w: False) -> str | None:
    """"蒲州镇呢" after "卿头镇以后要发展成个啥样" → "蒲州镇以后要发展成个啥样": the follow-up names
    a sibling of something in the previous question (same ending: 镇, 产业, 绿化工程), so swap it in."""
    for n in range(min(len(core) - 1, 4), 0, -1):
        ending = core[-n:]
        if n == 1 and ending not in CATEGORY_CHARS or QUESTION_CHARS & set(ending) or "多少" in ending:
            continue  # "…涨多少" shares its question word with the previous question, not a sibling
        end = previous.find(ending)
        if end < 0:
            continue
        start = end
        while start > 0 and previous[start - 1] not in BOUNDARY_CHARS and not previous[start - 1].isdigit() \
                and end + n - start < 10:
            start -= 1
        old = previous[start:end + n]
        # "我住张营镇": the name is the longest tail the plan writes, not the whole run of characters
        old = next((old[i:] for i in range(len(old) - n) if known(old[i:])), old)
        start = end + n - len(old)
        if old != core and len(old) > n:
            swapped = previous[:start] + core + previous[end + n:]
            if n == 1 and len(old) > 2:  # "卿头镇…卿头要…": the bare name later in the question is swapped too
                swapped = swapped.replace(old[:-1], core[:-1])
            return swapped
    return None


