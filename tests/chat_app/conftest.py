"""A real uvicorn server on a free loopback port, shared by the API and browser tests."""
from __future__ import annotations

import threading

import pytest
import uvicorn

from tests.chat_app.net import free_port, wait_up


@pytest.fixture(scope="session")
def assistant(retrievers, tmp_path_factory):
    from chat_app.config import Settings
    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore

    db = tmp_path_factory.mktemp("db") / "pa.sqlite3"
    return Assistant(Settings(), retrievers=retrievers, sessions=SessionStore(db))


@pytest.fixture(scope="session")
def live_server(assistant):
    from dataclasses import replace

    from chat_app.api import create_app
    from chat_app.config import Settings

    settings = replace(Settings(), rate_limit_per_minute=10_000, db_path=assistant.settings.db_path)
    app = create_app(settings, assistant=assistant)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_up(f"{url}/healthz", attempts=100, delay=0.1)
    yield url
    server.should_exit = True
    thread.join(timeout=5)
