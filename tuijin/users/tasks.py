"""Background job of the accounts app (django-tasks): `disable_dormant_accounts_task(today_iso=None)` disables the
accounts unused for TUIJIN_DORMANT_DAYS (users/dormant.py). Idempotent; run daily, e.g. cron
`50 0 * * * tuijin disable_dormant_accounts`."""

from datetime import date
from typing import Any

from django_tasks import task

from .dormant import dormant_accounts_disable

__all__ = ["disable_dormant_accounts_task"]


@task()
def disable_dormant_accounts_task(today_iso: str | None = None) -> dict[str, Any]:
    run = dormant_accounts_disable(date.fromisoformat(today_iso) if today_iso else None)
    return {
        "today": today_iso or "",
        "disabled": [account.user.username for account in run.disabled],
        "kept": [account.user.username for account in run.found if account.kept],
        "notified": run.notified,
    }
