"""/api/progress/reports/ writes: create (POST), update (PATCH/PUT with If-Match), 代填 by the project office — the
same services and rules as the form and the 调度表, errors in Chinese, scope and permission matrices."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tuijin.core.models import ObjectChange
from tuijin.progress.choices import ReportEventType, ReportStatus
from tuijin.progress.models import ProgressReport, ReportEvent
from tuijin.projects.tests.factories import make_project
from tuijin.utilities.testing.matrix import ApiPostMatrix, Case

from .factories import make_report

OCT = date(2026, 10, 1)
JSON = {"content_type": "application/json", "HTTP_ACCEPT": "application/json"}
LIST = "progress-api:progressreport-list"
FIGURES = {"month_investment": "50.00", "construction_install": "30.00", "equipment": "20.00"}


def detail(report) -> str:
    return reverse("progress-api:progressreport-detail", args=[report.pk])


@pytest.fixture
def projects(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="甲街道接口填报项目", stage="preparation")
    b = make_project(unit=world.unit_b, actor=world.office, name="乙街道接口填报项目", stage="preparation")
    return a, b


# ---------------------------------------------------------------------------------------------------------------
# Permission matrices
# ---------------------------------------------------------------------------------------------------------------


class TestReportApiCreate(ApiPostMatrix):
    """POST on the list: the object is the project; out of scope the project is unknown to the caller (400)."""

    url_name = LIST
    detail = False
    success_status = 201

    def data(self, obj, matrix):
        return {"project": obj.pk, "period": "2026-10", **FIGURES}

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(project=obj, period=OCT).month_investment == D("50.00")

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=projects[0], out_of_scope=projects[1])


class TestReportApiUpdate(ApiPostMatrix):
    """PATCH on the detail with If-Match: a draft of the caller's unit; another unit's is 404."""

    url_name = "progress-api:progressreport-detail"

    def fetch(self, client, matrix, obj):
        return client.patch(self.url_for(obj), {"funds_arrived": "7.00"}, HTTP_IF_MATCH=f'"{obj.version}"', **JSON)

    def effect(self, obj, matrix):
        assert ProgressReport.objects.get(pk=obj.pk).funds_arrived == D("7.00")

    @pytest.fixture
    def matrix(self, world, projects):
        reports = [make_report(p, OCT) for p in projects]
        return Case(allowed=world.reporter_a, denied=world.leader, in_scope=reports[0], out_of_scope=reports[1])


class TestReportApiProxyCreate(ApiPostMatrix):
    """代填 by the project office: district-wide, so its out-of-scope project is the neighbouring district's."""

    url_name = LIST
    detail = False
    success_status = 201

    def data(self, obj, matrix):
        return {"project": obj.pk, "period": "2026-10", "on_behalf_reason": "填报员休假", **FIGURES}

    def effect(self, obj, matrix):
        report = ProgressReport.objects.get(project=obj, period=OCT)
        assert report.events.get(type=ReportEventType.PROXY_FILLED).data == {"reason": "填报员休假"}

    @pytest.fixture
    def matrix(self, world, projects):
        foreign = make_project(unit=world.foreign_unit, actor=world.foreign_office, name="邻区接口项目")
        # the district leader reads reports but may not fill in on behalf of a unit: 403
        return Case(allowed=world.office, denied=world.leader, in_scope=projects[0], out_of_scope=foreign)


# ---------------------------------------------------------------------------------------------------------------
# Create
# ---------------------------------------------------------------------------------------------------------------


