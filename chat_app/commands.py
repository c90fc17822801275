"""CLI commands that need the full assistant: ask, chat, serve."""
from __future__ import annotations

import argparse


def _assistant():
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    return Assistant(sessions=SessionStore(":memory:"))


def cmd_ask(args: argparse.Namespace) -> int:
    from chat_app.terminal import UserError, emit, read_batch
    from chat_app.engine import QuestionError

    if args.batch is None and not (args.question or "").strip():
        raise UserError("问题不能为空。用法：plan-assistant ask \"问题\" --json")
    questions = list(read_batch(args.batch)) if args.batch is not None else [args.question]
    assistant = _assistant()
    for q in questions:
        try:
            a = assistant.ask(q)
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
    for c in a.citations:
        print(f"  [{c.n}] {c.chapter} {c.section}")
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
            a = assistant.ask(q, sid)
        except QuestionError as exc:
            print(f"助手：{exc}")
            continue
        sid = a.session_id
        print_answer(a, prefix="助手：")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from chat_app.api import create_app
    from chat_app.config import Settings

    settings = Settings.from_env()
    # uvicorn believes X-Forwarded-For from 127.0.0.1 by default: any local process could then pick a fresh
    # client identity per request and escape the rate limit. Only configured proxies are believed.
    trusted = ",".join(settings.trusted_proxies)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info",
                proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("ask", help="回答一个问题（带出处）")
    a.add_argument("question", nargs="?", default=None)
    a.add_argument("--batch", metavar="FILE", help="每行一个问题；- 表示标准输入")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_ask)
    c = sub.add_parser("chat", help="在终端里多轮对话")
    c.set_defaults(func=cmd_chat)
    s = sub.add_parser("serve", help="启动网页、接口和嵌入组件")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)
