"""Gradio front-end mounted at /ui: citizens' chat and the officials' tools (all Chinese)."""
from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from chat_app.config import Settings
from chat_app.engine import Assistant, QuestionError
from chat_app.sessions import STORAGE_DOWN, StorageUnavailable
from ingest.store import read_chunks

STARTERS = ["娃上学的事规划咋说？", "看病难，规划有啥办法？", "冬天烧煤取暖以后还让烧不？",
            "“十四五”常住人口城镇化率目标是多少？", "专栏3有哪些交通项目？"]


MAX_QUESTION_CHARS = Settings().max_question_chars

RELATED_MARK = "⚠ 相关内容（规划未直接写明您问的内容）\n"


def as_text(text: str) -> str:
    """Gradio 6's Chatbot inserts message content as HTML even with render_markdown=False (sanitize_html
    only strips scripts and handlers: "<b>粗体</b>" became bold, "<img src=x>" an image). Escaped, any
    text — a citizen's question, the plan's own words — shows exactly as typed."""
    return html.escape(text, quote=False)


def _answer_message(answer, upto: int | None = None) -> dict:
    """The answer bubble: related answers marked; a refusal offers the nearest sections as one-tap options."""
    text = (RELATED_MARK if answer.support == "related" else "") + answer.answer[:upto]
    message: dict = {"role": "assistant", "content": as_text(text)}
    if upto is None and answer.suggestions:
        message["options"] = [{"value": s, "label": s} for s in answer.suggestions]
    return message


def short_header(chapter: str, section: str, title: str = "") -> str:
    """"第九章 持续增进…", "第三节 办好人民满意教育" → "第九章·第三节 办好人民满意教育" (+ its 专栏/表):
    three full 章+节 headers would fill a phone screen."""
    ch, sec = chapter.split(" ", 1)[0], section.split(" ", 1)
    head = f"{ch}·{sec[0]} {sec[1]}" if len(sec) == 2 else (f"{ch} {section}".strip() if ch else section)
    return f"{head} · {' '.join(title.split())}" if title else head


def _source_messages(answer) -> list[dict]:
    """One collapsible source per 章/节 (+ 专栏/表), listing every [n] it supports."""
    merged: dict[str, list] = {}
    for c in answer.citations:
        merged.setdefault(short_header(c.chapter, c.section, c.title), []).append(c)
    return [{"role": "assistant", "content": as_text("\n\n".join(c.quote for c in cs)),
             "metadata": {"title": f"出处 {''.join(f'[{c.n}]' for c in cs)} {head}", "status": "done"}}
            for head, cs in merged.items()]


# Gradio picks its UI language (button labels, the <html lang>) from navigator.language; the audience
# reads Chinese whatever their browser says, so the page tells Gradio zh-CN before it boots. A few
# aria-labels are hard-coded English in Gradio's bundle; an observer renames them (screen readers read them).
ARIA_ZH = {"More tabs": "更多标签页", "chatbot conversation": "对话记录", "Select example": "选择示例",
           "Like": "赞", "Dislike": "踩", "Copy message": "复制", "Clear": "清空", "Retry": "重试",
           "Undo": "撤销", "Edit": "编辑", "Submit": "发送", "Stop": "停止"}
UI_HEAD = ("<script>(function(){try{Object.defineProperty(navigator,'language',{get:function(){return 'zh-CN';}});"
           "Object.defineProperty(navigator,'languages',{get:function(){return ['zh-CN','zh'];}});}catch(e){}"
           "document.documentElement.lang='zh-CN';var M=" + json.dumps(ARIA_ZH, ensure_ascii=False) + ";"
           "function fix(el){['aria-label','title'].forEach(function(a){var v=el.getAttribute&&el.getAttribute(a);"
           "if(!v)return;for(var k in M){if(v===k||v.indexOf(k+' ')===0||v.indexOf(k+':')===0){"
           "el.setAttribute(a,M[k]+v.slice(k.length));return;}}});}"
           "new MutationObserver(function(ms){ms.forEach(function(m){if(m.type==='attributes'){fix(m.target);}"
           "else{m.addedNodes.forEach(function(n){if(n.querySelectorAll){fix(n);"
           "n.querySelectorAll('[aria-label],[title]').forEach(fix);}});}});}).observe(document.documentElement,"
           "{subtree:true,childList:true,attributes:true,attributeFilter:['aria-label','title']});})();</script>")
