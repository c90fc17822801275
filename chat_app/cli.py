"""`plan-assistant`: the one console command (ingest, search, ask, chat, serve, eval).

Errors a user can cause (empty query, unreadable file, bad option) print one Chinese line
on stderr and exit 2; nothing here lets a traceback reach the terminal.
"""
from __future__ import annotations

import argparse
import sys
import time

from chat_app.argparse_zh import chinese
from chat_app.library_cli import add_doc_option
from chat_app.terminal import EXIT_USAGE, UserError, emit, read_batch


# -- commands -----------------------------------------------------------------------
def cmd_ingest(args: argparse.Namespace) -> int:
    from chat_app.config import Settings
    from chat_app.index import NOT_WRITABLE, PathNotWritable, ensure_writable, index_folder, reason, require_backend
    from ingest.integrity import seal
    from ingest.store import build_chunks, write_chunks
    from retriever.factory import build_retrievers

    t0 = time.perf_counter()
    chunks = build_chunks()
    write_chunks(chunks)
    kinds = {k: sum(c.kind == k for c in chunks) for k in ("paragraph", "table_row", "box_item")}
    print(f"已切分 {len(chunks)} 个片段：{kinds}", file=sys.stderr)
    if args.chunks_only:
        return 0
    s = Settings.from_env()
    require_backend(s.embedding)
    folder = index_folder(s)
    ensure_writable(folder)
    try:
        rs = build_retrievers(chunks, embedding=s.embedding, index_dir=s.index_dir, progress=True)
        seal(folder)  # a sha256 per index file, verified on every load
    except OSError as exc:
        raise PathNotWritable(NOT_WRITABLE.format(what="索引目录", path=folder, reason=reason(exc),
                                                  env="PLAN_ASSISTANT_INDEX_DIR")) from None
    state = "已重建" if rs.rebuilt else "已是最新（复用缓存）"
    print(f"索引{state}：{s.index_dir}，用时 {time.perf_counter() - t0:.1f} 秒", file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    if args.batch is None and not (args.query or "").strip():
        raise UserError("查询内容不能为空。用法：plan-assistant search \"问题\" -k 10 --json")
    queries = list(read_batch(args.batch)) if args.batch is not None else [args.query]
    from chat_app.config import Settings
    from chat_app.index import load_library
    from retriever.scope import search_many

    s = Settings.from_env()
    library = load_library(s)
    unknown = [d for d in args.doc or () if d not in library]
    if unknown:
        raise UserError(f"文档库中没有编号为“{'、'.join(unknown)}”的文档（现有：{'、'.join(library)}）。")
    retrievers = [library[d].get(args.retriever or s.retriever) for d in (args.doc or library)]
    for q in queries:
        hits = [h.to_dict() for h in search_many(retrievers, q, args.k)]
        if args.batch is not None:
            emit({"query": q, "hits": hits})
        elif args.json:
            emit(hits)
        else:
            for h in hits:
                doc = f"《{h['doc_title']}》" if len(retrievers) > 1 else ""
                print(f"{h['rank']:>2}. {doc}{h['chapter']} {h['section']}  ({h['score']:.4f})")
                print(f"    {h['text'][:120]}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from eval.harness import run

    return run(args)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from eval.calibrate import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    from eval.data import SPLITS

    p = argparse.ArgumentParser(prog="plan-assistant", description="永济市“十四五”规划问答助手")
    sub = p.add_subparsers(dest="command", required=True, title="子命令", metavar="子命令",
                           help="运行 plan-assistant 子命令 --help 查看各自的用法")

    i = sub.add_parser("ingest", help="切分规划文本并建立检索索引")
    i.add_argument("--chunks-only", action="store_true", help="只生成 corpus/chunks.jsonl")
    i.set_defaults(func=cmd_ingest)

    s = sub.add_parser("search", help="检索规划原文")
    s.add_argument("query", nargs="?", default=None, help="要检索的内容")
    s.add_argument("--batch", metavar="FILE", help="每行一个查询；- 表示标准输入")
    s.add_argument("-k", type=int, default=10, help="返回的条数（默认 10）")
    s.add_argument("--json", action="store_true", help="输出 JSON")
    s.add_argument("--retriever", choices=("bm25", "dense", "hybrid"), help="检索方式（默认 hybrid）")
    add_doc_option(s)
    s.set_defaults(func=cmd_search)

    e = sub.add_parser("eval", help="运行评测并输出指标")
    e.add_argument("--retrieval", action="store_true", help="检索评测")
    e.add_argument("--answers", action="store_true", help="回答评测")
    e.add_argument("--dialogues", action="store_true", help="多轮对话评测")
    e.add_argument("--split", choices=(*SPLITS, "all"), default="all", help="评测集（默认 all）")
    e.add_argument("--peers", action="store_true", help="同时评测对照方案（朴素切分、LangChain 配方）")
    e.add_argument("--write", action="store_true", help="写入 eval/RESULTS.md 和图表")
    e.add_argument("--gate", action="store_true", help="低于 eval/thresholds.json 时以非零退出")
    e.set_defaults(func=cmd_eval)

    c = sub.add_parser("calibrate", help="在调参集上拟合回答支持度模型，写入 chat_app/support_model.json")
    c.set_defaults(func=cmd_calibrate)

    _add_answer_commands(sub)
    return p


def _add_answer_commands(sub: argparse._SubParsersAction) -> None:
    from chat_app.library_cli import add_library_commands

    add_library_commands(sub)
    try:
        from chat_app.commands import add_commands
    except ImportError:
        return
    add_commands(sub)


def main(argv: list[str] | None = None) -> int:
    from chat_app.logs import configure_app_log

    with chinese():  # argparse's own help and error strings in Chinese (help and errors print in here)
        args = build_parser().parse_args(argv)
    configure_app_log()
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("错误：-k 必须是正整数", file=sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
