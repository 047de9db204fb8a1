"""Issue 12, the monthly report workflow: no draft until the first save, carry-over, photos (listed, deletable, kept
across a validation error), labelled problem rows updated in place, 撤回, confirmations, notifications to exactly
the right people, 批量审核通过 with a preview, the two-tab conflict page, and a clean 更正 form."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.core.exceptions import ConflictError
from tuijin.core.models import ObjectChange
from tuijin.notifications.models import Notification
from tuijin.org.choices import Role
from tuijin.progress import selectors, services
from tuijin.progress.choices import ReportEventType, ReportStatus
from tuijin.progress.models import PendingPhoto, ProgressReport, ReportPhoto
from tuijin.progress.photos import report_photo_add
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import ApiPostMatrix, Case, PostMatrix
from tuijin.utilities.testing.world import make_user

from .factories import make_report

SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
SENT: list[tuple] = []


class RecordingChannel:
    def send_many(self, messages):
        SENT.extend((user.username, title, body, url) for user, title, body, url in messages)


@pytest.fixture
def channel(settings):
    SENT.clear()
    settings.TUIJIN_NOTIFY_CHANNEL = f"{__name__}.RecordingChannel"
    yield SENT
    SENT.clear()


@pytest.fixture
def people(world):
    """Beside the world's users: a second approver of 甲 (told too), an approver of 乙 and the neighbouring
    district's reporter (never told about 甲's reports)."""
    return {
        "approver_a2": make_user("approver_a2", role=Role.UNIT_APPROVER, unit=world.unit_a),
        "approver_b": make_user("approver_b", role=Role.UNIT_APPROVER, unit=world.unit_b),
        "reporter_a_child": make_user("reporter_a_child", role=Role.UNIT_REPORTER, unit=world.unit_a_child),
    }


@pytest.fixture
def project(world):
    return make_project(unit=world.unit_a, actor=world.office, name="甲街道流转项目", total="10000.00")


def png(name="site.png") -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3, 3)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form_data(version, amount="10.00", **extra) -> dict:
    data = {
        "version": str(version),
        "month_investment": amount,
        "construction_install": amount,
        "equipment": "0",
        "other_cost": "0",
        "funds_arrived": "0",
        "physical_progress": "主体施工",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "save": "1",
    }
    data.update(extra)
    return data


def saved(world, project, period=OCT, amount="10.00", **extra) -> ProgressReport:
    data = {
        "month_investment": Decimal(amount),
        "construction_install": Decimal(amount),
        "equipment": Decimal("0"),
        "other_cost": Decimal("0"),
        **extra,
    }
    return services.report_create(actor=world.reporter_a, project=project, period=period, data=data)


def submitted(world, project, period=OCT, amount="10.00", **extra) -> ProgressReport:
    report = saved(world, project, period, amount, **extra)
    return services.report_submit(actor=world.reporter_a, report=report, version=report.version)


def told(title_part: str) -> set[str]:
    return set(Notification.objects.filter(title__contains=title_part).values_list("user__username", flat=True))


# --- 1. no draft until the first save ----------------------------------------------------------------------------


def test_opening_the_form_creates_nothing_and_the_project_stays_unreported(client, world, project):
    client.force_login(world.reporter_a)
    url = reverse("progress:report_open", args=[project.pk, 2026, 10])
    assert client.post(url)["Location"] == url  # the 填报 button of 本单位月报
    page = client.get(url).content.decode()
    assert "甲街道流转项目" in page and "尚未保存" in page
    assert not ProgressReport.objects.filter(project=project).exists()
    listing = client.get(reverse("dispatch:my_reports") + "?period=2026-10").content.decode()
    assert "未上报" in listing
    response = client.post(url, form_data(0, "12.00"))
    report = ProgressReport.objects.get(project=project, period=OCT)
    assert response["Location"] == report.get_absolute_url() and report.month_investment == Decimal("12.00")
    assert client.get(url)["Location"] == reverse("progress:report_edit", args=[report.pk])


def test_a_second_first_save_of_the_same_month_is_a_conflict_not_an_overwrite(client, world, project):
    client.force_login(world.reporter_a)
    url = reverse("progress:report_open", args=[project.pk, 2026, 10])
    client.post(url, form_data(0, "12.00"))
    response = client.post(url, form_data(0, "34.00", physical_progress="另一个标签页"))
    assert response.status_code == 409
    assert "另一个标签页" in response.content.decode()
    assert ProgressReport.objects.get(project=project, period=OCT).month_investment == Decimal("12.00")


# --- 2. carry-over -----------------------------------------------------------------------------------------------


def test_november_form_carries_the_september_start(client, world, project):
    september = submitted(
        world, project, SEP, "300.00", is_started=True, started_on=date(2026, 9, 12), physical_progress="主体施工"
    )
    services.report_unit_approve(actor=world.approver_a, report=september, version=september.version)
    assert selectors.report_carry_over(project, NOV)["is_started"] is True
    client.force_login(world.reporter_a)
    response = client.get(reverse("progress:report_open", args=[project.pk, 2026, 11]))
    form = response.context["form"]
    assert form["is_started"].value() is True and form["started_on"].value() == date(2026, 9, 12)
    assert form["physical_progress"].value() == "主体施工"
    page = response.content.decode()
    assert 'value="2026-09-12"' in page and "已从上期月报带入" in page
    figures = response.context["figures"]
    assert figures.cumulative == Decimal("300.00") and figures.ytd == Decimal("300.00")


def test_carry_over_uses_the_projects_actual_start(world):
    started = make_project(unit=world.unit_a, actor=world.office, actual_start=date(2026, 8, 3), stage="construction")
    assert selectors.report_carry_over(started, NOV) == {"is_started": True, "started_on": date(2026, 8, 3)}


# --- 3. photos ---------------------------------------------------------------------------------------------------


def test_edit_page_lists_the_photos_and_one_can_be_deleted(client, world, project):
    report = saved(world, project)
    photo = report_photo_add(actor=world.reporter_a, report=report, uploaded=png("工地.png"))
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report_edit", args=[report.pk])).content.decode()
    assert "工地.png" in page and reverse("progress:photo_delete", args=[photo.pk]) in page
    assert "确定删除照片“工地.png”" in page  # the confirmation names the photo
    response = client.post(reverse("progress:photo_delete", args=[photo.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已删除照片" in response.content.decode()
    assert not ReportPhoto.objects.filter(pk=photo.pk).exists()
    assert report.events.filter(type=ReportEventType.PHOTO_DELETED, data__name="工地.png").exists()


def test_photos_of_a_submitted_report_cannot_be_deleted(client, world, project):
    report = submitted(world, project)
    photo = report_photo_add(actor=world.reporter_a, report=report, uploaded=png())
    client.force_login(world.reporter_a)
    client.post(reverse("progress:photo_delete", args=[photo.pk]))
    assert ReportPhoto.objects.filter(pk=photo.pk).exists()


def test_a_photo_chosen_before_a_validation_error_is_kept_and_attached_on_the_next_save(client, world, project):
    report = saved(world, project)
    client.force_login(world.reporter_a)
    url = reverse("progress:report_edit", args=[report.pk])
    response = client.post(url, form_data(report.version, equipment="5.00", photo=png("现场.png")))
    page = response.content.decode()
    assert response.status_code == 200 and "投资构成" in page
    assert "已选择的照片已保留" in page and "现场.png" in page
    pending = PendingPhoto.objects.get(user=world.reporter_a)
    assert f'name="pending_photo" value="{pending.pk}"' in page
    assert not ReportPhoto.objects.exists()
    response = client.post(url, form_data(report.version, pending_photo=str(pending.pk)))
    assert response.status_code == 302
    assert list(ReportPhoto.objects.filter(report=report).values_list("original_name", flat=True)) == ["现场.png"]
    assert not PendingPhoto.objects.exists()


def test_a_kept_photo_of_someone_else_is_ignored(client, world, project):
    report = saved(world, project)
    client.force_login(world.reporter_a)
    url = reverse("progress:report_edit", args=[report.pk])
    client.post(url, form_data(report.version, equipment="5.00", photo=png()))
    pending = PendingPhoto.objects.get()
    other = make_user("reporter_a3", role=Role.UNIT_REPORTER, unit=world.unit_a)
    client.force_login(other)
    client.post(url, form_data(report.version, pending_photo=str(pending.pk)))
    assert not ReportPhoto.objects.exists() and PendingPhoto.objects.filter(pk=pending.pk).exists()


def test_an_unusable_photo_is_not_claimed_as_kept(client, world, project):
    report = saved(world, project)
    client.force_login(world.reporter_a)
    bad = SimpleUploadedFile("a.jpg", b"not an image")
    page = client.post(reverse("progress:report_edit", args=[report.pk]), form_data(1, photo=bad)).content.decode()
    assert "请重新选择" in page and "已选择的照片已保留" not in page
    assert not PendingPhoto.objects.exists()


class TestPhotoDelete(PostMatrix):
    url_name = "progress:photo_delete"

    def effect(self, obj, matrix):
        assert not ReportPhoto.objects.filter(pk=obj.pk).exists()

    @pytest.fixture
    def matrix(self, world):
        a = make_project(unit=world.unit_a, actor=world.office)
        b = make_project(unit=world.unit_b, actor=world.office)
        photos = [report_photo_add(actor=world.office, report=make_report(p, OCT), uploaded=png()) for p in (a, b)]
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=photos[0], out_of_scope=photos[1])


# --- 4. labelled problem rows, updated in place ------------------------------------------------------------------


def test_problem_rows_have_labels_and_add_remove(client, world, project):
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report_open", args=[project.pk, 2026, 10])).content.decode()
    for label in ("问题类别", "问题描述", "需要协调", "添加一个问题", "tj-problem-remove"):
        assert label in page
    assert 'for="id_problems-0-description"' in page


def test_problem_rows_are_updated_in_place(client, world, project):
    client.force_login(world.reporter_a)
    url = reverse("progress:report_open", args=[project.pk, 2026, 10])
    rows = {
        "problems-TOTAL_FORMS": "2",
        "problems-0-category": "用地",
        "problems-0-description": "未交地",
        "problems-1-category": "电力",
        "problems-1-description": "缺电",
    }
    client.post(url, form_data(0, **rows))
    report = ProgressReport.objects.get(project=project)
    land, power = report.problems.order_by("pk")
    edit = {
        "problems-TOTAL_FORMS": "2",
        "problems-INITIAL_FORMS": "2",
        "problems-0-id": str(land.pk),
        "problems-0-category": "用地",
        "problems-0-description": "未交地3亩",
        "problems-1-id": str(power.pk),
        "problems-1-category": "电力",
        "problems-1-description": "缺电",
        "problems-1-DELETE": "on",
    }
    client.post(reverse("progress:report_edit", args=[report.pk]), form_data(report.version, **edit))
    assert list(report.problems.values_list("pk", "description")) == [(land.pk, "未交地3亩")]
    actions = list(
        ObjectChange.objects.filter(changed_object_type__model="reportproblem").values_list("action", flat=True)
    )
    assert sorted(actions) == ["create", "create", "delete", "update"]


def test_api_style_rows_without_ids_keep_unchanged_problems(world, project):
    report = saved(world, project)
    rows = [{"category": "用地", "description": "未交地"}]
    report = services.report_save(actor=world.reporter_a, report=report, version=report.version, data={}, problems=rows)
    first = report.problems.get().pk
    report = services.report_save(actor=world.reporter_a, report=report, version=report.version, data={}, problems=rows)
    assert report.problems.get().pk == first


# --- 5. 撤回 and confirmations ------------------------------------------------------------------------------------


def test_withdraw_until_the_unit_approver_acts(client, world, project):
    report = submitted(world, project)
    assert list(selectors.reports_awaiting_review(world.approver_a)) == [report]
    client.force_login(world.reporter_a)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "撤回修改" in page and "撤回“甲街道流转项目”2026年10月月报？" in page
    response = client.post(reverse("progress:report_withdraw", args=[report.pk]), {"version": report.version})
    assert response["Location"] == reverse("progress:report_edit", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.submitted_by is None
    assert report.events.filter(type=ReportEventType.WITHDRAWN, actor=world.reporter_a).exists()
    assert ObjectChange.objects.filter(changed_object_id=report.pk, postchange_data__status="draft").exists()
    assert not selectors.reports_awaiting_review(world.approver_a).exists()  # the approver's to-do drops


def test_withdraw_is_refused_once_reviewed_and_for_a_stale_version(world, project):
    report = submitted(world, project)
    with pytest.raises(ConflictError):
        services.report_withdraw(actor=world.reporter_a, report=report, version=report.version - 1)
    report = ProgressReport.objects.get(pk=report.pk)
    report = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    with pytest.raises(ConflictError):
        services.report_withdraw(actor=world.reporter_a, report=report, version=report.version)
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.UNIT_APPROVED


class TestReportWithdraw(PostMatrix):
    url_name = "progress:report_withdraw"

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).status == ReportStatus.DRAFT

    @pytest.fixture
    def matrix(self, world):
        a = make_project(unit=world.unit_a, actor=world.office)
        b = make_project(unit=world.unit_b, actor=world.office)
        reports = [make_report(p, OCT, status="submitted") for p in (a, b)]
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=reports[0], out_of_scope=reports[1])


class TestReportApiWithdraw(ApiPostMatrix):
    url_name = "progress-api:progressreport-withdraw"

    def data(self, obj, matrix):
        return {"version": obj.version}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).status == ReportStatus.DRAFT

    @pytest.fixture
    def matrix(self, world):
        a = make_project(unit=world.unit_a, actor=world.office)
        b = make_project(unit=world.unit_b, actor=world.office)
        reports = [make_report(p, OCT, status="submitted") for p in (a, b)]
        return Case(allowed=world.reporter_a, denied=world.norole, in_scope=reports[0], out_of_scope=reports[1])


def test_confirmations_name_what_will_happen(client, world, project):
    client.force_login(world.reporter_a)
    page = client.get(reverse("progress:report_open", args=[project.pk, 2026, 10])).content.decode()
    assert "确定提交审核？提交后将通知本单位审核人" in page
    report = submitted(world, project)
    client.force_login(world.approver_a)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "审核通过“甲街道流转项目”2026年10月月报？" in page
    assert "退回“甲街道流转项目”2026年10月月报？" in page


# --- 6. notifications --------------------------------------------------------------------------------------------


def test_submit_tells_the_units_approvers_only(world, people, project, channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = submitted(world, project)
    assert told("月报待审核") == {"approver_a", "approver_a2"}  # not 乙's approver, not the office, not the actor
    note = Notification.objects.filter(title__contains="月报待审核").first()
    assert note.url == report.get_absolute_url() and "甲街道流转项目" in note.title
    assert {name for name, title, *_ in channel if "月报待审核" in title} == {"approver_a", "approver_a2"}


def test_unit_approval_tells_the_office_reviewers_in_scope(world, people, project):
    report = submitted(world, project)
    services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    assert told("月报待项目办审核") == {"office"}  # not the neighbouring district's office


def test_return_tells_the_units_reporters_with_the_reason(world, people, project):
    report = submitted(world, project)
    services.report_return(actor=world.approver_a, report=report, version=report.version, reason="照片不清楚")
    assert told("月报被退回") == {"reporter_a"}  # the child unit's reporter does not cover 甲's own projects
    body = Notification.objects.get(user=world.reporter_a, title__contains="月报被退回").body
    assert "照片不清楚" in body
    assert not Notification.objects.filter(user=world.reporter_b).exists()


def test_office_approval_tells_the_reporter_and_correction_tells_the_unit(client, world, people, project):
    report = submitted(world, project)
    report = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    report = services.report_office_approve(actor=world.office, report=report, version=report.version)
    assert told("月报已审核通过") == {"reporter_a"}
    services.report_correct(
        actor=world.office,
        report=report,
        version=report.version,
        data={"funds_arrived": Decimal("8.00"), "month_investment": Decimal("10.00")},
        reason="财政口径调整",
    )
    assert told("月报已被项目办更正") == {"reporter_a", "approver_a", "approver_a2"}
    body = Notification.objects.get(user=world.approver_a, title__contains="更正").body
    assert "财政口径调整" in body and "当月到位资金（万元）：0.00 → 8.00" in body
    assert "当月完成投资" not in body  # unchanged fields are not reported as changes
    correction = report.corrections.get()
    assert correction.before == {"funds_arrived": "0.00"} and correction.after == {"funds_arrived": "8.00"}
    assert not Notification.objects.filter(user__in=[world.reporter_b, people["approver_b"]]).exists()
    client.force_login(world.reporter_a)
    page = client.get(report.get_absolute_url()).content.decode()
    assert "财政口径调整" in page and "当月到位资金（万元）" in page and "funds_arrived" not in page


def test_recipient_sets_follow_the_unit_tree(world, people):
    """A unit-scoped membership covers the unit below it; the child unit's reporter does not cover the parent."""
    child_project = make_project(unit=world.unit_a_child, actor=world.office)
    parent_project = make_project(unit=world.unit_a, actor=world.office)
    child = make_report(child_project, OCT)
    parent = make_report(parent_project, OCT)
    assert {u.username for u in selectors.report_unit_reporters(child)} == {"reporter_a", "reporter_a_child"}
    assert {u.username for u in selectors.report_unit_reporters(parent)} == {"reporter_a"}
    assert {u.username for u in selectors.report_office_reviewers(parent)} == {"office"}


