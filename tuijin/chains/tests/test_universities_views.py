"""Pages of 政产学研: the register and its filters, a resource's page with the explained matches (the issue's "done
when": a matching example explained on screen), the forms (Chinese errors, input kept, 409 on a stale version), the
cooperation form prefilled from a 诉求, the match page, the node page's panel, the home-page to-do, and query budgets
for the register and the match page."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tuijin.chains import attention_universities, matching, universities
from tuijin.chains.choices import ResourceKind
from tuijin.chains.models import Cooperation, UniversityResource
from tuijin.notifications.models import Notification
from tuijin.tickets.choices import TicketStatus
from tuijin.tickets.tests.factories import advance
from tuijin.utilities.testing.queries import count_queries

from .test_matching import node, resource, tech_ticket, university

pytestmark = pytest.mark.django_db


def plain(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def example(world):
    """The worked example: a resource, a gap node it fits and an open 技术 诉求 of 甲街道's enterprise."""
    res = resource()
    gap = node("光学元件", "光学薄膜, 镀膜, 智能传感器")
    ticket = tech_ticket(world.reporter_a, world.enterprise_a)
    return res, gap, ticket


# -- the register ---------------------------------------------------------------------------------------------------


def test_register_filters_by_university_kind_and_keyword(client, world):
    resource()
    resource("作物育种平台", "小麦育种、种子", "作物遗传", kind=ResourceKind.PLATFORM, school="河南科技学院")
    client.force_login(world.reporter_a)
    url = reverse("chains:resource_list")
    page = plain(client.get(url))
    assert "光电薄膜与智能传感团队" in page and "作物育种平台" in page
    assert "tj-resource-add" not in page  # a unit reads the register but does not keep it
    by_school = plain(client.get(url, {"university": university("河南科技学院").pk}))
    assert "作物育种平台" in by_school and "光电薄膜与智能传感团队" not in by_school
    by_kind = plain(client.get(url, {"kind": ResourceKind.TEAM}))
    assert "光电薄膜与智能传感团队" in by_kind and "作物育种平台" not in by_kind
    by_word = plain(client.get(url, {"q": "育种"}))
    assert "作物育种平台" in by_word and "光电薄膜与智能传感团队" not in by_word
    client.force_login(world.office)
    assert "tj-resource-add" in plain(client.get(url))


def test_register_query_budget_does_not_grow(client, world):
    gap = node("光学元件", "光学薄膜")
    client.force_login(world.office)
    url = reverse("chains:resource_list")
    resource("团队0").nodes.add(gap)
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for i in range(1, 30):
        resource(f"团队{i}", school=["河南工学院", "新乡学院", "新乡医学院"][i % 3]).nodes.add(gap)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count <= 16


# -- the resource page: matches explained on screen ------------------------------------------------------------------


def test_resource_page_explains_its_node_and_ticket_matches(client, world, example):
    res, gap, ticket = example
    client.force_login(world.reporter_a)
    page = plain(client.get(res.get_absolute_url()))
    assert "匹配：光学薄膜、智能传感" in page  # the node
    assert "匹配：光学薄膜" in page and ticket.number in page  # the 诉求 of 甲街道
    assert "空白" in page


def test_resource_page_hides_another_units_ticket(client, world, example):
    res, _gap, _ticket = example
    other = tech_ticket(world.reporter_b, world.enterprise_b, title="乙街道光学薄膜诉求")
    client.force_login(world.reporter_a)
    assert other.number not in plain(client.get(res.get_absolute_url()))
    client.force_login(world.reporter_b)
    assert other.number in plain(client.get(res.get_absolute_url()))


def test_match_page_by_node_and_by_ticket(client, world, example):
    res, gap, ticket = example
    client.force_login(world.office)
    page = plain(client.get(reverse("chains:match"), {"node": gap.pk}))
    assert (
        res.name in page and "匹配：光学薄膜、智能传感" in page and 'class="badge text-bg-success tj-score">4<' in page
    )
    page = plain(client.get(reverse("chains:match"), {"ticket": ticket.pk}))
    assert res.name in page and "匹配：光学薄膜" in page
    assert f"?resource={res.pk}&amp;ticket={ticket.pk}" in page  # 登记对接
    page = plain(client.get(reverse("chains:match"), {"resource": res.pk}))
    assert gap.name in page and ticket.number in page
    page = plain(client.get(reverse("chains:match")))
    assert ticket.number in page and "共 1 条" in page


def test_match_page_query_budget(client, world, example, django_assert_max_num_queries):
    _res, gap, _ticket = example
    for i in range(20):
        resource(f"团队{i}", f"光学薄膜{i}、智能传感", "光电检测")
        tech_ticket(world.reporter_a, world.enterprise_a, title=f"光学薄膜诉求{i}")
    client.force_login(world.office)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("chains:match"), {"node": gap.pk}).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("chains:match")).status_code == 200


