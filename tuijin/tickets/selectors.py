"""Ticket figures for the ticket dashboard, the leaders' escalation list and the monthly notice (主要问题).

Every function takes the `user` and reads only the tickets that user may see: `ticket_stats` and `notice_problems`
use the dashboard scope (`Ticket.objects.restrict(user, "dashboard")`, permission "tickets.dashboard_ticket");
`escalated_for` uses the dashboard scope when the user holds that permission and the ordinary "view" scope
otherwise (a 包联领导 sees the escalated tickets of the projects they sponsor, a 区领导 the whole district).
Everything is aggregated in SQL with a fixed number of queries, whatever the number of tickets.

Definitions (all dates in Beijing time):
- open = 待受理 / 已交办 / 办理中; overdue = open and the resolution deadline (`resolution_due`) is before today;
  open and overdue counts are a snapshot as of today, whatever the period asked for;
- the period's cohort = tickets raised from 1 January to the end of the month (本年1—N月提出的工单);
- first-response time = `responded_at − raised_at` in calendar hours (自然小时), averaged over the cohort's tickets
  that have been responded to (accepted or assigned);
- resolution time = working days (shared calendar, tuijin.workdays) from the day raised to the day resolved
  (办结; the same day counts 0), averaged over the cohort's resolved tickets (resolved_at set: 已办结, 已销号, and
  reopened ones keep their last resolution);
- satisfaction rate = (满意 + 基本满意) ÷ rated tickets of the cohort, in %.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from asgiref.local import Local
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tuijin.core.periods import Period

from .choices import Rating, TicketEventType, TicketStatus
from .models import CategorySLA, Ticket, TicketEscalation, TicketEvent
from .services import OPEN

__all__ = [
    "BLOCKER_COUNT",
    "ESCALATED_LIMIT",
    "TODO_CHOICES",
    "CountRow",
    "EscalatedTicket",
    "NoticeProblemRow",
    "ProblemRow",
    "SLAPreview",
    "SLARow",
    "TicketStats",
    "active_category_choices",
    "awaiting_rating",
    "categories",
    "category_filter_choices",
    "category_name",
    "category_names",
    "dashboard_tickets",
    "escalated_for",
    "notice_problems",
    "sla_preview",
    "sla_rows",
    "ticket_stats",
    "ticket_todo",
    "ticket_url",
    "todo_condition",
]

# --- the category catalogue (CategorySLA): the one place category names are read ------------------------------

_memo = Local()  # per request: {"names": {code: name} | None}, set up by request_started (see apps.py)


def start_request_memo(**_kwargs) -> None:
    """request_started: names read during this request are read once."""
    _memo.active, _memo.names = True, None


def end_request_memo(**_kwargs) -> None:
    """request_finished: outside a request every call reads the catalogue again (a task or a test sees changes)."""
    _memo.active, _memo.names = False, None


def forget_category_names(**_kwargs) -> None:
    """post_save / post_delete of CategorySLA: the rest of this request sees the new name."""
    _memo.names = None


def category_names() -> dict[str, str]:
    """{code: current name} of every category, active or not (one small query, once per request)."""
    names = getattr(_memo, "names", None)
    if names is None:
        names = dict(CategorySLA.objects.order_by().values_list("category", "name"))
        if getattr(_memo, "active", False):
            _memo.names = names
    return names


def category_name(code: str) -> str:
    """A category's current name; a code without a catalogue row shows as itself."""
    return category_names().get(code) or code


def categories(*, active_only: bool = False) -> list[CategorySLA]:
    """The catalogue in its display order (sort order, then code)."""
    rows = CategorySLA.objects.all()
    if active_only:
        rows = rows.filter(is_active=True)
    return list(rows.order_by("sort_order", "category"))


def active_category_choices() -> list[tuple[str, str]]:
    """(code, name) of the categories offered on a new ticket."""
    return [(row.category, row.name) for row in categories(active_only=True)]


def category_filter_choices() -> list[tuple[str, str]]:
    """(code, name) for filtering ticket lists: the active categories, then the deactivated ones marked as such
    (their old tickets must stay findable)."""
    rows = categories()
    stopped = _("（已停用）")
    return [(r.category, r.name) for r in rows if r.is_active] + [
        (r.category, f"{r.name}{stopped}") for r in rows if not r.is_active
    ]


BLOCKER_COUNT = 5
ESCALATED_LIMIT = 20
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def ticket_url(pk: int) -> str:
    """The ticket page, or "" while the ticket pages are not installed."""
    try:
        return reverse("tickets:ticket", args=[pk])
    except NoReverseMatch:
        return ""


