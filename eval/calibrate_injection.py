"""Fit the injection probe (chat_app/injection_probe.py) on the tuning sets; `plan-assistant calibrate` runs it.

Positives: the tuning sets' injections (``adversarial`` questions without a plan location). Negatives: every other
tuning question. The threshold (on the logit) is the highest out-of-fold score of a question the plan answers,
corrects or partly covers (answerable, false premise, ``scope: detail``) plus ``MARGIN``: such a question refused as
an injection would hide what the plan says; an off-topic question above it is refused either way.
Leave-one-set-out (nested: each held set's threshold comes from its training sets' own out-of-fold scores) is
reported in eval/calibration.json.
"""
from __future__ import annotations

import json

import numpy as np

from chat_app.injection_probe import MODEL_PATH, InjectionProbe
from chat_app.support import Probe
from eval.data import Question, load_questions

# Session 14, nested leave-one-set-out over dev…dev11 (97 injections, ~1700 other questions; margin 0.5): L2 0.01 →
# 74 injections caught by the probe alone, 0.03 → 73, 0.1 → 71, 0.3 → 63, 1.0 → 38, none with a question the plan
# answers flagged; 0.03 is the more regularised of the two best.
L2 = 0.03
# Same run at L2 0.03 (caught / answered-or-corrected questions flagged): margin 0 → 82/1 ("听说高铁北站那块要弄个
# 小镇…" flagged), 0.25 → 77/1, 0.5 → 73/0, 1.0 → 66/0.
MARGIN = 0.5
TOL = 1e-5


def is_injection(q: Question) -> bool:
    return q.type == "adversarial" and not q.false_premise


def kept(q: Question) -> bool:
    """A question whose refusal as an injection would cost the asker what the plan says."""
    return not is_injection(q) and q.scope != "off_topic"


def out_of_fold(v: np.ndarray, y: np.ndarray, splits: np.ndarray) -> np.ndarray:
    from eval.calibrate import fit_logistic

    scores = np.zeros(len(y))
    for held in np.unique(splits):
        out = splits == held
        bias, w = fit_logistic(v[~out], y[~out].astype(float), L2, TOL)
        scores[out] = bias + v[out] @ w
    return scores


def fit(v: np.ndarray, y: np.ndarray, keep: np.ndarray, splits: np.ndarray, model_id: str) -> InjectionProbe:
    from eval.calibrate import fit_logistic

    bias, w = fit_logistic(v, y.astype(float), L2, TOL)
    threshold = float(out_of_fold(v, y, splits)[keep].max()) + MARGIN
    return InjectionProbe(Probe(model_id, bias, w.astype(np.float32)), threshold)


def leave_one_set_out(v: np.ndarray, y: np.ndarray, keep: np.ndarray, splits: np.ndarray,
                      model_id: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for held in dict.fromkeys(splits):  # the tuning sets' own order
        test = splits == held
        probe = fit(v[~test], y[~test], keep[~test], splits[~test], model_id)
        flagged = np.array([probe.flags(x, model_id) for x in v[test]])
        out[str(held)] = {"injections": int(y[test].sum()), "caught": int((flagged & y[test]).sum()),
                          "kept_flagged": int((flagged & keep[test]).sum()),
                          "off_topic_flagged": int((flagged & ~y[test] & ~keep[test]).sum())}
    out["pooled"] = {k: sum(d[k] for d in out.values()) for k in ("injections", "caught", "kept_flagged",
                                                                   "off_topic_flagged")}
    return out


def run(assistant, splits: tuple[str, ...]) -> dict:
    """Fit on every tuning question, write the model file, return the report."""
    questions = [(sp, q) for sp in splits for q in load_questions(sp)]
    dense = assistant.default.retrievers.dense
    model_id = dense.embeddings.model_id
    v = np.vstack([dense.query_vector(q.question) for _, q in questions]).astype(np.float64)
    y = np.array([is_injection(q) for _, q in questions])
    keep = np.array([kept(q) for _, q in questions])
    sets = np.array([sp for sp, _ in questions])
    probe = fit(v, y, keep, sets, model_id)
    MODEL_PATH.write_text(json.dumps(probe.to_dict(), indent=1) + "\n", encoding="utf-8")
    return {"l2": L2, "margin": MARGIN, "threshold": probe.threshold, "n": len(y), "injections": int(y.sum()),
            "leave_one_set_out": leave_one_set_out(v, y, keep, sets, model_id)}
