"""/ui with two plans in the library, in Chromium: the picker scopes the question, and a source from the added
plan is headed with its title."""
from __future__ import annotations

from dataclasses import replace

import pytest

pytest.importorskip("selenium")

from selenium.webdriver.common.by import By  # noqa: E402

from tests.chat_app.net import serving  # noqa: E402
from tests.chat_app.test_ui_browser import LAST_BOT_JS, _ask, _open_ui  # noqa: E402
from tests.chat_app.test_widget_browser import ANSWER_TIMEOUT, _screenshot, _wait, driver  # noqa: E402,F401

pytestmark = pytest.mark.e2e
NATIONAL_NAME = "全国“十五五”规划"


@pytest.fixture(scope="module")
def two_doc_url(both):
    from chat_app.api import create_app
    from chat_app.config import Settings

    with serving(create_app(replace(Settings(), rate_limit_per_minute=10_000), assistant=both)) as url:
        yield url


def test_picker_scopes_the_question_and_sources_name_the_plan(driver, two_doc_url):
    _open_ui(driver, two_doc_url, 1366, 900)
    assert "查询范围（规划文件）" in driver.execute_script("return document.body.innerText")
    picker = driver.find_element(By.CSS_SELECTOR, 'input[aria-label="查询范围（规划文件）"]')
    picker.click()
    option = _wait(driver, lambda d: next((o for o in d.find_elements(By.CSS_SELECTOR, "[role=option], li")
                                          if o.text.strip() == NATIONAL_NAME), None), 10, "no national plan option")
    option.click()
    driver.find_element(By.TAG_NAME, "h2").click()  # close the option list
    _ask(driver, "算力基础设施要怎么建设？", 0)
    last = driver.execute_script(LAST_BOT_JS)
    text = driver.execute_script("return Array.from(document.querySelectorAll('.pa-sources')).map(e => e.innerText)")
    assert text and "《中华人民共和国国民经济和社会发展第十五个五年规划纲要》" in text[-1], (text, last)
    _screenshot(driver, "ui-library-1366.png")
