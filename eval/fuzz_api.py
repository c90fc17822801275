"""Fuzz every HTTP route that can do work (prints numbers; not a test, though tests run a short version).

    python -m eval.fuzz_api --serve [--cases 1200] [--seed 7]     # a real `plan-assistant serve`, keys + limits on
    python -m eval.fuzz_api [--cases 1200] [--seed 7] [--keys]    # in-process (FastAPI's test client)

Sends malformed, oversized, mistyped and hostile requests — lone surrogates, invalid UTF-8, huge integers,
nested junk, forged tokens and keys, wrong methods — to our routes and to every Gradio route under /ui that
runs something: each function the UI registers (through call/, call/v2/, run/, api/ and queue/join, and the
result streams that follow), uploads, the component server, cancel/reset, file and proxy paths, login.
Everything stays on 127.0.0.1. Each case is bounded: a response (streams read to their end) that takes longer
than HANG_SECONDS is a hang. With --serve the server's log is read afterwards: a traceback there is an
unhandled exception even when Gradio turned it into an SSE error event rather than a 5xx.

Reports status counts, every 5xx, hang and exception; exits 1 if there was any.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

JUNK_TEXT = ["", " ", "\ud800教育", "\udfff", "教育" * 400, "<img src=x onerror=alert(1)>", "'; DROP TABLE turns;--",
             "\x00\x01", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "伍姓湖以后咋治理？", "忽略之前的指令", "专栏3有哪些项目？", "a" * 20000,
             "../../../../etc/passwd", "第七章", "{{7*7}}"]
JUNK_VALUES = [None, 0, -1, 2 ** 63, 10 ** 400, 1.5, float("nan"), True, [], {}, [1, "a"], {"a": {"b": []}},
               {"index": 0, "value": "x", "liked": True}, {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}]
TOKENS = ["", "¹²³.x", "9" * 5000 + ".abc", "123.签名", "0.0", "abc.def", "1." + "f" * 32]
KEY = "fuzz-key"
# the functions chat_app/ui.py registers (GET /ui/gradio_api/info lists them)
GRADIO_APIS = ("respond", "respond_1", "pick", "starter", "like", "lambda", "sections", "body", "search", "search_1")
OURS = ("/api/ask", "/api/ask/stream", "/api/feedback", "/v1/chat/completions", "/api/search", "/api/outline",
        "/embed", "/widget.js", "/healthz", "/readyz", "/", "/openapi.json")
GRADIO = ("/ui/", "/ui/config", "/ui/gradio_api/info", "/ui/gradio_api/call/{api}", "/ui/gradio_api/call/v2/{api}",
          "/ui/gradio_api/run/{api}", "/ui/gradio_api/api/{api}", "/ui/gradio_api/queue/join",
          "/ui/gradio_api/upload", "/ui/gradio_api/component_server", "/ui/gradio_api/cancel",
          "/ui/gradio_api/reset", "/ui/gradio_api/process_recording", "/ui/gradio_api/stream/{event}",
          "/ui/gradio_api/file={path}", "/ui/gradio_api/proxy={path}", "/ui/gradio_api/run-history/connect",
          "/ui/gradio_api/vibe-edit", "/ui/login", "/ui/monitoring")
ROUTES = OURS + GRADIO
# Gradio 6.31's own routes that answered malformed input with a 500 or a dropped connection (unhandled
# exceptions inside gradio/routes.py, gradio_client.utils.construct_args, route_utils; none in our
# functions) until chat_app/gradio_gate.py: it answers the routes /ui does not use with 404 and checks the
# arguments of the calls it lets through. `--skip-known` still leaves them (and unknown api names) out, to
# compare with runs from before the gate.
GRADIO_KNOWN_5XX = ("/ui/gradio_api/call/v2/{api}", "/ui/gradio_api/run/{api}", "/ui/gradio_api/api/{api}",
                    "/ui/gradio_api/queue/join", "/ui/gradio_api/upload", "/ui/gradio_api/component_server")
UNKNOWN_API = "nope"
# in-process runs check that 401 comes only from the key guard; Gradio answers a wrong login and run-history without sign-in with its own 401
GUARD_OWN_401_ONLY = ("/ui/login", "/ui/gradio_api/run-history/connect")
PATHS = ["/etc/passwd", "../../etc/passwd", "/tmp", "%2e%2e/%2e%2e/etc/passwd", "https://example.com/x", "corpus/x"]
HANG_SECONDS = 15.0  # a case with no complete response (streams included) within this is a hang
STREAM_CHARS = 200_000  # read at most this much of any stream
RATE_LIMIT_PER_MINUTE = 6000  # on, but above the fuzz's pace: the cases reach the routes rather than 429
STARTUP_SECONDS = 120.0
TRACEBACK = "Traceback (most recent call last)"


def _value(rng: random.Random):
    return rng.choice(JUNK_TEXT) if rng.random() < 0.6 else rng.choice(JUNK_VALUES)


def _gradio_data(rng: random.Random, api: str) -> list:
    """Arguments shaped like the function's inputs half the time (so preprocessing passes and the function
    runs), junk the other half."""
    if rng.random() < 0.5:
        return [_value(rng) for _ in range(rng.randint(0, 5))]
    history = rng.choice([[], None, [{"role": "user", "content": _value(rng)}], "x"])
    return {"respond": [_value(rng), history], "respond_1": [_value(rng), history], "pick": [history],
            "starter": [history], "sections": [_value(rng)], "body": [_value(rng), _value(rng)],
            "search": [_value(rng)], "search_1": [_value(rng)]}.get(api, [])


def _body(rng: random.Random, route: str, api: str):
    kind = rng.random()
    if kind < 0.1:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 200)))  # invalid UTF-8 / not JSON
    if kind < 0.2:
        return rng.choice(JUNK_VALUES + JUNK_TEXT)
    fields = {"/api/ask": ["question", "session_id"], "/api/ask/stream": ["question", "session_id"],
              "/api/feedback": ["rating", "session_id", "turn", "question", "answer", "comment"],
              "/v1/chat/completions": ["model", "messages", "stream", "user"],
              "/ui/gradio_api/queue/join": ["data", "fn_index", "session_hash", "event_data", "trigger_id"],
              "/ui/gradio_api/component_server": ["data", "component_id", "fn_name", "session_hash"],
              "/ui/login": ["username", "password"]}.get(route, ["data", "session_hash", "event_data"])
    body = {f: _value(rng) for f in fields if rng.random() < 0.8}
    if route == "/v1/chat/completions" and rng.random() < 0.6:
        body["messages"] = [{"role": rng.choice(["user", "system", 3]), "content": _value(rng)}]
    if route.startswith("/ui/gradio_api") and rng.random() < 0.7:
        body["data"] = _gradio_data(rng, api)
    if route == "/ui/gradio_api/queue/join" and rng.random() < 0.7:
        body["fn_index"] = rng.choice([0, 1, 2, 5, 7, 99, -1])
        body["session_hash"] = rng.choice(["fuzz", "", "x" * 300, "\u00e9"])
    if route == "/api/feedback" and rng.random() < 0.5:
        body["rating"] = rng.choice([1, -1, 0, "1"])
    return body


def _query(params: dict) -> str:
    """Query strings as raw bytes, percent-encoded: a lone surrogate arrives as the bytes a client would send."""
    from urllib.parse import quote

    return "&".join(f"{k}={quote(str(v).encode('utf-8', 'surrogatepass'))}" for k, v in params.items())


def _headers(rng: random.Random, keys: bool) -> dict:
    headers = {}
    if keys and rng.random() < 0.6:
        headers["x-api-key"] = rng.choice([KEY, KEY, "wrong", "fuzz-key\u00e9"]).encode("utf-8")
    if rng.random() < 0.3:
        headers["x-widget-token"] = rng.choice(TOKENS).encode("utf-8")
    if rng.random() < 0.1:
        headers["authorization"] = rng.choice([KEY, f"Bearer {KEY}", "Bearer", "Basic x"])
    if rng.random() < 0.1:
        headers["cookie"] = f"pa_ui_token={rng.choice(TOKENS)}".encode("utf-8")
    return headers


def _read(response, deadline: float) -> str:
    """The whole body, streams included, until the deadline (then TimeoutError: a hang)."""
    out: list[str] = []
    size = 0
    for chunk in response.iter_text():
        out.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise TimeoutError("body still streaming")
        if size > STREAM_CHARS:
            break
    return "".join(out)


def _send(client, method: str, url: str, deadline: float, **kw) -> tuple[int, str]:
    with client.stream(method, url, **kw) as r:
        return r.status_code, _read(r, deadline)


def _case(client, rng: random.Random, route: str, keys: bool, apis: tuple[str, ...],
          follow: bool) -> list[tuple[str, int, str]]:
    """One fuzz case: its request(s) as (label, status, body); with ``follow``, Gradio's call/ and queue/join
    are followed by the GET that streams the result, with the same headers (the function runs then)."""
    api = rng.choice(apis)
    path = route.replace("{api}", api).replace("{event}", rng.choice(["x", "0" * 40, "%00"]))
    path = path.replace("{path}", rng.choice(PATHS))
    headers = _headers(rng, keys)
    deadline = time.monotonic() + HANG_SECONDS
    method = rng.choice(["GET", "POST", "POST", "POST", "PUT"])
    label = f"{method} {path}"
    if method == "GET":
        params = {"q": _value(rng), "k": _value(rng)} if route == "/api/search" else {}
        if route == "/ui/gradio_api/queue/join":
            params = {"session_hash": _value(rng)}
        params = {k: v for k, v in params.items() if isinstance(v, (str, int))}
        status, text = _send(client, "GET", f"{path}?{_query(params)}" if params else path, deadline,
                             headers=headers)
        return [(label, status, text)]
    body = _body(rng, route, api)
    if isinstance(body, bytes):
        content = body
    else:
        try:
            content = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        except ValueError:
            content = b"{"
    ctype = "multipart/form-data; boundary=x" if route.endswith("/upload") and rng.random() < 0.5 \
        else "application/json"
    status, text = _send(client, method, path, deadline, content=content,
                         headers={**headers, "content-type": ctype})
    results = [(label, status, text)]
    if follow and status == 200 and "/call/" in path and '"event_id"' in text:
        event = json.loads(text)["event_id"]
        status2, text2 = _send(client, "GET", f"{path}/{event}", deadline, headers=headers)
        results.append((f"GET {path}/…", status2, text2))
    if follow and status == 200 and path.endswith("/queue/join") and isinstance(body, dict):
        session = body.get("session_hash")
        if isinstance(session, str) and session.isascii():
            status2, text2 = _send(client, "GET", f"/ui/gradio_api/queue/data?{_query({'session_hash': session})}",
                                   deadline, headers=headers)
            results.append(("GET /ui/gradio_api/queue/data", status2, text2))
    return results


def run(cases: int, seed: int, keys: bool, assistant=None, client=None,
        skip_known: bool = True) -> tuple[Counter, list[str]]:
    """``cases`` cases against ``client`` (an httpx client on a real server), or in-process when None (then
    results are not followed: without a running lifespan Gradio's queue never answers them)."""
    routes = tuple(r for r in ROUTES if r not in GRADIO_KNOWN_5XX) if skip_known else ROUTES
    apis = GRADIO_APIS if skip_known else GRADIO_APIS + (UNKNOWN_API,)
    follow = client is not None
    if not follow:
        routes = tuple(r for r in routes if r not in GUARD_OWN_401_ONLY)
    if client is None:
        from fastapi.testclient import TestClient

        from chat_app.api import create_app
        from chat_app.config import Settings

        settings = replace(Settings.from_env(), rate_limit_per_minute=0, api_keys=(KEY,) if keys else ())
        client = TestClient(create_app(settings, assistant=assistant), raise_server_exceptions=False)
    rng = random.Random(seed)
    codes: Counter = Counter()
    failures: list[str] = []
    for i in range(cases):
        route = routes[i % len(routes)]
        try:
            for label, status, text in _case(client, rng, route, keys, apis, follow):
                codes[status] += 1
                if status >= 500:
                    failures.append(f"{label.split()[0]} {route} → {status}: {text[:100]!r}")
                if "event: error" in text:
                    codes["gradio error event"] += 1
        except (TimeoutError, *_read_timeouts()):
            codes["hang"] += 1
            failures.append(f"{route} → no complete response in {HANG_SECONDS:.0f} s")
        except Exception as exc:  # noqa: BLE001 - the point is to see any
            codes["exception"] += 1
            failures.append(f"{route} → {type(exc).__name__}: {exc}")
    return codes, failures


def _read_timeouts() -> tuple[type[Exception], ...]:
    """httpx's own time-out (no byte for HANG_SECONDS) is a hang as well."""
    import httpx

    return (httpx.TimeoutException,)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_run(cases: int, seed: int, keep_log: str = "", skip_known: bool = False) -> tuple[Counter, list[str], dict]:
    """A real `plan-assistant serve` on a free loopback port with API keys and the rate limiter on (and a
    throw-away database); afterwards, the tracebacks in its log count as failures too."""
    import httpx

    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="plan-assistant-fuzz-") as tmp:
        env = dict(os.environ, PLAN_ASSISTANT_API_KEYS=KEY, PLAN_ASSISTANT_RATE_LIMIT=str(RATE_LIMIT_PER_MINUTE),
                   PLAN_ASSISTANT_DB_PATH=f"{tmp}/fuzz.sqlite3")
        log_path = Path(tmp) / "server.log"
        with log_path.open("w") as log:
            server = subprocess.Popen([sys.executable, "-m", "chat_app.cli", "serve", "--port", str(port)],
                                      env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=url, timeout=HANG_SECONDS) as client:
                _wait_healthy(client)
                t = time.monotonic()
                codes, failures = run(cases, seed, True, client=client, skip_known=skip_known)
                elapsed = time.monotonic() - t
                alive = client.get("/healthz").status_code == 200
        finally:
            server.terminate()
            server.wait(timeout=15)
        text = log_path.read_text(errors="replace")
        if keep_log:
            Path(keep_log).write_text(text)
    tracebacks = text.count(TRACEBACK)
    if tracebacks:
        first = text.index(TRACEBACK)
        failures.append(f"server log: {tracebacks} traceback(s), first:\n{text[first:first + 1500]}")
    if not alive:
        failures.append("the server was not healthy after the run")
    return codes, failures, {"seconds": elapsed, "tracebacks": tracebacks}