# --------------------------------------------------------------------------------------------------------------
# 待我处理: the to-do sets of the home page. One definition each, used both for the count on the home page
# (tuijin.tickets.attention) and for the list it opens (TicketFilterSet's `todo`), so the two always agree.

TODO_CHOICES = [
    ("assigned", _lazy("新交办待办理（本单位牵头）")),
    ("overdue", _lazy("已超期（本单位牵头）")),
    ("rate", _lazy("已办结待评价")),
]


def _led_by_user_units(user) -> Q:
    """Tickets whose lead unit is one of the user's units or below it (the units that must act on them)."""
    from tuijin.org.scoping import user_memberships

    condition = Q(pk__in=[])
    for membership in user_memberships(user):
        condition |= Q(lead_unit__path__startswith=membership.unit.path)
    return condition


def awaiting_rating(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """已办结 / 已销号 tickets not rated since they were last resolved (a reopened ticket is rated again once it is
    resolved again): exactly those whose page offers the 评价 form (views._awaiting_rating)."""
    last_resolved = (
        TicketEvent.objects.filter(ticket=OuterRef("pk"), type=TicketEventType.RESOLVED).order_by("-pk").values("pk")
    )
    rated_since = TicketEvent.objects.filter(
        ticket=OuterRef("pk"), type=TicketEventType.RATED, pk__gt=OuterRef("last_resolved")
    )
    return (
        tickets.filter(status__in=(TicketStatus.RESOLVED, TicketStatus.CLOSED))
        .alias(last_resolved=Subquery(last_resolved[:1]))
        .filter(~Exists(rated_since))
    )


def todo_condition(todo: str, user, *, today: date | None = None) -> Q:
    """The row condition of the unit to-do sets:

    - ``assigned``: 已交办, not yet taken up (开始办理), led by one of the user's units;
    - ``overdue``: open and past the resolution deadline, led by one of the user's units.
    """
    today = today or timezone.localdate()
    if todo == "assigned":
        return _led_by_user_units(user) & Q(status=TicketStatus.ASSIGNED)
    if todo == "overdue":
        return _led_by_user_units(user) & Q(status__in=OPEN, resolution_due__lt=today)
    raise ValueError(todo)


def ticket_todo(tickets: QuerySet[Ticket], todo: str, user, *, today: date | None = None) -> QuerySet[Ticket]:
    """The tickets of one to-do set within `tickets` (already scoped to the user): ``assigned`` and ``overdue``
    (todo_condition), or ``rate`` (the enterprise's 待评价, awaiting_rating)."""
    if todo == "rate":
        return awaiting_rating(tickets)
    return tickets.filter(todo_condition(todo, user, today=today))


def dashboard_tickets(user) -> QuerySet[Ticket]:
    """The tickets of the user's dashboard scope (empty without "tickets.dashboard_ticket")."""
    return Ticket.objects.restrict(user, "dashboard")


def _rounded(value: Decimal | float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _unit_label(prefix: str):
    return Coalesce(NullIf(f"{prefix}__short_name", Value("")), f"{prefix}__name")


# --------------------------------------------------------------------------------------------------------------
# Result types


@dataclass
class CountRow:
    """Open and overdue tickets of a lead unit or a category."""

    key: Any  # unit pk (None: not yet assigned) or category code
    label: str
    open: int
    overdue: int


@dataclass
class EscalatedTicket:
    pk: int
    number: str
    title: str
    category: str  # display label
    status: str  # display label
    unit: str  # lead unit ("待交办" when none)
    subject: str  # project name, else enterprise name
    level: int
    level_label: str
    resolution_due: date
    url: str


@dataclass
class TicketStats:
    period: Period
    today: date
    raised: int  # raised in the month
    resolved: int  # resolved (办结) in the month
    open: int  # open now
    overdue: int  # open and past the resolution deadline now
    escalated: int  # open and escalated (level ≥ 1) now
    cohort: int  # raised 1 January – month end
    responded: int  # … of which responded to
    response_hours: Decimal | None  # average first response, calendar hours
    resolved_cohort: int  # … of which resolved
    resolution_workdays: Decimal | None  # average raised → resolved, working days
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int
    by_unit: list[CountRow] = field(default_factory=list)
    by_category: list[CountRow] = field(default_factory=list)
    blockers: list[CountRow] = field(default_factory=list)  # categories with the most open tickets
    escalated_list: list[EscalatedTicket] = field(default_factory=list)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """(满意 + 基本满意) ÷ rated × 100, exact; None when nothing was rated."""
        if not self.rated:
            return None
        return Decimal(self.satisfied + self.basic) * HUNDRED / Decimal(self.rated)

    @property
    def satisfaction_display(self) -> Decimal | None:
        return _rounded(self.satisfaction_rate)


@dataclass
class ProblemRow:
    """A 主要问题 row of the monthly notice: a problem raised in a report (tuijin.dispatch.selectors)."""

    project_pk: int
    project: str
    unit: str
    category: str
    description: str
    help_requested: str


@dataclass
class NoticeProblemRow(ProblemRow):
    """A 主要问题 row of the monthly notice built from a ticket; same first fields as ProblemRow
    (project_pk is 0 for an enterprise ticket without a project, and `project` then names the enterprise)."""

    ticket_pk: int = 0
    number: str = ""
    status: str = ""  # display label
    resolution_due: date | None = None
    overdue: bool = False
    new: bool = False  # raised in the notice month
    escalation_level: int = 0


# --------------------------------------------------------------------------------------------------------------
# Queries


def _open_counts(tickets: QuerySet[Ticket], today: date, key: str, *extra: Any) -> list[dict[str, Any]]:
    overdue = Q(resolution_due__lt=today)
    return list(
        tickets.filter(status__in=OPEN)
        .order_by()
        .values(key, *extra)
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue))
    )


