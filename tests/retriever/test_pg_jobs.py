"""The ingestion job table on a real PostgreSQL (pgserver): concurrent claimers each get distinct jobs,
failures keep their error and are retried, a dead claimer's job is released, and replicas loading the
same index load it once."""
from __future__ import annotations

import threading

import pytest

from retriever import pg_jobs

pytest.importorskip("psycopg")


@pytest.fixture
def url(new_pg_database):
    import psycopg

    u = new_pg_database("jobs")
    with psycopg.connect(u, autocommit=True) as conn:
        conn.execute(pg_jobs.SCHEMA)
    return u


def _connect(url):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def test_concurrent_claimers_claim_each_job_exactly_once(url):
    with _connect(url) as conn:
        ids = [pg_jobs.enqueue(conn, f"doc-{i}", "h") for i in range(40)]
        assert [pg_jobs.enqueue(conn, f"doc-{i}", "h") for i in range(40)] == ids  # idempotent
    claimed: dict[str, list[int]] = {}
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        got = claimed.setdefault(name, [])
        with _connect(url) as conn:
            start.wait()
            while (job := pg_jobs.claim(conn, name)) is not None:
                got.append(job.id)
                conn.execute("SELECT pg_sleep(0.01)")  # "loading": the others keep claiming meanwhile

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [j for got in claimed.values() for j in got]
    assert sorted(every) == sorted(ids)  # all claimed, none twice
    assert sum(1 for got in claimed.values() if got) >= 2  # the work really was spread
    with _connect(url) as conn:
        rows = conn.execute("SELECT id, claimed_by, status, attempts FROM ingest_jobs").fetchall()
    owner = {j: name for name, got in claimed.items() for j in got}
    assert all(by == owner[i] and st == "running" and n == 1 for i, by, st, n in rows)


def test_a_failed_job_keeps_its_error_and_can_be_retried(url):
    with _connect(url) as conn:
        job_id = pg_jobs.enqueue(conn, "doc", "h1")
        job = pg_jobs.claim(conn, "a")
        assert pg_jobs.enqueue(conn, "doc", "h1") == job_id  # running: not queued again
        assert pg_jobs.claim(conn, "b") is None
        pg_jobs.fail(conn, job.id, "OSError: disk full")
        assert pg_jobs.status(conn, job_id) == ("failed", 1, "OSError: disk full")
        assert pg_jobs.claim(conn, "b") is None  # failed jobs wait for a retry
        assert pg_jobs.enqueue(conn, "doc", "h1") == job_id  # the retry
        again = pg_jobs.claim(conn, "b")
        assert again.id == job_id and pg_jobs.status(conn, job_id) == ("running", 2, None)
        pg_jobs.complete(conn, job_id)
        assert pg_jobs.status(conn, job_id) == ("done", 2, None)


def test_a_dead_claimers_job_is_released(url):
    with _connect(url) as conn:
        job_id = pg_jobs.enqueue(conn, "doc", "h")
        other = _connect(url)
        assert pg_jobs.claim(other, "dies").id == job_id
        assert not pg_jobs.release_orphan(conn, job_id)  # its claimer is alive
        other.close()
        for _ in range(50):  # the backend exits just after the client closes
            if pg_jobs.release_orphan(conn, job_id):
                break
            conn.execute("SELECT pg_sleep(0.05)")
        assert pg_jobs.status(conn, job_id) == ("failed", 1, "claimer disconnected")


def test_replicas_loading_together_load_once(new_pg_database, retrievers):
    from retriever.pg_index import load
    from retriever.pgdb import make_pool

    u = new_pg_database("jobs_load")
    pools = [make_pool(u, max_size=1, name=f"r{i}") for i in range(2)]
    results: list[bool] = []
    start = threading.Barrier(2)

    def replica(pool) -> None:
        start.wait()
        results.append(load(pool, retrievers))

    threads = [threading.Thread(target=replica, args=(p,)) for p in pools]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]  # one loaded, the other waited and used it
    with _connect(u) as conn:
        assert conn.execute("SELECT status, attempts FROM ingest_jobs").fetchall() == [("done", 1)]
        assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == len(retrievers.chunks)
    assert load(pools[1], retrievers) is False  # current: no new job
    for p in pools:
        p.close()
