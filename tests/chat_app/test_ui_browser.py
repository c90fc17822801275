"""/ui in Chromium: Chinese throughout, starters that send, and 👍/👎 that rate the answer clicked."""
from __future__ import annotations

import json
import re
import time

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from tests.chat_app.test_widget_browser import (  # noqa: E402,F401 - fixtures shared with the widget tests
    ANSWER_TIMEOUT, _screenshot, _set_viewport, _wait, app_url, driver)

ENGLISH = ("Like", "Dislike", "Copy", "Clear", "Feedback", "Use via API", "Built with Gradio", "Settings",
           "More tabs", "Select example", "chatbot conversation", "Retry", "Undo")
LABELS_JS = ("return Array.from(document.querySelectorAll('[aria-label],[title]'))"
             ".map(e => (e.getAttribute('aria-label') || '') + ' ' + (e.getAttribute('title') || ''))")
MESSAGES_JS = "return Array.from(document.querySelectorAll('.message')).map(e => e.innerText)"


def _open_ui(drv, url: str, width: int, height: int) -> None:
    drv.get("about:blank")
    _set_viewport(drv, width, height)
    drv.get(f"{url}/ui/")
    _wait(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "button.example"), ANSWER_TIMEOUT, "no starters on /ui")


def _ask(drv, question: str, answers_before: int) -> None:
    box = next(t for t in drv.find_elements(By.CSS_SELECTOR, "textarea") if t.is_displayed())
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    # finished, not just started: a question sent while the answer still streams would wait for it
    _wait(drv, lambda d: _count(d, "踩") > answers_before and "正在查找" not in " ".join(d.execute_script(MESSAGES_JS))
          and (s := d.execute_script(LAST_BOT_JS)) and (s["sources"] or s["refused"]),
          ANSWER_TIMEOUT, f"no answer to {question}")


def _count(drv, label: str) -> int:
    """Counted in the page (the chat re-renders while it streams; element handles go stale)."""
    return drv.execute_script(f"return document.querySelectorAll('button[aria-label=\"{label}\"]').length")


def _click(drv, label: str, n: int) -> None:
    drv.execute_script(f"document.querySelectorAll('button[aria-label=\"{label}\"]')[{n}].click()")


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)])
def test_ui_speaks_chinese_and_a_starter_sends_with_one_tap(driver, app_url, size):
    _open_ui(driver, app_url, *size)
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    labels = " | ".join(driver.execute_script(LABELS_JS)) + driver.execute_script("return document.body.innerText")
    assert not [w for w in ENGLISH if w in labels], labels
    first = driver.find_elements(By.CSS_SELECTOR, "button.example")[0]
    starter = first.text.strip()
    first.click()
    _wait(driver, lambda d: any(starter in m for m in d.execute_script(MESSAGES_JS)) and _count(d, "踩"),
          ANSWER_TIMEOUT, "the starter was not sent")
    _screenshot(driver, f"ui-starter-{size[0]}.png")


def test_feedback_rates_the_answer_clicked_not_the_last(driver, app_url, assistant):
    _open_ui(driver, app_url, 1366, 900)
    first, second = "图书馆新馆要建在哪里？", "全市的森林覆盖率打算提高到多少？"
    _ask(driver, first, 0)
    _ask(driver, second, 1)
    time.sleep(1.0)  # the last answer's stream has settled
    _click(driver, "踩", 0)  # on the first (not the last) answer
    time.sleep(1.0)
    _click(driver, "赞", 1)
    _wait(driver, lambda d: len([r for r in assistant.sessions.recent_feedback() if r["question"] in (first, second)]) >= 2,
          10, "feedback not stored")
    time.sleep(1.0)  # a duplicate row would arrive now
    rows = [r for r in assistant.sessions.recent_feedback() if r["question"] in (first, second)]
    assert sorted((r["question"], r["rating"], r["turn"]) for r in rows) == sorted([(first, -1, 0), (second, 1, 1)])


