"""`tuijin generate_notice --period 2026-10 --format docx|pdf|xlsx --out FILE [--user USERNAME]`.

The notice is always computed as some account sees it (the selectors are scoped; there is no unscoped path, so a
bug can never widen what a page shows). Without --user the command uses the first active project-office account
(项目办管理员, lowest id), whose dashboard scope is its whole region; with several regions, name the account.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuijin.org.choices import Role
from tuijin.users.models import User

__all__ = ["Command", "default_notice_user"]


def default_notice_user() -> User | None:
    """The first active project-office account (region-wide dashboard scope)."""
    return User.objects.filter(is_active=True, memberships__role=Role.PROJECT_OFFICE).order_by("pk").distinct().first()


class Command(BaseCommand):
    help = (
        "生成月度调度通报（docx/pdf）或附表（xlsx）。默认按第一个项目办管理员账户的范围（全区）统计。"
        " Generate the monthly notice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="报告期，格式 YYYY-MM，例如 2026-10")
        parser.add_argument("--format", dest="fmt", choices=["docx", "pdf", "xlsx"], default="docx")
        parser.add_argument("--out", required=True, help="输出文件路径")
        parser.add_argument("--user", help="按该账户的驾驶舱范围统计（默认：第一个项目办管理员）")

    def handle(self, *args, period, fmt, out, user=None, **options):
        from tuijin.dispatch.notice import build_notice, notice_render

        try:
            year, month = (int(part) for part in period.split("-"))
            if not (2000 <= year <= 2100 and 1 <= month <= 12):
                raise ValueError(period)
        except ValueError as exc:
            raise CommandError(f"报告期格式应为 YYYY-MM（例如 2026-10）：{period}") from exc
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"账户不存在或已停用：{user}")
        else:
            actor = default_notice_user()
            if actor is None:
                raise CommandError("没有可用的项目办管理员账户，请用 --user 指定统计范围所依据的账户。")
        if not actor.has_perm("projects.dashboard_project"):
            raise CommandError(f"账户 {actor.username} 没有查看驾驶舱（汇总数据）的权限。")
        from tuijin.core.audit import audit_command_record
        from tuijin.core.choices import AuditEventType

        data = build_notice(actor, year, month)
        Path(out).write_bytes(notice_render(data, fmt))
        audit_command_record(
            event_type=AuditEventType.EXPORT,
            command="generate_notice",
            user=actor,
            detail={"what": "notice", "period": f"{year}-{month:02d}", "format": fmt, "file": Path(out).name},
        )
        self.stdout.write(
            f"已生成 {year}年{month:02d}月 月度调度通报（{fmt}，{data.summary.project_count} 个项目，"
            f"统计范围：{actor.username}）：{out}"
        )
