"""The plan text and its derived chunks, shipped with the package so a fresh install works offline."""
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAN_PATH = HERE / "yongji-14th-five-year-plan.txt"
CHUNKS_PATH = HERE / "chunks.jsonl"
