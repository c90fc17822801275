"""A section named by its heading and asked what it holds is answered with its paragraph headings."""


def test_a_section_named_by_its_heading_lists_its_paragraph_headings(assistant):
    a = assistant.ask("加强伍姓湖修复治理有哪些重点任务？")
    assert a.answer.startswith("规划在“加强伍姓湖修复治理”中提出：")
    for heading in ("加强水安全保障", "强化水生态稳定", "加强水文化传承"):
        assert heading in a.answer


def test_naming_something_inside_the_section_asks_about_that_thing(assistant):
    overview = assistant.default.overview
    assert overview.named("促进高质量充分就业方面，灵活就业有哪些支持？") is None
    assert overview.named("促进高质量充分就业要新增多少就业岗位？") is None  # a figure, not the contents
    assert overview.named("促进高质量充分就业有哪些举措？") == "促进高质量充分就业"


def test_a_quoted_section_asked_what_it_says_gets_its_opening(assistant):
    a = assistant.ask("规划中“发展回顾”这一节讲了什么？")
    assert a.answer.startswith("第一节 发展回顾主要讲：")


def test_a_heading_without_its_opening_verb_or_repeated_in_the_ask_still_names_the_section(assistant):
    overview = assistant.default.overview
    assert overview.named("四大特色精深加工集群指的是哪些？") == "打造四大特色精深加工集群"
    assert overview.named("加强伍姓湖修复治理一节涵盖哪些治理任务？") == "加强伍姓湖修复治理"
    assert overview.named("四大特色精深加工集群的面粉企业有哪些？") is None  # something inside it
