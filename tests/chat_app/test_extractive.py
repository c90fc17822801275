"""The extractive answerer's own choices: which words count, how long sentences are cut, which lists."""
from chat_app.ask import Ask


def test_the_askers_own_words_outweigh_colloquial_expansions(assistant):
    ex = assistant.extractive
    w = ex.weights("冬天烧煤取暖")  # 取暖 is the asker's word; 集中供热 only comes from the table
    assert w["取暖"] == ex.idf["取暖"]
    assert 0 < w["集中供热"] < ex.idf["集中供热"]


def test_trim_keeps_the_clause_with_the_asked_figure(assistant):
    ex = assistant.extractive
    long = ("启动实施永济—芮城太安（晋豫界）高速、国道 521 线永济段改建，加快三条沿黄旅游公路支线建设，"
            "推进 282 公里四好农村公路、高铁永济北站客运汽车站，加快智慧交通建设，实现绿色的现代公路运输体系全覆盖。")
    q = "村里的路要修多长？"
    cut = ex.trim(long, ex.weights(q), Ask.of(q), 60)
    assert "282 公里四好农村公路" in cut and len(cut) <= 60 and cut in long
    assert ex.trim(long, ex.weights("养老院"), Ask.of("养老院"), 60) == ""  # nothing relevant: nothing kept


def test_long_answers_are_cut_to_the_relevant_clauses(assistant):
    a = assistant.ask("沿黄旅游公路要修多长？")
    assert "公里" in a.answer and len(a.answer) <= 200


def test_a_quoted_set_is_answered_with_the_sections_leads(assistant):
    a = assistant.ask("打造“一城五区”，是哪一城哪五区？")
    for lead in ("中国北方美丽宜居山水城市", "国家休闲旅游度假区", "全国轨道交通和机电制造产业集聚区"):
        assert lead in a.answer
    assert "——" not in a.answer and len(a.citations) == 6


def test_project_question_naming_a_town_lists_that_towns_entries(assistant):
    a = assistant.ask("卿头镇有哪些农业项目？")
    assert "规划的项目中涉及卿头镇的有" in a.answer
    assert "卿头镇曾家营等5村高标准农田建设项目" in a.answer
    assert "敬老院" not in a.answer  # 卿头镇's nursing home is a project, but not an agricultural one


def test_figure_ask_reads_units_and_years():
    ask = Ask.of("到25年全市游客能有多少人？")
    assert ask.figure and "2025" in ask.years and ask.units
    assert not Ask.of("五老峰以后怎么发展").units


def test_a_sentence_starting_with_该_keeps_the_sentence_it_points_back_to(assistant):
    a = assistant.ask("东南亚文化风情园要占多少亩？")
    assert "东南亚文化风情园项目：该项目拟占地 500-800 亩" in a.answer


def test_list_question_in_colloquial_words_gets_the_sections_leads(assistant):
    a = assistant.ask("八大农业优势基地都是啥？")
    assert a.answer.count("基地[") == 8


def test_figure_question_is_not_answered_with_a_section_list(assistant):
    a = assistant.ask("八大农业优势基地分别是多少亩？")
    assert not a.answer.startswith("规划在")


def test_a_heading_is_answered_with_what_follows_it(assistant):
    a = assistant.ask("规划怎么推动水资源节约利用？")
    first = a.answer.split("[1]")[0]  # the heading opens the sentences it heads
    assert first.startswith("推动水资源节约利用") and "用黄河客水替换地下水" in first


def test_a_box_items_heading_and_its_content_read_as_one_first_sentence(assistant):
    from eval.answers import first_sentence

    a = assistant.ask("专栏4里光电产业有什么重点项目？")
    assert "OLED" in first_sentence(a.answer), a.answer


def test_quoted_names_side_by_side_count_as_an_enumeration():
    from chat_app.ask import enumerated

    assert enumerated("打造“永济葡萄”“永济冬枣”“永济芦笋”等品牌") == 3
    assert enumerated("南风百货、百货大楼、供销大楼等") == 3
    assert enumerated("加快发展旅游业") == 1


def test_a_row_without_the_asked_years_figure_does_not_lead(assistant):
    a = assistant.ask("2025年粮食的产量要达到多少？")
    assert "总产达到4亿公斤以上" in a.answer
    assert not a.answer.startswith("专栏2中，粮食综合生产能力")  # its 2025 cell reads 完成下达任务


def test_a_heading_picked_beside_its_own_sentence_gives_way_to_it():
    from chat_app.extractive import Candidate, without_lone_headings
    from ingest.schema import Chunk

    item = Chunk("b1", "box_item", "第五章", "第一节", "风情园项目。该项目拟占地 600 亩。", group="风情园项目。")
    other = Chunk("p1", "paragraph", "第五章", "第一节", "实施风情园项目。")
    heading, body = Candidate("风情园项目。", item, 3.0), Candidate("该项目拟占地 600 亩。", item, 2.0)
    picked = without_lone_headings([heading, Candidate("实施风情园项目。", other, 2.5), body])
    assert [c.text for c in picked] == ["该项目拟占地 600 亩。", "实施风情园项目。"]


