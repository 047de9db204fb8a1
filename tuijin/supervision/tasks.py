"""Background job of 督办 (django-tasks): `supervise_tasks_task(today_iso=None)` sends the 临近提醒 (once per
deadline) and escalates overdue tasks on the shared ladder (core.escalation, the same as tickets). Idempotent; run it
daily, e.g. cron `40 8 * * * tuijin supervise_tasks`, or `tuijin supervise_tasks --enqueue` for the worker."""

from datetime import date
from typing import Any

from django_tasks import task

from .services import escalate_overdue_tasks, remind_due_tasks

__all__ = ["supervise_tasks_task"]


@task()
def supervise_tasks_task(today_iso: str | None = None) -> dict[str, Any]:
    today = date.fromisoformat(today_iso) if today_iso else None
    return {"today": today_iso or "", "reminded": remind_due_tasks(today), "fired": escalate_overdue_tasks(today)}
