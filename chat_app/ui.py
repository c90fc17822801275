"""Gradio front-end mounted at /ui: citizens' chat and the officials' tools (all Chinese).

How an answer and the page look lives in chat_app/ui_answer.py (answer HTML) and chat_app/ui_page.py (head
script, colours, card tables); this module wires the components and events.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import gradio as gr

from chat_app.config import Settings
from corpus import BUNDLED_ID
from chat_app.engine import Assistant, QuestionError
from chat_app.schema import Answer
from chat_app.sessions import STORAGE_DOWN, StorageUnavailable
from chat_app.ui_answer import answer_html, as_text, partial_html, section_chips, short_header
from chat_app.ui_page import UI_HEAD, table_html
from ingest.store import read_chunks

__all__ = ["UI_HEAD", "build_ui"]

STARTERS = ["娃上学的事规划咋说？", "看病难，规划有啥办法？", "冬天烧煤取暖以后还让烧不？",
            "“十四五”常住人口城镇化率目标是多少？", "专栏3有哪些交通项目？"]
MAX_QUESTION_CHARS = Settings().max_question_chars
WELCOME = "您好！我是永济市“十四五”规划助手，回答均来自规划原文并注明章节出处。可以直接问，也可以点下面的例子："
SEARCHING = "正在查找规划原文…"
# The answer is whole before it is shown (the checks need all of it); it is streamed in paced pieces so a
# long answer starts showing at once and reads as it grows, yet is complete within ~STREAM_UPDATES × PAUSE.
STREAM_STEP = 8  # characters per update, at least
STREAM_UPDATES = 40  # at most this many updates per answer (longer answers take bigger steps)
STREAM_PAUSE = 0.03  # seconds between updates: without it the browser gets every piece in one frame
FEEDBACK = ("Like", "Dislike")  # Gradio renders exactly these two as 👍/👎 icons (no English label shown)


def _answer_message(answer: Answer, index: int, upto: int | None = None) -> dict:
    """The answer bubble at chat position `index`: badge, (partial) text, then — once whole — [n] links,
    sources and the nearest sections as one-tap options."""
    if upto is not None:
        return {"role": "assistant", "content": partial_html(answer, upto)}
    message: dict = {"role": "assistant", "content": answer_html(answer, index)}
    chips = section_chips(answer)
    if chips:
        message["options"] = [{"value": s, "label": s} for s in chips]
    return message


def stream_steps(length: int) -> range:
    """Where each streamed update ends (the whole answer follows the last one)."""
    step = max(STREAM_STEP, -(-length // STREAM_UPDATES))
    return range(step, length, step)


@dataclass(frozen=True)
class Rated:
    """What a 👍/👎 on one answer bubble rates: its session turn, question and answer."""

    turn: int
    question: str
    answer: str


def build_ui(get_assistant: Callable[[], Assistant], max_chars: int = MAX_QUESTION_CHARS,
             documents: Sequence[tuple[str, str]] = ()) -> gr.Blocks:
    """``documents``: (name, id) of the library's plans; with more than one, the chat offers a picker."""
    with gr.Blocks(title="永济“十四五”规划助手") as ui:
        gr.Markdown("## 永济市“十四五”规划助手\n回答均来自规划原文，并注明章节出处。")
        with gr.Tab("问答"):
            _chat_tab(get_assistant, max_chars, documents)
        with gr.Tab("政务查询"):
            _officials(get_assistant, documents)
    return ui


def _scope_picker(documents: Sequence[tuple[str, str]]) -> gr.components.Component:
    """Which plans to ask (none chosen: all of them); only the bundled plan: nothing to choose."""
    if len(documents) < 2:
        return gr.State([])
    return gr.Dropdown(choices=list(documents), value=[], multiselect=True, label="查询范围（规划文件）",
                       info="不选则在全部规划中查找；选两份以上并问“有什么不同”即可对比")


