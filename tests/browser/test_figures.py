"""Real-browser drill-down: every 开工/竣工 number on the 驾驶舱 opens the project list filtered by the same fact,
the list shows that filter (统计口径, 统计月份) and its count equals the number clicked, and the filter stays when
another one is added."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser

FIGURES = ["planned_new", "started", "early", "unplanned", "late", "resumed", "finished", "completing"]


def test_dashboard_numbers_drill_down_to_lists_of_the_same_size(page, live_url):
    login(page, live_url, "xmb")
    page.goto(f"{live_url}/progress/dashboard/")
    shot(page, "figures-dashboard-1440")
    numbers = {key: page.locator(f"#tj-fig-{key}").inner_text().strip() for key in FIGURES}
    hrefs = {key: page.locator(f"#tj-fig-{key}").get_attribute("href") for key in FIGURES}
    assert any(int(n) > 0 for n in numbers.values()), numbers
    for key in FIGURES:
        page.goto(f"{live_url}{hrefs[key]}")
        assert page.locator("#id_fact").input_value() == key
        assert re.fullmatch(r"\d{4}-\d\d", page.locator("#id_period").input_value())
        assert page.locator("#tj-list-count").inner_text().strip() == numbers[key], key
    # The filter is kept when the user narrows the list further.
    page.goto(f"{live_url}{hrefs['started']}")
    shot(page, "figures-started-list-1440")
    page.select_option("#id_stage", "construction")
    page.wait_for_function("() => location.search.includes('stage=construction')")
    assert "fact=started" in page.url
    assert int(page.locator("#tj-list-count").inner_text()) <= int(numbers["started"])


def test_dashboard_and_drill_down_on_a_phone(browser, live_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        login(page, live_url, "xmb")
        page.goto(f"{live_url}/progress/dashboard/")
        shot(page, "figures-dashboard-390")
        page.goto(f"{live_url}" + page.locator("#tj-fig-late").get_attribute("href"))
        shot(page, "figures-late-list-390")
        assert page.locator("#id_fact").input_value() == "late"
        assert "未按计划开工" in page.locator("#tj-fact-banner").inner_text()
    finally:
        context.close()
