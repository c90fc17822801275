from collections import Counter

import pytest

from corpus import PLAN_PATH
from eval.data import load_dialogues, load_questions, norm, relevant
from ingest.parse import body_lines, parse_file

BODY = norm("\n".join(body_lines(PLAN_PATH.read_text(encoding="utf-8"))))


@pytest.fixture(scope="module")
def headings():
    doc = parse_file(PLAN_PATH)
    return {(ch.title, s.title) for ch in doc.chapters for s in ch.sections}


def test_sizes_and_mix():
    qs = load_questions("all")
    assert len(qs) >= 200
    personas = Counter(q.persona for q in qs)
    assert personas["citizen"] >= 80 and personas["official"] >= 80
    types = Counter(q.type for q in qs)
    assert types["out_of_scope"] >= 10 and types["adversarial"] >= 10
    assert len(load_questions("dev")) >= 60
    assert len(load_dialogues()) >= 50


def test_key_facts_and_quotes_occur_in_the_plan():
    for q in load_questions("all"):
        for fact in q.key_facts:
            assert norm(fact) in BODY, (q.id, fact)
        if q.evidence:
            assert norm(q.evidence) in BODY, (q.id, q.evidence)


def test_gold_headings_exist(headings):
    for q in load_questions("all"):
        if q.chapter:
            assert (q.chapter, q.section) in headings, (q.id, q.chapter, q.section)
        for place in q.also:
            assert place in headings, (q.id, place)


def test_dialogue_gold(headings):
    for d in load_dialogues():
        assert 2 <= len(d["turns"]) <= 4
        for i, t in enumerate(d["turns"]):
            assert (t["rewrite"] is None) == (i == 0), d["id"]
            for fact in t["key_facts"]:
                assert norm(fact) in BODY, (d["id"], fact)
            if t.get("chapter"):
                assert (t["chapter"], t["section"]) in headings, d["id"]


def test_a_quoted_table_row_matches_its_rendered_row_only():
    rendered = "人均公园绿地面积（平方米）：2020年完成 12.5；2025年目标 14；属性 预期性"
    assert relevant("7\t人均公园绿地面积（平方米）\t12.5\t14\t—\t预期性", rendered)
    assert relevant("人均公园绿地面积（平方米）\t12.5\t14", rendered)
    assert not relevant("7\t人均公园绿地面积（平方米）\t12.5\t15\t—\t预期性", rendered)
    assert not relevant("8\t森林覆盖率（%）\t12.5\t14", rendered)
