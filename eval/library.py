"""Two documents in one library, measured over the eval sets (prints numbers; not a test).

    python -m eval.library [--file tests/fixtures/plans/china-15th-fyp-2026-2030.txt] [--split all]

Loads the bundled plan plus a second real plan (by default the national 15th five-year plan kept as a
test fixture) into a temporary library and reports, over every eval question:
- leaks: hits (top 10, hybrid) or citations from the other document when a question is scoped to one
  document — must be 0;
- answers scoped to the bundled plan that differ from the bundled plan alone — must be 0 (the second
  document must not change a scoped answer);
- routing: of the answerable questions asked with no scope (both documents), the share answered from the
  bundled plan they were written for, and the share whose citations mix documents outside a comparison;
- comparisons: a few comparison questions written for this script, and whether both documents are cited.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "plans" / "china-15th-fyp-2026-2030.txt"
SECOND_ID = "cn-15"  # the id the library tests give the default file: its cached index is reused
DEPTH = 10
# Written for this script (not eval questions): each names both plans or asks how they differ.
COMPARISONS = ("十四五和十五五在粮食安全上的要求有什么不同？", "十四五和十五五对科技创新分别是怎么部署的？",
               "永济十四五规划和国家十五五规划在生态环境保护方面有何差异？",
               "十四五与十五五关于养老服务的提法有什么变化？")


def build(file: Path, folder: Path):
    from chat_app.config import Settings
    from chat_app.engine import Assistant
    from chat_app.index import index_root
    from chat_app.sessions import SessionStore
    from ingest.library import Library, bundled_info
    from ingest.store import read_chunks
    from retriever.factory import build_retrievers

    settings = Settings.from_env()
    lib = Library(folder)
    prepared = lib.prepare(file, doc_id=SECOND_ID)
    lib.commit(prepared)
    bundled = build_retrievers(read_chunks(), embedding=settings.embedding, index_dir=settings.index_dir,
                               progress=False)
    second = build_retrievers(list(prepared.chunks), embedding=settings.embedding,
                              index_dir=index_root(settings, SECOND_ID), progress=True)
    library = [(bundled_info(), bundled), (prepared.info, second)]
    both = Assistant(settings, sessions=SessionStore(":memory:"), library=library)
    alone = Assistant(settings, sessions=SessionStore(":memory:"), retrievers=bundled)
    return both, alone


def measure(both, alone, split: str) -> dict:
    from eval.data import load_questions
    from retriever.scope import search_many

    bundled = both.default.meta.id
    n = hit_leaks = cite_leaks = differ = answerable = routed_home = mixed = 0
    for q in load_questions(split):
        n += 1
        for doc in both.documents.values():
            hits = search_many([doc.retrievers.hybrid], q.question, DEPTH)
            hit_leaks += sum(h.chunk.doc_id != doc.meta.id for h in hits)
        scoped = both.ask(q.question, docs=[bundled])
        cite_leaks += sum(c.doc_id != bundled for c in scoped.citations)
        differ += scoped.answer != alone.ask(q.question).answer
        if q.answerable:
            answerable += 1
            wide = both.ask(q.question)
            docs = {c.doc_id for c in wide.citations}
            routed_home += docs == {bundled}
            mixed += len(docs) > 1 and not any("comparison" in note for note in wide.notes)
    return {"questions": n, "hit_leaks": hit_leaks, "citation_leaks": cite_leaks, "scoped_answers_changed": differ,
            "answerable": answerable, "routed_to_bundled": round(routed_home / max(1, answerable), 4),
            "mixed_without_comparison": mixed}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="文档库评测：两份规划同时载入时的范围隔离、路由和对比回答")
    p.add_argument("--file", type=Path, default=DEFAULT_FILE, help="第二份规划文件（默认国家“十五五”规划纲要）")
    p.add_argument("--split", default="all", help="评测集（默认 all）")
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        both, alone = build(args.file, Path(folder))
        numbers = measure(both, alone, args.split)
        print("library:", " ".join(f"{k}={v}" for k, v in numbers.items()))
        for question in COMPARISONS:
            a = both.ask(question)
            cited = sorted({c.doc_id for c in a.citations})
            print(f"comparison: support={a.support} cited={','.join(cited)} q={question}")
    print(f"took {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
