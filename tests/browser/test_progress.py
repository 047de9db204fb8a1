"""Real-browser monthly dispatch: a 街道 reporter fills and submits, the unit approver and the project office
approve, a returned report shows its reason, and the dashboard and the notice reflect the approved figures."""

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def _logout(page, live_url):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


def _fill_first_missing(page, live_url, amount: str) -> str:
    page.goto(f"{live_url}/progress/my/")
    shot(page, "xijie-my-reports")
    page.locator(".tj-fill").first.click()
    # the form of a month not reported yet: nothing is created until the first save
    page.wait_for_url(re.compile(r".*/progress/(new/\d+/\d+/\d+|reports/\d+/edit)/$"))  # new month, or a draft
    page.fill("#id_month_investment", amount)
    page.fill("#id_construction_install", amount)
    page.fill("#id_equipment", "0")
    page.fill("#id_other_cost", "0")
    page.fill("#id_physical_progress", "浏览器测试：主体结构施工")
    page.click("#tj-submit-report")
    page.wait_for_load_state()
    assert page.locator("#tj-form-errors").count() == 0, page.locator("#tj-form-errors").inner_text()
    page.wait_for_url(re.compile(r".*/progress/reports/\d+/$"))
    assert "已提交" in page.locator("#tj-report-status").inner_text()
    return page.url


def _dashboard_ytd(page, live_url) -> str:
    """The year-to-date tile as shown: 亿元 with two decimals and thousands separators, e.g. "12.35"."""
    page.goto(f"{live_url}/progress/dashboard/")
    # served from the figures cache (the database table by default); it says when the figures were computed
    assert re.search(r"统计于 \d\d:\d\d:\d\d", page.locator("#tj-computed-at").inner_text())
    shown = page.locator("#tj-tile-ytd").inner_text().strip()
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d\d", shown), shown
    return shown


def _yi(wan) -> str:
    """万元 → the tile's text in 亿元: half-up to the cent, thousands separated (written here, not imported)."""
    return f"{(Decimal(str(wan)) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _notice_ytd(path) -> tuple[object, object]:
    """The 累计完成投资 row of the notice annex's 总体 sheet: (value, unit)."""
    from openpyxl import load_workbook

    rows = [row for row in load_workbook(path)["总体"].iter_rows(values_only=True) if row and row[0] == "累计完成投资"]
    assert len(rows) == 1, rows
    return rows[0][1], rows[0][2]


def test_fill_submit_and_two_level_approval(page, live_url, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())  # 提交 and 审核通过 ask for a confirmation
    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    before = _dashboard_ytd(page, live_url)
    _logout(page, live_url)

    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    report_url = _fill_first_missing(page, live_url, "1234.56")
    shot(page, "xijie-report-submitted")
    _logout(page, live_url)

    login(page, live_url, "xijie_sh")
    page.wait_for_url(f"{live_url}/")
    page.goto(report_url)
    page.click("#tj-approve")
    page.wait_for_load_state()
    assert "单位审核通过" in page.locator("#tj-report-status").inner_text()
    _logout(page, live_url)

    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/progress/?status=mine")
    assert page.locator("#tj-report-table").inner_text().count("单位审核通过") >= 1
    page.goto(report_url)
    page.click("#tj-approve")
    page.wait_for_load_state()
    assert "项目办审核通过" in page.locator("#tj-report-status").inner_text()
    assert "1,234.56" in page.content()
    shot(page, "xmb-report-locked")

    # the dashboard reflects it (a draft did not count before): checked exactly against the notice below
    after = _dashboard_ytd(page, live_url)
    assert after != before
    shot(page, "xmb-dashboard")

    # and so does the notice: its XLSX annex states the same year-to-date figure, in 万元
    page.goto(f"{live_url}/progress/notice/")
    page.select_option("#id_format", "xlsx")
    page.click("#tj-notice-generate")
    page.wait_for_url(re.compile(r".*/progress/notice/[^/]+/$"))
    with page.expect_download() as info:
        page.locator("a[href$='/download/']").first.click()
    path = tmp_path / "notice.xlsx"
    info.value.save_as(path)
    value, unit = _notice_ytd(path)
    assert unit == "万元" and isinstance(value, int | float), (value, unit)
    assert _yi(value) == after, (value, after)  # the notice states the figure the tile shows, to the cent
    assert _yi(Decimal(str(value)) - Decimal("1234.56")) == before, (value, before)  # and exactly 1,234.56 万元 more


def test_returned_report_shows_reason_to_reporter(page, live_url):
    page.on("dialog", lambda dialog: dialog.accept())  # 提交 and 退回 ask for a confirmation
    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    report_url = _fill_first_missing(page, live_url, "88.00")
    _logout(page, live_url)

    login(page, live_url, "xijie_sh")
    page.wait_for_url(f"{live_url}/")
    page.goto(report_url)
    page.fill("#tj-return-input", "请补充现场照片和设备购置发票")
    page.click("#tj-return")
    page.wait_for_load_state()
    _logout(page, live_url)

    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    page.goto(report_url)
    assert "请补充现场照片和设备购置发票" in page.locator("#tj-return-reason").inner_text()
    page.goto(f"{live_url}/progress/my/")
    assert "请补充现场照片和设备购置发票" in page.content()
    shot(page, "xijie-returned")
