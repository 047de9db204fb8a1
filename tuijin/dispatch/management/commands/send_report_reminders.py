"""`tuijin send_report_reminders [--period YYYY-MM]`: remind unit reporters of reports not yet submitted."""

from django.core.management.base import BaseCommand, CommandError

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        "提醒单位填报员提交月报：对填报期已开始（或已截止但仍未报）的报告期，向责任单位的单位填报员发送站内消息"
        "（并经外发渠道发送）。同一账户、同一报告期每天最多提醒一次，可重复运行。建议由 cron 或 systemd 定时器"
        "每天运行，例如 cron「0 9 * * * tuijin send_report_reminders」。默认报告期为上个月。"
        " Remind unit reporters of missing monthly reports (at most once per user, period and day)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="报告期，格式 YYYY-MM（默认：上个月）")

    def handle(self, *args, period=None, **options):
        from tuijin.dispatch.tasks import send_report_reminders
        from tuijin.dispatch.warnings import parse_period

        try:
            month = parse_period(period) if period else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = send_report_reminders(month)
        if result.projects == 0 and not result.sent:
            self.stdout.write(f"{result.period:%Y-%m}：填报期未开始或没有未报项目，未发送提醒。")
            return
        self.stdout.write(
            f"{result.period:%Y-%m}：未报项目 {result.projects} 个，提醒账户 {result.users} 个，"
            f"本次发送 {result.sent} 条（当天已提醒过的不再重复）。"
        )
