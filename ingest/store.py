"""corpus/chunks.jsonl: the deterministic hand-off between ingestion and every later stage."""
from __future__ import annotations

import json
from pathlib import Path

from corpus import BUNDLED_ID, BUNDLED_TITLE, CHUNKS_PATH, PLAN_PATH
from ingest.chunker import DEFAULT_MAX_TOKENS, chunk_document
from ingest.parse import parse_file
from ingest.schema import Chunk


def build_chunks(plan: Path = PLAN_PATH, max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Chunk]:
    """The bundled plan's chunks (other documents go through ingest/library.py)."""
    return chunk_document(parse_file(plan), max_tokens=max_tokens, doc_id=BUNDLED_ID, doc_title=BUNDLED_TITLE)


def dumps(chunks: list[Chunk]) -> str:
    return "".join(json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for c in chunks)


def write_chunks(chunks: list[Chunk], path: Path = CHUNKS_PATH) -> None:
    path.write_text(dumps(chunks), encoding="utf-8")


def read_chunks(path: Path = CHUNKS_PATH) -> list[Chunk]:
    """Committed chunks; rebuilt from the plan text if the file is missing."""
    if not path.exists():
        return build_chunks()
    return [Chunk.from_dict(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line]
