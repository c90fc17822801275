"""One clause asking about two things: each conjunct becomes its own question (general grammar)."""
from chat_app.coordination import coordinated


def test_distributive_marker_asks_the_predicate_of_each_conjunct():
    assert coordinated("城区和农村的幼儿园分别新建几所？") == ["城区的幼儿园新建几所？", "农村的幼儿园新建几所？"]
    assert coordinated("图书馆与博物馆各自建在哪里") == ["图书馆建在哪里", "博物馆建在哪里"]


def test_words_around_the_coordination_are_kept_for_every_part():
    parts = coordinated("污水处理率在第七章与专栏2中分别是多少")
    assert parts == ["污水处理率在第七章中是多少", "污水处理率在专栏2中是多少"]
    assert coordinated("规划在东区和西区两部分分别对公园提出了什么要求") == [
        "规划在东区对公园提出了什么要求", "规划在西区对公园提出了什么要求"]


def test_alternative_and_double_predicates_are_split():
    assert coordinated("老城墙以后是拆掉还是修起来？") == ["老城墙以后拆掉？", "老城墙以后修起来？"]
    assert coordinated("河滩地又要种树又要建公园，咋安排的") == ["河滩地要种树，咋安排的", "河滩地要建公园，咋安排的"]


def test_a_question_without_coordination_or_distribution_is_not_split():
    assert coordinated("六强五新都是啥") == []  # 都 without conjuncts
    assert coordinated("学校和医院建设情况如何") == []  # conjuncts without a distributive marker
    assert coordinated("是不是要建新医院") == []
    assert coordinated("新和旧分别是啥") == []  # one-character conjuncts name nothing


def test_a_comma_before_the_conjunction_still_coordinates():
    assert coordinated("汾河湿地在第二章的定位，以及第八章提出的面积目标分别是什么？") == [
        "汾河湿地在第二章的定位是什么？", "汾河湿地在第八章提出的面积目标是什么？"]


def test_a_list_sign_inside_quotes_joins_nothing_asked():
    assert coordinated("“一湖、两岸”格局里，东岸和西岸分别建什么？") == [
        "“一湖、两岸”格局里，东岸建什么？", "“一湖、两岸”格局里，西岸建什么？"]
