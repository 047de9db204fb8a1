"""Real-browser walks for issue 12: the 安全管理员 finds a locked account, resets its password (a temporary password
shown once) and the owner must change it before anything else; the enterprise finishes its 待评价 to-do from the
home page. Screenshots at 1440 and 390 px."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def _context(browser, width, address):
    return browser.new_context(
        locale="zh-CN",
        viewport={"width": width, "height": 900},
        extra_http_headers={"X-Forwarded-For": address},  # the server trusts 127.0.0.1 as a proxy
    )


def test_secadmin_resets_a_locked_accounts_password(browser, live_url):
    owner = _context(browser, 390, "203.0.113.80")
    page = owner.new_page()
    for _ in range(5):
        login(page, live_url, "xiangyang", "wrong-password")
    login(page, live_url, "xiangyang")
    assert "锁定" in page.locator("#tj-login-error").inner_text()

    # a colleague at the same address is not locked out
    colleague = _context(browser, 1440, "203.0.113.80")
    other = colleague.new_page()
    login(other, live_url, "xiaodian")
    other.wait_for_url(f"{live_url}/")
    colleague.close()

    temporary = ""
    for width in (1440, 390):
        admin = _context(browser, width, "203.0.113.81")
        page = admin.new_page()
        login(page, live_url, "secadmin")
        page.goto(f"{live_url}/accounts/users/")
        assert "已锁定" in page.locator('[data-lock="xiangyang"]').inner_text()
        shot(page, f"secadmin-accounts-{width}")
        page.click("a:text-is('xiangyang')")
        assert "已锁定" in page.locator("#tj-lock-status").inner_text()
        shot(page, f"secadmin-account-locked-{width}")
        if width == 390:
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("#tj-account-reset")
            temporary = page.locator("#tj-temporary-password").inner_text().strip()
            shot(page, f"secadmin-password-reset-{width}")
            page.goto(page.url.replace("/password-reset/", "/"))
            assert temporary not in page.content()
            assert "未锁定" in page.locator("#tj-lock-status").inner_text()
        admin.close()
    assert len(temporary) >= 14

    # the owner signs in with the temporary password and must change it before anything else
    page = owner.new_page()
    login(page, live_url, "xiangyang", temporary)
    page.wait_for_url(re.compile(r".*/accounts/password/$"))
    page.goto(f"{live_url}/tickets/")
    page.wait_for_url(re.compile(r".*/accounts/password/$"))
    shot(page, "owner-forced-change-390")
    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", "Xiangyang-New-2026!")
    page.fill("#id_new_password2", "Xiangyang-New-2026!")
    page.click("#tj-password-submit")
    page.wait_for_url(f"{live_url}/")
    assert "待我处理" in page.content()
    owner.close()


def test_enterprise_finishes_its_rating_todo(browser, live_url):
    for width in (1440, 390):
        context = _context(browser, width, "203.0.113.90")
        page = context.new_page()
        login(page, live_url, "qiye")
        page.wait_for_url(f"{live_url}/")
        shot(page, f"qiye-home-todos-{width}")
        context.close()
    context = _context(browser, 1440, "203.0.113.90")
    page = context.new_page()
    login(page, live_url, "qiye")
    page.wait_for_url(f"{live_url}/")
    item = page.locator("#tj-attention a", has_text="已办结待评价的诉求")
    count = int(item.locator(".badge").inner_text())
    assert count >= 1
    item.click()
    page.wait_for_url(re.compile(r".*/tickets/\?todo=rate$"))
    rows = page.locator("#tj-ticket-table tbody tr[data-ticket]")
    assert rows.count() == count  # the count on the home page is the list's length
    shot(page, "qiye-todo-rate-list-1440")
    rows.first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    page.check("#tj-rating-satisfied")
    page.click("#tj-rate")
    page.wait_for_load_state()
    page.goto(f"{live_url}/")
    remaining = page.locator("#tj-attention a", has_text="已办结待评价的诉求")
    if count == 1:
        assert remaining.count() == 0
    else:
        assert int(remaining.locator(".badge").inner_text()) == count - 1
    context.close()
