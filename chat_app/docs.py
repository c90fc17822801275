"""/docs from files on this machine: FastAPI's default Swagger UI loads its JS/CSS from a CDN, which is
unreachable offline and on most government intranets, leaving a blank page.

The assets come from the PyPI package ``swagger-ui-bundle-v2`` (Swagger UI 5, which renders FastAPI's
OpenAPI 3.1; Apache-2.0, licence file in the package's dist-info). ReDoc is switched off: no local copy.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

log = logging.getLogger("plan_assistant.docs")

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
ASSETS_URL = "/static/swagger"


def mount_docs(app: FastAPI, title: str) -> None:
    """Swagger UI at /docs with its assets under /static/swagger (create the app with docs_url=None)."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # pragma: no cover - a dependency; without it /docs falls back to the CDN
        log.warning("swagger-ui-bundle-v2 is not installed; /docs loads Swagger UI from a CDN")
        swagger_ui_path = None
    if swagger_ui_path is not None:
        app.mount(ASSETS_URL, StaticFiles(directory=str(swagger_ui_path)), name="swagger-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = {} if swagger_ui_path is None else {
            "swagger_js_url": f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            "swagger_css_url": f"{root}{ASSETS_URL}/swagger-ui.css",
            "swagger_favicon_url": f"{root}{ASSETS_URL}/favicon-32x32.png"}
        return get_swagger_ui_html(openapi_url=f"{root}{app.openapi_url}", title=title,
                                   oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}", **assets)

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