def test_node_panel_shows_the_top_matches_and_links_to_the_match_page(world, example):
    res, gap, _ticket = example
    html = render_to_string(
        "chains/universities/_node_panel.html", {"node": gap, "node_matches": matching.resources_for_node(gap)}
    )
    assert res.name in html and "匹配：光学薄膜、智能传感" in html
    assert f"{reverse('chains:match')}?node={gap.pk}" in html


def test_home_page_to_do_for_those_who_record_cooperation(client, world, example):
    assert attention_universities.universities_attention  # registered on import (ChainsConfig.ready imports it)
    res, _gap, ticket = example
    client.force_login(world.office)
    page = plain(client.get(reverse("core:home")))
    assert "技术/人才诉求有可对接的高校资源" in page and reverse("chains:match") in page
    universities.cooperation_save(
        actor=world.office,
        data={
            "resource": res,
            "kind": "visit",
            "happened_on": timezone.localdate(),
            "ticket": ticket,
            "summary": "走访",
        },
    )
    assert "技术/人才诉求有可对接的高校资源" not in plain(client.get(reverse("core:home")))
    client.force_login(world.reporter_a)  # reads, does not record cooperation
    assert "技术/人才诉求有可对接的高校资源" not in plain(client.get(reverse("core:home")))


# -- forms ----------------------------------------------------------------------------------------------------------


def test_resource_form_keeps_the_input_and_explains_in_chinese(client, world):
    resource()
    client.force_login(world.office)
    data = {
        "university": university().pk,
        "kind": ResourceKind.TEAM,
        "name": "光电薄膜与智能传感团队",  # taken
        "field": "精密光学",
        "keywords": "红外镜头",
        "is_active": "on",
    }
    response = client.post(reverse("chains:resource_add"), data)
    assert response.status_code == 400
    page = plain(response)
    assert "该高校已有同类同名资源。" in page and "您填写的内容已保留" in page
    assert 'value="红外镜头"' in page and 'value="精密光学"' in page
    response = client.post(reverse("chains:resource_add"), data | {"name": "", "kind": "bogus"})
    page = plain(response)
    assert response.status_code == 400 and "请填写名称。" in page and "所选类别无效，请重新选择。" in page
    response = client.post(reverse("chains:resource_add"), data | {"name": "红外光学团队"})
    saved = UniversityResource.objects.get(name="红外光学团队")
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()


def test_resource_edit_on_a_stale_version_is_a_conflict(client, world):
    res = resource()
    universities.resource_save(actor=world.office, data={"field": "他人修改"}, resource=res, version=res.version)
    client.force_login(world.office)
    data = {
        "university": res.university_id,
        "kind": res.kind,
        "name": res.name,
        "field": "我的修改",
        "keywords": res.keywords,
        "is_active": "on",
        "version": 1,
    }
    response = client.post(reverse("chains:resource_edit", args=[res.pk]), data)
    assert response.status_code == 409 and "我的修改" in plain(response)
    assert UniversityResource.objects.get(pk=res.pk).field == "他人修改"


def test_cooperation_form_prefilled_from_a_ticket_and_saved(client, world, example):
    res, gap, ticket = example
    advance(ticket, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
    client.force_login(world.office)
    url = reverse("chains:cooperation_add")
    page = plain(client.get(url, {"resource": res.pk, "ticket": ticket.pk}))
    assert f'<option value="{ticket.pk}" selected>' in page and 'value="甲企业有限公司"' in page
    data = {
        "resource": res.pk,
        "kind": "agreement",
        "happened_on": "2026-13-01",
        "enterprise": world.enterprise_a.pk,
        "enterprise_name": "甲企业有限公司",
        "node": gap.pk,
        "ticket": ticket.pk,
        "summary": "签订光学薄膜联合研发协议",
        "amount": "abc",
    }
    response = client.post(url, data)
    page = plain(response)
    assert response.status_code == 400
    assert "请输入正确的日期，如 2026-03-15。" in page and "请输入数字（单位：万元），如 50 或 12.5。" in page
    assert "签订光学薄膜联合研发协议" in page
    response = client.post(url, data | {"happened_on": timezone.localdate().isoformat(), "amount": "30"})
    saved = Cooperation.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#coop-{saved.pk}")
    assert saved.ticket == ticket and saved.node == gap and saved.amount == 30
    assert Notification.objects.filter(kind="chains_cooperation", user=world.reporter_a).exists()
    page = plain(client.get(res.get_absolute_url()))
    assert f'id="coop-{saved.pk}"' in page and "签订协议" in page


def test_cooperation_list_names_a_ticket_only_to_those_who_see_it(client, world, example):
    res, _gap, ticket = example
    universities.cooperation_save(
        actor=world.office,
        data={
            "resource": res,
            "kind": "visit",
            "happened_on": timezone.localdate(),
            "ticket": ticket,
            "summary": "走访",
        },
    )
    client.force_login(world.reporter_b)
    page = plain(client.get(reverse("chains:cooperation_list")))
    assert "甲企业有限公司" in page and ticket.number not in page and "（其他单位的诉求）" in page
    client.force_login(world.reporter_a)
    assert ticket.number in plain(client.get(reverse("chains:cooperation_list")))
