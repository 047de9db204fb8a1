"""`tuijin supervise_tasks [--today YYYY-MM-DD] [--enqueue]`: 督办 reminders and escalation."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "督办事项临近时限提醒（每个时限提醒一次）和超期逐级升级（责任单位分管领导 → 责任单位主要领导 → 分管县级领导 → "
        "区主要领导），与工单使用同一升级机制；可重复运行。请每天由 cron 或 systemd 定时器运行，例如 "
        "「40 8 * * * tuijin supervise_tasks」。加 --enqueue 交给后台任务（tuijin db_worker）执行。"
        " Remind and escalate 督办 tasks; run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按该日期判断，格式 YYYY-MM-DD（默认：今天，北京时间）")
        parser.add_argument("--enqueue", action="store_true", help="放入后台任务队列，而不是立即执行")

    def handle(self, *args, today=None, enqueue=False, **options):
        from tuijin.supervision.services import escalate_overdue_tasks, remind_due_tasks
        from tuijin.supervision.tasks import supervise_tasks_task

        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD（例如 2026-10-15）：{today}") from exc
        if enqueue:
            result = supervise_tasks_task.enqueue(day.isoformat() if day else None)
            self.stdout.write(f"已加入后台任务：{result.id}")
            return
        reminded = remind_due_tasks(day)
        fired = escalate_overdue_tasks(day)
        self.stdout.write(f"督办事项：临近提醒 {reminded} 项，超期升级 {fired} 级次。")
