"""Terminal input and output shared by the CLI commands: batch files, JSON lines, user errors."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

EXIT_USAGE = 2


class UserError(Exception):
    """A problem the user can fix; its message is shown as is."""


def read_batch(path: str) -> Iterator[str]:
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"无法读取文件：{path}（{exc.__class__.__name__}）") from exc
    for line in text.splitlines():
        if line.strip():
            yield line.strip()


def emit(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()
