from ingest.schema import Chunk, Hit
from retriever.base import Retriever, rrf
from retriever.lc import PlanRetriever


def _hits(ids):
    return [Hit(Chunk(i, "paragraph", "", "", i, order=n), 1.0, r) for n, (r, i) in enumerate(enumerate(ids, 1))]


def test_rrf_rewards_agreement():
    fused = rrf([_hits(["a", "b", "c"]), _hits(["b", "a", "d"])], k=4, c=5)
    assert [h.chunk.id for h in fused][:2] in (["a", "b"], ["b", "a"])
    assert {h.chunk.id for h in fused} == {"a", "b", "c", "d"}
    assert [h.rank for h in fused] == [1, 2, 3, 4]


def test_hybrid_beats_either_side_on_a_colloquial_and_an_exact_query(retrievers):
    assert isinstance(retrievers.hybrid, Retriever)
    top = retrievers.hybrid.search("娃上学的事规划咋说", 3)
    assert any(h.chunk.section == "第三节 办好人民满意教育" for h in top)
    top = retrievers.hybrid.search("常住人口城镇化率2025年目标", 3)
    assert any("59" in dict(h.chunk.fields).get("2025年目标", "") for h in top)


def test_langchain_retriever_interface(retrievers):
    lc = PlanRetriever(retriever=retrievers.hybrid, k=4)
    docs = lc.invoke("伍姓湖怎么治理")
    assert len(docs) == 4
    assert docs[0].metadata["chunk_id"] and docs[0].metadata["section"]
    assert docs[0].page_content
