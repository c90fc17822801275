import re

import pytest

from corpus import PLAN_PATH
from ingest.parse import parse_file, parse_text


@pytest.fixture(scope="module")
def doc():
    return parse_file(PLAN_PATH)


def test_ten_chapters_and_fifty_body_sections(doc):
    assert len(doc.chapters) == 10
    sections = [s.title for ch in doc.chapters for s in ch.sections if s.title]
    assert len(sections) == 50
    assert all(re.match(r"^第[一二三四五六七八九十]+节 \S", s) for s in sections)


def test_body_headings_not_toc(doc):
    eighth = [s.title for s in doc.chapters[7].sections]
    assert "第五节 创新人才智力支撑" in eighth  # the TOC calls it 全面落实“运才兴运”
    assert "第三节 办好人民满意教育" in [s.title for s in doc.chapters[8].sections]


def test_no_toc_line_is_a_block(doc):
    for b in doc.blocks():
        assert "....." not in b.text and "目 录" not in b.text


def test_tables_and_boxes_found(doc):
    assert any(t.startswith("表 1") for t in doc.tables())
    numbers = sorted(int(re.search(r"\d+", b).group()) for b in doc.boxes())
    assert numbers == list(range(2, 15))


def test_page_break_sentences_are_joined(doc):
    texts = [b.text for b in doc.blocks()]
    assert any("坚定不移将转型综改进行到底" in t for t in texts)
    assert any("积极推广社会治理“五四”工作机制" in t for t in texts)
    assert any("构建晋南育繁推一体化的现代生态草种产业体系" in t for t in texts)


def test_bold_marks_removed_wording_kept(doc):
    texts = [b.text for b in doc.blocks()]
    assert not any("**" in t for t in texts)
    assert "专栏 14：“三无”单位创建工程" in doc.boxes()


def test_table_rows_carry_column_meaning(doc):
    rows = [b for b in doc.blocks() if b.kind == "table_row" and "常住人口城镇化率" in b.text]
    target = next(r for r in rows if r.title.startswith("专栏 2"))
    assert dict(target.fields)["2025年目标"] == "59"
    assert target.group.startswith("一、经济发展")
    first = next(r for r in rows if r.title.startswith("表 1"))
    assert dict(first.fields)["2015年"] == "48.9"


def test_box_items_are_item_level_with_title(doc):
    items = [b for b in doc.blocks() if b.kind == "box_item" and b.title.startswith("专栏 3")]
    assert [i.group for i in items] == ["公路建设项目", "四好农村路建设工程", "运输场站建设工程"]
    # the paragraph after the box is body text, not a box item
    after = [b for b in doc.blocks() if b.text.startswith("聚焦重点领域扩大投资")]
    assert after and after[0].kind == "paragraph"


def test_parser_is_tolerant_of_minimal_text():
    doc = parse_text("第一章 总则\n\n第一节 目标\n\n这是第一句，被分\n\n页打断了。\n")
    assert doc.blocks()[0].text == "这是第一句，被分页打断了。"
