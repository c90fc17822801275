"""What a question asks for, read once from its wording: a figure, a list (how many, of what kind), a
unit, a year — and, for a carried follow-up, which part is its own ask and which the previous question.

The extractive answerer (chat_app/extractive.py) boosts the plan's sentences that give what was asked.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from chat_app.followups import CARRIED_RE
from chat_app.guards import gives_figure
from chat_app.lexicon import ASKED_DETAILS, FIGURE_DETAIL_NAMES

FIGURE_RE = re.compile(r"多少|几个|几项|几所|几条|几成|百分之|比例|比重|目标值|完成值|指标|增长|增速|规模|数量|面积|多长|多大|多高|达到|\d")
LIST_RE = re.compile(r"哪些|哪几|些啥|些什么|都是啥|都是哪|都有啥|哪[二两三四五六七八九十\d]|有啥|包括|包含|都有|分别是|具体指|列出|清单|项目")
# The end of a five-year period is its last year (十三五: 2016–2020, 十四五: 2021–2025): "十四五末" asks 2025.
# A five-year plan's "these five years" are its own (the plan: "明确了未来五年全市经济社会发展的战略目标"):
# "五年后能到多少", "这五年要修多少" ask its 2025 figure.
PERIOD_ENDS = ((re.compile(r"十三五[”\"]?(?:末|期末|结束)"), "2020"), (re.compile(r"十四五[”\"]?(?:末|期末|结束)"), "2025"),
               (re.compile(r"(?:这|未来|以后|往后|今后)五年|五年(?:后|内|以后|之后|以内)"), "2025"))
# A target asked without a year is the plan's own, for its last year (专栏2: "2025年目标"); a target of an earlier
# period (十三五/十二五) or with a year of its own is not.
TARGET_RE = re.compile(r"目标")
EARLIER_PERIOD_RE = re.compile(r"十[一二三]五")
YEAR_RE = re.compile(r"(?<!\d)(20[1-3]\d|2[0-9](?=年))(?!\d)")  # 2015 (表1) to the 2035 goals
COUNT_RE = re.compile(r"(?:哪|这)?([二两三四五六七八九十]|\d+)\s*(?:个|大|条|项|种|类|型|新|强|所|座|家|方面|板块|基地|集群)")
WHICH_N_RE = re.compile(r"哪([二两三四五六七八九十])")  # 哪 + a numeral asks for that many of what follows: "是哪三无"
MAX_COUNT = 20  # a larger number is a figure, not how many items are asked for
CN_DIGITS = {"二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
ENUMERATION_MIN = 4  # four named things make a list that answers "哪些" (3 tried on the tuning sets: no gain)
# A list question's noun right after its question word, up to the end of the clause (general grammar:
# 哪些/哪几个/哪N个/些啥 + noun — plural question words; a bare 啥/什么 asks "what kind of", 啥样的镇);
# 1-4 characters, so a clause with a verb after the noun does not count.
KIND_RE = re.compile(r"(?:哪些|哪几个?|哪[二两三四五六七八九十]个?|些啥|些什么)([\u4e00-\u9fff]{1,4}?)(?:[？?，,。！!]|呢|啊|吗|$)")
ITEM_RE = re.compile(r"[、，；“]")
# Nouns that ask for "things" without naming a kind (general usage): 哪些项目/措施/方面 are answered by the
# plan's lists and boxes (chat_app/lists.py), not by items sharing a last character.
GENERIC_KINDS = ("项目", "工程", "内容", "措施", "举措", "方面", "领域", "东西", "事", "政策", "要求", "任务", "重点",
                 "工作", "方向", "部署", "安排", "办法")
KIND_MIN = 2  # two items of the asked kind make the sentence an enumeration of it
KIND_BOOST = 1.5
# "占到多少" wants a share: with the units the refusal guard knows, what a figure question asks for.
MEASURES = "所家项条座处户台个批"
ASKED_UNITS = tuple((ask, unit) for name, ask, unit in ASKED_DETAILS if name in FIGURE_DETAIL_NAMES) + (
    (re.compile(r"百分之|多少%|比例|比重|占比|占到|占多少|率"), re.compile(r"\d\s*(?:%|％|个百分点)|（%）")),
) + tuple((re.compile(rf"(?:几|多少){m}"), re.compile(rf"\d\s*{m}")) for m in MEASURES)  # "新盖几所" → "20所"


@dataclass(frozen=True)
class Ask:
    """What kind of answer the question wants, read once from its wording."""
    figure: bool
    is_list: bool
    wanted: int
    units: tuple[re.Pattern[str], ...]
    years: frozenset[str]
    kind: str = ""  # "哪几个功能圈" → "圈": what each listed item is called

    @classmethod
    def of(cls, question: str) -> Ask:
        question = carried_core(question)[0]  # "在哪建（体育中心有几个场馆）" asks where, not how many
        return cls(bool(FIGURE_RE.search(question)), bool(LIST_RE.search(question)), asked_count(question),
                   tuple(unit for ask, unit in ASKED_UNITS if ask.search(question)),
                   frozenset(("20" + y if len(y) == 2 else y) for y in YEAR_RE.findall(question))
                   | frozenset(year for end, year in PERIOD_ENDS if end.search(question))
                   | target_year(question),
                   asked_kind(question))

    def boost(self, s: str, score: float) -> float:
        if self.figure and re.search(r"\d", s):
            score *= 1.3
        if any(gives_figure(u, s) for u in self.units):
            score *= 1.3  # "多长" → a figure in 公里, not the number of projects
        items = enumerated(s)
        if self.is_list and items >= ENUMERATION_MIN:
            score *= 1.2  # an enumeration is what a "哪些" question wants
        if self.kind and items_of_kind(s, self.kind) >= KIND_MIN:
            score *= KIND_BOOST  # "哪几个功能圈" → "西部时尚运动圈、东部医疗康养圈、…"
        if self.years and any(y in s for y in self.years):
            score *= 1.3  # "到2025年…达到多少": the target, not the 2020 baseline
        if self.wanted and items >= self.wanted:
            score *= 1.3  # "哪四个集群": a sentence listing at least four things
        return score


def target_year(question: str) -> frozenset[str]:
    """"城镇化率的目标是多少" → 2025: the plan's targets are for its last year."""
    if TARGET_RE.search(question) and not YEAR_RE.search(question) and not EARLIER_PERIOD_RE.search(question):
        return frozenset({"2025"})
    return frozenset()