def _by_unit(tickets: QuerySet[Ticket], today: date) -> list[CountRow]:
    rows = _open_counts(
        tickets.annotate(unit_label=_unit_label("lead_unit")),
        today,
        "lead_unit_id",
        "unit_label",
        "lead_unit__sort_order",
    )
    rows.sort(key=lambda r: (r["lead_unit_id"] is None, r["lead_unit__sort_order"] or 0, r["unit_label"] or ""))
    return [CountRow(r["lead_unit_id"], r["unit_label"] or _("待交办"), r["open"], r["overdue"]) for r in rows]


def _by_category(tickets: QuerySet[Ticket], today: date) -> list[CountRow]:
    rows = {r["category"]: r for r in _open_counts(tickets, today, "category")}
    catalogue = categories()
    names = {row.category: row.name for row in catalogue}
    ordered = [row.category for row in catalogue]
    ordered += sorted(set(rows) - set(ordered))  # a code without a catalogue row (none expected) still counts
    return [
        CountRow(code, names.get(code) or code, rows[code]["open"], rows[code]["overdue"])
        for code in ordered
        if code in rows
    ]


def _average_workdays(pairs: Iterable[dict[str, Any]]) -> tuple[int, Decimal | None]:
    """(tickets, average working days) from rows {raised, resolved, n} grouped by the two dates (one calendar)."""
    from tuijin.workdays.services import workday_calendar

    rows = [r for r in pairs if r["raised"] is not None and r["resolved"] is not None]
    if not rows:
        return 0, None
    first = min(min(r["raised"], r["resolved"]) for r in rows)
    last = max(max(r["raised"], r["resolved"]) for r in rows)
    calendar = workday_calendar(first, last)
    count = sum(r["n"] for r in rows)
    total = sum(max(calendar.workdays_between(r["raised"], r["resolved"]), 0) * r["n"] for r in rows)
    return count, Decimal(total) / Decimal(count)


def _escalated(tickets: QuerySet[Ticket], limit: int | None) -> list[EscalatedTicket]:
    labels = dict(TicketEscalation.LEVELS)
    statuses = dict(TicketStatus.choices)
    rows = (
        tickets.filter(status__in=OPEN, escalation_level__gte=1)
        .annotate(
            unit_label=_unit_label("lead_unit"),
            subject=Coalesce("project__name", "enterprise__name"),
            # the category's current name in the same query (the 驾驶舱 reads this list on every view)
            category_name=Subquery(CategorySLA.objects.filter(category=OuterRef("category")).values("name")[:1]),
        )
        .order_by("-escalation_level", "resolution_due", "pk")
        .values(
            "pk",
            "number",
            "title",
            "category",
            "category_name",
            "status",
            "unit_label",
            "subject",
            "escalation_level",
            "resolution_due",
        )
    )
    if limit is not None:
        rows = rows[:limit]
    return [
        EscalatedTicket(
            pk=r["pk"],
            number=r["number"],
            title=r["title"],
            category=r["category_name"] or r["category"],
            status=str(statuses.get(r["status"], r["status"])),
            unit=r["unit_label"] or _("待交办"),
            subject=r["subject"] or "",
            level=r["escalation_level"],
            level_label=str(labels.get(r["escalation_level"], r["escalation_level"])),
            resolution_due=r["resolution_due"],
            url=ticket_url(r["pk"]),
        )
        for r in rows
    ]


