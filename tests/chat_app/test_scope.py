"""A question naming a chapter, section, 专栏 or 表 is answered from that place."""
from chat_app.scope import named_boxes, named_places


def test_chapter_and_section_references_are_read_in_chinese_or_arabic_numerals():
    assert named_places("第八章第四节对企业研发投入有什么要求") == [("第八章", "第四节")]
    assert named_places("第3章和第十章分别怎么说") == [("第三章", ""), ("第十章", "")]
    assert named_places("第四节说了什么") == []  # a section alone names no place


def test_boxes_and_tables_are_read_by_number():
    assert named_boxes("专栏 12 和表1里各有什么") == ["专栏 12", "表 1"]
    assert named_boxes("表1.2的数字") == []  # a decimal is no table number


def test_the_answer_comes_from_the_named_section(assistant):
    a = assistant.ask("第九章第三节对公办幼儿园建设提出了什么目标？")
    assert a.citations and all(c.section.startswith("第三节") and c.chapter.startswith("第九章") for c in a.citations)
    assert "13所" in a.answer
