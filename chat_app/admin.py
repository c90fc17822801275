"""/admin: the analytics page for officials, behind the API keys (PLAN_ASSISTANT_API_KEYS).

The page itself (/admin, /admin/admin.js) is static and holds no data; it asks for a key and sends it as
``X-API-Key`` to /api/admin/…, which sit under the guard (rate limit — so keys cannot be guessed quickly —
and key check) and check the key again themselves: a widget token or the /ui cookie never opens them, and
without configured keys the page is off (citizens' questions are not public).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response

from chat_app import analytics
from chat_app.config import Settings
from chat_app.security import key_matches, presented_key
from chat_app.storage import Store

STATIC = Path(__file__).resolve().parent / "static"
MAX_DAYS = 366
ADMIN_OFF = "管理页面未开启：请先设置环境变量 PLAN_ASSISTANT_API_KEYS（API 密钥）。"
BAD_KEY = "缺少或无效的 API 密钥。"
PAGE_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
                "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"}
CSV_NAMES = {"turns": "questions", "feedback": "feedback"}


def admin_router(settings: Settings, store: Callable[[], Store]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def require_key(request: Request) -> None:
        if not settings.api_keys:
            raise HTTPException(403, ADMIN_OFF)
        if not key_matches(presented_key({k.lower(): v for k, v in request.headers.items()}), settings.api_keys):
            raise HTTPException(401, BAD_KEY)

    @router.get("/admin")
    def page() -> FileResponse:
        return FileResponse(STATIC / "admin.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)

    @router.get("/admin/admin.js")
    def script() -> FileResponse:
        return FileResponse(STATIC / "admin.js", media_type="application/javascript", headers=PAGE_HEADERS)

    @router.get("/api/admin/stats")
    def stats(request: Request, days: int = Query(30, ge=1, le=MAX_DAYS)) -> dict:
        require_key(request)
        return analytics.summary(store(), days)

    @router.get("/api/admin/export.csv")
    def export(request: Request, kind: Literal["turns", "feedback"] = "turns",
               days: int = Query(30, ge=1, le=MAX_DAYS)) -> Response:
        require_key(request)
        name = f"plan-assistant-{CSV_NAMES[kind]}-{days}d.csv"
        return Response(analytics.export_csv(store(), kind, days), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})

    return router
