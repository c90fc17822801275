"""Lists the plan's structure gives: one 专栏 line's items, and not the section's leads when one is named."""


def test_a_named_box_line_is_answered_with_all_its_items_and_the_box(assistant):
    a = assistant.ask("铝精深加工产业这块都安排了啥项目？")
    assert a.answer.startswith("专栏4（")
    assert "铝精深加工产业包括" in a.answer
    for item in ("铝合金汽车轮毂项目", "轨道交通铝材深加工项目"):
        assert item in a.answer
    assert "机电制造产业" not in a.answer  # only the named line


def test_a_line_split_over_two_chunks_is_listed_whole(assistant):
    a = assistant.ask("机电制造产业方面有哪些重点项目？")
    assert "泰诺博锐隧道设备整体搬迁项目" in a.answer and "防爆电机研发生产项目" in a.answer
    assert len(a.citations) == 2


def test_a_figure_inside_a_line_is_not_answered_with_the_whole_list(assistant):
    a = assistant.ask("四好农村路建设工程里危桥改建有几座？")
    assert "危桥改建 3 座" in a.answer and "包括：" not in a.answer


def test_naming_one_cluster_asks_inside_it_not_for_the_list_of_clusters(assistant):
    a = assistant.ask("航天科技及光电产业集群依托哪些项目？")
    assert "北京光府科技高能激光项目" in a.answer
    assert "风电设备制造维修产业集群" not in a.answer


def test_a_box_named_by_its_quoted_title_lists_its_lines(assistant):
    a = assistant.ask("“三无”单位创建工程由哪几部分组成，包括哪些？")
    assert a.answer.startswith("专栏14包括：")
    for line in ("“零上访”单位创建工程", "“零事故”单位创建工程", "“零案件”单位创建工程"):
        assert line in a.answer


def test_a_count_that_is_not_the_boxs_size_asks_for_part_of_it(assistant):
    a = assistant.ask("“六强五新”里那六个优势产业都包括哪些？")
    assert not a.answer.startswith("专栏4包括")  # the box has eleven lines; the body names the six


def test_a_quoted_name_shared_by_many_box_titles_names_no_box(assistant):
    assert assistant.default.extractive.box_named("“十四五”期间有哪些项目？") is None


def test_a_broad_question_is_answered_with_the_plans_headings_on_the_topic(assistant):
    a = assistant.ask("就业这块有什么政策？")
    on_topic = a.answer.split("一节还提出")[0]  # the section's other headings may follow
    for heading in ("突出做好重点群体就业工作", "支持灵活就业和新业态创业就业", "构建完善的就业创业服务体系"):
        assert heading in on_topic
    assert len({c.n for c in a.citations if c.chunk_id in on_topic or f"[{c.n}]" in on_topic}) == 3


def test_a_broad_question_needs_a_heading_naming_its_most_specific_word(assistant):
    doc = assistant.default
    hits = doc.retriever.search("环境保护有啥规划？", 8)
    assert doc.extractive.broad("环境保护有啥规划？", hits) is None  # 营商环境 is not 环境保护
    assert doc.extractive.broad("就业岗位有多少个？", hits) is None  # a figure question is not broad


def test_a_broad_question_without_headings_on_its_topic_gets_the_box_named_after_it(assistant):
    a = assistant.ask("交通上有什么打算？")
    assert a.answer.startswith("专栏3（“十四五”全市重点交通项目）包括：")
    assert "运输场站建设工程" in a.answer


def test_a_sentence_announcing_a_list_is_followed_by_the_list(assistant):
    a = assistant.ask("发展经济社会要坚持的原则都有哪几条？")
    assert "以下原则" in a.answer
    for item in ("坚持党的全面领导", "坚持以人民为中心", "坚持系统观念"):
        assert item in a.answer


def test_a_box_named_with_one_of_its_lines_lists_that_line(assistant):
    """The line's lead carries a count ("市保文物保护工程 3 个"); the question names it without."""
    a = assistant.ask("专栏8里市保文物保护工程都有哪些？")
    assert "市保文物保护工程" in a.answer and "陈村伯王庙抬升保护工程" in a.answer
    assert "国保文物保护工程" not in a.answer


def test_a_box_asked_about_one_town_lists_that_towns_entries_from_every_line(assistant):
    a = assistant.ask("专栏6里卿头镇有哪些项目？")
    assert a.answer.startswith("专栏6中涉及卿头镇的有：") and "卿头镇曾家营等5村高标准农田建设项目" in a.answer


