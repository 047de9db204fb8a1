"""Report pages and API: permission matrix for every URL, fill/submit/review through the pages, returns."""

import io
from datetime import date
from decimal import Decimal
from typing import ClassVar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.core.figures_cache import figures_changed
from tuijin.progress.choices import ReportStatus
from tuijin.progress.models import LightOverride, ProgressReport, ReportPhoto, WarningLight
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import ApiMatrix, ApiPostMatrix, Case, PostMatrix, ViewMatrix

from .factories import make_report

OCT = date(2026, 10, 1)
JAN_10 = date(2026, 1, 10)


@pytest.fixture
def reports(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道月报项目", stage="preparation")
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道月报项目", stage="preparation")
    return make_report(a, OCT, status="submitted"), make_report(b, OCT, status="submitted")


@pytest.fixture
def foreign_report(world):
    """A report of the neighbouring district: out of the scope of every district-wide role."""
    project = make_project(
        unit=world.foreign_unit, actor=world.foreign_office, name="邻区月报项目", stage="preparation"
    )
    return make_report(project, OCT, status="submitted")


def name(report):
    return report.project.name


class TestReportList(ViewMatrix):
    url_name = "progress:report_list"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.approver_a, denied=world.sysadmin, in_scope=reports[0], out_of_scope=reports[1], marker=name
        )


class TestMyReports(ViewMatrix):
    url_name = "dispatch:my_reports"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_a, denied=world.auditadmin, in_scope=reports[0], out_of_scope=reports[1], marker=name
        )


class TestReportDetail(ViewMatrix):
    url_name = "progress:report"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_a, denied=world.secadmin, in_scope=reports[0], out_of_scope=reports[1], marker=name
        )


class TestReportEdit(ViewMatrix):
    url_name = "progress:report_edit"

    @pytest.fixture
    def matrix(self, world, reports):
        drafts = []
        for r in reports:
            r.status = ReportStatus.DRAFT
            r.save()
            drafts.append(r)
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=drafts[0], out_of_scope=drafts[1], marker=name
        )


class TestReportCorrect(ViewMatrix):
    url_name = "progress:report_correct"

    @pytest.fixture
    def matrix(self, world, reports, foreign_report):
        for r in (*reports, foreign_report):
            r.status = ReportStatus.OFFICE_APPROVED
            r.save()
        return Case(
            allowed=world.office, denied=world.approver_a, in_scope=reports[0], out_of_scope=foreign_report, marker=name
        )


class TestReportExport(ViewMatrix):
    url_name = "progress:report_export"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_a, denied=world.norole, in_scope=reports[0], out_of_scope=reports[1], marker=name
        )

    def test_export_is_scoped_and_numeric(self, client, world, reports):
        from openpyxl import load_workbook

        client.force_login(world.reporter_a)
        sheet = load_workbook(io.BytesIO(client.get(self.url_for()).content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert [r[0] for r in rows[1:]] == ["甲街道月报项目"]
        assert rows[1][5] == 100.0


class TestReportPhoto(ViewMatrix):
    url_name = "progress:photo"

    @pytest.fixture
    def matrix(self, world, reports):
        from PIL import Image

        def png():
            buffer = io.BytesIO()
            Image.new("RGB", (3, 3)).save(buffer, format="PNG")
            return SimpleUploadedFile("p.png", buffer.getvalue())

        from tuijin.progress.photos import report_photo_add

        photos = [report_photo_add(actor=world.office, report=r, uploaded=png()) for r in reports]
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=photos[0],
            out_of_scope=photos[1],
            marker=lambda _: "",
        )

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.get(self.url_for(matrix.in_scope))
        # the rendition (a JPEG without metadata), not the uploaded PNG: see test_photo_evidence.py
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


EMPTY_REPORT_FORM = {
    "version": "0",
    "month_investment": "0",
    "construction_install": "0",
    "equipment": "0",
    "other_cost": "0",
    "funds_arrived": "0",
    "problems-TOTAL_FORMS": "0",
    "problems-INITIAL_FORMS": "0",
    "save": "1",
}


class TestReportOpen(ViewMatrix):
    """填报 (GET): the new month's form, nothing created."""

    url_name = "progress:report_open"

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[obj.pk, 2026, 9])

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_a,
            denied=world.leader,
            in_scope=reports[0].project,
            out_of_scope=reports[1].project,
            marker=lambda p: p.name,
        )

    def test_in_scope_is_200(self, client, matrix):
        super().test_in_scope_is_200(client, matrix)
        assert not ProgressReport.objects.filter(period=date(2026, 9, 1)).exists()


