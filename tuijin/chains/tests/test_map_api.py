"""Chain-map API: nodes are created, changed and deleted through the services (the status is read only; `If-Match`
is required: 428 without it, 412 when stale), refused input is a 400 in Chinese, filters work, a chain carries its
链长制 and counts, enterprises are CRUD, the history hides the names of records out of the caller's scope."""

from datetime import date

import pytest
from django.urls import reverse

from tuijin.chains import services
from tuijin.chains.choices import GapStatus
from tuijin.chains.models import ChainNode, ChainProfile, NodeEnterprise
from tuijin.projects.choices import Stage
from tuijin.projects.tests.factories import make_project

from .test_map_world import fresh, make_chain, make_node

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def chain(db):
    return make_chain()


@pytest.fixture
def node(chain):
    return make_node(chain, "激光雷达模组", "midstream")


def test_nodes_are_created_changed_and_deleted_through_the_services(client, world, chain, node):
    client.force_login(world.office)
    url = reverse("chains-api:node-list")
    response = client.post(
        url, {"chain": chain.pk, "name": "光学元件", "segment": "upstream", "status": "strong"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    created = ChainNode.objects.get(name="光学元件")
    assert created.status == GapStatus.GAP  # never written by the caller
    assert response["ETag"] == '"1"' and response.json()["status_display"] == "空白"

    response = client.post(url, {"chain": chain.pk, "name": "镜头", "parent": created.pk}, content_type=JSON)
    assert response.status_code == 201 and ChainNode.objects.get(name="镜头").segment == "upstream"
    response = client.post(url, {"chain": chain.pk, "name": "光学元件", "segment": "upstream"}, content_type=JSON)
    assert response.status_code == 400 and "该产业链已有同名环节" in response.content.decode()
    response = client.post(url, {"chain": 99999, "name": "某环节", "segment": "upstream"}, content_type=JSON)
    assert response.status_code == 400 and "产业链不存在" in response.content.decode()
    response = client.post(url, {"chain": chain.pk, "name": "无链位"}, content_type=JSON)
    assert response.status_code == 400 and "一级环节请填写链位" in response.content.decode()

    detail = reverse("chains-api:node-detail", args=[created.pk])
    assert client.patch(detail, {"keywords": "镜片"}, content_type=JSON).status_code == 428
    response = client.patch(detail, {"keywords": "镜片 光学"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["keywords"] == "镜片 光学" and response["ETag"] == '"2"'
    response = client.patch(detail, {"keywords": "过期"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert response.status_code == 412 and fresh(created).keywords == "镜片 光学"

    response = client.delete(detail, HTTP_IF_MATCH='"2"')
    assert response.status_code == 400 and "下级环节" in response.json()["detail"]
    response = client.delete(reverse("chains-api:node-detail", args=[node.pk]), HTTP_IF_MATCH=f'"{node.version}"')
    assert response.status_code == 204 and not ChainNode.objects.filter(pk=node.pk).exists()

    client.force_login(world.reporter_a)  # reads, does not draw
    assert (
        client.post(url, {"chain": chain.pk, "name": "某环节", "segment": "upstream"}, content_type=JSON).status_code
        == 403
    )
    assert client.delete(detail, HTTP_IF_MATCH='"2"').status_code == 403


def test_node_filters(client, world, chain, node):
    other = make_node(make_chain("智能制造"), "机器人本体", "upstream")
    client.force_login(world.reporter_a)
    url = reverse("chains-api:node-list")
    names = lambda query: [r["name"] for r in client.get(url + query).json()["results"]]  # noqa: E731
    assert names(f"?chain={chain.pk}") == ["激光雷达模组"]
    assert names("?segment=upstream") == [other.name]
    assert set(names("?status=gap")) == {"激光雷达模组", "机器人本体"}
    assert names("?status=strong") == []


def test_a_chain_carries_its_profile_counts_and_progress(
    client, world, chain, node, django_capture_on_commit_callbacks
):
    ChainProfile.objects.create(chain=chain, leader=world.leader_person, lead_unit=world.office_unit, fill_target=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.enterprise_add(actor=world.office, node=node, data={"name": "本地企业"})
    client.force_login(world.leader)
    data = client.get(reverse("chains-api:chain-detail", args=[chain.pk])).json()
    assert data["name"] == "光电信息" and data["profile"]["leader_name"] == "测试副区长"
    assert data["counts"] == {"total": 1, "gap": 0, "weak": 1, "strong": 0}
    assert data["filled"] == 1 and data["fill_target"] == 2
    listing = client.get(reverse("chains-api:chain-list")).json()
    assert [c["name"] for c in listing["results"]] == ["光电信息"]


def test_enterprises_crud(client, world, node):
    client.force_login(world.office)
    url = reverse("chains-api:node-enterprise-list")
    response = client.post(url, {"node": node.pk, "name": "雷达链主", "role": "leader"}, content_type=JSON)
    assert response.status_code == 201
    row = NodeEnterprise.objects.get(name="雷达链主")
    response = client.post(
        url, {"node": node.pk, "name": "区外链主", "role": "leader", "is_local": False}, content_type=JSON
    )
    assert response.status_code == 400 and "链主企业应为本地企业" in response.content.decode()
    detail = reverse("chains-api:node-enterprise-detail", args=[row.pk])
    response = client.patch(detail, {"products": "激光雷达"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["products"] == "激光雷达"
    assert client.delete(detail, HTTP_IF_MATCH='"1"').status_code == 412
    assert client.delete(detail, HTTP_IF_MATCH='"2"').status_code == 204
    assert not NodeEnterprise.objects.exists()


def test_history_hides_names_out_of_scope(client, world, node, django_capture_on_commit_callbacks):
    project = make_project(
        unit=world.unit_b,
        name="乙街道投产项目",
        stage=Stage.OPERATING,
        actual_start=date(2024, 1, 1),
        actual_finish=date(2024, 5, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.project_link(actor=world.office, node=node, project=project)
    url = reverse("chains-api:node-history", args=[node.pk])
    client.force_login(world.office)
    assert client.get(url).json()[0]["trigger"] == "关联重点项目「乙街道投产项目」"
    client.force_login(world.reporter_a)
    rows = client.get(url).json()
    assert rows[0]["trigger"] == "关联重点项目" and rows[0]["to_status"] == "weak"
    rows = client.get(reverse("chains-api:status-change-list") + f"?node={node.pk}").json()["results"]
    assert rows[0]["trigger"] == "关联重点项目"


def test_linking_refusals_are_explained(client, world, chain, node):
    from tuijin.investment.tests.factories import make_lead

    other = make_node(chain, "光学元件", "upstream")
    lead = make_lead(actor=world.reporter_a, unit=world.unit_a)
    client.force_login(world.reporter_a)
    assert (
        client.post(
            reverse("chains-api:node-link-lead", args=[node.pk]), {"lead": lead.pk}, content_type=JSON
        ).status_code
        == 200
    )
    response = client.post(reverse("chains-api:node-link-lead", args=[other.pk]), {"lead": lead.pk}, content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "linked_elsewhere"
    response = client.post(reverse("chains-api:node-link-lead", args=[node.pk]), {}, content_type=JSON)
    assert response.status_code == 400
    response = client.post(reverse("chains-api:node-link-lead", args=[node.pk]), {"lead": 999999}, content_type=JSON)
    assert response.status_code == 404
