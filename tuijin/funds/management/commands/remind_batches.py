"""`tuijin remind_batches [--today YYYY-MM-DD] [--enqueue]`: funding windows closing soon."""

from tuijin.core.commands import DailyJobCommand

__all__ = ["Command"]


class Command(DailyJobCommand):
    help = (
        "申报批次截止前（资金与纳统设置中的提醒天数内）提醒项目办和有符合条件项目的责任单位，每个批次和截止日只提醒一次；"
        "可重复运行。请每天由 cron 或 systemd 定时器运行，例如「10 8 * * * tuijin remind_batches」。"
        "加 --enqueue 交给后台任务（tuijin db_worker）执行。 Remind of funding windows closing soon; run daily."
    )

    def task(self):
        from tuijin.funds.tasks import remind_batches_task

        return remind_batches_task

    def run(self, day):
        from tuijin.funds.services import remind_batches

        return f"申报批次截止提醒：{remind_batches(day)} 个批次。"