# --- 7. 批量审核通过 -----------------------------------------------------------------------------------------------


@pytest.fixture
def queue(world, people):
    projects = [make_project(unit=world.unit_a, actor=world.office, name=f"批量项目{i}") for i in range(3)]
    reports = [make_report(p, OCT, amount=f"{10 * (i + 1)}.00", status="submitted") for i, p in enumerate(projects)]
    other = make_report(make_project(unit=world.unit_b, actor=world.office, name="乙批量项目"), OCT, status="submitted")
    return reports, other


def test_bulk_preview_lists_exactly_what_will_be_approved(client, world, queue):
    reports, _other = queue
    client.force_login(world.approver_a)
    listing = client.get(reverse("progress:report_list") + "?period=2026-10").content.decode()
    assert "tj-bulk-all" in listing and f'value="{reports[0].pk}:{reports[0].version}"' in listing
    chosen = [f"{r.pk}:{r.version}" for r in reports[:2]]
    response = client.post(reverse("progress:report_bulk_approve"), {"reports": chosen})
    page = response.content.decode()
    assert response.status_code == 200 and "批量项目0" in page and "批量项目1" in page and "批量项目2" not in page
    assert "甲街道办事处" in page and "2026年10月" in page and "20.00" in page
    assert all(
        r.status == ReportStatus.SUBMITTED for r in ProgressReport.objects.filter(pk__in=[r.pk for r in reports])
    )


