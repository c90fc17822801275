"""The one guard in front of every route that does work: body size, API keys, widget/UI tokens, rate limit.

Pure ASGI (not BaseHTTPMiddleware) so the body limit holds for chunked uploads too: the body is read up to
the limit before the app sees it. Keys are compared in constant time and failed attempts count toward the
client's rate limit, because the limit is checked first.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable

import anyio
import anyio.to_thread

from chat_app.gradio_gate import GradioGate, Problem

WINDOW_SECONDS = 60
PRUNE_EVERY = 1024  # calls between sweeps of clients whose window has emptied
TOKEN_DIGITS_MAX = 12  # an expiry timestamp; anything longer is not one of ours
UI_COOKIE = "pa_ui_token"
GUARDED_PREFIXES = ("/api/", "/v1/", "/ui/gradio_api/")


class RateLimiter:
    """Sliding one-minute window per client; memory bounded by sweeping idle clients."""

    blocking = False  # in memory, microseconds: the guard calls it on the event loop

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()
        self.calls = 0

    def retry_after(self, client: str) -> int:
        if self.per_minute <= 0:
            return 0
        now = time.monotonic()
        with self.lock:
            self.calls += 1
            if self.calls % PRUNE_EVERY == 0:
                self._prune(now)
            q = self.hits.setdefault(client, deque())
            while q and now - q[0] > WINDOW_SECONDS:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(1, int(WINDOW_SECONDS - (now - q[0])) + 1)
            q.append(now)
        return 0

    def _prune(self, now: float) -> None:
        idle = [c for c, q in self.hits.items() if not q or now - q[-1] > WINDOW_SECONDS]
        for c in idle:
            del self.hits[c]


class SignedTokens:
    """Short-lived HMAC tokens: /embed bakes one in for the widget, /ui sets one as a cookie. Anyone who can
    load those pages can ask questions, exactly as in them; and rate their answers (feedback); search and /v1 stay behind the keys."""

    def __init__(self, secret: str = "", ttl_seconds: int = 24 * 3600) -> None:
        self.secret = (secret or secrets.token_hex(32)).encode()
        self.ttl = ttl_seconds

    def _sign(self, expires: str) -> bytes:
        return hmac.new(self.secret, expires.encode(), hashlib.sha256).hexdigest()[:32].encode()

    def issue(self) -> str:
        expires = str(int(time.time()) + self.ttl)
        return f"{expires}.{self._sign(expires).decode()}"

    def valid(self, token: str) -> bool:
        """Any malformed token is simply invalid (never an exception): ASCII digits only, bounded length,
        an expiry in the future but not beyond the lifetime this server issues."""
        expires, _, sig = token.partition(".")
        if not (expires.isascii() and expires.isdigit() and len(expires) <= TOKEN_DIGITS_MAX):
            return False
        now = time.time()
        if not now < int(expires) <= now + self.ttl + 60:
            return False
        return hmac.compare_digest(sig.encode("utf-8", "replace"), self._sign(expires))


def key_matches(given: str, keys: Iterable[str]) -> bool:
    """Constant-time over every configured key (no early exit on the first match)."""
    given_b = given.encode("utf-8", "replace")
    found = False
    for k in keys:
        found |= hmac.compare_digest(given_b, k.encode())
    return found


def presented_key(headers: dict[str, str]) -> str:
    """`X-API-Key: k` or `Authorization: Bearer k`; a bare `Authorization: k` is not a key."""
    if headers.get("x-api-key"):
        return headers["x-api-key"]
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def cookie(headers: dict[str, str], name: str) -> str:
    for part in headers.get("cookie", "").split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v
    return ""


Send = Callable[[dict], Awaitable[None]]


async def reply(send: Send, status: int, detail: str, extra: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """ASGI middleware: /ui's route allowlist, body limit (streamed, chunked included), rate limit, then keys
    or tokens, then (for Gradio's function calls and result streams) the arguments and session."""

    def __init__(self, app, *, max_body: int, keys: tuple[str, ...], limiter: RateLimiter,
                 tokens: SignedTokens, token_paths: tuple[str, ...], gate: GradioGate | None = None) -> None:
        self.app, self.max_body, self.keys = app, max_body, keys
        self.limiter, self.tokens, self.token_paths = limiter, tokens, token_paths
        self.gate = gate
        # worker-thread slots for a blocking limiter, per event loop
        self.slots: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None

    async def __call__(self, scope, receive, send) -> None:
        path, method = scope.get("path", ""), scope.get("method", "")
        if scope["type"] != "http" or method == "OPTIONS":
            await self.app(scope, receive, send)  # CORS preflights are answered before any key check
            return
        route = None
        if self.gate is not None and (path == self.gate.mount or path.startswith(self.gate.mount + "/")):
            route = self.gate.route(method, path)
            if isinstance(route, Problem):  # a Gradio route /ui does not use: Gradio never sees it
                await reply(send, route.status, route.detail, route.headers)
                return
        if not path.startswith(GUARDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        body = b""
        if method == "POST":
            body = await self._read(receive)
            problem = body_problem(body, headers.get("content-type", "")) if body is not None \
                else Problem(413, "请求内容过大。")
            if problem:
                await reply(send, problem.status, problem.detail)
                return
            receive = _replay(body, receive)
        problem = await self._admit(path, scope, headers) or self._gradio(route, body, headers, scope)
        if problem:
            await reply(send, problem.status, problem.detail, problem.headers)
            return
        await self.app(scope, receive, send)

    async def _admit(self, path: str, scope, headers: dict[str, str]) -> Problem | None:
        """The rate limit first, so failed keys count toward it too."""
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = await self._retry_after(client)
        if wait:
            return Problem(429, "请求太频繁，请稍后再试。", {"Retry-After": str(wait)})
        if self.keys and not self._allowed(path, headers):
            return Problem(401, "缺少或无效的 API 密钥。")
        return None

    async def _retry_after(self, client: str) -> int:
        """A limiter that asks a database (``blocking``) is asked on a worker thread: on the event loop its
        round trip, or its wait for a pooled connection, would hold up every request of the process,
        /healthz included. Its own capacity limiter keeps these calls out of the request pool, where they
        would queue behind the questions. The in-process limiter stays a plain call."""
        if not getattr(self.limiter, "blocking", False):
            return self.limiter.retry_after(client)
        loop = asyncio.get_running_loop()
        if self.slots is None or self.slots[0] is not loop:  # one per event loop (TestClient makes several)
            self.slots = (loop, anyio.CapacityLimiter(getattr(self.limiter, "concurrency", 2)))
        return await anyio.to_thread.run_sync(self.limiter.retry_after, client, limiter=self.slots[1])

    def _gradio(self, route, body: bytes, headers: dict[str, str], scope) -> Problem | None:
        if route is None:
            return None
        name, params = route
        if name in ("join", "call"):
            return self.gate.check_call(name, params, body, headers.get("content-type", ""))
        return self.gate.check_stream(name, params, scope.get("query_string", b""))

    def _allowed(self, path: str, headers: dict[str, str]) -> bool:
        if key_matches(presented_key(headers), self.keys):
            return True
        if path in self.token_paths and self.tokens.valid(headers.get("x-widget-token", "")):
            return True
        return path.startswith("/ui/gradio_api/") and self.tokens.valid(cookie(headers, UI_COOKIE))

    async def _read(self, receive) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            part = message.get("body", b"")
            size += len(part)
            if size > self.max_body:
                return None
            chunks.append(part)
            if not message.get("more_body"):
                break
        return b"".join(chunks)


def _no_constants(name: str):
    raise ValueError(name)


def body_problem(body: bytes, content_type: str) -> Problem | None:
    """A JSON body must be UTF-8 and plain JSON (no NaN/Infinity) before any route — Gradio's included —
    parses it: Gradio answers both with a 500."""
    if "json" not in content_type or not body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Problem(400, "请求内容不是合法的 UTF-8 文本。")
    try:
        json.loads(text, parse_constant=_no_constants)
    except ValueError:
        return Problem(422, "请求体不是合法的 JSON。")
    return None


def _replay(body: bytes, original):
    """The body once, then the real channel (a streaming response listens on it for the disconnect)."""
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
