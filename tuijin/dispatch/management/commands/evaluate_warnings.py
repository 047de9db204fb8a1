"""`tuijin evaluate_warnings [--period YYYY-MM] [--enqueue]`: evaluate the warning lights (预警亮灯) of a month."""

from django.core.management.base import BaseCommand, CommandError

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "评估某月的预警亮灯（开工、投资进度、填报、停滞、纳统），默认上个月；可重复运行，结果相同。"
        "按月自动评估：由 cron 或 systemd 定时器在每月6日（填报期截止后）运行，例如 "
        "cron「30 1 6 * * tuijin evaluate_warnings」，或 systemd timer「OnCalendar=*-*-06 01:30:00」。"
        "按需评估：随时运行本命令，或加 --enqueue 交给后台任务（tuijin db_worker）执行。"
        " Evaluate the warning lights of a month (default: last month). Monthly: run from cron/systemd on the 6th."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="报告期，格式 YYYY-MM（默认：上个月）")
        parser.add_argument("--enqueue", action="store_true", help="放入后台任务队列，而不是立即执行")

    def handle(self, *args, period=None, enqueue=False, **options):
        from tuijin.dispatch.tasks import evaluate_warnings_task
        from tuijin.dispatch.warnings import evaluate_period, parse_period
        from tuijin.progress.services import period_for_reporting

        try:
            month = parse_period(period) if period else period_for_reporting()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if enqueue:
            result = evaluate_warnings_task.enqueue(month.isoformat())
            self.stdout.write(f"已加入后台任务：{result.id}（{month:%Y-%m}）")
            return
        self.stdout.write(evaluate_period(month).summary())