def test_place_of_takes_the_towns_two_characters_whatever_precedes_them():
    from chat_app.plan_lines import place_of

    assert place_of("专栏6里涉及卿头镇的有哪些") == ("卿头", "卿头镇")
    assert place_of("韩阳镇有啥农业项目") == ("韩阳", "韩阳镇")
    assert place_of("城里有啥项目") is None


def test_a_box_named_by_its_own_title_lists_its_lines(assistant):
    a = assistant.ask("林业重大工程里都有哪些工程？")
    assert a.answer.startswith("专栏11包括：")
    assert "天然林保护工程" in a.answer and "湿地保护和修复工程" in a.answer


def test_a_counted_set_is_answered_by_the_plans_enumeration_of_that_many(assistant):
    a = assistant.ask("永济说的五个新兴产业到底指哪五个？")
    for member in ("新能源汽车产业", "航天科技产业", "光电产业", "生物医药制药产业"):
        assert member in a.answer
    assert "机电制造产业" not in a.answer  # the six, counted 6, are another set


def test_the_last_count_in_a_question_is_the_one_asked(assistant):
    a = assistant.ask("六强五新里面，那六个优势产业是哪六个？")
    assert "高端印染包装业" in a.answer and "新能源汽车产业" not in a.answer


def test_a_counted_set_of_another_kind_is_not_the_answer(assistant):
    doc = assistant.default
    q = "第七章提出的三个生态绿核是哪三个？"
    a = assistant.ask(q)
    assert "蒲州古城遗址公园" in a.answer  # 绿核, not the three 生态保护集中区
    assert "黄河（永济段）" not in a.answer.split("。")[0]


def test_a_counted_name_asks_for_all_lines_of_its_box(assistant):
    a = assistant.ask("镇上贴着创建“三无”单位，哪三无啊？")
    assert a.answer.startswith("专栏14包括：")
    assert "“零上访”" in a.answer and "“零事故”" in a.answer and "“零案件”" in a.answer


def test_a_box_and_a_chapter_named_together_are_answered_from_both(assistant):
    a = assistant.ask("伍姓湖入湖口人工湿地二期项目在第七章第二节和专栏10里分别怎么写？")
    chapters = {c.chapter.split(" ")[0] for c in a.citations}
    assert "第七章" in chapters and any("专栏 10" in c.title or "专栏10" in c.title for c in a.citations)
    assert "伍姓湖入湖口人工湿地二期等重点项目" in a.answer


def test_a_counted_name_in_a_box_title_does_not_ask_for_the_whole_box(assistant):
    a = assistant.ask("“六新”重点项目里新装备有哪些项目？")
    assert not a.answer.startswith("专栏12包括")  # 六新 names the box; the question asks inside one line


def test_one_lead_named_without_its_verbs_asks_inside_it_not_for_the_sections_leads(assistant):
    from chat_app.lists import names_tail

    assert names_tail("超前谋划布局未来产业", "产业", "未来产业那边准备搞点啥")
    assert not names_tail("超前谋划布局未来产业", "产业", "产业方面有啥打算")
    a = assistant.ask("未来产业这一块打算布局些什么")
    assert "人工智能" in a.answer


def test_two_counted_sets_asked_together_get_both(assistant):
    a = assistant.ask("三个生态绿核与三大生态保护集中区各自是哪些？")
    assert "三个生态绿核" in a.answer and "黄河（永济段）" in a.answer


def test_a_count_of_one_kind_takes_those_leads_of_a_named_set(assistant):
    a = assistant.ask("“一城五区”里那五个区都是些什么区？")
    assert "国家现代农业示范区" in a.answer and "国家休闲旅游度假区" in a.answer
    assert "山水城市" not in a.answer  # the 城 is not one of the five 区


def test_a_word_containing_the_sets_noun_does_not_ask_for_the_set(assistant):
    # 宅基地 contains 基地, the noun the 八大农业优势基地 leads share; the question is about homesteads
    a = assistant.ask("闲着的宅基地能干些啥")
    assert "宅基地" in a.answer
    assert "做强优质粮食生产基地" not in a.answer
    listed = assistant.ask("八大农业优势基地都是哪些")
    assert "做强优质粮食生产基地" in listed.answer


def test_a_carried_follow_up_is_not_answered_with_the_section_list_again(assistant):
    first = assistant.ask("永济要做强哪八大农业优势基地")
    assert first.answer.startswith("规划在“做大做强八大农业优势基地”中提出")
    again = assistant.ask("那里头养鱼的具体有哪些相关项目？", first.session_id)
    assert "（" in again.standalone  # carried: it asks inside what the first turn named
    assert not again.answer.startswith("规划在“做大做强八大农业优势基地”中提出")
