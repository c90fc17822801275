"""The document library: the bundled plan plus the plans a user adds, each parsed into its own chunks.

Layout under the library folder (``PLAN_ASSISTANT_LIBRARY_DIR``)::

    library.json              the registry: one entry per added document
    docs/<id>/chunks.jsonl    that document's chunks (ids "<id>:c07s02-p001")

The bundled plan is not in the registry: it is always there, first, from corpus/. Adding is two-phase
(``prepare`` parses and checks everything, ``commit`` writes) so a bad file changes nothing, and the
registry is replaced atomically so a crash never leaves half an entry.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from corpus import BUNDLED_ID, BUNDLED_PERIOD, BUNDLED_REGION, BUNDLED_TITLE, CHUNKS_PATH, PLAN_PATH
from ingest.chunker import chunk_document
from ingest.meta import guess_period, guess_region, slug
from ingest.parse import Document, parse_text
from ingest.readers import DocumentError, read_document
from ingest.schema import Chunk
from ingest.store import dumps, read_chunks

REGISTRY = "library.json"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")
MIN_CHAPTERS = 1  # a 规划纲要 has 章; a file without one is not a plan this parser can structure
MIN_BLOCKS = 3


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    title: str
    region: str
    period: str
    chunks: int
    sha256: str
    source: str = ""  # the file name it was added from
    builtin: bool = False

    def public(self) -> dict:
        """What `plan-assistant docs --json` and the API list."""
        return {k: v for k, v in asdict(self).items() if k != "source"}


@dataclass(frozen=True)
class Prepared:
    """A parsed, checked document ready to be committed (and indexed) as one unit."""

    info: DocumentInfo
    chunks: tuple[Chunk, ...]
    status: str  # added | updated | unchanged


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bundled_info() -> DocumentInfo:
    return DocumentInfo(BUNDLED_ID, BUNDLED_TITLE, BUNDLED_REGION, BUNDLED_PERIOD,
                        len(read_chunks(CHUNKS_PATH)), file_sha256(PLAN_PATH), PLAN_PATH.name, True)


def check_structure(doc: Document, name: str) -> None:
    if len(doc.chapters) < MIN_CHAPTERS or len(doc.blocks()) < MIN_BLOCKS:
        raise DocumentError(f"没有识别出规划纲要的章节结构（如“第一章 …”“第一节 …”）：{name}。"
                            "请确认这是一份规划文本。")


class Library:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._bundled: DocumentInfo | None = None

    # -- reading ----------------------------------------------------------------------
    def added(self) -> list[DocumentInfo]:
        try:
            rows = json.loads((self.folder / REGISTRY).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise DocumentError(f"文档库登记文件无法读取：{self.folder / REGISTRY}（{exc}）") from None
        return [DocumentInfo(**row) for row in rows]

    def documents(self) -> list[DocumentInfo]:
        if self._bundled is None:
            self._bundled = bundled_info()
        return [self._bundled, *self.added()]

    def get(self, doc_id: str) -> DocumentInfo:
        for info in self.documents():
            if info.id == doc_id:
                return info
        known = "、".join(d.id for d in self.documents())
        raise DocumentError(f"文档库中没有编号为“{doc_id}”的文档（现有：{known}）。")

    def chunks(self, doc_id: str) -> list[Chunk]:
        if doc_id == BUNDLED_ID:
            return read_chunks(CHUNKS_PATH)
        self.get(doc_id)
        return read_chunks(self._chunks_path(doc_id))

    def _chunks_path(self, doc_id: str) -> Path:
        return self.folder / "docs" / doc_id / "chunks.jsonl"

    # -- changing ---------------------------------------------------------------------
    def prepare(self, path: Path, title: str = "", region: str = "", period: str = "",
                doc_id: str = "") -> Prepared:
        """Read, parse and chunk ``path``; raises DocumentError (and changes nothing) when it cannot."""
        text = read_document(path)
        doc = parse_text(text)
        check_structure(doc, path.name)
        sha = file_sha256(path)
        doc_id = doc_id or slug(path.stem, sha)
        if not ID_RE.match(doc_id):
            raise DocumentError(f"文档编号“{doc_id}”不合规：只能用小写字母、数字和连字符，2–48 个字符。")
        if doc_id == BUNDLED_ID:
            raise DocumentError(f"“{BUNDLED_ID}”是内置规划的编号，请换一个编号（--id）。")
        title = title.strip() or doc.title or path.stem
        info = DocumentInfo(doc_id, title, region.strip() or guess_region(title),
                            period.strip() or guess_period(title), 0, sha, path.name)
        chunks = chunk_document(doc, doc_id=doc_id, doc_title=title)
        info = replace(info, chunks=len(chunks))
        old = next((d for d in self.added() if d.id == doc_id), None)
        status = "added" if old is None else ("unchanged" if old == info else "updated")
        return Prepared(info, tuple(chunks), status)

    def commit(self, prepared: Prepared) -> None:
        if prepared.status == "unchanged":
            return
        target = self._chunks_path(prepared.info.id)
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, dumps(list(prepared.chunks)))
        rows = [d for d in self.added() if d.id != prepared.info.id] + [prepared.info]
        self._write_registry(rows)

    def remove(self, doc_id: str) -> DocumentInfo:
        if doc_id == BUNDLED_ID:
            raise DocumentError("内置的永济市“十四五”规划不能删除。")
        info = self.get(doc_id)
        self._write_registry([d for d in self.added() if d.id != doc_id])
        path = self._chunks_path(doc_id)
        path.unlink(missing_ok=True)
        try:
            path.parent.rmdir()
        except OSError:
            pass
        return info

    def _write_registry(self, rows: list[DocumentInfo]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        text = json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1)
        _atomic_write(self.folder / REGISTRY, text)


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
