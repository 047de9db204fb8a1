"""History (ObjectChange) and the append-only audit tables (DB-AU-1..3)."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tuijin.core.models import AuditEvent, AuditGuard, ObjectChange
from tuijin.org.models import OrgUnit


def _change_count(obj):
    return ObjectChange.objects.filter(changed_object_id=obj.pk, object_repr=str(obj)).count()


def test_create_update_delete_are_recorded_with_before_and_after(world):
    unit = world.unit_b
    unit.short_name = "乙街"
    unit.save()
    change = ObjectChange.objects.filter(changed_object_id=unit.pk, action="update").first()
    assert change is not None
    assert ("short_name", "", "乙街") in change.diff()
    assert change.prechange_data["short_name"] == "" and change.postchange_data["short_name"] == "乙街"
    created = ObjectChange.objects.filter(changed_object_id=unit.pk, action="create", object_repr=unit.name)
    assert created.exists()


def test_a_save_without_changes_writes_nothing(world):
    before = ObjectChange.objects.count()
    world.unit_b.save()
    assert ObjectChange.objects.count() == before


def test_request_user_and_id_are_recorded(client, world):
    from tuijin.core.context import current_request

    class FakeRequest:
        id = "11111111-2222-3333-4444-555555555555"
        user = world.office

    token = current_request.set(FakeRequest())
    try:
        world.unit_b.name = "乙街道（改）"
        world.unit_b.save()
    finally:
        current_request.reset(token)
    change = ObjectChange.objects.filter(changed_object_id=world.unit_b.pk, action="update").first()
    assert change.user_name == "office" and change.request_id == FakeRequest.id


def test_history_is_shown_on_the_object_page(client, world):
    world.unit_a.short_name = "甲街"
    world.unit_a.save()
    client.force_login(world.office)
    page = client.get(world.unit_a.get_absolute_url()).content.decode()
    assert "变更历史" in page and "甲街" in page and "简称" in page


def test_audit_admin_searches_changes_region_wide(client, world):
    world.unit_b.short_name = "独特标记"
    world.unit_b.save()
    client.force_login(world.auditadmin)
    page = client.get(reverse("core:objectchange_list"), {"q": "乙街道"}).content.decode()
    assert "独特标记" in page
    empty = client.get(reverse("core:objectchange_list"), {"q": "不存在的对象"}).content.decode()
    assert "独特标记" not in empty


def test_orm_cannot_update_or_delete_audit_rows(world):
    change = ObjectChange.objects.first()
    event = AuditEvent.objects.create(event_type="login", user_name="x")
    for qs, values in (
        (ObjectChange.objects.filter(pk=change.pk), {"user_name": "forged"}),
        (AuditEvent.objects.filter(pk=event.pk), {"user_name": "forged"}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            qs.update(**values)
        with pytest.raises(DatabaseError), transaction.atomic():
            qs.delete()
    change.refresh_from_db()
    assert change.user_name != "forged"


def test_raw_sql_cannot_update_or_delete_audit_rows(world):
    for table in ("core_objectchange", "core_auditevent"):
        AuditEvent.objects.create(event_type="login")
        for sql in (f"UPDATE {table} SET user_name = 'x'", f"DELETE FROM {table}"):  # noqa: S608
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert ObjectChange.objects.exists() and AuditEvent.objects.exists()


def test_purge_guard_allows_delete_only_inside_its_transaction(world):
    AuditEvent.objects.create(event_type="login")
    with transaction.atomic():
        guard = AuditGuard.objects.create(reason="retention")
        AuditEvent.objects.all().delete()
        guard.delete()
    assert not AuditEvent.objects.exists()
    AuditEvent.objects.create(event_type="login")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def test_audit_row_content(client, world):
    client.post(
        "/accounts/login/",
        {"username": "office", "password": "bad"},
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="pytest-agent",
    )
    event = AuditEvent.objects.get(event_type="login_failed")
    assert event.ip == "10.1.2.3" and event.user_agent == "pytest-agent" and event.user_name == "office"
    assert event.outcome == "failure" and len(event.request_id) == 36 and event.time.tzinfo is not None


def test_access_denied_and_out_of_scope_are_audited(client, world):
    client.force_login(world.norole)
    client.get(reverse("org:orgunit_list"))
    client.force_login(world.reporter_a)
    client.get(reverse("org:orgunit", args=[world.unit_b.pk]))
    reasons = list(AuditEvent.objects.filter(event_type="access_denied").values_list("user_name", flat=True))
    assert reasons == ["reporter_a", "norole"]


def test_orgunit_version_and_unique_name_constraint(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        OrgUnit.objects.create(name=world.unit_a.name, unit_type="other", region=world.unit_a.region)
