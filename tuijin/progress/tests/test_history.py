"""历史数据导入: the three steps (projects → approved plans → locked reports), who and when recorded, the lock, no
lateness light on migrated months, existing reports never overwritten, row/column errors per column type, the
pages and their permission matrices."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tuijin.core.exceptions import ApplicationError
from tuijin.core.navigation import nav_for
from tuijin.dispatch.warnings import evaluate_period
from tuijin.facts.models import ProjectMonth
from tuijin.progress import history, services, sheet
from tuijin.progress.choices import LightColor, ReportStatus, WarningDimension
from tuijin.progress.models import ProgressReport, ReportEvent, ReportingPeriod, WarningLight, WarningRule
from tuijin.projects import excel as project_excel
from tuijin.projects import plan_excel
from tuijin.projects.choices import PlanStatus
from tuijin.projects.models import AnnualPlan, ImportJob, Project
from tuijin.projects.services import annual_plan_approve, annual_plan_save
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import Case, PostMatrix, ViewMatrix

from .factories import make_report

D = Decimal
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


# ---------------------------------------------------------------------------------------------------------------
# Files, filled the way a user fills the downloaded templates
# ---------------------------------------------------------------------------------------------------------------


def fill(template: bytes, rows: list[dict], *, sheet_name: str | None = None, keep_rows: bool = False) -> bytes:
    """The template with its data rows replaced by `rows` ({header: value}; headers matched as the import does)."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    ws = book[sheet_name] if sheet_name else book.worksheets[0]
    heads = [project_excel._norm_header(c.value) for c in ws[1]]
    if not keep_rows and ws.max_row > 1:
        ws.delete_rows(2, ws.max_row)
    for number, values in enumerate(rows, start=2):
        for header, value in values.items():
            ws.cell(row=number, column=heads.index(project_excel._norm_header(header)) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def project_row(n: int, unit: str = "甲街道办事处") -> dict:
    return {
        "项目代码": f"2403-410702-04-01-{900000 + n:06d}",
        "项目名称": f"历史项目{n}",
        "项目业主": "甲企业有限公司",
        "责任单位": unit,
        "属地": unit,
        "总投资（万元）": 5000,
        "资金来源": "企业自筹:5000",
        "项目阶段": "在建",
        "实际开工日期": "2025-03-01",
    }


def report_row(project, period: date, amount, **extra) -> dict:
    values = {
        sheet.H_CODE: project.code,
        sheet.H_NAME: project.name,
        sheet.H_PERIOD: f"{period:%Y-%m}",
        sheet.H_MONTH: amount,
        sheet.H_CI: amount,
        sheet.H_STARTED: "是",
        sheet.H_PROGRESS: "主体施工",
    }
    values.update(extra)
    return values


def reports_file(office, rows: list[dict]) -> bytes:
    return fill(history.build_reports_template(actor=office, first=JAN, last=JAN), rows)


def run(office, kind: str, content: bytes) -> ImportJob:
    job, check = history.history_job_create(actor=office, kind=kind, uploaded=upload(f"{kind}.xlsx", content))
    assert not check.errors, check.errors
    return history.history_apply(actor=office, job=job)


@pytest.fixture
def office(world):
    return world.office


@pytest.fixture
def foreign(world):
    """A started project of the neighbouring district: outside world.office's scope, inside foreign_office's."""
    project = make_project(unit=world.foreign_unit, actor=None, name="邻区历史项目", code="2403-410703-04-01-000009")
    Project.objects.filter(pk=project.pk).update(stage="construction", actual_start=date(2025, 3, 1))
    project.refresh_from_db()
    return project


@pytest.fixture
def live(world, office):
    """Two started projects in two units, as the projects step leaves them."""
    a = make_project(unit=world.unit_a, actor=office, name="甲历史项目", code="2403-410702-04-01-800001")
    b = make_project(unit=world.unit_b, actor=office, name="乙历史项目", code="2403-410702-04-01-800002")
    for project in (a, b):
        Project.objects.filter(pk=project.pk).update(stage="construction", actual_start=date(2025, 3, 1))
        project.refresh_from_db()
    return a, b


# ---------------------------------------------------------------------------------------------------------------
# Step 1: projects
# ---------------------------------------------------------------------------------------------------------------


def test_projects_preview_sums_known_totals_and_counts_the_blank_ones(world, office):
    blank = {**project_row(2), "总投资（万元）": None, "资金来源": None}
    content = fill(project_excel.build_template(actor=office), [project_row(1), blank])
    _job, check = history.history_job_create(actor=office, kind="projects", uploaded=upload("p.xlsx", content))
    assert check.errors == []
    assert [(t.count, t.amount, t.blank) for t in check.totals] == [(2, D("5000"), 1)]


def test_projects_step_creates_live_projects_marked_with_the_job(world, office):
    content = fill(project_excel.build_template(actor=office), [project_row(1), project_row(2, "乙街道办事处")])
    job, check = history.history_job_create(actor=office, kind="projects", uploaded=upload("p.xlsx", content))
    assert (check.to_create, check.errors, job.status, job.historical, job.kind) == (
        2,
        [],
        "validated",
        True,
        "projects",
    )
    assert {g.unit for g in check.groups} == {"甲街道办事处", "乙街道办事处"}
    assert not Project.objects.filter(name__startswith="历史项目").exists()  # checking writes nothing
    before = timezone.now()
    job = history.history_apply(actor=office, job=job)
    projects = Project.objects.filter(name__startswith="历史项目")
    assert projects.count() == 2 and all(p.migration_job_id == job.pk and p.is_migrated for p in projects)
    assert job.status == "done" and job.created_by == office and job.finished >= before and job.created_count == 2
    assert "新增 2 个" in job.message
    with pytest.raises(ApplicationError, match="已导入"):
        history.history_apply(actor=office, job=job)  # one file, one import


# ---------------------------------------------------------------------------------------------------------------
# Step 2: plans, approved baselines at once
# ---------------------------------------------------------------------------------------------------------------


def test_plans_step_imports_approved_baselines_and_never_overwrites_one(world, office, live):
    a, b = live
    other = make_project(unit=world.unit_a, actor=office, name="已批计划项目", code="2403-410702-04-01-800003")
    plan = annual_plan_save(actor=office, project=other, year=2026, planned_investment=D("100"))
    annual_plan_approve(actor=office, plan=plan)
    rows = [
        {"项目代码": a.code, "项目名称": a.name, "年度": 2026, "年度计划投资（万元）": 1200},
        {"项目代码": b.code, "项目名称": b.name, "年度": 2026, "年度计划投资（万元）": 800},
        {"项目代码": other.code, "项目名称": other.name, "年度": 2026, "年度计划投资（万元）": 999},
    ]
    content = fill(plan_excel.build_plan_workbook(actor=office, year=2026), rows)
    job, check = history.history_job_create(actor=office, kind="plans", uploaded=upload("plans.xlsx", content))
    assert check.to_create == 2 and len(check.skipped) == 1 and "已批准为基线" in check.skipped[0][2]
    assert [(t.key, t.count, t.amount) for t in check.totals] == [("2026", 2, D("2000"))]
    job = history.history_apply(actor=office, job=job)
    for project, amount in ((a, D("1200")), (b, D("800"))):
        plan = AnnualPlan.objects.get(project=project, year=2026)
        assert plan.status == PlanStatus.APPROVED and plan.baseline_investment == amount
        assert plan.baseline_approved_by == office and plan.baseline_approved_at is not None
        assert plan.migration_job_id == job.pk
    kept = AnnualPlan.objects.get(project=other, year=2026)
    assert kept.planned_investment == D("100") and kept.migration_job_id is None
    with pytest.raises(ApplicationError):  # locked like any baseline
        annual_plan_save(actor=office, project=a, year=2026, planned_investment=D("1"))


# ---------------------------------------------------------------------------------------------------------------
# Step 3: reports, several months and units, locked, facts and lights
# ---------------------------------------------------------------------------------------------------------------


def test_reports_step_creates_locked_marked_reports_for_several_months_and_units(world, office, live):
    a, b = live
    rows = [
        report_row(a, JAN, 100, **{sheet.H_PROBLEMS: "征地未完成"}),
        report_row(a, FEB, 150.5),
        report_row(b, JAN, 40),
        report_row(b, FEB, 60),
    ]
    job, check = history.history_job_create(
        actor=office, kind="reports", uploaded=upload("r.xlsx", reports_file(office, rows))
    )
    assert [(t.key, t.count, t.amount) for t in check.totals] == [("2026-01", 2, D("140")), ("2026-02", 2, D("210.5"))]
    assert {(g.key, g.unit) for g in check.groups} >= {("2026-01", "甲街道办事处"), ("2026-01", "乙街道办事处")}
    job = history.history_apply(actor=office, job=job)
    reports = ProgressReport.objects.filter(migration_job=job)
    assert reports.count() == 4 and job.created_count == 4
    for report in reports:
        assert report.status == ReportStatus.OFFICE_APPROVED and report.is_locked and report.is_migrated
        assert report.office_reviewed_by == office and report.office_reviewed_at is not None
        assert report.submitted_at is None and report.submitted_by is None  # never submitted on the platform
    jan = ProgressReport.objects.get(project=a, period=JAN)
    assert [p.description for p in jan.problems.all()] == ["征地未完成"]
    event = ReportEvent.objects.get(report=jan, data__historical=job.pk)
    assert event.type == "office_approved" and event.actor == office
    from tuijin.notifications.models import Notification

    told = Notification.objects.get(user=office, kind="import_finished")
    assert "历史数据导入完成" in told.title and "新增 4 份" in told.body
    facts = ProjectMonth.objects.get(project=a, period=FEB)
    assert facts.migrated and facts.month_investment == D("150.5") and facts.ytd == D("250.5")
    assert ProjectMonth.objects.get(project=b, period=JAN).migrated


def test_a_real_report_for_the_same_month_is_not_overwritten(world, office, live):
    a, b = live
    real = make_report(a, JAN, amount="33.00", status="submitted")
    rows = [report_row(a, JAN, 100), report_row(b, JAN, 40)]
    job, check = history.history_job_create(
        actor=office, kind="reports", uploaded=upload("r.xlsx", reports_file(office, rows))
    )
    assert check.to_create == 1 and len(check.skipped) == 1
    assert "已有在平台填报的月报" in check.skipped[0][2] and check.skipped[0][0] == 2
    history.history_apply(actor=office, job=job)
    real.refresh_from_db()
    assert real.month_investment == D("33.00") and real.migration_job_id is None and real.status == "submitted"
    assert ProgressReport.objects.get(project=b, period=JAN).is_migrated


def test_template_rows_left_without_figures_are_blank_not_errors(world, office, live):
    a, b = live
    template = history.build_reports_template(actor=office, first=JAN, last=FEB)
    book = openpyxl.load_workbook(io.BytesIO(template))
    ws = book.worksheets[0]
    heads = [c.value for c in ws[1]]
    listed = [(r[0].value, r[3].value) for r in ws.iter_rows(min_row=2)]
    assert (a.code, "2026-01") in listed and (b.code, "2026-02") in listed and len(listed) == 4
    for row in ws.iter_rows(min_row=2):
        if row[0].value == a.code and row[3].value == "2026-02":
            row[heads.index(sheet.H_MONTH)].value = 12
            row[heads.index(sheet.H_CI)].value = 12
    buffer = io.BytesIO()
    book.save(buffer)
    _job, check = history.history_job_create(actor=office, kind="reports", uploaded=upload("r.xlsx", buffer.getvalue()))
    assert (check.to_create, check.blank_rows, check.errors) == (1, 3, [])
    assert "未填写 3 行" in check.summary()


def test_the_same_file_again_is_unchanged_and_a_different_one_is_skipped(world, office, live):
    a, _b = live
    run(office, "reports", reports_file(office, [report_row(a, JAN, 100)]))
    _job, same = history.history_job_create(
        actor=office, kind="reports", uploaded=upload("r.xlsx", reports_file(office, [report_row(a, JAN, 100)]))
    )
    assert same.unchanged == 1 and not same.can_apply
    _job, other = history.history_job_create(
        actor=office, kind="reports", uploaded=upload("r.xlsx", reports_file(office, [report_row(a, JAN, 7)]))
    )
    assert len(other.skipped) == 1 and "作为历史数据导入" in other.skipped[0][2] and "更正" in other.skipped[0][2]


def test_migrated_reports_are_locked_and_only_the_office_correction_changes_them(world, office, live):
    a, _b = live
    run(office, "reports", reports_file(office, [report_row(a, JAN, 100)]))
    report = ProgressReport.objects.get(project=a, period=JAN)
    for call in (
        lambda: services.report_save(actor=world.reporter_a, report=report, version=report.version, data={}),
        lambda: services.report_withdraw(actor=world.reporter_a, report=report, version=report.version),
        lambda: services.report_return(actor=office, report=report, version=report.version, reason="重填"),
    ):
        with pytest.raises(ApplicationError, match="历史数据") as caught:
            call()
        assert caught.value.code == "migrated" and "由 office 于" in caught.value.message
    corrected = services.report_correct(
        actor=office,
        report=report,
        version=report.version,
        data={"month_investment": D("90"), "construction_install": D("90")},
        reason="原始台账核对",
    )
    assert corrected.month_investment == D("90") and corrected.is_migrated


def test_no_lateness_light_on_migrated_months_when_a_past_period_is_evaluated(world, office, live):
    a, b = live
    WarningRule.objects.get_or_create(dimension=WarningDimension.REPORTING, defaults={"name": "填报", "params": {}})
    run(office, "reports", reports_file(office, [report_row(a, JAN, 100)]))
    late = make_report(b, JAN, amount="10.00", status="office_approved")  # a real report, filed late
    ProgressReport.objects.filter(pk=late.pk).update(submitted_at=datetime(2026, 3, 20, 10, tzinfo=UTC))
    from tuijin.facts.maintain import refresh

    refresh([b.pk])
    ReportingPeriod.objects.filter(period=JAN).delete()
    evaluate_period(JAN, today=date(2026, 12, 6))
    reporting = WarningLight.objects.filter(period=JAN, rule__dimension=WarningDimension.REPORTING)
    assert not reporting.filter(project=a).exists()
    assert reporting.get(project=b).color == LightColor.YELLOW  # the control: the rule does flag a late real one
    assert not WarningLight.objects.filter(project=a, period=JAN, explanation__contains="逾期").exists()


# ---------------------------------------------------------------------------------------------------------------
# Errors: a bad cell in every column type, row and column named, the annotated copy, nothing written
# ---------------------------------------------------------------------------------------------------------------


def test_bad_cells_of_every_column_type_give_row_and_column_errors(world, office, live):
    a, b = live
    future = timezone.localdate().replace(day=1)
    rows = [
        report_row(a, JAN, "12.345"),  # money: 3 decimals
        report_row(a, FEB, "abc"),  # money: not a number
        report_row(a, MAR, 5, **{sheet.H_PERIOD: "2026-13"}),  # month: invalid
        report_row(b, JAN, 5, **{sheet.H_STARTED: "也许"}),  # yes/no
        report_row(b, FEB, 5, **{sheet.H_START_DATE: "昨天"}),  # date
        report_row(b, MAR, 5, **{sheet.H_CODE: "2403-410702-04-01-999999"}),  # project unknown
        report_row(b, future, 5),  # a month not over yet
        report_row(a, date(2025, 12, 1), 10, **{sheet.H_CI: 4}),  # breakdown does not add up
        report_row(b, date(2025, 12, 1), -5),  # negative
        report_row(b, date(2025, 11, 1), None),  # required figure missing
    ]
    job, check = history.history_job_create(
        actor=office, kind="reports", uploaded=upload("bad.xlsx", reports_file(office, rows))
    )
    found = {(e["row"], e["column"]) for e in check.errors}
    assert found >= {
        (2, sheet.H_MONTH),
        (3, sheet.H_MONTH),
        (4, sheet.H_PERIOD),
        (5, sheet.H_STARTED),
        (6, sheet.H_START_DATE),
        (7, sheet.H_CODE),
        (8, sheet.H_PERIOD),
        (9, sheet.H_MONTH),
        (10, sheet.H_MONTH),
        (11, sheet.H_MONTH),
    }, check.errors
    messages = " ".join(e["message"] for e in check.errors)
    assert "最多 2 位小数" in messages and "已过去的月份" in messages and "投资构成合计" in messages
    assert job.error_rows == 10 and not check.can_apply
    with pytest.raises(ApplicationError):
        history.history_apply(actor=office, job=job)
    assert not ProgressReport.objects.exists()
    copy = openpyxl.load_workbook(io.BytesIO(history.annotated_history_copy(job)))
    ws = copy.worksheets[0]
    heads = [c.value for c in ws[1]]
    assert project_excel.ERROR_HEADER in heads
    bad = ws.cell(row=3, column=heads.index(sheet.H_MONTH) + 1)
    assert bad.fill.fgColor.rgb.endswith("FFC7CE") and "不是数字" in bad.comment.text


def test_a_project_file_error_is_reported_by_row_and_column(world, office):
    content = fill(project_excel.build_template(actor=office), [project_row(3) | {"总投资（万元）": "很多"}])
    job, check = history.history_job_create(actor=office, kind="projects", uploaded=upload("p.xlsx", content))
    assert any(e["row"] == 2 and "总投资" in e["column"] for e in check.errors), check.errors
    assert job.error_rows == 1 and not Project.objects.filter(name="历史项目3").exists()


def test_only_the_project_office_imports_history(world, live):
    with pytest.raises(PermissionDenied):
        history.history_check(actor=world.reporter_a, kind="reports", data=b"")
    assert history.can_import_history(world.office) and not history.can_import_history(world.leader)


def test_the_navigation_offers_the_page_to_the_office_only(world):
    def labels(user):
        return [str(item.label) for _group, items in nav_for(user) for item in items]

    assert "历史数据导入" in labels(world.office)
    assert "历史数据导入" not in labels(world.reporter_a) and "历史数据导入" not in labels(world.leader)


def test_a_10000_row_file_is_bulk_written(world, office, django_assert_max_num_queries):
    """Facts and lights for the touched projects once at the end: queries do not grow with the rows."""
    projects = [
        make_project(unit=world.unit_a, actor=office, name=f"批量{i}", code=f"2403-410702-04-01-{700000 + i:06d}")
        for i in range(4)
    ]
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(stage="construction", actual_start=date(2024, 1, 1))
    months = [date(2024 + i // 12, i % 12 + 1, 1) for i in range(24)]
    rows = [report_row(p, m, 10) for p in projects for m in months]
    content = fill(history.build_reports_template(actor=office, first=JAN, last=JAN), rows)
    job, check = history.history_job_create(actor=office, kind="reports", uploaded=upload("big.xlsx", content))
    assert check.to_create == 96
    with django_assert_max_num_queries(600):
        history.history_apply(actor=office, job=job)
    assert ProgressReport.objects.filter(migration_job=job).count() == 96


# ---------------------------------------------------------------------------------------------------------------
# Pages and the permission matrices
# ---------------------------------------------------------------------------------------------------------------


def test_the_page_walks_check_preview_confirm(world, client, live):
    a, b = live
    client.force_login(world.office)
    page = client.get(reverse("progress:history"))
    assert page.status_code == 200 and "历史数据导入" in page.content.decode()
    template = client.get(reverse("progress:history_template", args=["reports"]) + "?first=2026-01&last=2026-02")
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    periods = {row[3] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert periods == {"2026-01", "2026-02"}
    content = reports_file(world.office, [report_row(a, JAN, 100), report_row(b, JAN, 40)])
    response = client.post(reverse("progress:history_upload", args=["reports"]), {"file": upload("r.xlsx", content)})
    text = response.content.decode()
    assert response.status_code == 200 and "确认导入" in text and "140.00" in text
    job = response.context["steps"][2]["job"]
    done = client.post(reverse("progress:history_apply", args=[job.pk]))
    assert done.status_code == 302
    assert ProgressReport.objects.filter(migration_job=job).count() == 2
    assert "历史月报导入完成" in client.get(reverse("progress:history")).content.decode()


def test_a_bad_upload_shows_the_errors_and_the_annotated_copy(world, client, live):
    a, _b = live
    client.force_login(world.office)
    content = reports_file(world.office, [report_row(a, JAN, "abc")])
    response = client.post(reverse("progress:history_upload", args=["reports"]), {"file": upload("r.xlsx", content)})
    text = response.content.decode()
    assert "校验未通过" in text and "不是数字" in text and "tj-history-apply" not in text
    job = response.context["steps"][2]["job"]
    copy = client.get(reverse("progress:history_annotated", args=[job.pk]))
    assert copy.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(copy.content)).worksheets[0]
    assert "不是数字" in str(ws.cell(row=2, column=ws.max_column).value)
    not_xlsx = client.post(
        reverse("progress:history_upload", args=["reports"]), {"file": upload("r.xlsx", b"not a workbook")}
    )
    assert not_xlsx.status_code == 200 and "tj-history-error-reports" in not_xlsx.content.decode()


def _job(user, kind="reports", status="validated", errors=None) -> ImportJob:
    from django.core.files.base import ContentFile

    job = ImportJob(
        original_name=f"{user.username}-历史.xlsx",
        sha256="0" * 64,
        created_by=user,
        kind=kind,
        historical=True,
        status=status,
        errors=errors or [],
        error_rows=1 if errors else 0,
    )
    job.file.save("h.xlsx", ContentFile(b"x"), save=False)
    job.save()
    return job


class TestHistoryPage(ViewMatrix):
    url_name = "progress:history"
    detail = False

    def marker_for(self, case, obj):
        return obj.original_name

    @pytest.fixture
    def matrix(self, world):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=_job(world.office),
            out_of_scope=_job(world.foreign_office),
            viewer=world.foreign_office,
        )


class TestHistoryTemplate(ViewMatrix):
    url_name = "progress:history_template"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name, args=["reports"]) + "?first=2026-01&last=2026-01"

    def marker_for(self, case, obj):
        return obj.name

    @pytest.fixture
    def matrix(self, world, live, foreign):
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=live[0], out_of_scope=foreign)


