"""`tuijin escalate_tickets [--today YYYY-MM-DD] [--enqueue]`: escalate overdue tickets (超期升级)."""

from tuijin.core.commands import DailyJobCommand

__all__ = ["Command"]


class Command(DailyJobCommand):
    help = (
        "对超过办结时限的在办工单逐级升级（单位分管领导 → 单位主要领导 → 包联县级领导 → 区主要领导）并发送通知；"
        "每级每个工单只升级一次，可重复运行。请由 cron 或 systemd 定时器每小时或每天运行，例如 "
        "cron「15 * * * * tuijin escalate_tickets」（每小时）或「30 8 * * * tuijin escalate_tickets」（每天8:30），"
        "systemd timer「OnCalendar=hourly」。加 --enqueue 交给后台任务（tuijin db_worker）执行。"
        " Escalate overdue tickets; run hourly or daily from cron/systemd."
    )

    today_help = "按该日期判断超期，格式 YYYY-MM-DD（默认：今天，北京时间）"

    def task(self):
        from tuijin.tickets.tasks import escalate_tickets_task

        return escalate_tickets_task

    def run(self, day):
        from tuijin.tickets.services import escalate_overdue

        return f"工单超期升级：触发 {escalate_overdue(day)} 级次。"
