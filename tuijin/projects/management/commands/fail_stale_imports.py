"""`tuijin fail_stale_imports [--lease-seconds N]`: fail the import jobs whose worker died (导入中 forever)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "把执行进程已停止的项目导入任务（一直显示“校验中/导入中”）标记为失败并说明原因，用户可点击“重新执行”。"
        "同一台机器上按进程是否存在判断，其他机器上按心跳超过租期（TUIJIN_IMPORT_LEASE_SECONDS，默认600秒）判断。"
        "请由 cron 每5分钟运行，例如「*/5 * * * * tuijin fail_stale_imports」；"
        "不要交给后台任务执行（它检查的正是后台任务）。"
        " Fail import jobs whose worker is gone; run every 5 minutes from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--lease-seconds", type=int, help="心跳超过该秒数视为中断（默认：TUIJIN_IMPORT_LEASE_SECONDS）"
        )

    def handle(self, *args, lease_seconds=None, **options):
        from tuijin.projects.tasks import import_jobs_fail_stale

        lease = timedelta(seconds=lease_seconds) if lease_seconds else None
        count = import_jobs_fail_stale(lease=lease)
        if count or options["verbosity"] > 1:
            self.stdout.write(f"中断的导入任务：{count} 个已标记为失败。")
