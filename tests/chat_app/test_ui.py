"""/ui's answer HTML: short source headers, one card per source, [n] links to their quote, text never markup."""
import re

from chat_app.schema import Answer, Citation
from chat_app.ui import stream_steps
from chat_app.ui_answer import answer_html, partial_html, section_chips, short_header, used_ranges
from chat_app.ui_page import table_html

# made-up passages (not the plan's), so the tests say what the rendering does, not what the plan holds
CITES = (Citation(1, "c09s03-p001", "第九章 民生", "第三节 教育", "新建两所小学。扩大<b>学位</b>供给，提升办学质量。"),
         Citation(2, "c09s03-p002", "第九章 民生", "第三节 教育", "乙。"),
         Citation(3, "c07s02-p001", "第七章 生态", "第二节 湖泊", "治理湖泊水质，恢复湿地。"))


def test_short_header_joins_chapter_and_section_numbers():
    assert short_header("第九章 持续增进民生福祉", "第三节 办好人民满意教育") == "第九章·第三节 办好人民满意教育"
    assert short_header("第二章 构建新发展格局", "第二节 深度拓展投资空间", "专栏 3：交通项目") == \
        "第二章·第二节 深度拓展投资空间 · 专栏 3：交通项目"


def test_sources_of_one_section_are_one_card_with_all_their_numbers():
    html = answer_html(Answer("问", "新建两所小学。[1][2] 恢复湿地。[3]", "direct", "extractive", CITES), 5)
    assert re.findall(r"<summary>(.*?)</summary>", html) == ["[1][2] 第九章·第三节 教育", "[3] 第七章·第二节 湖泊"]
    assert html.count('<blockquote class="pa-quote"') == 3


def test_cite_marks_link_to_their_quote_and_the_used_sentence_is_marked():
    html = answer_html(Answer("问", "新建两所小学。[1] 提升办学质量。[1] 恢复湿地。[3][7]", "direct", "extractive", CITES), 5)
    assert html.count('href="#pa-q5-1"') == 2 and 'href="#pa-q5-3"' in html and 'id="pa-q5-3"' in html
    assert "[7]</span>" in html  # a number without a citation stays plain text
    quote = re.search(r'id="pa-q5-1">(.*?)</blockquote>', html).group(1)
    assert re.findall(r"<mark>(.*?)</mark>", quote) == ["新建两所小学。", "提升办学质量。"]
    assert used_ranges("治理湖泊水质，恢复湿地。", ["恢复湿地。"]) == [(7, 12)]


def test_plan_and_user_text_is_never_markup():
    answer = Answer("<img src=x>", "扩大<b>学位</b>供给<img src=x onerror=alert(1)>。[1]", "direct", "extractive", CITES)
    for html in (answer_html(answer, 1), partial_html(answer, 30)):
        assert "<b>" not in html and "<img" not in html and "&lt;b&gt;" in html


def test_related_and_refused_answers_are_marked_and_offer_sections():
    related = Answer("问", "规划没有写明。新建两所小学。[1]", "related", "extractive", CITES[:1])
    assert "pa-badge-related" in answer_html(related, 1) and "pa-badge-related" in partial_html(related, 3)
    assert section_chips(related) == ("规划中“教育”这一节讲了什么？",)
    refused = Answer("问", "抱歉。", "none", "extractive", suggestions=("规划中“湖泊”这一节讲了什么？",))
    assert "pa-badge-refused" in answer_html(refused, 1) and section_chips(refused) == refused.suggestions
    assert section_chips(Answer("问", "答。[1]", "direct", "extractive", CITES)) == ()


def test_a_long_answer_streams_in_a_bounded_number_of_pieces():
    assert list(stream_steps(20)) == [8, 16]
    assert 30 <= len(stream_steps(3000)) <= 40


def test_tables_keep_columns_on_desktop_and_label_each_cell_for_phone_cards():
    html = table_html(("序号", "指标", "属性"), ["一、经济", ["1", "GDP<亿元>", ""]])
    assert '<th colspan="3" scope="rowgroup">一、经济</th>' in html
    assert '<td><span class="pa-k">指标</span>GDP&lt;亿元&gt;</td>' in html and '<td class="pa-empty"></td>' in html
