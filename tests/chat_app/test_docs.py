"""/docs works offline: Swagger UI's assets come from this server, never from a CDN."""
from __future__ import annotations

import re
from dataclasses import replace

from fastapi.testclient import TestClient


def test_docs_reference_only_local_assets_and_they_load(assistant):
    from chat_app.api import create_app

    with TestClient(create_app(replace(assistant.settings, rate_limit_per_minute=0), assistant=assistant)) as c:
        html = c.get("/docs").text
        assert re.findall(r"https?://", html) == []
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", html)
        assert {"/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"} <= set(assets)
        for url in assets:
            r = c.get(url)
            assert r.status_code == 200 and len(r.content) > 100, url
        assert "'/openapi.json'" in html and c.get("/openapi.json").json()["openapi"].startswith("3.1")
        assert "oauth2RedirectUrl" in html and c.get("/docs/oauth2-redirect").status_code == 200
        assert c.get("/redoc").status_code == 404  # no local ReDoc: switched off rather than blank
