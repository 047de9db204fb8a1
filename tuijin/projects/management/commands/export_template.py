"""`tuijin export_template projects --out FILE [--user USERNAME]`: write the Excel import template."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuijin.users.models import User

__all__ = ["Command"]


class Command(BaseCommand):
    help = "导出 Excel 导入模板（含填写说明和下拉选项）。Write the Excel import template."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["projects"], help="模板类型：projects（重点项目）")
        parser.add_argument("--out", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument("--user", help="按该账户的权限范围生成单位、领导下拉列表（默认：全部）")

    def handle(self, *args, kind, out, user=None, **options):
        from tuijin.projects.excel import build_template

        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"账户不存在或已停用：{user}")
        Path(out).write_bytes(build_template(actor=actor))
        self.stdout.write(f"已生成导入模板：{out}")
