"""`tuijin import_projects FILE.xlsx --user USERNAME [--only-valid]`: validate, then import key projects.

Every row is validated first; with any error nothing is written (unless --only-valid) and the errors are listed by
row and column. The import runs as USERNAME: their scope limits what may be matched, created and updated.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuijin.users.models import User

__all__ = ["Command"]


class Command(BaseCommand):
    help = "从 Excel 导入重点项目（先校验全部行；有错误时不写入任何数据）。Import projects from .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("file", help="导入文件（.xlsx，使用导入模板填写）")
        parser.add_argument("--user", required=True, help="以该账户身份导入（权限范围、变更记录）")
        parser.add_argument("--only-valid", action="store_true", help="仅导入无误的行，跳过有错误的行")

    def handle(self, *args, file, user, only_valid=False, **options):
        from tuijin.core.audit import audit_command_record
        from tuijin.core.choices import AuditEventType, AuditOutcome
        from tuijin.core.exceptions import ApplicationError
        from tuijin.org.scoping import user_permissions
        from tuijin.projects.excel import apply_import, parse_workbook

        actor = User.objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"账户不存在或已停用：{user}")
        if "projects.import_project" not in user_permissions(actor):
            raise CommandError(f"账户 {user} 没有导入项目的权限。")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        data = path.read_bytes()
        report = parse_workbook(data, actor=actor)

        def audited(outcome, **detail) -> None:
            import hashlib

            audit_command_record(
                event_type=AuditEventType.IMPORT,
                command="import_projects",
                user=actor,
                outcome=outcome,
                detail={
                    "file": path.name,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "rows": report.total_rows,
                    "errors": report.error_rows,
                    **detail,
                },
            )

        for error in report.errors:
            where = f"第 {error['row']} 行" if error["row"] else "文件"
            column = f"［{error['column']}］" if error["column"] else ""
            self.stderr.write(f"{where}{column}：{error['message']}")
        self.stdout.write(report.summary())
        if report.fatal or (report.errors and not only_valid):
            audited(AuditOutcome.FAILURE)
            raise CommandError(
                f"校验未通过：{len(report.errors)} 处错误，未导入任何数据。"
                + ("" if report.fatal else "修正后重新导入，或使用 --only-valid 仅导入无误的行。")
            )

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  已处理 {done}/{total}")

        try:
            created, updated = apply_import(report, actor=actor, only_valid=only_valid, progress=progress)
        except ApplicationError as exc:
            audited(AuditOutcome.FAILURE)
            raise CommandError(exc.message) from exc
        audited(AuditOutcome.SUCCESS, created=created, updated=updated)
        skipped = f"，跳过有错误的 {report.error_rows} 行" if report.errors else ""
        self.stdout.write(
            f"导入完成：新增 {created} 个，更新 {updated} 个，与现有数据一致 {report.unchanged} 个{skipped}。"
        )
