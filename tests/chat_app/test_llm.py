"""Pure guard logic of the LLM answerers (the real-model paths are in test_llm_server.py)."""
from chat_app.llm import SYSTEM_PROMPT, degenerate, messages_for


def test_looping_reply_is_degenerate():
    assert degenerate("[1] 规划中未提及 [2] 规划中未提及 [3] 规划中未提及 [4] 规划中未提及")
    assert degenerate("规划原文：\n规划原文：\n规划原文：\n规划原文：")
    assert not degenerate("到2025年森林覆盖率达到30.8%[1]。每年完成造林1.8万亩以上[2]。新增公园绿地[3]。")


def test_system_rules_can_travel_in_the_user_turn():
    both = messages_for("问题", [])
    merged = messages_for("问题", [], system_in_user=True)
    assert [m["role"] for m in both] == ["system", "user"]
    assert len(merged) == 1 and merged[0]["content"].startswith(SYSTEM_PROMPT)
