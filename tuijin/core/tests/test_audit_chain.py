"""The HMAC seal chain over the change log and the audit log (security.md DB-AU-3, DB-IN-2): seal, verify, and
find the first broken link when a row is changed or deleted, or a seal is changed or removed, behind the triggers'
back."""

import hashlib
import hmac
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tuijin.core.audit_chain import (
    PURGE,
    audit_seal,
    audit_verify,
    canonical_row,
    chain_algorithm,
    hash_row,
    seal_mac,
    unsealed_count,
)
from tuijin.core.audit_triggers import AUDIT_TABLES, install_audit_triggers, remove_audit_triggers
from tuijin.core.checks import check_tuijin_deploy
from tuijin.core.models import AuditEvent, AuditGuard, AuditSeal, ObjectChange


@contextmanager
def triggers_off():
    """Act as the database owner would: the append-only triggers dropped, then put back."""
    remove_audit_triggers(connection)
    try:
        yield
    finally:
        install_audit_triggers(connection)


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def events(n: int, prefix: str = "e") -> list[AuditEvent]:
    return [AuditEvent.objects.create(event_type="login", user_name=f"{prefix}{i}") for i in range(n)]


def verify_fails(kind: str):
    """verify_audit's exit code and message, and the report behind them."""
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit", stdout=StringIO())
    assert raised.value.returncode == 1
    report = audit_verify(seal=False)
    assert report.broken is not None and report.broken.kind == kind, report.broken
    return report.broken, str(raised.value)


def seal_of(obj) -> AuditSeal:
    return AuditSeal.objects.get(table_name=obj._meta.db_table, row_id=obj.pk)


def test_every_row_of_both_tables_gets_one_seal_in_order(world):
    events(3)
    result = audit_seal()
    assert result.sealed == ObjectChange.objects.count() + AuditEvent.objects.count() > 3
    assert AuditSeal.objects.count() == result.sealed == result.head_seq
    assert list(AuditSeal.objects.values_list("seq", flat=True)) == list(range(1, result.sealed + 1))
    for model in (ObjectChange, AuditEvent):
        sealed = set(AuditSeal.objects.filter(table_name=model._meta.db_table).values_list("row_id", flat=True))
        assert sealed == set(model.objects.values_list("pk", flat=True))
    assert audit_seal().sealed == 0  # idempotent
    events(2)
    assert audit_seal().sealed == 2


def test_seals_follow_the_rows_time_across_tables_and_id_order_within_each(world):
    audit_seal()
    first = AuditEvent.objects.create(event_type="login", user_name="first")
    world.unit_b.short_name = "乙"
    world.unit_b.save()
    change = ObjectChange.objects.order_by("-pk").first()
    last = AuditEvent.objects.create(event_type="login", user_name="last")
    audit_seal(batch=1)  # one row per table and transaction: the merge still keeps the time order
    assert seal_of(first).seq < seal_of(change).seq < seal_of(last).seq


def test_the_chain_uses_sm3_when_this_python_has_it(world):
    try:
        hashlib.new("sm3")
        expected = "sm3"
    except ValueError:
        expected = "sha256"
    assert chain_algorithm() == expected
    event = events(1)[0]
    audit_seal()
    seal = seal_of(event)
    assert seal.algorithm == expected
    assert seal.row_hash == hashlib.new(expected, canonical_row(event).encode()).hexdigest()
    previous = AuditSeal.objects.get(seq=seal.seq - 1).mac
    message = f"v1|{expected}|{seal.seq}|{previous}|core_auditevent|{event.pk}|{seal.row_hash}"
    assert seal.mac == hmac.new(_key(), message.encode(), expected).hexdigest()


def _key() -> bytes:
    from tuijin.core.audit_chain import _key as key

    return key()


def test_canonical_row_is_every_column_as_stored(world):
    event = AuditEvent.objects.create(event_type="login", user_name="张三", detail={"b": 1, "a": "甲"})
    stored = AuditEvent.objects.get(pk=event.pk)
    text = canonical_row(stored)
    assert '"user_name":"张三"' in text and '"detail":{"a":"甲","b":1}' in text and f'"id":{event.pk}' in text
    assert '"user_id":null' in text and "+00:00" in text  # foreign keys as ids, times in UTC
    assert hash_row(stored, "sha256") == hash_row(AuditEvent.objects.get(pk=event.pk), "sha256")


