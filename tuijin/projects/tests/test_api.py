"""/api/projects/projects/: scoping matrix, validation through services, ETag / If-Match optimistic locking."""

import pytest

from tuijin.projects.models import Project
from tuijin.utilities.testing.matrix import ApiMatrix, Case

from .factories import make_project

URL = "/api/projects/projects/"


@pytest.fixture
def projects(world):
    return (
        make_project(unit=world.unit_a, actor=world.office, name="接口甲项目"),
        make_project(unit=world.unit_b, actor=world.office, name="接口乙项目"),
    )


class TestProjectApiList(ApiMatrix):
    url_name = "projects-api:project-list"
    detail = False

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.auditadmin,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=lambda p: p.name,
        )


class TestProjectApiDetail(ApiMatrix):
    url_name = "projects-api:project-detail"

    @pytest.fixture
    def matrix(self, world, projects):
        return Case(
            allowed=world.reporter_a,
            denied=world.norole,
            in_scope=projects[0],
            out_of_scope=projects[1],
            marker=lambda p: p.name,
        )


def payload(world, **extra):
    data = {
        "name": "接口新建项目",
        "owner_name": "接口业主有限公司",
        "responsible_unit": world.unit_a.pk,
        "total_investment": "2500.50",
        "funding": [{"kind": "self", "amount": "2500.50"}],
        "levels": ["district"],
        "sponsors": [world.leader_person.pk],
    }
    data.update(extra)
    return data


def test_create_validates_with_services(client, world):
    client.force_login(world.office)
    bad = client.post(URL, payload(world, code="2403-110101-04-01-12345X"), content_type="application/json")
    assert bad.status_code == 400 and "区划代码" in str(bad.json()["code"])
    response = client.post(URL, payload(world, code="2403-410702-04-01-12345X"), content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total_investment"] == "2500.50" and body["levels"] == ["district"] and response["ETag"] == '"1"'
    assert Project.objects.get(pk=body["id"]).funding_sources.get().amount == 2500.5


def test_reporter_cannot_create(client, world):
    client.force_login(world.reporter_a)
    assert client.post(URL, payload(world), content_type="application/json").status_code == 403


def test_update_requires_if_match_and_detects_stale_versions(client, world, projects):
    client.force_login(world.reporter_a)
    url = f"{URL}{projects[0].pk}/"
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"address": "无条件修改"}, content_type="application/json").status_code == 428
    ok = client.patch(url, {"address": "新地址"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200 and ok.json()["address"] == "新地址" and ok["ETag"] == '"2"'
    stale = client.patch(url, {"address": "旧版本上的修改"}, content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Project.objects.get(pk=projects[0].pk).address == "新地址"


def test_update_out_of_scope_is_404_and_moving_out_is_refused(client, world, projects):
    client.force_login(world.reporter_a)
    other = f"{URL}{projects[1].pk}/"
    assert (
        client.patch(other, {"address": "x"}, content_type="application/json", HTTP_IF_MATCH='"1"').status_code == 404
    )
    mine = f"{URL}{projects[0].pk}/"
    response = client.patch(
        mine, {"responsible_unit": world.unit_b.pk}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400  # unit_b is not a choice the reporter can see
    assert Project.objects.get(pk=projects[0].pk).responsible_unit_id == world.unit_a.pk


def test_leader_reads_but_cannot_write(client, world, projects):
    client.force_login(world.leader)
    assert client.get(URL).json()["count"] == 2
    response = client.patch(
        f"{URL}{projects[0].pk}/", {"address": "x"}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 403


def test_token_and_filters(client, world, projects):
    from tuijin.api.authentication import api_token_create

    key, _ = api_token_create(user=world.office, name="对接")
    response = client.get(URL, {"q": "接口甲"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert [row["name"] for row in response.json()["results"]] == ["接口甲项目"]


def test_stage_cannot_be_changed_through_update(client, world, projects):
    client.force_login(world.office)
    response = client.patch(
        f"{URL}{projects[0].pk}/", {"stage": "cancelled"}, content_type="application/json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 400 and "阶段变更" in str(response.json())
    assert Project.objects.get(pk=projects[0].pk).version == 1
