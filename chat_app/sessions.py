"""Conversation history and feedback in SQLite: survives restarts, nothing accepted is lost."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path

from chat_app.schema import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL, idx INTEGER NOT NULL, question TEXT NOT NULL,
    standalone TEXT NOT NULL, answer TEXT NOT NULL, cited TEXT NOT NULL, created REAL NOT NULL,
    PRIMARY KEY (session_id, idx));
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT, turn INTEGER, rating INTEGER NOT NULL,
    question TEXT, answer TEXT, comment TEXT, created REAL NOT NULL);
"""


class SessionStore:
    def __init__(self, path: str | Path = ":memory:") -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock:
            if str(path) != ":memory:":
                # WAL + NORMAL: a commit survives a process crash without an fsync per turn.
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def history(self, session_id: str, limit: int = 6) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT question, standalone, answer, cited FROM turns WHERE session_id=? ORDER BY idx DESC LIMIT ?",
                (session_id, limit)).fetchall()
        return [{"question": q, "standalone": s, "answer": a, "cited": json.loads(c)} for q, s, a, c in reversed(rows)]

    def add_turn(self, session_id: str, answer: Answer) -> int:
        cited = json.dumps([c.chunk_id for c in answer.citations])
        with self._lock, self._db:
            idx = self._db.execute("SELECT COALESCE(MAX(idx), -1) + 1 FROM turns WHERE session_id=?",
                                   (session_id,)).fetchone()[0]
            self._db.execute("INSERT INTO turns VALUES (?,?,?,?,?,?,?)",
                             (session_id, idx, answer.question, answer.standalone or answer.question,
                              answer.answer, cited, time.time()))
        return idx

    def add_feedback(self, session_id: str | None, turn: int | None, rating: int,
                     question: str = "", answer: str = "", comment: str = "") -> int:
        with self._lock, self._db:
            cur = self._db.execute(
                "INSERT INTO feedback (session_id, turn, rating, question, answer, comment, created) VALUES (?,?,?,?,?,?,?)",
                (session_id, turn, rating, question, answer, comment, time.time()))
        return int(cur.lastrowid)

    def feedback_count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])
