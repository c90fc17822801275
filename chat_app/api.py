"""HTTP: the JSON API, SSE streaming, an OpenAI-compatible endpoint, the widget and the Gradio UI.

Bad input never reaches a 500: validation errors become 400/422 with a Chinese ``detail``.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import AfterValidator, BaseModel, Field, Strict, StringConstraints

from chat_app.admin import admin_router
from chat_app.config import Settings
from chat_app.docs import mount_docs
from chat_app.engine import Assistant, QuestionError
from chat_app.index import load_index
from chat_app.security import UI_COOKIE, Guard, SignedTokens
from chat_app.sessions import STORAGE_DOWN, StorageUnavailable
from chat_app.storage import Store, make_limiter, open_store

log = logging.getLogger("plan_assistant.api")

STATIC = Path(__file__).resolve().parent / "static"


INVALID_TEXT = "INVALID_TEXT"  # marks the validation error that becomes a 400 (not a 422)
SESSION_ID_CHARS = 64
FEEDBACK_TEXT_CHARS = 4000
MAX_TURN = 1_000_000
TITLE = "永济“十四五”规划助手 API"


def _encodable(text: str) -> str:
    """A lone surrogate ("\ud800") passes JSON but breaks every later UTF-8 write (SQLite, the response)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(INVALID_TEXT) from None
    return text


def Text(max_chars: int | None = None):  # noqa: N802 - a type factory, read like a type
    return Annotated[str, Strict(), StringConstraints(max_length=max_chars), AfterValidator(_encodable)]


class AskRequest(BaseModel):
    question: Text()
    session_id: Text(SESSION_ID_CHARS) | None = None


class FeedbackRequest(BaseModel):
    rating: Literal[1, -1]
    session_id: Text(SESSION_ID_CHARS) | None = None
    turn: int | None = Field(None, ge=0, le=MAX_TURN)
    question: Text(FEEDBACK_TEXT_CHARS) = ""
    answer: Text(FEEDBACK_TEXT_CHARS) = ""
    comment: Text(2000) = ""


class ChatMessage(BaseModel):
    role: Text(32)
    content: Text()


class ChatCompletionRequest(BaseModel):
    model: Text(100) = "plan-assistant"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    user: Text(SESSION_ID_CHARS) | None = None


THREADS_PER_CPU = 2  # worker threads per core for the sync routes (their work is CPU-bound)
PROBE_WAIT_S = 0.05  # /healthz waits this long for a write probe, then answers from the last one
FIRST_PROBE_WAIT_S = 2.0  # before any probe has finished there is no last answer to give


def request_threads(settings: Settings) -> int:
    """Per core, plus one per model call in flight when an LLM answers (those threads wait on the model)."""
    waiting = settings.llm_max_concurrent if settings.answerer != "extractive" else 0
    return THREADS_PER_CPU * (os.cpu_count() or 2) + waiting


def bounded_request_threads(inner, threads: int):
    """The app's lifespan, first sizing the worker pool. Sync routes run in anyio's pool (40 threads by
    default); their work is CPU-bound on a few cores, so 40 threads only queue on the GIL and the event loop
    — which answers /healthz — waits behind them (/healthz p95 ~1 s under 50 clients). A pool sized to the
    cores, plus the model calls that wait on the network, keeps the loop responsive and asks no slower."""

    @asynccontextmanager
    async def lifespan(app):
        import anyio.to_thread

        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        async with inner(app) as state:
            yield state

    return lifespan


class WriteProbe:
    """The database write probe off the request path. ``SessionStore.writable()`` writes under SQLite's lock
    (10 s busy time-out) and caches its answer for a second; here it runs on one thread of its own — not the
    request pool, which a load of questions fills — and /healthz waits at most PROBE_WAIT_S for it, else
    answers from the last finished probe (a database busy with writes is not a broken one)."""

    def __init__(self, sessions: Store) -> None:
        self.sessions = sessions
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="health-probe")
        self.running: Future | None = None
        self.last: bool | None = None  # no probe finished yet

    async def writable(self) -> bool:
        if self.running is None or self.running.done():
            self.running = self.pool.submit(self.sessions.writable)
        wait = PROBE_WAIT_S if self.last is not None else FIRST_PROBE_WAIT_S
        try:
            self.last = await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self.running)), wait)
        except asyncio.TimeoutError:
            pass
        except Exception:  # noqa: BLE001 - a probe that failed in an unforeseen way: not writable
            log.exception("database write probe failed")
            self.last = False
        return self.last is not False  # still unknown after the first wait: the store did open at start-up