def test_a_late_commit_with_a_lower_id_is_sealed_after_the_rows_already_sealed(world):
    AuditEvent.objects.create(pk=100_000, event_type="login")
    AuditEvent.objects.create(pk=100_001, event_type="login")
    audit_seal()
    late = AuditEvent.objects.create(pk=99_999, event_type="login", user_name="late")  # committed after the run
    assert audit_seal().sealed == 1
    assert seal_of(late).seq == AuditSeal.objects.order_by("-seq").first().seq
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "审计链完好" in out.getvalue()


def test_verify_seals_first_and_reports_an_intact_chain(world):
    events(2)
    out = StringIO()
    call_command("verify_audit", stdout=out)
    text = out.getvalue()
    total = ObjectChange.objects.count() + AuditEvent.objects.count()
    assert "审计链完好" in text and f"本次新加封 {total} 条" in text and "未加封 0 条" in text
    head = AuditSeal.objects.order_by("-seq").first()
    assert f"至序号 {head.seq}" in text and head.mac in text


def test_seal_audit_command(world):
    out = StringIO()
    call_command("seal_audit", stdout=out)
    assert f"已加封 {AuditSeal.objects.count()} 条" in out.getvalue()
    assert f"HMAC-{chain_algorithm().upper()}" in out.getvalue()
    events(1)
    quiet = StringIO()
    call_command("seal_audit", verbosity=0, stdout=quiet)  # cron: no output, no mail
    assert quiet.getvalue() == "" and unsealed_count() == 0


def test_a_changed_row_is_reported_at_its_seal(world):
    first, second = events(2, prefix="row")
    audit_seal()
    with triggers_off():
        raw("UPDATE core_auditevent SET user_name = %s WHERE id = %s", ["forged", second.pk])
        raw("UPDATE core_auditevent SET outcome = %s WHERE id = %s", ["failure", first.pk])
    broken, message = verify_fails("row_changed")
    assert (broken.table, broken.row_id, broken.seq) == ("core_auditevent", first.pk, seal_of(first).seq)
    assert f"记录编号 {first.pk}" in message and "记录被改动" in message and f"序号 {seal_of(first).seq}" in message


def test_a_changed_history_row_is_reported(world):
    audit_seal()
    change = ObjectChange.objects.order_by("pk").last()
    with triggers_off():
        raw("UPDATE core_objectchange SET object_repr = %s WHERE id = %s", ["forged", change.pk])
    broken, _message = verify_fails("row_changed")
    assert (broken.table, broken.row_id) == ("core_objectchange", change.pk)


def test_a_deleted_row_is_reported(world):
    target = events(3)[1]
    audit_seal()
    with transaction.atomic():  # the guard lets the row go, but only a purge also removes its seal
        guard = AuditGuard.objects.create(reason="test")
        raw("DELETE FROM core_auditevent WHERE id = %s", [target.pk])
        guard.delete()
    broken, message = verify_fails("row_missing")
    assert (broken.table, broken.row_id, broken.seq) == ("core_auditevent", target.pk, seal_of_id(target.pk))
    assert "记录已不存在" in message


def seal_of_id(pk: int) -> int:
    return AuditSeal.objects.get(table_name="core_auditevent", row_id=pk).seq


def test_an_altered_seal_is_reported(world):
    target = events(3)[1]
    audit_seal()
    seal = seal_of(target)
    with triggers_off():
        raw("UPDATE core_auditseal SET row_hash = %s WHERE seq = %s", ["0" * 64, seal.seq])
    broken, message = verify_fails("seal_altered")
    assert (broken.seq, broken.row_id) == (seal.seq, target.pk)
    assert "封签被改动" in message


def test_a_row_changed_together_with_its_seal_hash_is_still_caught(world):
    """Rewriting the row and recomputing its hash is not enough: the MAC needs the key."""
    target = events(2)[0]
    audit_seal()
    seal = seal_of(target)
    with triggers_off():
        raw("UPDATE core_auditevent SET user_name = %s WHERE id = %s", ["forged", target.pk])
        forged = hash_row(AuditEvent.objects.get(pk=target.pk), seal.algorithm)
        raw("UPDATE core_auditseal SET row_hash = %s WHERE seq = %s", [forged, seal.seq])
    broken, _message = verify_fails("seal_altered")
    assert broken.seq == seal.seq


