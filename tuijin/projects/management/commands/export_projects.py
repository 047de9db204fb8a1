"""`tuijin export_projects --out FILE [--user USERNAME] [--year YYYY]`: export key projects to .xlsx."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuijin.users.models import User

__all__ = ["Command"]


class Command(BaseCommand):
    help = "导出重点项目为 Excel（可再导入）。--user 时只导出该账户可导出的项目。Export projects to .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument("--user", help="按该账户的权限范围导出（默认：全部项目）")
        parser.add_argument("--year", type=int, help="附加该年度的年度分类和年度计划投资列")

    def handle(self, *args, out, user=None, year=None, **options):
        from tuijin.core.audit import audit_command_record
        from tuijin.core.choices import AuditEventType
        from tuijin.projects.excel import export_projects_xlsx
        from tuijin.projects.models import Project

        queryset = Project.objects.all()
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"账户不存在或已停用：{user}")
            queryset = Project.objects.restrict(actor, "export")
        queryset = queryset.order_by("pk")
        count = queryset.count()
        Path(out).write_bytes(export_projects_xlsx(queryset, year=year))
        audit_command_record(
            event_type=AuditEventType.EXPORT,
            command="export_projects",
            user=actor,
            detail={"what": "projects", "rows": count, "year": year, "file": Path(out).name},
        )
        self.stdout.write(f"已导出 {count} 个项目：{out}")
