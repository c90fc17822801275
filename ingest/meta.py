"""A plan's metadata read off its title: region, period, and the short names people call it by.

Chinese five-year plans are numbered from 1953 (第一个五年计划 1953–1957, 第二个 1958–1962); after the
1963–1965 adjustment years the third began in 1966 and every later one follows five years on, so the
14th is 2021–2025 and the 15th 2026–2030. People call them "十四五", "十五五" (the ordinal + 五).
"""
from __future__ import annotations

import re

CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", 1)}
ORDINAL_RE = re.compile(r"第([一二三四五六七八九十]+)个五年")
# "山西省运城市永济市国民经济和社会发展…" → the last administrative unit before 国民经济; national plans open
# with 中华人民共和国.
REGION_RE = re.compile(r"^(.*?)(?:国民经济和社会发展|“十.五”|十.五)")
UNIT_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "省", "市", "州", "盟", "县", "区", "旗")
NATIONAL = "中华人民共和国"
SLUG_RE = re.compile(r"[^a-z0-9]+")


def cn_number(text: str) -> int:
    """"十四" → 14, "十" → 10, "二十一" → 21 (the range plan numbering needs)."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return CN_DIGITS.get(tens, 1) * 10 + CN_DIGITS.get(ones, 0)
    return CN_DIGITS.get(text, 0)


def plan_number(title: str) -> int:
    m = ORDINAL_RE.search(title)
    return cn_number(m.group(1)) if m else 0


def start_year(number: int) -> int:
    if number <= 0:
        return 0
    return 1953 + 5 * (number - 1) if number <= 2 else 1966 + 5 * (number - 3)


def guess_period(title: str) -> str:
    year = start_year(plan_number(title))
    return f"{year}-{year + 4}" if year else ""


def guess_region(title: str) -> str:
    if title.startswith(NATIONAL):
        return "全国"
    m = REGION_RE.match(title)
    return m.group(1).rstrip("的") if m else ""


def short_name(number: int) -> str:
    """14 → "十四五"."""
    if number <= 0:
        return ""
    tens, ones = divmod(number, 10)
    digits = "一二三四五六七八九"
    cn = ("" if tens <= 1 else digits[tens - 1]) + ("十" if tens else "") + (digits[ones - 1] if ones else "")
    return f"{cn}五"


def region_names(region: str) -> list[str]:
    """"永济市" → ["永济市", "永济"]; "全国" → ["全国", "国家"]."""
    if region == "全国":
        return ["全国", "国家"]
    names = [region] if region else []
    for suffix in UNIT_SUFFIXES:
        if region.endswith(suffix) and len(region) - len(suffix) >= 2:
            names.append(region[: -len(suffix)])
            break
    return names


def slug(stem: str, sha256: str) -> str:
    """A document id from the file name when it is ASCII enough, else from the content hash."""
    s = SLUG_RE.sub("-", stem.lower()).strip("-")[:40].strip("-")
    return s if len(s) >= 2 else f"doc-{sha256[:8]}"
