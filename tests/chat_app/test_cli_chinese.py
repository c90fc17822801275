"""argparse's own strings (usage, options, errors) reach the user in Chinese; exit codes 0 and 2."""
from __future__ import annotations

import argparse
import re
import subprocess

import pytest

from chat_app.argparse_zh import chinese
from tests.chat_app.test_serve_cli import CLI

ENGLISH = re.compile(r"usage:|positional arguments|options:|show this help|error:|invalid choice|are required")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [["--help"], ["search", "--help"], ["ask", "--help"], ["purge", "--help"]])
def test_help_is_chinese(args):
    r = run(*args)
    assert r.returncode == 0 and r.stdout.startswith("用法：plan-assistant")
    assert "选项" in r.stdout and "显示本帮助并退出" in r.stdout and not ENGLISH.search(r.stdout)


@pytest.mark.parametrize("args,expected", [
    (["frobnicate"], "无效的选项：'frobnicate'"),
    ([], "缺少必需的参数：子命令"),
    (["search", "-k", "many"], "参数 -k：无效的 int 值：'many'"),
    (["eval", "--split", "nope"], "参数 --split：无效的选项：'nope'"),
])
def test_usage_errors_are_chinese_with_exit_2(args, expected):
    r = run(*args)
    assert r.returncode == 2 and expected in r.stderr and "错误：" in r.stderr
    assert not ENGLISH.search(r.stderr) and "Traceback" not in r.stderr


def test_translation_is_scoped_to_the_block():
    with chinese():
        inside = argparse.ArgumentParser(prog="x").format_help()
    outside = argparse.ArgumentParser(prog="x").format_help()
    assert inside.startswith("用法：") and outside.startswith("usage:")
