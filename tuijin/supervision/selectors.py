"""Reads for 督办: the tri-colour status, scoped task lists, to-dos, the statistics by unit and by leader, and the
rows of the 督办通报. Every figure of 督办 is defined here once (docs/figures.md, "督办")."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from .choices import OPEN_STATUSES, TaskColour, TaskStatus
from .models import Meeting, Task

__all__ = [
    "UnitStats",
    "colour_of",
    "is_overdue",
    "meetings_for",
    "overdue_condition",
    "progress_due_ids",
    "report_rows",
    "stats_by_leader",
    "stats_by_unit",
    "tasks_for",
    "with_colour",
    "yellow_until",
]


def _today() -> date:
    return timezone.localdate()


def yellow_until(today: date | None = None) -> date:
    """The last deadline that is yellow today: TUIJIN_SUPERVISION_YELLOW_WORKDAYS working days ahead."""
    from tuijin.workdays.services import add_workdays

    return add_workdays(today or _today(), settings.TUIJIN_SUPERVISION_YELLOW_WORKDAYS)


def overdue_condition(today: date | None = None) -> Q:
    """Overdue (已超期, red, escalated): still 办理中 past the deadline, or awaiting review with a closure asked only
    after the deadline. A unit that asked for closure in time is not blamed for the office's review time."""
    today = today or _today()
    asked_late = Q(close_requested_on__isnull=True) | Q(close_requested_on__gt=F("deadline"))
    return Q(status=TaskStatus.IN_PROGRESS, deadline__lt=today) | (
        Q(status=TaskStatus.REVIEW, deadline__lt=today) & asked_late
    )


def is_overdue(task: Task, today: date | None = None) -> bool:
    """`overdue_condition` for one task in memory."""
    today = today or _today()
    if task.deadline >= today:
        return False
    if task.status == TaskStatus.IN_PROGRESS:
        return True
    return task.status == TaskStatus.REVIEW and (
        task.close_requested_on is None or task.close_requested_on > task.deadline
    )


def colour_condition(today: date, until: date) -> Case:
    """The colour as a SQL expression, so lists filter and count by it (the same rule as `colour_of`)."""
    return Case(
        When(status=TaskStatus.CANCELLED, then=Value(TaskColour.CANCELLED)),
        When(status=TaskStatus.DONE, finished_on__lte=F("deadline"), then=Value(TaskColour.DONE)),
        When(status=TaskStatus.DONE, then=Value(TaskColour.DONE_LATE)),
        When(overdue_condition(today), then=Value(TaskColour.RED)),
        When(deadline__lte=until, then=Value(TaskColour.YELLOW)),
        default=Value(TaskColour.GREEN),
        output_field=CharField(),
    )


def colour_of(task: Task, today: date | None = None, until: date | None = None) -> str:
    """红: overdue (`overdue_condition`); 黄: open and due within the yellow window (working days) — or awaiting review
    of a closure asked in time after the deadline passed; 绿: open otherwise.
    A finished task is 按期办结 when the unit asked for closure by the deadline, else 逾期办结."""
    today = today or _today()
    if task.status == TaskStatus.CANCELLED:
        return TaskColour.CANCELLED
    if task.status == TaskStatus.DONE:
        return TaskColour.DONE if task.finished_on and task.finished_on <= task.deadline else TaskColour.DONE_LATE
    if is_overdue(task, today):
        return TaskColour.RED
    if task.deadline <= (until or yellow_until(today)):
        return TaskColour.YELLOW
    return TaskColour.GREEN


def with_colour(queryset: QuerySet, today: date | None = None) -> QuerySet:
    today = today or _today()
    return queryset.annotate(colour=colour_condition(today, yellow_until(today)))


def tasks_for(user, action: str = "view") -> QuerySet:
    return Task.objects.restrict(user, action)


def meetings_for(user, action: str = "view") -> QuerySet:
    return Meeting.objects.restrict(user, action)


def progress_due_ids(queryset: QuerySet, today: date | None = None) -> list[int]:
    """Tasks in 办理中 whose progress report is due: more than `report_every_workdays` working days since the last
    report (or since assignment). Computed on the shared calendar, one query for the tasks."""
    from tuijin.workdays.services import workday_calendar

    today = today or _today()
    rows = list(
        queryset.filter(status=TaskStatus.IN_PROGRESS).values_list(
            "pk", "assigned_on", "last_progress_on", "report_every_workdays"
        )
    )
    if not rows:
        return []
    calendar = workday_calendar(min(r[1] if r[2] is None else r[2] for r in rows), today)
    return [pk for pk, assigned, last, every in rows if calendar.workdays_between(last or assigned, today) > every]


@dataclass
class UnitStats:
    """督办 completion of one unit (or leader): tasks assigned (not cancelled), finished, finished in time, open,
    overdue now; the completion rate = finished ÷ assigned, the on-time rate = finished in time ÷ finished."""

    key: int | None
    name: str
    assigned: int = 0
    done: int = 0
    done_on_time: int = 0
    open: int = 0
    overdue: int = 0
    extra: dict = field(default_factory=dict)

    @staticmethod
    def _rate(a: int, b: int) -> Decimal | None:
        if not b:
            return None
        return (Decimal(a) * 100 / Decimal(b)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def completion_rate(self) -> Decimal | None:
        return self._rate(self.done, self.assigned)

    @property
    def on_time_rate(self) -> Decimal | None:
        return self._rate(self.done_on_time, self.done)


def _stats(queryset: QuerySet, key: str, name: str, today: date) -> list[UnitStats]:
    rows = (
        queryset.exclude(status=TaskStatus.CANCELLED)
        .values(key, name)
        .annotate(
            assigned=Count("pk"),
            done=Count("pk", filter=Q(status=TaskStatus.DONE)),
            done_on_time=Count("pk", filter=Q(status=TaskStatus.DONE, finished_on__lte=F("deadline"))),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue_condition(today)),
        )
        .order_by("-overdue", name)
    )
    return [
        UnitStats(
            key=row[key],
            name=row[name] or "—",
            assigned=row["assigned"],
            done=row["done"],
            done_on_time=row["done_on_time"],
            open=row["open"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def stats_by_unit(queryset: QuerySet, today: date | None = None) -> list[UnitStats]:
    """Completion by responsible unit (one query)."""
    return _stats(queryset, "responsible_unit_id", "responsible_unit__name", today or _today())


def stats_by_leader(queryset: QuerySet, today: date | None = None) -> list[UnitStats]:
    """Completion by leader in charge (one query); tasks without a leader form one row “未明确分管领导”."""
    from django.utils.translation import gettext as _

    rows = _stats(queryset, "leader_id", "leader__name", today or _today())
    for row in rows:
        if row.key is None:
            row.name = _("未明确分管领导")
    return rows


def report_rows(queryset: QuerySet, start: date, end: date, today: date | None = None) -> dict[str, list[Task]]:
    """The 督办通报's lists: open tasks overdue on `today` (most overdue first), and the tasks finished between
    `start` and `end` (by finish date)."""
    today = today or _today()
    base = queryset.select_related("responsible_unit", "leader", "meeting").order_by("deadline", "pk")
    overdue = list(base.filter(overdue_condition(today)))
    finished = list(
        base.filter(status=TaskStatus.DONE, finished_on__gte=start, finished_on__lte=end).order_by("finished_on", "pk")
    )
    return {"overdue": overdue, "finished": finished}
