"""The retention purge (security.md DB-AU-5): only the 审计管理员, only rows past TUIJIN_AUDIT_RETENTION_DAYS, one
transaction through the AuditGuard, recorded as a seal and as an `audit_purge` event; the chain still verifies."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from tuijin.core.audit_chain import PURGE, audit_seal, audit_verify
from tuijin.core.audit_purge import audit_purge
from tuijin.core.exceptions import ApplicationError
from tuijin.core.models import AuditEvent, AuditGuard, AuditSeal, ObjectChange

DAY = timedelta(days=1)


def old_rows(days: int, n: int = 2, prefix: str = "old") -> list[AuditEvent]:
    at = timezone.now() - days * DAY
    return [AuditEvent.objects.create(event_type="login", user_name=f"{prefix}{i}", time=at) for i in range(n)]


def backdate_history(days: int) -> int:
    """The world's history rows, made `days` old (history is written with the current time)."""
    from django.db import transaction

    from tuijin.core.audit_triggers import install_audit_triggers, remove_audit_triggers

    with transaction.atomic():
        remove_audit_triggers(connection)
        try:
            updated = ObjectChange.objects.update(time=timezone.now() - days * DAY)
        finally:
            install_audit_triggers(connection)
    return updated


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_audit", *args, stdout=out)
    return out.getvalue()


def refused(*args) -> CommandError:
    with pytest.raises(CommandError) as raised:
        purge(*args)
    assert raised.value.returncode != 0
    return raised.value


@pytest.fixture
def aged(world, settings):
    """Retention 365 days: history and two events 400 days old, two events 10 days old."""
    settings.TUIJIN_AUDIT_RETENTION_DAYS = 365
    history = backdate_history(400)
    old = old_rows(400)
    new = old_rows(10, prefix="new")
    return {"history": history, "old": old, "new": new}


def test_the_audit_admin_purges_rows_past_the_retention_period(aged, world):
    text = purge("--operator", "auditadmin")
    assert "已清理早于" in text and f"变更记录 {aged['history']} 条" in text and "安全审计事件 2 条" in text
    assert not ObjectChange.objects.filter(time__lt=timezone.now() - 365 * DAY).exists()
    remaining = set(AuditEvent.objects.values_list("user_name", flat=True))
    assert {"new0", "new1"} <= remaining and not {"old0", "old1"} & remaining
    assert not AuditGuard.objects.exists()
    event = AuditEvent.objects.get(event_type="audit_purge")
    assert event.user == world.auditadmin and event.user_name == "auditadmin"
    assert event.detail["auditevent"] == 2 and event.detail["objectchange"] == aged["history"]
    assert event.detail["retention_days"] == 365 and event.detail["command"] == "purge_audit"
    assert event.detail["cutoff"].startswith(str((timezone.now() - 365 * DAY).year))


def test_the_purge_removes_the_seals_of_purged_rows_and_records_itself_in_the_chain(aged, world):
    purge("--operator", "auditadmin")
    for model in (ObjectChange, AuditEvent):  # every seal names an existing row, and every row is sealed
        table = model._meta.db_table
        sealed = set(AuditSeal.objects.filter(table_name=table).values_list("row_id", flat=True))
        assert sealed == set(model.objects.values_list("pk", flat=True))
    record = AuditSeal.objects.get(table_name=PURGE)
    assert record.detail["operator"] == "auditadmin" and record.detail["auditevent"] == 2
    assert AuditSeal.objects.order_by("seq").first().seq == record.detail["through_seq"] + 1
    event = AuditEvent.objects.get(event_type="audit_purge")
    assert AuditSeal.objects.get(table_name="core_auditevent", row_id=event.pk).seq > record.seq  # sealed at once
    report = audit_verify()
    assert report.broken is None and report.purges == 1 and report.first_seq > 1
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "审计链完好" in out.getvalue() and "自合法清理后的序号" in out.getvalue()


