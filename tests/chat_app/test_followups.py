"""Follow-up rewriting: chains of short follow-ups lean on the first question, never nest."""
from chat_app.followups import resolve, root


def turn(standalone: str, cited=("c1",)) -> dict:
    return {"question": standalone, "standalone": standalone, "answer": "", "cited": list(cited)}


def test_a_chain_of_carried_follow_ups_does_not_nest():
    first = "体育中心要建哪几个场馆"
    second = resolve("具体在哪建？", [turn(first)]).standalone
    assert second == f"具体在哪建（{first}）"
    third = resolve("啥时候建成？", [turn(first), turn(second)]).standalone
    assert third == f"啥时候建成（{first}）"
    assert root(third) == first


def test_more_repeats_the_previous_standalone_as_it_was():
    carried = "具体有哪些项目（开发区要建哪些园区）"
    r = resolve("还有其他的呢", [turn(carried, ("c9",))])
    assert r.standalone == carried and r.exclude == frozenset({"c9"})


def test_a_plan_term_in_parentheses_is_not_taken_for_a_carried_question():
    q = "新（改、扩）建公办幼儿园多少所"
    assert root(q) == q
    assert root("常住人口城镇化率（%）") == "常住人口城镇化率（%）"


def test_a_long_follow_up_naming_no_topic_leans_on_the_previous_question():
    first = "城镇居民人均可支配收入2020年是多少"
    asked = "往后这几年每年打算增长多少？"
    assert resolve(asked, [turn(first)], topical=lambda q: False).standalone == f"往后这几年每年打算增长多少（{first}）"
    assert resolve(asked, [turn(first)], topical=lambda q: True).standalone == asked


def test_the_plan_decides_what_names_a_topic(assistant):
    doc = assistant.default
    assert not doc.topical("往后这几年每年打算增长多少？")  # time words and verbs only
    assert not doc.topical("2021年完成值是多少？")
    assert doc.topical("新建幼儿园有几所？") and doc.topical("“三无”是哪三个？")


def test_a_sibling_is_swapped_in_but_a_shared_question_word_is_not():
    from chat_app.followups import substitute

    assert substitute("蒲州镇", "卿头镇以后要发展成个啥样") == "蒲州镇以后要发展成个啥样"
    assert substitute("以后每年能涨多少", "城里人一年人均挣多少") is None


def test_那边_points_at_a_place_it_is_not_the_opening_那():
    r = resolve("那边还办啥活动不？", [turn("伍姓湖以后水面有多大")])
    assert r.standalone.startswith("那边还办啥活动不（")


def test_an_everyday_question_after_a_plan_question_is_not_carried():
    r = resolve("明天那边会下雨吗？", [turn("鹳雀楼景区有哪些提升项目")], topical=lambda q: False)
    assert r.standalone == "明天那边会下雨吗？"


def test_the_colloquial_urban_side_of_a_rural_question_is_swapped_in():
    r = resolve("那城里的呢？", [turn("农村人今年平均收入涨了多少")])
    assert r.standalone == "城里人今年平均收入涨了多少"


PLAN_WORDS = "蒲州镇 栲栳镇 张营镇 北部物流园"


def known(word: str) -> bool:
    return word in PLAN_WORDS


def test_a_bare_town_name_is_swapped_for_its_sibling_everywhere_in_the_question():
    first = "我住张营镇，张营往后主要搞啥产业"
    r = resolve("那栲栳呢？", [turn(first)], known=known)
    assert r.standalone == "我住栲栳镇，栲栳往后主要搞啥产业"
    # a name the plan does not write as a 镇 is not completed into one
    assert resolve("那永乐呢？", [turn(first)], known=known).standalone.startswith("永乐（")


def test_another_compass_part_asks_the_same_of_it():
    r = resolve("南边呢", [turn("城区东部要打造什么功能区")])
    assert r.standalone == "城区南部要打造什么功能区"
    assert resolve("东面呢", [turn("城区东部要打造什么功能区")]).standalone.startswith("东面（")
    assert resolve("南边呢", [turn("城东那片要建啥")]).standalone == "城南那片要建啥"  # 城 + compass


