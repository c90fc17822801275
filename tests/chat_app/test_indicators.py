"""Indicator rows read as sentences with units, the asked year's figure first."""
from chat_app.indicators import gives_figure_for, render_row, unit_of
from ingest.schema import Chunk


def _row(name, fields, title="专栏 2：“十四五”主要指标表", attr="约束性"):
    return Chunk("r", "table_row", "第一章", "第五节", f"{name}：…", title=title,
                 fields=(("指标", name), *fields, ("属性", attr)))


def test_unit_comes_from_the_name_and_not_from_an_abbreviation():
    assert unit_of("1.国内生产总值（GDP）（亿元）") == "亿元"
    assert unit_of("地区生产总值（GDP）") == ""
    assert unit_of("单位 GDP 能耗（2010 年不变价）") == ""
    assert unit_of("森林覆盖率（%）") == "%"


def test_the_latest_year_leads_unless_the_question_asks_another():
    row = _row("湿地保护率（%）", (("序号", "9"), ("2020年完成", "40.5"), ("2025年目标", "45")))
    assert render_row(row) == "专栏2中，湿地保护率（%） — 2025年目标 45%，2020年完成 40.5%（约束性指标）。"
    assert render_row(row, {"2020"}).startswith("专栏2中，湿地保护率（%） — 2020年完成 40.5%")


def test_words_and_growth_fields_keep_their_own_form():
    row = _row("地区生产总值增长率（%）", (("2020年完成", "完成下达任务"), ("年均增长/累计", ">13"),
                                        ("2025年目标", "—")), attr="预期性")
    assert render_row(row) == "专栏2中，地区生产总值增长率（%） — 2020年完成 完成下达任务，年均增长/累计 >13（预期性指标）。"


def test_a_row_gives_a_figure_for_a_year_only_when_that_cell_is_a_number():
    planned = _row("粮食综合生产能力（万吨）", (("2020年完成", "40"), ("2025年目标", "完成下达任务")))
    review = _row("外贸进出口总额（万美元）", (("2015年", "5904"), ("2020年完成", "")), title="表1：…")
    assert not gives_figure_for(planned, {"2025"}) and gives_figure_for(planned, {"2020"})
    assert gives_figure_for(review, {"2015"}) and not gives_figure_for(review, {"2025"})


def test_a_growth_rate_row_does_not_lead_an_answer_about_a_level(assistant):
    a = assistant.ask("城镇居民人均可支配收入2020年是多少？")
    assert "33251" in a.answer.split("[1]")[0]
    b = assistant.ask("城镇居民人均可支配收入每年要增长多少？")
    assert "10%" in b.answer  # a question about change still gets the rate row


def test_a_count_named_by_its_measure_word_has_that_unit():
    assert unit_of("9.全年重污染的天数") == "天"
    assert unit_of("5.新增就业人数") == "人"
    assert unit_of("3.二氧化硫") == ""  # a name without a measure has no unit