def test_a_removed_seal_is_reported_as_a_gap(world):
    target = events(3)[1]
    audit_seal()
    seq = seal_of(target).seq
    with transaction.atomic():
        guard = AuditGuard.objects.create(reason="test")
        raw("DELETE FROM core_auditseal WHERE seq = %s", [seq])
        guard.delete()
    broken, message = verify_fails("seal_missing")
    assert broken.seq == seq and "封签缺失" in message


def test_deleting_the_start_of_the_chain_without_a_purge_is_reported(world):
    audit_seal()
    with transaction.atomic():
        guard = AuditGuard.objects.create(reason="test")
        raw("DELETE FROM core_auditseal WHERE seq <= 2")
        guard.delete()
    broken, message = verify_fails("seal_missing")
    assert broken.seq == 1 and "没有清理记录" in message


def test_a_forged_purge_record_does_not_excuse_a_deleted_start(world):
    audit_seal()
    third = AuditSeal.objects.get(seq=3)
    with transaction.atomic():
        guard = AuditGuard.objects.create(reason="test")
        raw("DELETE FROM core_auditseal WHERE seq <= 2")
        guard.delete()
    head = AuditSeal.objects.order_by("-seq").first()
    detail = {"through_seq": 2, "anchor_mac": "f" * 64}
    AuditSeal.objects.create(  # a purge seal made without the key
        seq=head.seq + 1, table_name=PURGE, row_hash="0" * 64, mac="0" * 64, algorithm=head.algorithm, detail=detail
    )
    broken, _message = verify_fails("seal_altered")
    assert broken.seq == third.seq  # the forged anchor does not chain to the first remaining seal


def test_another_key_fails_at_the_first_seal(world, settings):
    audit_seal()
    settings.TUIJIN_AUDIT_MAC_KEY = "another-key-" * 4
    broken, message = verify_fails("seal_altered")
    assert broken.seq == 1 and "TUIJIN_AUDIT_MAC_KEY" in message


def test_verify_without_sealing_leaves_new_rows_unsealed(world):
    audit_seal()
    events(2)
    out = StringIO()
    call_command("verify_audit", "--no-seal", stdout=out)
    assert "未加封 2 条" in out.getvalue()


def test_the_seal_table_is_append_only(world):
    audit_seal()
    seal = AuditSeal.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).update(mac="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditSeal.objects.filter(pk=seal.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE core_auditseal SET mac = 'x'")
    assert "core_auditseal" in AUDIT_TABLES
    seal.refresh_from_db()
    assert seal.mac != "0" * 64


def test_seal_mac_covers_every_input():
    base = {"algorithm": "sha256", "seq": 5, "prev_mac": "a" * 64, "table": "core_auditevent", "row_id": 7}
    mac = seal_mac(row_hash="b" * 64, **base)
    for key, other in (("seq", 6), ("prev_mac", "c" * 64), ("table", "core_objectchange"), ("row_id", 8)):
        assert seal_mac(row_hash="b" * 64, **{**base, key: other}) != mac
    assert seal_mac(row_hash="c" * 64, **base) != mac


def _ids():
    return {problem.id for problem in check_tuijin_deploy(None)}


def test_deploy_check_requires_an_own_mac_key_outside_debug(settings):
    settings.DEBUG = False
    settings.TUIJIN_AUDIT_MAC_KEY = ""
    assert "tuijin.E003" in _ids()
    settings.TUIJIN_AUDIT_MAC_KEY = "short"
    assert "tuijin.E003" in _ids()
    settings.SECRET_KEY = settings.TUIJIN_AUDIT_MAC_KEY = "s" * 50
    assert "tuijin.E004" in _ids() and "tuijin.E003" not in _ids()
    settings.TUIJIN_AUDIT_MAC_KEY = "k" * 50
    assert not {"tuijin.E003", "tuijin.E004"} & _ids()
    settings.DEBUG = True
    settings.TUIJIN_AUDIT_MAC_KEY = ""
    assert "tuijin.E003" not in _ids()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE guard is PostgreSQL-only")
def test_the_seal_table_cannot_be_truncated(world):
    audit_seal()
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("TRUNCATE core_auditseal")
    assert AuditSeal.objects.exists()
