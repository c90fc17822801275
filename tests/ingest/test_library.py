"""The library registry: add (two-phase), re-add after a change, remove, and refusals that change nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus import BUNDLED_ID
from ingest.library import Library
from ingest.meta import guess_period, guess_region, short_name
from ingest.readers import DocumentError

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
NATIONAL_TXT = PLANS / "china-15th-fyp-2026-2030.txt"


def test_bundled_plan_is_always_first(tmp_path):
    docs = Library(tmp_path).documents()
    assert [d.id for d in docs] == [BUNDLED_ID]
    assert docs[0].builtin and docs[0].period == "2021-2025" and docs[0].chunks > 400


def test_add_then_docs_then_remove(tmp_path):
    lib = Library(tmp_path)
    prepared = lib.prepare(NATIONAL_TXT, doc_id="cn-15")
    assert prepared.status == "added"
    assert not (tmp_path / "library.json").exists(), "prepare writes nothing"
    lib.commit(prepared)
    docs = lib.documents()
    assert [d.id for d in docs] == [BUNDLED_ID, "cn-15"]
    cn = docs[1]
    assert (cn.region, cn.period, cn.chunks) == ("全国", "2026-2030", len(lib.chunks("cn-15")))
    assert all(c.id.startswith("cn-15:") and c.doc_id == "cn-15" for c in lib.chunks("cn-15"))
    assert set(cn.public()) == {"id", "title", "region", "period", "chunks", "sha256", "builtin"}
    assert lib.prepare(NATIONAL_TXT, doc_id="cn-15").status == "unchanged"
    lib.remove("cn-15")
    assert [d.id for d in lib.documents()] == [BUNDLED_ID]
    assert not (tmp_path / "docs" / "cn-15").exists()


def test_changed_file_is_an_update(tmp_path):
    lib = Library(tmp_path)
    f = tmp_path / "plan.txt"
    f.write_text(NATIONAL_TXT.read_text(encoding="utf-8"), encoding="utf-8")
    lib.commit(lib.prepare(f, doc_id="plan"))
    f.write_text(f.read_text(encoding="utf-8") + "\n全国人民共同努力，实现规划确定的目标任务。\n", encoding="utf-8")
    again = lib.prepare(f, doc_id="plan")
    assert again.status == "updated" and again.info.sha256 != lib.get("plan").sha256
    lib.commit(again)
    assert lib.get("plan").sha256 == again.info.sha256 and len(lib.added()) == 1


def test_not_a_plan_changes_nothing(tmp_path):
    lib = Library(tmp_path)
    lib.commit(lib.prepare(NATIONAL_TXT, doc_id="cn-15"))
    before = (tmp_path / "library.json").read_text(encoding="utf-8")
    f = tmp_path / "letter.txt"
    f.write_text("各位居民：\n本周六上午小区停水，请提前储水。\n物业服务中心\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="章节结构"):
        lib.prepare(f)
    assert (tmp_path / "library.json").read_text(encoding="utf-8") == before


@pytest.mark.parametrize("bad", ["Bad_ID", "x", BUNDLED_ID])
def test_bad_or_reserved_ids_are_refused(tmp_path, bad):
    with pytest.raises(DocumentError):
        Library(tmp_path).prepare(NATIONAL_TXT, doc_id=bad)


def test_bundled_plan_cannot_be_removed(tmp_path):
    with pytest.raises(DocumentError, match="不能删除"):
        Library(tmp_path).remove(BUNDLED_ID)


def test_unknown_id_names_the_known_ones(tmp_path):
    with pytest.raises(DocumentError, match=BUNDLED_ID):
        Library(tmp_path).remove("nope")


def test_damaged_registry_is_a_clear_error(tmp_path):
    (tmp_path / "library.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(DocumentError, match="无法读取"):
        Library(tmp_path).documents()


@pytest.mark.parametrize("title,region,period,short", [
    ("永济市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要", "永济市", "2021-2025", "十四五"),
    ("中华人民共和国国民经济和社会发展第十五个五年规划纲要", "全国", "2026-2030", "十五五"),
    ("某省国民经济和社会发展第十三个五年规划纲要", "某省", "2016-2020", "十三五"),
])
def test_metadata_from_the_title(title, region, period, short):
    from ingest.meta import plan_number

    assert (guess_region(title), guess_period(title), short_name(plan_number(title))) == (region, period, short)


def test_registry_is_plain_json(tmp_path):
    lib = Library(tmp_path)
    lib.commit(lib.prepare(NATIONAL_TXT, doc_id="cn-15", title="国家十五五规划纲要", region="全国"))
    rows = json.loads((tmp_path / "library.json").read_text(encoding="utf-8"))
    assert rows[0]["title"] == "国家十五五规划纲要" and rows[0]["source"] == NATIONAL_TXT.name