def test_officials_tab_opens_filled_without_internal_ids_and_searches_with_a_button(driver, app_url):
    _open_ui(driver, app_url, 1366, 900)
    tab = next(b for b in driver.find_elements(By.CSS_SELECTOR, "button[role=tab]") if b.text.strip() == "政务查询")
    tab.click()
    driver.execute_script("Array.from(document.querySelectorAll('button.label-wrap'))"
                          ".filter(b => b.innerText.includes('规划目录')).forEach(b => b.click())")
    _wait(driver, lambda d: any(len(t.get_attribute("value") or "") > 50 for t in d.find_elements(By.CSS_SELECTOR, "textarea")),
          ANSWER_TIMEOUT, "原文 is empty before a chapter is chosen")
    page = driver.execute_script("return document.body.innerText")
    texts = " ".join(t.get_attribute("value") or "" for t in driver.find_elements(By.CSS_SELECTOR, "textarea"))
    assert "[c0" not in texts and "[c1" not in texts and "命中" not in page
    box = driver.execute_script(
        "return Array.from(document.querySelectorAll('label')).filter(l => l.innerText.includes('关键词或问题'))"
        ".map(l => l.querySelector('textarea, input'))[0]")
    box.send_keys("污水处理")
    next(b for b in driver.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == "搜索").click()
    _wait(driver, lambda d: "[1]" in d.execute_script("return document.body.innerText") and
          d.find_elements(By.CSS_SELECTOR, "mark, .textspan.hl, [class*=hl]"), ANSWER_TIMEOUT, "search results not shown")
    _screenshot(driver, "ui-officials-1366.png")


RESOURCES_JS = ("return performance.getEntriesByType('resource')"
                ".map(e => [new URL(e.name).pathname, e.responseStatus || 0])")


def test_every_request_of_the_page_passes_the_gradio_gate(driver, app_url):
    """chat_app/gradio_gate.py lets through only the Gradio routes /ui uses: asking, rating, the officials'
    tab and search must all still get 2xx, and each path must be one the gate allows."""
    from chat_app.gradio_gate import GradioGate, Problem
    from chat_app.ui import build_ui

    _open_ui(driver, app_url, 1366, 900)
    _ask(driver, "文化馆和博物馆有什么新建计划？", 0)
    _click(driver, "赞", 0)
    tab = next(b for b in driver.find_elements(By.CSS_SELECTOR, "button[role=tab]") if b.text.strip() == "政务查询")
    tab.click()
    box = driver.execute_script(
        "return Array.from(document.querySelectorAll('label')).filter(l => l.innerText.includes('关键词或问题'))"
        ".map(l => l.querySelector('textarea, input'))[0]")
    box.send_keys("集中供热")
    next(b for b in driver.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == "搜索").click()
    _wait(driver, lambda d: "[1]" in d.execute_script("return document.body.innerText"), ANSWER_TIMEOUT,
          "search results not shown")
    time.sleep(1.0)  # the last result stream has ended and is listed
    ours = [(path, status) for path, status in driver.execute_script(RESOURCES_JS) if path.startswith("/ui")]
    gate = GradioGate(build_ui(lambda: None))
    assert any(p.endswith("/queue/join") for p, _ in ours) and any(p.endswith("/queue/data") for p, _ in ours)
    refused = [p for p, _ in ours if isinstance(gate.route("POST" if p.endswith("/queue/join") else "GET", p), Problem)]
    # Resource Timing reports no status (0) for an EventSource stream; the answers shown prove those worked
    failed = [(p, s) for p, s in ours if not (200 <= s < 400 or (s == 0 and p.endswith("/queue/data")))]
    assert refused == [] and failed == []


# ----------------------------------------------------------------------------- answers, sources, tables, contrast
# Our own questions (never from eval/*.jsonl); their support levels were checked with /api/ask.
Q_RELICS = "蒲津渡遗址要怎么保护？"            # direct, two sources
Q_LONG = "乡村振兴有哪些重点工程？"            # direct, ~240 characters
Q_RELATED = "五老峰景区门票多少钱？"           # related: the plan names the place, not the price
Q_REFUSED = "周末去北京的高铁票好买吗？"       # none, with the nearest sections
CHUNK_ID = re.compile(r"c\d{2}s\d{2}-[a-z]\d+")  # an internal chunk id ("c09s03-p003") must never show
INDICATOR_COLUMNS = ["序号", "指标", "2020年完成", "2025年目标", "年均增长/累计", "属性"]

