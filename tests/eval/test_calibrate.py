"""The calibration maths on synthetic data, where the right answer is known."""
import numpy as np

from chat_app.signals import FEATURES
from eval.calibrate import Row, auc, fit, fit_logistic, rates, decisions, select_features


def test_auc_counts_pairs_and_ties():
    assert auc(np.array([0.9, 0.8, 0.1]), np.array([True, True, False])) == 1.0
    assert auc(np.array([0.5, 0.5]), np.array([True, False])) == 0.5


def test_logistic_regression_finds_the_informative_direction():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(400, 2))
    y = (z[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(float)
    bias, w = fit_logistic(z, y)
    assert w[0] > 2 and abs(w[1]) < 0.5 * w[0]


def test_forward_selection_keeps_signal_and_drops_noise():
    rng = np.random.default_rng(1)
    n = 300
    x = rng.normal(size=(n, len(FEATURES)))
    y = (x[:, 3] > 0).astype(float)
    splits = np.array(["a", "b", "c"] * (n // 3))
    assert select_features(x, y, splits)[0] == 3


def _rows(rng, n=120):
    rows = []
    for i in range(n):
        label = i % 3  # 0 none, 1 related, 2 direct
        x = rng.normal(size=len(FEATURES)) * 0.3
        x[FEATURES.index("coverage")] += label  # on topic: related and direct
        x[FEATURES.index("detail_missing")] += 2.0 if label == 1 else 0.0
        rows.append(Row(("dev", "dev2", "dev3")[(i // 3) % 3], f"q{i}", label, x))
    return rows


def test_fit_separates_three_levels_and_respects_the_answerable_bound():
    rows = _rows(np.random.default_rng(2))
    model = fit(rows)
    r = rates(rows, decisions(model, rows))
    assert r["answerable_none"] <= 0.03 and r["answerable_direct"] > 0.8
    assert r["off_topic_none"] > 0.8 and r["out_of_scope_direct"] <= 0.15

