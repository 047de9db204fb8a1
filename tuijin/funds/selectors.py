"""Reads of 争取上级资金: the funding windows by state (open / upcoming / closed), the 资金统计 figures and the
application list's hidden filters (the KPI drill-down and the 待我处理 items).

Each figure is defined once here (`FIGURES`: a condition on applications and the amount it sums) and used both for
the number on the 资金统计 page and for the list it links to, so the two always agree. Everything takes a queryset
already restricted to the user.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ApplicationStatus, Channel
from .models import ApplicationEvent, FundApplication, FundingBatch, FundPayment, FundsSettings

__all__ = [
    "FIGURES",
    "TODOS",
    "BatchRow",
    "Figure",
    "KpiRow",
    "add_months",
    "batch_calendar",
    "figure_applications",
    "idle_condition",
    "kpi_table",
    "open_batches",
    "pay_rate",
    "todo_applications",
    "with_paid",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
MONEY: DecimalField = DecimalField(max_digits=16, decimal_places=2)


def _today() -> date:
    return timezone.localdate()


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` calendar months (the 31st becomes the month's last day)."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- funding windows --------------------------------------------------------------------------------------------


@dataclass
class BatchRow:
    batch: FundingBatch
    days_left: int | None = None  # open batches: calendar days to the deadline (0 = closes today)
    days_to_open: int | None = None  # upcoming batches
    urgent: bool = False  # open and closing within FundsSettings.remind_days


def batch_calendar(queryset: QuerySet, today: date | None = None, remind_days: int | None = None) -> dict[str, list]:
    """The batches of `queryset` split into open now (deadline first), upcoming (opening first) and closed (latest
    deadline first), one query."""
    today = today or _today()
    if remind_days is None:
        remind_days = FundsSettings.current().remind_days
    groups: dict[str, list[BatchRow]] = {"open": [], "upcoming": [], "closed": []}
    for batch in queryset.select_related("organiser").order_by("deadline", "pk"):
        if batch.opens_on > today:
            groups["upcoming"].append(BatchRow(batch, days_to_open=(batch.opens_on - today).days))
        elif batch.deadline >= today:
            left = (batch.deadline - today).days
            groups["open"].append(BatchRow(batch, days_left=left, urgent=left <= remind_days))
        else:
            groups["closed"].append(BatchRow(batch))
    groups["upcoming"].sort(key=lambda row: (row.batch.opens_on, row.batch.pk))
    groups["closed"].reverse()
    return groups


def open_batches(queryset: QuerySet, today: date | None = None) -> QuerySet:
    today = today or _today()
    return queryset.filter(is_active=True, opens_on__lte=today, deadline__gte=today)


# -- the figures -------------------------------------------------------------------------------------------------


def with_paid(queryset: QuerySet) -> QuerySet:
    """`paid`: the application's payments in total (万元, 0 when none), as a subquery so that it never multiplies
    other aggregates."""
    paid = (
        FundPayment.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    return queryset.annotate(paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY))


@dataclass(frozen=True)
class Figure:
    label: Any
    condition: Q
    amount_label: Any
    amount: str  # what it sums: requested_amount, approved_amount, or paid (see with_paid)


# 申报: submitted beyond the unit (编制 and 撤回 are not counted); 下达: approved; 支付: approved with any payment
SUBMITTED = [s for s in ApplicationStatus if s not in (ApplicationStatus.DRAFTING, ApplicationStatus.WITHDRAWN)]
FIGURES: dict[str, Figure] = {
    "applied": Figure(_("申报"), Q(status__in=SUBMITTED), _("申请金额"), "requested_amount"),
    "approved": Figure(_("下达"), Q(status=ApplicationStatus.APPROVED), _("下达金额"), "approved_amount"),
    # needs the `paid` annotation (with_paid), which figure_applications and kpi_table add
    "paid": Figure(_("支付"), Q(status=ApplicationStatus.APPROVED, paid__gt=0), _("支付金额"), "paid"),
}


def figure_applications(queryset: QuerySet, key: str, year: int | None) -> QuerySet:
    """The applications figure `key` counts in `year` (the batch's deadline year) — the KPI drill-down."""
    figure = FIGURES[key]
    if "paid" not in queryset.query.annotations:
        queryset = with_paid(queryset)
    rows = queryset.filter(figure.condition)
    if year:
        rows = rows.filter(batch__deadline__year=year)
    return rows


def pay_rate(paid: Decimal | None, approved: Decimal | None) -> Decimal | None:
    """支付进度 in %: paid ÷ granted (None when nothing was granted)."""
    if not approved:
        return None
    return ((paid or ZERO) * HUNDRED / approved).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class KpiRow:
    key: Any  # channel value or unit pk ("" for the total)
    label: Any
    counts: dict[str, int] = field(default_factory=dict)
    amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, int, Decimal]]:
        """(figure key, count, 万元) in the order of FIGURES."""
        return [(k, self.counts[k], self.amounts[k]) for k in FIGURES]

    @property
    def rate(self) -> Decimal | None:
        return pay_rate(self.amounts.get("paid"), self.amounts.get("approved"))


