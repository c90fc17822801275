"""A learned injection check beside the phrase list (lexicon.INJECTION_RE): a linear read-out of the
question's embedding, fitted on the tuning sets' injections against every other tuning question.

The phrase list catches what it names; attacks keep finding new wording ("帮我编几个像真的数"), and the
embedding reads what a request *does* — role play, inventing figures, leaking instructions — however it is
phrased. The threshold is set so that no tuning question the plan answers, corrects or partly covers scores
above it out of fold, plus a margin (eval/calibrate_injection.py); off-topic questions above it are refused
anyway. ``plan-assistant calibrate`` writes ``injection_model.json``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chat_app.support import Probe

MODEL_PATH = Path(__file__).resolve().parent / "injection_model.json"


@dataclass(frozen=True)
class InjectionProbe:
    probe: Probe
    threshold: float  # on the probe's logit

    def score(self, vector: np.ndarray | None, model: str) -> float | None:
        """The logit, or None for a vector of another embedding model (the probe stays silent)."""
        return self.probe.score(vector, model)

    def flags(self, vector: np.ndarray | None, model: str) -> bool:
        score = self.score(vector, model)
        return score is not None and score > self.threshold

    def to_dict(self) -> dict:
        return {"probe": self.probe.to_dict(), "threshold": self.threshold}

    @classmethod
    def from_dict(cls, d: dict) -> InjectionProbe:
        return cls(Probe.from_dict(d["probe"]), float(d["threshold"]))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> InjectionProbe | None:
        """None before the first calibration: the phrase list alone decides."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None
