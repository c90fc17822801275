"""Are the evaluation numbers the same on both backends? The whole `plan-assistant eval`, twice.

    python -m eval.parity_pg [--split all] [--no-dialogues] [--database-url URL] [--tolerance 0.005]

Runs ``plan-assistant eval --split SPLIT --retrieval --answers --dialogues`` once with
``PLAN_ASSISTANT_DATABASE_URL`` unset (SQLite, FAISS, in-process BM25) and once with it set (the hybrid's four
voices answered by PostgreSQL + pgvector; without --database-url a pgserver PostgreSQL is started in a
temporary directory with a fresh database), each in its own process so no cache or pool is shared. Every
number of the two JSON reports is compared, per split and metric; the timings (``p50_ms``, ``p95_ms``,
``ask_p50_ms``, ``ask_p95_ms``) are left out — they measure the machine, not the answers. Prints one line per
metric (both sides' values where they differ most, and the largest absolute difference over all splits),
every differing number (``--every``: every number) and exits 1 when a difference exceeds the tolerance (the
issue's ±0.005) or a number exists on one side only. ``--json FILE`` keeps both reports.

What differs by backend in these numbers: the hybrid retriever (``Retrieval`` rows ``hybrid`` and every
answer and dialogue number, which go through it); the ``bm25`` and ``dense`` rows are the in-process voices
on both sides and serve as a control.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack

from eval.load_common import temporary_database

TOLERANCE = 0.005


def timing(metric: str) -> bool:
    """Latencies: expected to differ between runs and backends, so not compared."""
    return metric.endswith("_ms")


def flatten(node, prefix: str = "") -> dict[str, float]:
    """{"answers/test/key_fact_accuracy": 0.81, …}: every number of an eval report by its path."""
    if isinstance(node, dict):
        out: dict[str, float] = {}
        for k, v in node.items():
            out.update(flatten(v, f"{prefix}/{k}" if prefix else str(k)))
        return out
    return {prefix: node} if isinstance(node, (int, float)) and not isinstance(node, bool) else {}


def run_eval(split: str, dialogues: bool, url: str) -> tuple[dict, float]:
    """One `plan-assistant eval` in a fresh process; its JSON report and wall time."""
    env = {k: v for k, v in os.environ.items() if k != "PLAN_ASSISTANT_DATABASE_URL"}
    if url:
        env["PLAN_ASSISTANT_DATABASE_URL"] = url
    cmd = [sys.executable, "-m", "chat_app.cli", "eval", "--split", split, "--retrieval", "--answers"]
    cmd += ["--dialogues"] if dialogues else []
    t = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"eval failed ({'PostgreSQL' if url else 'embedded'}): exit {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1]), time.monotonic() - t


def compare(embedded: dict[str, float], pg: dict[str, float]) -> tuple[dict[str, tuple[float, str]], list[str]]:
    """Per metric name, the largest |difference| over splits and retrievers and the path where it occurs
    (the first path when all are equal); and the paths only one side has. Timings are left out."""
    worst: dict[str, tuple[float, str]] = {}
    for path in sorted(set(embedded) & set(pg)):
        metric = path.rsplit("/", 1)[-1]
        if timing(metric):
            continue
        d = abs(embedded[path] - pg[path])
        if metric not in worst or d > worst[metric][0]:
            worst[metric] = (d, path)
    missing = sorted(p for p in set(embedded) ^ set(pg) if not timing(p.rsplit("/", 1)[-1]))
    return worst, missing


def database_url(stack: ExitStack, given: str) -> str:
    """``given``, else a pgserver PostgreSQL of our own (stopped at exit) and a fresh database in it."""
    return given or temporary_database(stack, "parity")


def report(embedded: dict[str, float], pg: dict[str, float], tolerance: float, every: bool = False) -> bool:
    """Per metric: both sides where they differ most, and that difference; with ``every`` each number.
    True when every difference is within ``tolerance`` and both sides have the same numbers."""
    worst, missing = compare(embedded, pg)
    compared = sorted(p for p in set(embedded) & set(pg) if not timing(p.rsplit("/", 1)[-1]))
    differing = [p for p in compared if embedded[p] != pg[p]]
    print(f"{len(compared)} numbers compared ({len(worst)} metrics over splits, retrievers and dialogue sets); "
          "timings (*_ms) excluded: they measure the machine")
    print(f"{'metric':30s} {'largest difference at':42s} {'embedded':>10s} {'PostgreSQL':>10s} {'max |diff|':>10s}")
    for metric, (d, path) in sorted(worst.items()):
        flag = "" if d <= tolerance else f"  > {tolerance}"
        print(f"{metric:30s} {path:42s} {embedded[path]:>10g} {pg[path]:>10g} {d:>10.6f}{flag}")
    for path in compared if every else differing:
        print(f"{path}: embedded {embedded[path]}, PostgreSQL {pg[path]}")
    for path in missing:
        print(f"only on one side: {path}")
    ok = not missing and all(d <= tolerance for d, _ in worst.values())
    print(f"parity (±{tolerance}): {'yes' if ok else 'NO'}; {len(differing)} of {len(compared)} numbers differ at all")
    return ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="两种后端（嵌入式 / PostgreSQL）上的评测结果是否一致")
    ap.add_argument("--split", default="all")
    ap.add_argument("--no-dialogues", action="store_true", help="不评测多轮对话")
    ap.add_argument("--database-url", default=os.environ.get("PLAN_ASSISTANT_DATABASE_URL", ""),
                    help="默认取 PLAN_ASSISTANT_DATABASE_URL；都没有时在临时目录启动 pgserver")
    ap.add_argument("--tolerance", type=float, default=TOLERANCE)
    ap.add_argument("--json", default="", help="把两份评测结果写入此文件")
    ap.add_argument("--every", action="store_true", help="逐项列出两边的每个数值")
    args = ap.parse_args(argv)
    with ExitStack() as stack:
        url = database_url(stack, args.database_url)
        a, ta = run_eval(args.split, not args.no_dialogues, "")
        b, tb = run_eval(args.split, not args.no_dialogues, url)
    flags = "--retrieval --answers" + ("" if args.no_dialogues else " --dialogues")
    print(f"plan-assistant eval --split {args.split} {flags}: embedded {ta:.0f} s, PostgreSQL {tb:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"embedded": a, "postgresql": b}, f, ensure_ascii=False, indent=1)
    return 0 if report(flatten(a), flatten(b), args.tolerance, args.every) else 1


if __name__ == "__main__":
    raise SystemExit(main())
