"""Issue 12 item 10: the demo has nothing dated in the future (reports were shown submitted on 12-08 when today was
12-06) and numbers each ticket by the month it was raised (an October ticket is GD202610-…, not GD202612-…)."""

from collections import defaultdict
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.utils import timezone

from tuijin.core import demo as core_demo
from tuijin.tickets.models import Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")


APPS = ("progress", "tickets", "notifications", "dispatch", "funds")


def _models():
    return [model for label in APPS for model in apps.get_app_config(label).get_models()]


def _existing() -> dict:
    """The rows there before the demo (seeded by migrations at the real time, later than the travelled-to moment)."""
    return {model: set(model._base_manager.values_list("pk", flat=True)) for model in _models()}


def _future_rows(now, before: dict) -> list[str]:
    """Every date-time of every demo row of the reporting, ticket and notification apps later than `now`."""
    found = []
    for model in _models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField):
                rows = (
                    model._base_manager.filter(**{f"{field.name}__gt": now})
                    .exclude(pk__in=before[model])
                    .values_list("pk", field.name)[:5]
                )
                found += [f"{model.__name__}#{pk}.{field.name} = {value}" for pk, value in rows]
    return found


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 6, 9, 30, tzinfo=SHANGHAI),  # the day of the issue: reports due 2nd–8th
        # the 1st, just after midnight: nothing of the new month has happened, and a ticket "raised today" cannot be
        # raised, answered and resolved in the 20 minutes since midnight (CI once ran the demo at 00:12)
        datetime(2026, 11, 1, 0, 20, tzinfo=SHANGHAI),
    ],
    ids=["dec-06", "nov-01"],
)
def test_demo_is_never_in_the_future_and_tickets_are_numbered_by_their_month(db, moment):
    before = _existing()
    with time_machine.travel(moment, tick=True):
        core_demo.run_demo_steps(StringIO())
        now = timezone.now()
        today = timezone.localdate()
        assert _future_rows(now, before) == []

        from tuijin.progress.models import ProgressReport
        from tuijin.tickets.models import InspectionVisit

        assert not ProgressReport.objects.filter(period__gt=today).exists()
        assert not InspectionVisit.objects.filter(visited_on__gt=today).exists()
        reports = ProgressReport.objects.exclude(submitted_at=None)
        assert reports.exists()
        for report in reports.exclude(office_reviewed_at=None)[:200]:
            assert report.submitted_at <= report.office_reviewed_at <= now

        # the demo accounts have ticket work waiting on their home page (待我处理)
        from tuijin.core.attention import attention_for
        from tuijin.users.models import User

        def todo(username):
            return {item.title: item.count for item in attention_for(User.objects.get(username=username))}

        assert todo("xijie").get("新交办给本单位的工单") and todo("xijie").get("本单位牵头的超期工单")
        assert todo("xmb").get("新诉求和工单待交办") and todo("xmb").get("超期未办结的工单")
        assert todo("qiye").get("已办结待评价的诉求") and todo("qiye").get("未读消息")

    tickets = list(Ticket.objects.order_by("raised_at", "pk"))
    assert len(tickets) >= 30
    for ticket in tickets:  # each step strictly after the one before
        steps = [ticket.raised_at, ticket.responded_at, ticket.resolved_at]
        steps = [moment for moment in steps if moment is not None]
        assert steps == sorted(set(steps)), (ticket.number, steps)
        if ticket.closed_at is not None:
            assert ticket.closed_at >= steps[-1], ticket.number
    by_month: dict[str, list[int]] = defaultdict(list)
    for ticket in tickets:
        month = f"{timezone.localtime(ticket.raised_at):%Y%m}"
        assert ticket.number.startswith(f"GD{month}-"), (ticket.number, ticket.raised_at)
        by_month[month].append(int(ticket.number.rsplit("-", 1)[1]))
    assert len(by_month) >= 2  # tickets from earlier months are in the demo, so the check has teeth
    for month, numbers in by_month.items():
        assert numbers == list(range(1, len(numbers) + 1)), month  # in the order raised, none skipped