def ticket_stats(user, year: int, month: int, *, today: date | None = None) -> TicketStats:
    """The ticket dashboard for `year`-`month` in the user's dashboard scope (6 queries, 7 with resolutions)."""
    p = Period(int(year), int(month))
    today = today or timezone.localdate()
    tickets = dashboard_tickets(user)
    cohort = Q(raised_at__date__gte=p.year_start, raised_at__date__lte=p.end)
    is_open = Q(status__in=OPEN)
    response = ExpressionWrapper(F("responded_at") - F("raised_at"), output_field=DurationField())
    totals = tickets.aggregate(
        raised=Count("pk", filter=Q(raised_at__date__gte=p.start, raised_at__date__lte=p.end)),
        resolved=Count("pk", filter=Q(resolved_at__date__gte=p.start, resolved_at__date__lte=p.end)),
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(resolution_due__lt=today)),
        escalated=Count("pk", filter=is_open & Q(escalation_level__gte=1)),
        cohort=Count("pk", filter=cohort),
        responded=Count("pk", filter=cohort & Q(responded_at__isnull=False)),
        response=Avg(response, filter=cohort & Q(responded_at__isnull=False)),
        rated=Count("pk", filter=cohort & ~Q(rating="")),
        satisfied=Count("pk", filter=cohort & Q(rating=Rating.SATISFIED)),
        basic=Count("pk", filter=cohort & Q(rating=Rating.BASIC)),
        unsatisfied=Count("pk", filter=cohort & Q(rating=Rating.UNSATISFIED)),
    )
    pairs = (
        tickets.filter(cohort, resolved_at__isnull=False)
        .annotate(raised=TruncDate("raised_at"), resolved=TruncDate("resolved_at"))
        .order_by()
        .values("raised", "resolved")
        .annotate(n=Count("pk"))
    )
    resolved_cohort, workdays = _average_workdays(pairs)
    average = totals["response"]
    hours = None if average is None else Decimal(average.total_seconds()) / Decimal(3600)
    by_category = _by_category(tickets, today)
    blockers = sorted((r for r in by_category if r.open), key=lambda r: (-r.open, -r.overdue))[:BLOCKER_COUNT]
    return TicketStats(
        period=p,
        today=today,
        raised=totals["raised"],
        resolved=totals["resolved"],
        open=totals["open"],
        overdue=totals["overdue"],
        escalated=totals["escalated"],
        cohort=totals["cohort"],
        responded=totals["responded"],
        response_hours=_rounded(hours),
        resolved_cohort=resolved_cohort,
        resolution_workdays=_rounded(workdays),
        rated=totals["rated"],
        satisfied=totals["satisfied"],
        basic=totals["basic"],
        unsatisfied=totals["unsatisfied"],
        by_unit=_by_unit(tickets, today),
        by_category=by_category,
        blockers=blockers,
        escalated_list=_escalated(tickets, ESCALATED_LIMIT),
    )


def escalated_for(user, limit: int | None = ESCALATED_LIMIT) -> list[EscalatedTicket]:
    """Open escalated tickets (level ≥ 1), highest level and oldest deadline first, for a leader's dashboard:
    the dashboard scope with "tickets.dashboard_ticket", else the "view" scope (one query)."""
    action = "dashboard" if user.has_perm("tickets.dashboard_ticket") else "view"
    return _escalated(Ticket.objects.restrict(user, action), limit)


