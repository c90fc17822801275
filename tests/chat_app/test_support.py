"""The support model: its data file, its three outcomes, its probabilities."""
import pytest

from chat_app.signals import FEATURES, Signals
from chat_app.support import Logistic, SupportModel


def _model() -> SupportModel:
    scale = {f: 1.0 for f in FEATURES}
    mean = {f: 0.0 for f in FEATURES}
    on = Logistic(("coverage",), 0.0, (4.0,))
    direct = Logistic(("detail_missing",), 2.0, (-6.0,))
    return SupportModel(mean, scale, on, direct, 0.5, 0.5)


def _signals(**values) -> Signals:
    return Signals({f: values.get(f, 0.0) for f in FEATURES}, "")


def test_three_outcomes():
    m = _model()
    assert m.decide(_signals(coverage=1.0))[0] == "direct"
    assert m.decide(_signals(coverage=1.0, detail_missing=1.0))[0] == "related"
    assert m.decide(_signals(coverage=-1.0))[0] == "none"
    assert m.decide(_signals(coverage=-1.0))[1].startswith("p_on=0.02")


def test_round_trip_through_the_data_file_format():
    m = _model()
    assert SupportModel.from_dict(m.to_dict()) == m


def test_the_shipped_model_uses_known_features_and_sane_thresholds():
    m = SupportModel.load()
    for part in (m.on_topic, m.direct):
        assert part.features and set(part.features) <= set(FEATURES)
        assert len(part.weights) == len(part.features)
    assert 0.0 < m.on_topic_threshold < 1.0 and 0.0 < m.direct_threshold < 1.0


def test_extreme_scores_do_not_overflow():
    part = Logistic(("coverage",), 0.0, (1.0,))
    assert part.probability({"coverage": 1e6}) == pytest.approx(1.0)
    assert part.probability({"coverage": -1e6}) == pytest.approx(0.0)
