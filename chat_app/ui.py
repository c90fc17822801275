"""Gradio front-end mounted at /ui: citizens' chat and the officials' tools (all Chinese)."""
from __future__ import annotations

import html
from collections.abc import Callable

import gradio as gr

from chat_app.engine import Assistant, QuestionError
from ingest.store import read_chunks

STARTERS = ["娃上学的事规划咋说？", "看病难，规划有啥办法？", "冬天烧煤取暖以后还让烧不？",
            "“十四五”常住人口城镇化率目标是多少？", "专栏3有哪些交通项目？"]


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


def _source_messages(answer) -> list[dict]:
    return [{"role": "assistant", "content": as_text(c.quote),
             "metadata": {"title": f"出处 [{c.n}] {c.chapter} {c.section}".strip(), "status": "done"}}
            for c in answer.citations]


def build_ui(get_assistant: Callable[[], Assistant]) -> gr.Blocks:
    with gr.Blocks(title="永济“十四五”规划助手") as ui:
        gr.Markdown("## 永济市“十四五”规划助手\n回答均来自规划原文，并注明章节出处。")
        session = gr.State(None)
        turns = gr.State([])
        with gr.Tab("问答"):
            chat = gr.Chatbot(label="对话", height=480, render_markdown=False, sanitize_html=True, allow_tags=False,
                              feedback_options=("赞", "踩"))
            box = gr.Textbox(label="您的问题", placeholder="例如：娃上学的事规划咋说？", lines=1)
            with gr.Row():
                send = gr.Button("发送", variant="primary")
                reset = gr.Button("新对话")
            gr.Examples(STARTERS, inputs=box, label="试试这些问题")

            def respond(message: str, history: list, sid, asked: list):
                history = list(history or [])
                history.append({"role": "user", "content": as_text(message) if isinstance(message, str) else message})
                try:
                    a = get_assistant().ask(message, sid)
                except QuestionError as exc:
                    history.append({"role": "assistant", "content": as_text(str(exc))})
                    yield history, sid, asked, ""
                    return
                history.append({"role": "assistant", "content": ""})
                for i in range(0, len(a.answer), 8):
                    history[-1] = _answer_message(a, i + 8)
                    yield history, a.session_id, asked, ""
                history[-1] = _answer_message(a)
                history.extend(_source_messages(a))
                yield history, a.session_id, asked + [(message, a.answer)], ""

            def like(data: gr.LikeData, sid, asked: list):
                rating = 1 if data.liked else -1
                q, ans = asked[-1] if asked else ("", "")
                get_assistant().sessions.add_feedback(sid, data.index if isinstance(data.index, int) else None,
                                                      rating, q, ans)

            for trigger in (box.submit, send.click):
                trigger(respond, [box, chat, session, turns], [chat, session, turns, box])
            chat.like(like, [session, turns], None)

            def pick(data: gr.SelectData, history: list, sid, asked: list):
                yield from respond(str(data.value), history, sid, asked)

            chat.option_select(pick, [chat, session, turns], [chat, session, turns, box])
            reset.click(lambda: ([], None, [], ""), None, [chat, session, turns, box])

        with gr.Tab("政务查询"):
            _officials(get_assistant)
    return ui


def _officials(get_assistant: Callable[[], Assistant]) -> None:
    # the chunks file, not the assistant: building the page must not wait for the index (the server
    # listens, and /healthz says "loading", while the index loads in the background)
    chunks = read_chunks()
    chapters = list(dict.fromkeys(c.chapter for c in chunks if c.chapter))
    with gr.Accordion("规划目录（章 → 节 → 原文）", open=False):
        ch = gr.Dropdown(chapters, label="章", value=chapters[0])
        sec = gr.Dropdown([], label="节")
        text = gr.Textbox(label="原文", lines=12, interactive=False)

        def sections(chapter):
            secs = list(dict.fromkeys(c.section or "（本章导语）" for c in chunks if c.chapter == chapter))
            return gr.update(choices=secs, value=secs[0] if secs else None)

        def body(chapter, section):
            section = "" if section == "（本章导语）" else section
            return "\n\n".join(f"[{c.id}] {('【' + c.title + '】') if c.title else ''}{c.text}"
                               for c in chunks if c.chapter == chapter and c.section == section)

        ch.change(sections, ch, sec)
        sec.change(body, [ch, sec], text)
    with gr.Accordion("检索原文", open=True):
        q = gr.Textbox(label="关键词或问题")
        found = gr.HighlightedText(label="命中（高亮为检索词）", combine_adjacent=True)
        table = gr.Dataframe(headers=["名次", "章", "节", "片段"], interactive=False, wrap=True)

        def search(query: str):
            a = get_assistant()
            try:  # the same limits as /api/search: length, and text that can be encoded
                query = a.validate(query)
            except QuestionError as exc:
                return [(str(exc), None)], []
            hits = a.retriever.search(query, 10)
            terms = set(a.retrievers.bm25.tokenizer.query_tokens(query))
            spans: list[tuple[str, str | None]] = []
            for h in hits[:5]:
                spans.append((f"\n[{h.rank}] {h.chunk.heading}\n", None))
                for tok in a.retrievers.bm25.tokenizer._jieba.cut(h.chunk.text):
                    spans.append((tok, "命中" if tok in terms else None))
            rows = [[h.rank, h.chunk.chapter, h.chunk.section, h.chunk.text[:160]] for h in hits]
            return spans, rows

        q.submit(search, q, [found, table])
    for title_prefix, label in (("表 1", "表1 “十三五”主要指标实现情况"), ("专栏 2", "专栏2 “十四五”主要指标")):
        rows = [c for c in chunks if c.kind == "table_row" and c.title.startswith(title_prefix)]
        cols = list(dict.fromkeys(k for c in rows for k, _ in c.fields))
        with gr.Accordion(label, open=False):
            gr.Dataframe([[c.group] + [dict(c.fields).get(k, "") for k in cols] + [c.section] for c in rows],
                         headers=["类别"] + cols + ["所在节"], interactive=False, wrap=True)
    items = [c for c in chunks if c.kind == "box_item"]
    with gr.Accordion("专栏项目清单（专栏3–14）", open=False):
        gr.Dataframe([[c.title, c.group, c.text, f"{c.chapter} {c.section}"] for c in items],
                     headers=["专栏", "类别", "内容", "所在章节"], interactive=False, wrap=True)