def test_create_saves_the_draft_with_its_problems_and_history(client, world, projects):
    client.force_login(world.reporter_a)
    body = {
        "project": projects[0].pk,
        "period": "2026-10-15",  # any day of the month names the month
        **FIGURES,
        "physical_progress": "主体结构施工",
        "problems": [{"category": "用地", "description": "征地未完成", "help_requested": "请自然资源局协调"}],
    }
    response = client.post(reverse(LIST), body, **JSON)
    assert response.status_code == 201, response.json()
    report = ProgressReport.objects.get(project=projects[0])
    assert report.period == OCT and report.status == ReportStatus.DRAFT
    assert (report.month_investment, report.equipment, report.physical_progress) == (D("50"), D("20"), "主体结构施工")
    assert list(report.problems.values_list("category", "description")) == [("用地", "征地未完成")]
    assert response["ETag"] == f'"{report.version}"'
    data = response.json()
    assert data["id"] == report.pk and data["problems"][0]["help_requested"] == "请自然资源局协调"
    assert {e["type"] for e in data["events"]} == {ReportEventType.CREATED, ReportEventType.SAVED}
    assert all(e["actor"] == world.reporter_a.display_name or e["actor"] == "reporter_a" for e in data["events"])


def test_create_can_submit_in_the_same_step(client, world, projects):
    client.force_login(world.reporter_a)
    body = {"project": projects[0].pk, "period": "2026-10", **FIGURES, "submit": True}
    response = client.post(reverse(LIST), body, **JSON)
    assert response.status_code == 201, response.json()
    report = ProgressReport.objects.get(project=projects[0], period=OCT)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == world.reporter_a
    assert response.json()["status"] == ReportStatus.SUBMITTED


def test_create_when_the_report_exists_is_412_with_the_existing_report(client, world, projects):
    existing = make_report(projects[0], OCT, "10.00")
    client.force_login(world.reporter_a)
    response = client.post(reverse(LIST), {"project": projects[0].pk, "period": "2026-10", **FIGURES}, **JSON)
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "conflict" and body["current"]["id"] == existing.pk and "已由他人先行创建" in body["detail"]
    existing.refresh_from_db()
    assert existing.month_investment == D("10.00") and ProgressReport.objects.count() == 1


def test_create_for_an_out_of_scope_project_is_400_and_writes_nothing(client, world, projects):
    client.force_login(world.reporter_a)
    response = client.post(reverse(LIST), {"project": projects[1].pk, "period": "2026-10", **FIGURES}, **JSON)
    assert response.status_code == 400
    assert "project" in response.json() and "不存在" in str(response.json()["project"])
    assert not ProgressReport.objects.exists()


def test_create_for_a_future_month_is_refused(client, world, projects):
    client.force_login(world.reporter_a)
    response = client.post(reverse(LIST), {"project": projects[0].pk, "period": "2099-01", **FIGURES}, **JSON)
    assert response.status_code == 400 and response.json()["code"] == "future_period"
    assert "未来月份" in response.json()["detail"]
    assert not ProgressReport.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# Validation errors: the services' rules, as Chinese field errors
# ---------------------------------------------------------------------------------------------------------------


def test_rule_errors_come_back_as_chinese_field_errors(client, world, projects):
    client.force_login(world.reporter_a)
    body = {"project": projects[0].pk, "period": "2026-10", "month_investment": "100", "construction_install": "60"}
    response = client.post(reverse(LIST), body, **JSON)
    assert response.status_code == 400
    assert response.json()["month_investment"] == ["投资构成合计 60.00 万元，应等于当月完成投资 100.00 万元。"]
    negative = {"project": projects[0].pk, "period": "2026-10", "month_investment": "-5", "other_cost": "-5"}
    response = client.post(reverse(LIST), negative, **JSON)
    assert response.status_code == 400
    assert response.json()["negative_reason"] == ["当月投资为负数（核减）时须说明原因。"]
    assert not ProgressReport.objects.exists()


def test_malformed_values_are_refused_in_chinese(client, world, projects):
    client.force_login(world.reporter_a)
    body = {"project": projects[0].pk, "period": "十月", "month_investment": "很多"}
    response = client.post(reverse(LIST), body, **JSON)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"period", "month_investment"}
    for field in ("period", "month_investment"):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in errors[field][0]), errors[field]
    assert not ProgressReport.objects.exists()


