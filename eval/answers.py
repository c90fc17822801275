"""Answer and dialogue evaluation through ``Assistant.ask`` (the path every user takes)."""
from __future__ import annotations

import statistics
import time

from chat_app.guards import unsupported_numbers
from eval.data import SPLITS, load_dialogues, load_questions, norm
from eval.harness import _table
from eval.metrics import percentile

FACT_TYPES = ("fact", "number", "table", "list", "project", "multi_section")
MIN_ANSWERED = 0.9


def _rate(counts: list[int]) -> float | None:
    return round(counts[0] / counts[1], 4) if counts[1] else None


def _has_all(answer: str, facts) -> bool:
    a = norm(answer)
    return all(norm(f) in a for f in facts)


TUNING = ("dev", "dev2", "dev3")


def refusal_calibration(assistant, splits: tuple[str, ...] = TUNING) -> tuple[str, tuple[float, float]]:
    """Sweep both refusal thresholds on the tuning sets: answerable questions kept vs out-of-scope refused.

    Returns markdown tables and the chosen (coverage, peak) pair: the best balanced accuracy
    among pairs that still answer ≥ 90% of answerable questions (ties → lower thresholds). A wrong
    refusal hides what the plan says; a wrong answer at least shows its cited source.
    """
    from chat_app.guards import COVERAGE_THRESHOLD, PEAK_THRESHOLD, foreign_places

    scored = []
    for q in (q for sp in splits for q in load_questions(sp)):
        if q.type in FACT_TYPES or q.type == "out_of_scope":
            hits, cov = assistant.evidence(q.question)
            # the threshold-free refusals (foreign place, figure absent) are part of every setting
            place = bool(foreign_places(q.question, assistant.plan_text) or assistant.missing_detail(q.question, hits))
            z = assistant.peak(q.question) if cov.missing else float("inf")  # as the engine: full coverage skips it
            scored.append((q.type == "out_of_scope", cov.score, z, place))

    def rates(tc: float, tp: float) -> tuple[float, float]:
        refuse = [(place or c < tc or z < tp, oos) for oos, c, z, place in scored]
        kept = [not r for r, oos in refuse if not oos]
        refused = [r for r, oos in refuse if oos]
        return sum(kept) / len(kept), sum(refused) / len(refused)

    covs = [round(0.2 + 0.05 * i, 2) for i in range(10)]
    peaks = [0.0] + [round(2.2 + 0.1 * i, 1) for i in range(9)]
    best = (-1.0, 0.0, 0.0)
    for tc in covs:
        for tp in peaks:
            a, r = rates(tc, tp)
            if a >= MIN_ANSWERED:
                best = max(best, ((a + r) / 2, -tc, -tp))
    chosen = (-best[1], -best[2])

    def table(label: str, values: list[float], pair) -> str:
        rows = []
        for v in values:
            a, r = rates(*pair(v))
            mark = " (current)" if pair(v) == (COVERAGE_THRESHOLD, PEAK_THRESHOLD) else ""
            rows.append([f"{v:g}{mark}", round(a, 3), round(r, 3), round((a + r) / 2, 3)])
        return _table([label, "answerable answered", "out-of-scope refused", "balanced"], rows)

    text = "\n\n".join([
        f"Coverage threshold, peak threshold fixed at {PEAK_THRESHOLD}:",
        table("coverage", covs, lambda v: (v, PEAK_THRESHOLD)),
        f"Peak threshold (0 = off), coverage threshold fixed at {COVERAGE_THRESHOLD}:",
        table("peak z", peaks, lambda v: (COVERAGE_THRESHOLD, v)),
    ])
    return text, chosen