def test_tampering_after_a_purge_is_still_found(aged, world):
    from tuijin.core.audit_triggers import install_audit_triggers, remove_audit_triggers

    purge("--operator", "auditadmin")
    target = AuditEvent.objects.get(user_name="new1")
    remove_audit_triggers(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET user_name = 'forged' WHERE id = %s", [target.pk])
    finally:
        install_audit_triggers(connection)
    broken = audit_verify().broken
    assert broken is not None and (broken.kind, broken.row_id) == ("row_changed", target.pk)


def test_a_second_purge_continues_the_chain(aged, world):
    audit_purge(operator=world.auditadmin)
    old_rows(10, prefix="later")
    audit_purge(operator=world.auditadmin, now=timezone.now() + 360 * DAY)  # the 10-day-old rows are now 370 old
    assert not AuditEvent.objects.filter(user_name__startswith="new").exists()
    assert AuditSeal.objects.filter(table_name=PURGE).count() >= 1
    assert audit_verify().broken is None


def test_dry_run_counts_and_deletes_nothing(aged):
    before = (ObjectChange.objects.count(), AuditEvent.objects.count())
    text = purge("--operator", "auditadmin", "--dry-run")
    assert "将清理" in text and "安全审计事件 2 条" in text and "试运行" in text
    assert (ObjectChange.objects.count(), AuditEvent.objects.count()) == before
    assert not AuditSeal.objects.exists()  # not even the seals it made to count
    assert not AuditEvent.objects.filter(event_type="audit_purge").exists()


def test_rows_inside_the_retention_period_are_kept(world, settings):
    settings.TUIJIN_AUDIT_RETENTION_DAYS = 200
    old_rows(201, n=1, prefix="out")
    old_rows(199, n=1, prefix="in")
    purge("--operator", "auditadmin")
    names = set(AuditEvent.objects.values_list("user_name", flat=True))
    assert "in0" in names and "out0" not in names


def test_an_old_row_sealed_after_a_newer_one_waits_for_the_next_purge(world, settings):
    settings.TUIJIN_AUDIT_RETENTION_DAYS = 365
    backdate_history(400)
    old_rows(10, n=1, prefix="new")
    audit_seal()
    old_rows(400, n=1, prefix="late")  # committed late: sealed after the newer row
    result = audit_purge(operator=world.auditadmin)
    assert result.kept_older == 1
    assert AuditEvent.objects.filter(user_name="late0").exists()
    assert audit_verify().broken is None


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "office", "norole"])
def test_only_the_audit_admin_may_purge(aged, world, name):
    error = refused("--operator", name)
    assert "只有审计管理员可以清理审计记录" in str(error)
    assert AuditEvent.objects.filter(user_name="old0").exists()


def test_an_unknown_or_disabled_operator_is_refused(aged, world):
    assert "账户不存在或已停用" in str(refused("--operator", "nobody"))
    world.auditadmin.is_active = False
    world.auditadmin.save(update_fields=["is_active"])
    assert "账户不存在或已停用" in str(refused("--operator", "auditadmin"))
    assert AuditEvent.objects.filter(user_name="old0").exists()
    assert not AuditEvent.objects.filter(event_type="audit_purge").exists()


def test_the_operator_is_required(db):
    with pytest.raises(CommandError):
        call_command("purge_audit", stdout=StringIO())


def test_a_broken_chain_is_not_purged(aged, world):
    from tuijin.core.audit_triggers import install_audit_triggers, remove_audit_triggers

    audit_seal()
    target = aged["old"][0]
    remove_audit_triggers(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET user_name = 'forged' WHERE id = %s", [target.pk])
    finally:
        install_audit_triggers(connection)
    error = refused("--operator", "auditadmin")
    assert error.returncode == 2 and "审计链校验未通过" in str(error) and f"记录编号 {target.pk}" in str(error)
    assert AuditEvent.objects.filter(pk=target.pk).exists()


def test_a_retention_below_180_days_is_refused(world):
    with pytest.raises(ApplicationError, match="180"):
        audit_purge(operator=world.auditadmin, days=179)
    assert not AuditEvent.objects.filter(event_type="audit_purge").exists()
