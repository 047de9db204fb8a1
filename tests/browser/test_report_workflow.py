"""Real-browser report workflow (issue 12): 填报 opens a form without creating a draft, a photo chosen before a
validation error is kept and saved with the next save, a photo is deleted from the edit page without losing what
was typed, 提交 and 撤回 ask for confirmation, and the unit approver approves several reports at once after a
preview. Screenshots at 1440 and 390 px."""

import re

import pytest
from PIL import Image

from .conftest import login, shot

pytestmark = pytest.mark.browser


def _photo(tmp_path) -> str:
    path = tmp_path / "工地现场.jpg"
    Image.new("RGB", (320, 200), (90, 140, 200)).save(path)
    return str(path)


def _logout(page):
    page.click("#tj-user-menu")
    page.click("#tj-logout")
    page.wait_for_url(re.compile(r".*/accounts/login/"))


def _open_first_missing(page, live_url):
    page.goto(f"{live_url}/progress/my/")
    page.locator(".tj-fill", has_text=re.compile(r"^\s*填报\s*$")).first.click()
    page.wait_for_url(re.compile(r".*/progress/new/\d+/\d+/\d+/$"))
    assert page.locator("#tj-not-saved").count() == 1  # nothing created yet


def _fill(page, amount):
    page.fill("#id_month_investment", amount)
    page.fill("#id_construction_install", amount)
    page.fill("#id_equipment", "0")
    page.fill("#id_other_cost", "0")


def _shots(page, name):
    """The page at 1440 and at 390 px (the phone layout), then back to the desktop width."""
    for width in (390, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"{name}-{width}")


def test_reporter_keeps_the_photo_deletes_one_submits_and_withdraws(page, live_url, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    _open_first_missing(page, live_url)
    _shots(page, "report-new-form")
    _fill(page, "60")
    page.fill("#id_equipment", "5")  # the breakdown no longer adds up
    page.set_input_files("#id_photo", _photo(tmp_path))
    page.fill("#id_problems-0-description", "临时用电容量不足")
    page.click("#tj-save-draft")
    page.wait_for_load_state()
    assert "已选择的照片已保留" in page.locator("#tj-form-errors").inner_text()
    assert page.input_value("#id_problems-0-description") == "临时用电容量不足"
    _shots(page, "report-photo-kept")
    page.fill("#id_equipment", "0")
    page.click("#tj-save-draft")
    page.wait_for_url(re.compile(r".*/progress/reports/\d+/$"))
    report_url = page.url
    assert page.locator("#tj-report-photos figure").count() == 1

    page.goto(report_url + "edit/")
    page.fill("#id_next_month_plan", "继续主体施工")
    page.locator(".tj-photo-delete").first.click()
    page.wait_for_selector(".tj-photo-deleted")
    assert page.input_value("#id_next_month_plan") == "继续主体施工"  # the typing stays
    assert any("确定删除照片" in m for m in dialogs)
    page.click("#tj-submit-report")
    page.wait_for_url(re.compile(r".*/progress/reports/\d+/$"))
    assert "已提交" in page.locator("#tj-report-status").inner_text()
    assert any("确定提交审核" in m for m in dialogs)
    _shots(page, "report-submitted")
    page.click("#tj-withdraw")
    page.wait_for_url(re.compile(r".*/progress/reports/\d+/edit/$"))
    assert any("撤回" in m for m in dialogs)
    page.click("#tj-submit-report")
    page.wait_for_url(re.compile(r".*/progress/reports/\d+/$"))
    assert "已提交" in page.locator("#tj-report-status").inner_text()


def test_unit_approver_bulk_approves_after_a_preview(page, live_url):
    page.on("dialog", lambda d: d.accept())
    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    _open_first_missing(page, live_url)
    _fill(page, "42")
    page.click("#tj-submit-report")
    page.wait_for_url(re.compile(r".*/progress/reports/\d+/$"))
    _logout(page)
    login(page, live_url, "xijie_sh")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/progress/?status=mine")
    chosen = page.locator(".tj-bulk-pick").count()
    assert chosen >= 1
    _shots(page, "report-queue-bulk")
    page.locator(".tj-bulk-all:visible").first.check()
    page.click("#tj-bulk-approve")
    page.wait_for_selector("#tj-bulk-preview")
    assert page.locator("#tj-bulk-rows tbody tr").count() == chosen
    _shots(page, "report-bulk-preview")
    page.click("#tj-bulk-confirm")
    page.wait_for_selector("#tj-bulk-done")
    assert "已审核通过" in page.locator("#tj-bulk-approved").inner_text()
    _shots(page, "report-bulk-done")
