"""`tuijin purge_audit --operator <审计管理员> [--dry-run]`: delete audit rows past TUIJIN_AUDIT_RETENTION_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tuijin.core.audit_purge import audit_purge, purge_operator
from tuijin.core.exceptions import ApplicationError

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "清理超过保留期（TUIJIN_AUDIT_RETENTION_DAYS，不少于 180 天）的变更记录和安全审计事件，只能由审计管理员执行："
        "--operator 指定其账户。先校验审计链，链不完好则不清理；清理本身记入审计日志和审计链。--dry-run 只显示数量。"
        " Purge audit rows older than the retention period (the audit admin only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--operator", required=True, help="执行清理的审计管理员账户（用户名）")
        parser.add_argument("--dry-run", action="store_true", help="只显示将清理的数量，不删除")

    def handle(self, *args, operator, dry_run=False, **options):
        try:
            user = purge_operator(operator)
            result = audit_purge(operator=user, dry_run=dry_run)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2 if exc.code == "chain_broken" else 1) from exc
        cutoff = timezone.localtime(result.cutoff).strftime("%Y-%m-%d %H:%M")
        verb = "将清理" if dry_run else "已清理"
        days = settings.TUIJIN_AUDIT_RETENTION_DAYS
        self.stdout.write(
            f"{verb}早于 {cutoff}（保留 {days} 天）的变更记录 {result.objectchange} 条、"
            f"安全审计事件 {result.auditevent} 条（封签 {result.seals} 个）。"
        )
        if result.kept_older:
            self.stdout.write(f"另有 {result.kept_older} 条早于期限的记录排在较新记录之后，留待下次清理。")
        if dry_run:
            self.stdout.write("试运行：未删除任何记录。")