def test_update_rule_error_leaves_the_draft_unchanged(client, world, projects):
    report = make_report(projects[0], OCT, "10.00")
    client.force_login(world.reporter_a)
    response = client.patch(detail(report), {"equipment": "5"}, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert response.status_code == 400
    assert response.json()["month_investment"] == ["投资构成合计 15.00 万元，应等于当月完成投资 10.00 万元。"]
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.equipment, fresh.version) == (D("0"), report.version)


# ---------------------------------------------------------------------------------------------------------------
# Update and optimistic locking
# ---------------------------------------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent_and_bumps_the_version(client, world, projects):
    report = make_report(projects[0], OCT, "10.00", physical_progress="基础施工")
    client.force_login(world.reporter_a)
    etag = client.get(detail(report), HTTP_ACCEPT="application/json")["ETag"]
    response = client.patch(detail(report), {"funds_arrived": "8.5"}, HTTP_IF_MATCH=etag, **JSON)
    assert response.status_code == 200, response.json()
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.funds_arrived, fresh.physical_progress, fresh.month_investment) == (D("8.5"), "基础施工", D("10"))
    assert fresh.version == report.version + 1 and response["ETag"] == f'"{fresh.version}"'


def test_put_replaces_the_figures_and_the_problems(client, world, projects):
    report = make_report(projects[0], OCT, "10.00", physical_progress="基础施工")
    report.problems.create(category="资金", description="资金未到位")
    client.force_login(world.reporter_a)
    body = {"month_investment": "40", "other_cost": "40"}
    response = client.put(detail(report), body, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert response.status_code == 200, response.json()
    fresh = ProgressReport.objects.get(pk=report.pk)
    assert (fresh.month_investment, fresh.construction_install, fresh.other_cost) == (D("40"), D("0"), D("40"))
    assert fresh.physical_progress == "" and not fresh.problems.exists()


def test_patch_problems_keeps_the_named_one_and_drops_the_others(client, world, projects):
    report = make_report(projects[0], OCT, "10.00")
    kept = report.problems.create(category="资金", description="资金未到位")
    report.problems.create(category="用地", description="征地未完成")
    client.force_login(world.reporter_a)
    rows = [{"id": kept.pk, "category": "资金", "description": "资金已部分到位"}]
    response = client.patch(detail(report), {"problems": rows}, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert response.status_code == 200, response.json()
    assert list(report.problems.values_list("pk", "description")) == [(kept.pk, "资金已部分到位")]


def test_stale_version_is_412_with_the_current_report_and_nothing_saved(client, world, projects):
    report = make_report(projects[0], OCT, "10.00")
    client.force_login(world.reporter_a)
    first = client.patch(detail(report), {"funds_arrived": "1"}, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert first.status_code == 200
    stale = client.patch(detail(report), {"funds_arrived": "2"}, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert stale.status_code == 412
    body = stale.json()
    assert body["code"] == "conflict" and body["current_version"] == report.version + 1
    assert body["current"]["funds_arrived"] == "1.00" and stale["ETag"] == f'"{report.version + 1}"'
    assert "第 %d 版" % report.version in body["detail"]
    assert ProgressReport.objects.get(pk=report.pk).funds_arrived == D("1")
    assert client.put(detail(report), {"funds_arrived": "3"}, **JSON).status_code == 428


def test_update_of_a_submitted_report_is_refused(client, world, projects):
    report = make_report(projects[0], OCT, "10.00", status=ReportStatus.SUBMITTED)
    client.force_login(world.reporter_a)
    response = client.patch(detail(report), {"funds_arrived": "1"}, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert response.status_code == 400 and response.json()["code"] == "not_draft"
    assert ProgressReport.objects.get(pk=report.pk).funds_arrived == D("0")


def test_update_out_of_scope_is_404(client, world, projects):
    other = make_report(projects[1], OCT, "10.00")
    client.force_login(world.reporter_a)
    response = client.patch(detail(other), {"funds_arrived": "1"}, HTTP_IF_MATCH=f'"{other.version}"', **JSON)
    assert response.status_code == 404
    assert ProgressReport.objects.get(pk=other.pk).funds_arrived == D("0")


# ---------------------------------------------------------------------------------------------------------------
# 代填
# ---------------------------------------------------------------------------------------------------------------


def test_proxy_create_without_a_reason_is_refused(client, world, projects):
    client.force_login(world.office)
    for reason in ({}, {"on_behalf_reason": "  "}):
        response = client.post(
            reverse(LIST), {"project": projects[0].pk, "period": "2026-10", **FIGURES, **reason}, **JSON
        )
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == "reason_required" and response.json()["detail"] == "代填须填写代填原因。"
    assert not ProgressReport.objects.exists()


def test_proxy_create_with_a_reason_shows_in_the_timeline_and_history(client, world, projects):
    client.force_login(world.office)
    body = {"project": projects[1].pk, "period": "2026-10", **FIGURES, "on_behalf_reason": "填报员休假，电话核实"}
    response = client.post(reverse(LIST), body, **JSON)
    assert response.status_code == 201, response.json()
    report = ProgressReport.objects.get(project=projects[1], period=OCT)
    assert report.status == ReportStatus.DRAFT
    event = ReportEvent.objects.get(report=report, type=ReportEventType.PROXY_FILLED)
    assert event.actor == world.office and event.data == {"reason": "填报员休假，电话核实"}
    change = ObjectChange.objects.get(changed_object_id=report.pk, message__startswith="代填")
    assert change.user == world.office and "填报员休假" in change.message
    proxy = [e for e in response.json()["events"] if e["type"] == ReportEventType.PROXY_FILLED]
    assert proxy and proxy[0]["data"] == {"reason": "填报员休假，电话核实"} and proxy[0]["type_display"] == "代填"
    client.force_login(world.reporter_b)  # the unit sees it on the report
    seen = client.get(detail(report), HTTP_ACCEPT="application/json").json()
    assert any(e["type"] == ReportEventType.PROXY_FILLED for e in seen["events"])


def test_proxy_update_needs_a_reason_and_records_it(client, world, projects):
    report = make_report(projects[0], OCT, "10.00")
    client.force_login(world.office)
    refused = client.patch(detail(report), {"funds_arrived": "4"}, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert refused.status_code == 400 and refused.json()["code"] == "reason_required"
    assert ProgressReport.objects.get(pk=report.pk).funds_arrived == D("0")
    body = {"funds_arrived": "4", "on_behalf_reason": "单位来电要求"}
    response = client.patch(detail(report), body, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert response.status_code == 200, response.json()
    assert ProgressReport.objects.get(pk=report.pk).funds_arrived == D("4")
    assert report.events.get(type=ReportEventType.PROXY_FILLED).data == {"reason": "单位来电要求"}


def test_a_reporter_cannot_claim_to_fill_in_on_behalf(client, world, projects):
    client.force_login(world.reporter_a)
    body = {"project": projects[0].pk, "period": "2026-10", **FIGURES, "on_behalf_reason": "冒充项目办"}
    assert client.post(reverse(LIST), body, **JSON).status_code == 403
    assert not ProgressReport.objects.exists()


def test_proxy_of_another_district_is_404(client, world, projects):
    report = make_report(projects[0], OCT, "10.00")
    client.force_login(world.foreign_office)
    body = {"funds_arrived": "4", "on_behalf_reason": "代填"}
    response = client.patch(detail(report), body, HTTP_IF_MATCH=f'"{report.version}"', **JSON)
    assert response.status_code == 404
    assert not report.events.exists()


def test_schema_lists_the_write_endpoints(client, world):
    client.force_login(world.office)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/api/progress/reports/"]
    assert {"put", "patch"} <= set(paths["/api/progress/reports/{id}/"])
    schemas = response.json()["components"]["schemas"]
    assert "on_behalf_reason" in schemas["ReportCreate"]["properties"]
