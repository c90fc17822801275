"""Reading .txt/.docx/.pdf into the parser's text, on a second real plan (tests/fixtures/plans/SOURCE.md)
and on small files written for these tests; every bad file gets one Chinese DocumentError."""
from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parse import parse_text
from ingest.readers import DocumentError, read_document

PLANS = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
NATIONAL = PLANS / "china-15th-fyp-2026-2030"
# The national 15th plan as published (SOURCE.md): 18 篇, 62 章, 171 节, no 专栏 and no indicator table.
PARTS, CHAPTERS, SECTIONS = 18, 62, 171


def structure(text: str) -> tuple[int, int, int]:
    doc = parse_text(text)
    sections = sum(1 for ch in doc.chapters for s in ch.sections if s.title)
    return len(doc.parts()), len(doc.chapters), sections


@pytest.mark.parametrize("suffix", [".txt", ".docx", ".pdf"])
def test_national_plan_structure_in_every_format(suffix):
    text = read_document(NATIONAL.with_suffix(suffix))
    assert structure(text) == (PARTS, CHAPTERS, SECTIONS)
    doc = parse_text(text)
    assert doc.title == "中华人民共和国国民经济和社会发展第十五个五年规划纲要"
    assert doc.chapters[22].title == "第二十三章 高质量共建“一带一路”"  # quotes kept in place from the PDF
    assert doc.chapters[0].part == "第一篇 奋力开创中国式现代化建设新局面"


def test_a_part_introduction_is_cited_by_its_part():
    doc = parse_text(read_document(NATIONAL.with_suffix(".txt")))
    intro = doc.part_intros["第二篇 建设现代化产业体系 巩固壮大实体经济根基"]
    assert len(intro) == 1 and intro[0].chapter == intro[0].part and intro[0].text.startswith("坚持把发展经济的着力点")


def test_contents_list_without_page_numbers_is_not_body():
    doc = parse_text(read_document(NATIONAL.with_suffix(".txt")))
    first = [s.title for s in doc.chapters[0].sections if s.title]
    assert first and first[0].startswith("第一节"), "the body's first chapter has its sections"
    assert len({ch.title for ch in doc.chapters}) == CHAPTERS


def test_gb18030_text_is_read(tmp_path):
    plan = "某县国民经济和社会发展第十五个五年规划纲要\n第一章 总体要求\n第一节 发展目标\n到2030年，全县粮食产量稳定在10万吨。\n"
    f = tmp_path / "gbk.txt"
    f.write_bytes(plan.encode("gb18030"))
    assert "全县粮食产量" in read_document(f)


def test_docx_table_becomes_tab_separated_rows(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("测试县国民经济和社会发展第十五个五年规划纲要")
    d.add_heading("第一章 主要目标", level=1)
    d.add_paragraph("专栏1 主要指标")
    table = d.add_table(rows=3, cols=4)
    for r, row in enumerate([["指标", "2025年", "2030年", "属性"], ["粮食产量（万吨）", "10", "12", "约束性"],
                             ["森林覆盖率（%）", "20", "22", "约束性"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("全县上下要共同努力。")
    f = tmp_path / "table.docx"
    d.save(str(f))
    doc = parse_text(read_document(f))
    rows = [b for b in doc.blocks() if b.kind == "table_row"]
    assert [dict(b.fields)["指标"] for b in rows] == ["粮食产量（万吨）", "森林覆盖率（%）"]
    assert dict(rows[0].fields)["2030年"] == "12"


@pytest.mark.parametrize("name,content,message", [
    ("empty.txt", b"", "空"),
    ("utf16.txt", "第一章 总体要求".encode("utf-16"), "编码"),
    ("latin.txt", bytes(range(128, 256)) * 20, "编码"),
    ("notes.md", "第一章".encode(), "不支持的文件类型"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "Word"),
    ("broken.pdf", b"%PDF-1.4 nothing else", "PDF"),
])
def test_bad_files_get_one_chinese_error(tmp_path, name, content, message):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(DocumentError) as err:
        read_document(f)
    assert message in str(err.value)


def test_encrypted_pdf_is_named_as_such(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.add_page(PdfReader(str(NATIONAL.with_suffix(".pdf"))).pages[0])
    writer.encrypt("secret")
    f = tmp_path / "locked.pdf"
    writer.write(str(f))
    with pytest.raises(DocumentError, match="已加密"):
        read_document(f)


def test_empty_docx_is_refused(tmp_path):
    import docx

    f = tmp_path / "empty.docx"
    docx.Document().save(str(f))
    with pytest.raises(DocumentError, match="没有文字"):
        read_document(f)
