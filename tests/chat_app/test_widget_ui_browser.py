"""Browser end-to-end tests of the widget's chat UI: feedback, copy, starters, focus, dark mode, contrast,
stop / retry, citation links and text-only rendering.

Headless Debian Chromium through Selenium 4 against the real app (`live_server` from conftest.py). The widget
is embedded in a page on a *different* origin; some tests drive the stand-alone /embed page directly.
Screenshots go to <repo>/test-output/ (copies of the widget ones are kept in docs/screenshots/).
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.chat_app.test_widget_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    DEEP_QUERY_JS,
    OUT_DIR,
    _no_alert,
    _screenshot,
    _set_viewport,
    _wait,
)

from selenium import webdriver  # noqa: E402  (the import above skips the module without Chromium)
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

pytestmark = pytest.mark.e2e

ANSWER_TIMEOUT = 60
LOAD_TIMEOUT = 30
PHONE = (390, 844)
DESKTOP = (1366, 900)
MIN_CONTRAST = 4.5
CHUNK_ID = re.compile(r"c\d{2}s\d{2}-[a-z]\d+")  # the shape of an internal chunk id ("c09s03-p003")

# Our own questions (never from eval/*.jsonl).
Q_SCHOOL = "学校方面有什么打算？"          # two citations from different 节, one a 专栏 item
Q_ROADS = "农村公路要怎么建？"             # two citations from the same 节: one merged card
Q_ELDERLY = "永济的养老服务有什么新举措？"
Q_FOREST = "十四五期间森林覆盖率要达到多少？"
Q_CITY = "河湖治理工程都有啥？"          # a long answer (a 专栏 line with all its items)
Q_RELICS = "文物保护有哪些项目？"
STARTERS = ["城区的公园绿地会增加吗？", "村里的垃圾以后怎么处理？", "年轻人回乡创业有支持吗？",
            "冬天供暖会改善吗？", "这是第五个问题，应该被截掉"]
LONG_STARTER = "问" * 60

HOST_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>宿主页面</title>
<style>
  body {{ font-family: serif; background: #fafafa; margin: 0; padding: 16px; }}
  .tall {{ height: 3000px; }}
  button {{ background: red !important; width: 5px !important; }}
</style>
</head>
<body>
<h1>某政府网站</h1>
<p><a href="#top" id="host-link">宿主页面上的链接</a> <button id="host-button">宿主按钮</button></p>
<div class="tall">这是一个嵌入了规划助手的第三方页面。</div>
<script src="{server}/widget.js" data-title="测试助手" data-accent="#07c160"{starters} defer></script>
</body>
</html>
"""

# Focus as the host page sees it: [host document's active element id, shadow root's active element tag/id].
HOST_FOCUS_JS = """
const a = document.activeElement;
const host = document.getElementById('pa-widget-host');
const inner = host && host.shadowRoot ? host.shadowRoot.activeElement : null;
return [a ? (a.id || a.tagName) : null, inner ? (inner.id || inner.tagName) : null];
"""

# Contrast of every visible text (and the avatar / placeholder) against the background painted behind it.
CONTRAST_JS = """
function rgba(s) {
  const m = (s.match(/[\\d.]+/g) || []).map(Number);
  return m.length >= 3 ? [m[0], m[1], m[2], m.length >= 4 ? m[3] : 1] : null;
}
function over(top, below) {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat([1]);
}
function lum(c) {
  const l = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}
function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
function background(node) {
  const layers = [];
  for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
    const c = rgba(getComputedStyle(n).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
}
function visible(n) {
  const r = n.getBoundingClientRect();
  const st = getComputedStyle(n);
  return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none' &&
    !n.closest('.sr-only') && !(n.closest('details:not([open])') && !n.closest('summary'));
}
const out = [];
const nodes = Array.from(document.querySelectorAll('body *')).filter((n) =>
  Array.from(n.childNodes).some((c) => c.nodeType === 3 && c.textContent.trim()) || n.classList.contains('avatar'));
for (const n of nodes) {
  if (!visible(n)) continue;
  const bg = background(n);
  const fg = over(rgba(getComputedStyle(n).color), bg);
  const label = n.className && typeof n.className === 'string' ? n.tagName + '.' + n.className.split(' ').join('.') : (n.id ? n.tagName + '#' + n.id : n.tagName);
  out.push({ el: label, text: (n.textContent || '').trim().slice(0, 20), ratio: ratio(fg, bg) });
}
const input = document.getElementById('pa-input');
if (input && visible(input)) {
  const bg = background(input);
  out.push({ el: 'TEXTAREA::placeholder', text: input.placeholder,
             ratio: ratio(over(rgba(getComputedStyle(input, '::placeholder').color), bg), bg) });
}
return { items: out, body: getComputedStyle(document.body).backgroundColor };
"""

