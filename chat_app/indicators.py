"""Indicator rows of 表1 and 专栏2 as sentences: the figure with its unit, the asked year first.

"森林覆盖率（%）：2020年完成 29.8；2025年目标 30.8" becomes "专栏2中，森林覆盖率（%） — 2025年目标 30.8%，
2020年完成 29.8%（约束性指标）。": the unit comes from the indicator's name, and the year the question asks
(or else the latest) leads, so the first figure read is the one asked for.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from ingest.schema import Chunk

EMPTY = ("", "-", "—")
UNIT_RE = re.compile(r"[（(]([^（）()]*)[）)]\s*$")
NUMBER_VALUE_RE = re.compile(r"[≥≤><]?\s*-?\d+(?:\.\d+)?")
YEAR_RE = re.compile(r"20\d\d")
COUNT_NAME_RE = re.compile(r"([天人户个家次所座])数\s*$")  # general usage: 天数 "number of days", 人数, 户数…
PERCENT_FIELD = "(%)"  # "年均增长(%)": the field names its own unit


def unit_of(name: str) -> str:
    """The unit in the indicator's last parenthesis ("（亿元）", "（%）"); "（GDP）" names, it does not measure."""
    m = UNIT_RE.search(name)
    if not m:  # "空气质量达到二级标准的天数": a count of a measure word (天数, 人数) is in that measure
        counted = COUNT_NAME_RE.search(name)
        return counted.group(1) if counted else ""
    if re.fullmatch(r"[A-Za-z\s]+", m.group(1)) or "年" in m.group(1):
        return ""
    return m.group(1).strip()


def _with_unit(field: str, value: str, unit: str) -> str:
    if not NUMBER_VALUE_RE.fullmatch(value.strip()):
        return value  # "完成下达任务"
    if PERCENT_FIELD in field:
        return f"{value}%"
    if "/" in field or not unit:
        return value  # "年均增长/累计": growth or a total, the unit is ambiguous
    return f"{value}{unit}"


def _year(field: str) -> int:
    m = YEAR_RE.search(field)
    return int(m.group(0)) if m else 0


# A row measuring a change (城镇居民人均可支配收入增长率（%）) answers a question about change; the plan's indicator
# names say it with these words. A question without any word of change or rate asks the level (收入是多少).
CHANGE_ROW_RE = re.compile(r"增长率|增速|增幅|下降率|降低率")
CHANGE_ASK_RE = re.compile(r"增长|增速|增幅|涨|提高|提升|下降|降低|减少|增加|翻番|率|百分之|%|％|几成|比重|占比")


def measures_change(c: Chunk) -> bool:
    """Whether a table row's indicator is a rate of change."""
    return bool(CHANGE_ROW_RE.search(dict(c.fields).get("指标", "")))


def gives_figure_for(c: Chunk, years: Iterable[str]) -> bool:
    """Whether the row states a number for an asked year: "2025年目标 完成下达任务" does not, and 表1
    (2015 and 2020 only) has no 2025 column at all."""
    asked = set(years)
    return any(any(y in k for y in asked) and NUMBER_VALUE_RE.fullmatch(v.strip())
               for k, v in c.fields if k not in ("指标", "属性", "序号"))


def render_row(c: Chunk, years: Iterable[str] = ()) -> str:
    """A table row as one sentence; `years` (from the question) decide which figure comes first."""
    f = dict(c.fields)
    name = f.pop("指标", c.text.split("：", 1)[0])
    attr = f.pop("属性", "")
    f.pop("序号", None)
    unit = unit_of(name)
    asked = set(years)
    values = [(k, v) for k, v in f.items() if v not in EMPTY]
    # asked year first, then the latest year (the target of 专栏2, the result of 表1), then the rest
    values.sort(key=lambda kv: (not any(y in kv[0] for y in asked), -_year(kv[0])))
    text = "，".join(f"{k} {_with_unit(k, v, unit)}" for k, v in values)
    table = re.sub(r"^(专栏|表)\s*(\d+)[：:].*$", r"\1\2", c.title)
    tail = f"（{attr}指标）" if attr else ""
    return f"{table}中，{name} — {text}{tail}。"
