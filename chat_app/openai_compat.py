"""``POST /v1/chat/completions``: the assistant behind OpenAI's chat API, so any OpenAI client can ask it.

The last user message is the question and ``user`` the session; the answer's citations are appended as text,
and how far the plan answers travels in an extra ``plan_assistant`` field (outside OpenAI's schema; clients
ignore it) on the response or, when streaming, on the last chunk.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

from fastapi import FastAPI, HTTPException
from fastapi.responses import StreamingResponse

from chat_app.api_models import ChatCompletionRequest
from chat_app.engine import Assistant
from chat_app.schema import Answer

STREAM_PIECE_CHARS = 8  # characters per streamed delta


def _text(a: Answer) -> str:
    many = len({c.doc_id for c in a.citations}) > 1  # an answer citing two plans names each source's plan
    return a.answer + ("" if not a.citations else "\n\n" + "\n".join(
        f"[{c.n}] {'《' + c.doc_title + '》' if many else ''}{c.chapter} {c.section}" for c in a.citations))


def _extra(a: Answer) -> dict:
    return {"support": a.support, "refused": a.refused, "suggestions": list(a.suggestions),
            "citations": [c.to_dict() for c in a.citations]}


def _event(payload: dict) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _chunks(base: dict, a: Answer) -> Iterator[str]:
    """OpenAI's chunk sequence: the role, the text in pieces, a last chunk with ``finish_reason``, [DONE]."""
    yield _event({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]})
    text = _text(a)
    for i in range(0, len(text), STREAM_PIECE_CHARS):
        delta = {"index": 0, "delta": {"content": text[i:i + STREAM_PIECE_CHARS]}, "finish_reason": None}
        yield _event({**base, "choices": [delta]})
    yield _event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                  "plan_assistant": _extra(a)})
    yield "data: [DONE]\n\n"


def _completion(base: dict, a: Answer) -> dict:
    return {**base,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": _text(a)}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "plan_assistant": _extra(a)}


def add_openai_routes(app: FastAPI, get_assistant: Callable[[], Assistant]) -> None:
    @app.post("/v1/chat/completions")
    def chat_completions(req: ChatCompletionRequest):
        users = [m.content for m in req.messages if m.role == "user"]
        if not users:
            raise HTTPException(400, "messages 中至少需要一条 user 消息。")
        assistant = get_assistant()
        a = assistant.ask(assistant.validate(users[-1]), req.user or None, docs=req.scope())
        cid, created = f"chatcmpl-{a.session_id[:12]}", int(time.time())

        def base(kind: str) -> dict:
            return {"id": cid, "object": kind, "created": created, "model": req.model}

        if not req.stream:
            return _completion(base("chat.completion"), a)
        return StreamingResponse(_chunks(base("chat.completion.chunk"), a), media_type="text/event-stream")
