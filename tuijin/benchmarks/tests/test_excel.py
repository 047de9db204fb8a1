"""对标对表 in Excel: the export read back with openpyxl (values, the comparison table, a formula-injection cell
neutralised), the round trip (the export imports back unchanged), the template, and the import's row errors."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tuijin.benchmarks import excel
from tuijin.benchmarks.figures import Board
from tuijin.benchmarks.models import IndicatorValue
from tuijin.core.models import ObjectChange

from .conftest import put

pytestmark = pytest.mark.django_db
D = Decimal
INJECTION = '=HYPERLINK("http://evil.example/","点我")'


def _book(rows, header=True) -> bytes:
    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(excel.HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_export_read_back(tiny, peers, targets):
    put(peers["gaoxin"], "started_projects", 6, "3", source=INJECTION)
    content = excel.export_xlsx(Board(2025, today=date(2025, 7, 10)), 6)
    book = load_workbook(BytesIO(content))
    values, table = book.worksheets
    assert [c.value for c in values[1]] == excel.HEADERS
    rows = [[c.value for c in row] for row in values.iter_rows(min_row=2)]
    assert ["鹤壁", "固定资产投资增速", 2025, 6, 15.3, "测试来源"] == rows[0][:6]
    assert rows[0][6].date() == date(2025, 7, 8)
    injected = next(r for r in values.iter_rows(min_row=2) if r[0].value == "高新区" and r[1].value == "新开工项目数")
    assert injected[5].value == "'" + INJECTION and injected[5].data_type == "s"
    header = [c.value for c in table[1]]
    assert header[:6] == ["指标", "期间", "本区", "口径", "目标", "与目标差距"] and "鹤壁" in header
    first = [c.value for c in table[2]]
    assert first[:6] == ["固定资产投资增速", "1—6月", 12.6, "平台口径", 25, 12.4]
    assert first[header.index("与鹤壁差距")] == 2.7


def test_the_export_imports_back_unchanged(world, peers):
    put(peers["gaoxin"], "started_projects", 6, "3", source=INJECTION)
    content = excel.export_xlsx(Board(2025), 6)
    check = excel.import_check(actor=world.office, data=content)
    assert check.errors == [] and check.rows == [] and check.unchanged == IndicatorValue.objects.count()


def test_an_import_writes_every_row_or_none(world, peers):
    content = _book(
        [
            ["长垣", "固定资产投资增速", 2025, 6, "13.4", "长垣市统计局", "2025-07-16", ""],  # new
            ["鹤壁", "fai_growth", 2025, "6月", 15.5, "鹤壁市统计局（修订）", date(2025, 7, 20), "修订"],  # changed
            ["高新区", "新开工项目数", 2025, 6, "", "", "", ""],  # no value: left alone
        ]
    )
    check = excel.import_check(actor=world.office, data=content)
    assert check.errors == [] and len(check.rows) == 2
    assert check.rows[1].before == "15.3" and check.rows[1].value == "15.50"
    assert not IndicatorValue.objects.filter(region=peers["changyuan"], month=6).exists()  # a dry run
    assert excel.import_apply(actor=world.office, check=excel.ImportCheck.from_session(check.session_data())) == 2
    hebi = IndicatorValue.objects.get(region=peers["hebi"], indicator__code="fai_growth", month=6)
    assert hebi.value == D("15.50") and hebi.note == "修订" and hebi.version == 2
    assert ObjectChange.objects.filter(changed_object_id=hebi.pk, message="Excel 导入").exists()
    assert IndicatorValue.objects.get(region=peers["changyuan"], month=6).value == D("13.40")


def test_the_import_explains_each_bad_row(world, peers):
    book = Workbook()
    sheet = book.active
    sheet.append(excel.HEADERS)
    rows = [
        ["洛阳", "固定资产投资增速", 2025, 6, 9, "来源", "2025-07-10", ""],
        ["长垣", "社零增速", 2025, 6, 9, "来源", "2025-07-10", ""],
        ["长垣", "固定资产投资增速", "二〇二五", 6, 9, "来源", "2025-07-10", ""],
        ["长垣", "固定资产投资增速", 2025, 6, "九", "来源", "2025-07-10", ""],
        ["长垣", "固定资产投资增速", 2025, 6, 9, "", "2025-07-10", ""],
        ["长垣", "二产占比", 2025, 5, 40, "来源", "2025-07-10", ""],
        ["长垣", "固定资产投资增速", 2025, 6, 9, "来源", "7月10日", ""],
        ["长垣", "新开工项目数", 2025, 6, 9, "来源", "2025-07-10", ""],
        ["长垣", "新开工项目数", 2025, 6, 8, "来源", "2025-07-10", ""],
    ]
    for row in rows:
        sheet.append(row)
    sheet.append(["长垣", "工业投资增速", 2025, 6, "=1+1", "来源", "2025-07-10", ""])
    buffer = BytesIO()
    book.save(buffer)
    check = excel.import_check(actor=world.office, data=buffer.getvalue())
    messages = dict(check.errors)
    assert "不在对标地区中" in messages[2]
    assert "指标“社零增速”不存在" in messages[3]
    assert "年度须为整数" in messages[4]
    assert "数值须为数字" in messages[5]
    assert "请填写来源" in messages[6]
    assert "季度指标的截至月份须为 3、6、9 或 12 月" in messages[7]
    assert "发布日期格式应为 2026-07-15" in messages[8]
    assert "与第9行是同一地区、指标和月份" in messages[10]
    assert "单元格含公式" in messages[11]
    assert len(check.rows) == 1 and not check.ok


def test_the_template(peers):
    put(peers["hebi"], "industrial_value_added_growth", 6, "7.1")
    book = load_workbook(BytesIO(excel.template_xlsx(2025, 5)))
    rows = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
    regions = {r[0] for r in rows}
    assert regions == {"本区", "鹤壁", "长垣", "高新区"}  # active ones, 本区 included
    may = {(r[0], r[1]): r for r in rows}
    assert may[("长垣", "固定资产投资增速")][3] == 5 and may[("长垣", "固定资产投资增速")][4] == 13.0
    assert may[("鹤壁", "二产占比")][3] == 3 and may[("鹤壁", "二产占比")][4] == 38.0  # the quarter end before May
    assert may[("鹤壁", "固定资产投资增速")][4] is None
    assert book.worksheets[1].title == "填写说明"


def test_the_import_pages(client, world, peers):
    client.force_login(world.office)
    bad = client.post(reverse("benchmarks:import"), {"file": SimpleUploadedFile("v.xlsx", b"not a workbook")})
    assert bad.status_code == 400 and "不支持的文件类型" in bad.content.decode()
    errors = _book([["洛阳", "固定资产投资增速", 2025, 6, 9, "来源", "2025-07-10", ""]])
    page = client.post(reverse("benchmarks:import"), {"file": SimpleUploadedFile("v.xlsx", errors)})
    assert page.status_code == 400 and "未写入任何数据" in page.content.decode()
    good = _book([["长垣", "固定资产投资增速", 2025, 6, 13.4, "长垣市统计局", "2025-07-16", ""]])
    page = client.post(reverse("benchmarks:import"), {"file": SimpleUploadedFile("v.xlsx", good)})
    assert page.status_code == 200 and "1 行可导入" in page.content.decode()
    assert client.post(reverse("benchmarks:import_apply"), {"token": "stale"}).status_code == 302
    assert not IndicatorValue.objects.filter(region=peers["changyuan"], month=6).exists()
    done = client.post(reverse("benchmarks:import_apply"), {"token": page.context["token"]})
    assert done.status_code == 302 and IndicatorValue.objects.filter(region=peers["changyuan"], month=6).exists()
    export = client.get(reverse("benchmarks:export") + "?year=2025&month=6")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