def test_bulk_approve_skips_what_changed_since_the_preview(client, world, queue, django_assert_max_num_queries):
    reports, _other = queue
    chosen = [f"{r.pk}:{r.version}" for r in reports]
    services.report_return(actor=world.approver_a, report=reports[2], version=reports[2].version, reason="数据有误")
    client.force_login(world.approver_a)
    with django_assert_max_num_queries(80):
        response = client.post(reverse("progress:report_bulk_approve"), {"reports": chosen, "confirm": "1"})
    page = response.content.decode()
    assert "已审核通过 2 份月报" in page and "批量项目2" in page and "已被他人处理" in page
    statuses = dict(ProgressReport.objects.filter(pk__in=[r.pk for r in reports]).values_list("pk", "status"))
    assert [statuses[r.pk] for r in reports] == ["unit_approved", "unit_approved", "draft"]
    assert told("月报待项目办审核") == {"office"}


def test_bulk_query_count_does_not_grow_much_with_the_batch(world, people, django_assert_max_num_queries):
    projects = [make_project(unit=world.unit_a, actor=world.office) for _ in range(10)]
    reports = [make_report(p, OCT, status="submitted") for p in projects]
    with django_assert_max_num_queries(26 * len(reports) + 20):  # per report: the transition and its facts rows
        result = services.report_bulk_approve(actor=world.approver_a, items=[(r.pk, r.version) for r in reports])
    assert len(result.approved) == 10