def notice_problems(user, year: int, month: int, *, today: date | None = None) -> list[NoticeProblemRow]:
    """主要问题 for the notice of `year`-`month`: tickets still open now that were raised by the month end, and the
    tickets raised in the month (whatever their state), by category, then responsible unit, then deadline.
    Responsible unit = the lead unit, else the project's responsible unit, else 待交办 (one query)."""
    p = Period(int(year), int(month))
    today = today or timezone.localdate()
    statuses = dict(TicketStatus.choices)
    catalogue = categories()
    order = {row.category: i for i, row in enumerate(catalogue)}
    names = {row.category: row.name for row in catalogue}
    new = Q(raised_at__date__gte=p.start, raised_at__date__lte=p.end)
    rows = (
        dashboard_tickets(user)
        .filter(Q(status__in=OPEN, raised_at__date__lte=p.end) | new)
        .annotate(
            unit_label=Coalesce(_unit_label("lead_unit"), _unit_label("project__responsible_unit")),
            subject=Coalesce("project__name", "enterprise__name"),
            unit_order=Coalesce("lead_unit__sort_order", "project__responsible_unit__sort_order"),
        )
        .order_by("unit_order", "unit_label", "resolution_due", "pk")
        .values(
            "pk",
            "number",
            "project_id",
            "subject",
            "unit_label",
            "category",
            "title",
            "description",
            "help_requested",
            "status",
            "resolution_due",
            "escalation_level",
            "raised_at",
        )
    )
    ordered = sorted(rows, key=lambda r: order.get(r["category"], len(order)))  # stable: unit order kept
    result = []
    for r in ordered:
        raised_on = timezone.localdate(r["raised_at"])
        result.append(
            NoticeProblemRow(
                project_pk=r["project_id"] or 0,
                project=r["subject"] or "",
                unit=r["unit_label"] or _("待交办"),
                category=names.get(r["category"]) or r["category"],
                description=r["description"] or r["title"],
                help_requested=r["help_requested"],
                ticket_pk=r["pk"],
                number=r["number"],
                status=str(statuses.get(r["status"], r["status"])),
                resolution_due=r["resolution_due"],
                overdue=r["status"] in OPEN and r["resolution_due"] < today,
                new=p.start <= raised_on <= p.end,
                escalation_level=r["escalation_level"],
            )
        )
    return result


# --- 办理时限 (category SLAs): the configuration page and its preview -------------------------------------------


@dataclass
class SLARow:
    category: str
    label: str
    sla: Any  # services.SLA
    open: int = 0
    overdue: int = 0
    is_active: bool = True
    sort_order: int = 0
    tickets: int = 0  # every ticket of the category in the user's view scope, whatever its state


def sla_rows(user, today: date | None = None) -> list[SLARow]:
    """Every category of the catalogue (active first in their order, then the deactivated ones) with its limits and
    its tickets / open / overdue tickets in the user's view scope: two queries."""
    from .services import as_sla

    today = today or timezone.localdate()
    counts = {
        row["category"]: row
        for row in Ticket.objects.restrict(user, "view")
        .order_by()
        .values("category")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN)),
            overdue=Count("pk", filter=Q(status__in=OPEN, resolution_due__lt=today)),
        )
    }
    rows = categories()
    rows.sort(key=lambda r: not r.is_active)  # stable: the order within each group is kept
    return [
        SLARow(
            category=row.category,
            label=row.name,
            sla=as_sla(row),
            open=counts.get(row.category, {}).get("open", 0),
            overdue=counts.get(row.category, {}).get("overdue", 0),
            is_active=row.is_active,
            sort_order=row.sort_order,
            tickets=counts.get(row.category, {}).get("total", 0),
        )
        for row in rows
    ]


@dataclass
class SLAPreview:
    open: int  # open tickets of the category in the user's scope
    moved: int  # whose deadlines the new limits change
    become_overdue: int  # not overdue now, overdue under the new limits
    no_longer_overdue: int  # overdue now, not under the new limits
    examples: list = field(default_factory=list)  # (ticket, old resolution due, new resolution due), up to 10


def sla_preview(user, category: str, sla, today: date | None = None) -> SLAPreview:
    """What saving `sla` (a services.SLA) would do to the open tickets of `category` in the user's view scope: the
    deadlines are recomputed the way services.category_sla_set does it. Three queries, whatever the count."""
    from .services import open_tickets_with_start, recomputed_deadlines

    today = today or timezone.localdate()
    tickets = list(
        open_tickets_with_start(Ticket.objects.restrict(user, "view").filter(category=category))
        .only("pk", "number", "title", "raised_at", "response_due", "resolution_due", "status", "category")
        .order_by("resolution_due", "pk")
    )
    deadlines = recomputed_deadlines(tickets, sla)
    preview = SLAPreview(open=len(tickets), moved=0, become_overdue=0, no_longer_overdue=0)
    for ticket in tickets:
        new_response, new_resolution = deadlines[ticket.pk]
        if (new_response, new_resolution) == (ticket.response_due, ticket.resolution_due):
            continue
        preview.moved += 1
        was, will = ticket.resolution_due < today, new_resolution < today
        preview.become_overdue += int(will and not was)
        preview.no_longer_overdue += int(was and not will)
        if len(preview.examples) < 10:
            preview.examples.append((ticket, ticket.resolution_due, new_resolution))
    return preview
