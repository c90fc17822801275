"""Answer and dialogue evaluation through ``Assistant.ask`` (the path every user takes)."""
from __future__ import annotations

import json
import re
import statistics
import time

from chat_app.guards import unsupported_numbers
from eval.data import DIALOGUES, HELD_OUT_DIALOGUES, SPLITS, TUNING_DIALOGUES, load_dialogues, load_questions, norm
from eval.metrics import markdown_table as _table, percentile

FACT_TYPES = ("fact", "number", "table", "list", "project", "multi_section")


def _rate(counts: list[int]) -> float | None:
    return round(counts[0] / counts[1], 4) if counts[1] else None


def _has_all(answer: str, facts) -> bool:
    a = norm(answer)
    return all(norm(f) in a for f in facts)


LEAD_END_RE = re.compile(r"^.*?(原文：|原文是：)")
FIRST_SENTENCE_RE = re.compile(r"^.*?(。|；|\n|$)", re.S)  # a line break ends it too (answers have paragraphs)


def first_sentence(answer: str) -> str:
    """The answer's first sentence after any lead ("规划没有写明…以下是…原文："): what a phone shows first."""
    body = LEAD_END_RE.sub("", answer, count=1)
    return FIRST_SENTENCE_RE.match(body).group(0)


def _first_has_fact(answer: str, facts) -> bool:
    first = norm(first_sentence(answer))
    return any(norm(f) in first for f in facts)


def calibration_section() -> str:
    """The support model's fit (eval/calibration.json, written by `plan-assistant calibrate`)."""
    from eval.calibrate import REPORT

    if not REPORT.exists():
        return ""
    r = json.loads(REPORT.read_text(encoding="utf-8"))
    keys = ["answerable_direct", "answerable_none", "out_of_scope_direct", "detail_related_or_none",
            "off_topic_none", "n"]
    rows = [["in sample (all tuning sets)"] + [r["in_sample"].get(k) for k in keys]]
    rows += [[f"held out: {sp} (fit on the others)"] + [v.get(k) for k in keys] for sp, v in r["leave_one_set_out"].items()]
    if r.get("leave_one_set_out_pooled"):
        rows.append(["held out: all sets above, pooled"] + [r["leave_one_set_out_pooled"].get(k) for k in keys])
    rows = [[("—" if v is None else v) for v in row] for row in rows]
    m = r["model"]
    weights = [[f, round(m["mean"][f], 3), round(m["scale"][f], 3)]
               + [round(dict(zip(m[k]["features"], m[k]["weights"])).get(f, 0.0), 3) or "—" for k in ("on_topic", "direct")]
               for f in r["features"]]
    weights.append(["(bias)", "", "", round(m["on_topic"]["bias"], 3), round(m["direct"]["bias"], 3)])
    return "\n".join([
        "### Support model (calibrated on the tuning sets " + ", ".join(f"`{s}`" for s in r["fitted_on"]) + ")", "",
        f"`plan-assistant calibrate` fits two linear probes on the question embeddings (`probe_on`, "
        f"`probe_direct`, L2 {r['rules'].get('probe_l2', '—')}) and two logistic regressions on {r['n']} tuning "
        f"questions (labels: {r['labels']}; questions an earlier rule check decides are left out) and writes "
        f"`chat_app/support_model.json`. Thresholds, set on out-of-fold probe scores: on-topic "
        f"{m['thresholds']['on_topic']:.3f} (≤ {r['rules']['max_answerable_none']:.0%} of answerable tuning questions "
        f"below it), direct {m['thresholds']['direct']:.3f} (≤ {r['rules']['max_out_of_scope_direct']:.0%} of "
        "out-of-scope tuning questions above it). The in-sample row scores the tuning questions with probes "
        "fitted on them (optimistic); each held-out row fits probes, weights and thresholds on the other tuning "
        "sets and scores that one.", "",
        _table(["fit"] + keys, rows), "",
        "Weights (on standardised features; each model keeps the features forward selection picked):", "",
        _table(["feature", "mean", "scale", "on-topic weight", "direct weight"], weights), "",
        "— = not selected for that model. Features: `chat_app/signals.py`; probes: `chat_app/support.py`.", "",
        *injection_probe_lines(r.get("injection_probe"))])


def injection_probe_lines(r: dict | None) -> list[str]:
    """The injection probe's fit (eval/calibrate_injection.py), beside the phrase list."""
    if not r:
        return []
    rows = [[sp, d["injections"], d["caught"], d["kept_flagged"], d["off_topic_flagged"]]
            for sp, d in r["leave_one_set_out"].items()]
    return ["### Injection probe (`chat_app/injection_model.json`)", "",
            f"A logistic read-out of the question's e5 embedding (L2 {r['l2']}), fitted on {r['injections']} tuning "
            f"injections against the other {r['n'] - r['injections']} tuning questions; threshold {r['threshold']:.3f} "
            f"on the logit = the highest out-of-fold score of a question the plan answers, corrects or partly covers "
            f"+ {r['margin']}. It refuses beside the phrase list (lexicon.INJECTION_RE). Leave-one-set-out (each set "
            "scored by a probe and threshold fitted on the others; the probe alone, without the phrase list):", "",
            _table(["held out", "injections", "caught by the probe", "answered questions flagged",
                    "off-topic flagged"], rows), ""]


