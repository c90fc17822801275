import re

from corpus import PLAN_PATH
from retriever.colloquial import COLLOQUIAL
from retriever.text import Tokenizer


def test_every_colloquial_expansion_is_a_plan_term():
    """An expansion the plan never uses would only add noise to BM25 and the coverage guard."""
    plan = re.sub(r"\s+", "", PLAN_PATH.read_text(encoding="utf-8"))
    missing = [(k, v) for k, vals in COLLOQUIAL.items() for v in vals if v not in plan]
    assert missing == []
    assert all(k not in vals for k, vals in COLLOQUIAL.items())


def test_query_tokens_add_plan_terms_for_everyday_words():
    tok = Tokenizer()
    assert "教育" in tok.query_tokens("娃上学的事规划咋说")
    assert "森林" in tok.query_tokens("山上的林子能多多少")
    assert "教育" not in tok.tokens("娃上学的事规划咋说")  # documents are never expanded


def test_tokens_are_cached_but_callers_get_fresh_lists():
    tok = Tokenizer()
    first = tok.tokens("建设国家级旅游度假区")
    first.append("x")
    assert "x" not in tok.tokens("建设国家级旅游度假区")