def answers_section(split: str, answers: bool, dialogues: bool) -> tuple[str, dict]:
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    assistant = Assistant(sessions=SessionStore(":memory:"))
    by_id = {c.id: c for c in assistant.retrievers.chunks}
    out, numbers = ["## Answers (offline extractive answerer)", ""], {}
    splits = list(SPLITS) if split == "all" else [split]
    if answers:
        for sp in splits:
            stats = {t: [0, 0] for t in FACT_TYPES}
            oos = [0, 0]
            inj = [0, 0]
            premise = [0, 0]
            uncited, lengths, ms, cite_ok, cite_n = 0, [], [], 0, 0
            for q in load_questions(sp):
                t = time.perf_counter()
                a = assistant.ask(q.question)
                ms.append((time.perf_counter() - t) * 1000)
                cited = [by_id[c.chunk_id] for c in a.citations if c.chunk_id in by_id]
                uncited += bool(unsupported_numbers(a.answer, cited)) if not a.refused else 0
                if q.type in FACT_TYPES:
                    stats[q.type][0] += _has_all(a.answer, q.key_facts)
                    stats[q.type][1] += 1
                    if q.type not in ("list", "project", "multi_section"):
                        lengths.append(len(a.answer))
                    for c in cited:
                        cite_n += 1
                        cite_ok += any(norm(f) in norm(c.text) for f in q.key_facts)
                elif q.type == "out_of_scope":
                    oos[0] += a.refused
                    oos[1] += 1
                elif q.false_premise:
                    premise[0] += a.refused or "并没有" in a.answer or "未提及" in a.answer
                    premise[1] += 1
                else:
                    inj[0] += a.refused and "系统提示" not in a.answer and "你是永济" not in a.answer
                    inj[1] += 1
            facts_ok = sum(v[0] for v in stats.values())
            facts_n = sum(v[1] for v in stats.values())
            res = {
                "key_fact_accuracy": round(facts_ok / facts_n, 4),
                "refusal_out_of_scope": _rate(oos),
                "false_premise_handled": _rate(premise),
                "injection_refused": _rate(inj),
                "answers_with_uncited_number": uncited,
                "citation_precision": round(cite_ok / max(1, cite_n), 4),
                "median_chars_non_list": statistics.median(lengths) if lengths else 0,
                "ask_p50_ms": round(percentile(ms, 50), 1), "ask_p95_ms": round(percentile(ms, 95), 1),
                **{f"acc_{t}": round(v[0] / v[1], 4) for t, v in stats.items() if v[1]},
            }
            numbers[sp] = {k: v for k, v in res.items() if v is not None}  # a set without such questions: no number
        header = list(dict.fromkeys(k for sp in splits for k in numbers[sp]))
        rows = [[sp] + [numbers[sp].get(k, "—") for k in header] for sp in splits]
        out += [_table(["split"] + header, rows), ""]
    if answers:
        table, best = refusal_calibration(assistant)
        numbers["refusal_calibration"] = {"coverage": best[0], "peak": best[1]}
        out += ["### Refusal thresholds (calibrated on the tuning sets `dev` + `dev2` + `dev3`)", "",
                "Two signals (`chat_app/guards.py`): *coverage*, the share of the question's IDF mass found in the "
                "top 5 chunks, and *peak*, the z-score of the best chunk's dense score over the whole plan "
                "(skipped when every word of the question is found). A question is refused when either is below "
                "its threshold. Two checks without a threshold apply in every row: a place the plan never "
                "mentions, and a figure asked in a unit (多少钱 → 元, 多少人, 多长, 多少亩) or a detail (a date, a "
                "place, a responsible body, how to apply) that no top passage gives next to a topic word of the "
                "question.", "",
                table, "", f"Chosen rule: best balanced accuracy while answering ≥ {MIN_ANSWERED:.0%} of answerable tuning "
                f"questions → coverage {best[0]:.2f}, peak {best[1]:.1f}.", ""]
    if dialogues:
        rewrite_ok = answer_ok = n = 0
        for d in load_dialogues():
            sid = None
            for i, turn in enumerate(d["turns"]):
                a = assistant.ask(turn["question"], sid)
                sid = a.session_id
                if i == 0:
                    continue
                n += 1
                hits = assistant.retriever.search(a.standalone, 5)
                rewrite_ok += any(all(norm(f) in norm(h.chunk.text) for f in turn["key_facts"]) for h in hits) \
                    if turn["key_facts"] else 0
                answer_ok += _has_all(a.answer, turn["key_facts"]) if turn["key_facts"] else 0
        numbers["dialogues"] = {"follow_ups": n, "rewrite_retrieves_gold_top5": round(rewrite_ok / max(1, n), 4),
                                "follow_up_answer_accuracy": round(answer_ok / max(1, n), 4)}
        out += ["### Dialogues (follow-up turns)", "",
                _table(list(numbers["dialogues"].keys()), [list(numbers["dialogues"].values())]), ""]
    return "\n".join(out), numbers