class TestReportOpenSave(PostMatrix):
    """The first save of the 填报 form creates the report."""

    url_name = "progress:report_open"

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[obj.pk, 2026, 9])

    def data(self, obj, matrix):
        return dict(EMPTY_REPORT_FORM)

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(project=obj, period=date(2026, 9, 1)).status == ReportStatus.DRAFT

    def test_get_is_405(self, client, matrix):
        """GET is the form itself here (TestReportOpen); it creates nothing."""
        client.force_login(matrix.allowed)
        assert client.get(self.url_for(matrix.in_scope)).status_code == 200
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=reports[0].project, out_of_scope=reports[1].project
        )


class TestReportReview(PostMatrix):
    url_name = "progress:report_review"

    def data(self, obj, matrix):
        return {"version": obj.version, "action": "approve"}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).status == ReportStatus.UNIT_APPROVED

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(allowed=world.approver_a, denied=world.reporter_a, in_scope=reports[0], out_of_scope=reports[1])


class TestReportApiList(ApiMatrix):
    url_name = "progress-api:progressreport-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_b, denied=world.auditadmin, in_scope=reports[1], out_of_scope=reports[0], marker=name
        )


class TestReportApiDetail(ApiMatrix):
    url_name = "progress-api:progressreport-detail"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_b, denied=world.norole, in_scope=reports[1], out_of_scope=reports[0], marker=name
        )


class _ReportAction(ApiPostMatrix):
    """submit / unit-approve / office-approve / return: the viewset needs "view"; the services check role and scope."""

    expected_status: ClassVar[str] = ""

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).status == self.expected_status

    def test_stale_version_is_412(self, client, matrix):
        client.force_login(matrix.allowed)
        data = dict(self.data(matrix.in_scope, matrix), version=matrix.in_scope.version + 5)
        response = client.post(self.url_for(matrix.in_scope), data, content_type="application/json")
        assert response.status_code == 412
        assert not self.holds(matrix.in_scope, matrix)


class TestReportApiUnitApprove(_ReportAction):
    url_name = "progress-api:progressreport-unit-approve"
    expected_status = ReportStatus.UNIT_APPROVED

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(allowed=world.approver_a, denied=world.norole, in_scope=reports[0], out_of_scope=reports[1])


class TestReportApiSubmit(_ReportAction):
    url_name = "progress-api:progressreport-submit"
    expected_status = ReportStatus.SUBMITTED

    @pytest.fixture
    def matrix(self, world, reports):
        for r in reports:
            ProgressReport.objects.filter(pk=r.pk).update(status=ReportStatus.DRAFT)
            figures_changed(None)  # raw writes send no signals: bring the facts up to date
            r.refresh_from_db()
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=reports[0], out_of_scope=reports[1])


class TestReportApiOfficeApprove(_ReportAction):
    url_name = "progress-api:progressreport-office-approve"
    expected_status = ReportStatus.OFFICE_APPROVED

    @pytest.fixture
    def matrix(self, world, reports, foreign_report):
        for r in (*reports, foreign_report):
            ProgressReport.objects.filter(pk=r.pk).update(status=ReportStatus.UNIT_APPROVED)
            figures_changed(None)  # raw writes send no signals: bring the facts up to date
            r.refresh_from_db()
        # reporter_a sees the report but lacks the office permission: refused by the service (403).
        # The office is district-wide, so its out-of-scope report is the neighbouring district's.
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=reports[0], out_of_scope=foreign_report)


class TestReportApiReturn(_ReportAction):
    url_name = "progress-api:progressreport-return"
    expected_status = ReportStatus.DRAFT

    def data(self, obj, matrix):
        return {"version": obj.version, "reason": "数据有误"}

    def effect(self, obj, matrix):
        report = ProgressReport.objects.get(pk=obj.pk)
        assert (report.status, report.return_reason) == (ReportStatus.DRAFT, "数据有误")

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(allowed=world.approver_a, denied=world.norole, in_scope=reports[0], out_of_scope=reports[1])


def _api_post(client, name, report, data):
    url = reverse(f"progress-api:progressreport-{name}", args=[report.pk])
    return client.post(url, data, content_type="application/json")