def test_a_list_question_names_the_kind_of_item_it_wants():
    from chat_app.ask import asked_kind, items_of_kind

    assert asked_kind("全市要建哪几个产业园？") == "园" and asked_kind("都办些啥节？") == "节"
    assert asked_kind("这个镇要弄成啥样的镇？") == ""  # a bare 啥 asks what kind, not for a list
    assert asked_kind("开发区有哪些项目？") == ""  # 项目 names no kind; the plan's lists answer it
    assert asked_kind("物流园靠哪些工程带动？") == ""  # a generic noun, then the verb: no 动 kind
    assert items_of_kind("打造西部运动圈、东部康养圈和北部物流圈。", "圈") == 2


def test_items_named_one_per_sentence_are_gathered_from_their_paragraph(assistant):
    a = assistant.ask("围绕“142”功能布局，城区要打造哪几个圈？")
    for ring in ("西部时尚运动圈", "东部医疗康养圈", "北部农贸物流圈", "中部文化商务圈"):
        assert ring in a.answer  # the last one sits in the paragraph's second chunk


def test_the_end_of_a_five_year_period_is_its_last_year():
    from chat_app.ask import Ask

    assert Ask.of("十四五末粮食产量能到多少").years == frozenset({"2025"})
    assert Ask.of("“十三五”期末城镇化率是多少").years == frozenset({"2020"})
    assert Ask.of("十四五期间要建几所学校").years == frozenset()  # the period, not its end
    assert Ask.of("五年后城里人收入能到多少").years == frozenset({"2025"})  # the plan's own five years
    assert Ask.of("这五年要种多少树").years == frozenset({"2025"})
    assert Ask.of("五年前人均收入多少").years == frozenset()
    assert Ask.of("城镇化率的目标是多少").years == frozenset({"2025"})  # the plan's targets are for its last year
    assert Ask.of("十三五定的城镇化率目标是多少").years == frozenset()
    assert Ask.of("2035年的远景目标是啥").years == frozenset({"2035"})


def test_five_years_on_asks_the_plans_target(assistant):
    a = assistant.ask("五年后咱永济GDP能到多少")
    assert "250 亿元左右" in a.answer.split("[1]")[0]


def test_an_interrogative_of_quantity_lends_the_segmenter_no_content_word(assistant):
    w = assistant.default.extractive.weights("光伏产业以后能做到多大规模？")
    assert "规模" in w and "大规模" not in w and "多" not in w


def test_a_sentence_announcing_a_list_reads_its_short_items_as_one_sentence():
    from chat_app.extractive import announced
    texts = ["我们要做到下列三件事。[1]", "修好道路。[2]", "办好学校。[3]"]
    assert announced(texts) == "我们要做到下列三件事[1]：修好道路[2]、办好学校[3]。"
    long_item = "全面推进城乡融合发展，形成连接顺畅、城乡互动、功能互补、特色鲜明的新型城镇体系。[2]"
    assert announced(["主要任务如下。[1]", long_item]) == "主要任务如下。[1]" + long_item  # sentences stay
    assert announced(["修好道路。[1]", "办好学校。[2]"]) == "修好道路。[1]办好学校。[2]"  # nothing announced


def test_a_list_of_short_headings_is_one_enumeration_and_long_entries_keep_semicolons():
    from chat_app.extractive import compose
    from ingest.schema import Chunk
    a = Chunk("a", "paragraph", "第三章", "第一节", "发展现代物流业。")
    b = Chunk("b", "paragraph", "第三章", "第一节", "发展电商服务业。")
    short = compose("有哪些", [("发展现代物流业", a), ("发展电商服务业", b)], "extractive", prefix="提出：", joiner="；")
    assert short.answer == "提出：发展现代物流业[1]、发展电商服务业[2]。"
    long_text = "加快建设一批镇（街道）电商创业园和电商专业村，加快农村淘宝店建设"
    mixed = compose("有哪些", [("发展现代物流业", a), (long_text, b)], "extractive", prefix="提出：", joiner="；")
    assert mixed.answer == f"提出：发展现代物流业[1]；{long_text}[2]。"


def test_the_piece_of_a_long_box_item_that_answers_leads_it(assistant):
    a = assistant.ask("万固寺这回要修缮寺里的哪些建筑？")
    first = a.answer.split("[1]")[0]
    assert "大雄宝殿" in first and "蒲津渡遗址保护工程" not in first
    assert "蒲津渡遗址保护工程" in a.answer  # the rest of the item still follows


def test_a_general_list_question_keeps_the_item_in_the_plans_order(assistant):
    a = assistant.ask("专栏3里公路建设项目都有哪些？")
    assert a.answer.index("高速") < a.answer.index("智慧交通")


def test_a_count_asked_keeps_that_many_items_when_the_best_holds_fewer(assistant):
    # 专栏5's long line is chunked in two pieces; each of the two asked items sits in another piece
    a = assistant.ask("专栏5里搞科研的那俩项目（重点实验室、中试基地）分别叫啥，是哪两个")
    assert "新型电机省级重点实验室项目" in a.answer and "山西省智能制造产学研中试基地项目" in a.answer
    assert "、。" not in a.answer  # an item cut from its line ends as a sentence, not on its separator
