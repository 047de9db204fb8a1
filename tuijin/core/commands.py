"""The shape of a daily job's command (`escalate_tickets`, `check_commitments`, `supervise_tasks` …), once:
`--today YYYY-MM-DD` (default: today in Beijing time) and `--enqueue` (hand the job to `tuijin db_worker` instead of
running it now). A subclass names its django-tasks task and says what a run does and prints."""

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

__all__ = ["DailyJobCommand"]


class DailyJobCommand(BaseCommand):
    today_help = "按该日期判断，格式 YYYY-MM-DD（默认：今天，北京时间）"

    def add_arguments(self, parser):
        parser.add_argument("--today", help=self.today_help)
        parser.add_argument("--enqueue", action="store_true", help="放入后台任务队列，而不是立即执行")

    def task(self) -> Any:
        """The django-tasks task taking the day as "YYYY-MM-DD" (or None)."""
        raise NotImplementedError

    def run(self, day: date | None) -> str:
        """Run the job now for `day` (None = today); returns the line to print."""
        raise NotImplementedError

    def handle(self, *args, today=None, enqueue=False, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD（例如 2026-10-15）：{today}") from exc
        if enqueue:
            result = self.task().enqueue(day.isoformat() if day else None)
            self.stdout.write(f"已加入后台任务：{result.id}")
            return
        self.stdout.write(self.run(day))
