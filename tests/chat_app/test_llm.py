"""Pure guard logic of the LLM answerers (the real-model paths are in test_llm_server.py)."""
from chat_app.llm_base import degenerate
from chat_app.prompts import SYSTEM_PROMPT, messages_for


def test_looping_reply_is_degenerate():
    assert degenerate("[1] 规划中未提及 [2] 规划中未提及 [3] 规划中未提及 [4] 规划中未提及")
    assert degenerate("规划原文：\n规划原文：\n规划原文：\n规划原文：")
    assert not degenerate("到2025年森林覆盖率达到30.8%[1]。每年完成造林1.8万亩以上[2]。新增公园绿地[3]。")


def test_system_rules_can_travel_in_the_user_turn():
    both = messages_for("问题", [])
    merged = messages_for("问题", [], system_in_user=True)
    assert [m["role"] for m in both] == ["system", "user"]
    assert len(merged) == 1 and merged[0]["content"].startswith(SYSTEM_PROMPT)


def test_a_dripping_backend_is_cut_off_at_the_deadline_and_calls_are_bounded(assistant):
    """A real HTTP server that answers one byte every half second: the per-read time-out never fires, the
    deadline does; with 2 slots, 6 parallel questions all come back quickly and extractively."""
    import http.server
    import threading
    import time
    from dataclasses import replace

    from chat_app.engine import Assistant
    from chat_app.sessions import SessionStore
    from tests.chat_app.net import free_port

    stop = threading.Event()

    class Drip(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            while not stop.is_set():
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.5)

        def log_message(self, *args):
            pass

    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Drip)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        s = replace(assistant.settings, answerer="openai", llm_base_url=f"http://127.0.0.1:{port}/v1",
                    llm_timeout=1.0, llm_max_concurrent=2)
        a = Assistant(s, retrievers=assistant.retrievers, sessions=SessionStore(":memory:"))
        first: list = []
        t = time.monotonic()
        th = threading.Thread(target=lambda: first.append(a.ask("伍姓湖以后咋治理？")), daemon=True)
        th.start()
        th.join(timeout=10)  # without the deadline this would wait for ever
        assert first and time.monotonic() - t < 5
        assert first[0].mode == "extractive" and any("TimeoutError" in n for n in first[0].notes)
        results, t = [], time.monotonic()
        threads = [threading.Thread(target=lambda: results.append(a.ask("伍姓湖以后咋治理？")), daemon=True)
                   for _ in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=30)
        assert len(results) == 6 and time.monotonic() - t < 8
        assert all(r.mode == "extractive" and r.answer for r in results)
    finally:
        stop.set()
        server.shutdown()
