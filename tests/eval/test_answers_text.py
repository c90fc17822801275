"""How the harness reads an answer's first sentence."""
from eval.answers import first_sentence


def test_first_sentence_stops_at_a_full_stop_a_semicolon_or_a_line_break():
    assert first_sentence("甲。乙。") == "甲。"
    assert first_sentence("甲；乙。") == "甲；"
    assert first_sentence("专栏3包括：甲[1]\n\n规划还提出：乙[2]。") == "专栏3包括：甲[1]\n"
    assert first_sentence("没有句号") == "没有句号"


def test_first_sentence_skips_the_related_lead():
    assert first_sentence("规划没有写明具体金额。以下是规划中与此最相关的原文：甲。乙。") == "甲。"
