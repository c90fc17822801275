"""`plan-assistant eval`: run the question sets through every stage and report numbers.

Nothing here is tuned per question: the harness only calls the same public entry points
users reach (retriever.search, Assistant.ask) and compares with the gold annotations.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from eval.data import HELD_OUT, HERE, SPLITS, load_questions
from eval.metrics import markdown_table as _table

RESULTS = HERE / "RESULTS.md"
THRESHOLDS = HERE / "thresholds.json"


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=HERE, timeout=5).stdout.strip() or "uncommitted"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def retrieval_section(split: str, peers: bool) -> tuple[str, dict]:
    from chat_app.config import Settings, load_retrievers
    from eval.retrieval import evaluate

    settings = Settings.from_env()
    rs = load_retrievers(settings)
    retrievers = [rs.bm25, rs.dense, rs.hybrid]
    if peers:
        from eval.peers import langchain_recipe, naive_hybrid
        from retriever.embeddings import make_embeddings

        emb = make_embeddings(settings.embedding)
        cache = settings.index_dir / "peers"
        retrievers += [naive_hybrid(emb, cache), langchain_recipe(emb, cache)]
    out: list[str] = ["## Retrieval", ""]
    numbers: dict = {}
    splits = list(SPLITS) if split == "all" else [split]
    for sp in splits:
        qs = load_questions(sp)
        results = []
        for r in retrievers:
            rs.dense.clear_query_cache()  # dense and hybrid share it: time each one uncached
            results.append(evaluate(r, qs))
        numbers[sp] = {r.name: r.summary() for r in results}
        n = results[0].n
        out.append(f"### Split `{sp}` ({n} answerable questions{' — held out, never tuned on' if sp in HELD_OUT else ' — used for tuning'})")
        out.append("")
        header = ["retriever", "R@1", "R@3", "R@5", "R@10", "MRR", "nDCG@10", "p50 ms", "p95 ms"]
        rows = [[r.name] + [r.summary()[m] for m in ("R@1", "R@3", "R@5", "R@10", "MRR", "nDCG@10", "p50_ms", "p95_ms")]
                for r in results]
        out += [_table(header, rows), ""]
        groups = sorted(results[0].counts)
        out.append(f"Recall@5 by persona and type (`{sp}`):")
        out.append("")
        rows = [[g, results[0].counts[g]] + [r.metric("R@5", g) for r in results] for g in groups]
        out += [_table(["group", "n"] + [r.name for r in results], rows), ""]
        for r in results:
            print(f"[{sp}] {r.name:18s} " + " ".join(f"{k}={v}" for k, v in r.summary().items()), file=sys.stderr)
    return "\n".join(out), numbers


def plot_recall(numbers: dict, path: Path = HERE / "recall_at_k.png") -> Path:
    """Recall@k curves per retriever and split (PNG next to RESULTS.md)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(numbers), figsize=(5 * len(numbers), 4), squeeze=False)
    for ax, (split, per) in zip(axes[0], numbers.items()):
        for name, m in per.items():
            ax.plot([1, 3, 5, 10], [m[f"R@{k}"] for k in (1, 3, 5, 10)], marker="o", label=name)
        ax.set_title(f"Recall@k ({split})")
        ax.set_xlabel("k")
        ax.set_ylim(0.4, 1.0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run(args: argparse.Namespace) -> int:
    if not (args.retrieval or args.answers or args.dialogues):
        args.retrieval = args.answers = args.dialogues = True
    sections: list[str] = []
    numbers: dict = {}
    if args.retrieval:
        text, numbers["retrieval"] = retrieval_section(args.split, args.peers)
        sections.append(text)
    if args.answers or args.dialogues:
        try:
            from eval.answers import answers_section
        except ImportError:
            answers_section = None
        if answers_section is not None:
            text, numbers["answers"] = answers_section(args.split, args.answers, args.dialogues)
            sections.append(text)
    _emit_json(numbers)
    if args.write and "retrieval" in numbers:
        plot_recall(numbers["retrieval"])
        sections.append("![Recall@k per retriever](recall_at_k.png)")
    if args.write:
        cmd = "plan-assistant " + " ".join(sys.argv[1:]) if sys.argv and sys.argv[0].endswith("plan-assistant") \
            else "plan-assistant eval " + " ".join(a for a in sys.argv[1:] if a.startswith("-"))
        head = (f"# Evaluation results\n\nProduced by `{cmd}` on {dt.date.today().isoformat()} "
                f"at commit `{_commit()}`. Numbers are as measured; nothing is hand-edited.\n")
        RESULTS.write_text(head + "\n" + "\n\n".join(sections) + "\n", encoding="utf-8")
        print(f"已写入 {RESULTS}", file=sys.stderr)
    if args.gate:
        return gate(numbers)
    return 0


def _emit_json(numbers: dict) -> None:
    sys.stdout.write(json.dumps(numbers, ensure_ascii=False) + "\n")


def gate(numbers: dict) -> int:
    """Fail when a metric crosses its stored threshold (eval/thresholds.json)."""
    thresholds = json.loads(THRESHOLDS.read_text(encoding="utf-8"))
    failures, checked = [], 0
    for bound, items in thresholds.items():
        for path, limit in items.items():
            node = numbers
            for part in path.split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            if not isinstance(node, (int, float)):
                continue  # metric not computed in this run
            checked += 1
            if (bound == "min" and node < limit) or (bound == "max" and node > limit):
                failures.append(f"{path} = {node}（{'下限' if bound == 'min' else '上限'} {limit}）")
    for f in failures:
        print(f"回归：{f}", file=sys.stderr)
    print(f"评测门槛：{'未通过' if failures else '通过'}（检查 {checked} 项）", file=sys.stderr)
    return 1 if failures or not checked else 0