def _aggregates() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, figure in FIGURES.items():
        out[f"{key}_n"] = Count("pk", filter=figure.condition)
        out[f"{key}_amount"] = Coalesce(Sum(figure.amount, filter=figure.condition), Value(ZERO), output_field=MONEY)
    return out


def _row(key, label, values: dict) -> KpiRow:
    return KpiRow(
        key,
        label,
        {k: values[f"{k}_n"] for k in FIGURES},
        {k: values[f"{k}_amount"] or ZERO for k in FIGURES},
    )


def kpi_table(queryset: QuerySet, year: int) -> dict[str, Any]:
    """申报 / 下达 / 支付 (counts and 万元) per channel and per responsible unit in `year`, and the total
    (3 queries)."""
    rows = with_paid(queryset.filter(batch__deadline__year=year)).order_by()
    aggregates = _aggregates()
    total = _row("", _("合计"), rows.aggregate(**aggregates))
    labels = dict(Channel.choices)
    by_channel = {r["batch__channel"]: r for r in rows.values("batch__channel").annotate(**aggregates)}
    channels = [_row(c, labels[c], by_channel[c]) for c in Channel if c in by_channel]
    units = [
        _row(r["project__responsible_unit"], r["project__responsible_unit__name"], r)
        for r in rows.values("project__responsible_unit", "project__responsible_unit__name")
        .annotate(**aggregates)
        .order_by("project__responsible_unit__name", "project__responsible_unit")
    ]
    return {"year": year, "total": total, "channels": channels, "units": units, "figures": FIGURES}


# -- 待我处理 -----------------------------------------------------------------------------------------------------


def idle_condition(today: date | None = None, months: int | None = None) -> Q:
    """Money idle (the slow-use rule): granted money arrived at least `months` (FundsSettings.idle_months) ago and
    nothing paid out of it since."""
    today = today or _today()
    if months is None:
        months = FundsSettings.current().idle_months
    return Q(
        status=ApplicationStatus.APPROVED, arrived_on__isnull=False, arrived_on__lte=add_months(today, -months)
    ) & ~Q(Exists(FundPayment.objects.filter(application=OuterRef("pk"))))


TODOS = {
    "returned": _("被退回的资金申报"),
    "closing": _("批次即将截止的待提交申报"),
    "review": _("待区级审核的资金申报"),
    "idle": _("到位后未支付的下达资金"),
}


def todo_applications(user, queryset: QuerySet, key: str, today: date | None = None) -> QuerySet:
    """The applications a 待我处理 item counts (attention.py links to the list filtered with this very function).
    `queryset` is already restricted to the user's view scope; the unit items also need the change scope, the
    office items the review permission."""
    today = today or _today()
    if key in ("returned", "closing"):
        if not user.has_perm("funds.change_fundapplication"):
            return queryset.none()
        rows = queryset.filter(
            status=ApplicationStatus.DRAFTING, pk__in=FundApplication.objects.restrict(user, "change").values("pk")
        )
        if key == "returned":
            return rows.filter(
                Exists(
                    ApplicationEvent.objects.filter(
                        application=OuterRef("pk"),
                        from_status=ApplicationStatus.DISTRICT_REVIEW,
                        to_status=ApplicationStatus.DRAFTING,
                    )
                )
            )
        remind = FundsSettings.current().remind_days
        return rows.filter(batch__deadline__gte=today, batch__deadline__lte=today + timedelta(days=remind))
    if key == "review":
        if not user.has_perm("funds.review_fundapplication"):
            return queryset.none()
        return queryset.filter(status=ApplicationStatus.DISTRICT_REVIEW)
    if key == "idle":
        if not user.has_perm("funds.record_fundapplication"):
            return queryset.none()
        return queryset.filter(idle_condition(today))
    return queryset
