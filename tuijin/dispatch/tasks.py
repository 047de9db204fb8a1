"""Background jobs of the monthly dispatch (django-tasks): warning evaluation and report reminders.

- `evaluate_warnings_task(period_iso)` evaluates the warning lights of a month (see `warnings.evaluate_period`);
  on demand from the command `tuijin evaluate_warnings` or a page button (enqueue it), monthly from a timer.
- `send_report_reminders(period)` reminds the 单位填报员 of every unit whose projects still lack a submitted report,
  from the day the window opens on (also after it closed, while the report is missing); at most one reminder per
  user, period and day (a notification `dedup_key`), so running it several times a day sends nothing twice.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from tuijin.core.periods import month_start, ym, ymd
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.progress.services import period_for_reporting, reporting_period_get
from tuijin.users.models import User

from .warnings import evaluate_period, parse_period, reports_outstanding

__all__ = [
    "REMINDER_KIND",
    "ReminderResult",
    "evaluate_warnings_task",
    "send_report_reminders",
    "send_report_reminders_task",
]

REMINDER_KIND = "report_reminder"
NAMES_SHOWN = 10


@task()
def evaluate_warnings_task(period_iso: str) -> dict[str, Any]:
    """Evaluate the warning lights of the month `period_iso` ("2026-10" or "2026-10-01")."""
    return evaluate_period(parse_period(period_iso)).as_dict()


@dataclass
class ReminderResult:
    period: date
    window_open: bool
    projects: int = 0
    users: int = 0
    sent: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.isoformat(),
            "window_open": self.window_open,
            "projects": self.projects,
            "users": self.users,
            "sent": self.sent,
        }


def _reports_url() -> str:
    try:
        return reverse("dispatch:my_reports")
    except NoReverseMatch:
        return ""


def send_report_reminders(period: date | None = None, *, today: date | None = None) -> ReminderResult:
    """Remind the unit reporters of projects without a submitted report for `period` (default: last month)."""
    # Imported here so the progress app does not need the notifications app at import time.
    from tuijin.notifications.models import NotificationLevel
    from tuijin.notifications.services import Message, notify_many

    today = today or timezone.localdate()
    period = month_start(period) if period is not None else period_for_reporting(today)
    window = reporting_period_get(period)
    result = ReminderResult(period=period, window_open=window.opens_on <= today <= window.closes_on)
    if today < window.opens_on:
        return result
    outstanding = reports_outstanding(period, today=today)
    result.projects = len(outstanding)
    if not outstanding:
        return result
    by_unit: dict[int, list[str]] = {}
    for row in sorted(outstanding.values(), key=lambda r: r["name"]):
        by_unit.setdefault(row["unit_id"], []).append(row["name"])
    names_by_user: dict[int, list[str]] = {}
    memberships = Membership.objects.filter(
        role=Role.UNIT_REPORTER, unit_id__in=list(by_unit), user__is_active=True
    ).values_list("user_id", "unit_id")
    for user_id, unit_id in memberships:
        names_by_user.setdefault(user_id, []).extend(by_unit[unit_id])
    users = {u.pk: u for u in User.objects.filter(pk__in=list(names_by_user))}
    overdue = today > window.closes_on
    key = f"{REMINDER_KIND}:{period:%Y-%m}:{today:%Y-%m-%d}"
    url = _reports_url()
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user_id, names in names_by_user.items():
            names = sorted(set(names))
            shown = "、".join(names[:NAMES_SHOWN])
            if len(names) > NAMES_SHOWN:
                shown += _("等")
            values = {"p": ym(period), "n": len(names), "c": ymd(window.closes_on), "names": shown}
            if overdue:
                title = _("%(p)s月报已逾期未报") % values
                body = _("填报已于%(c)s截止，以下 %(n)d 个项目的%(p)s月报仍未提交：%(names)s。请尽快提交。")
                body %= values
            else:
                title = _("%(p)s月报填报提醒") % values
                body = _("以下 %(n)d 个项目的%(p)s月报尚未提交：%(names)s。填报截止日为%(c)s。") % values
            messages.append(
                Message(
                    users[user_id],
                    title,
                    body,
                    url,
                    NotificationLevel.WARNING if overdue else NotificationLevel.INFO,
                    REMINDER_KIND,
                    key,
                )
            )
    result.users = len(messages)
    result.sent = len(notify_many(messages))
    return result


@task()
def send_report_reminders_task(period_iso: str | None = None) -> dict[str, Any]:
    """The reminders as a background job (period default: last month)."""
    return send_report_reminders(parse_period(period_iso) if period_iso else None).as_dict()