def carried_core(question: str) -> tuple[str, str]:
    """"普救寺（五老峰以后要弄啥新耍的）" → ("普救寺", "五老峰以后要弄啥新耍的"): a carried follow-up
    (chat_app/followups.py) asks its own core about the previous question's topic."""
    m = CARRIED_RE.match(question)
    return (question[:m.start(1) - 1], m.group(1)) if m else (question, "")


def asked_kind(question: str) -> str:
    """The last character of the noun a list question asks for — "要打造哪几个功能圈" → 圈, "都办些啥节" → 节,
    "分哪三型" → 型 — the head a Chinese compound name ends in (运动圈, 登山节, 集约型); '' if none."""
    m = KIND_RE.search(question)
    # "哪些项目打造": a generic noun first is the whole noun, and what follows it the verb ("打造", not a 造 kind)
    if not m or m.group(1).endswith(GENERIC_KINDS) or m.group(1).startswith(GENERIC_KINDS):
        return ""
    return m.group(1)[-1]


def items_of_kind(s: str, kind: str) -> int:
    """How many of a sentence's listed items end in the asked kind ("西部时尚运动圈、东部医疗康养圈" → 2)."""
    return sum(item.strip().rstrip("”等。")[-1:] == kind for item in ITEM_RE.split(s) if item.strip())


def enumerated(s: str) -> int:
    """How many things a sentence lists: items joined by 、 ("南风百货、百货大楼、供销大楼") or written as
    adjacent quoted names ("“永济葡萄”“永济冬枣”"), the plan's two ways of enumerating."""
    return s.count("、") + s.count("”“") + 1


def last_count(question: str) -> int:
    """The count a question asks for when it names several: its last one ("六强五新里那五个新产业" asks for
    five; "这三无是哪三无" for three)."""
    found = sorted((m.start(), m.group(1)) for r in (COUNT_RE, WHICH_N_RE) for m in r.finditer(question))
    if not found:
        return 0
    return numeral(found[-1][1])


def numeral(n: str) -> int:
    """"6" → 6, "六" → 6, "两" → 2: a count as written in a question or in the plan (0 when it is none)."""
    return int(n) if n.isdigit() and int(n) <= MAX_COUNT else CN_DIGITS.get(n, 0)


def asked_count(question: str) -> int:
    """"八大农业优势基地包括哪些" → 8: how many items the question expects (0 = not said)."""
    m = COUNT_RE.search(question)
    if not m:
        return 0
    return numeral(m.group(1))
