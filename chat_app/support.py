"""The calibrated support decision: two logistic regressions on the generic signals and two probes.

``on_topic`` says whether the plan covers what the question is about (direct or related vs none);
``direct`` whether the evidence states what was asked (direct vs related or none). Their inputs are the
retrieval signals (chat_app/signals.py) and two *probes*: linear read-outs of the question's embedding
("is this the kind of question a plan answers", "…answers directly"). Retrieval signals alone cannot tell
"鹳雀楼那首诗是谁写的" from a plan question, because the plan does name 鹳雀楼; what a question asks *for*
(a schedule, trivia, a price, a target, a project) is in its embedding. Weights, the feature scaling, the
probes and the two probability thresholds live in ``support_model.json``, written by ``plan-assistant
calibrate`` from the tuning sets (eval/calibrate.py documents how). Nothing here is hand-set.
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chat_app.signals import FEATURES, Signals

MODEL_PATH = Path(__file__).resolve().parent / "support_model.json"
PROBES = ("probe_on", "probe_direct")  # fitted on "on topic" and on "answered directly"
MODEL_FEATURES = FEATURES + PROBES


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]  # chosen by forward selection on leave-one-set-out AUC (eval/calibrate.py)
    bias: float
    weights: tuple[float, ...]

    def probability(self, z: Mapping[str, float]) -> float:
        """P(positive) from standardised feature values."""
        score = self.bias + sum(w * z[f] for f, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "bias": self.bias, "weights": list(self.weights)}

    @classmethod
    def from_dict(cls, d: dict) -> Logistic:
        return cls(tuple(d["features"]), float(d["bias"]), tuple(float(w) for w in d["weights"]))


@dataclass(frozen=True)
class Probe:
    """A linear score on the question's embedding; silent (None) for vectors of another model."""

    embedding_model: str
    bias: float
    weights: np.ndarray = field(compare=False)

    def score(self, vector: np.ndarray | None, model: str) -> float | None:
        if vector is None or model != self.embedding_model or vector.shape != self.weights.shape:
            return None
        return float(self.bias + vector @ self.weights)

    def to_dict(self) -> dict:
        return {"embedding_model": self.embedding_model, "bias": self.bias,
                "weights": [round(float(w), 6) for w in self.weights]}

    @classmethod
    def from_dict(cls, d: dict) -> Probe:
        return cls(d["embedding_model"], float(d["bias"]), np.asarray(d["weights"], dtype=np.float32))


@dataclass(frozen=True)
class SupportModel:
    mean: dict[str, float]
    scale: dict[str, float]
    on_topic: Logistic
    direct: Logistic
    on_topic_threshold: float
    direct_threshold: float
    probes: dict[str, Probe] = field(default_factory=dict)

    def values(self, signals: Signals) -> dict[str, float]:
        """The signals plus the probes' scores; a silent probe reads as its mean (a neutral input)."""
        out = dict(signals.values)
        for name, probe in self.probes.items():
            score = probe.score(signals.embedding, signals.embedding_model)
            out[name] = self.mean.get(name, 0.0) if score is None else score
        return out

    def scaled(self, values: Mapping[str, float]) -> dict[str, float]:
        return {f: (values[f] - self.mean[f]) / self.scale[f] for f in self.mean if f in values}

    def probabilities(self, signals: Signals) -> tuple[float, float]:
        """(P(on topic), P(direct))."""
        return self.probabilities_of(self.values(signals))

    def probabilities_of(self, values: Mapping[str, float]) -> tuple[float, float]:
        z = self.scaled(values)
        return self.on_topic.probability(z), self.direct.probability(z)

    def level(self, p_on: float, p_direct: float) -> str:
        if p_on < self.on_topic_threshold:
            return "none"
        return "direct" if p_direct >= self.direct_threshold else "related"

    def decide(self, signals: Signals) -> tuple[str, str]:
        """The support level and a note with the two probabilities."""
        p_on, p_direct = self.probabilities(signals)
        return self.level(p_on, p_direct), f"p_on={p_on:.2f} p_direct={p_direct:.2f} {signals.note()}"

    def to_dict(self) -> dict:
        return {"mean": self.mean, "scale": self.scale, "on_topic": self.on_topic.to_dict(),
                "direct": self.direct.to_dict(),
                "thresholds": {"on_topic": self.on_topic_threshold, "direct": self.direct_threshold},
                "probes": {k: p.to_dict() for k, p in self.probes.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> SupportModel:
        return cls(dict(d["mean"]), dict(d["scale"]), Logistic.from_dict(d["on_topic"]),
                   Logistic.from_dict(d["direct"]), float(d["thresholds"]["on_topic"]),
                   float(d["thresholds"]["direct"]),
                   {k: Probe.from_dict(p) for k, p in d.get("probes", {}).items()})

    @classmethod
    def neutral(cls) -> SupportModel:
        """Answers everything directly; only for collecting signals before the first calibration."""
        flat = Logistic((), 0.0, ())
        return cls({}, {}, flat, flat, 0.0, 0.0)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SupportModel:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
