"""The calibrated support decision: two logistic regressions on the generic signals.

``on_topic`` says whether the plan covers what the question is about (direct or related vs none);
``direct`` whether the evidence states what was asked (direct vs related or none). Their weights,
the feature scaling and the two probability thresholds live in ``support_model.json``, written by
``plan-assistant calibrate`` from the tuning sets (eval/calibrate.py documents how thresholds are
chosen). Nothing here is hand-set: change the data file by re-running that command.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from chat_app.signals import Signals

MODEL_PATH = Path(__file__).resolve().parent / "support_model.json"


@dataclass(frozen=True)
class Logistic:
    features: tuple[str, ...]  # chosen by forward selection on leave-one-set-out AUC (eval/calibrate.py)
    bias: float
    weights: tuple[float, ...]

    def probability(self, z: dict[str, float]) -> float:
        """P(positive) from standardised feature values."""
        score = self.bias + sum(w * z[f] for f, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, score))))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "bias": self.bias, "weights": list(self.weights)}

    @classmethod
    def from_dict(cls, d: dict) -> Logistic:
        return cls(tuple(d["features"]), float(d["bias"]), tuple(float(w) for w in d["weights"]))


@dataclass(frozen=True)
class SupportModel:
    mean: dict[str, float]
    scale: dict[str, float]
    on_topic: Logistic
    direct: Logistic
    on_topic_threshold: float
    direct_threshold: float

    def scaled(self, values: dict[str, float]) -> dict[str, float]:
        return {f: (values[f] - self.mean[f]) / self.scale[f] for f in self.mean}

    def probabilities(self, signals: Signals) -> tuple[float, float]:
        """(P(on topic), P(direct))."""
        z = self.scaled(signals.values)
        return self.on_topic.probability(z), self.direct.probability(z)

    def decide(self, signals: Signals) -> tuple[str, str]:
        """The support level and a note with the two probabilities."""
        p_on, p_direct = self.probabilities(signals)
        note = f"p_on={p_on:.2f} p_direct={p_direct:.2f} {signals.note()}"
        if p_on < self.on_topic_threshold:
            return "none", note
        if p_direct >= self.direct_threshold:
            return "direct", note
        return "related", note

    def to_dict(self) -> dict:
        return {"mean": self.mean, "scale": self.scale, "on_topic": self.on_topic.to_dict(),
                "direct": self.direct.to_dict(),
                "thresholds": {"on_topic": self.on_topic_threshold, "direct": self.direct_threshold}}

    @classmethod
    def from_dict(cls, d: dict) -> SupportModel:
        return cls(dict(d["mean"]), dict(d["scale"]), Logistic.from_dict(d["on_topic"]),
                   Logistic.from_dict(d["direct"]), float(d["thresholds"]["on_topic"]),
                   float(d["thresholds"]["direct"]))

    @classmethod
    def neutral(cls) -> SupportModel:
        """Answers everything directly; only for collecting signals before the first calibration."""
        flat = Logistic((), 0.0, ())
        return cls({}, {}, flat, flat, 0.0, 0.0)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SupportModel:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