class TestHistoryUpload(PostMatrix):
    url_name = "progress:history_upload"
    detail = False
    success_status = 200

    def url_for(self, obj=None):
        return reverse(self.url_name, args=["reports"])

    def data(self, obj, matrix):
        content = fill(
            history.build_reports_template(actor=matrix.allowed, first=JAN, last=JAN), [report_row(obj, JAN, 5)]
        )
        return {"file": upload("r.xlsx", content)}

    def effect(self, obj, matrix):
        """A clean job was kept, ready for 确认导入 (an out-of-scope project is a row error instead)."""
        job = ImportJob.objects.filter(historical=True, kind="reports").latest("pk")
        assert (job.total_rows, job.error_rows, job.status) == (1, 0, "validated"), job.errors

    def test_get_is_405(self, client, matrix):
        client.force_login(matrix.allowed)
        assert client.get(self.url_for()).status_code == 405

    @pytest.fixture
    def matrix(self, world, live, foreign):
        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=live[0],
            out_of_scope=foreign,
            viewer=world.foreign_office,
        )


class TestHistoryApply(PostMatrix):
    url_name = "progress:history_apply"

    def effect(self, obj, matrix):
        assert ImportJob.objects.get(pk=obj.pk).status == "done"

    @pytest.fixture
    def matrix(self, world, live, foreign):
        def job_for(user, project):
            content = fill(
                history.build_reports_template(actor=user, first=JAN, last=JAN), [report_row(project, JAN, 5)]
            )
            job, _check = history.history_job_create(actor=user, kind="reports", uploaded=upload("r.xlsx", content))
            return job

        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=job_for(world.office, live[0]),
            out_of_scope=job_for(world.foreign_office, foreign),
            viewer=world.foreign_office,
        )


class TestHistoryAnnotated(ViewMatrix):
    url_name = "progress:history_annotated"

    def fetch(self, client, matrix, obj):
        return client.get(self.url_for(obj))

    def text(self, response):
        return "" if response.status_code != 200 else "ok:" + response["Content-Disposition"]

    def marker_for(self, case, obj):
        return "ok:"

    @pytest.fixture
    def matrix(self, world, live, foreign):
        def job_for(user, project):
            content = fill(
                history.build_reports_template(actor=user, first=JAN, last=JAN), [report_row(project, JAN, "abc")]
            )
            job, _check = history.history_job_create(actor=user, kind="reports", uploaded=upload("r.xlsx", content))
            assert job.errors
            return job

        return Case(
            allowed=world.office,
            denied=world.reporter_a,
            in_scope=job_for(world.office, live[0]),
            out_of_scope=job_for(world.foreign_office, foreign),
            viewer=world.foreign_office,
        )
