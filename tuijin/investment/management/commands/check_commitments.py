"""`tuijin check_commitments [--today YYYY-MM-DD] [--enqueue]`: overdue government promises → 协调工单."""

from tuijin.core.commands import DailyJobCommand

__all__ = ["Command"]


class Command(DailyJobCommand):
    help = (
        "为超期未兑现的政府承诺（承诺台账）生成协调工单并交办责任单位，办结时限为承诺的计划兑现时间，"
        "之后由 escalate_tickets 按工单规则逐级升级；已兑现的承诺自动办结其工单。可重复运行。"
        "请每天在 escalate_tickets 之前运行，例如 cron「20 8 * * * tuijin check_commitments」。"
        "加 --enqueue 交给后台任务（tuijin db_worker）执行。"
        " Raise tickets for overdue government commitments; run daily before escalate_tickets."
    )

    today_help = "按该日期判断超期，格式 YYYY-MM-DD（默认：今天，北京时间）"

    def task(self):
        from tuijin.investment.tasks_ledger import check_commitments_task

        return check_commitments_task

    def run(self, day):
        from tuijin.investment.ledger import check_overdue

        result = check_overdue(day)
        skipped = result["skipped"]
        return (
            f"承诺超期检查：新生成工单 {result['raised']} 个，办结 {result['resolved']} 个"
            + (
                f"，未能生成 {len(skipped)} 个（招商项目既无重点项目也无企业账号，或无人可作为提出人）"
                if skipped
                else ""
            )
            + "。"
        )
