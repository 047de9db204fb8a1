"""`tuijin refresh_chains [--today YYYY-MM-DD] [--enqueue]`: recompute every chain node's gap status (daily)."""

from tuijin.core.commands import DailyJobCommand

__all__ = ["Command"]


class Command(DailyJobCommand):
    help = (
        "按当前判定规则重新计算每个产业链环节的缺链状态（空白/薄弱/优势），状态有变化的写入变更记录并通知链长和牵头部门；"
        "可重复运行。日常的变化在保存时已即时计算，本命令是每日校核，请每天由 cron 或 systemd 定时器运行，例如 "
        "「50 2 * * * tuijin refresh_chains」。加 --enqueue 交给后台任务（tuijin db_worker）执行。"
        " Recompute every chain node's gap status; run daily."
    )

    def task(self):
        from tuijin.chains.maintain import refresh_chains_task

        return refresh_chains_task

    def run(self, day):
        from tuijin.chains.maintain import refresh

        changed = refresh(None, trigger="每日校核")
        return f"产业链环节：缺链状态变化 {changed} 个。"
