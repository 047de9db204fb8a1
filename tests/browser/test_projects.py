"""Real-browser checks of the project registry: create, edit in scope, 404 out of scope, import with errors."""

import re

import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_office_creates_a_project(page, live_url):
    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/projects/")
    page.click("#tj-add-project")
    page.wait_for_url(re.compile(r".*/projects/add/"))
    page.fill("#id_name", "浏览器测试新建项目（示例）")
    page.fill("#id_owner_name", "浏览器测试业主有限公司")
    page.select_option("#id_responsible_unit", label="西街街道")
    page.fill("#id_total_investment", "8800.50")
    page.fill("#id_code", "1234")  # not a 项目代码
    page.click("#tj-save")
    assert page.locator("#tj-form-errors").is_visible()
    assert page.input_value("#id_name") == "浏览器测试新建项目（示例）"  # nothing lost
    assert "项目代码格式不正确" in page.content()
    shot(page, "project-form-error")
    page.fill("#id_code", "2611-410702-04-01-B0WSR1")
    page.select_option("select[name='funding-0-kind']", "self")
    page.fill("input[name='funding-0-amount']", "8800.50")
    page.click("#tj-save")
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    assert "浏览器测试新建项目（示例）" in page.locator("#tj-project-name").inner_text()
    assert "8,800.50" in page.content()
    shot(page, "project-created")


def test_reporter_edits_own_project_and_cannot_open_another(page, live_url):
    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/projects/")
    rows = page.locator("#tj-project-table tbody tr")
    assert rows.count() >= 1
    units = page.locator("#tj-project-table tbody tr td:nth-child(3)").all_inner_texts()
    assert units and all("西街" in u for u in units)
    shot(page, "xijie-projects")
    page.locator("#tj-project-table tbody tr a").first.click()
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    own_url = page.url
    page.click("#tj-edit-project")
    page.fill("#id_address", "西街浏览器测试地址 88 号")
    page.click("#tj-save")
    page.wait_for_url(own_url)
    assert "西街浏览器测试地址 88 号" in page.content() and "变更历史" in page.content()
    shot(page, "xijie-project-edited")


@pytest.fixture
def foreign_project_url(browser, live_url):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    login(page, live_url, "dongjie")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/projects/")
    href = page.locator("#tj-project-table tbody tr a").first.get_attribute("href")
    context.close()
    return f"{live_url}{href}"


def test_reporter_gets_404_for_another_units_project(page, live_url, foreign_project_url):
    login(page, live_url, "xijie")
    page.wait_for_url(f"{live_url}/")
    response = page.goto(foreign_project_url)
    assert response.status == 404 and "页面不存在" in page.content()
    response = page.goto(foreign_project_url + "edit/")
    assert response.status == 404


def test_import_with_errors_shows_rows_and_imports_nothing(page, live_url, tmp_path):
    from openpyxl import load_workbook

    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/projects/import/")
    with page.expect_download() as download_info:
        page.click("#tj-template")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    book = load_workbook(template)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    col = {h.rstrip("*"): i + 1 for i, h in enumerate(headers) if h}
    rows = [
        {"项目名称": "导入测试一（示例）", "项目业主": "导入业主甲", "责任单位": "西街街道", "总投资（万元）": 1000},
        {"项目名称": "导入测试二（示例）", "项目业主": "导入业主乙", "责任单位": "不存在的单位", "总投资（万元）": 500},
        {"项目名称": "导入测试三（示例）", "项目业主": "导入业主丙", "责任单位": "东街街道", "总投资（万元）": "很多"},
    ]
    start = sheet.max_row + 1 if sheet.max_row > 1 and any(c.value for c in sheet[sheet.max_row]) else 2
    for offset, row in enumerate(rows):
        for key, value in row.items():
            sheet.cell(row=start + offset, column=col[key], value=value)
    upload = tmp_path / "upload.xlsx"
    book.save(upload)
    page.set_input_files("#tj-import-form input[type=file]", str(upload))
    page.click("#tj-import-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/projects/import/\d+/$"))
    errors = page.locator("#tj-import-errors").inner_text()
    assert str(start + 1) in errors and "不存在的单位" in errors and str(start + 2) in errors
    assert page.locator("#tj-nothing-imported").is_visible()
    assert page.locator("#tj-apply-all").count() == 0
    shot(page, "import-errors")
    page.goto(f"{live_url}/projects/?q=导入测试")
    assert "没有符合条件的项目" in page.content()


def test_unit_picker_searches_and_filters_the_list(page, live_url):
    """Above TUIJIN_UNIT_PICKER_THRESHOLD the 责任单位 filter is a search box: type, pick, and the list follows."""
    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    page.goto(f"{live_url}/projects/")
    assert page.locator("#id_responsible_unit option").count() == 1  # 全部 only: the units come from the search
    page.fill("#id_responsible_unit_search", "西街")
    page.wait_for_function("() => document.querySelectorAll('#id_responsible_unit option').length > 1")
    assert "西街街道" in page.locator("#id_responsible_unit").inner_text()
    assert "东街" not in page.locator("#id_responsible_unit").inner_text()
    page.select_option("#id_responsible_unit", label="西街街道")
    page.wait_for_url(re.compile(r".*responsible_unit=\d+.*"))
    page.wait_for_load_state("networkidle")
    units = page.locator("#tj-table tbody tr td").all_inner_texts()
    assert any("西街" in text for text in units)
    assert not any("东街" in text for text in units)
    shot(page, "project-list-unit-picker")
    page.reload()  # the chosen unit stays in the drop-down after a reload
    assert page.locator("#id_responsible_unit option:checked").inner_text() == "西街街道"
