"""Background job of the promise ledger (django-tasks).

`check_commitments_task(today_iso=None)` runs `ledger.check_overdue`: every signed government promise still
outstanding past its due date gets a 协调工单 (source 招商承诺超期, category 政策兑现, assigned to the responsible unit,
its resolution deadline the promise's due date), so that the tickets' own escalation (`escalate_tickets`) escalates
it; kept promises have their open ticket resolved. Idempotent. Schedule it daily before the ticket escalation, e.g.
cron `20 8 * * * tuijin check_commitments` then `30 8 * * * tuijin escalate_tickets`, or `tuijin check_commitments
--enqueue` to hand it to the worker (`tuijin db_worker`).
"""

from datetime import date
from typing import Any

from django_tasks import task

from .ledger import check_overdue

__all__ = ["check_commitments_task"]


@task()
def check_commitments_task(today_iso: str | None = None) -> dict[str, Any]:
    """Raise tickets for overdue government promises as of `today_iso` ("YYYY-MM-DD"; default: today, Beijing)."""
    today = date.fromisoformat(today_iso) if today_iso else None
    return check_overdue(today)