def test_bulk_approve_by_the_office_locks_unit_approved_ones_only(world, queue):
    reports, other = queue
    first = services.report_unit_approve(actor=world.approver_a, report=reports[0], version=reports[0].version)
    result = services.report_bulk_approve(
        actor=world.office, items=[(first.pk, first.version), (reports[1].pk, reports[1].version)]
    )
    assert [r.pk for r in result.approved] == [first.pk]
    assert ProgressReport.objects.get(pk=first.pk).status == ReportStatus.OFFICE_APPROVED
    assert [r.pk for r, _why in result.skipped] == [reports[1].pk]


def test_bulk_approve_skips_out_of_scope_reports(world, queue):
    _reports, other = queue
    result = services.report_bulk_approve(actor=world.approver_a, items=[(other.pk, other.version)])
    assert not result.approved and result.skipped[0][0] is None
    assert ProgressReport.objects.get(pk=other.pk).status == ReportStatus.SUBMITTED


class TestBulkApprove(PostMatrix):
    url_name = "progress:report_bulk_approve"
    detail = False
    success_status = 200

    def data(self, obj, matrix):
        return {"reports": [f"{obj.pk}:{obj.version}"], "confirm": "1"}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).status == ReportStatus.UNIT_APPROVED

    def test_get_is_405(self, client, matrix):
        """GET goes back to the queue: nothing is approved."""
        client.force_login(matrix.allowed)
        assert client.get(self.url_for()).status_code == 302
        assert not self.holds(matrix.in_scope, matrix)

    @pytest.fixture
    def matrix(self, world, queue):
        reports, other = queue
        return Case(allowed=world.approver_a, denied=world.reporter_a, in_scope=reports[0], out_of_scope=other)