def test_api_reporter_may_neither_approve_nor_return(client, world, reports):
    client.force_login(world.reporter_a)  # sees the report, lacks the permissions: 403 before the reason is read
    assert _api_post(client, "unit-approve", reports[0], {"version": reports[0].version}).status_code == 403
    assert _api_post(client, "return", reports[0], {"version": reports[0].version}).status_code == 403
    assert ProgressReport.objects.get(pk=reports[0].pk).status == ReportStatus.SUBMITTED


def test_api_return_needs_a_reason(client, world, reports):
    client.force_login(world.approver_a)
    response = _api_post(client, "return", reports[0], {"version": reports[0].version, "reason": ""})
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert ProgressReport.objects.get(pk=reports[0].pk).status == ReportStatus.SUBMITTED


def test_fill_submit_review_through_pages(client, world):
    project = make_project(unit=world.unit_a, actor=world.office, name="页面流转项目", stage="preparation")
    client.force_login(world.reporter_a)
    page = client.get(reverse("dispatch:my_reports") + "?period=2026-10").content.decode()
    assert "未上报" in page and "页面流转项目" in page
    response = client.post(reverse("progress:report_open", args=[project.pk, 2026, 10]))  # the list's 填报 button
    open_url = reverse("progress:report_open", args=[project.pk, 2026, 10])
    assert response["Location"] == open_url and not ProgressReport.objects.filter(project=project).exists()
    form = {
        "version": "0",
        "month_investment": "120.50",
        "construction_install": "100.50",
        "equipment": "20.00",
        "other_cost": "0",
        "funds_arrived": "50",
        "physical_progress": "基础施工",
        "problems-TOTAL_FORMS": "1",
        "problems-INITIAL_FORMS": "0",
        "problems-0-category": "用地",
        "problems-0-description": "剩余5亩未交地",
        "submit": "1",
    }
    bad = dict(form, equipment="30.00")
    response = client.post(open_url, bad)
    assert response.status_code == 200 and "投资构成" in response.content.decode()
    assert not ProgressReport.objects.filter(project=project).exists()  # a failed first save creates nothing
    response = client.post(open_url, form)
    assert response.status_code == 302
    report = ProgressReport.objects.get(project=project)
    assert report.status == ReportStatus.SUBMITTED and report.problems.get().category == "用地"
    client.force_login(world.approver_a)
    client.post(
        reverse("progress:report_review", args=[report.pk]),
        {"version": report.version, "action": "return", "reason": "请补充现场照片"},
    )
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report", args=[report.pk])).content.decode()
    assert "请补充现场照片" in page
    assert "请补充现场照片" in client.get(reverse("dispatch:my_reports") + "?period=2026-10").content.decode()


def test_photo_exif_is_read(world, reports):
    from PIL import Image

    image = Image.new("RGB", (4, 4))
    exif = image.getexif()
    exif[306] = "2026:10:15 09:30:00"
    gps = {1: "N", 2: (35.0, 18.0, 0.0), 3: "E", 4: (113.0, 52.0, 30.0)}
    exif[34853] = gps
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    from tuijin.progress.photos import report_photo_add

    photo = report_photo_add(
        actor=world.office, report=reports[0], uploaded=SimpleUploadedFile("site.jpg", buffer.getvalue())
    )
    assert photo.taken_at is not None and photo.taken_at.day == 15
    assert photo.latitude == Decimal("35.300000") and photo.longitude == Decimal("113.875000")
    assert ReportPhoto.objects.count() == 1


def test_api_return_with_stale_version_is_412(client, world, reports):
    client.force_login(world.approver_a)
    url = reverse("progress-api:progressreport-return", args=[reports[0].pk])
    response = client.post(url, {"version": 99, "reason": "过期版本上的退回"}, content_type="application/json")
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "conflict" and body["current"]["version"] == reports[0].version
    assert body["current"]["status"] == reports[0].status and response["ETag"] == f'"{reports[0].version}"'


@pytest.fixture
def lights(world, reports):
    from tuijin.progress.models import WarningLight, WarningRule

    rule = (
        WarningRule.objects.get(code="reporting")
        if WarningRule.objects.filter(code="reporting").exists()
        else WarningRule.objects.create(code="reporting", name="填报", dimension="reporting")
    )
    return [
        WarningLight.objects.create(
            project=r.project, period=OCT, rule=rule, color="red", explanation=f"{r.project.name}未按期上报"
        )
        for r in reports
    ]


class TestLightList(ViewMatrix):
    url_name = "dispatch:light_list"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world, lights):
        return Case(
            allowed=world.reporter_a,
            denied=world.sysadmin,
            in_scope=lights[0],
            out_of_scope=lights[1],
            marker=lambda light: light.explanation,
        )