ROW_STATE_JS = """
const rows = document.querySelectorAll('.msg.bot');
return Array.from(rows).map((r) => ({
  text: (r.querySelector('.bubble .text') || {}).textContent || '',
  typing: !!r.querySelector('.typing'),
  cites: r.querySelectorAll('.citation').length,
  actions: !!r.querySelector('.actions'),
  stopped: !!r.querySelector('.stopped-tag'),
  retry: !!r.querySelector('.retry'),
  error: r.classList.contains('error'),
}));
"""


# ----------------------------------------------------------------------------- fixtures


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the stdlib
        pass


@pytest.fixture(scope="module")
def app_url(live_server) -> str:
    return str(live_server).rstrip("/")


@contextlib.contextmanager
def _serve_host_page(app_url: str, starters: str):
    with tempfile.TemporaryDirectory(prefix="pa-host-ui-") as tmp:
        Path(tmp, "index.html").write_text(HOST_PAGE.format(server=app_url, starters=starters), encoding="utf-8")
        handler = functools.partial(_QuietHandler, directory=tmp)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=httpd.serve_forever, name="pa-host-ui", daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}/index.html"
        finally:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)


@pytest.fixture(scope="module")
def host_page(app_url):
    """A page on another origin embedding the widget with its own starters (five given, one over-long)."""
    with _serve_host_page(app_url, ' data-starters="%s"' % "|".join([LONG_STARTER] + STARTERS)) as url:
        yield url


@pytest.fixture(scope="module")
def plain_host_page(app_url):
    """The same page with the widget's default starters."""
    with _serve_host_page(app_url, "") as url:
        yield url


