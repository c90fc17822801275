"""/ui's source headers: short, with the 专栏/表 they come from, one per source."""
from chat_app.schema import Answer, Citation
from chat_app.ui import _source_messages, short_header


def test_short_header_joins_chapter_and_section_numbers():
    assert short_header("第九章 持续增进民生福祉", "第三节 办好人民满意教育") == "第九章·第三节 办好人民满意教育"
    assert short_header("第二章 构建新发展格局", "第二节 深度拓展投资空间", "专栏 3：交通项目") == \
        "第二章·第二节 深度拓展投资空间 · 专栏 3：交通项目"


def test_sources_of_one_section_are_merged_with_all_their_numbers():
    cites = (Citation(1, "a", "第九章 民生", "第三节 教育", "甲。"), Citation(2, "b", "第九章 民生", "第三节 教育", "乙。"),
             Citation(3, "c", "第七章 生态", "第二节 湖泊", "丙。"))
    msgs = _source_messages(Answer("问", "答[1][2][3]", "direct", "extractive", cites))
    assert [m["metadata"]["title"] for m in msgs] == ["出处 [1][2] 第九章·第三节 教育", "出处 [3] 第七章·第二节 湖泊"]
    assert msgs[0]["content"] == "甲。\n\n乙。"