# --- 8. the same report in two tabs ------------------------------------------------------------------------------


def test_two_tabs_the_second_save_shows_the_conflict_page_and_reposts(client, world, project):
    report = saved(world, project)
    client.force_login(world.reporter_a)
    url = reverse("progress:report_edit", args=[report.pk])
    tab1 = client.get(url).context["form"]["version"].value()
    tab2 = client.get(url).context["form"]["version"].value()
    assert client.post(url, form_data(tab1, "20.00", physical_progress="第一个标签页")).status_code == 302
    response = client.post(url, form_data(tab2, "30.00", physical_progress="第二个标签页的进度"))
    page = response.content.decode()
    assert response.status_code == 409
    assert "第二个标签页的进度" in page and "30.00" in page and "该月报刚被他人处理" not in page
    assert ProgressReport.objects.get(pk=report.pk).physical_progress == "第一个标签页"
    hidden = response.context["hidden"]
    repost: dict = {}
    for name, value in hidden:
        repost.setdefault(name, []).append(value)
    assert client.post(url, repost).status_code == 302
    report.refresh_from_db()
    assert report.physical_progress == "第二个标签页的进度" and report.month_investment == Decimal("30.00")


def test_two_tabs_a_photo_chosen_with_the_stale_save_is_attached_by_the_repost(client, world, project):
    report = saved(world, project)
    client.force_login(world.reporter_a)
    url = reverse("progress:report_edit", args=[report.pk])
    tab1 = client.get(url).context["form"]["version"].value()
    tab2 = client.get(url).context["form"]["version"].value()
    assert client.post(url, form_data(tab1, "20.00")).status_code == 302
    response = client.post(url, {**form_data(tab2, "30.00"), "photo": png("second-tab.png")})
    assert response.status_code == 409
    assert "无法自动保留" not in response.content.decode() and not report.photos.exists()
    repost: dict = {}
    for name, value in response.context["hidden"]:
        repost.setdefault(name, []).append(value)
    assert repost.get("pending_photo")
    assert client.post(url, repost).status_code == 302
    assert [p.original_name for p in report.photos.all()] == ["second-tab.png"]


