"""`tuijin escalate_tickets [--today YYYY-MM-DD] [--enqueue]`: escalate overdue tickets (超期升级)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "对超过办结时限的在办工单逐级升级（单位分管领导 → 单位主要领导 → 包联县级领导 → 区主要领导）并发送通知；"
        "每级每个工单只升级一次，可重复运行。请由 cron 或 systemd 定时器每小时或每天运行，例如 "
        "cron「15 * * * * tuijin escalate_tickets」（每小时）或「30 8 * * * tuijin escalate_tickets」（每天8:30），"
        "systemd timer「OnCalendar=hourly」。加 --enqueue 交给后台任务（tuijin db_worker）执行。"
        " Escalate overdue tickets; run hourly or daily from cron/systemd."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按该日期判断超期，格式 YYYY-MM-DD（默认：今天，北京时间）")
        parser.add_argument("--enqueue", action="store_true", help="放入后台任务队列，而不是立即执行")

    def handle(self, *args, today=None, enqueue=False, **options):
        from tuijin.tickets.services import escalate_overdue
        from tuijin.tickets.tasks import escalate_tickets_task

        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD（例如 2026-10-15）：{today}") from exc
        if enqueue:
            result = escalate_tickets_task.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"已加入后台任务：{result.id}")
            return
        fired = escalate_overdue(day)
        self.stdout.write(f"工单超期升级：触发 {fired} 级次。")
