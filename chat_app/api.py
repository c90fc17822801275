"""HTTP: the JSON API, SSE streaming, the widget and the Gradio UI in one FastAPI app (the OpenAI-compatible
``/v1`` routes are in ``openai_compat.py``, request bodies in ``api_models.py``, health in ``health.py``).

Bad input never reaches a 500: validation errors become 400/422 with a Chinese ``detail``.
"""
from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse

from chat_app.admin import admin_router
from chat_app.api_models import (DOC_ID_CHARS, INVALID_TEXT, INVALID_TEXT_DETAIL, MAX_DOCS, AskRequest,
                                 FeedbackRequest, encodable)
from chat_app.config import Settings
from chat_app.docs import mount_docs
from chat_app.engine import Assistant, QuestionError
from chat_app.gradio_gate import UI_PATH, GradioGate
from chat_app.health import WriteProbe, bounded_request_threads, request_threads
from chat_app.lifecycle import AssistantLoader, close_quietly, closing
from chat_app.openai_compat import add_openai_routes
from chat_app.security import UI_COOKIE, Guard, SignedTokens
from chat_app.sessions import STORAGE_DOWN, StorageUnavailable
from chat_app.storage import Limiter, Store, make_limiter

__all__ = ["AssistantLoader", "create_app", "request_threads"]

log = logging.getLogger("plan_assistant.api")

STATIC = Path(__file__).resolve().parent / "static"
TITLE = "永济“十四五”规划助手 API"
SEARCH_QUERY_CHARS = 500
SEARCH_K_MAX = 50
TOKEN_PATHS = ("/api/ask", "/api/ask/stream", "/api/feedback")  # what the widget's signed token opens


def _sse(events: Iterator[dict]) -> Iterator[str]:
    """A failure after the 200 went out becomes an error event the widget shows, not a cut-off body."""
    try:
        for ev in events:
            yield f"data: {json.dumps(ev, ensure_ascii=False)}\n\n"
    except StorageUnavailable:
        log.error("stream stopped: the database cannot be written")
        yield f"data: {json.dumps({'type': 'error', 'message': STORAGE_DOWN}, ensure_ascii=False)}\n\n"


