"""Annual plans in Excel (export → import → drafts), bulk baseline approval with a preview, and the plan pages."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from tuijin.projects import plan_excel, services
from tuijin.projects.choices import PlanStatus
from tuijin.projects.models import AnnualPlan
from tuijin.utilities.excel import workbook_bytes
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix, xlsx_text

from .factories import make_project

D = Decimal
YEAR = 2026
MONTHS = ["10", "10", "10", "10", "10", "10", "10", "10", "10", "10", "0", "0"]


@pytest.fixture
def projects(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="计划甲项目", code="2403-410702-04-01-12345X")
    a2 = make_project(unit=world.unit_a, actor=world.office, name="计划甲二项目")
    b = make_project(unit=world.unit_b, actor=world.office, name="计划乙项目")
    return a, a2, b


def _plan(world, project, amount="100", months=None, approve=False, start_month=None, finish_month=None):
    plan = services.annual_plan_save(
        actor=world.office,
        project=project,
        year=YEAR,
        planned_investment=D(amount),
        monthly_plan=months,
        progress_target="主体封顶",
        planned_start_quarter=2,
        planned_start_month=start_month,
        planned_finish_month=finish_month,
    )
    if approve:
        plan = services.annual_plan_approve(actor=world.office, plan=plan)
    return plan


def _sheet(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return book, book[plan_excel.SHEET]


def _rows(sheet) -> dict[str, dict[str, object]]:
    headers = [c.value for c in sheet[1]]
    return {
        row[1]: dict(zip(headers, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True) if row[1]
    }


def _set(sheet, name: str, header: str, value) -> None:
    col = [c.value for c in sheet[1]].index(header) + 1
    for cells in sheet.iter_rows(min_row=2):
        if cells[1].value == name:
            sheet.cell(row=cells[0].row, column=col).value = value  # cell(value=None) would keep the old value
            return
    raise AssertionError(name)


def _upload(client, content: bytes, year=YEAR):
    return client.post(
        reverse("projects:plan_import"),
        {"year": year, "file": SimpleUploadedFile("plans.xlsx", content)},
    )


# --- export ----------------------------------------------------------------------------------------------------


def test_workbook_lists_projects_in_scope_prefilled(world, projects):
    _plan(world, projects[0], "100", MONTHS)
    content = plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR)
    _book, sheet = _sheet(content)
    rows = _rows(sheet)
    assert set(rows) == {"计划甲项目", "计划甲二项目"}  # 乙街道's project is not exported to 甲街道
    first = rows["计划甲项目"]
    assert first["项目代码"] == "2403-410702-04-01-12345X"
    assert D(str(first["年度计划投资（万元）"])) == D("100")
    assert D(str(first["1月（万元）"])) == D("10") and D(str(first["12月（万元）"])) == D("0")
    assert first["计划开工季度"] == 2 and first["形象进度目标"] == "主体封顶"
    assert rows["计划甲二项目"]["年度计划投资（万元）"] is None
    assert sheet.data_validations.dataValidation  # dropdowns / number checks


def test_workbook_neutralises_formulas(world):
    make_project(unit=world.unit_a, actor=world.office, name='=HYPERLINK("x")')
    _book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("x")' in names


# --- import ----------------------------------------------------------------------------------------------------


def test_round_trip_unchanged_changes_nothing(world, projects):
    plan = _plan(world, projects[0], "100", MONTHS)
    content = plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR)
    report = plan_excel.parse_plan_workbook(content, actor=world.reporter_a)
    assert not report.errors, report.errors
    assert report.count("unchanged") == 1 and report.count("create") == 0 and report.count("update") == 0
    assert report.blank_rows == 1
    assert plan_excel.apply_plan_import(report, actor=world.reporter_a) == (0, 0)
    plan.refresh_from_db()
    assert plan.version == 1


def test_import_creates_and_updates_drafts_with_history(client, world, projects):
    from tuijin.core.models import ObjectChange

    _plan(world, projects[0], "100", MONTHS)
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    _set(sheet, "计划甲项目", "年度计划投资（万元）", 110)
    _set(sheet, "计划甲项目", "11月（万元）", 10)
    _set(sheet, "计划甲二项目", "年度计划投资（万元）", 55.5)
    _set(sheet, "计划甲二项目", "形象进度目标", "完成土方")
    client.force_login(world.reporter_a)
    response = _upload(client, workbook_bytes(book))
    assert response.status_code == 200
    assert "导入完成" in response.content.decode()
    updated = AnnualPlan.objects.get(project=projects[0], year=YEAR)
    assert updated.planned_investment == D("110") and updated.monthly_plan[10] == "10"
    created = AnnualPlan.objects.get(project=projects[1], year=YEAR)
    assert (created.planned_investment, created.status, created.progress_target) == (D("55.5"), "draft", "完成土方")
    assert created.monthly_plan is None
    history = ObjectChange.objects.filter(changed_object_id__in=[created.pk, updated.pk])
    assert history.filter(action="create", changed_object_id=created.pk).exists()
    assert history.filter(action="update", changed_object_id=updated.pk, user=world.reporter_a).exists()


def test_approved_plan_is_skipped_not_overwritten(client, world, projects):
    plan = _plan(world, projects[0], "100", approve=True)
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.office, year=YEAR))
    _set(sheet, "计划甲项目", "年度计划投资（万元）", 999)
    _set(sheet, "计划甲二项目", "年度计划投资（万元）", 5)
    client.force_login(world.office)
    page = _upload(client, workbook_bytes(book)).content.decode()
    assert "已批准为基线，未覆盖" in page
    assert reverse("projects:plan_change_request", args=[plan.pk]) in page
    plan.refresh_from_db()
    assert plan.planned_investment == D("100")
    assert AnnualPlan.objects.get(project=projects[1], year=YEAR).planned_investment == D("5")


BAD_CELLS = [
    ("项目代码", "2403-410702-04-01-99999Z", "不存在或不在您的管理范围内"),
    ("项目名称", "别的名字", "与所填项目名称不一致"),
    ("年度", "明年", "不是数字"),
    ("年度", 1999, "2000至2100"),
    ("年度计划投资（万元）", "一百", "不是数字"),
    ("年度计划投资（万元）", -5, "不能为负数"),
    ("年度计划投资（万元）", 1.234, "最多 2 位小数"),
    ("3月（万元）", "abc", "不是数字"),
    ("1月（万元）", 99, "应等于年度计划"),
    ("计划开工季度", 5, "1–4"),
    ("计划开工季度", "二季度", "不是数字"),
    ("计划开工月份", 13, "月份须为1–12"),
    ("计划开工月份", "三月份", "请填写1–12的整数（月份）"),
    ("计划竣工月份", 0, "月份须为1–12"),
    ("计划竣工月份", 2, "不能早于计划开工月份（4月）"),  # the plan starts in April
    ("计划竣工月份", "=4+8", "不能使用公式"),
    ("形象进度目标", "很" * 301, "最多 300 字"),
    ("年度计划投资（万元）", "=SUM(G2:R2)", "不能使用公式"),
]


@pytest.mark.parametrize(("header", "value", "message"), BAD_CELLS)
def test_bad_cell_in_every_column_type(client, world, projects, header, value, message):
    _plan(world, projects[0], "100", MONTHS, start_month=4, finish_month=11)
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    _set(sheet, "计划甲二项目", "年度计划投资（万元）", 7)  # a valid row: not written either
    _set(sheet, "计划甲项目", header, value)
    client.force_login(world.reporter_a)
    response = _upload(client, workbook_bytes(book))
    page = response.content.decode()
    assert "校验未通过，未导入任何数据" in page
    assert message in page
    assert not AnnualPlan.objects.filter(project=projects[1]).exists()
    assert AnnualPlan.objects.get(project=projects[0]).planned_investment == D("100")
    token = response.context["token"]
    annotated = client.get(reverse("projects:plan_import_annotated", args=[token]))
    assert annotated.status_code == 200
    _b, marked = _sheet(annotated.content)
    assert marked.cell(row=1, column=marked.max_column).value == "错误说明"
    assert message in xlsx_text(annotated.content)
    red = [c for row in marked.iter_rows(min_row=2) for c in row if c.fill.fgColor.rgb in ("00FFC7CE", "FFFFC7CE")]
    assert red, "the bad cell is filled red"


def test_out_of_scope_project_is_refused(client, world, projects):
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.office, year=YEAR))
    _set(sheet, "计划乙项目", "年度计划投资（万元）", 50)
    client.force_login(world.reporter_a)  # 甲街道 cannot plan 乙街道's project
    page = _upload(client, workbook_bytes(book)).content.decode()
    assert "不在您的管理范围内" in page
    assert not AnnualPlan.objects.exists()


def test_duplicate_row_and_wrong_headers(world, projects):
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    _set(sheet, "计划甲项目", "年度计划投资（万元）", 1)
    sheet.append(["2403-410702-04-01-12345X", "计划甲项目", "", "", YEAR, 2])
    report = plan_excel.parse_plan_workbook(workbook_bytes(book), actor=world.reporter_a)
    assert any("同一项目同一年度" in e["message"] for e in report.errors)
    sheet.cell(row=1, column=6, value="投资")
    report = plan_excel.parse_plan_workbook(workbook_bytes(book), actor=world.reporter_a)
    assert report.fatal and "缺少表头" in report.errors[0]["message"]


def test_annotated_copy_of_another_session_is_404(client, world):
    client.force_login(world.reporter_a)
    assert client.get(reverse("projects:plan_import_annotated", args=["0" * 32])).status_code == 404


def test_not_an_xlsx_is_refused(client, world):
    client.force_login(world.reporter_a)
    response = client.post(
        reverse("projects:plan_import"), {"year": YEAR, "file": SimpleUploadedFile("x.xlsx", b"not excel")}
    )
    assert response.status_code == 200 and "Excel" in response.content.decode()
    assert not AnnualPlan.objects.exists()


# --- bulk approval ---------------------------------------------------------------------------------------------


def test_bulk_approve_preview_then_confirm(client, world, projects):
    p1, p2 = _plan(world, projects[0], "100"), _plan(world, projects[1], "30")
    client.force_login(world.office)
    preview = client.post(
        reverse("projects:plan_bulk_approve"), {"year": YEAR, "plan": [f"{p1.pk}:{p1.version}", f"{p2.pk}:1"]}
    )
    page = preview.content.decode()
    assert "确认批准" in page and "计划甲项目" in page and "甲街道办事处" in page and "130.00" in page
    assert AnnualPlan.objects.filter(status=PlanStatus.DRAFT).count() == 2  # a preview approves nothing
    response = client.post(
        reverse("projects:plan_bulk_approve_confirm"),
        {"year": YEAR, "plan": [f"{p1.pk}:{p1.version}", f"{p2.pk}:{p2.version}"]},
    )
    assert response.status_code == 302
    assert set(AnnualPlan.objects.values_list("status", flat=True)) == {PlanStatus.APPROVED}
    p1.refresh_from_db()
    assert p1.baseline_investment == D("100") and p1.baseline_approved_by == world.office


def test_bulk_approve_skips_plan_changed_since_preview(client, world, projects):
    p1, p2 = _plan(world, projects[0], "100"), _plan(world, projects[1], "30")
    seen = [f"{p1.pk}:{p1.version}", f"{p2.pk}:{p2.version}"]
    services.annual_plan_save(actor=world.office, project=projects[1], year=YEAR, planned_investment=D("31"))
    client.force_login(world.office)
    response = client.post(reverse("projects:plan_bulk_approve_confirm"), {"year": YEAR, "plan": seen}, follow=True)
    text = response.content.decode()
    assert "已批准 1 个" in text and "预览后已被他人修改" in text
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert p1.status == PlanStatus.APPROVED and p2.status == PlanStatus.DRAFT


def test_bulk_approve_preview_flags_changed_plan_and_bounded_queries(
    client, world, projects, django_assert_max_num_queries
):
    plans = [_plan(world, make_project(unit=world.unit_a, actor=world.office), str(i)) for i in range(1, 8)]
    client.force_login(world.office)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("projects:plan_bulk_approve") + f"?year={YEAR}").content.decode()
    assert all(p.project.name in page for p in plans)
    stale = client.post(reverse("projects:plan_bulk_approve"), {"year": YEAR, "plan": [f"{plans[0].pk}:0"]})
    assert "列表打开后已被修改" in stale.content.decode()


def test_project_page_offers_any_year(client, world, projects):
    client.force_login(world.reporter_a)
    page = client.get(projects[0].get_absolute_url()).content.decode()
    assert reverse("projects:plan_year", args=[projects[0].pk]) in page
    response = client.get(reverse("projects:plan_year", args=[projects[0].pk]) + "?year=2029")
    assert response["Location"] == reverse("projects:plan_edit", args=[projects[0].pk, 2029])


def test_project_list_links_plan_pages(client, world, projects):
    client.force_login(world.office)
    page = client.get(reverse("projects:project_list")).content.decode()
    for name in ("plan_workbook", "plan_import", "plan_bulk_approve"):
        assert reverse(f"projects:{name}") in page


# --- permission matrices ---------------------------------------------------------------------------------------


class TestPlanWorkbookMatrix(ViewMatrix):
    url_name = "projects:plan_workbook"
    detail = False

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=projects[0],
            out_of_scope=projects[2],
            marker=lambda p: p.name,
        )


class TestPlanImportMatrix(ViewMatrix):
    url_name = "projects:plan_import"
    detail = False
    scoped = False
    unscoped_reason = "an upload form: it shows no project (scope of the rows: test_out_of_scope_project_is_refused)"

    @pytest.fixture
    def matrix(self, world):
        return Case(allowed=world.reporter_a, denied=world.leader)


class TestPlanImportAnnotatedMatrix(ViewMatrix):
    url_name = "projects:plan_import_annotated"
    scoped = False
    unscoped_reason = "the user's own upload, found through their session (another session's token: 404, tested)"

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name, args=["0" * 32])

    def fetch(self, client, matrix, obj):
        if matrix.allowed.pk == int(client.session.get("_auth_user_id", 0) or 0):
            book, sheet = _sheet(plan_excel.build_plan_workbook(actor=matrix.allowed, year=YEAR))
            _set(sheet, "计划甲项目", "年度计划投资（万元）", "坏")
            token = _upload(client, workbook_bytes(book)).context["token"]
            return client.get(reverse(self.url_name, args=[token]))
        return client.get(self.url_for(obj))

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=projects[0], marker=lambda p: p.name)


class TestPlanBulkApproveMatrix(ViewMatrix):
    url_name = "projects:plan_bulk_approve"
    detail = False

    def url_for(self, obj=None) -> str:
        return reverse(self.url_name) + f"?year={YEAR}"

    @pytest.fixture
    def matrix(self, world, projects):
        a = _plan(world, projects[0], "100")
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=a,
            out_of_scope=_foreign_plan(world),
            marker=lambda p: p.project.name,
        )


def _foreign_plan(world):
    project = make_project(unit=world.foreign_unit, actor=world.foreign_office, name="邻区计划项目")
    return services.annual_plan_save(actor=world.foreign_office, project=project, year=YEAR, planned_investment=D("9"))


class TestPlanBulkApproveConfirmMatrix(PostMatrix):
    url_name = "projects:plan_bulk_approve_confirm"
    detail = False

    def data(self, obj, matrix):
        return {"year": YEAR, "plan": [f"{obj.pk}:{obj.version}"]}

    def effect(self, obj, matrix):
        assert AnnualPlan.objects.get(pk=obj.pk).status == PlanStatus.APPROVED

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=_plan(world, projects[0], "100"),
            out_of_scope=_foreign_plan(world),
        )


class TestPlanYearMatrix(ViewMatrix):
    url_name = "projects:plan_year"

    def fetch(self, client, matrix, obj):
        return client.get(self.url_for(obj) + "?year=2027", follow=True)

    def test_anonymous_redirects_to_login(self, client, matrix):
        response = client.get(self.url_for(matrix.in_scope))
        assert response.status_code == 302 and response["Location"].startswith(reverse("users:login"))

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=projects[0],
            out_of_scope=projects[2],
            marker=lambda p: p.name,
        )


# --- 计划开工月份 / 计划竣工月份 ----------------------------------------------------------------------------------


def test_plan_months_are_columns_prefilled_with_a_dropdown(world, projects):
    _plan(world, projects[0], "100", MONTHS, start_month=3, finish_month=11)
    content = plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR)
    _book, sheet = _sheet(content)
    headers = [c.value for c in sheet[1]]
    assert headers.index("计划开工季度") < headers.index("计划开工月份") < headers.index("计划竣工月份")
    assert "形象进度目标" in headers
    rows = _rows(sheet)
    assert (rows["计划甲项目"]["计划开工月份"], rows["计划甲项目"]["计划竣工月份"]) == (3, 11)
    assert (rows["计划甲二项目"]["计划开工月份"], rows["计划甲二项目"]["计划竣工月份"]) == (None, None)
    letter = sheet.cell(row=1, column=headers.index("计划开工月份") + 1).column_letter
    months = [v for v in sheet.data_validations.dataValidation if (v.formula1, v.formula2) == ("1", "12")]
    assert months and any(letter in str(v.sqref) for v in months)
    assert "竣工月份不能早于开工月份" in xlsx_text(content)


def test_round_trip_with_plan_months_changes_nothing(world, projects):
    plan = _plan(world, projects[0], "100", MONTHS, start_month=3, finish_month=11)
    content = plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR)
    report = plan_excel.parse_plan_workbook(content, actor=world.reporter_a)
    assert not report.errors, report.errors
    assert report.count("unchanged") == 1 and report.count("update") == 0
    assert plan_excel.apply_plan_import(report, actor=world.reporter_a) == (0, 0)
    plan.refresh_from_db()
    assert (plan.version, plan.planned_start_month, plan.planned_finish_month) == (1, 3, 11)


def test_import_sets_and_clears_plan_months(world, projects):
    plan = _plan(world, projects[0], "100", MONTHS, start_month=3, finish_month=11)
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    _set(sheet, "计划甲项目", "计划开工月份", None)  # a blank stays blank: cleared, not defaulted
    _set(sheet, "计划甲项目", "计划竣工月份", None)
    _set(sheet, "计划甲二项目", "年度计划投资（万元）", 20)
    _set(sheet, "计划甲二项目", "计划开工月份", "3月")
    _set(sheet, "计划甲二项目", "计划竣工月份", "12")
    report = plan_excel.parse_plan_workbook(workbook_bytes(book), actor=world.reporter_a)
    assert not report.errors, report.errors
    assert plan_excel.apply_plan_import(report, actor=world.reporter_a) == (1, 1)
    plan.refresh_from_db()
    assert (plan.planned_start_month, plan.planned_finish_month) == (None, None)
    created = AnnualPlan.objects.get(project=projects[1], year=YEAR)
    assert (created.planned_start_month, created.planned_finish_month, created.status) == (3, 12, PlanStatus.DRAFT)


def test_a_file_without_the_month_columns_keeps_the_stored_months(world, projects):
    plan = _plan(world, projects[0], "100", MONTHS, start_month=3, finish_month=11)
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    headers = [c.value for c in sheet[1]]
    sheet.delete_cols(headers.index("计划开工月份") + 1, 2)  # a template downloaded before the columns existed
    assert "计划开工月份" not in [c.value for c in sheet[1]]
    report = plan_excel.parse_plan_workbook(workbook_bytes(book), actor=world.reporter_a)
    assert not report.errors and report.count("unchanged") == 1
    _set(sheet, "计划甲项目", "形象进度目标", "完成主体")
    report = plan_excel.parse_plan_workbook(workbook_bytes(book), actor=world.reporter_a)
    assert plan_excel.apply_plan_import(report, actor=world.reporter_a) == (0, 1)
    plan.refresh_from_db()
    assert (plan.progress_target, plan.planned_start_month, plan.planned_finish_month) == ("完成主体", 3, 11)


def test_month_error_names_the_row_and_column(world, projects):
    _plan(world, projects[0], "100", MONTHS)
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    _set(sheet, "计划甲项目", "计划开工月份", 9)
    _set(sheet, "计划甲项目", "计划竣工月份", 3)
    _set(sheet, "计划甲二项目", "计划开工月份", 5)  # months without the annual figure
    content = workbook_bytes(book)
    report = plan_excel.parse_plan_workbook(content, actor=world.reporter_a)
    rows = {name: row for row, name in enumerate((r[1].value for r in sheet.iter_rows(min_row=2)), start=2)}
    assert {"row": rows["计划甲项目"], "column": "计划竣工月份"} in [
        {"row": e["row"], "column": e["column"]} for e in report.errors
    ]
    assert any("不能早于计划开工月份（9月）" in e["message"] for e in report.errors)
    assert any(
        e["row"] == rows["计划甲二项目"] and e["column"] == "年度计划投资（万元）" and "开工/竣工月份" in e["message"]
        for e in report.errors
    )
    _b, marked = _sheet(plan_excel.annotated_plan_copy(content, report.errors))
    col = [c.value for c in marked[1]].index("计划竣工月份") + 1
    bad = marked.cell(row=rows["计划甲项目"], column=col)
    assert bad.comment is not None and "不能早于计划开工月份" in bad.comment.text
    assert bad.fill.fgColor.rgb in ("00FFC7CE", "FFFFC7CE")


def test_a_stored_start_later_than_a_new_finish_is_caught_without_the_start_column(world, projects):
    _plan(world, projects[0], "100", MONTHS, start_month=9, finish_month=11)
    book, sheet = _sheet(plan_excel.build_plan_workbook(actor=world.reporter_a, year=YEAR))
    headers = [c.value for c in sheet[1]]
    sheet.delete_cols(headers.index("计划开工月份") + 1, 1)
    _set(sheet, "计划甲项目", "计划竣工月份", 6)
    report = plan_excel.parse_plan_workbook(workbook_bytes(book), actor=world.reporter_a)
    assert [(e["column"], "不能早于计划开工月份（9月）" in e["message"]) for e in report.errors] == [
        ("计划竣工月份", True)
    ]