LAST_BOT_JS = """
const bots = document.querySelectorAll('[data-testid="bot"]');
const b = bots[bots.length - 1];
if (!b) return null;
const t = b.querySelector('.pa-text'), badge = b.querySelector('.pa-badge');
return { badge: badge && badge.getBoundingClientRect().height > 0 ? badge.innerText : '', count: bots.length, text: t ? t.innerText : '', refs: b.querySelectorAll('a.pa-cite-ref').length,
         sources: b.querySelectorAll('details.pa-citation').length, open: b.querySelectorAll('details[open]').length,
         related: !!b.querySelector('.pa-badge-related'), refused: !!b.querySelector('.pa-badge-refused'),
         all: b.innerText, label: b.getAttribute('aria-label') || '' };
"""
# Every change of the chat while one question is answered: is the question shown, the searching line, and
# how much answer text — the record a streamed answer leaves.
RECORD_JS = """
window.__paLog = [];
const t0 = performance.now();
new MutationObserver(() => {
  const bots = document.querySelectorAll('[data-testid="bot"]'), b = bots[bots.length - 1];
  const t = b && b.querySelector('.pa-text');
  window.__paLog.push({ t: performance.now() - t0,
    user: Array.from(document.querySelectorAll('[data-testid="user"]')).some((u) => u.innerText.includes(arguments[0])),
    searching: !!b && b.innerText.includes('正在查找规划原文'), len: t ? t.innerText.length : 0,
    done: !!b && !!b.querySelector('.pa-sources') });
}).observe(document.body, { subtree: true, childList: true, characterData: true });
"""
CHIPS_JS = ("return Array.from(document.querySelectorAll('button.option'))"
            ".filter(b => b.offsetParent && b.innerText.includes('这一节讲了什么')).map(b => b.innerText)")
UI_PLACEHOLDER_JS = """
const out = [];
function lum(c) { const l = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; }
function rgb(s) { return (s.match(/[\\d.]+/g) || []).map(Number); }
for (const ta of document.querySelectorAll('textarea')) {
  const r = ta.getBoundingClientRect();
  if (!r.width || !ta.placeholder) continue;
  const fg = rgb(getComputedStyle(ta, '::placeholder').color), bg = rgb(getComputedStyle(ta).backgroundColor);
  if (bg.length > 3 && bg[3] === 0) continue;
  const a = lum(fg), b = lum(bg);
  out.push({ el: 'TEXTAREA::placeholder', text: ta.placeholder, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) });
}
return out;
"""


def _last(drv) -> dict | None:
    return drv.execute_script(LAST_BOT_JS)


def _send(drv, question: str) -> int:
    before = (_last(drv) or {}).get("count", 0)
    box = next(t for t in drv.find_elements(By.CSS_SELECTOR, "textarea") if t.is_displayed())
    box.send_keys(question)
    box.send_keys(Keys.ENTER)
    return before


def _finished(drv, before: int, question: str) -> dict:
    """The last answer once whole: its sources (or, for a refusal, its badge) are there."""
    return _wait(drv, lambda d: (s := _last(d)) and s["count"] > before and (s["sources"] or s["refused"]) and s,
                 ANSWER_TIMEOUT, f"no finished answer to {question}")


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["390", "1366"])
def test_cite_link_opens_its_quote_with_the_used_sentence_marked(driver, app_url, size):
    _open_ui(driver, app_url, *size)
    state = _finished(driver, _send(driver, Q_RELICS), Q_RELICS)
    assert state["refs"] >= 2 and state["sources"] >= 1 and state["open"] == 0, state
    ref = driver.find_elements(By.CSS_SELECTOR, "[data-testid=bot] a.pa-cite-ref")[-1]
    n = ref.text.strip("[]")
    assert ref.get_attribute("aria-label") == f"查看出处 {n}"
    ref.click()
    quote = driver.find_element(By.ID, ref.get_attribute("href").split("#", 1)[1])
    _wait(driver, lambda d: quote.find_element(By.XPATH, "./ancestor::details").get_attribute("open") is not None, 5,
          "the [n] did not open its source")
    marks = quote.find_elements(By.TAG_NAME, "mark")
    assert marks and all(m.text and m.text in state["text"] for m in marks), [m.text for m in marks]
    assert driver.execute_script("const r = arguments[0].getBoundingClientRect();"
                                 "return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;", marks[0])
    shown = _last(driver)
    assert not CHUNK_ID.search(shown["all"]) and "片段" not in shown["all"], shown["all"]
    assert shown["label"].startswith("助手的回答：") and "<" not in shown["label"], shown["label"][:80]
    _screenshot(driver, f"ui-answer-{size[0]}.png")


