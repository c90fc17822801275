"""`plan-assistant add / docs / remove`: the document library from the command line.

Adding parses and checks the whole file first, then builds its index (with a progress bar), and only
then records it in the library, so a bad file or an interrupted build leaves the library as it was.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from chat_app.terminal import UserError, emit
from ingest.parse import CHAPTER_RE

STATUS = {"added": "已导入", "updated": "文件已变化，已重新导入"}


def _library(settings):
    from ingest.library import Library

    return Library(settings.library_dir)


def cmd_add(args: argparse.Namespace) -> int:
    from chat_app.config import Settings
    from chat_app.index import ensure_writable, index_folder, index_root, require_backend
    from ingest.integrity import seal
    from ingest.readers import DocumentError
    from retriever.factory import build_retrievers

    settings = Settings.from_env()
    library = _library(settings)
    t0 = time.perf_counter()
    try:
        prepared = library.prepare(Path(args.file), args.title or "", args.region or "", args.period or "",
                                   args.id or "")
    except DocumentError as exc:
        raise UserError(str(exc)) from None
    info = prepared.info
    if prepared.status == "unchanged":
        print(f"文档未变化（sha256 相同），无需重新导入：{info.id}《{info.title}》")
        return 0
    require_backend(settings.embedding)
    folder = index_folder(settings, info.id)
    ensure_writable(folder)
    build_retrievers(list(prepared.chunks), embedding=settings.embedding, index_dir=index_root(settings, info.id),
                     progress=True)
    seal(folder)
    ensure_writable(settings.library_dir, "文档库目录", "PLAN_ASSISTANT_LIBRARY_DIR")
    library.commit(prepared)
    chapters = len({c.chapter for c in prepared.chunks if CHAPTER_RE.match(c.chapter)})
    sections = len({(c.chapter, c.section) for c in prepared.chunks if c.section})
    print(f"{STATUS[prepared.status]}《{info.title}》：编号 {info.id}，{chapters} 章 {sections} 节，"
          f"{info.chunks} 个片段，用时 {time.perf_counter() - t0:.1f} 秒")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from chat_app.config import Settings
    from ingest.readers import DocumentError

    try:
        docs = _library(Settings.from_env()).documents()
    except DocumentError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        emit([d.public() for d in docs])
        return 0
    for d in docs:
        mark = "（内置）" if d.builtin else ""
        print(f"{d.id}{mark}  《{d.title}》  {d.region or '—'}  {d.period or '—'}  {d.chunks} 个片段")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from chat_app.config import Settings
    from chat_app.index import index_root
    from ingest.readers import DocumentError

    settings = Settings.from_env()
    try:
        info = _library(settings).remove(args.id)
    except DocumentError as exc:
        raise UserError(str(exc)) from None
    shutil.rmtree(index_root(settings, info.id), ignore_errors=True)
    print(f"已删除《{info.title}》（编号 {info.id}）及其索引。", file=sys.stderr)
    return 0


def add_doc_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--doc", action="append", metavar="ID",
                   help="只在这份文档中查找（可重复；默认全部文档，见 plan-assistant docs）")


def add_library_commands(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("add", help="把一份规划文件（.txt/.docx/.pdf）加入文档库；文件变化后再次运行即重新导入")
    a.add_argument("file", help="规划文件路径")
    a.add_argument("--title", help="标题（默认取文件开头的规划名称）")
    a.add_argument("--region", help="地区（默认从标题推断，如“永济市”）")
    a.add_argument("--period", help="规划期（默认从标题推断，如“2026-2030”）")
    a.add_argument("--id", help="文档编号（小写字母、数字、连字符；默认取文件名）")
    a.set_defaults(func=cmd_add)
    d = sub.add_parser("docs", help="列出文档库中的规划")
    d.add_argument("--json", action="store_true", help="输出 JSON")
    d.set_defaults(func=cmd_docs)
    r = sub.add_parser("remove", help="从文档库删除一份规划（内置规划不能删除）")
    r.add_argument("id", help="文档编号（见 plan-assistant docs）")
    r.set_defaults(func=cmd_remove)
