"""政产学研 API (/api/chains/universities/, resources/, cooperations/, match/): create, list with filters, retrieve
with the ETag, update with If-Match (428 without, 412 stale), 400 with the services' Chinese messages, no DELETE,
a cooperation's 诉求 hidden from those who may not see it, and the ranked matches with their terms."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tuijin.chains import universities
from tuijin.chains.choices import ResourceKind
from tuijin.chains.models import Cooperation, UniversityResource

from .test_matching import node, resource, tech_ticket, university

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **JSON, **headers)


def patch(client, url, body, **headers):
    return client.patch(url, body, content_type="application/json", **JSON, **headers)


def test_universities_are_listed_for_resource_readers(client, world):
    client.force_login(world.reporter_a)
    response = client.get(reverse("chains-api:university-list"), **JSON)
    assert response.status_code == 200
    assert [u["name"] for u in rows(response)] == [
        "新乡医学院",
        "河南科技学院",
        "河南工学院",
        "新乡学院",
        "新乡职业技术学院",
    ]
    client.force_login(world.ent_user_a)
    assert client.get(reverse("chains-api:university-list"), **JSON).status_code == 403


def test_resource_create_list_filter_retrieve_update(client, world):
    gap = node("光学元件", "光学薄膜")
    client.force_login(world.office)
    body = {
        "university": university().pk,
        "kind": ResourceKind.LAB,
        "name": "光电薄膜实验室",
        "field": "光电检测",
        "keywords": "光学薄膜 智能传感",
        "nodes": [gap.pk],
    }
    created = post(client, reverse("chains-api:resource-list"), body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["keywords"] == "光学薄膜、智能传感" and data["nodes"] == [gap.pk] and data["kind_display"] == "实验室"
    assert created["ETag"] == '"1"'
    resource("作物育种平台", "小麦育种", "", kind=ResourceKind.PLATFORM, school="河南科技学院")
    url = reverse("chains-api:resource-list")
    assert [r["name"] for r in rows(client.get(url, {"kind": "lab"}, **JSON))] == ["光电薄膜实验室"]
    assert [r["name"] for r in rows(client.get(url, {"q": "育种"}, **JSON))] == ["作物育种平台"]
    assert [r["name"] for r in rows(client.get(url, {"node": gap.pk}, **JSON))] == ["光电薄膜实验室"]
    assert client.get(url, {"university": "abc"}, **JSON).status_code == 400
    detail = reverse("chains-api:resource-detail", args=[data["id"]])
    assert client.get(detail, **JSON)["ETag"] == '"1"'
    assert patch(client, detail, {"field": "精密光学"}).status_code == 428
    updated = patch(client, detail, {"field": "精密光学"}, HTTP_IF_MATCH='"1"')
    assert updated.status_code == 200 and updated.json()["field"] == "精密光学" and updated["ETag"] == '"2"'
    stale = patch(client, detail, {"field": "覆盖"}, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    assert client.delete(detail, **JSON).status_code in (403, 405)  # no DELETE: refused before the method check
    assert UniversityResource.objects.get(pk=data["id"]).field == "精密光学"


def test_resource_errors_in_chinese_and_permission(client, world):
    resource()
    client.force_login(world.office)
    body = {"university": university().pk, "kind": "team", "name": "光电薄膜与智能传感团队", "keywords": "光学"}
    response = post(client, reverse("chains-api:resource-list"), body)
    assert response.status_code == 400 and "该高校已有同类同名资源。" in str(response.json())
    response = post(client, reverse("chains-api:resource-list"), body | {"name": "新团队", "keywords": ""})
    assert response.status_code == 400 and response.json()["keywords"] == ["请填写关键词或研究方向，匹配按它们进行。"]
    client.force_login(world.reporter_a)
    assert post(client, reverse("chains-api:resource-list"), body | {"name": "单位团队"}).status_code == 403


def test_cooperation_create_and_ticket_visibility(client, world):
    res = resource()
    ticket = tech_ticket(world.reporter_a, world.enterprise_a)
    client.force_login(world.office)
    body = {
        "resource": res.pk,
        "kind": "visit",
        "happened_on": timezone.localdate().isoformat(),
        "ticket": ticket.pk,
        "summary": "走访对接",
        "amount": "10.00",
    }
    created = post(client, reverse("chains-api:cooperation-list"), body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["enterprise_name"] == "甲企业有限公司" and data["ticket"] == ticket.pk
    assert data["ticket_number"] == ticket.number and data["kind_display"] == "走访对接"
    client.force_login(world.reporter_b)
    [seen] = rows(client.get(reverse("chains-api:cooperation-list"), **JSON))
    assert seen["ticket"] is None and seen["ticket_number"] == "" and seen["enterprise_name"] == "甲企业有限公司"
    assert rows(client.get(reverse("chains-api:cooperation-list"), {"ticket": ticket.pk}, **JSON)) == []
    client.force_login(world.reporter_a)
    assert [
        c["ticket"] for c in rows(client.get(reverse("chains-api:cooperation-list"), {"ticket": ticket.pk}, **JSON))
    ] == [ticket.pk]


def test_cooperation_update_and_errors(client, world):
    res = resource()
    other = tech_ticket(world.reporter_b, world.enterprise_b)
    saved = universities.cooperation_save(
        actor=world.office,
        data={
            "resource": res,
            "kind": "visit",
            "happened_on": timezone.localdate(),
            "enterprise_name": "某企业",
            "summary": "走访",
        },
    )
    client.force_login(world.office)
    detail = reverse("chains-api:cooperation-detail", args=[saved.pk])
    response = patch(client, detail, {"outcome": "签约"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["outcome"] == "签约"
    future = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    response = patch(client, detail, {"happened_on": future}, HTTP_IF_MATCH='"2"')
    assert response.status_code == 400 and response.json()["happened_on"] == ["日期不能晚于今天。"]
    client.force_login(world.reporter_a)  # reads cooperation, does not record it; 乙's 诉求 is not his to name
    assert patch(client, detail, {"outcome": "x"}, HTTP_IF_MATCH='"2"').status_code == 403
    body = {"resource": res.pk, "kind": "visit", "happened_on": "2026-01-05", "summary": "走访", "ticket": other.pk}
    assert post(client, reverse("chains-api:cooperation-list"), body).status_code == 403
    assert Cooperation.objects.count() == 1


def test_match_endpoint_ranks_with_terms(client, world):
    res = resource()
    gap = node("光学元件", "光学薄膜, 镀膜, 智能传感器")
    ticket = tech_ticket(world.reporter_a, world.enterprise_a)
    other = tech_ticket(world.reporter_b, world.enterprise_b)
    client.force_login(world.reporter_a)
    url = reverse("chains-api:match")
    by_node = client.get(url, {"node": gap.pk}, **JSON).json()
    [first] = by_node["resources"]
    assert first["resource"]["id"] == res.pk and first["score"] == 4
    assert first["terms"] == ["光学薄膜", "智能传感"] and first["explanation"] == "匹配：光学薄膜、智能传感"
    by_ticket = client.get(url, {"ticket": ticket.pk}, **JSON).json()
    assert by_ticket["resources"][0]["terms"][0] == "光学薄膜"
    assert client.get(url, {"ticket": other.pk}, **JSON).status_code == 404
    by_resource = client.get(url, {"resource": res.pk}, **JSON).json()
    assert by_resource["nodes"][0]["node"] == gap.pk and by_resource["nodes"][0]["status"] == "gap"
    assert [t["ticket"] for t in by_resource["tickets"]] == [ticket.pk]
    assert client.get(url, **JSON).status_code == 400
    assert client.get(url, {"node": "x"}, **JSON).status_code == 400
