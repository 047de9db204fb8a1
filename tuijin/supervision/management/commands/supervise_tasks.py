"""`tuijin supervise_tasks [--today YYYY-MM-DD] [--enqueue]`: 督办 reminders and escalation."""

from tuijin.core.commands import DailyJobCommand

__all__ = ["Command"]


class Command(DailyJobCommand):
    help = (
        "督办事项临近时限提醒（每个时限提醒一次）和超期逐级升级（责任单位分管领导 → 责任单位主要领导 → 分管县级领导 → "
        "区主要领导），与工单使用同一升级机制；可重复运行。请每天由 cron 或 systemd 定时器运行，例如 "
        "「40 8 * * * tuijin supervise_tasks」。加 --enqueue 交给后台任务（tuijin db_worker）执行。"
        " Remind and escalate 督办 tasks; run daily."
    )

    def task(self):
        from tuijin.supervision.tasks import supervise_tasks_task

        return supervise_tasks_task

    def run(self, day):
        from tuijin.supervision.services import escalate_overdue_tasks, remind_due_tasks

        reminded = remind_due_tasks(day)
        fired = escalate_overdue_tasks(day)
        return f"督办事项：临近提醒 {reminded} 项，超期升级 {fired} 级次。"