def test_answer_streams_after_the_question_and_a_searching_line(driver, app_url):
    _open_ui(driver, app_url, 390, 844)
    driver.execute_script(RECORD_JS, Q_LONG)
    _finished(driver, _send(driver, Q_LONG), Q_LONG)
    log = driver.execute_script("return window.__paLog")
    final = max(e["len"] for e in log)
    first_user = next(i for i, e in enumerate(log) if e["user"])
    first_text = next(i for i, e in enumerate(log) if e["len"])
    assert first_user < first_text and any(e["searching"] for e in log[first_user:first_text]), log[:first_text + 1]
    partial = [e for e in log if 0 < e["len"] < final and not e["done"]]
    assert final > 150 and len({e["len"] for e in partial}) >= 5, (final, partial)
    done_at = next(e["t"] for e in log if e["done"])
    assert done_at - partial[0]["t"] >= 0.2 * 1000, "the answer came in one piece"


def test_a_question_typed_while_an_answer_streams_is_kept_and_asked_next(driver, app_url):
    _open_ui(driver, app_url, 1366, 900)
    driver.execute_script(RECORD_JS, Q_LONG)
    before = _send(driver, Q_LONG)
    _wait(driver, lambda d: any(0 < e["len"] and not e["done"] for e in d.execute_script("return window.__paLog")),
          ANSWER_TIMEOUT, "the answer did not start streaming")
    box = next(t for t in driver.find_elements(By.CSS_SELECTOR, "textarea") if t.is_displayed())
    box.send_keys(Q_RELICS)
    time.sleep(0.3)  # more pieces arrive; they must not wipe the box
    assert box.get_attribute("value") == Q_RELICS
    box.send_keys(Keys.ENTER)
    _wait(driver, lambda d: (s := _last(d)) and s["count"] >= before + 2 and s["sources"], ANSWER_TIMEOUT,
          "the second question was not asked after the first answer")
    users = driver.execute_script("return Array.from(document.querySelectorAll('[data-testid=user]')).map(u => u.innerText)")
    assert [u.strip() for u in users] == [Q_LONG, Q_RELICS]
    assert driver.execute_script("return document.querySelectorAll('[data-testid=bot] .pa-sources').length") == 2


def test_related_and_refused_answers_are_marked_with_one_tap_sections(driver, app_url):
    _open_ui(driver, app_url, 390, 844)
    related = _finished(driver, _send(driver, Q_RELATED), Q_RELATED)
    assert related["related"] and not related["refused"], related
    assert "相关内容" in related["badge"] and "未直接写明" in related["badge"], related  # shown, not just present

    def chips(d) -> list[str]:
        """Read in the page: the chat re-renders while it settles (element handles go stale)."""
        return d.execute_script(CHIPS_JS)

    assert _wait(driver, chips, 10, "no section chips under the related answer")
    driver.execute_script("const b = document.querySelectorAll('[data-testid=bot] .pa-badge-related');"
                          "b[b.length - 1].scrollIntoView({block: 'start'});")
    _screenshot(driver, "ui-related-390.png")
    refused = _finished(driver, _send(driver, Q_REFUSED), Q_REFUSED)
    assert refused["refused"] and not refused["related"] and not refused["refs"] and "规划未涉及" in refused["badge"], refused
    label = _wait(driver, lambda d: len(c := chips(d)) >= 2 and c[-1], 10, "no section chips after the refusal")
    before = refused["count"]
    driver.execute_script("const b = Array.from(document.querySelectorAll('button.option'))"
                          ".filter(b => b.offsetParent && b.innerText.includes('这一节讲了什么')); b[b.length - 1].click();")
    _wait(driver, lambda d: (s := _last(d)) and s["count"] > before and s["sources"], ANSWER_TIMEOUT,
          "tapping a section chip did not ask it")
    users = driver.execute_script("return Array.from(document.querySelectorAll('[data-testid=user]')).map(u => u.innerText)")
    assert users[-1].strip() == label.strip()


