"""Writes of 政产学研 (universities.py): resources and cooperation records land in the history (the 服务环节 as the
history message), the optimistic lock refuses a stale version, permissions and validation answer in Chinese, and a
cooperation that names a 诉求 tells the units handling it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tuijin.chains import universities
from tuijin.chains.choices import CooperationKind, ResourceKind
from tuijin.chains.models import Cooperation, UniversityResource
from tuijin.core.exceptions import ConflictError
from tuijin.core.models import ObjectChange
from tuijin.notifications.models import Notification
from tuijin.tickets.choices import TicketStatus
from tuijin.tickets.tests.factories import advance

from .test_matching import node, resource, tech_ticket, university

pytestmark = pytest.mark.django_db


def resource_data(**overrides) -> dict:
    data = {
        "university": university(),
        "kind": ResourceKind.LAB,
        "name": "河南省光电薄膜重点实验室",
        "field": "光电检测",
        "keywords": "光学薄膜，智能传感  激光加工、光学薄膜",
        "description": "",
        "contact_name": "王老师",
        "contact_phone": "0373-1234567",
        "is_active": True,
    }
    return data | overrides


def changes(obj) -> list[ObjectChange]:
    content_type = ContentType.objects.get_for_model(obj)
    return list(ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id=obj.pk).order_by("pk"))


def coop_data(res, **overrides) -> dict:
    data = {
        "resource": res,
        "kind": CooperationKind.VISIT,
        "happened_on": timezone.localdate(),
        "enterprise_name": "",
        "enterprise": None,
        "node": None,
        "ticket": None,
        "summary": "走访企业，了解镀膜工艺需求",
        "outcome": "",
        "amount": None,
    }
    return data | overrides


# -- resources ------------------------------------------------------------------------------------------------------


def test_resource_create_and_edit_are_in_the_history(world):
    gap = node("光学元件", "光学薄膜")
    created = universities.resource_save(actor=world.office, data=resource_data(nodes=[gap]))
    assert created.keywords == "光学薄膜、智能传感、激光加工"  # one spelling each, joined with 、
    assert list(created.nodes.all()) == [gap]
    [first] = changes(created)
    assert first.action == "create" and first.message == "服务环节：光电信息/光学元件"
    edited = universities.resource_save(
        actor=world.office,
        data={"field": "精密光学", "nodes": []},
        resource=UniversityResource.objects.get(pk=created.pk),
        version=created.version,
    )
    assert edited.version == created.version + 1 and edited.field == "精密光学"
    assert list(edited.nodes.all()) == []
    last = changes(created)[-1]
    assert last.action == "update" and last.message == "服务环节：无"
    assert last.prechange_data["field"] == "光电检测" and last.postchange_data["field"] == "精密光学"


def test_a_stale_version_is_a_conflict_and_saves_nothing(world):
    created = universities.resource_save(actor=world.office, data=resource_data())
    universities.resource_save(
        actor=world.office, data={"field": "第一次修改"}, resource=created, version=created.version
    )
    stale = UniversityResource.objects.get(pk=created.pk)
    with pytest.raises(ConflictError) as caught:
        universities.resource_save(actor=world.office, data={"field": "第二次修改"}, resource=stale, version=1)
    assert "已被他人修改" in caught.value.message
    assert UniversityResource.objects.get(pk=created.pk).field == "第一次修改"


def test_resource_validation_in_chinese(world):
    universities.resource_save(actor=world.office, data=resource_data())
    with pytest.raises(ValidationError) as caught:
        universities.resource_save(actor=world.office, data=resource_data())
    assert "该高校已有同类同名资源。" in caught.value.messages
    with pytest.raises(ValidationError) as caught:
        universities.resource_save(actor=world.office, data=resource_data(name="无关键词", keywords="", field=""))
    assert caught.value.message_dict["keywords"] == ["请填写关键词或研究方向，匹配按它们进行。"]


def test_only_the_office_and_the_bureau_keep_the_register(world):
    from tuijin.org.choices import Role
    from tuijin.utilities.testing.world import make_user

    bureau = make_user("bureau", role=Role.INVESTMENT_BUREAU, unit=world.office_unit)
    assert universities.resource_save(actor=bureau, data=resource_data()).pk
    for user in (world.reporter_a, world.leader, world.ent_user_a):
        with pytest.raises(PermissionDenied):
            universities.resource_save(actor=user, data=resource_data(name=f"{user.username}的资源"))


# -- cooperation records --------------------------------------------------------------------------------------------


def test_cooperation_takes_the_enterprise_of_the_ticket_and_tells_its_handlers(world):
    res = resource()
    gap = node("光学元件", "光学薄膜")
    ticket = tech_ticket(world.reporter_a, world.enterprise_a)
    ticket = advance(ticket, TicketStatus.ASSIGNED, office=world.office, lead_unit=world.unit_a)
    saved = universities.cooperation_save(
        actor=world.office, data=coop_data(res, node=gap, ticket=ticket, amount=Decimal("12.50"))
    )
    assert saved.enterprise == world.enterprise_a and saved.enterprise_name == "甲企业有限公司"
    assert changes(saved)[0].action == "create"
    told = Notification.objects.filter(kind="chains_cooperation")
    assert set(told.values_list("user__username", flat=True)) == {"reporter_a", "approver_a"}
    note = told.first()
    assert ticket.number in note.title and "走访对接" in note.title
    assert note.url == f"{res.get_absolute_url()}#coop-{saved.pk}"
    # correcting the record without changing its 诉求 tells nobody again
    universities.cooperation_save(
        actor=world.office, data={"outcome": "达成合作意向"}, cooperation=saved, version=saved.version
    )
    assert told.count() == 2


def test_cooperation_without_a_ticket_names_the_enterprise(world):
    res = resource()
    with pytest.raises(ValidationError) as caught:
        universities.cooperation_save(actor=world.office, data=coop_data(res))
    assert caught.value.message_dict["enterprise_name"] == ["请填写企业名称，或选择企业账号。"]
    saved = universities.cooperation_save(actor=world.office, data=coop_data(res, enterprise=world.enterprise_b))
    assert saved.enterprise_name == "乙企业有限公司"
    assert Notification.objects.filter(kind="chains_cooperation").count() == 0


def test_cooperation_field_errors(world):
    from tuijin.org.choices import Role
    from tuijin.utilities.testing.world import make_user

    res = resource()
    stopped = resource("已停用团队", active=False)
    other_unit = tech_ticket(world.reporter_b, world.enterprise_b)
    staff = make_user("bureau_b", role=Role.INVESTMENT_BUREAU, unit=world.office_unit)
    tomorrow = timezone.localdate() + timedelta(days=1)
    cases = [
        (
            world.office,
            coop_data(stopped, enterprise_name="某企业"),
            "resource",
            "该高校资源已停用，不能登记新的合作。",
        ),
        (
            world.office,
            coop_data(res, enterprise=world.unit_a),
            "enterprise",
            "请选择企业账号（不能选择政府部门或其他单位）。",
        ),
        (
            world.office,
            coop_data(res, enterprise_name="某企业", happened_on=tomorrow),
            "happened_on",
            "日期不能晚于今天。",
        ),
        # the 招商主管部门 records cooperation but does not read 诉求: it cannot name one
        (
            staff,
            coop_data(res, enterprise_name="某企业", ticket=other_unit),
            "ticket",
            "该诉求不存在或不在您的管理范围内。",
        ),
    ]
    for actor, data, key, message in cases:
        with pytest.raises(ValidationError) as caught:
            universities.cooperation_save(actor=actor, data=data)
        assert caught.value.message_dict[key] == [message]
    assert not Cooperation.objects.exists()


def test_cooperation_permission_and_lock(world):
    res = resource()
    with pytest.raises(PermissionDenied):
        universities.cooperation_save(actor=world.reporter_a, data=coop_data(res, enterprise_name="某企业"))
    saved = universities.cooperation_save(actor=world.office, data=coop_data(res, enterprise_name="某企业"))
    universities.cooperation_save(actor=world.office, data={"outcome": "签约"}, cooperation=saved, version=1)
    with pytest.raises(ConflictError):
        universities.cooperation_save(
            actor=world.office, data={"outcome": "覆盖"}, cooperation=Cooperation.objects.get(pk=saved.pk), version=1
        )
    assert Cooperation.objects.get(pk=saved.pk).outcome == "签约"
