"""`tuijin export_oc4ids --output FILE [--user USERNAME] [--uri URI] [--check]`: the OC4IDS project package."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "导出 OC4IDS 项目包（JSON，仅含项目办勾选的公开字段）。--user 时只导出该账户范围内的项目；--check 按随附的 "
        "OC4IDS 模式校验。Export the OC4IDS project package."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="输出文件路径（.json）")
        parser.add_argument("--user", help="按该账户的权限范围导出（默认：全部有项目代码的项目）")
        parser.add_argument("--uri", help="项目包的 URI（默认：urn:<标识前缀>:package）")
        parser.add_argument("--check", action="store_true", help="写出后按 OC4IDS 模式校验，不通过时退出码为 1")

    def handle(self, *args, output, user=None, uri=None, check=False, **options):
        from tuijin.opendata import selectors, services
        from tuijin.opendata.models import PublicationSettings
        from tuijin.projects.models import Project
        from tuijin.users.models import User

        queryset = Project.objects.all()
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"账户不存在或已停用：{user}")
            if not actor.has_perm("opendata.export_publicationsettings"):
                raise CommandError(f"该账户无权导出公开数据：{user}")
            queryset = Project.objects.restrict(actor, "view")
        row = PublicationSettings.current()
        package = selectors.package(queryset, uri=uri or f"urn:{settings.TUIJIN_OC4IDS_PREFIX}:package", row=row)
        path = Path(output)
        path.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
        count = len(package["projects"])
        services.export_record(
            what="oc4ids", projects=count, public_fields=row.public, command="export_oc4ids", user=actor, file=path.name
        )
        self.stdout.write(f"已导出 {count} 个项目：{output}")
        if check:
            from tuijin.opendata.schema import SchemaMissing, package_errors

            try:
                errors = package_errors(package)
            except SchemaMissing as exc:
                raise CommandError(str(exc)) from exc
            if errors:
                for line in errors[:50]:
                    self.stderr.write(line)
                raise CommandError(f"OC4IDS 校验未通过：{len(errors)} 处错误")
            self.stdout.write("OC4IDS 校验通过。")
