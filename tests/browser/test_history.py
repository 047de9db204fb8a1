"""历史数据导入 in a real browser (issue 13, "Done when"): the 项目办 reaches the page from the navigation, loads a
district's first half-year — 80 projects in four units, their 2024 plans and six months of reports — from the three
templates the page offers, filled in as a user would, and the dashboard of two of the months and the notice annex
then state exactly the sums of the files; no lateness light is raised on the imported months."""

import io
import re
import time
from decimal import ROUND_HALF_UP, Decimal

import pytest
from openpyxl import load_workbook

from .conftest import login, shot

pytestmark = pytest.mark.browser

YEAR = 2024
UNITS = ["西街街道", "东街街道", "渠东街道", "洪门镇"]
PROJECTS = 80
MONTHS = range(1, 7)


def _code(n: int) -> str:
    return f"2403-410702-04-01-{950000 + n:06d}"


def _norm(value) -> str:
    return str(value or "").replace("*", "").strip()


def _amount(n: int, month: int) -> Decimal:
    return Decimal(100 + (n * 37 + month * 11) % 400) + Decimal(n % 4) / 4


def _plan(n: int) -> Decimal:
    return Decimal(2000 + n * 25)


def _download(page, selector: str) -> bytes:
    with page.expect_download() as info:
        page.click(selector)
    return open(info.value.path(), "rb").read()


def _save(book, tmp_path, name: str):
    path = tmp_path / name
    book.save(path)
    return path


def _projects_file(template: bytes, tmp_path):
    book = load_workbook(io.BytesIO(template))
    ws = book["项目"]
    heads = [_norm(c.value) for c in ws[1]]
    for n in range(PROJECTS):
        unit = UNITS[n % len(UNITS)]
        values = {
            "项目代码": _code(n),
            "项目名称": f"历史导入项目{n:02d}",
            "项目业主": f"新乡历史{n:02d}建设有限公司",
            "责任单位": unit,
            "属地": unit,
            "总投资（万元）": 20000 + n * 100,
            "资金来源": f"企业自筹:{20000 + n * 100}",
            "项目阶段": "在建",
            "实际开工日期": f"2023-{n % 12 + 1:02d}-01",
        }
        for header, value in values.items():
            ws.cell(row=n + 2, column=heads.index(header) + 1, value=value)
    return _save(book, tmp_path, "projects.xlsx")


def _rows_by_code(ws, heads):
    for row in ws.iter_rows(min_row=2):
        code = str(row[heads.index("项目代码")].value or "")
        if code.startswith("2403-410702-04-01-95"):
            yield int(code[-6:]) - 950000, row


def _plans_file(template: bytes, tmp_path):
    book = load_workbook(io.BytesIO(template))
    ws = book["年度计划"]
    heads = [_norm(c.value) for c in ws[1]]
    filled = 0
    for n, row in _rows_by_code(ws, heads):
        row[heads.index("年度计划投资（万元）")].value = float(_plan(n))
        filled += 1
    assert filled == PROJECTS
    return _save(book, tmp_path, "plans.xlsx")


def _reports_file(template: bytes, tmp_path):
    book = load_workbook(io.BytesIO(template))
    ws = book["历史月报"]
    heads = [_norm(c.value) for c in ws[1]]
    filled = 0
    for n, row in _rows_by_code(ws, heads):
        month = int(str(row[heads.index("报告期")].value)[-2:])
        amount = _amount(n, month)
        row[heads.index("当月完成投资（万元）")].value = float(amount)
        row[heads.index("建筑安装工程（万元）")].value = float(amount)
        row[heads.index("已开工")].value = "是"
        row[heads.index("形象进度")].value = f"{month}月主体施工"
        filled += 1
    assert filled == PROJECTS * len(MONTHS)
    return _save(book, tmp_path, "reports.xlsx")


def _step(page, kind: str, path) -> str:
    """Upload a step's file, check the preview, confirm; the success message."""
    page.set_input_files(f"#tj-history-file-{kind}", str(path))
    page.click(f"#tj-history-upload-{kind}")
    page.wait_for_selector("#tj-history-result")
    result = page.locator("#tj-history-result").inner_text()
    assert "校验通过" in result, result
    return result


