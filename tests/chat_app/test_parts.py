"""Multi-part questions: split where a new asking clause with its own topic begins."""
from chat_app.parts import clauses, split_parts


def test_clauses_split_only_between_asking_clauses():
    assert clauses("图书馆新馆建在哪，啥时候开放？") == ["图书馆新馆建在哪", "啥时候开放"]
    assert clauses("我家住城西，图书馆新馆建在哪？") == ["我家住城西，图书馆新馆建在哪"]  # a statement stays


def test_a_clause_without_a_topic_stays_with_the_one_before(retrievers):
    assert split_parts("体育中心建几个馆？规划里咋说的", retrievers.bm25) == ["体育中心建几个馆？规划里咋说的"]
    two = split_parts("公办幼儿园新建几所，一类幼儿园要达到多少所", retrievers.bm25)
    assert two == ["公办幼儿园新建几所", "一类幼儿园要达到多少所"]


def test_each_part_is_answered_in_order_with_its_own_citation(assistant):
    a = assistant.ask("伍姓湖水面面积保持多少？城区污水处理率要达到多少？")
    assert "12.5 平方千米" in a.answer
    first, second = a.answer.find("12.5"), a.answer.find("污水")
    assert 0 <= first < second
    assert len(a.citations) >= 2


def test_a_part_pointing_back_carries_the_part_before_it(retrievers):
    parts = split_parts("公办幼儿园要新建多少所？专栏2中该指标的目标是多少？", retrievers.bm25)
    assert parts == ["公办幼儿园要新建多少所", "专栏2中该指标的目标是多少（公办幼儿园要新建多少所）"]


def test_a_part_asking_another_year_carries_the_part_before_it(retrievers):
    parts = split_parts("公办幼儿园现在有几所？到2025年要有多少所？", retrievers.bm25)
    assert parts == ["公办幼儿园现在有几所", "到2025年要有多少所（公办幼儿园现在有几所）"]
    assert split_parts("公办幼儿园现在有几所？规划里咋说的", retrievers.bm25) == ["公办幼儿园现在有几所？规划里咋说的"]


def test_numbered_asks_are_parts_without_a_question_word():
    assert clauses("关于学校：一是新建小学的数量；二是幼儿园的入园率目标") == [
        "关于学校：一是新建小学的数量", "二是幼儿园的入园率目标"]
    assert clauses("其中公办的占比；其他民办的占比") == ["其中公办的占比，其他民办的占比"]  # not 其一/其二
    assert clauses("新建小学的数量；幼儿园的入园率目标") == ["新建小学的数量，幼儿园的入园率目标"]


def test_a_new_sentences_opening_statement_is_the_topic_of_its_ask():
    # "…？另外X要办个活动，叫啥" — the statement opens the second ask; it is not a tail of the first
    assert clauses("体育中心建几个馆？另外图书馆说要搬家，搬到哪") == ["体育中心建几个馆", "图书馆说要搬家，搬到哪"]
    # a sentence that only states something still stays with the ask before it
    assert clauses("体育中心建几个馆？我家就住旁边") == ["体育中心建几个馆，我家就住旁边"]
    # and an opening statement before any ask stays with the ask after it
    assert clauses("我家住城西，图书馆新馆建在哪？") == ["我家住城西，图书馆新馆建在哪"]


def test_asking_what_the_plan_says_names_no_topic_of_its_own(retrievers):
    # 说法/提法 name the saying, not a subject: the clause stays with the ask before it
    assert split_parts("体育中心建几个馆？规划里有啥说法", retrievers.bm25) == ["体育中心建几个馆？规划里有啥说法"]
    assert split_parts("公办幼儿园新建几所？纲要里是啥提法", retrievers.bm25) == ["公办幼儿园新建几所？纲要里是啥提法"]
