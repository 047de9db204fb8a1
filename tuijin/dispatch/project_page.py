"""The project page's year (month-by-month figures, the light in effect with its reasons, the linked tickets) and
the project export's facts columns (年度计划, 年初至今完成, 灯色).

Everything is read, never recomputed: the figures from the facts rows (`facts.ProjectMonth`, docs/figures.md), the
light from the lights engine's stored rows (`progress.WarningLight`, overrides applied, and the facts row's worst
colour), the tickets from `tickets.Ticket` restricted to the user. `projects` sits below these apps, so this module
plugs into it through `tuijin.projects.sections` (`register()`, called from `DispatchConfig.ready()`).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from tuijin.facts.models import ProjectMonth
from tuijin.progress.choices import LightColor, ReportStatus
from tuijin.progress.models import ProgressReport, WarningLight
from tuijin.progress.services import period_for_reporting
from tuijin.projects.sections import ExportColumn, register_export_columns, register_page_context
from tuijin.tickets.models import Ticket
from tuijin.tickets.services import OPEN

__all__ = [
    "TICKET_LIMIT",
    "LightReason",
    "MonthRow",
    "ProjectTickets",
    "ProjectYear",
    "as_of",
    "project_export_columns",
    "project_page_context",
    "project_tickets",
    "project_year",
    "register",
]

TICKET_LIMIT = 20
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
LIGHT_LABELS: dict[str, Any] = dict(LightColor.choices)
STATUS_LABELS: dict[str, Any] = dict(ReportStatus.choices)


def register() -> None:
    register_page_context(project_page_context)
    register_export_columns(project_export_columns)


def as_of(year: int, today: date | None = None) -> date:
    """The month a year's figures stand at: the month being reported now (last month) in the current year,
    December of a past year, January of a future one."""
    reporting = period_for_reporting(today)
    if year < reporting.year:
        return date(year, 12, 1)
    if year > reporting.year:
        return date(year, 1, 1)
    return reporting


def _label(labels: dict[str, Any], key: str) -> str:
    """A choice's display label in the current language ("" for none)."""
    return str(labels.get(key, ""))