def _confirm(page) -> str:
    page.click("#tj-history-apply button")
    page.wait_for_selector(".alert-success")
    return page.locator(".alert-success").first.inner_text()


def _yi(wan: Decimal) -> str:
    return f"{(wan / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def _wan(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,}"


def test_the_office_loads_a_first_half_year_from_three_files(page, fresh_live_url, tmp_path):
    live_url = fresh_live_url
    started = time.monotonic()
    login(page, live_url, "xmb")
    page.wait_for_url(f"{live_url}/")
    page.click("#tj-sidebar a:has-text('历史数据导入')")  # no typed URL
    page.wait_for_url(re.compile(r".*/progress/history/$"))
    shot(page, "history-page")

    # 1. 项目: the import template, 80 projects in four units
    projects = _projects_file(_download(page, "#tj-history-template-projects"), tmp_path)
    preview = _step(page, "projects", projects)
    assert f"将新增 {PROJECTS} 条" in preview, preview
    assert f"新增 {PROJECTS} 个" in _confirm(page)

    # 2. 年度计划 2024: the workbook lists the new projects; approved as baselines at once
    page.fill("#tj-history-plan-year", str(YEAR))
    plans = _plans_file(_download(page, "#tj-history-template-plans"), tmp_path)
    preview = _step(page, "plans", plans)
    plan_total = sum((_plan(n) for n in range(PROJECTS)), Decimal(0))
    assert _wan(plan_total) in preview, preview
    assert f"新增并批准为基线 {PROJECTS} 个" in _confirm(page)

    # 3. 月报 2024-01 … 2024-06: one workbook, several months and units
    page.fill("#tj-history-first", f"{YEAR}-01")
    page.fill("#tj-history-last", f"{YEAR}-06")
    reports = _reports_file(_download(page, "#tj-history-template-reports"), tmp_path)
    preview = _step(page, "reports", reports)
    by_month = {m: sum((_amount(n, m) for n in range(PROJECTS)), Decimal(0)) for m in MONTHS}
    for month, total in by_month.items():  # the preview's per-month sums are the file's
        row = page.locator(f"#tj-history-preview tr[data-key='{YEAR}-{month:02d}']")
        assert row.locator(".tj-history-total").inner_text() == _wan(total)
    shot(page, "history-reports-preview")
    assert f"新增 {PROJECTS * len(MONTHS)} 份" in _confirm(page)
    imported = time.monotonic() - started
    assert imported < 600  # well under the 10 minutes

    # the dashboard of two of the months states the files' year-to-date sums and the plans
    for month in (3, 6):
        page.goto(f"{live_url}/progress/dashboard/?year={YEAR}&month={month}")
        ytd = sum((by_month[m] for m in MONTHS if m <= month), Decimal(0))
        assert page.locator("#tj-tile-ytd").inner_text().strip() == _yi(ytd), month
        assert page.locator("#tj-tile-plan").inner_text().strip() == _yi(plan_total)
        shot(page, f"history-dashboard-{month}")

    # no lateness light on the imported months
    page.goto(f"{live_url}/progress/lights/?period={YEAR}-03")
    assert "逾期提交" not in page.content()

    # the notice of June: its annex states the half-year's figure, in 万元
    page.goto(f"{live_url}/progress/notice/?year={YEAR}&month=6")
    page.select_option("#id_format", "xlsx")
    page.click("#tj-notice-generate")
    page.wait_for_url(re.compile(r".*/progress/notice/[^/]+/$"))
    with page.expect_download() as info:
        page.locator("a[href$='/download/']").first.click()
    path = tmp_path / "notice.xlsx"
    info.value.save_as(path)
    rows = [r for r in load_workbook(path)["总体"].iter_rows(values_only=True) if r and r[0] == "累计完成投资"]
    assert len(rows) == 1 and rows[0][2] == "万元", rows
    assert Decimal(str(rows[0][1])).quantize(Decimal("0.01")) == sum(by_month.values(), Decimal(0))