WELCOME = "您好！我是永济市“十四五”规划助手，回答均来自规划原文并注明章节出处。可以直接问，也可以点下面的例子："
SEARCHING = "正在查找规划原文…"
STREAM_STEP = 8  # characters per streamed update
FEEDBACK = ("Like", "Dislike")  # Gradio renders exactly these two as 👍/👎 icons (no English label shown)


@dataclass(frozen=True)
class Rated:
    """What a 👍/👎 on one answer bubble rates: its session turn, question and answer."""

    turn: int
    question: str
    answer: str


def build_ui(get_assistant: Callable[[], Assistant], max_chars: int = MAX_QUESTION_CHARS) -> gr.Blocks:
    with gr.Blocks(title="永济“十四五”规划助手") as ui:
        gr.Markdown("## 永济市“十四五”规划助手\n回答均来自规划原文，并注明章节出处。")
        with gr.Tab("问答"):
            _chat_tab(get_assistant, max_chars)
        with gr.Tab("政务查询"):
            _officials(get_assistant)
    return ui


def _chat_tab(get_assistant: Callable[[], Assistant], max_chars: int) -> None:
    session = gr.State(None)
    rated = gr.State({})  # message index of an answer bubble -> Rated
    chat = gr.Chatbot(label="对话", height=480, render_markdown=False, sanitize_html=True,
                      feedback_options=FEEDBACK, placeholder=WELCOME, buttons=[], allow_tags=False,
                      examples=[{"text": s} for s in STARTERS])
    box = gr.Textbox(label="您的问题", placeholder="例如：娃上学的事规划咋说？", lines=1,
                     max_length=max_chars, info=f"最多 {max_chars} 字")
    with gr.Row():
        send = gr.Button("发送", variant="primary")
        reset = gr.Button("新对话")

    def respond(message: str, history: list, sid, ratings: dict):
        message = (message or "").strip()
        if not message:  # an empty send adds nothing
            yield history, sid, ratings, ""
            return
        history = list(history or []) + [{"role": "user", "content": as_text(message)},
                                          {"role": "assistant", "content": SEARCHING}]
        yield history, sid, ratings, ""  # the question shows at once, with a searching line
        try:
            a = get_assistant().ask(message, sid)
        except (QuestionError, StorageUnavailable) as exc:
            # shown as an error toast, not as an answer; the question goes back into the box
            gr.Warning(str(exc) if isinstance(exc, QuestionError) else STORAGE_DOWN)
            yield history[:-2], sid, ratings, message
            return
        for i in range(0, len(a.answer), STREAM_STEP):
            history[-1] = _answer_message(a, i + STREAM_STEP)
            yield history, a.session_id, ratings, ""
        history[-1] = _answer_message(a)
        ratings = {**ratings, len(history) - 1: Rated(a.turn, message, a.answer)}
        yield history + _source_messages(a), a.session_id, ratings, ""

    def like(data: gr.LikeData, sid, ratings: dict):
        """One row per click, for the answer clicked (not the last one); un-clicking records nothing."""
        if data.liked is not True and data.liked is not False:
            return
        index = data.index if isinstance(data.index, int) else None
        target = ratings.get(index) or _nearest_answer(ratings, index)
        if target is None:
            return
        get_assistant().sessions.add_feedback(sid, target.turn, 1 if data.liked else -1,
                                              target.question, target.answer)

    for trigger in (box.submit, send.click):
        trigger(respond, [box, chat, session, rated], [chat, session, rated, box])
    chat.like(like, [session, rated], None)

    def starter(data: gr.SelectData, history: list, sid, ratings: dict):
        yield from respond(str(data.value.get("text", "")) if isinstance(data.value, dict) else str(data.value),
                           history, sid, ratings)

    def pick(data: gr.SelectData, history: list, sid, ratings: dict):
        yield from respond(str(data.value), history, sid, ratings)

    chat.example_select(starter, [chat, session, rated], [chat, session, rated, box])
    chat.option_select(pick, [chat, session, rated], [chat, session, rated, box])
    reset.click(lambda: ([], None, {}, ""), None, [chat, session, rated, box])


def _nearest_answer(ratings: dict, index: int | None) -> Rated | None:
    """A 👍 on a source bubble rates the answer it belongs to (the closest answer bubble before it)."""
    if index is None:
        return None
    before = [i for i in ratings if i <= index]
    return ratings[max(before)] if before else None


COLUMN_ORDER = ("序号", "指标", "2015年", "2020年完成", "2025年目标", "年均增长(%)", "年均增长/累计", "属性")
TABLES = (("表 1", "表1 “十三五”主要指标实现情况"), ("专栏 2", "专栏2 “十四五”主要指标"))
INTRO = "（本章导语）"
NO_SECTION = "规划的这一章中没有这一节，请从“节”的列表中选择。"


