"""A typo that sounds like a plan word also searches for that word (pinyin input slips)."""
import jieba

from retriever.homophones import HomophoneIndex


def _words(text):
    return list(jieba.tokenize(text, HMM=False))


def test_a_one_character_slip_of_a_plan_name_is_corrected():
    index = HomophoneIndex(["鹳雀楼", "普救寺", "伍姓湖"], {})
    assert index.corrections("观雀楼门票多少钱", _words) == ["鹳雀楼"]
    assert index.corrections("五姓湖的水咋样", _words) == ["伍姓湖"]


def test_general_words_two_character_windows_and_two_slips_are_left_alone():
    assert HomophoneIndex(["鹳雀楼"], {}).corrections("灌却楼在哪", _words) == []  # two characters differ
    assert HomophoneIndex(["工程"], {}).corrections("公成怎么样", _words) == []  # two-character windows are not read
    assert HomophoneIndex(["鹳雀楼"], {"观雀楼": 5}).corrections("观雀楼在哪", _words) == []  # a general word