def _sse(events: Iterator[dict]) -> Iterator[str]:
    """A failure after the 200 went out becomes an error event the widget shows, not a cut-off body."""
    try:
        for ev in events:
            yield f"data: {json.dumps(ev, ensure_ascii=False)}\n\n"
    except StorageUnavailable:
        log.error("stream stopped: the database cannot be written")
        yield f"data: {json.dumps({'type': 'error', 'message': STORAGE_DOWN}, ensure_ascii=False)}\n\n"


def create_app(settings: Settings | None = None, assistant: Assistant | None = None,
               sessions: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title=TITLE, version="0.1.0", docs_url=None, redoc_url=None,
                  description="检索增强问答：回答均引用规划原文的章/节。")
    mount_docs(app, TITLE)
    if assistant is not None:
        sessions = assistant.sessions
    state: dict = {"assistant": assistant, "error": "",
                   "sessions": sessions or open_store(settings)}
    lock = threading.Lock()
    limiter = make_limiter(settings)
    tokens = SignedTokens(settings.widget_secret)
    embed_html = (STATIC / "embed.html").read_text(encoding="utf-8")

    def get_assistant() -> Assistant:
        with lock:
            if state["assistant"] is None:
                state["assistant"] = Assistant(settings, retrievers=load_index(settings), sessions=state["sessions"])
            return state["assistant"]

    def warm() -> None:
        try:
            get_assistant()
        except Exception as exc:  # noqa: BLE001 - a thread's failure must reach /healthz and the log
            state["error"] = str(exc)
            log.error("the assistant could not be loaded: %s", exc)

    app.add_middleware(Guard, max_body=settings.max_body_bytes, keys=settings.api_keys, limiter=limiter,
                       tokens=tokens, token_paths=("/api/ask", "/api/ask/stream", "/api/feedback"))

    @app.middleware("http")
    async def framing(request: Request, call_next):
        response = await call_next(request)
        path = request.url.path
        if path.startswith("/embed") or path.startswith("/ui"):
            ancestors = " ".join(settings.allowed_origins) if "*" not in settings.allowed_origins else "*"
            response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
        if path in ("/ui", "/ui/") and settings.api_keys:  # the page's own API calls carry this cookie
            response.set_cookie(UI_COOKIE, tokens.issue(), max_age=tokens.ttl, httponly=True, samesite="strict")
        return response

    # outermost: preflights are answered before the guard, and 401/429 carry CORS headers
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins),
                       allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"])

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return JSONResponse({"detail": "请求体不是合法的 JSON。"}, status_code=422)
        if any(INVALID_TEXT in str(e.get("msg", "")) or e.get("type") == "string_unicode" for e in exc.errors()):
            return JSONResponse({"detail": "文本中含有无法识别的字符，请检查后重新输入。"}, status_code=400)
        fields = "、".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "请求体" for e in exc.errors())
        return JSONResponse({"detail": f"请求格式不正确：{fields}。"}, status_code=422)

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, exc: QuestionError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(StorageUnavailable)
    async def storage_down(request: Request, exc: StorageUnavailable):
        log.error("503 on %s: the database cannot be written (%s)", request.url.path, exc)
        return JSONResponse({"detail": STORAGE_DOWN}, status_code=503)

    probe = WriteProbe(state["sessions"])

    app.router.lifespan_context = bounded_request_threads(app.router.lifespan_context, request_threads(settings))

    @app.get("/healthz")
    async def healthz():
        """503 while the index loads (or failed to) and while the database cannot take a write. Async and
        never waiting on the worker pool or SQLite's lock for more than the probe's short wait."""
        if state["assistant"] is None:
            body = {"status": "error", "detail": state["error"]} if state["error"] else {"status": "loading"}
            return JSONResponse(body, 503)
        if not await probe.writable():
            return JSONResponse({"status": "unavailable", "detail": STORAGE_DOWN}, 503)
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        get_assistant()
        return {"status": "ok"}

    @app.post("/api/ask")
    def ask(req: AskRequest):
        a = get_assistant().ask(req.question, req.session_id)
        return {**a.to_dict(), "session_id": a.session_id}

    @app.post("/api/ask/stream")
    def ask_stream(req: AskRequest):
        assistant = get_assistant()
        assistant.validate(req.question)  # fail with 400 before the stream starts
        events = assistant.stream(req.question, req.session_id)
        # the answer and its history write happen before the first event: a storage failure is a 503 with
        # a JSON detail here, not a 200 whose body ends empty
        first = next(events)
        return StreamingResponse(_sse(itertools.chain([first], events)),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/api/search")
    def search(q: str = Query(..., max_length=500), k: int = Query(10, ge=1, le=50)):
        if not q.strip():
            raise HTTPException(400, "查询内容不能为空。")
        try:
            _encodable(q)
        except ValueError:
            raise HTTPException(400, "文本中含有无法识别的字符，请检查后重新输入。") from None
        return {"query": q, "hits": [h.to_dict() for h in get_assistant().retriever.search(q, k)]}

    @app.get("/api/outline")
    def outline():
        out: list[dict] = []
        for c in get_assistant().retrievers.chunks:
            if not out or out[-1]["chapter"] != c.chapter:
                out.append({"chapter": c.chapter or "前言", "sections": []})
            secs = out[-1]["sections"]
            if not secs or secs[-1]["section"] != c.section:
                secs.append({"section": c.section, "chunks": []})
            secs[-1]["chunks"].append({"chunk_id": c.id, "kind": c.kind, "title": c.title, "text": c.text})
        return out

    @app.post("/api/feedback")
    def feedback(req: FeedbackRequest):
        fid = get_assistant().sessions.add_feedback(req.session_id, req.turn, req.rating, req.question,
                                                    req.answer, req.comment)
        return {"status": "ok", "id": fid}

    @app.post("/v1/chat/completions")
    def chat_completions(req: ChatCompletionRequest):
        users = [m.content for m in req.messages if m.role == "user"]
        if not users:
            raise HTTPException(400, "messages 中至少需要一条 user 消息。")
        assistant = get_assistant()
        question = assistant.validate(users[-1])
        sid = req.user or None
        a = assistant.ask(question, sid)
        created, cid = int(time.time()), f"chatcmpl-{a.session_id[:12]}"
        text = a.answer + ("" if not a.citations else "\n\n" + "\n".join(
            f"[{c.n}] {c.chapter} {c.section}" for c in a.citations))
        if not req.stream:
            return {"id": cid, "object": "chat.completion", "created": created, "model": req.model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
                    # extra field (not in OpenAI's schema; clients ignore it): how far the plan answers
                    "plan_assistant": {"support": a.support, "refused": a.refused,
                                       "suggestions": list(a.suggestions)}}

        def chunks() -> Iterator[str]:
            base = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": req.model}
            yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {'role': 'assistant'}, 'finish_reason': None}]}, ensure_ascii=False)}\n\n"
            for i in range(0, len(text), 8):
                delta = {"index": 0, "delta": {"content": text[i:i + 8]}, "finish_reason": None}
                yield f"data: {json.dumps({**base, 'choices': [delta]}, ensure_ascii=False)}\n\n"
            last = {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    "plan_assistant": {"support": a.support, "refused": a.refused, "suggestions": list(a.suggestions)}}
            yield f"data: {json.dumps(last, ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")

    app.include_router(admin_router(settings, lambda: state["sessions"]))

    @app.get("/widget.js")
    def widget():
        return FileResponse(STATIC / "widget.js", media_type="application/javascript")

    @app.get("/embed")
    def embed():
        html = embed_html.replace("{{WIDGET_TOKEN}}", tokens.issue() if settings.api_keys else "")
        return HTMLResponse(html, headers={"Cache-Control": "no-store"})

    @app.get("/", include_in_schema=False)
    def root():
        return PlainTextResponse("永济“十四五”规划助手：网页版见 /ui，接口文档见 /docs，嵌入组件见 /widget.js")

    try:
        import gradio as gr

        from chat_app.ui import UI_HEAD, build_ui

        app = gr.mount_gradio_app(app, build_ui(get_assistant, settings.max_question_chars), path="/ui",
                                  footer_links=[], favicon_path=str(STATIC / "favicon.svg"), head=UI_HEAD)
    except ImportError:
        pass
    state["warm"] = threading.Thread(target=warm, daemon=True)
    state["warm"].start()
    return app