def _chat_tab(get_assistant: Callable[[], Assistant], max_chars: int, documents: Sequence[tuple[str, str]]) -> None:
    session = gr.State(None)
    rated = gr.State({})  # message index of an answer bubble -> Rated
    scope = _scope_picker(documents)
    chat = gr.Chatbot(label="对话", height=480, render_markdown=False, sanitize_html=True,
                      feedback_options=FEEDBACK, placeholder=WELCOME, buttons=[], allow_tags=False,
                      examples=[{"text": s} for s in STARTERS])
    box = gr.Textbox(label="您的问题", placeholder="例如：娃上学的事规划咋说？", lines=1,
                     max_length=max_chars, info=f"最多 {max_chars} 字")
    with gr.Row():
        send = gr.Button("发送", variant="primary")
        reset = gr.Button("新对话")

    def respond(message: str, history: list, sid, ratings: dict, docs: list | None = None):
        message = (message or "").strip()
        if not message:  # an empty send adds nothing
            yield history, sid, ratings, ""
            return
        history = list(history or []) + [{"role": "user", "content": as_text(message)},
                                          {"role": "assistant", "content": SEARCHING}]
        yield history, sid, ratings, ""  # the question shows at once, with a searching line
        try:
            a = get_assistant().ask(message, sid, docs=list(docs or ()) or None)
        except (QuestionError, StorageUnavailable) as exc:
            # shown as an error toast, not as an answer; the question goes back into the box
            gr.Warning(str(exc) if isinstance(exc, QuestionError) else STORAGE_DOWN)
            yield history[:-2], sid, ratings, message
            return
        index, typed = len(history) - 1, gr.update()  # what is typed meanwhile stays in the box
        for upto in stream_steps(len(a.answer)):
            history[-1] = _answer_message(a, index, upto)
            yield history, a.session_id, ratings, typed
            time.sleep(STREAM_PAUSE)
        history[-1] = _answer_message(a, index)
        ratings = {**ratings, index: Rated(a.turn, message, a.answer)}
        yield history, a.session_id, ratings, typed

    def like(data: gr.LikeData, sid, ratings: dict):
        """One row per click, for the answer clicked (not the last one); un-clicking records nothing."""
        if data.liked is not True and data.liked is not False:
            return
        target = ratings.get(data.index) if isinstance(data.index, int) else None
        if target is None:
            return
        get_assistant().sessions.add_feedback(sid, target.turn, 1 if data.liked else -1,
                                              target.question, target.answer)

    # a question sent while an answer still streams is asked right after it, not dropped
    for trigger in (box.submit, send.click):
        trigger(respond, [box, chat, session, rated, scope], [chat, session, rated, box], trigger_mode="always_last")
    chat.like(like, [session, rated], None)

    def starter(data: gr.SelectData, history: list, sid, ratings: dict, docs: list | None = None):
        yield from respond(str(data.value.get("text", "")) if isinstance(data.value, dict) else str(data.value),
                           history, sid, ratings, docs)

    def pick(data: gr.SelectData, history: list, sid, ratings: dict, docs: list | None = None):
        yield from respond(str(data.value), history, sid, ratings, docs)

    chat.example_select(starter, [chat, session, rated, scope], [chat, session, rated, box])
    chat.option_select(pick, [chat, session, rated, scope], [chat, session, rated, box])
    reset.click(lambda: ([], None, {}, ""), None, [chat, session, rated, box])


COLUMN_ORDER = ("序号", "指标", "2015年", "2020年完成", "2025年目标", "年均增长(%)", "年均增长/累计", "属性")
TABLES = (("表 1", "表1 “十三五”主要指标实现情况"), ("专栏 2", "专栏2 “十四五”主要指标"))
INTRO = "（本章导语）"
NO_SECTION = "规划的这一章中没有这一节，请从“节”的列表中选择。"


class PlanOutline:
    """The 章 → 节 → 原文 browser over one plan's chunks: the bundled plan's come from its chunks file (the page
    must not wait for the index to load), an added plan's with its index."""

    def __init__(self, get_assistant: Callable[[], Assistant]) -> None:
        self.get_assistant = get_assistant
        self.bundled = read_chunks()

    def chunks(self, doc: str | None) -> list:
        if not doc or doc == BUNDLED_ID:
            return self.bundled
        return self.get_assistant().document(doc).retrievers.chunks

    def chapters(self, doc: str | None) -> list[str]:
        return list(dict.fromkeys(c.chapter for c in self.chunks(doc) if c.chapter))

    def sections(self, chapter: str | None, doc: str | None = None) -> list[str]:
        return list(dict.fromkeys(c.section or INTRO for c in self.chunks(doc) if c.chapter == chapter))

    def body(self, chapter: str | None, section: str | None, doc: str | None = None) -> str:
        """The section's text; a pair the plan does not have (possible through Gradio's API) says so."""
        wanted = "" if section == INTRO else section
        found = [c for c in self.chunks(doc) if c.chapter == chapter and c.section == wanted]
        if not found:
            return NO_SECTION
        return "\n\n".join((f"【{c.title}】" if c.title else "") + c.text for c in found)


def _doc_picker(documents: Sequence[tuple[str, str]]) -> list[gr.components.Component]:
    """Which plan the officials' tools read, as the last input of their events; only the bundled plan:
    nothing to choose, and the events keep the inputs (and the Gradio API) they had before the library."""
    if len(documents) < 2:
        return []
    return [gr.Dropdown(choices=list(documents), value=BUNDLED_ID, label="规划文件")]


