"""eval/parity_pg.py's comparison: every number but the timings, and a number on one side only fails."""
from eval.parity_pg import compare, flatten, report

EMBEDDED = {"retrieval": {"test": {"hybrid": {"R@5": 0.959, "MRR": 0.862, "p50_ms": 15.8, "n": 122}}},
            "answers": {"test": {"key_fact_accuracy": 0.811, "ask_p95_ms": 46.7}}}


def _pg(**changes) -> dict:
    out = flatten(EMBEDDED)
    out.update(changes)
    return out


def test_timings_are_not_compared_and_equal_numbers_pass(capsys):
    pg = _pg(**{"retrieval/test/hybrid/p50_ms": 900.0, "answers/test/ask_p95_ms": 1.0})
    worst, missing = compare(flatten(EMBEDDED), pg)
    assert set(worst) == {"R@5", "MRR", "n", "key_fact_accuracy"} and missing == []
    assert report(flatten(EMBEDDED), pg, 0.005) is True
    assert "0 of 4 numbers differ" in capsys.readouterr().out


def test_a_difference_beyond_the_tolerance_fails_and_is_shown(capsys):
    pg = _pg(**{"answers/test/key_fact_accuracy": 0.80})
    worst, _ = compare(flatten(EMBEDDED), pg)
    assert worst["key_fact_accuracy"] == (abs(0.811 - 0.80), "answers/test/key_fact_accuracy")
    assert report(flatten(EMBEDDED), pg, 0.005) is False
    assert "answers/test/key_fact_accuracy: embedded 0.811, PostgreSQL 0.8" in capsys.readouterr().out
    assert report(flatten(EMBEDDED), _pg(**{"answers/test/key_fact_accuracy": 0.814}), 0.005) is True


def test_a_number_on_one_side_only_fails():
    pg = _pg()
    del pg["retrieval/test/hybrid/MRR"]
    assert compare(flatten(EMBEDDED), pg)[1] == ["retrieval/test/hybrid/MRR"]
    assert report(flatten(EMBEDDED), pg, 0.005) is False
