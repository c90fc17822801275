"""CLI commands that need the full assistant: ask, chat, serve."""
from __future__ import annotations

import argparse


def _assistant():
    from chat_app.config import Settings
    from chat_app.engine import Assistant
    from chat_app.index import load_library_documents
    from chat_app.sessions import SessionStore

    settings = Settings.from_env()
    return Assistant(settings, library=load_library_documents(settings), sessions=SessionStore(":memory:"))


def open_store(settings):
    """The history database (SQLite file or PostgreSQL), or one Chinese line naming where it is (exit 2)
    when it cannot be written."""
    from chat_app.index import NOT_WRITABLE, PathNotWritable, reason
    from chat_app.sessions import StorageUnavailable
    from chat_app.storage import location
    from chat_app.storage import open_store as open_configured

    try:
        store = open_configured(settings)
        if store.writable():
            return store
        why = "数据库只读或磁盘已满"
    except StorageUnavailable as exc:
        why = reason(exc.__cause__ or exc)
    where, env = location(settings)
    raise PathNotWritable(NOT_WRITABLE.format(what="数据库", path=where, reason=why, env=env))


def cmd_ask(args: argparse.Namespace) -> int:
    from chat_app.terminal import UserError, emit, read_batch
    from chat_app.engine import QuestionError

    if args.batch is None and not (args.question or "").strip():
        raise UserError("问题不能为空。用法：plan-assistant ask \"问题\" --json")
    questions = list(read_batch(args.batch)) if args.batch is not None else [args.question]
    assistant = _assistant()
    for q in questions:
        try:
            a = assistant.ask(q, docs=args.doc)
        except QuestionError as exc:
            if args.batch is None:
                raise UserError(str(exc)) from exc
            emit({"question": q, "error": str(exc)})
            continue
        if args.json or args.batch is not None:
            emit(a.to_dict())
        else:
            print_answer(a)
    return 0


SUPPORT_LABELS = {"related": "【相关内容】"}


def print_answer(a, prefix: str = "") -> None:
    """Plain-text answer for the terminal: a related answer is labelled, a refusal lists follow-ups."""
    print(f"{prefix}{SUPPORT_LABELS.get(a.support, '')}{a.answer}")
    many = len({c.doc_id for c in a.citations}) > 1
    for c in a.citations:
        doc = f"《{c.doc_title}》" if many else ""
        print(f"  [{c.n}] {doc}{c.chapter} {c.section}")
    if a.suggestions:
        print("  您可以试试：" + " / ".join(a.suggestions))


def cmd_chat(args: argparse.Namespace) -> int:
    from chat_app.engine import QuestionError

    assistant = _assistant()
    sid = None
    print("永济“十四五”规划助手。输入问题，回车发送；输入“新对话”重新开始，输入“退出”结束。")
    while True:
        try:
            q = input("您：").strip()
        except EOFError:
            print()
            return 0
        if q in ("退出", "exit", "quit"):
            return 0
        if q == "新对话":
            sid = None
            print("已开始新对话。")
            continue
        if not q:
            continue
        try:
            a = assistant.ask(q, sid, docs=args.doc)
        except QuestionError as exc:
            print(f"助手：{exc}")
            continue
        sid = a.session_id
        print_answer(a, prefix="助手：")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from chat_app.api import create_app
    from chat_app.config import Settings
    from chat_app.index import ensure_writable, needs_writing, require_backend
    from chat_app.logs import configure_access_log

    settings = Settings.from_env()
    store = open_store(settings)  # fail now, with the path, rather than 503 on every question
    require_backend(settings.embedding)
    folder = needs_writing(settings)
    if folder is not None:  # the index will be (re)built in the background while /healthz says loading
        ensure_writable(folder)
    configure_access_log(keep_queries=settings.log_queries)
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: any local process could then pick a fresh
    # client identity per request and escape the rate limit. Only configured proxies are believed.
    trusted = ",".join(settings.trusted_proxies)
    uvicorn.run(create_app(settings, sessions=store), host=args.host, port=args.port, log_level="info",
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Deletes conversation turns past PLAN_ASSISTANT_RETENTION_DAYS now (the server also does it hourly)."""
    from chat_app.config import Settings

    settings = Settings.from_env()
    if settings.retention_days <= 0:
        print("PLAN_ASSISTANT_RETENTION_DAYS 为 0（永久保留），未删除任何记录。")
        return 0
    store = open_store(settings)  # opening purges once already; count what that removed too
    before = store.turn_count()
    store.purge()
    removed = store.initially_purged + before - store.turn_count()
    print(f"已删除 {removed} 条超过 {settings.retention_days:g} 天的对话记录（反馈记录保留）：{store.path}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    from chat_app.library_cli import add_doc_option

    a = sub.add_parser("ask", help="回答一个问题（带出处）")
    a.add_argument("question", nargs="?", default=None, help="要问的问题")
    a.add_argument("--batch", metavar="FILE", help="每行一个问题；- 表示标准输入")
    a.add_argument("--json", action="store_true", help="输出 JSON")
    add_doc_option(a)
    a.set_defaults(func=cmd_ask)
    c = sub.add_parser("chat", help="在终端里多轮对话")
    add_doc_option(c)
    c.set_defaults(func=cmd_chat)
    s = sub.add_parser("serve", help="启动网页、接口和嵌入组件")
    s.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    s.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    s.set_defaults(func=cmd_serve)
    p = sub.add_parser("purge", help="删除超过保留期（PLAN_ASSISTANT_RETENTION_DAYS）的对话记录并报告条数")
    p.set_defaults(func=cmd_purge)