def _add_middleware(app: FastAPI, settings: Settings, tokens: SignedTokens, gate: GradioGate | None,
                    limiter: Limiter) -> None:
    app.add_middleware(Guard, max_body=settings.max_body_bytes, keys=settings.api_keys,
                       limiter=limiter, tokens=tokens, token_paths=TOKEN_PATHS, gate=gate)

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


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return JSONResponse({"detail": "请求体不是合法的 JSON。"}, status_code=422)
        if any(INVALID_TEXT in str(e.get("msg", "")) or e.get("type") == "string_unicode" for e in exc.errors()):
            return JSONResponse({"detail": INVALID_TEXT_DETAIL}, status_code=400)
        fields = "、".join(".".join(str(p) for p in e.get("loc", ())[1:]) or "请求体" for e in exc.errors())
        return JSONResponse({"detail": f"请求格式不正确：{fields}。"}, status_code=422)

    @app.exception_handler(QuestionError)
    async def bad_question(request: Request, exc: QuestionError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(StorageUnavailable)
    async def storage_down(request: Request, exc: StorageUnavailable):
        log.error("503 on %s: the database cannot be written (%s)", request.url.path, exc)
        return JSONResponse({"detail": STORAGE_DOWN}, status_code=503)


def _add_health_routes(app: FastAPI, loader: AssistantLoader) -> None:
    probe = WriteProbe(loader.sessions)

    @app.get("/healthz")
    async def healthz():
        """503 while the index loads (or failed to) and while the database cannot take a write. Async and
        never waiting on the worker pool or SQLite's lock for more than the probe's short wait."""
        if loader.assistant is None:
            body = {"status": "error", "detail": loader.error} if loader.error else {"status": "loading"}
            return JSONResponse(body, 503)
        if not await probe.writable():
            return JSONResponse({"status": "unavailable", "detail": STORAGE_DOWN}, 503)
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        loader.get()
        return {"status": "ok"}


def _outline(assistant: Assistant, doc: str | None) -> list[dict]:
    out: list[dict] = []
    for c in assistant.document(doc).retrievers.chunks:
        if not out or out[-1]["chapter"] != c.chapter:
            out.append({"chapter": c.chapter or "前言", "sections": []})
        secs = out[-1]["sections"]
        if not secs or secs[-1]["section"] != c.section:
            secs.append({"section": c.section, "chunks": []})
        secs[-1]["chunks"].append({"chunk_id": c.id, "kind": c.kind, "title": c.title, "text": c.text})
    return out


def _add_api_routes(app: FastAPI, get_assistant: Callable[[], Assistant]) -> None:
    @app.post("/api/ask")
    def ask(req: AskRequest):
        a = get_assistant().ask(req.question, req.session_id, docs=req.scope())
        return {**a.to_dict(), "session_id": a.session_id}

    @app.post("/api/ask/stream")
    def ask_stream(req: AskRequest):
        assistant = get_assistant()
        assistant.validate(req.question)  # fail with 400 before the stream starts
        assistant.scope(req.scope())
        events = assistant.stream(req.question, req.session_id, docs=req.scope())
        # the answer and its history write happen before the first event: a storage failure is a 503 with
        # a JSON detail here, not a 200 whose body ends empty
        first = next(events)
        return StreamingResponse(_sse(itertools.chain([first], events)),
                                 media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    @app.get("/api/search")
    def search(q: str = Query(..., max_length=SEARCH_QUERY_CHARS), k: int = Query(10, ge=1, le=SEARCH_K_MAX),
               doc: list[str] | None = Query(None, max_length=MAX_DOCS, description="文档编号，可重复；不填为全部文档")):
        if not q.strip():
            raise HTTPException(400, "查询内容不能为空。")
        try:
            encodable(q)
        except ValueError:
            raise HTTPException(400, INVALID_TEXT_DETAIL) from None
        return {"query": q, "hits": [h.to_dict() for h in get_assistant().search(q, k, doc)]}

    @app.get("/api/docs")
    def docs():
        """The library's documents (the bundled plan first): ids for the `doc`/`docs` scope fields."""
        return [d.meta.public() for d in get_assistant().documents.values()]

    @app.get("/api/outline")
    def outline(doc: str | None = Query(None, max_length=DOC_ID_CHARS, description="文档编号；不填为内置规划")):
        return _outline(get_assistant(), doc)

    @app.post("/api/feedback")
    def feedback(req: FeedbackRequest):
        fid = get_assistant().sessions.add_feedback(req.session_id, req.turn, req.rating, req.question,
                                                    req.answer, req.comment)
        return {"status": "ok", "id": fid}


def _add_pages(app: FastAPI, settings: Settings, tokens: SignedTokens) -> None:
    embed_html = (STATIC / "embed.html").read_text(encoding="utf-8")

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


def _documents(settings: Settings, assistant: Assistant | None) -> list[tuple[str, str]]:
    """(name, id) of the library's documents for /ui's picker, without waiting for the index to load."""
    if assistant is not None:
        return [(d.meta.name, d.meta.id) for d in assistant.documents.values()]
    from chat_app.engine import meta_of
    from ingest.library import Library
    from ingest.readers import DocumentError

    try:
        return [(meta_of(info).name, info.id) for info in Library(settings.library_dir).documents()]
    except DocumentError as exc:  # the loader reports it (and /healthz); the page still serves
        log.error("the document library could not be read: %s", exc)
        return []


def _build_ui(settings: Settings, get_assistant: Callable[[], Assistant], assistant: Assistant | None = None):
    """Gradio is optional: without it (None) the API, widget and docs still serve."""
    try:
        from chat_app.ui import build_ui
    except ImportError:
        return None
    return build_ui(get_assistant, settings.max_question_chars, _documents(settings, assistant))


def _mount_ui(app: FastAPI, ui) -> FastAPI:
    if ui is None:
        return app
    import gradio as gr

    from chat_app.ui import UI_HEAD

    return gr.mount_gradio_app(app, ui, path=UI_PATH, footer_links=[], favicon_path=str(STATIC / "favicon.svg"),
                               head=UI_HEAD)


def create_app(settings: Settings | None = None, assistant: Assistant | None = None,
               sessions: Store | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(title=TITLE, version="0.1.0", docs_url=None, redoc_url=None,
                  description="检索增强问答：回答均引用规划原文的章/节。")
    mount_docs(app, TITLE)
    loader = AssistantLoader(settings, assistant, sessions)
    limiter = make_limiter(settings)
    app.state.loader, app.state.limiter = loader, limiter  # what shutdown closes (and tests look at)
    tokens = SignedTokens(settings.widget_secret)
    ui = _build_ui(settings, loader.get, assistant)
    _add_middleware(app, settings, tokens, GradioGate(ui, UI_PATH) if ui is not None else None, limiter)
    _add_error_handlers(app)
    lifespan = bounded_request_threads(app.router.lifespan_context, request_threads(settings))
    app.router.lifespan_context = closing(lifespan, [loader.close,
                                                     lambda: close_quietly(limiter, "the rate limiter")])
    _add_health_routes(app, loader)
    _add_api_routes(app, loader.get)
    add_openai_routes(app, loader.get)
    _add_pages(app, settings, tokens)
    app.include_router(admin_router(settings, lambda: loader.sessions))
    app = _mount_ui(app, ui)
    loader.start()
    return app
