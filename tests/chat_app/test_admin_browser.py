"""/admin in Chromium, on both backends: a wrong key is refused in Chinese, the right one shows the counts,
the refused questions (a hostile one as plain text), the 👎 comment, and the CSV export works."""
from __future__ import annotations

import pytest

from tests.chat_app.test_widget_browser import _screenshot, _set_viewport, _wait, driver  # noqa: F401
from tests.conftest import BACKENDS

from selenium.webdriver.common.by import By  # noqa: E402  (after the chromium skip above)

from tests.chat_app.test_admin import HOSTILE, KEY, seed

pytestmark = pytest.mark.e2e
ENGLISH = ("Submit", "Login", "Export", "Loading", "Error", "undefined", "null", "NaN")


@pytest.fixture(scope="module", params=BACKENDS)
def admin_url(request, retrievers, backend_settings):
    from chat_app.api import create_app
    from chat_app.engine import Assistant
    from chat_app.storage import open_store
    from tests.chat_app.net import serving

    settings = backend_settings(request.param, api_keys=(KEY,), rate_limit_per_minute=0)
    store = open_store(settings)
    seed(store)
    app = create_app(settings, assistant=Assistant(settings, retrievers=retrievers, sessions=store))
    with serving(app) as url:
        yield url


def _login(drv, key: str) -> None:
    box = drv.find_element(By.ID, "key")
    box.clear()
    box.send_keys(key)
    drv.find_element(By.CSS_SELECTOR, "#login button[type=submit]").click()


def test_admin_page_shows_the_numbers_to_a_key_holder(driver, admin_url, request):  # noqa: F811
    _set_viewport(driver, 1366, 900)
    driver.get(f"{admin_url}/admin")
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    _login(driver, "wrong-key")
    _wait(driver, lambda d: "密钥" in d.find_element(By.ID, "status").text, 10, "no Chinese error for a wrong key")
    assert not driver.find_element(By.ID, "report").is_displayed()

    _login(driver, KEY)
    _wait(driver, lambda d: d.find_element(By.ID, "report").is_displayed(), 20, "the report did not open")
    text = driver.find_element(By.TAG_NAME, "body").text
    assert "提问总数" in driver.find_element(By.ID, "cards").text and "5" in driver.find_element(By.ID, "cards").text
    assert "拒答：2 次，占 40.0%" in text and "占 20.0%" in driver.find_element(By.ID, "cards").text and "直接回答：2 次，占 40.0%" in text
    refused = driver.find_element(By.CSS_SELECTOR, "table[data-level=none]").text
    assert HOSTILE in refused  # shown as the text it is…
    assert driver.execute_script("return document.querySelectorAll('main img').length") == 0  # …never run
    assert "想知道开放时间" in driver.find_element(By.ID, "negative").text
    assert "森林覆盖率目标是多少？" in driver.find_element(By.ID, "top").text
    assert not [w for w in ENGLISH if w in text], text

    driver.find_element(By.ID, "export-turns").click()
    _wait(driver, lambda d: d.find_element(By.ID, "status").text == "已导出。", 10, "CSV export failed")
    _screenshot(driver, f"admin-1366-{request.node.callspec.params['admin_url']}.png")