class TestLightEvaluate(PostMatrix):
    url_name = "dispatch:lights_evaluate"
    detail = False
    scoped = False
    unscoped_reason = "re-evaluation recomputes every project's lights from the data: nothing is chosen or shown"

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    def effect(self, obj, matrix):
        assert WarningLight.objects.get(project=obj, period=OCT, rule__code="reporting").color == "red"

    @pytest.fixture
    def matrix(self, world):
        # in construction since January, no October report, the window closed: a red reporting light
        project = make_project(unit=world.unit_a, name="甲街道在建项目", stage="construction", actual_start=JAN_10)
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=project)


class TestLightOverride(PostMatrix):
    url_name = "dispatch:light_override"

    def data(self, obj, matrix):
        return {"color": "yellow", "reason_code": "data_lag", "reason": "统计口径滞后", "recovery_plan": "11月补报"}

    def effect(self, obj, matrix):
        override = LightOverride.objects.get(project_id=obj.project_id, period=obj.period, rule=obj.rule)
        assert (override.color, override.reason) == ("yellow", "统计口径滞后")

    @pytest.fixture
    def matrix(self, world):
        # only a light the data produces can be overridden: projects in construction without an October report
        from tuijin.dispatch.warnings import evaluate_period

        ours = make_project(unit=world.unit_a, name="甲街道在建项目", stage="construction", actual_start=JAN_10)
        theirs = make_project(unit=world.foreign_unit, name="邻区在建项目", stage="construction", actual_start=JAN_10)
        evaluate_period(OCT)
        lit = [WarningLight.objects.get(project=p, period=OCT, rule__code="reporting") for p in (ours, theirs)]
        return Case(allowed=world.office, denied=world.leader, in_scope=lit[0], out_of_scope=lit[1])


class TestMissingReports(ViewMatrix):
    url_name = "dispatch:missing_reports"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world):
        from tuijin.projects.services import annual_plan_save

        a = make_project(unit=world.unit_a, actor=world.office, name="甲街道缺报项目", stage="preparation")
        b = make_project(unit=world.unit_b, actor=world.office, name="乙街道缺报项目", stage="preparation")
        for p in (a, b):
            annual_plan_save(actor=world.office, project=p, year=2026, planned_investment=Decimal("100"))
        return Case(
            allowed=world.reporter_a, denied=world.auditadmin, in_scope=a, out_of_scope=b, marker=lambda p: p.name
        )


def test_post_next_cannot_redirect_off_site(client, world, reports):
    client.force_login(world.approver_a)
    response = client.post(
        reverse("progress:report_review", args=[reports[0].pk]),
        {"version": reports[0].version, "action": "approve", "next": "https://evil.example/x"},
    )
    assert response.status_code == 302 and response["Location"].startswith("/progress/reports/")


def test_api_patch_without_if_match_is_428(client, world, reports):
    ProgressReport.objects.filter(pk=reports[0].pk).update(status=ReportStatus.DRAFT)
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    client.force_login(world.reporter_a)
    url = reverse("progress-api:progressreport-detail", args=[reports[0].pk])
    assert client.patch(url, {"funds_arrived": "1"}, content_type="application/json").status_code == 428


def test_approver_cannot_approve_own_report(world, reports):
    from tuijin.core.exceptions import ApplicationError
    from tuijin.progress import services

    report = reports[0]
    ProgressReport.objects.filter(pk=report.pk).update(submitted_by=world.approver_a)
    figures_changed(None)  # raw writes send no signals: bring the facts up to date
    report.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)


def test_light_list_shows_red_before_yellow(client, world, lights):
    """Issue 12: the first page of 红黄绿灯 showed 50 yellow rows before any red (the colour codes sort that way)."""
    from tuijin.progress.models import WarningRule

    red = lights[0]
    WarningLight.objects.filter(pk=red.pk).update(color="yellow", explanation="黄灯项目")
    yellow_first = WarningLight.objects.get(pk=red.pk)
    other = WarningLight.objects.create(
        project=yellow_first.project,
        period=OCT,
        rule=WarningRule.objects.create(code="t_x", name="投资", dimension="progress"),
        color="red",
        explanation="红灯项目",
    )
    client.force_login(world.office)
    page = client.get(reverse("dispatch:light_list") + "?period=2026-10").content.decode()
    assert page.index(other.explanation) < page.index("黄灯项目")
