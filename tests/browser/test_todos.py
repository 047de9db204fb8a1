"""Each role walks its 待我处理 in a real browser and finishes the work it points to (issue 12): the reporter
fills the month's report from 未上报, the unit approver approves what is waiting from 待我审核, the 项目办 approves
it, urges a unit and decides a red light, the unit reads the 催报, the sponsoring leader opens the projects behind
their red badge. Every step checks the count on the home page and on the page the item opens.
Screenshots at 1440 and 390 px go to var/screenshots/todo-*.png."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def _logout(page):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


def _items(page) -> dict[str, int]:
    """The home page's 待我处理 as {title: count}."""
    found = {}
    for link in page.locator("#tj-attention a").all():
        parts = link.inner_text().strip().split("\n")
        found[parts[0].strip()] = int(parts[-1]) if parts[-1].strip().isdigit() else 0
    return found


def _item(page, word: str) -> tuple[str, int]:
    matching = [(title, n) for title, n in _items(page).items() if word in title]
    assert len(matching) == 1, (word, _items(page))
    return matching[0]


def _home(page, live_url, username: str, name: str):
    login(page, live_url, username)
    page.wait_for_url(f"{live_url}/")
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"todo-{name}-home-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_each_role_walks_its_todos_and_finishes_them(page, fresh_live_url):
    live_url = fresh_live_url
    page.on("dialog", lambda dialog: dialog.accept())  # 提交, 审核通过, 催报 ask for a confirmation

    # 1. the reporter: 未上报 → 本单位月报 → fill and submit the first one; the count drops by one
    _home(page, live_url, "xijie", "reporter")
    title, missing = _item(page, "月报未上报")
    page.click(f"#tj-attention a:has-text('{title}')")
    page.wait_for_url(re.compile(r".*/progress/my/"))
    shot(page, "todo-reporter-my-reports")
    page.locator(".tj-fill").first.click()
    page.wait_for_url(re.compile(r".*/progress/(new/\d+/\d+/\d+|reports/\d+/edit)/$"))  # new month, or a draft
    page.fill("#id_month_investment", "66.00")
    page.fill("#id_construction_install", "66.00")
    page.fill("#id_equipment", "0")
    page.fill("#id_other_cost", "0")
    page.fill("#id_physical_progress", "待办演练：主体施工")
    page.click("#tj-submit-report")
    page.wait_for_load_state()
    assert page.locator("#tj-form-errors").count() == 0, page.locator("#tj-form-errors").inner_text()
    page.wait_for_url(re.compile(r".*/progress/reports/\d+/$"))
    report_url = page.url
    page.goto(f"{live_url}/")
    assert _item(page, "月报未上报")[1] == missing - 1
    _logout(page)

    # 2. the unit approver: told by a notification, 待我审核 → the queue → approve
    _home(page, live_url, "xijie_sh", "approver")
    title, waiting = _item(page, "待我审核")
    assert waiting >= 1
    page.click(f"#tj-attention a:has-text('{title}')")
    page.wait_for_url(re.compile(r".*/progress/\?status=mine"))
    shot(page, "todo-approver-queue")
    assert page.locator(f"#tj-report-table a[href='{report_url.removeprefix(live_url)}']").count() >= 1
    page.goto(report_url)
    page.click("#tj-approve")
    page.wait_for_load_state()
    assert "单位审核通过" in page.locator("#tj-report-status").inner_text()
    page.goto(f"{live_url}/")
    assert not [t for t in _items(page) if "待我审核" in t] or _item(page, "待我审核")[1] == waiting - 1
    _logout(page)

    # 3. the 项目办: approve it from 待我审核, urge a unit from 未上报, decide a red light from 红灯待研判
    _home(page, live_url, "xmb", "office")
    month = re.search(r"\d{4}年\d+月", _item(page, "月报未上报项目")[0]).group(0)
    title, waiting = next((t, n) for t, n in _items(page).items() if "待我审核" in t and month in t)
    page.click(f"#tj-attention a:has-text('{title}')")
    page.wait_for_url(re.compile(r".*/progress/\?status=mine"))
    page.goto(report_url)
    page.click("#tj-approve")
    page.wait_for_load_state()
    assert "项目办审核通过" in page.locator("#tj-report-status").inner_text()
    page.goto(f"{live_url}/")
    assert _items(page).get(title, 0) == waiting - 1

    title, missing = _item(page, "月报未上报项目")
    page.click(f"#tj-attention a:has-text('{title}')")
    page.wait_for_url(re.compile(r".*/progress/missing/"))
    assert f"未上报 {missing} 个" in page.locator("#tj-missing-summary").inner_text()
    card = page.locator("[data-unit]", has_text="西街").first
    unit = card.get_attribute("data-unit")
    card.locator(".tj-urge").click()
    page.wait_for_load_state()
    assert "催报，通知" in page.locator(".alert-success").first.inner_text()
    assert page.locator(f"[data-unit='{unit}'] .tj-last-urge").count() == 1
    shot(page, "todo-office-missing-urged")

    page.goto(f"{live_url}/")
    title, undecided = _item(page, "红灯待研判")
    page.click(f"#tj-attention a:has-text('{title}')")
    page.wait_for_url(re.compile(r".*/progress/lights/.*undecided=1"))
    row = page.locator("#tj-light-table tbody tr").first
    row.locator("summary").click()
    row.locator("select[name=color]").select_option("red")
    row.locator("input[name=reason]").fill("研判后维持红灯，督促加快进度")
    row.locator("input[name=recovery_plan]").fill("下月完成主体结构")
    row.locator("button", has_text="保存调整").click()
    page.wait_for_load_state()
    shot(page, "todo-office-light-decided")
    page.goto(f"{live_url}/")
    assert _items(page).get(title, 0) == undecided - 1
    _logout(page)

    # 4. the unit reads the 催报
    _home(page, live_url, "xijie", "reporter-urged")
    page.click("#tj-attention a:has-text('未读消息')")
    page.wait_for_url(re.compile(r".*/notifications/"))
    assert "催报" in page.content()
    shot(page, "todo-reporter-notifications")
    _logout(page)

    # 5. the sponsoring leader: the red badge opens exactly the projects it counts
    _home(page, live_url, "baolian", "sponsor")
    red = [(t, n) for t, n in _items(page).items() if "亮红灯" in t]
    if red:
        title, count = red[0]
        page.click(f"#tj-attention a:has-text('{title}')")
        page.wait_for_url(re.compile(r".*/projects/\?fact=red"))
        assert f"共 {count} 条" in page.content()
        shot(page, "todo-sponsor-red-projects")
