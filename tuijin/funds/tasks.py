"""Background job of 争取上级资金 (django-tasks): `remind_batches_task(today_iso=None)` tells the 项目办 and the units
with eligible projects, once per batch and deadline, that a funding window closes within FundsSettings.remind_days.
Idempotent; run daily, e.g. cron `10 8 * * * tuijin remind_batches`."""

from datetime import date
from typing import Any

from django_tasks import task

from .services import remind_batches

__all__ = ["remind_batches_task"]


@task()
def remind_batches_task(today_iso: str | None = None) -> dict[str, Any]:
    today = date.fromisoformat(today_iso) if today_iso else None
    return {"today": today_iso or "", "reminded": remind_batches(today)}
