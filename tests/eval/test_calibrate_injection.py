"""The injection probe's fit: the threshold rule and the probe's silence for another embedding model."""
import numpy as np
import pytest

from eval.calibrate_injection import MARGIN, fit, out_of_fold


def _data(seed: int = 0):
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(90, 6))
    y = np.zeros(90, dtype=bool)
    y[:15] = True
    v[y, 0] += 3.0  # injections lean one way
    keep = ~y
    keep[80:] = False  # off-topic questions: not kept
    splits = np.array(["a", "b", "c"] * 30)
    return v / np.linalg.norm(v, axis=1, keepdims=True), y, keep, splits


def test_the_threshold_is_the_highest_kept_out_of_fold_score_plus_the_margin():
    v, y, keep, splits = _data()
    probe = fit(v, y, keep, splits, "m")
    assert probe.threshold == pytest.approx(out_of_fold(v, y, splits)[keep].max() + MARGIN)
    scores = np.array([probe.score(x, "m") for x in v])
    assert scores[y].mean() > scores[keep].mean()  # the probe learned the direction


def test_the_probe_is_silent_for_another_models_vectors():
    v, y, keep, splits = _data(1)
    probe = fit(v, y, keep, splits, "m")
    assert probe.score(v[0], "another-model") is None
    assert not probe.flags(v[0], "another-model")
    assert probe.flags(v[0] * 0 + v[y].mean(axis=0) * 50, "m")  # far along the learned direction
