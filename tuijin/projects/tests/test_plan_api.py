"""/api/projects/plans/: scope matrix, create/update through `annual_plan_save`, If-Match, permissions."""

from decimal import Decimal

import pytest

from tuijin.projects import services
from tuijin.projects.models import AnnualPlan
from tuijin.utilities.testing.matrix import ApiMatrix, Case

from .factories import make_project

URL = "/api/projects/plans/"
D = Decimal


@pytest.fixture
def plans(world):
    a = make_project(unit=world.unit_a, actor=world.office, name="接口计划甲")
    b = make_project(unit=world.unit_b, actor=world.office, name="接口计划乙")
    return tuple(
        services.annual_plan_save(actor=world.office, project=p, year=2026, planned_investment=D("100")) for p in (a, b)
    )


class TestPlanApiList(ApiMatrix):
    url_name = "projects-api:annualplan-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, plans):
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=plans[0],
            out_of_scope=plans[1],
            marker=lambda p: p.project.name,
        )


class TestPlanApiDetail(ApiMatrix):
    url_name = "projects-api:annualplan-detail"

    @pytest.fixture
    def matrix(self, world, plans):
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=plans[0],
            out_of_scope=plans[1],
            marker=lambda p: p.project.name,
        )


def test_create_with_service_validation(client, world):
    project = make_project(unit=world.unit_a, actor=world.office, name="接口新计划")
    client.force_login(world.reporter_a)  # a unit reporter plans its own projects, as on the plan page
    body = {"project": project.pk, "year": 2027, "planned_investment": "120", "monthly_plan": ["10"] * 11 + ["5"]}
    bad = client.post(URL, body, content_type="application/json")
    assert bad.status_code == 400 and "应等于年度计划" in str(bad.json())
    body["monthly_plan"] = ["10"] * 12
    response = client.post(URL, {**body, "progress_target": "开工"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "draft" and data["planned_investment"] == "120.00" and response["ETag"] == '"1"'
    again = client.post(URL, body, content_type="application/json")
    assert again.status_code == 412  # the year's plan exists: never overwritten by a create
    assert AnnualPlan.objects.get(project=project, year=2027).progress_target == "开工"


def test_create_out_of_scope_project_is_refused(client, world, plans):
    client.force_login(world.reporter_a)
    other = plans[1].project
    response = client.post(
        URL, {"project": other.pk, "year": 2027, "planned_investment": "1"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not AnnualPlan.objects.filter(project=other, year=2027).exists()


def test_update_needs_if_match_and_detects_stale(client, world, plans):
    client.force_login(world.reporter_a)
    url = f"{URL}{plans[0].pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"planned_investment": "90"}, content_type="application/json").status_code == 428
    ok = client.patch(url, {"planned_investment": "90"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["planned_investment"] == "90.00" and ok["ETag"] == '"2"'
    stale = client.patch(url, {"planned_investment": "80"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert AnnualPlan.objects.get(pk=plans[0].pk).planned_investment == D("90")


def test_update_approved_plan_is_refused(client, world, plans):
    plan = services.annual_plan_approve(actor=world.office, plan=plans[0])
    client.force_login(world.office)
    response = client.patch(
        f"{URL}{plan.pk}/",
        {"planned_investment": "1"},
        content_type="application/json",
        HTTP_IF_MATCH=f'"{plan.version}"',
    )
    assert response.status_code == 400 and "调整" in response.json()["detail"]
    assert AnnualPlan.objects.get(pk=plan.pk).planned_investment == D("100")


def test_update_out_of_scope_is_404_and_reader_cannot_write(client, world, plans):
    client.force_login(world.reporter_a)
    other = f"{URL}{plans[1].pk}/"
    assert (
        client.patch(
            other, {"planned_investment": "1"}, content_type="application/json", HTTP_IF_MATCH='"1"'
        ).status_code
        == 404
    )
    client.force_login(world.leader)
    assert client.get(URL).json()["count"] == 2
    response = client.patch(
        f"{URL}{plans[0].pk}/", {"planned_investment": "1"}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403
    assert client.post(URL, {}, content_type="application/json").status_code == 403


def test_list_filters_by_year(client, world, plans):
    client.force_login(world.office)
    assert client.get(URL, {"year": 2026}).json()["count"] == 2
    assert client.get(URL, {"year": 2025}).json()["count"] == 0
