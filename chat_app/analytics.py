"""What officials ask for about the assistant's use: questions per day, the top questions, how many were
answered directly / with related passages only / refused (and which), 👎 with comments, and CSV exports.

Counted in SQL on either store (``Store.read``), so a province's millions of turns are never loaded into
the process. Days are Beijing time (UTC+8) whatever the server's zone: the officials reading the page are
there. Turns are kept only ``PLAN_ASSISTANT_RETENTION_DAYS`` (30 by default), so that bounds how far back
question statistics reach; feedback rows are kept.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import time

from chat_app.storage import Store

BEIJING_OFFSET_S = 8 * 3600
DAY_S = 86400
TOP_QUESTIONS = 20
QUESTIONS_PER_LEVEL = 30
NEGATIVE_FEEDBACK = 100
EXPORT_ROWS = 100_000  # one CSV at most; narrow the days for more
# A day number from a Unix time; PostgreSQL rounds when casting a float to an integer, SQLite truncates.
DAY_SQL = {"sqlite": f"CAST((created + {BEIJING_OFFSET_S}) / {DAY_S} AS INTEGER)",
           "pg": f"FLOOR((created + {BEIJING_OFFSET_S}) / {DAY_S})::bigint"}
LEVEL_LABELS = {"direct": "直接回答", "related": "相关内容（规划未直接写明）", "none": "拒答", "": "未记录"}
RATING_LABELS = {1: "👍", -1: "👎"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a cell Excel would run as a formula


def day_label(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).isoformat()


def when(created: float) -> str:
    """A Unix time as Beijing wall-clock text, minutes precision."""
    t = dt.datetime.fromtimestamp(created, dt.timezone(dt.timedelta(seconds=BEIJING_OFFSET_S)))
    return t.strftime("%Y-%m-%d %H:%M")


def per_day(store: Store, since: float, now: float) -> list[dict]:
    """Every day in the window, zero-filled, so the chart's gaps are real quiet days."""
    day = DAY_SQL[store.dialect]
    counts = dict(store.read(f"SELECT {day} AS d, COUNT(*) FROM turns WHERE created >= ? GROUP BY d", (since,)))
    first, last = (int((t + BEIJING_OFFSET_S) // DAY_S) for t in (since, now))
    return [{"day": day_label(d), "questions": int(counts.get(d, 0))} for d in range(first, last + 1)]


def top_questions(store: Store, since: float, level: str | None = None, limit: int = TOP_QUESTIONS) -> list[dict]:
    """The most asked questions (exact text), optionally only those answered at one support level."""
    where, params = "created >= ?", [since]
    if level is not None:
        where, params = where + " AND support = ?", params + [level]
    rows = store.read(f"SELECT question, COUNT(*) AS n, MAX(created) AS last FROM turns WHERE {where} "
                      "GROUP BY question ORDER BY n DESC, last DESC LIMIT ?", (*params, limit))
    return [{"question": q, "count": int(n), "last": when(t)} for q, n, t in rows]


def support_share(store: Store, since: float) -> list[dict]:
    counts = dict(store.read("SELECT support, COUNT(*) FROM turns WHERE created >= ? GROUP BY support", (since,)))
    total = sum(counts.values()) or 1
    levels = ["direct", "related", "none"] + ([""] if counts.get("") else [])
    return [{"level": lv, "label": LEVEL_LABELS[lv], "count": int(counts.get(lv, 0)),
             "share": round(counts.get(lv, 0) / total, 4),
             "questions": top_questions(store, since, lv, QUESTIONS_PER_LEVEL)} for lv in levels]


def negative_feedback(store: Store, since: float) -> list[dict]:
    rows = store.read("SELECT created, question, answer, comment FROM feedback WHERE rating = -1 AND created >= ? "
                      "ORDER BY created DESC LIMIT ?", (since, NEGATIVE_FEEDBACK))
    return [{"time": when(t), "question": q or "", "answer": a or "", "comment": c or ""} for t, q, a, c in rows]


def summary(store: Store, days: int, now: float | None = None) -> dict:
    """Everything /admin shows, for the last ``days`` days."""
    now = time.time() if now is None else now
    since = now - days * DAY_S
    ratings = dict(store.read("SELECT rating, COUNT(*) FROM feedback WHERE created >= ? GROUP BY rating", (since,)))
    daily = per_day(store, since, now)
    return {"days": days, "questions": sum(d["questions"] for d in daily), "per_day": daily,
            "top": top_questions(store, since), "support": support_share(store, since),
            "thumbs_up": int(ratings.get(1, 0)), "thumbs_down": int(ratings.get(-1, 0)),
            "negative": negative_feedback(store, since)}


def _cell(value: object) -> object:
    """Citizens' text opened in Excel: a leading = + - @ would be a formula, so it gets a quote first."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def export_csv(store: Store, kind: str, days: int, now: float | None = None) -> str:
    """``turns`` or ``feedback`` as CSV with Chinese headers and a BOM (Excel then reads it as UTF-8)."""
    since = (time.time() if now is None else now) - days * DAY_S
    if kind == "turns":
        header = ["时间（北京时间）", "会话", "轮次", "问题", "回答情况", "回答"]
        rows = store.read("SELECT created, session_id, idx, question, support, answer FROM turns WHERE created >= ? "
                          "ORDER BY created LIMIT ?", (since, EXPORT_ROWS))
        body = [[when(t), s, i, q, LEVEL_LABELS.get(lv, lv), a] for t, s, i, q, lv, a in rows]
    else:
        header = ["时间（北京时间）", "会话", "轮次", "评价", "问题", "回答", "意见"]
        rows = store.read("SELECT created, session_id, turn, rating, question, answer, comment FROM feedback "
                          "WHERE created >= ? ORDER BY created LIMIT ?", (since, EXPORT_ROWS))
        body = [[when(t), s or "", "" if i is None else i, RATING_LABELS.get(r, r), q or "", a or "", c or ""]
                for t, s, i, r, q, a, c in rows]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in body)
    return "\ufeff" + out.getvalue()
