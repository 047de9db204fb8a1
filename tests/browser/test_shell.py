"""Real-browser checks of the shell, the scoping and the 三员 separation, with screenshots."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_xijie_sees_own_unit_and_not_others(page, live_url):
    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    roles = page.locator("#tj-my-roles")
    assert "西街街道" in roles.inner_text() and "单位填报员" in roles.inner_text()
    shot(page, "xijie-home")

    page.click("#tj-sidebar a[href='/org/units/']")
    page.wait_for_url(re.compile(r".*/org/units/"))
    table = page.locator("#tj-orgunit-table").inner_text()
    assert "西街街道" in table and "东街街道" not in table and "审计" not in page.locator("#tj-sidebar").inner_text()
    shot(page, "xijie-units")

    # Another unit's page by its address: 404, not 403, and in Chinese.
    page.goto(f"{live_url}/org/units/")
    own_href = page.locator("#tj-orgunit-table a").first.get_attribute("href")
    own_id = int(own_href.rstrip("/").split("/")[-1])
    assert page.goto(f"{live_url}/org/units/{own_id}/").status == 200
    response = page.goto(f"{live_url}/org/units/{own_id + 1}/")  # 东街, created right after 西街
    assert response.status == 404 and "页面不存在" in page.content()
    shot(page, "xijie-404")

    response = page.goto(f"{live_url}/audit/")
    assert response.status == 403 and "没有访问权限" in page.content()


def test_auditadmin_reads_the_audit_log_only(page, live_url):
    login(page, live_url, "xijie")  # leave a trace to find
    page.wait_for_url(f"{live_url}/")
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))

    login(page, live_url, "auditadmin")
    page.wait_for_url(f"{live_url}/")
    nav = page.locator("#tj-sidebar").inner_text()
    assert "审计日志" in nav and "单位" not in nav.replace("审计", "")
    page.click("#tj-sidebar a[href='/audit/']")
    page.wait_for_url(re.compile(r".*/audit/"))
    page.fill("input[name=q]", "xijie")
    page.click("button:has-text('查询')")
    page.wait_for_timeout(800)
    table = page.locator("#tj-audit-table").inner_text()
    assert "xijie" in table and "登录" in table and "退出" in table
    shot(page, "auditadmin-audit")

    page.goto(f"{live_url}/audit/changes/")
    assert "数据变更记录" in page.content()
    shot(page, "auditadmin-changes")
    response = page.goto(f"{live_url}/org/units/")
    assert response.status == 403
    page.goto(f"{live_url}/admin/")  # not the 系统管理员: back to the platform, never the admin index
    assert "/admin/" not in page.url


def test_lockout_after_five_failures(browser, live_url):
    # The server trusts 127.0.0.1 as a proxy, so this context's address lock stays on 203.0.113.77.
    context = browser.new_context(locale="zh-CN", extra_http_headers={"X-Forwarded-For": "203.0.113.77"})
    page = context.new_page()
    for _ in range(5):
        login(page, live_url, "dongjie", "wrong-password")
        page.wait_for_load_state()
        page.locator("#tj-login-error").wait_for(state="visible")  # the answer to this attempt, under any load
    login(page, live_url, "dongjie")
    page.wait_for_load_state()
    assert "锁定" in page.locator("#tj-login-error").inner_text()
    shot(page, "lockout")
    context.close()


def test_language_switch_to_english(page, live_url):
    login(page, live_url, "quling")
    page.wait_for_url(f"{live_url}/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "My units and roles" in page.content()
    shot(page, "quling-english")
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    assert "我的单位与角色" in page.content()


def test_mobile_layout_has_menu_button(browser, live_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    assert page.locator("button[data-bs-target='#tj-sidebar']").is_visible()
    shot(page, "xmb-mobile")
    context.close()