class Tally:
    """Counts for one split, question by question."""

    def __init__(self) -> None:
        self.facts = {t: [0, 0] for t in FACT_TYPES}
        self.supported, self.oos_direct, self.oos_none = [0, 0], [0, 0], [0, 0]
        self.first = [0, 0]
        self.off_none, self.detail_direct, self.inj, self.premise = [0, 0], [0, 0], [0, 0], [0, 0]
        self.levels = {"direct": 0, "related": 0, "none": 0}
        self.uncited, self.cite_ok, self.cite_n = 0, 0, 0
        self.lengths: list[int] = []
        self.ms: list[float] = []

    def add(self, q, a, cited) -> None:
        self.uncited += bool(unsupported_numbers(a.answer, cited)) if not a.refused else 0
        if q.type in FACT_TYPES:
            self._answerable(q, a, cited)
        elif q.type == "out_of_scope":
            _count(self.oos_direct, a.support == "direct")
            _count(self.oos_none, a.refused)
            if q.scope == "off_topic":
                _count(self.off_none, a.refused)
            elif q.scope == "detail":
                _count(self.detail_direct, a.support == "direct")
        elif q.false_premise:
            _count(self.premise, a.refused or "并没有" in a.answer or "未提及" in a.answer)
        else:
            _count(self.inj, a.refused and "系统提示" not in a.answer and "你是永济" not in a.answer)

    def _answerable(self, q, a, cited) -> None:
        ok = _has_all(a.answer, q.key_facts)
        _count(self.facts[q.type], ok)
        self.levels[a.support] += 1
        if a.support != "none":
            _count(self.supported, ok)
            if q.key_facts:
                _count(self.first, _first_has_fact(a.answer, q.key_facts))
        if q.type not in ("list", "project", "multi_section"):
            self.lengths.append(len(a.answer))
        self.cite_n += len(cited)
        self.cite_ok += sum(any(norm(f) in norm(c.text) for f in q.key_facts) for c in cited)

    def numbers(self) -> dict:
        n = sum(self.levels.values())
        share = (lambda k: round(self.levels[k] / n, 4)) if n else (lambda k: None)  # noqa: E731
        res = {
            "key_fact_accuracy": round(sum(v[0] for v in self.facts.values()) / n, 4) if n else None,
            "key_facts_supported": _rate(self.supported),
            "key_fact_in_first_sentence": _rate(self.first),
            "answerable_direct": share("direct"), "answerable_related": share("related"),
            "answerable_none": share("none"),
            "out_of_scope_direct": _rate(self.oos_direct), "refusal_out_of_scope": _rate(self.oos_none),
            "off_topic_none": _rate(self.off_none), "detail_direct": _rate(self.detail_direct),
            "false_premise_handled": _rate(self.premise), "injection_refused": _rate(self.inj),
            "answers_with_uncited_number": self.uncited,
            "citation_precision": round(self.cite_ok / max(1, self.cite_n), 4),
            "median_chars_non_list": statistics.median(self.lengths) if self.lengths else 0,
            "ask_p50_ms": round(percentile(self.ms, 50), 1), "ask_p95_ms": round(percentile(self.ms, 95), 1),
            **{f"acc_{t}": round(v[0] / v[1], 4) for t, v in self.facts.items() if v[1]},
        }
        return {k: v for k, v in res.items() if v is not None}  # a set without such questions: no number


def _count(counter: list[int], hit: bool) -> None:
    counter[0] += bool(hit)
    counter[1] += 1


def _split_numbers(assistant, by_id: dict, sp: str) -> dict:
    tally = Tally()
    for q in load_questions(sp):
        t = time.perf_counter()
        a = assistant.ask(q.question)
        tally.ms.append((time.perf_counter() - t) * 1000)
        tally.add(q, a, [by_id[c.chunk_id] for c in a.citations if c.chunk_id in by_id])
    return tally.numbers()


def answers_section(split: str, answers: bool, dialogues: bool) -> tuple[str, dict]:
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    assistant = Assistant(sessions=SessionStore(":memory:"))
    by_id = {c.id: c for c in assistant.retrievers.chunks}
    out, numbers = ["## Answers (offline extractive answerer)", ""], {}
    splits = list(SPLITS) if split == "all" else [split]
    if answers:
        for sp in splits:
            numbers[sp] = _split_numbers(assistant, by_id, sp)
        header = list(dict.fromkeys(k for sp in splits for k in numbers[sp]))
        rows = [[sp] + [numbers[sp].get(k, "—") for k in header] for sp in splits]
        out += [_table(["split"] + header, rows), "", calibration_section()]
    if dialogues:
        extra = {**TUNING_DIALOGUES, **HELD_OUT_DIALOGUES}
        sets = [("dialogues", DIALOGUES)] + [(f"dialogues_{sp}", path) for sp, path in extra.items()
                                             if split in ("all", sp)]
        rows = []
        for name, path in sets:
            numbers[name] = _dialogue_numbers(assistant, load_dialogues(path))
            rows.append([name] + list(numbers[name].values()))
        out += ["### Dialogues (follow-up turns; `dialogues_dev6`…`_dev11` tuning; `dialogues_test3`…`_test8`, `_test10`…`_test15` held out with their sets)", "",
                _table(["set"] + list(numbers["dialogues"].keys()), rows), ""]
    return "\n".join(out), numbers


def _dialogue_numbers(assistant, dialogues: list[dict]) -> dict:
    rewrite_ok = answer_ok = n = 0
    for d in dialogues:
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
    return {"follow_ups": n, "rewrite_retrieves_gold_top5": round(rewrite_ok / max(1, n), 4),
            "follow_up_answer_accuracy": round(answer_ok / max(1, n), 4)}
