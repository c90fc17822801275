"""Which of Gradio's routes under /ui may be reached, and the shape of what the page sends them.

Gradio mounts some forty routes (uploads, file= and proxy= paths, a component server, login, monitoring…),
and several answer malformed input with a 500 or a dropped connection. /ui uses only a few of them (measured
by loading /ui in Chromium and using every control): the page and its static files, and for each event
``queue/join`` then the ``queue/data`` stream, with ``heartbeat`` held open. Those, the ``info`` listing and
the ``call``/``run`` endpoints of the functions chat_app/ui.py registers are let through; everything else is
answered here with a Chinese 404/405 before Gradio sees it. Function calls are checked against the function
they name — its number of inputs, each input's type, the event data it needs — so Gradio only ever receives
arguments it can run, and a result stream is opened only for a session or event Gradio holds.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

log = logging.getLogger("plan_assistant.api")

UI_PATH = "/ui"
SESSION_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # the page's random base-36 ids, gradio_client's uuid4
EVENT_KEYS = ("index", "value")  # what gr.LikeData / gr.SelectData read from event_data
# (methods, path under /ui, what it is): the allowlist; a path not listed is a 404, a listed path with
# another method a 405. `api` names a registered function, checked separately.
ROUTES: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("GET",), r"/?", "page"),
    (("GET",), r"/config/?", "page"),
    (("GET",), r"/theme\.css", "page"),
    (("GET",), r"/(?:static|assets)/.+", "page"),
    (("GET",), r"/gradio_api/info/?", "info"),
    (("GET",), r"/gradio_api/heartbeat/(?P<session>[^/]*)", "heartbeat"),
    (("GET",), r"/gradio_api/queue/data", "data"),
    (("POST",), r"/gradio_api/queue/join", "join"),
    (("POST",), r"/gradio_api/(?P<kind>call|run)/(?P<api>[^/]+)/?", "call"),
    (("GET",), r"/gradio_api/call/(?P<api>[^/]+)/(?P<event>[^/]+)", "result"),
)
COMPILED = tuple((methods, re.compile(pattern), name) for methods, pattern, name in ROUTES)


@dataclass(frozen=True)
class Problem:
    status: int
    detail: str
    headers: dict[str, str] = field(default_factory=dict)


NOT_FOUND = Problem(404, "没有这个页面或接口。")
NO_SESSION = Problem(404, "没有找到这个会话或事件的结果，请重新提问。")
BAD_SESSION = Problem(400, "会话标识不正确。")
NOT_JSON = Problem(415, "请求体必须是 JSON。")


def _malformed(what: str) -> Problem:
    return Problem(422, f"请求格式不正确：{what}。")


def _is_text(value: Any, block: Any) -> bool:
    return isinstance(value, str)


def _is_choice(value: Any, block: Any) -> bool:
    """One value, from the choices unless the dropdown takes any (Gradio raises on others)."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    return bool(block.allow_custom_value) or value in {v for _, v in block.choices}


def _is_state(value: Any, block: Any) -> bool:
    """Gradio keeps state on the server and ignores what a client sends in its place (the page sends null)."""
    return True


def _is_text_chat(value: Any, block: Any) -> bool:
    """Gradio's own message model, text only: the page never sends files or components back."""
    if value is None:
        return True
    from gradio.components.chatbot import TextMessage
    from pydantic import ValidationError

    try:
        messages = block.data_model.model_validate(value)
    except ValidationError:
        return False
    return all(isinstance(part, TextMessage) for m in messages.root for part in m.content)


def _checks() -> dict[type, Callable[[Any, Any], bool]]:
    import gradio as gr

    return {gr.Textbox: _is_text, gr.Dropdown: _is_choice, gr.State: _is_state, gr.Chatbot: _is_text_chat}


def _refuse(value: Any, block: Any) -> bool:
    return False


@dataclass(frozen=True)
class Function:
    """One registered event function, as a call must fit it."""

    index: int
    api_name: str
    inputs: tuple[Any, ...]
    checks: tuple[Callable[[Any, Any], bool], ...]
    skip_api: tuple[bool, ...]
    event_data: bool

    def bad_data(self, data: Any, simple: bool) -> str:
        """The first bad part of ``data`` ('' when it fits). ``call/`` may leave out the inputs Gradio's API
        skips (state), which Gradio then fills with null."""
        if not isinstance(data, list):
            return "data"
        slots = list(zip(self.inputs, self.checks, self.skip_api))
        if simple and len(data) != len(slots):
            slots = [s for s in slots if not s[2]]
        if len(data) != len(slots):
            return f"data（应为 {len(slots)} 项）"
        for i, (value, (block, check, _)) in enumerate(zip(data, slots)):
            if not check(value, block):
                return f"data[{i}]"
        return ""


