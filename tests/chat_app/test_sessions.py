"""SessionStore on real SQLite files: concurrent processes, a full disk, a read-only file, retention."""
from __future__ import annotations

import multiprocessing
import sqlite3
import time

import pytest

from chat_app.schema import Answer
from chat_app.sessions import SECONDS_PER_DAY, SessionStore, StorageUnavailable

TURNS_PER_PROCESS = 200
SESSION = "shared-session"


def _answer(text: str = "答") -> Answer:
    return Answer("规划里的路网建设怎么安排？", text, "direct", "extractive")


def _writer(path: str, start, errors) -> None:
    """One process: wait for the other, then add its turns as fast as it can."""
    store = SessionStore(path)
    start.wait()  # a barrier: both processes are up and write at the same time
    try:
        for _ in range(TURNS_PER_PROCESS):
            store.add_turn(SESSION, _answer())
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        errors.put(repr(exc))


def test_two_processes_number_turns_without_collisions(tmp_path):
    path = str(tmp_path / "pa.sqlite3")
    SessionStore(path)  # schema and WAL mode first, as a running server would have
    ctx = multiprocessing.get_context("spawn")
    start, errors = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(path, start, errors)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert errors.empty()
    rows = sqlite3.connect(path).execute("SELECT idx FROM turns WHERE session_id=?", (SESSION,)).fetchall()
    assert sorted(i for (i,) in rows) == list(range(2 * TURNS_PER_PROCESS))


def fill(store: SessionStore) -> None:
    """A real SQLITE_FULL: cap the file at its current size, then write until SQLite refuses."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count={pages}")
    for write in (lambda: store.add_turn("s", _answer("x")), lambda: store.add_feedback("s", 0, 1)):
        with pytest.raises(StorageUnavailable):
            for _ in range(10_000):
                write()


def test_a_full_disk_is_storage_unavailable_and_not_healthy(tmp_path, caplog):
    store = SessionStore(tmp_path / "pa.sqlite3")
    assert store.writable()
    fill(store)
    time.sleep(1.1)  # past the probe's cache
    assert not store.writable()
    with pytest.raises(StorageUnavailable):
        store.add_turn("another", _answer("一个更长的回答" * 20))
    assert "database or disk is full" in caplog.text and str(tmp_path) in caplog.text
    store._db.execute("PRAGMA max_page_count=1000000")  # space again
    time.sleep(1.1)
    assert store.writable() and store.add_turn("another", _answer()) == 0


def read_only_copy(tmp_path) -> SessionStore:
    path = tmp_path / "pa.sqlite3"
    SessionStore(path).add_turn("s", _answer())
    return SessionStore(f"file:{path}?mode=ro")


def test_a_read_only_file_is_storage_unavailable(tmp_path):
    store = read_only_copy(tmp_path)
    assert store.history("s")[0]["answer"] == "答"  # reading still works
    assert not store.writable()
    with pytest.raises(StorageUnavailable):
        store.add_turn("s", _answer())
    with pytest.raises(StorageUnavailable):
        store.add_feedback(None, None, -1)


def test_an_unopenable_path_is_storage_unavailable(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(StorageUnavailable):
        SessionStore(tmp_path / "a-file" / "pa.sqlite3")


def age(path, session: str, days: float) -> None:
    """Backdate a session's turns through a second connection, as time passing would."""
    with sqlite3.connect(path) as db:
        db.execute("UPDATE turns SET created = ? WHERE session_id = ?", (time.time() - days * SECONDS_PER_DAY, session))


def test_retention_purges_old_turns_at_start_and_keeps_feedback(tmp_path):
    path = tmp_path / "pa.sqlite3"
    store = SessionStore(path)
    for sid in ("old", "old", "new"):
        store.add_turn(sid, _answer())
    store.add_feedback("old", 0, 1, "问", "答")
    age(path, "old", 31)
    assert SessionStore(path, retention_days=0).turn_count() == 3  # 0 keeps everything
    reopened = SessionStore(path, retention_days=30)
    assert reopened.initially_purged == 2 and reopened.turn_count() == 1
    assert reopened.feedback_count() == 1


def test_retention_runs_while_serving_at_most_once_per_period(tmp_path):
    path = tmp_path / "pa.sqlite3"
    hourly = SessionStore(path, retention_days=30)
    hourly.add_turn("old", _answer())
    age(path, "old", 40)
    hourly.add_turn("new", _answer())
    assert hourly.turn_count() == 2  # purged when opened, not again within the hour
    eager = SessionStore(path, retention_days=30, purge_every=0)
    assert eager.initially_purged == 1
    eager.add_turn("old", _answer())
    age(path, "old", 40)
    eager.add_turn("new", _answer())  # the period has passed: this write purges first
    assert eager.history("old") == [] and eager.turn_count() == 2
