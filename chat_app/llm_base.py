"""The part every model answerer shares: a total deadline and a bounded pool around each model call, and
the checks a reply must pass (cited, no invented figure, not a loop) before it replaces the extractive answer.
"""
from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from collections.abc import Sequence
from dataclasses import replace

from chat_app.guards import unsupported_numbers
from chat_app.prompts import CONDENSE_PROMPT, messages_for
from chat_app.schema import Answer, Citation
from ingest.schema import Hit

MARK_RE = re.compile(r"\[(\d+)\]")
REFUSAL = "规划中未提及"


def degenerate(text: str) -> bool:
    """Small models loop ("[1] 规划中未提及 [2] 规划中未提及 …"); such a reply is no answer."""
    parts = [p.strip() for p in re.split(r"[。\n；;]|\[\d+\]", text) if len(p.strip()) >= 4]
    return len(parts) >= 3 and len(set(parts)) <= len(parts) // 2


class LLMAnswerer(ABC):
    """Every model call runs under a total deadline (``deadline`` seconds: connect + read + generation) and
    at most ``max_concurrent`` at once. HTTP clients time out per read, so a backend that drips a byte a
    second never times out by itself; the caller stops waiting at the deadline and answers extractively,
    and the bounded worker pool keeps stuck calls from taking every server thread."""

    mode = "llm"
    n_sources = 5
    system_in_user = False
    deadline = 20.0
    max_concurrent = 4
    _pool: ThreadPoolExecutor | None = None
    _slots: threading.BoundedSemaphore | None = None

    def _call(self, messages: list[dict]) -> str:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.max_concurrent, thread_name_prefix="llm")
            self._slots = threading.BoundedSemaphore(self.max_concurrent)
        if not self._slots.acquire(blocking=False):
            raise TimeoutError("all model slots busy")
        future = self._pool.submit(self.complete, messages)
        future.add_done_callback(lambda _: self._slots.release())
        try:
            return future.result(timeout=self.deadline)
        except FutureTimeout:
            raise TimeoutError(f"model slower than {self.deadline:.0f} s") from None

    @abstractmethod
    def complete(self, messages: list[dict]) -> str:
        """The model's full reply; raises on transport errors or time-outs."""

    def condense(self, question: str, history: list[dict]) -> str | None:
        text = "\n".join(f"用户：{h['question']}\n助手：{h['answer'][:120]}" for h in history[-3:])
        try:
            out = self._call([{"role": "user", "content": CONDENSE_PROMPT.format(history=text, question=question)}])
        except Exception:  # noqa: BLE001 - any failure means: keep the offline rewrite
            return None
        out = out.strip().splitlines()[0].strip() if out.strip() else ""
        return out if 2 <= len(out) <= 200 else None

    def answer(self, question: str, standalone: str, hits: Sequence[Hit], fallback: Answer) -> Answer:
        sources = list(hits[: self.n_sources])
        try:
            text = self._call(messages_for(standalone, sources, self.system_in_user)).strip()
        except Exception as exc:  # noqa: BLE001 - unreachable/slow model → extractive answer
            return replace(fallback, notes=fallback.notes + (f"llm unavailable: {type(exc).__name__}",))
        if REFUSAL in text and len(text) < 40:
            return replace(fallback, answer="规划中未提及这方面的内容。", support="none", mode=self.mode, citations=())
        if REFUSAL in text or degenerate(text):
            return replace(fallback, notes=fallback.notes + ("llm answer half refusal or repetitive",))
        used = sorted({int(n) for n in MARK_RE.findall(text) if 1 <= int(n) <= len(sources)})
        if not used:
            return replace(fallback, notes=fallback.notes + ("llm answer had no citation",))
        cited = [sources[n - 1].chunk for n in used]
        bad = unsupported_numbers(text, cited)
        if bad:
            return replace(fallback, notes=fallback.notes + (f"llm number not in cited text: {','.join(bad)}",))
        renumber = {n: i for i, n in enumerate(used, 1)}
        text = MARK_RE.sub(lambda m: f"[{renumber[int(m.group(1))]}]" if int(m.group(1)) in renumber else "", text)
        citations = tuple(Citation.of(renumber[n], c) for n, c in zip(used, cited))
        return Answer(question, text, "direct", self.mode, citations)
