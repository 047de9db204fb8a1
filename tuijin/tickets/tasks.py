"""Background jobs of the tickets (django-tasks).

`escalate_tickets_task(today_iso=None)` escalates the open tickets past their resolution deadline
(`services.escalate_overdue`: level k fires after (k−1) × TUIJIN_TICKET_ESCALATION_STEP_DAYS working days overdue,
each level once per ticket, each with a notification). Safe to run as often as wanted: a level that already fired
never fires again. Schedule it hourly or daily, e.g. cron `15 * * * * tuijin escalate_tickets` (hourly) or
`30 8 * * * tuijin escalate_tickets` (every morning), or `tuijin escalate_tickets --enqueue` to hand it to the
worker (`tuijin db_worker`).
"""

from datetime import date
from typing import Any

from django_tasks import task

from .services import escalate_overdue

__all__ = ["escalate_tickets_task"]


@task()
def escalate_tickets_task(today_iso: str | None = None) -> dict[str, Any]:
    """Escalate overdue tickets as of `today_iso` ("YYYY-MM-DD"; default: today in Beijing time)."""
    today = date.fromisoformat(today_iso) if today_iso else None
    fired = escalate_overdue(today)
    return {"today": today_iso or "", "fired": fired}
