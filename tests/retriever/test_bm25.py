from retriever.bm25 import BM25Retriever
from retriever.text import Tokenizer, plan_vocabulary


def test_plan_vocabulary_keeps_slogans_whole(chunks):
    tok = Tokenizer(plan_vocabulary(chunks))
    assert "六强五新" in tok.tokens("“六强五新”产业格局有哪些")


def test_colloquial_words_expand_to_plan_terms(chunks):
    tok = Tokenizer(plan_vocabulary(chunks))
    assert "医疗" in tok.query_tokens("看病贵咋办")
    assert "医疗" not in tok.tokens("看病贵咋办")


def test_bm25_finds_box_item(chunks, retrievers):
    hits = retrievers.bm25.search("专栏3运输场站建设工程包括哪些", 3)
    assert hits[0].chunk.group == "运输场站建设工程"
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_empty_and_stopword_queries(chunks):
    bm = BM25Retriever(chunks[:50])
    assert bm.search("   ", 5) == []
    assert len(bm.search("的了吗", 5)) == 5  # all-zero scores still return a ranked list


def test_postings_scores_equal_rank_bm25(retrievers):
    """The vectorised scorer must give exactly rank_bm25's scores (it only replaces its loop)."""
    import numpy as np

    for r in (retrievers.bm25, retrievers.sentence, retrievers.chars):
        toks = r.tokenizer.query_tokens("娃上学的事规划咋说，农村初中要并到城里吗")
        assert np.allclose(r._unit_scores(toks), r.bm25.get_scores(toks))


def test_character_pairs_survive_a_misspelled_name(retrievers):
    from retriever.text import CharBigramTokenizer

    assert CharBigramTokenizer().tokens("伍姓湖，治理") == ["伍姓", "姓湖", "治理"]
    assert "规划" not in "".join(CharBigramTokenizer().query_tokens("规划里五姓湖咋治理"))
    hits = retrievers.chars.search("五姓湖咋治理", 5)  # the plan writes 伍姓湖
    assert any("伍姓湖" in h.chunk.text for h in hits[:3])