@pytest.fixture
def driver(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--no-proxy-server", "--lang=zh-CN", "--window-size=1366,900",
                f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(arg)
    options.unhandled_prompt_behavior = "ignore"
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    drv.set_page_load_timeout(LOAD_TIMEOUT * 2)
    try:
        yield drv
    finally:
        drv.quit()


# ----------------------------------------------------------------------------- helpers


def _dark(drv, on: bool) -> None:
    features = [{"name": "prefers-color-scheme", "value": "dark" if on else "light"}]
    drv.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": features})


def _rows(drv) -> list[dict]:
    return drv.execute_script(ROW_STATE_JS)


def _busy(drv) -> bool:
    return drv.execute_script("return document.getElementById('pa-send').disabled")


def _send(drv, question: str) -> None:
    box = drv.find_element(By.ID, "pa-input")
    box.clear()
    box.send_keys(question)
    box.send_keys(Keys.ENTER)


def _wait_done(drv, count: int, need_cites: bool = False) -> dict:
    """Wait until the chat holds `count` bot rows and the last one has finished."""
    def ready(d):
        rows = _rows(d)
        if len(rows) < count or _busy(d):
            return False
        last = rows[count - 1]
        if last["typing"] or (need_cites and not last["cites"]):
            return False
        return last
    try:
        return _wait(drv, ready, ANSWER_TIMEOUT, "answer did not finish")
    except TimeoutException:
        pytest.fail(f"no finished answer in {ANSWER_TIMEOUT}s: {_rows(drv)!r}")


def _ask(drv, question: str, need_cites: bool = True) -> dict:
    n = len(_rows(drv))
    _send(drv, question)
    return _wait_done(drv, n + 1, need_cites)


def _open_embed(drv, url: str, size=PHONE) -> None:
    drv.get("about:blank")
    _set_viewport(drv, *size)
    drv.get(url)
    _wait(drv, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot"), LOAD_TIMEOUT, "welcome missing")


def _open_widget(drv, host_page: str, size) -> None:
    drv.get("about:blank")
    _set_viewport(drv, *size)
    drv.get(host_page)
    bubble = _wait(drv, lambda d: d.execute_script(DEEP_QUERY_JS, ".pa-bubble"), LOAD_TIMEOUT, "no bubble")
    bubble.click()
    _wait(drv, lambda d: (f := d.execute_script(DEEP_QUERY_JS, ".pa-frame")) and f.is_displayed(), LOAD_TIMEOUT,
          "panel did not open")


def _enter_frame(drv) -> None:
    drv.switch_to.default_content()
    drv.switch_to.frame(drv.execute_script(DEEP_QUERY_JS, ".pa-frame"))
    _wait(drv, lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot"), LOAD_TIMEOUT, "chat page not loaded")


def _inner_focus(drv) -> str | None:
    return drv.execute_script(
        "const a = document.activeElement; return document.hasFocus() && a && a !== document.body"
        " ? (a.id || a.className || a.tagName) : null;")


def _feedback_rows(assistant, questions) -> list[tuple]:
    marks = ",".join("?" * len(questions))
    with sqlite3.connect(assistant.sessions.path) as db:
        return db.execute(f"SELECT session_id, turn, rating, question, comment FROM feedback WHERE question IN ({marks})"
                          " ORDER BY id", list(questions)).fetchall()


def _turn_index(assistant, session_id: str, question: str) -> list[int]:
    with sqlite3.connect(assistant.sessions.path) as db:
        return [r[0] for r in db.execute("SELECT idx FROM turns WHERE session_id=? AND question=?",
                                         (session_id, question))]


# ----------------------------------------------------------------------------- tests


def test_feedback_rates_the_turn_it_belongs_to_once(driver, app_url, assistant):
    """👍 on a non-last answer and 👎 (with a comment) on another: one row each, naming the right turn."""
    _open_embed(driver, f"{app_url}/embed", PHONE)
    for q in (Q_ELDERLY, Q_FOREST, Q_RELICS):
        assert _ask(driver, q)["actions"], "a finished answer has 👍 / 👎 / 复制"
    assert _feedback_rows(assistant, [Q_ELDERLY, Q_FOREST, Q_RELICS]) == []

    rows = driver.find_elements(By.CSS_SELECTOR, ".msg.bot")  # [welcome, elderly, forest, relics]
    assert not rows[0].find_elements(By.CSS_SELECTOR, ".actions"), "the welcome is not rated"
    up = rows[1].find_element(By.CSS_SELECTOR, ".act-up")
    assert up.get_attribute("aria-label") == "有帮助"
    up.click()
    _wait(driver, lambda d: rows[1].find_element(By.CSS_SELECTOR, ".act-status").text == "感谢反馈", 10, "no thanks")
    assert up.get_attribute("aria-pressed") == "true" and not up.is_enabled()
    driver.execute_script("arguments[0].click(); arguments[0].click();", up)  # a second (and third) click
    rows[1].find_element(By.CSS_SELECTOR, ".act-down").click()  # and the other button: both are off

    down = rows[2].find_element(By.CSS_SELECTOR, ".act-down")
    down.click()
    field = _wait(driver, lambda d: rows[2].find_element(By.CSS_SELECTOR, ".fb-form input"), 5, "no comment box")
    assert "选填" in rows[2].find_element(By.CSS_SELECTOR, ".fb-form label").text
    assert driver.switch_to.active_element == field
    field.send_keys("没说清楚哪一年")
    rows[2].find_element(By.CSS_SELECTOR, ".fb-form button[type=submit]").click()
    _wait(driver, lambda d: rows[2].find_element(By.CSS_SELECTOR, ".act-status").text == "感谢反馈", 10, "no thanks")
    down.click()
    time.sleep(0.5)

    got = _feedback_rows(assistant, [Q_ELDERLY, Q_FOREST, Q_RELICS])
    assert [(r[1], r[2], r[3], r[4]) for r in got] == [(0, 1, Q_ELDERLY, ""), (1, -1, Q_FOREST, "没说清楚哪一年")], got
    session = got[0][0]
    assert session and got[1][0] == session
    # the turn numbers are the server's own for those questions in that session
    assert _turn_index(assistant, session, Q_ELDERLY) == [0] and _turn_index(assistant, session, Q_FOREST) == [1]
    _screenshot(driver, "widget-ui-feedback-390.png")


def test_feedback_works_with_the_widget_token_when_api_keys_are_on(driver, assistant):
    """With API keys on, /embed's token opens /api/feedback too: a 👍 becomes a row."""
    from dataclasses import replace

    from chat_app.api import create_app
    from chat_app.config import Settings
    from tests.chat_app.net import serving

    settings = replace(Settings(), rate_limit_per_minute=0, api_keys=("ui-secret-key",))
    with serving(create_app(settings, assistant=assistant)) as url:
        _open_embed(driver, f"{url}/embed", DESKTOP)
        _ask(driver, Q_CITY)
        row = driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
        row.find_element(By.CSS_SELECTOR, ".act-up").click()
        _wait(driver, lambda d: row.find_element(By.CSS_SELECTOR, ".act-status").text in ("感谢反馈", "反馈提交失败，请重试"),
              10, "feedback request did not finish")
        assert row.find_element(By.CSS_SELECTOR, ".act-status").text == "感谢反馈"
        assert [(r[1], r[2]) for r in _feedback_rows(assistant, [Q_CITY])] == [(0, 1)]


def test_copy_puts_the_answer_on_the_clipboard(driver, app_url):
    _open_embed(driver, f"{app_url}/embed", DESKTOP)
    driver.execute_cdp_cmd("Browser.grantPermissions", {"origin": app_url,
                                                       "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    _ask(driver, Q_FOREST)
    row = driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
    answer = row.find_element(By.CSS_SELECTOR, ".bubble .text").text
    copy = row.find_element(By.CSS_SELECTOR, ".act-copy")
    assert copy.text == "复制"
    copy.click()
    _wait(driver, lambda d: copy.text == "已复制", 5, "no 已复制")
    pasted = driver.execute_async_script(
        "const done = arguments[0]; navigator.clipboard.readText().then(done, (e) => done('ERR ' + e));")
    assert pasted.startswith(answer.strip()) and "出处：\n[1] 第" in pasted, pasted


def test_starter_sends_with_one_tap_and_attribute_is_capped(driver, host_page):
    """The host's data-starters (capped to 4, each ≤ 40 characters) are buttons; one tap asks."""
    _open_widget(driver, host_page, DESKTOP)
    _enter_frame(driver)
    buttons = driver.find_elements(By.CSS_SELECTOR, ".starters .starter")
    labels = [b.text for b in buttons]
    assert labels == ["问" * 40] + STARTERS[:3], labels
    assert all(b.tag_name == "button" and b.is_displayed() for b in buttons)
    assert not driver.find_elements(By.CSS_SELECTOR, ".msg.user")
    buttons[1].click()
    _wait_done(driver, 2)
    assert [u.text for u in driver.find_elements(By.CSS_SELECTOR, ".msg.user")] == [STARTERS[0]]


def test_default_starters_on_the_embed_page(driver, app_url):
    _open_embed(driver, f"{app_url}/embed", PHONE)
    labels = [b.text for b in driver.find_elements(By.CSS_SELECTOR, ".starters .starter")]
    assert 3 <= len(labels) <= 4 and all(label.endswith("？") for label in labels), labels
    driver.find_elements(By.CSS_SELECTOR, ".starters .starter")[2].click()
    _wait_done(driver, 2)
    assert [u.text for u in driver.find_elements(By.CSS_SELECTOR, ".msg.user")] == [labels[2]]


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_focus_is_in_the_input_after_opening(driver, host_page, size):
    _open_widget(driver, host_page, size)
    _wait(driver, lambda d: d.execute_script(HOST_FOCUS_JS) == ["pa-widget-host", "IFRAME"], 10,
          f"focus not on the chat frame: {driver.execute_script(HOST_FOCUS_JS)}")
    _enter_frame(driver)
    _wait(driver, lambda d: _inner_focus(d) == "pa-input", 10, "focus not in the input")
    driver.switch_to.default_content()
    ActionChains(driver).send_keys("直接打字").perform()  # typed text lands in the input, not on the frame
    _enter_frame(driver)
    assert driver.find_element(By.ID, "pa-input").get_attribute("value") == "直接打字"

    # Escape closes and gives the focus back to the bubble; opening again focuses the input again
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    driver.switch_to.default_content()
    _wait(driver, lambda d: d.execute_script(HOST_FOCUS_JS) == ["pa-widget-host", "pa-bubble"], 5,
          "focus not back on the bubble")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    _wait(driver, lambda d: d.execute_script(HOST_FOCUS_JS) == ["pa-widget-host", "IFRAME"], 10, "not reopened")
    _enter_frame(driver)
    _wait(driver, lambda d: _inner_focus(d) == "pa-input", 10, "focus not in the input after reopening")
    assert driver.find_element(By.ID, "pa-input").get_attribute("value") == "直接打字", "conversation kept"


def test_tab_stays_inside_the_full_screen_panel_and_page_scroll_is_locked(driver, host_page):
    _open_widget(driver, host_page, PHONE)
    html_overflow = "return getComputedStyle(document.documentElement).overflow"
    assert driver.execute_script(html_overflow) == "hidden", "page behind the full-screen panel still scrolls"
    _enter_frame(driver)
    _wait(driver, lambda d: _inner_focus(d) == "pa-input", 10, "focus not in the input")
    _ask(driver, Q_FOREST)  # more focusable things: [n], 👍, 👎, 复制, the citation
    driver.find_element(By.ID, "pa-input").click()

    seen = set()
    for keys in ([Keys.TAB] * 16, [Keys.SHIFT + Keys.TAB] * 16):
        for key in keys:
            driver.switch_to.default_content()
            ActionChains(driver).send_keys(key).perform() if key == Keys.TAB else \
                ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
            assert driver.execute_script(HOST_FOCUS_JS) == ["pa-widget-host", "IFRAME"], \
                f"focus left the panel: {driver.execute_script(HOST_FOCUS_JS)}"
            _enter_frame(driver)
            where = _inner_focus(driver)
            assert where is not None, "focus left the chat's controls"
            seen.add(where)
    assert {"pa-new", "pa-close", "pa-input"} <= seen, seen

    # closing restores the page's scrolling and moves focus back to the bubble
    driver.find_element(By.ID, "pa-close").click()
    driver.switch_to.default_content()
    _wait(driver, lambda d: d.execute_script(html_overflow) != "hidden", 5, "page scroll not restored")
    assert driver.execute_script(HOST_FOCUS_JS) == ["pa-widget-host", "pa-bubble"]


def test_floating_panel_on_desktop_does_not_lock_the_page(driver, host_page):
    _open_widget(driver, host_page, DESKTOP)
    assert driver.execute_script("return getComputedStyle(document.documentElement).overflow") != "hidden"
    width = driver.execute_script("return document.documentElement.clientWidth")
    driver.execute_script("window.PlanAssistantWidget.close()")
    assert driver.execute_script("return document.documentElement.clientWidth") == width, "layout shift"


def _contrast(drv) -> dict:
    res = drv.execute_script(CONTRAST_JS)
    return {"body": res["body"], "items": res["items"]}


def _min_by(items, pred) -> float:
    hits = [i["ratio"] for i in items if pred(i["el"])]
    assert hits, "no element of that kind was measured"
    return round(min(hits), 2)


@pytest.mark.parametrize("accent", ["", "#07c160", "#ffcc00", "#1e3a8a"], ids=["default", "wechat", "yellow", "navy"])
def test_text_contrast_in_light_and_dark(driver, app_url, accent):
    """Every visible text (buttons, labels, body, badge, chips, placeholder) ≥ 4.5:1 in both themes."""
    query = f"?accent={accent.replace('#', '%23')}" if accent else ""
    _open_embed(driver, f"{app_url}/embed{query}", PHONE)
    _ask(driver, "鹳雀楼门票多少钱？", need_cites=False)  # related: the badge
    _ask(driver, Q_SCHOOL)
    driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].find_element(By.CSS_SELECTOR, ".cite-ref").click()
    report = {}
    for theme in ("light", "dark"):
        _dark(driver, theme == "dark")
        time.sleep(0.2)
        res = _contrast(driver)
        dark_bg = res["body"] in ("rgb(17, 17, 17)",)
        assert dark_bg == (theme == "dark"), f"{theme} theme not applied: body {res['body']}"
        bad = [i for i in res["items"] if i["ratio"] < MIN_CONTRAST]
        assert not bad, f"{theme}: {bad}"
        report[theme] = {
            "send button": _min_by(res["items"], lambda e: e == "BUTTON#pa-send" or "pa-send" in e),
            "buttons": _min_by(res["items"], lambda e: e.startswith("BUTTON")),
            "labels": _min_by(res["items"], lambda e: "label" in e or "badge" in e),
            "body": _min_by(res["items"], lambda e: e == "SPAN.text" or e.startswith("BLOCKQUOTE") or e.startswith("MARK")),
            "all": round(min(i["ratio"] for i in res["items"]), 2),
        }
    _dark(driver, False)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"contrast-{accent.lstrip('#') or 'default'}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def test_cite_link_opens_its_quote_with_the_used_sentence_marked(driver, app_url):
    _open_embed(driver, f"{app_url}/embed", PHONE)
    _ask(driver, Q_SCHOOL)
    row = driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
    cards = row.find_elements(By.CSS_SELECTOR, ".citation")
    heads = [c.find_element(By.TAG_NAME, "summary").text for c in cards]
    # one card per section: the section's headings after the answer cite it again ("[1][3][4] 第九章·第三节…")
    assert re.match(r"\[1\](\[\d+\])* 第九章·第三节 办好人民满意教育", heads[0]), heads
    assert any("· 专栏13：“十四五”社会事业重大工程" in h for h in heads), heads  # the box named by its title
    assert not any(c.get_attribute("open") for c in cards)

    ref = row.find_elements(By.CSS_SELECTOR, ".bubble .cite-ref")[-1]
    n = ref.text.strip("[]")
    assert ref.tag_name == "button"
    ref.click()
    quote = row.find_element(By.CSS_SELECTOR, f".quote[data-n~='{n}']")
    card = quote.find_element(By.XPATH, "./ancestor::details")
    _wait(driver, lambda d: card.get_attribute("open") is not None, 5, "card not opened")
    marks = quote.find_elements(By.TAG_NAME, "mark")
    answer = row.find_element(By.CSS_SELECTOR, ".bubble .text").text
    # internal chunk ids are for scripts (data-chunk-id), never shown: no "片段编号：c09s03-p003" line
    shown = row.get_attribute("innerText")
    assert quote.get_attribute("data-chunk-id") and "片段编号" not in shown and not CHUNK_ID.search(shown), shown
    assert marks and all(m.text and m.text in answer for m in marks), [m.text for m in marks]
    inside = driver.execute_script("""
        const m = arguments[0].getBoundingClientRect(), box = document.getElementById('pa-messages').getBoundingClientRect();
        return m.top >= box.top && m.bottom <= box.bottom;""", marks[0])
    assert inside, "the quote was not scrolled into view"

    # two passages of one 节 are one card listing both numbers
    _ask(driver, Q_ROADS)
    row = driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
    cards = row.find_elements(By.CSS_SELECTOR, ".citation")
    assert cards[0].get_attribute("data-n") == "1 2"  # (the section headings after it cite another 节)
    assert cards[0].find_element(By.TAG_NAME, "summary").text.startswith("[1][2] 第二章·第二节 深度拓展投资空间")
    assert len(cards[0].find_elements(By.CSS_SELECTOR, ".quote")) == 2


def test_answer_start_stays_in_view(driver, host_page):
    """After a long answer the view shows where it starts, not its last line."""
    _open_widget(driver, host_page, DESKTOP)
    _enter_frame(driver)
    _ask(driver, Q_CITY)
    top, height, box_top, box_height = driver.execute_script("""
        const rows = document.querySelectorAll('.msg.bot'), r = rows[rows.length - 1].getBoundingClientRect();
        const b = document.getElementById('pa-messages').getBoundingClientRect();
        return [r.top, r.height, b.top, b.height];""")
    assert height > box_height, "precondition: the answer is taller than the view"
    assert box_top - 1 <= top <= box_top + 40, (top, box_top)


def test_stop_keeps_the_partial_answer_and_retry_puts_the_question_back(driver, app_url):
    _open_embed(driver, f"{app_url}/embed", PHONE)
    driver.execute_cdp_cmd("Network.enable", {})
    # a slow line: the streamed answer trickles in, so it can be stopped halfway
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": 400, "uploadThroughput": -1})
    _send(driver, Q_RELICS)
    _wait(driver, lambda d: len(_rows(d)) == 2 and _rows(d)[1]["text"].strip(), ANSWER_TIMEOUT, "nothing streamed")
    stop = driver.find_element(By.ID, "pa-stop")
    assert stop.is_displayed() and stop.text == "停止" and not driver.find_element(By.ID, "pa-send").is_displayed()
    stop.click()
    _wait(driver, lambda d: _rows(d)[1]["stopped"], 5, "not marked 已停止")
    partial = _rows(driver)[1]
    assert partial["text"].strip() and partial["cites"] == 0, partial
    time.sleep(1.0)
    assert _rows(driver)[1]["text"] == partial["text"], "text kept growing after 停止"
    assert "已停止" in driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[1].text
    assert driver.find_element(By.ID, "pa-send").is_displayed() and not _busy(driver)

    # offline: the question fails; 重试 puts it back in the input
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    _send(driver, Q_ELDERLY)
    failed = _wait_done(driver, 3)
    assert failed["error"] and failed["retry"] and not failed["actions"], failed
    assert driver.find_element(By.ID, "pa-input").get_attribute("value") == ""
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    retry = driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[2].find_element(By.CSS_SELECTOR, ".retry")
    assert retry.text == "重试"
    retry.click()
    box = driver.find_element(By.ID, "pa-input")
    assert box.get_attribute("value") == Q_ELDERLY and driver.switch_to.active_element == box
    box.send_keys(Keys.ENTER)
    assert _wait_done(driver, 4, need_cites=True)["text"]


def test_markup_from_the_user_is_never_html(driver, app_url):
    _open_embed(driver, f"{app_url}/embed", PHONE)
    payload = "<img src=x onerror=alert(1)>"
    for question in (payload, Q_SCHOOL + payload):
        n = len(_rows(driver))
        _send(driver, question)
        _wait_done(driver, n + 1)
        assert driver.find_elements(By.CSS_SELECTOR, ".msg.user")[-1].text == question
    driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1].find_element(By.CSS_SELECTOR, ".act-copy").click()
    for ref in driver.find_elements(By.CSS_SELECTOR, ".cite-ref"):
        ref.click()
    time.sleep(1.0)
    _no_alert(driver)
    assert driver.execute_script("return document.querySelectorAll('#pa-messages img').length") == 0
    assert driver.execute_script("return document.querySelectorAll('img').length") == 0


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390", "1366"])
def test_screenshots_of_the_widget_light_and_dark(driver, plain_host_page, size):
    """The widget open with an answer and an opened citation, light and dark (copies in docs/screenshots/)."""
    _open_widget(driver, plain_host_page, size)
    _enter_frame(driver)
    _ask(driver, Q_SCHOOL)
    row = driver.find_elements(By.CSS_SELECTOR, ".msg.bot")[-1]
    row.find_elements(By.CSS_SELECTOR, ".bubble .cite-ref")[0].click()
    _wait(driver, lambda d: row.find_elements(By.CSS_SELECTOR, "details[open] mark"), 5, "citation not opened")
    driver.execute_script("const r = document.querySelectorAll('.msg.user'); r[r.length - 1].scrollIntoView();")
    backgrounds = {}
    for theme in ("light", "dark"):
        _dark(driver, theme == "dark")
        time.sleep(0.3)
        backgrounds[theme] = driver.execute_script("return getComputedStyle(document.body).backgroundColor")
        driver.switch_to.default_content()
        shot = _screenshot(driver, f"widget-ui-{size[0]}-{theme}.png")
        assert shot.stat().st_size > 5000
        _enter_frame(driver)
    _dark(driver, False)
    assert backgrounds["light"] != backgrounds["dark"], backgrounds