def _open_indicators(drv) -> None:
    tab = next(b for b in drv.find_elements(By.CSS_SELECTOR, "button[role=tab]") if b.text.strip() == "政务查询")
    tab.click()
    drv.execute_script("Array.from(document.querySelectorAll('button.label-wrap'))"
                       ".filter(b => b.innerText.includes('专栏2')).forEach(b => b.click())")
    _wait(drv, lambda d: d.find_elements(By.CSS_SELECTOR, ".pa-indicators table.pa-table tr.pa-row"), 10,
          "专栏2 table not shown")


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["390", "1366"])
def test_indicator_table_columns_groups_digits_and_phone_cards(driver, app_url, size):
    _open_ui(driver, app_url, *size)
    _open_indicators(driver)
    table = driver.find_elements(By.CSS_SELECTOR, ".pa-indicators table.pa-table")[-1]
    heads = driver.execute_script("return Array.from(arguments[0].querySelectorAll('thead th')).map(t => t.textContent)", table)
    assert heads == INDICATOR_COLUMNS, heads
    groups = table.find_elements(By.CSS_SELECTOR, "tr.pa-group")
    assert len(groups) >= 3 and "类别" not in heads
    style = driver.execute_script("const s = getComputedStyle(arguments[0]); return [s.fontVariantNumeric, s.fontFamily];",
                                  table.find_element(By.CSS_SELECTOR, "tr.pa-row td"))
    assert "proportional-nums" in style[0] and "mono" not in style[1].lower(), style
    # every filled cell of every row lies inside the screen, labelled with its column on a phone
    cells = driver.execute_script("""
        return Array.from(arguments[0].querySelectorAll('tr.pa-row td:not(.pa-empty)')).map((td) => {
          const r = td.getBoundingClientRect(), k = td.querySelector('.pa-k');
          return { left: r.left, right: r.right, w: r.width, label: k && getComputedStyle(k).display !== 'none' ? k.innerText : '' };
        });""", table)
    width = driver.execute_script("return window.innerWidth")
    assert cells and all(c["w"] > 0 and c["left"] >= 0 and c["right"] <= width for c in cells), \
        [c for c in cells if not (c["w"] > 0 and c["left"] >= 0 and c["right"] <= width)][:3]
    if size[0] < 600:
        assert all(c["label"] for c in cells) and {c["label"] for c in cells} >= {"序号", "指标", "属性"}
    else:
        assert not any(c["label"] for c in cells)
    driver.execute_script("arguments[0].scrollIntoView()", groups[1])
    _screenshot(driver, f"ui-officials-table-{size[0]}.png")


@pytest.mark.parametrize("size", [(390, 844), (1366, 900)], ids=["390", "1366"])
def test_ui_text_contrast_in_light_and_dark(driver, app_url, size):
    """Buttons, labels and body text of /ui (chat with a related answer and an opened source, and the 政务查询
    table) read at ≥ 4.5:1 in Gradio's light and dark themes, measured from the computed colours."""
    from tests.chat_app.test_widget_ui_browser import CONTRAST_JS, MIN_CONTRAST, OUT_DIR

    report = {}
    for theme in ("light", "dark"):
        driver.get("about:blank")
        _set_viewport(driver, *size)
        driver.get(f"{app_url}/ui/?__theme={theme}")
        _wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "button.example"), ANSWER_TIMEOUT, "/ui not loaded")
        _finished(driver, _send(driver, Q_RELATED), Q_RELATED)
        ref = driver.find_elements(By.CSS_SELECTOR, "[data-testid=bot] a.pa-cite-ref")[0]
        # centred first: at 390 px the streamed answer can still reflow over it (a fresh-clone CI saw the click
        # intercepted by the answer's text span)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", ref)
        _wait(driver, lambda d: ref.is_displayed() and ref.is_enabled(), ANSWER_TIMEOUT, "citation not clickable")
        ActionChains(driver).move_to_element(ref).click().perform()
        items = driver.execute_script(CONTRAST_JS)["items"] + driver.execute_script(UI_PLACEHOLDER_JS)
        _open_indicators(driver)
        items += driver.execute_script(CONTRAST_JS)["items"]
        dark = driver.execute_script("return document.body.classList.contains('dark')")
        assert dark == (theme == "dark"), f"{theme} theme not applied"
        bad = sorted({(i["el"][:50], i["text"], round(i["ratio"], 2)) for i in items if i["ratio"] < MIN_CONTRAST})
        assert not bad, f"{theme}: {bad}"

        def lowest(pred) -> float:
            hits = [i["ratio"] for i in items if pred(i["el"])]
            assert hits, "no element of that kind was measured"
            return round(min(hits), 2)

        report[theme] = {
            "buttons": lowest(lambda e: e.startswith("BUTTON")),
            "primary button": lowest(lambda e: e.startswith("BUTTON") and "primary" in e),
            "labels": lowest(lambda e: e.startswith(("LABEL", "SPAN.pa-badge", "P.pa-cite-label", "SPAN.pa-k"))
                             or "placeholder" in e),
            "body": lowest(lambda e: e.startswith(("SPAN.pa-text", "BLOCKQUOTE", "MARK", "TD", "SUMMARY"))),
            "all": round(min(i["ratio"] for i in items), 2),
        }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"contrast-ui-{size[0]}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