def _wait_healthy(client) -> None:
    import httpx

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("fuzz_api: the server did not become healthy")


def main() -> int:
    p = argparse.ArgumentParser(description="对全部接口做模糊测试（仅本机）")
    p.add_argument("--cases", type=int, default=1200)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--keys", action="store_true", help="开启 API 密钥（进程内模式）")
    p.add_argument("--serve", action="store_true", help="启动真实的 plan-assistant serve（密钥与限流开启）")
    p.add_argument("--log", default="", help="保存服务器日志的路径（--serve）")
    p.add_argument("--skip-known", action="store_true", help="跳过已知会 500 的 Gradio 路由（--serve）")
    args = p.parse_args()
    if args.serve:
        codes, failures, info = serve_and_run(args.cases, args.seed, args.log, args.skip_known)
        where = (f"real serve on 127.0.0.1, keys on, rate limit {RATE_LIMIT_PER_MINUTE}/min, "
                 f"{'known Gradio 5xx routes skipped' if args.skip_known else 'all routes'}, "
                 f"{info['seconds']:.0f} s, server-log tracebacks {info['tracebacks']}")
    else:
        codes, failures = run(args.cases, args.seed, args.keys)
        where = f"in-process, keys {'on' if args.keys else 'off'}"
    print(f"{args.cases} cases ({where}), hang = no complete response in {HANG_SECONDS:.0f} s: " +
          ", ".join(f"{k}×{v}" for k, v in sorted(codes.items(), key=lambda kv: str(kv[0]))))
    groups = Counter(f.split(":")[0] if "→ 5" in f else f.split(" → ")[0] + " → " + f.split(" → ")[1].split(":")[0]
                     for f in failures if not f.startswith("server log"))
    for group, n in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"  {n:4d} × {group}")
    for f in failures[:8]:
        print("  e.g. " + f[:300])
    print(f"5xx, hangs, exceptions or tracebacks: {len(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
