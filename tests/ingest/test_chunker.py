from collections import Counter

from corpus import CHUNKS_PATH
from ingest.chunker import split_budget
from ingest.store import build_chunks, dumps
from ingest.tokens import count_tokens


def test_chunks_jsonl_in_sync_with_parser():
    assert CHUNKS_PATH.read_text(encoding="utf-8") == dumps(build_chunks()), \
        "corpus/chunks.jsonl is stale: run `plan-assistant ingest --chunks-only`"


def test_ids_unique_and_every_chunk_located(chunks):
    assert len({c.id for c in chunks}) == len(chunks)
    for c in chunks[1:]:
        assert c.chapter.startswith("第") and c.kind in ("paragraph", "table_row", "box_item")


def test_token_budget(chunks):
    assert max(count_tokens(c.text) for c in chunks if c.kind != "table_row") <= 320


def test_kinds_present(chunks):
    kinds = Counter(c.kind for c in chunks)
    assert kinds["table_row"] >= 70 and kinds["box_item"] >= 60 and kinds["paragraph"] > 200


def test_split_budget_cuts_at_sentence_end():
    text = "第一句话很长很长很长。" * 40
    parts = split_budget(text, 60)
    assert len(parts) > 1 and "".join(parts) == text
    assert all(p.endswith("。") for p in parts)


def test_continuations_keep_their_lead(chunks):
    by_id = {c.id: c for c in chunks}
    parts = [c for c in chunks if c.id.endswith(".2")]
    assert parts
    for c in parts:
        first = by_id[c.id[:-2] + ".1"]
        assert (c.group, c.title) == (first.group, first.title)
        if c.kind == "box_item":
            assert c.title.startswith("专栏")