def test_a_change_of_subject_drops_the_marker_and_the_previous_question():
    r = resolve("换个话题，全市要建几个污水处理厂？", [turn("五老峰景区要建哪些项目")])
    assert r.standalone == "全市要建几个污水处理厂？" and not r.carried
    assert resolve("顺便问一下，城区绿地率多少", []).standalone == "城区绿地率多少"


def test_a_pointing_word_leans_on_the_previous_question_however_long():
    first = "蒲州古城保护要做哪些工程"
    r = resolve("这些工程打算什么时候开工建设完成？", [turn(first)])
    assert r.carried and r.standalone.endswith(f"（{first}）")


def test_a_quoted_period_is_a_when_not_a_topic(assistant):
    doc = assistant.default
    assert not doc.topical("“十三五”期间一共建了多少个？")
    assert doc.topical("“三无”单位建了多少个？")


def test_a_quoted_section_question_points_at_its_own_section():
    asked = "规划中“加快发展现代服务业”这一节讲了什么？"
    assert resolve(asked, [turn("明天会下雨吗？")]).standalone == asked


def test_another_line_of_the_same_box_is_swapped_in():
    lines = {"新业态": frozenset({"新装备", "新基建"}), "新装备": frozenset({"新业态", "新基建"})}
    r = resolve("那新业态呢？", [turn("专栏12里新装备这一类都有啥项目")], siblings=lambda n: lines.get(n, frozenset()))
    assert r.standalone == "专栏12里新业态这一类都有啥项目"
    r = resolve("新技术呢？", [turn("专栏12里新装备这一类都有啥项目")], siblings=lambda n: lines.get(n, frozenset()))
    assert r.standalone != "专栏12里新技术这一类都有啥项目"  # not a line the plan puts beside it


def test_the_plans_box_lines_are_siblings(assistant):
    assert "新装备" in assistant.default.siblings("新业态")
    assert assistant.default.siblings("不存在的一行") == frozenset()
    r = assistant.ask("专栏4里机电制造产业有哪些项目？")
    follow = assistant.ask("那化工装备制造产业呢", r.session_id)
    assert "丰喜化机项目" in follow.answer


def test_a_follow_up_asking_its_own_question_of_a_new_name_changes_the_subject():
    first = "高标准农田十四五建多少亩"
    prev = {"question": first, "standalone": first, "answer": "“十四五”时期建设高标准农田 32 万亩。", "cited": []}
    topics = {"体育中心建在哪": {"体育中心"}, "大棚": {"大棚"}, "第一个是什么": {"第一个"}}.get  # by the core asked
    assert resolve("那体育中心建在哪", [prev], topics=lambda q: topics(q, set())).standalone == "体育中心建在哪"
    # a bare name asks nothing of its own, a two-character word is as often an aspect, an ordinal a position
    assert resolve("那大棚呢", [prev], topics=lambda q: topics(q, set())).carried
    assert resolve("第一个是什么", [prev], topics=lambda q: topics(q, set())).carried
    # a name the previous answer already gave is the same subject
    said = resolve("那高标准农田在哪建", [prev], topics=lambda q: {"高标准农田"})
    assert said.carried


def test_a_yes_no_tail_asks_of_a_new_name_too():
    prev = {"question": "公园要建几个", "standalone": "公园要建几个", "answer": "新建公园 5 个。", "cited": []}
    r = resolve("那体育中心要扩建不", [prev], topics=lambda q: {"体育中心"})
    assert r.standalone == "体育中心要扩建不" and not r.carried


def test_a_name_the_tokenizer_cuts_in_two_still_switches_the_subject(assistant):
    first = assistant.ask("伍姓湖以后水面有多大")
    then = assistant.ask("那黄河大道要拓宽不", first.session_id)
    assert "（" not in then.standalone  # 黄河 + 大道: the plan writes 黄河大道 whole, a subject of its own
    assert "黄河大道" in then.answer
