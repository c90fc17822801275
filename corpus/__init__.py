"""The plan text and its derived chunks, shipped with the package so a fresh install works offline.

The bundled plan is the library's default document (ingest/library.py): always present, never removed.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAN_PATH = HERE / "yongji-14th-five-year-plan.txt"
CHUNKS_PATH = HERE / "chunks.jsonl"

BUNDLED_ID = "yongji-14"
BUNDLED_TITLE = "永济市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要"
BUNDLED_REGION = "永济市"
BUNDLED_PERIOD = "2021-2025"
