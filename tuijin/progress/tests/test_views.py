"""Report pages and API: permission matrix for every URL, fill/submit/review through the pages, returns."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.progress.choices import ReportStatus
from tuijin.progress.models import ProgressReport, ReportPhoto
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import ApiMatrix, Case, PostMatrix, ViewMatrix

from .factories import make_report

OCT = date(2026, 10, 1)


@pytest.fixture
def reports(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道月报项目", stage="preparation")
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道月报项目", stage="preparation")
    return make_report(a, OCT, status="submitted"), make_report(b, OCT, status="submitted")


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
    url_name = "progress:my_reports"
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
    def matrix(self, world, reports):
        for r in reports:
            r.status = ReportStatus.OFFICE_APPROVED
            r.save()
        return Case(allowed=world.office, denied=world.approver_a, in_scope=reports[0], marker=name)


class TestReportExport(ViewMatrix):
    url_name = "progress:report_export"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(allowed=world.reporter_a, denied=world.norole)

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
        assert response.status_code == 200 and response["Content-Type"] == "image/png"


_Post = PostMatrix


class TestReportOpen(_Post):
    url_name = "progress:report_open"

    def url_for(self, obj=None):
        return reverse(self.url_name, args=[obj.pk, 2026, 9])

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(
            allowed=world.reporter_a, denied=world.leader, in_scope=reports[0].project, out_of_scope=reports[1].project
        )


class TestReportReview(_Post):
    url_name = "progress:report_review"

    def data(self, matrix):
        return {"version": matrix.in_scope.version, "action": "approve"}

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


class TestReportApiActions(ApiMatrix):
    """submit / unit-approve / office-approve / return: services check role and scope."""

    url_name = "progress-api:progressreport-unit-approve"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(allowed=world.approver_a, denied=world.norole, in_scope=reports[0], out_of_scope=reports[1])

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.post(
            self.url_for(matrix.in_scope), {"version": matrix.in_scope.version}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["status"] == "unit_approved"

    def test_out_of_scope_is_hidden(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.post(self.url_for(matrix.out_of_scope), {"version": 1}, content_type="application/json")
        assert response.status_code == 404

    def test_no_permission_is_403(self, client, matrix):
        client.force_login(matrix.denied)
        assert (
            client.post(self.url_for(matrix.in_scope), {"version": 1}, content_type="application/json").status_code
            == 403
        )

    def test_anonymous_is_401(self, client, matrix):
        assert (
            client.post(self.url_for(matrix.in_scope), {"version": 1}, content_type="application/json").status_code
            == 401
        )

    def test_stale_version_is_412_and_reporter_cannot_approve(self, client, world, reports):
        client.force_login(world.reporter_a)
        assert (
            client.post(
                self.url_for(reports[0]), {"version": reports[0].version}, content_type="application/json"
            ).status_code
            == 403
        )
        client.force_login(world.approver_a)
        assert (
            client.post(self.url_for(reports[0]), {"version": 99}, content_type="application/json").status_code == 412
        )
        url = reverse("progress-api:progressreport-return", args=[reports[0].pk])
        assert (
            client.post(url, {"version": reports[0].version, "reason": ""}, content_type="application/json").status_code
            == 400
        )


class TestReportApiSubmit(TestReportApiActions):
    url_name = "progress-api:progressreport-submit"

    @pytest.fixture
    def matrix(self, world, reports):
        for r in reports:
            ProgressReport.objects.filter(pk=r.pk).update(status=ReportStatus.DRAFT)
            r.refresh_from_db()
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=reports[0], out_of_scope=reports[1])

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.post(
            self.url_for(matrix.in_scope), {"version": matrix.in_scope.version}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["status"] == "submitted"

    def test_stale_version_is_412_and_reporter_cannot_approve(self, client, world, reports):
        pass  # covered by the unit-approve class


class TestReportApiOfficeApprove(TestReportApiActions):
    url_name = "progress-api:progressreport-office-approve"

    @pytest.fixture
    def matrix(self, world, reports):
        for r in reports:
            ProgressReport.objects.filter(pk=r.pk).update(status=ReportStatus.UNIT_APPROVED)
            r.refresh_from_db()
        return Case(allowed=world.office, denied=world.reporter_a, in_scope=reports[0])

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.post(
            self.url_for(matrix.in_scope), {"version": matrix.in_scope.version}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["status"] == "office_approved"

    def test_no_permission_is_403(self, client, matrix):
        client.force_login(matrix.denied)  # has view, lacks the office permission: refused by the service
        assert (
            client.post(
                self.url_for(matrix.in_scope), {"version": matrix.in_scope.version}, content_type="application/json"
            ).status_code
            == 403
        )

    def test_out_of_scope_is_hidden(self, client, matrix):
        pass  # the office is region-wide

    def test_stale_version_is_412_and_reporter_cannot_approve(self, client, world, reports):
        pass  # covered by the unit-approve class


class TestReportApiReturn(TestReportApiActions):
    url_name = "progress-api:progressreport-return"

    def test_in_scope_is_200(self, client, matrix):
        client.force_login(matrix.allowed)
        response = client.post(
            self.url_for(matrix.in_scope),
            {"version": matrix.in_scope.version, "reason": "数据有误"},
            content_type="application/json",
        )
        assert response.status_code == 200 and response.json()["status"] == "draft"
        assert response.json()["return_reason"] == "数据有误"

    def test_stale_version_is_412_and_reporter_cannot_approve(self, client, world, reports):
        client.force_login(world.reporter_a)  # a reporter may not return: 403 before the reason is looked at
        assert client.post(self.url_for(reports[0]), {"version": 1}, content_type="application/json").status_code == 403


def test_fill_submit_review_through_pages(client, world):
    project = make_project(unit=world.unit_a, actor=world.office, name="页面流转项目", stage="preparation")
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:my_reports") + "?period=2026-10").content.decode()
    assert "未上报" in page and "页面流转项目" in page
    response = client.post(reverse("progress:report_open", args=[project.pk, 2026, 10]))
    report = ProgressReport.objects.get(project=project)
    assert response["Location"] == reverse("progress:report_edit", args=[report.pk])
    form = {
        "version": report.version,
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
    response = client.post(reverse("progress:report_edit", args=[report.pk]), bad)
    assert response.status_code == 200 and "投资构成" in response.content.decode()
    response = client.post(reverse("progress:report_edit", args=[report.pk]), form)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.problems.get().category == "用地"
    client.force_login(world.approver_a)
    client.post(
        reverse("progress:report_review", args=[report.pk]),
        {"version": report.version, "action": "return", "reason": "请补充现场照片"},
    )
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report", args=[report.pk])).content.decode()
    assert "请补充现场照片" in page
    assert "请补充现场照片" in client.get(reverse("progress:my_reports") + "?period=2026-10").content.decode()


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
    url_name = "progress:light_list"
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


class TestLightEvaluate(_Post):
    url_name = "progress:lights_evaluate"
    detail = False

    def url_for(self, obj=None):
        return reverse(self.url_name) + "?period=2026-10"

    @pytest.fixture
    def matrix(self, world, reports):
        return Case(allowed=world.office, denied=world.reporter_a)


class TestLightOverride(_Post):
    url_name = "progress:light_override"

    def data(self, matrix):
        return {"color": "yellow", "reason_code": "data_lag", "reason": "统计口径滞后", "recovery_plan": "11月补报"}

    @pytest.fixture
    def matrix(self, world, lights):
        return Case(allowed=world.office, denied=world.leader, in_scope=lights[0])


class TestMissingReports(ViewMatrix):
    url_name = "progress:missing_reports"
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
    client.force_login(world.reporter_a)
    url = reverse("progress-api:progressreport-detail", args=[reports[0].pk])
    assert client.patch(url, {"funds_arrived": "1"}, content_type="application/json").status_code == 428


def test_approver_cannot_approve_own_report(world, reports):
    from tuijin.core.exceptions import ApplicationError
    from tuijin.progress import services

    report = reports[0]
    ProgressReport.objects.filter(pk=report.pk).update(submitted_by=world.approver_a)
    report.refresh_from_db()
    with pytest.raises(ApplicationError):
        services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
