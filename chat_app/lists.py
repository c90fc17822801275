"""Answers the plan's structure gives: a 专栏's item list, one 工程/产业 line's projects, a section's
lead phrases, the projects that name a town.

The sentence picker (chat_app/extractive.py) answers from the best sentences; these lists answer "哪些"
questions the way the plan itself enumerates, and fall back to it when the structure does not fit.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from chat_app.ask import LIST_RE, WHICH_N_RE, Ask, asked_count, asked_kind, carried_core, numeral
from chat_app.counted import counted_list
from chat_app.extractive import LIST_BUDGET, MODE, Candidate, ExtractiveAnswerer, SentenceSims, compose
from chat_app.guards import topic_words
from chat_app.lexicon import BROAD_RE, QUESTION_CHARS, QUESTION_SCAFFOLD
from chat_app.plan_lines import (GROUP_MIN_CHARS, LEAD_MAX_CHARS, common_suffix, first_by_lead, names_line,
                                  place_of, without_lead)
from chat_app.schema import Answer
from chat_app.scope import named_places
from chat_app.statements import bare
from ingest.chunker import sentences
from ingest.schema import Chunk, Hit
from retriever.bm25 import BM25Retriever

QUOTED_RE = re.compile(r"“([^”]{2,12})”")
PROJECT_RE = re.compile(r"项目|工程")
ITEM_SPLIT_RE = re.compile(r"[、；，。](?![^（(“]*[）)”])")
BOX_RE = re.compile(r"专栏\s*(\d+)")
TITLE_NAME_MIN = 6  # "文旅重点项目" names a box; "重点项目" (专栏12 without “六新”) names several
# Words that ask for a list without saying what is in it ("专栏3有哪些项目").
# "哪几个领域/方面" asks for categories (general usage): 领域 and 方面 name no topic of their own.
LIST_WORDS = frozenset("专栏 项目 工程 建设 重点 哪些 哪几 包括 包含 具体 分别 都有 有啥 列出 清单 所列 规划 十四五 领域 方面".split())
# Where the question points ("第八章第三节") and how many it expects ("哪六个") say nothing about which item.
POINTER_RE = re.compile(r"第[一二三四五六七八九十\d]+[章节]|[一二两三四五六七八九十\d]+\s*[个项条类种大]")
# A measure asked ("多少", "几成", "百分之几") makes a question specific, not a list or a broad one; narrower than
# lexicon.FIGURE_ASK_RE, whose "几个/几项" still ask for a list's items.
MEASURE_ASK_RE = re.compile(r"多少|几成|百分之")
# "必须坚持以下原则：", "要努力实现以下主要目标。", "远景目标是：": a sentence announcing the list after it
# (general usage of 以下/如下), which the plan writes as "——" paragraphs.
INTRO_RE = re.compile(r"(?:以下|如下)[^。，：:]{0,8}[。：:]?$|(?:目标|原则|任务|要求)是[。：:]?$")
DASH = "——"
MIN_ANNOUNCED = 2
BROAD_MAX_TOPICS = 2  # "交通方面", "年轻人就业": one or two things named
BROAD_FILLERS = frozenset("方面 这块 那块 领域 上面 问题 事情 以后 将来 规划".split())  # "X方面/X这块": mark the topic
LOCATIVE_SUFFIXES = "上里"
BROAD_SECTIONS = 3  # sections of the top hits searched for headings on the topic
BROAD_MAX_LEADS = 5  # more headings than this name the word in passing, not the topic
BROAD_CHARS = 300  # a phone screen
TAIL_NAME_EXTRA = 2  # characters beyond the shared ending ("产业") that name one lead ("未来产业")


class StructuredAnswerer(ExtractiveAnswerer):
    """The extractive answerer, with the plan's lists tried first."""

    def __init__(self, bm25: BM25Retriever, chunks: Sequence[Chunk],
                 sentence_sims: SentenceSims | None = None) -> None:
        super().__init__(bm25, chunks, sentence_sims)
        self.by_box: dict[str, list[Chunk]] = {}
        self.by_section: dict[tuple[str, str], list[Chunk]] = {}
        # how many chunks quote a term: “一城五区” (once) names a set, “十四五” (everywhere) does not
        self.quote_count: dict[str, int] = {}
        for c in chunks:
            for t in set(QUOTED_RE.findall(c.text)):
                self.quote_count[t] = self.quote_count.get(t, 0) + 1
            if c.kind == "box_item":
                self.by_box.setdefault(c.title, []).append(c)
            elif c.kind == "paragraph":
                self.by_section.setdefault((c.chapter, c.section), []).append(c)
        owners: dict[str, list[str]] = {}
        for title in self.by_box:
            for name in dict.fromkeys(QUOTED_RE.findall(title)):
                owners.setdefault(name, []).append(title)
        # a quoted name in exactly one box title names that box (“三无”); “十四五” in many names none
        self.box_by_name = {name: titles[0] for name, titles in owners.items() if len(titles) == 1}
        # a box's own title, without its number and the quoted words many titles share ("城市更新和品质提升重大工程",
        # "“十四五”文旅重点项目" → 文旅重点项目), names that box too when a question uses it whole
        for title in self.by_box:
            name = QUOTED_RE.sub("", re.sub(r"^专栏\s*\d+[：:]", "", title)).strip("“”\" ")
            if len(name) >= TITLE_NAME_MIN and all(other == title or name not in other for other in self.by_box):
                self.box_by_name.setdefault(name, title)
        self.paragraph_leads = {bare(c.group) for c in chunks
                                if c.kind == "paragraph" and c.group and len(c.group) <= LEAD_MAX_CHARS}

    def finish(self, picked: list[Candidate], ask: Ask) -> list[Candidate]:
        """A sentence that announces a list ("必须坚持以下原则：") is followed by the list: the "——" items
        the plan puts in the paragraphs after it (——坚持党的全面领导。——坚持以人民为中心。…)."""
        picked = super().finish(picked, ask)
        items = self.announced(picked[0]) if INTRO_RE.search(picked[0].text) else []
        return [picked[0], *items] if len(items) >= MIN_ANNOUNCED else picked

    def announced(self, intro: Candidate) -> list[Candidate]:
        paragraphs = self.by_section.get((intro.chunk.chapter, intro.chunk.section), [])
        after = [c for c in paragraphs if c.order > intro.chunk.order]
        items: list[Candidate] = []
        for c in after:
            if not c.text.startswith(DASH):
                break
            first = next(iter(sentences(c.text)), c.text).lstrip("—").strip()
            if sum(len(i.text) for i in items) + len(first) > LIST_BUDGET:
                break
            items.append(Candidate(first, c, intro.score))
        return items

    def listed(self, question: str, hits: Sequence[Hit], whole_box: bool = True) -> Answer | None:
        boxed = self.whole_box(question) if whole_box else None
        # a carried follow-up ("具体有哪些相关项目（八大农业优势基地中…）") asks inside what the previous turn named:
        # the section's own list of headings answered that turn already
        carried = bool(carried_core(question)[1])
        return (boxed or self.group_items(question) or counted_list(question, hits, self.by_section)
                or (None if carried else self.section_list(question, hits))
                or self.place_items(question, hits) or (None if carried else self.broad(question, hits)))

    def broad(self, question: str, hits: Sequence[Hit]) -> Answer | None:
        """"就业方面有啥政策": the plan's own headings on the topic in the sections retrieval found
        (突出做好重点群体就业工作；支持灵活就业和新业态创业就业；…), each with its first sentence; failing
        those, a 专栏 whose title names the topic ("交通方面有啥打算" → 专栏3 重点交通项目), by its lines."""
        topic = self.broad_topic(question) if hits else None
        if not topic:
            return None
        sections = list(dict.fromkeys((h.chunk.chapter, h.chunk.section) for h in hits[:BROAD_SECTIONS]))
        leads = [(bare(lead), c) for key in sections
                 for lead, c in first_by_lead(self.by_section.get(key, []), LEAD_MAX_CHARS).items()
                 if any(t in lead for t in topic)]
        if len(leads) == 1 and leads[0][1].id != hits[0].chunk.id:
            leads = []  # one heading shares a word ("加强人才服务" for 引进人才): not a heading on the topic
        if not 1 <= len(leads) <= BROAD_MAX_LEADS:
            titles = [t for t in self.by_box if any(w in t for w in topic)]
            return self.box_lines(question, titles[0], named=True) if len(titles) == 1 else None
        parts, used = [], 0
        for lead, chunk in leads:
            body = [s for s in sentences(chunk.text) if s.strip("。") != lead][:1 if len(leads) > 1 else 2]
            text = f"{lead}：{''.join(body)}" if body else lead
            if parts and used + len(text) > BROAD_CHARS:
                break
            parts.append((text, chunk))
            used += len(text)
        return compose(question, parts, MODE)

    def broad_topic(self, question: str) -> set[str]:
        """What a broad question is about: its one or two content words, reduced to the most specific one
        the plan uses ("环境保护", not "环境"); a word the plan lacks ("看病") through its colloquial
        expansions (医疗卫生). Empty when the question is not broad."""
        if not BROAD_RE.search(question) or MEASURE_ASK_RE.search(question):
            return set()
        stripped = BROAD_RE.sub(" ", carried_core(question)[0])  # "职业教育方面（上一问）": its own topic
        own = {t for t in self.tokenizer.tokens(stripped) if len(t) > 1 and t not in QUESTION_SCAFFOLD
               and t not in BROAD_FILLERS and not QUESTION_CHARS & set(t)}
        # "交通上", "村里": a locative suffix on the topic word (general usage) is not part of the topic
        own = {t[:-1] if t[-1] in LOCATIVE_SUFFIXES and t[:-1] in self.idf else t for t in own}
        own = {t for t in own if not any(t != o and t in o for o in own)}
        if not own or len(own) > BROAD_MAX_TOPICS:
            return set()  # a question naming several things is specific, whatever its wording
        # longest first, then the question's own order: a set's order changes with the hash seed
        known = sorted((t for t in own if t in self.idf), key=lambda t: (-len(t), stripped.find(t), t))
        return set(known[:1]) or topic_words(stripped, self.bm25, expand=True)

    def group_items(self, question: str) -> Answer | None:
        """"机电制造产业都有啥项目": the named line of a 专栏 with all its items (a long line is split over
        several chunks), introduced by the box and the line's name so every figure carries it."""
        if not LIST_RE.search(question) or MEASURE_ASK_RE.search(question):
            return None  # "…工程修多少公里" asks for a figure inside the line
        plain = re.sub(r"\s+", "", question)
        named = [(title, group) for title, items in self.by_box.items() for group in {c.group for c in items}
                 if group and len(group) >= GROUP_MIN_CHARS and names_line(plain, group)]
        if not named:
            return None
        title, group = max(named, key=lambda tg: len(tg[1]))
        if any(len(lead) > len(group) and lead in plain for lead in self.paragraph_leads):
            return None  # "农副产品加工及生物医药制药产业集群…": the body paragraph it names answers
        return self.line_items(question, title, group)

    def line_items(self, question: str, title: str, group: str) -> Answer:
        """One line of a box with all its items, introduced by the box and the line's name so every figure
        carries it."""
        items = [c for c in self.by_box[title] if c.group == group]
        parts = [(without_lead(c.text, group), c) for c in items]
        box, _, name = re.sub(r"\s+", "", title).partition("：")
        return compose(question, [(t, c) for t, c in parts if t], MODE,
                       prefix=f"{box}（{name}）中，{group.rstrip('。')}包括：")

    def section_list(self, question: str, hits: Sequence[Hit]) -> Answer | None:
        """"八大农业优势基地包括哪些": the plan answers with the lead phrases of a section's
        paragraphs (做强优质粮食生产基地。… 做强中药材产业基地。…). Used when the leads share an
        ending the question uses ("…基地", "…集群") or the section's opening names the set the
        question quotes (打造“一城五区”。——中国北方…城市。——…先行区。), and their number matches
        any count asked."""
        if not LIST_RE.search(question) or MEASURE_ASK_RE.search(question):
            return None  # "分别是多少" asks for figures, not for the section's list
        wanted, kind = asked_count(question), asked_kind(question)
        quoted = [t for t in QUOTED_RE.findall(question) if self.quote_count.get(t, 0) == 1]
        for h in hits[:3]:
            paragraphs = self.by_section.get((h.chunk.chapter, h.chunk.section), [])
            leads = first_by_lead(paragraphs, max_len=30)
            ending = common_suffix(list(leads))
            named = any(f"“{t}”" in c.text for c in paragraphs if not c.group for t in quoted)
            if len(leads) < 2 or not (named or (len(ending) >= 2 and self.says_word(question, ending[-2:]))):
                continue
            if any(len(lead) >= GROUP_MIN_CHARS and bare(lead) in question for lead in leads) \
                    or (not wanted and any(names_tail(bare(lead), ending, question) for lead in leads)):
                return None  # "农副产品加工产业集群有哪些企业" asks inside one item, not for the list
            if wanted and len(leads) != wanted:  # "“一城五区”…这五个区": the leads of the kind asked for
                leads = {lead: c for lead, c in leads.items() if kind and bare(lead).endswith(kind)}
                if len(leads) != wanted:
                    continue
            head = h.chunk.section.split(" ", 1)[-1] if h.chunk.section else h.chunk.chapter
            items = [(lead.lstrip("—-－ "), c) for lead, c in leads.items()]
            return compose(question, items, MODE, prefix=f"规划在“{head}”中提出：", joiner="；")
        return None

    def says_word(self, question: str, word: str) -> bool:
        """The question uses the leads' shared noun as a word of its own: "八大农业优势基地" says 基地,
        "闲着的宅基地" does not (宅基地 is another word). Segmented with jieba and the plan's words."""
        general = getattr(self.bm25.tokenizer, "general", None)
        if word not in question or general is None:  # segment only when the characters are there at all
            return word in question
        return word in {w for w, *_ in general.tokenize(question)}

    def place_items(self, question: str, hits: Sequence[Hit]) -> Answer | None:
        """"韩阳镇有啥农业项目": the project lists' entries that name the place, from every list
        among the top hits — not one whole list where the place is one entry among twenty."""
        place = place_of(question)
        if place is None or not PROJECT_RE.search(question):
            return None
        stem, name = place
        found = [(p.strip(), h.chunk) for h in hits[:6] if h.chunk.kind == "box_item"
                 for p in ITEM_SPLIT_RE.split(h.chunk.text) if stem in p]
        found = list({p: (p, c) for p, c in found}.values())
        topic = {t for t in self.tokenizer.tokens(question) if len(t) > 1} - LIST_WORDS - {stem, name}
        titled = [(p, c) for p, c in found if topic & set(self.tokenizer.tokens(c.title))]
        found = titled if topic else found  # "农业项目": only the 农业 list's entries
        if not found:
            return None
        return compose(question, found, MODE, prefix=f"规划的项目中涉及{name}的有：", joiner="；")

    def whole_box(self, question: str) -> Answer | None:
        """"专栏3有哪些项目" asks for the box's item list; "专栏3里的沿黄公路支线是哪三条" for one item.

        Only the box reference plus list words → the list of item leads. Anything more
        specific → the best-matching pieces of that box's items.
        """
        if not LIST_RE.search(question) or named_places(question):
            return None  # "在第七章第二节和专栏10中分别…" asks two places, answered part by part
        m = BOX_RE.search(question)
        title = (next((t for t in self.by_box if re.match(rf"专栏\s*{m.group(1)}[：:]", t)), None) if m
                 else self.box_named(question))
        if not title:
            return None
        items = self.by_box[title]
        plain = re.sub(r"\s+", "", question)
        lines = [g for g in {c.group for c in items} if g and len(g) >= GROUP_MIN_CHARS and names_line(plain, g)]
        if lines:  # "专栏8中省保文物保护工程包括哪些": one line of the box, with its items
            return self.line_items(question, title, max(lines, key=len))
        placed = self.box_place_items(question, title)
        if placed is not None:
            return placed
        if not m and self.counts_lines(question, title):
            return self.box_lines(question, title)  # "“三无”是哪三无": the name counts the box's lines
        title_toks = set(self.tokenizer.tokens(title))
        specific = {t: self.idf.get(t, 0.5) for t in self.tokenizer.query_tokens(POINTER_RE.sub(" ", question))
                    if t not in title_toks and t not in LIST_WORDS and not t.isdigit() and len(t) > 1}
        matched = sorted(((self._score(specific, c.text), i, c) for i, c in enumerate(items)), key=lambda x: (-x[0], x[1]))
        if specific and matched and matched[0][0] > 0:
            hits = [Hit(c, score, r, "box") for r, (score, _, c) in enumerate(matched[:3], 1) if score > 0]
            picked = self.pick(question, hits)
            return compose(question, [(c.text, c.chunk) for c in picked], MODE)
        if not m and asked_count(question) not in (0, len(first_by_lead(items))):
            return None  # "“六强五新”中的五个新兴产业": a part of the named box, which the body text lists
        return self.box_lines(question, title)

    def counts_lines(self, question: str, title: str) -> bool:
        """The box is named by a counted name ("三无") whose count is its number of lines, and the question
        asks for that many: "哪三无" asks for the lines, not inside one of them."""
        lines = len(first_by_lead(self.by_box[title]))
        named = [n for n, t in self.box_by_name.items() if t == title and n in question and numeral(n[:1])]
        asked = [numeral(m.group(1)) for m in WHICH_N_RE.finditer(question)]  # "哪三无", not "“六新”重点项目"
        return any(numeral(n[0]) == lines for n in named) and lines in asked

    def box_place_items(self, question: str, title: str) -> Answer | None:
        """"专栏6中涉及韩阳镇的项目": the box's entries that name the place, from all of its lines."""
        place = place_of(question)
        if place is None:
            return None
        stem, name = place
        found = {p.strip(): (p.strip(), c) for c in self.by_box[title]
                 for p in ITEM_SPLIT_RE.split(without_lead(c.text, c.group)) if stem in p}
        if not found:
            return None
        head = re.sub(r"\s+", "", title).partition("：")[0]
        return compose(question, list(found.values()), MODE, prefix=f"{head}中涉及{name}的有：", joiner="；")

    def box_lines(self, question: str, title: str, named: bool = False) -> Answer | None:
        """A box answered by its lines' lead phrases: "专栏3包括：公路建设项目；四好农村路建设工程；…"."""
        leads = first_by_lead(self.by_box[title])
        if not leads:
            return None
        head, _, name = re.sub(r"\s+", "", title).partition("：")
        prefix = f"{head}（{name}）包括：" if named else f"{head}包括："
        return compose(question, list(leads.items()), MODE, prefix=prefix, joiner="；")


    def box_named(self, question: str) -> str | None:
        """The box whose title quotes a name the question uses: "“三无”是哪三无" → 专栏 14：“三无”单位创建工程.
        A quoted name shared by several titles (“十四五”) names none of them."""
        named = list(dict.fromkeys(title for name, title in self.box_by_name.items() if name in question))
        return named[0] if len(named) == 1 else None


def names_tail(lead: str, ending: str, question: str) -> bool:
    """"未来产业那块布局哪些" names the lead 超前谋划布局未来产业 by its noun, without the verbs before it: a
    tail of the lead longer than the ending all leads share, by a name's two characters, is in the question.
    A count asked ("八大农业基地") names the whole set instead: the caller checks it first."""
    shortest = len(ending) + TAIL_NAME_EXTRA
    return any(lead[-n:] in question for n in range(shortest, len(lead)))