# --- 9. the 更正 form --------------------------------------------------------------------------------------------


def test_correction_form_shows_real_values(client, world, project):
    report = make_report(project, OCT, "260.50", status="office_approved")
    client.force_login(world.office)
    page = client.get(reverse("progress:report_correct", args=[report.pk])).content.decode()
    assert "None" not in page and "年初至今 — 万元" not in page
    assert "年初至今 260.50 万元" in page or "年初至今 260.5 万元" in page


def test_correction_without_a_change_is_refused_and_history_has_no_false_changes(world, project):
    from tuijin.core.exceptions import ApplicationError

    report = make_report(project, OCT, "260.50", status="office_approved")
    with pytest.raises(ApplicationError):
        services.report_correct(
            actor=world.office,
            report=report,
            version=report.version,
            data={"month_investment": Decimal("260.5"), "construction_install": Decimal("260.50")},
            reason="复核",
        )


# --- the lead's to-do sources ------------------------------------------------------------------------------------


def test_review_and_returned_selectors(world, people, project):
    report = submitted(world, project)
    assert list(selectors.reports_awaiting_review(world.approver_a)) == [report]
    assert not selectors.reports_awaiting_review(people["approver_b"]).exists()
    assert not selectors.reports_awaiting_review(world.office).exists()  # the office waits for the unit
    report = services.report_unit_approve(actor=world.approver_a, report=report, version=report.version)
    assert list(selectors.reports_awaiting_review(world.office)) == [report]
    assert not selectors.reports_awaiting_review(world.foreign_office).exists()
    services.report_return(actor=world.office, report=report, version=report.version, reason="补充")
    assert list(selectors.reports_returned(world.reporter_a)) == [report]
    assert not selectors.reports_returned(world.reporter_b).exists()
    assert not selectors.reports_returned(world.office).exists()


def test_nobody_approves_their_own_submission_in_the_queue(world, project):
    report = make_report(project, OCT, status="submitted", submitted_by=world.approver_a)
    assert report not in selectors.reports_awaiting_review(world.approver_a)
