"""/ui in Chromium: Chinese throughout, starters that send, and 👍/👎 that rate the answer clicked."""
from __future__ import annotations

import time

import pytest

pytest.importorskip("selenium")

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
    _wait(drv, lambda d: _count(d, "踩") > answers_before and "正在查找" not in " ".join(d.execute_script(MESSAGES_JS)),
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
