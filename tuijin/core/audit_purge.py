"""The retention purge of the change log and the audit log (security.md DB-AU-5), run by the 审计管理员 only.

Rows older than `TUIJIN_AUDIT_RETENTION_DAYS` (never below 180 days) are deleted in one transaction, under the
seal chain's lock: seal what is pending, verify the whole chain (a broken chain is evidence, so nothing is
purged), insert an `AuditGuard`, delete, remove the guard, then record the purge as a seal and as an
`audit_purge` event (written after the delete, so never purged by it).

The purge removes the oldest part of the chain: the rows and seals up to the last seal before the first row that
is still inside the retention period. An old row sealed after a newer one (a late commit) stays until the next
purge. The purge seal keeps the MAC of the last deleted seal, from which `verify_audit` resumes the chain.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from .audit import audit_command_record
from .audit_chain import SEALED_TABLES, audit_seal, audit_verify, chain_head, chain_lock, seal_purge
from .choices import AuditEventType
from .exceptions import ApplicationError
from .models import AuditGuard, AuditSeal

__all__ = ["MIN_RETENTION_DAYS", "PurgeResult", "audit_purge", "purge_operator"]

MIN_RETENTION_DAYS = 180  # 网络安全法 第二十一条: network logs are kept at least six months
PERMISSION = "core.view_auditevent"  # held by the 审计管理员 and by no other role (org/roles.py)


@dataclass
class PurgeResult:
    cutoff: datetime
    through_seq: int = 0  # seals up to this seq are (or would be) deleted; 0: nothing to purge
    objectchange: int = 0
    auditevent: int = 0
    seals: int = 0
    kept_older: int = 0  # rows older than the cutoff kept because a newer row was sealed before them
    dry_run: bool = False


def purge_operator(username: str):
    """The active 审计管理员 named `username`, else ApplicationError (in Chinese)."""
    user_model = get_user_model()
    try:
        user = user_model._default_manager.get_by_natural_key(username)
    except user_model.DoesNotExist:
        user = None
    if user is None or not user.is_active:
        raise ApplicationError(f"账户不存在或已停用：{username}。清理审计记录须以在用的审计管理员账户执行。")
    if not user.has_perm(PERMISSION):
        raise ApplicationError(f"账户 {username} 不是审计管理员：只有审计管理员可以清理审计记录。", code="forbidden")
    return user


def _plan(cutoff: datetime) -> PurgeResult:
    result = PurgeResult(cutoff)
    head_seq, _mac = chain_head()
    first_kept = [
        AuditSeal.objects.filter(
            table_name=table, row_id__in=model._default_manager.filter(time__gte=cutoff).values("pk")
        ).aggregate(seq=Min("seq"))["seq"]
        for table, model in SEALED_TABLES.items()
    ]
    kept = [seq for seq in first_kept if seq is not None]
    result.through_seq = min(kept) - 1 if kept else head_seq
    prefix = AuditSeal.objects.filter(seq__lte=result.through_seq)
    result.objectchange = prefix.filter(table_name="core_objectchange").count()
    result.auditevent = prefix.filter(table_name="core_auditevent").count()
    result.seals = prefix.count()
    older = sum(model._default_manager.filter(time__lt=cutoff).count() for model in SEALED_TABLES.values())
    result.kept_older = older - result.objectchange - result.auditevent
    return result


def _delete(through_seq: int) -> None:
    """Delete the sealed rows and their seals up to `through_seq`, inside the guard (the caller's transaction)."""
    quote = connection.ops.quote_name
    guard = AuditGuard.objects.create(reason="retention purge")
    with connection.cursor() as cursor:
        for table in SEALED_TABLES:
            cursor.execute(
                f"DELETE FROM {quote(table)} WHERE id IN "  # noqa: S608 (table names are module constants)
                "(SELECT row_id FROM core_auditseal WHERE table_name = %s AND seq <= %s)",
                [table, through_seq],
            )
        cursor.execute("DELETE FROM core_auditseal WHERE seq <= %s", [through_seq])
    guard.delete()


def audit_purge(*, operator, days: int | None = None, dry_run: bool = False, now=None) -> PurgeResult:
    """Purge the rows older than `days` (default TUIJIN_AUDIT_RETENTION_DAYS) as the 审计管理员 `operator`."""
    days = settings.TUIJIN_AUDIT_RETENTION_DAYS if days is None else days
    if days < MIN_RETENTION_DAYS:
        raise ApplicationError(
            f"保留期 {days} 天少于法定的 {MIN_RETENTION_DAYS} 天（网络安全法 第二十一条），不能清理。", code="retention"
        )
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        chain_lock()
        audit_seal()
        report = audit_verify(seal=False)
        if report.broken is not None:
            raise ApplicationError(
                f"审计链校验未通过，已停止清理（{report.broken.describe()}）。请先运行 tuijin verify_audit 查明原因。",
                code="chain_broken",
            )
        result = _plan(cutoff)
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)  # the seals made above are made again by the next seal_audit
            return result
        if result.through_seq:
            head = chain_head()
            anchor = AuditSeal.objects.get(seq=result.through_seq).mac
            _delete(result.through_seq)
            detail = {
                "cutoff": cutoff.isoformat(),
                "through_seq": result.through_seq,
                "anchor_mac": anchor,
                "objectchange": result.objectchange,
                "auditevent": result.auditevent,
                "seals": result.seals,
                "operator": operator.get_username(),
            }
            seal_purge(detail, after=head)
        audit_command_record(
            event_type=AuditEventType.AUDIT_PURGE,
            command="purge_audit",
            user=operator,
            detail={
                "cutoff": cutoff.isoformat(),
                "retention_days": days,
                "objectchange": result.objectchange,
                "auditevent": result.auditevent,
                "seals": result.seals,
                "kept_older": result.kept_older,
            },
        )
        audit_seal()
    return result
