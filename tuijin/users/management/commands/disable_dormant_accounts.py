"""`tuijin disable_dormant_accounts [--today YYYY-MM-DD] [--dry-run] [--enqueue]`: disable accounts unused for
TUIJIN_DORMANT_DAYS days (users/dormant.py)."""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from tuijin.core.commands import DailyJobCommand
from tuijin.users.dormant import DormantAccount, dormant_accounts, dormant_accounts_disable, dormant_cutoff

__all__ = ["Command"]


def _line(account: DormantAccount) -> str:
    user = account.user
    used = timezone.localtime(account.last_used).strftime("%Y-%m-%d")
    line = f"  {user.username}（{user.display_name or '—'}）最后使用 {used}，已 {account.idle_days} 天未使用"
    return line + (f" —— {account.kept}" if account.kept else "")


class Command(DailyJobCommand):
    help = (
        "停用超过 TUIJIN_DORMANT_DAYS 天（默认 90 天）未使用的账户（从未登录的从创建时起算），逐个记入审计日志并通知"
        "安全管理员；三员每种角色的最后一个在用账户保留。--dry-run 只列出将停用的账户。请每天由 cron 运行，例如"
        "「50 0 * * * tuijin disable_dormant_accounts」。 Disable dormant accounts; run daily."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--dry-run", action="store_true", help="只列出将停用的账户，不停用")

    def handle(self, *args, dry_run=False, **options):
        if dry_run and options.get("enqueue"):
            raise CommandError("--dry-run 不能与 --enqueue 同时使用。")
        self.dry_run = dry_run
        super().handle(*args, **options)

    def task(self):
        from tuijin.users.tasks import disable_dormant_accounts_task

        return disable_dormant_accounts_task

    def run(self, day):
        cutoff = timezone.localtime(dormant_cutoff(day)).strftime("%Y-%m-%d")
        days = settings.TUIJIN_DORMANT_DAYS
        if self.dry_run:
            found = dormant_accounts(day)
            disabled = [a for a in found if not a.kept]
            head = f"试运行，未停用任何账户。{cutoff} 以来未使用（超过 {days} 天）的账户 {len(found)} 个，将停用 "
            return "\n".join([head + f"{len(disabled)} 个：", *(_line(a) for a in found)])
        run = dormant_accounts_disable(day)
        lines = [f"已停用 {len(run.disabled)} 个 {cutoff} 以来未使用（超过 {days} 天）的账户。"]
        lines += [_line(a) for a in run.disabled]
        lines += [_line(a) for a in run.found if a.kept]
        if run.disabled:
            told = "未发送通知（通知模块未注册）。" if run.notified is None else f"已通知安全管理员 {run.notified} 人。"
            lines.append(told)
        return "\n".join(lines)
