"""The CLI contract automated checks rely on: exact JSON shapes and exit codes."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).parent / "plan-assistant")
HIT_KEYS = {"rank", "chunk_id", "doc_id", "doc_title", "chapter", "section", "kind", "text", "score"}


def run(*args, stdin=None):
    return subprocess.run([CLI, *args], input=stdin, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module", autouse=True)
def index_ready(retrievers):
    """Build (or reuse) the cached index once, before the subprocesses need it."""


def test_search_json_list():
    r = run("search", "专栏3运输场站建设工程", "-k", "5", "--json")
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)
    assert len(hits) == 5 and set(hits[0]) == HIT_KEYS
    assert [h["rank"] for h in hits] == [1, 2, 3, 4, 5]
    assert "运输场站建设工程" in hits[0]["text"]
    assert "Traceback" not in r.stderr


def test_search_batch_stdin_one_line_per_query():
    r = run("search", "--batch", "-", "-k", "3", "--json", stdin="娃上学的事规划咋说\n\n伍姓湖治理\n")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    assert [l["query"] for l in lines] == ["娃上学的事规划咋说", "伍姓湖治理"]
    assert all(len(l["hits"]) == 3 and set(l["hits"][0]) == HIT_KEYS for l in lines)


def test_search_batch_file(tmp_path):
    f = tmp_path / "q.txt"
    f.write_text("森林覆盖率目标\n", encoding="utf-8")
    r = run("search", "--batch", str(f), "-k", "2", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["query"] == "森林覆盖率目标"


@pytest.mark.parametrize("args", [("search", ""), ("search", "   "), ("search",)])
def test_empty_query_is_a_clear_error(args):
    r = run(*args, "--json")
    assert r.returncode == 2
    assert "不能为空" in r.stderr and "Traceback" not in r.stderr


def test_unreadable_batch_file_is_a_clear_error(tmp_path):
    r = run("search", "--batch", str(tmp_path / "missing.txt"), "--json")
    assert r.returncode == 2 and "无法读取文件" in r.stderr and "Traceback" not in r.stderr


def test_bad_k():
    r = run("search", "教育", "-k", "0")
    assert r.returncode == 2 and "Traceback" not in r.stderr