class GradioGate:
    """Built once from the Blocks that /ui mounts."""

    def __init__(self, blocks: Any, mount: str = UI_PATH) -> None:
        self.blocks, self.mount = blocks, mount
        checks = _checks()
        self.functions: dict[int, Function] = {}
        self.unchecked: list[str] = []
        for index, fn in blocks.fns.items():
            found = tuple(next((c for t, c in checks.items() if isinstance(b, t)), None) for b in fn.inputs)
            self.unchecked += [f"{fn.api_name}: {type(b).__name__}" for b, c in zip(fn.inputs, found) if c is None]
            self.functions[index] = Function(index, fn.api_name or "", tuple(fn.inputs),
                                             tuple(c or _refuse for c in found),
                                             tuple(bool(b.skip_api) for b in fn.inputs), bool(fn.collects_event_data))
        if self.unchecked:  # a new input type: its calls are refused until it has a check here
            log.warning("Gradio inputs without a check (their calls get 422): %s", ", ".join(self.unchecked))
        self.by_name = {f.api_name: f for f in self.functions.values() if f.api_name}

    def route(self, method: str, path: str) -> tuple[str, dict[str, str]] | Problem:
        """(what the route is, its path parameters), or the 404/405 to answer."""
        rest = path[len(self.mount):]
        for methods, pattern, name in COMPILED:
            m = pattern.fullmatch(rest)
            if m is None:
                continue
            params = m.groupdict()
            if "api" in params and params["api"] not in self.by_name:
                return NOT_FOUND
            if method not in methods:
                return Problem(405, f"该地址不支持 {method} 请求。", {"Allow": ", ".join(methods)})
            return name, params
        return NOT_FOUND

    def check_call(self, name: str, params: dict[str, str], body: bytes, content_type: str) -> Problem | None:
        """A function call (queue/join, call/, run/) whose arguments the function can take."""
        if "json" not in content_type:
            return NOT_JSON
        try:
            payload = json.loads(body)
        except ValueError:
            return _malformed("请求体")
        if not isinstance(payload, dict):
            return _malformed("请求体")
        if name == "join":
            index = payload.get("fn_index")
            fn = self.functions.get(index) if type(index) is int else None
            if fn is None:
                return _malformed("fn_index")
        else:
            fn = self.by_name[params["api"]]
        simple = params.get("kind") == "call"
        bad = _bad_envelope(payload, name == "join") or fn.bad_data(payload.get("data"), simple)
        if not bad and fn.event_data and not _is_event(None if simple else payload.get("event_data")):
            bad = "event_data"  # call/ drops event_data, so a function that needs it cannot be called there
        return _malformed(bad) if bad else None

    def check_stream(self, name: str, params: dict[str, str], query: bytes) -> Problem | None:
        """Result streams only for a session or event Gradio holds: for others Gradio raises inside an
        already started response, and the connection drops."""
        if name == "heartbeat":
            return None if SESSION_RE.fullmatch(params["session"]) else BAD_SESSION
        queue = getattr(self.blocks, "_queue", None)
        if name == "data":
            values = parse_qs(query.decode("latin-1")).get("session_hash", [])
            session = values[0] if len(values) == 1 else ""
            if not SESSION_RE.fullmatch(session):
                return BAD_SESSION
            held = getattr(queue, "pending_messages_per_session", None)
            return None if held is None or session in held else NO_SESSION
        if name == "result":
            return None if _event_held(queue, params["event"]) else NO_SESSION
        return None


def _event_held(queue: Any, event_id: str) -> bool:
    """Gradio's own look-up: a running event, or a finished one whose result has not been delivered."""
    events = getattr(queue, "event_ids_to_events", None)
    pending = getattr(queue, "pending_event_ids_session", None)
    if events is None or pending is None:
        return True  # another Gradio version: leave it to Gradio
    return event_id in events or any(event_id in ids for ids in list(pending.values()))


def _is_event(value: Any) -> bool:
    return isinstance(value, dict) and all(k in value for k in EVENT_KEYS)


def _bad_envelope(payload: dict, join: bool) -> str:
    """The fields around ``data``: types Gradio's models accept, and nothing that changes how it runs."""
    session = payload.get("session_hash")
    if (join or session is not None) and not (isinstance(session, str) and SESSION_RE.fullmatch(session)):
        return "session_hash"
    if payload.get("event_data") is not None and not isinstance(payload.get("event_data"), dict):
        return "event_data"
    for key in ("trigger_id",):
        if payload.get(key) is not None and type(payload.get(key)) is not int:
            return key
    for key in ("event_id", "oauth_token"):
        if payload.get(key) is not None and not isinstance(payload.get(key), str):
            return key
    for key in ("batched", "simple_format"):  # the page never sends them; both change how Gradio reads data
        if payload.get(key) not in (None, False):
            return key
    return ""