def _officials(get_assistant: Callable[[], Assistant], documents: Sequence[tuple[str, str]] = ()) -> None:
    outline = PlanOutline(get_assistant)
    doc = _doc_picker(documents)
    chapters = outline.chapters(BUNDLED_ID)
    first = outline.sections(chapters[0]) if chapters else []
    with gr.Accordion("规划目录（章 → 节 → 原文）", open=False):
        ch = gr.Dropdown(chapters, label="章", value=chapters[0] if chapters else None)
        # its choices change with the chapter, per session, and Gradio rejects a value outside the session's
        # choices with a 500 on run/; taking any value leaves the check to body()
        sec = gr.Dropdown(first, label="节", value=first[0] if first else None, allow_custom_value=True)
        text = gr.Textbox(label="原文", lines=12, interactive=False,
                          value=outline.body(chapters[0], first[0]) if first else "")

        def sections(chapter, plan=None):
            secs = outline.sections(chapter, plan)
            return gr.update(choices=secs, value=secs[0] if secs else None)

        def plan_changed(plan):
            chs = outline.chapters(plan)
            return gr.update(choices=chs, value=chs[0] if chs else None)

        ch.change(sections, [ch, *doc], sec)
        sec.change(outline.body, [ch, sec, *doc], text)
        for picker in doc:
            picker.change(plan_changed, picker, ch)
    _search(get_assistant, doc)
    for prefix, label in TABLES:  # the indicator tables and 专栏 lists are the bundled plan's
        _indicator_table(outline.bundled, prefix, label)
    _box_items(outline.bundled)


def _box_items(chunks) -> None:
    """专栏3–14 item by item, each 专栏 a heading row of its own (cards on a phone, like the indicators)."""
    data: list[str | list[str]] = []
    box = None
    for c in (c for c in chunks if c.kind == "box_item"):
        if c.title != box:
            box = c.title
            data.append(box)
        data.append([c.group, c.text, short_header(c.chapter, c.section)])
    with gr.Accordion("专栏项目清单（专栏3–14）", open=False):
        gr.HTML(table_html(("类别", "内容", "所在章节"), data), elem_classes="pa-box-items")


def _search(get_assistant: Callable[[], Assistant], doc: list[gr.components.Component]) -> None:
    with gr.Accordion("检索原文", open=True):
        with gr.Row():
            q = gr.Textbox(label="关键词或问题", scale=4)
            go = gr.Button("搜索", variant="primary", scale=1)
        found = gr.HighlightedText(label="检索结果（标亮的是检索词）", combine_adjacent=True, show_legend=False,
                                   color_map={"检索词": "#ffe08a"})
        table = gr.Dataframe(headers=["名次", "章", "节", "片段"], interactive=False, wrap=True)

        def search(query: str, plan: str | None = None):
            a = get_assistant()
            try:  # the same limits as /api/search: length, text that can be encoded, a known plan
                query = a.validate(query)
                document = a.document(plan)
            except QuestionError as exc:
                gr.Warning(str(exc))
                return [], []
            hits = document.retriever.search(query, 10)
            tokenizer = document.retrievers.bm25.tokenizer
            terms = set(tokenizer.query_tokens(query))
            spans: list[tuple[str, str | None]] = []
            for h in hits[:5]:
                spans.append((f"\n[{h.rank}] {h.chunk.heading}\n", None))
                for tok in tokenizer._jieba.cut(h.chunk.text):
                    spans.append((tok, "检索词" if tok in terms else None))
            rows = [[h.rank, h.chunk.chapter, h.chunk.section, h.chunk.text[:160]] for h in hits]
            return spans, rows

        q.submit(search, [q, *doc], [found, table])
        go.click(search, [q, *doc], [found, table])


def _indicator_table(chunks, prefix: str, label: str) -> None:
    """序号|指标|2020|2025|年均|属性, the 类别 as a row of its own where it changes (not repeated each row)."""
    rows = [c for c in chunks if c.kind == "table_row" and c.title.startswith(prefix)]
    present = {k for c in rows for k, _ in c.fields}
    cols = [k for k in COLUMN_ORDER if k in present] + sorted(present - set(COLUMN_ORDER))
    data: list[str | list[str]] = []  # a str is a 类别 heading row
    group = None
    for c in rows:
        if c.group != group:
            group = c.group
            data.append(group)
        values = dict(c.fields)
        data.append([values.get(k, "") for k in cols])
    with gr.Accordion(label, open=False):
        gr.HTML(table_html(cols, data), elem_classes="pa-indicators")
