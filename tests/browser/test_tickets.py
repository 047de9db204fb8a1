"""Real-browser enterprise service loop (三到): the enterprise raises a request in the portal, the project office
accepts and assigns it to 西街街道, the 街道 starts and resolves it, the enterprise rates it 不满意 and the ticket is
reopened for a return visit (办理中, 回访)."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser

TITLE = "浏览器测试：厂区道路破损影响物流车辆通行"


def _logout(page):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


def _as(page, live_url, username):
    login(page, live_url, username)
    page.wait_for_url(f"{live_url}/")


def test_enterprise_request_assigned_resolved_and_reopened(page, live_url):
    # the enterprise raises its request in the portal
    _as(page, live_url, "qiye")
    page.goto(f"{live_url}/tickets/new/")
    assert page.locator("#id_enterprise").count() == 0  # the enterprise is implicit
    page.select_option("#id_category", "other")
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "厂区东门外道路破损严重，雨天积水，货车无法通行。")
    page.fill("#id_help_requested", "请协调相关部门尽快修复道路。")
    shot(page, "qiye-ticket-new")
    page.click("#tj-ticket-submit")
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket_url = page.url
    assert TITLE in page.locator("#tj-ticket-title").inner_text()
    assert "待受理" in page.locator("#tj-ticket-status").inner_text()
    shot(page, "qiye-ticket-raised")
    page.goto(f"{live_url}/tickets/")
    assert TITLE in page.locator("#tj-ticket-table").inner_text()
    _logout(page)

    # the project office accepts it and assigns it to 西街街道
    _as(page, live_url, "xmb")
    page.goto(f"{live_url}/tickets/?status=open")
    assert TITLE in page.locator("#tj-ticket-table").inner_text()
    page.goto(ticket_url)
    page.click("#tj-accept")
    page.wait_for_load_state()
    assert "已受理" in page.content()
    page.select_option("#tj-lead-unit", label="西街")
    page.fill("#tj-assign-form input[name=note]", "请西街街道牵头，三日内现场查看")
    page.click("#tj-assign")
    page.wait_for_load_state()
    assert "已交办" in page.locator("#tj-ticket-status").inner_text()
    assert page.locator("#tj-lead-unit-name").inner_text() == "西街"
    shot(page, "xmb-ticket-assigned")
    _logout(page)

    # 西街街道 starts and resolves it
    _as(page, live_url, "xijie")
    page.goto(ticket_url)
    page.click("#tj-start")
    page.wait_for_load_state()
    assert "办理中" in page.locator("#tj-ticket-status").inner_text()
    page.fill("#tj-resolve-input", "已协调区城市管理局完成道路修补，排水恢复。")
    page.click("#tj-resolve")
    page.wait_for_load_state()
    assert "已办结" in page.locator("#tj-ticket-status").inner_text()
    shot(page, "xijie-ticket-resolved")
    _logout(page)

    # the enterprise is not satisfied: the ticket goes back for a return visit
    _as(page, live_url, "qiye")
    page.goto(ticket_url)
    assert "已协调区城市管理局完成道路修补" in page.locator("#tj-result").inner_text()
    page.check("#tj-rating-unsatisfied")
    page.fill("#tj-rate-comment", "只修补了一半，东侧仍有大坑")
    shot(page, "qiye-ticket-rating")
    page.click("#tj-rate")
    page.wait_for_load_state()
    status = page.locator("#tj-ticket-status").inner_text()
    assert "办理中" in status and "回访" in status
    assert "只修补了一半" in page.locator("#tj-reopen-note").inner_text()
    assert "重新办理（回访）" in page.locator("#tj-timeline").inner_text()
    assert page.locator("#tj-rate").count() == 0
    shot(page, "qiye-ticket-reopened")
    page.goto(f"{live_url}/tickets/")
    row = page.locator("#tj-ticket-table tr", has_text=TITLE)
    assert "办理中" in row.inner_text() and "回访" in row.inner_text()
    shot(page, "qiye-ticket-list")