def _officials(get_assistant: Callable[[], Assistant]) -> None:
    # the chunks file, not the assistant: building the page must not wait for the index (the server
    # listens, and /healthz says "loading", while the index loads in the background)
    chunks = read_chunks()
    chapters = list(dict.fromkeys(c.chapter for c in chunks if c.chapter))

    def sections_of(chapter: str) -> list[str]:
        return list(dict.fromkeys(c.section or INTRO for c in chunks if c.chapter == chapter))

    def body(chapter: str | None, section: str | None) -> str:
        """The section's text; a pair the plan does not have (possible through Gradio's API) says so."""
        wanted = "" if section == INTRO else section
        found = [c for c in chunks if c.chapter == chapter and c.section == wanted]
        if not found:
            return NO_SECTION
        return "\n\n".join((f"【{c.title}】" if c.title else "") + c.text for c in found)

    first_sections = sections_of(chapters[0]) if chapters else []
    with gr.Accordion("规划目录（章 → 节 → 原文）", open=False):
        ch = gr.Dropdown(chapters, label="章", value=chapters[0] if chapters else None)
        # its choices change with the chapter, per session, and Gradio rejects a value outside the session's
        # choices with a 500 on run/; taking any value leaves the check to body()
        sec = gr.Dropdown(first_sections, label="节", value=first_sections[0] if first_sections else None,
                          allow_custom_value=True)
        text = gr.Textbox(label="原文", lines=12, interactive=False,
                          value=body(chapters[0], first_sections[0]) if first_sections else "")

        def sections(chapter):
            secs = sections_of(chapter)
            return gr.update(choices=secs, value=secs[0] if secs else None)

        ch.change(sections, ch, sec)
        sec.change(body, [ch, sec], text)
    _search(get_assistant)
    for prefix, label in TABLES:
        _indicator_table(chunks, prefix, label)
    items = [c for c in chunks if c.kind == "box_item"]
    with gr.Accordion("专栏项目清单（专栏3–14）", open=False):
        gr.Dataframe([[c.title, c.group, c.text, f"{c.chapter} {c.section}"] for c in items],
                     headers=["专栏", "类别", "内容", "所在章节"], interactive=False, wrap=True)


def _search(get_assistant: Callable[[], Assistant]) -> None:
    with gr.Accordion("检索原文", open=True):
        with gr.Row():
            q = gr.Textbox(label="关键词或问题", scale=4)
            go = gr.Button("搜索", variant="primary", scale=1)
        found = gr.HighlightedText(label="检索结果（标亮的是检索词）", combine_adjacent=True, show_legend=False,
                                   color_map={"检索词": "#ffe08a"})
        table = gr.Dataframe(headers=["名次", "章", "节", "片段"], interactive=False, wrap=True)

        def search(query: str):
            a = get_assistant()
            try:  # the same limits as /api/search: length, and text that can be encoded
                query = a.validate(query)
            except QuestionError as exc:
                gr.Warning(str(exc))
                return [], []
            hits = a.retriever.search(query, 10)
            terms = set(a.retrievers.bm25.tokenizer.query_tokens(query))
            spans: list[tuple[str, str | None]] = []
            for h in hits[:5]:
                spans.append((f"\n[{h.rank}] {h.chunk.heading}\n", None))
                for tok in a.retrievers.bm25.tokenizer._jieba.cut(h.chunk.text):
                    spans.append((tok, "检索词" if tok in terms else None))
            rows = [[h.rank, h.chunk.chapter, h.chunk.section, h.chunk.text[:160]] for h in hits]
            return spans, rows

        q.submit(search, q, [found, table])
        go.click(search, q, [found, table])


def _indicator_table(chunks, prefix: str, label: str) -> None:
    """序号|指标|2020|2025|年均|属性, the 类别 as a row of its own where it changes (not repeated each row)."""
    rows = [c for c in chunks if c.kind == "table_row" and c.title.startswith(prefix)]
    present = {k for c in rows for k, _ in c.fields}
    cols = [k for k in COLUMN_ORDER if k in present] + sorted(present - set(COLUMN_ORDER))
    data: list[list[str]] = []
    group = None
    for c in rows:
        if c.group != group:
            group = c.group
            data.append([group] + [""] * (len(cols) - 1))
        values = dict(c.fields)
        data.append([values.get(k, "") for k in cols])
    with gr.Accordion(label, open=False):
        gr.Dataframe(data, headers=cols, interactive=False, wrap=True)
