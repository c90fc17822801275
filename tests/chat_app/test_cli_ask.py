import json
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).parent / "plan-assistant")
KEYS = {"question", "answer", "support", "refused", "mode", "citations", "suggestions", "session_id", "turn"}


def run(*args, stdin=None):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=300)


def test_ask_json(retrievers):
    r = run("ask", "专栏3有哪些项目？", "--json")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert set(obj) == KEYS and obj["citations"][0]["n"] == 1 and obj["support"] == "direct"
    assert set(obj["citations"][0]) == {"n", "chunk_id", "chapter", "section", "quote", "title",
                                           "doc_id", "doc_title"}
    assert obj["citations"][0]["doc_id"] == "yongji-14" and obj["citations"][0]["chunk_id"].startswith("yongji-14:")


def test_ask_batch_and_errors(tmp_path):
    r = run("ask", "--batch", "-", "--json", stdin="今晚的足球比赛谁赢了？\n森林覆盖率目标\n")
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert r.returncode == 0 and len(lines) == 2 and lines[0]["refused"] is True and lines[0]["support"] == "none"
    assert lines[0]["suggestions"] and lines[1]["support"] != "none"
    r = run("ask", "", "--json")
    assert r.returncode == 2 and "不能为空" in r.stderr and "Traceback" not in r.stderr
    r = run("ask", "--batch", str(tmp_path / "nope.txt"))
    assert r.returncode == 2 and "无法读取" in r.stderr


def test_chat_session_in_terminal():
    r = run("chat", stdin="城镇居民人均可支配收入增长目标是多少？\n那农村呢？\n退出\n")
    assert r.returncode == 0 and r.stdout.count("助手：") == 2
