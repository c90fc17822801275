"""A question about a whole area gets, after its best sentences, the other headings of the section."""
from chat_app.outline import appended, general_ask
from chat_app.schema import Answer, Citation
from ingest.schema import Chunk


def test_how_and_what_about_an_area_is_general_but_a_figure_date_or_box_is_not():
    assert general_ask("电商这块以后咋弄？")
    assert general_ask("规划如何推进城乡融合？")
    assert not general_ask("电商交易额要做到多少？")
    assert not general_ask("专栏5里的工程咋安排的？")
    assert not general_ask("新医院2024年建成后咋安排？")
    assert not general_ask("要建哪几个产业园？")  # a kind of item is asked: the list answers it
    assert not general_ask("南风百货在哪？")
    assert general_ask("社区治理有哪些要求？")  # a plural question word on a generic noun
    assert not general_ask("乡村振兴有哪些重点项目？")  # projects: the 专栏 lists them


def test_a_box_answer_is_followed_by_the_policy_headings_of_its_section(assistant):
    a = assistant.ask("历史文物这块咋保护？")
    head, outline = a.answer.split("一节还提出：")
    assert a.citations[0].title.startswith("专栏")
    assert "加强文物和非物质文化遗产保护传承" in outline


def test_section_headings_follow_the_answer_with_citations_numbered_on(assistant):
    a = assistant.ask("教育这块以后咋弄？")
    assert "一节还提出：" in a.answer
    head, outline = a.answer.split("一节还提出：")
    assert "加快发展现代职业教育" in outline and "加快发展现代职业教育" not in head
    numbers = [c.n for c in a.citations]
    assert numbers == list(range(1, len(numbers) + 1))


def test_a_figure_question_gets_no_outline(assistant):
    assert "一节还提出" not in assistant.ask("现代服务业增加值要达到多少？").answer


def test_appended_reuses_a_cited_chunks_number():
    chunk = Chunk(id="c1", text="发展物流。物流很重要。", chapter="第一章", section="第一节 甲", kind="paragraph")
    other = Chunk(id="c2", text="发展电商。", chapter="第一章", section="第一节 甲", kind="paragraph")
    base = Answer("问", "物流很重要。[1]", "direct", "extractive", (Citation.of(1, chunk),))
    out = appended(base, [("发展物流", chunk), ("发展电商", other)], "还提出：")
    assert out.answer.endswith("还提出：发展物流[1]；发展电商[2]。")
    assert [c.chunk_id for c in out.citations] == ["c1", "c2"]


def test_a_carried_follow_up_gets_the_outline_but_more_of_the_same_does_not(assistant):
    first = assistant.ask("水质往后能好到啥程度？")
    carried = assistant.ask("那大气污染又咋治？", first.session_id)
    assert "一节还提出：" in carried.answer and "持续改善大气环境质量" in carried.answer
    more = assistant.ask("另外还有吗", carried.session_id)
    assert "一节还提出" not in more.answer