def _rate(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or not whole:
        return None
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthRow:
    period: date
    month_investment: Decimal
    ytd: Decimal
    plan_to_date: Decimal | None
    light: str
    light_label: str
    expected: bool
    status: str  # the report's status, "" without a report
    status_label: str
    physical_progress: str
    report_url: str


@dataclass(frozen=True)
class LightReason:
    rule: str
    color: str
    color_label: str
    explanation: str


@dataclass
class ProjectYear:
    year: int
    as_of: date
    months: list[MonthRow] = field(default_factory=list)
    plan: Decimal | None = None  # 考核年度计划: the approved baseline when there is one (what the dashboard uses)
    plan_current: Decimal | None = None
    plan_baseline: Decimal | None = None
    ytd: Decimal = Decimal(0)
    plan_to_date: Decimal | None = None
    cumulative: Decimal = Decimal(0)
    light: str = ""
    light_period: date | None = None
    light_reasons: list[LightReason] = field(default_factory=list)

    @property
    def light_label(self) -> str:
        return _label(LIGHT_LABELS, self.light)

    @property
    def rate(self) -> Decimal | None:
        """年初至今完成 ÷ 年度计划, in %."""
        return _rate(self.ytd, self.plan)

    @property
    def schedule_rate(self) -> Decimal | None:
        """序时计划 ÷ 年度计划, in % (the schedule the light is judged against)."""
        return _rate(self.plan_to_date, self.plan)

    @property
    def plan_change(self) -> Decimal | None:
        """当前计划 − 基线 (万元): what approved plan changes moved the plan by; None without a baseline."""
        if self.plan_current is None or self.plan_baseline is None:
            return None
        return self.plan_current - self.plan_baseline

    @property
    def chart(self) -> dict[str, Any]:
        """The ECharts data (万元, 2 places) for the page's json_script."""
        return {
            "months": [_("%(m)d月") % {"m": row.period.month} for row in self.months],
            "amount": [float(row.month_investment) for row in self.months],
            "ytd": [float(row.ytd) for row in self.months],
            "plan": [None if row.plan_to_date is None else float(row.plan_to_date) for row in self.months],
            "labels": [_("当月完成"), _("年初至今完成"), _("序时计划")],
            "unit": _("万元"),
        }


def project_year(user, project, year: int, *, today: date | None = None) -> ProjectYear:
    """`project`'s year as of `as_of(year)`: three queries (facts rows, reports, lights), whatever its history.
    `project` must already be in the user's scope (the page checked it); the reports are further restricted."""
    end = as_of(year, today)
    result = ProjectYear(year=year, as_of=end)
    facts = list(ProjectMonth.objects.filter(project=project, year=year, period__lte=end).order_by("period"))
    reports = {
        report.period: report
        for report in ProgressReport.objects.restrict(user, "view")
        .filter(project=project, period__year=year, period__lte=end)
        .only("pk", "period", "status", "physical_progress")
    }
    for row in facts:
        report = reports.get(row.period)
        status = report.status if report is not None else ""
        result.months.append(
            MonthRow(
                period=row.period,
                month_investment=row.month_investment,
                ytd=row.ytd,
                plan_to_date=row.plan_to_date,
                light=row.light,
                light_label=_label(LIGHT_LABELS, row.light),
                expected=row.expected,
                status=status,
                status_label=_label(STATUS_LABELS, status),
                physical_progress=report.physical_progress if report is not None else "",
                report_url=report.get_absolute_url() if report is not None else "",
            )
        )
    if facts:
        last = facts[-1]
        result.plan, result.plan_current, result.plan_baseline = last.plan, last.plan_current, last.plan_baseline
        result.ytd, result.plan_to_date, result.cumulative = last.ytd, last.plan_to_date, last.cumulative
        lit = [row for row in facts if row.light]
        if lit:
            result.light, result.light_period = lit[-1].light, lit[-1].period
    if result.light_period is not None:
        lights = (
            WarningLight.objects.restrict(user, "view")
            .filter(project=project, period=result.light_period, rule__is_active=True)
            .order_by("rule__sort_order", "rule__code")
            .values_list("rule__name", "color", "explanation")
        )
        reasons = [LightReason(name, color, _label(LIGHT_LABELS, color), text) for name, color, text in lights]
        # the reasons are the lights of the colour in effect (all of them when the project is green)
        worst = [reason for reason in reasons if reason.color == result.light]
        result.light_reasons = worst or reasons
    return result


@dataclass
class ProjectTickets:
    rows: list[Ticket]
    count: int
    open_count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def project_tickets(user, project, *, limit: int = TICKET_LIMIT) -> ProjectTickets:
    """The project's tickets the user may see, open ones first (two queries)."""
    tickets = Ticket.objects.restrict(user, "view").filter(project=project)
    counts = tickets.aggregate(count=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN)))
    open_first = Case(When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    rows = list(tickets.select_related("lead_unit").order_by(open_first, "-raised_at", "-pk")[:limit])
    return ProjectTickets(rows, counts["count"], counts["open"])


def project_page_context(user, project, year: int) -> dict[str, Any]:
    context: dict[str, Any] = {}
    if user.has_perm("progress.view_progressreport"):
        figures = project_year(user, project, year)
        context.update(project_year=figures, project_year_chart=figures.chart)
    if user.has_perm("tickets.view_ticket"):
        context["project_tickets"] = project_tickets(user, project)
    return context


def project_export_columns(projects: Sequence[Any], year: int) -> list[ExportColumn]:
    """年度计划 (考核口径), 年初至今完成 and 灯色 as of `as_of(year)`, from the facts rows (one query per call)."""
    end = as_of(year)
    plan = ExportColumn(_("%(y)d年度计划（万元）") % {"y": year}, width=16)
    ytd = ExportColumn(_("%(y)d年初至今完成（截至%(m)d月，万元）") % {"y": year, "m": end.month}, width=20)
    light = ExportColumn(_("%(y)d年%(m)d月灯色") % {"y": year, "m": end.month}, width=12)
    if projects:
        rows = ProjectMonth.objects.filter(period=end, project_id__in=[p.pk for p in projects]).values_list(
            "project_id", "plan", "ytd", "light"
        )
        for pk, plan_amount, ytd_amount, color in rows:
            plan.values[pk] = plan_amount
            ytd.values[pk] = ytd_amount
            light.values[pk] = _label(LIGHT_LABELS, color)
    return [plan, ytd, light]
