"""The support model: its data file, its three outcomes, its probabilities."""
import numpy as np
import pytest

from chat_app.signals import FEATURES, Signals
from chat_app.support import MODEL_FEATURES, PROBES, Logistic, Probe, SupportModel


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
        assert part.features and set(part.features) <= set(MODEL_FEATURES)
        assert len(part.weights) == len(part.features)
    assert 0.0 < m.on_topic_threshold < 1.0 and 0.0 < m.direct_threshold < 1.0


def test_extreme_scores_do_not_overflow():
    part = Logistic(("coverage",), 0.0, (1.0,))
    assert part.probability({"coverage": 1e6}) == pytest.approx(1.0)
    assert part.probability({"coverage": -1e6}) == pytest.approx(0.0)


def _probed(vector_model: str) -> tuple[SupportModel, Signals]:
    probe = Probe("e5-test", 0.5, np.array([2.0, 0.0, 0.0], dtype=np.float32))
    mean = {f: 0.0 for f in FEATURES} | {"probe_on": -3.0}
    m = SupportModel(mean, {f: 1.0 for f in mean}, Logistic(("probe_on",), 0.0, (1.0,)),
                     Logistic(("coverage",), 0.0, (1.0,)), 0.5, 0.5, {"probe_on": probe})
    return m, Signals({f: 0.0 for f in FEATURES}, "", np.array([1.0, 0.0, 0.0], dtype=np.float32), vector_model)


def test_a_probe_reads_its_own_models_vectors_only():
    m, signals = _probed("e5-test")
    assert m.values(signals)["probe_on"] == pytest.approx(2.5)
    m, other = _probed("minilm")  # another embedding model: the probe is silent, its input neutral
    assert m.values(other)["probe_on"] == -3.0
    assert SupportModel.from_dict(m.to_dict()).values(signals)["probe_on"] == pytest.approx(2.5)


def test_the_shipped_probes_match_the_default_embedding():
    from chat_app.config import Settings
    from retriever.embeddings import make_embeddings

    m = SupportModel.load()
    model_id = make_embeddings(Settings().embedding).model_id
    assert set(m.probes) == set(PROBES)
    for probe in m.probes.values():
        assert probe.embedding_model == model_id and probe.weights.shape == (384,)


def test_answer_hits_hold_at_most_two_table_rows_and_keep_a_single_retrievers_ranking(assistant):
    from chat_app.query import understand
    from chat_app.signals import MAX_TABLE_ROWS, gather, varied

    rs = assistant.retrievers
    q = understand("GDP占比这些指标到2025年是多少", "GDP占比这些指标到2025年是多少", rs.bm25)
    hybrid = gather(rs, "hybrid", q)
    assert sum(h.chunk.kind == "table_row" for h in hybrid.hits) > MAX_TABLE_ROWS  # the crowding this undoes
    hits = varied(rs, "hybrid", hybrid, frozenset())
    rows = sum(h.chunk.kind == "table_row" for h in hits)
    assert len(hits) == len(hybrid.hits)  # rows make up for body passages the ranking lacks
    assert rows < sum(h.chunk.kind == "table_row" for h in hybrid.hits)
    assert [h.chunk.id for h in hits if h.chunk.kind != "table_row"][:1]  # a body passage got in
    bm25 = gather(rs, "bm25", q)
    assert varied(rs, "bm25", bm25, frozenset()) == list(bm25.hits)
