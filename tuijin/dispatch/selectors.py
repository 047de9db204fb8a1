"""Dashboard and notice figures (驾驶舱 / 月度调度通报), with a fixed number of queries (grouped in SQL, combined in
Python with exact Decimal sums).

Every function takes the `user` and reads only `Project.objects.restrict(user, "dashboard")` — the projects of
the annual list (an `AnnualPlan` for the year) within the user's dashboard scope — and the reports, plans and
lights of those projects. Money is Decimal 万元; rates are exact Decimal percentages, rounded (half-up, 2 places)
only for display (`display`, the `pct`/`wan`/`yi` filters).

Definitions (domain.md §3.2–§3.4):
- annual plan = the plan's `ranking_investment`: the approved baseline, else the current plan (in SQL:
  Coalesce(baseline_investment, planned_investment));
- completed investment = the sum of `month_investment` of COUNTED reports (submitted / unit- / office-approved);
- 时序进度 = month / 12; ± is in percentage points;
- started (开工) = `actual_start` on or before the period end, or (no actual start yet) a counted report up to the
  period with `is_started`;
- 计划新开工 = yearly category 新开工 / 新开工当年竣工 except projects whose planned start lies in a later year
  (those are 计划外开工, counted separately); 开工率 = started ÷ planned; 提前开工 = planned later than the period
  end but already started; 未按计划开工 = planned start (date, else the end of the planned quarter) passed but
  not started; `rate_with_unplanned` adds the unplanned starts to the numerator and may exceed 100%;
- 开复工率 = (started new-start projects, planned or not + 续建 projects that reported investment > 0 since
  January) ÷ all projects of the annual list;
- 竣工率 = finished (actual_finish ≤ period end) ÷ planned to finish this year (yearly category *当年竣工 except
  those planned to finish in a later year, which count as 提前竣工);
- 开门红: the Q1 planned starts (AnnualPlan.planned_start_quarter = 1 or planned_start in Q1) have started by
  31 March, and the Q1 investment ≥ 25% of the annual plan; 双过半: investment by the end of June ≥ 50%.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tuijin.core.figures_cache import CachedFigures, cached_figures
from tuijin.core.periods import Period
from tuijin.facts.figures import FIGURES, figure_query, period_facts
from tuijin.facts.models import ProjectMonth
from tuijin.facts.rules import COMPLETING_CATEGORIES, CONTINUING_CATEGORIES, NEW_CATEGORIES
from tuijin.org.scoping import scope_fingerprint
from tuijin.progress.choices import COUNTED_STATUSES as COUNTED
from tuijin.progress.choices import LightColor
from tuijin.progress.models import LightOverride, ReportProblem, WarningLight
from tuijin.projects.choices import ProjectDomain, YearlyCategory
from tuijin.projects.models import Project
from tuijin.tickets.selectors import ProblemRow

__all__ = [
    "COMPLETING_CATEGORIES",
    "CONTINUING_CATEGORIES",
    "DASHBOARD_SOURCES",
    "NEW_CATEGORIES",
    "CompletionFigures",
    "DashboardSummary",
    "Group",
    "LightProject",
    "MissingReports",
    "MissingUnit",
    "Period",
    "ProblemRow",
    "ProjectRate",
    "ProjectRow",
    "RankedUnit",
    "StartFigures",
    "StartLists",
    "TargetResult",
    "TargetSet",
    "TargetStatus",
    "Targets",
    "TrendPoint",
    "annual_list",
    "cached_dashboard_summary",
    "dashboard_summary",
    "display",
    "missing_reports",
    "rate",
    "report_problems",
    "signed_pp",
    "start_lists",
    "targets",
]

MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal("0")
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
CATEGORY_ORDER = [
    YearlyCategory.NEW,
    YearlyCategory.NEW_COMPLETED,
    YearlyCategory.CONTINUING,
    YearlyCategory.CONTINUING_COMPLETED,
    YearlyCategory.PREPARATION,
]
TOP_N = 10


# --------------------------------------------------------------------------------------------------------------
# Small helpers


def rate(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal | None:
    """part ÷ whole × 100, exact (Decimal context precision); None when the whole is zero or missing."""
    if not whole:
        return None
    return Decimal(part or 0) * HUNDRED / Decimal(whole)


def display(value: Decimal | None) -> Decimal | None:
    """Rounded for display: half-up to 2 places."""
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def signed_pp(value: Decimal | None) -> str:
    """A percentage-point difference for display: "+1.25" / "-1.73" / "0.00"; "—" when unknown."""
    shown = display(value)
    if shown is None:
        return "—"
    return f"+{shown}" if shown > 0 else f"{shown}"


def _query(p: Period, key: str = "listed", **params: Any) -> str:
    """The query string of the project list (/projects/?…) that shows the projects behind a figure of the period:
    the facts' figure `key` (the annual list by default) plus further list filters."""
    if "yearly_category" not in params:
        params.pop("year", None)
    return figure_query(key, p, **params)


def _period(year: int, month: int) -> Period:
    return Period(int(year), int(month))


def annual_list(user, year: int):
    """The year's annual list (projects with an AnnualPlan for `year`) within the user's dashboard scope."""
    return Project.objects.restrict(user, "dashboard").filter(annual_plans__year=year)


def _unit_label(prefix: str = ""):
    return Coalesce(NullIf(f"{prefix}responsible_unit__short_name", Value("")), f"{prefix}responsible_unit__name")


def _money(value: Any) -> Decimal:
    return Decimal(value) if value is not None else ZERO


# --------------------------------------------------------------------------------------------------------------
# Facts: one grouped query per period that every summary, breakdown and target rolls up from


_FACT_KEYS = (
    "responsible_unit_id",
    "unit_label",
    "responsible_unit__sort_order",
    "yearly_category",
    "domain",
    "chain_id",
    "chain__name",
    "chain__sort_order",
)  # the grouping of `_data`'s rows (from the facts row's project)
_COUNT_FIELDS = (
    "count",
    "planned_new",
    "started_planned",
    "started_new",
    "early",
    "unplanned",
    "late",
    "planned_complete",
    "completed",
    "early_completed",
    "resumed",
    "q1_planned",
    "q1_started",
)
_MONEY_FIELDS = ("total_investment", "plan", "ytd", "q1", "h1")
_SUMMED_FIELDS = _COUNT_FIELDS + _MONEY_FIELDS


@dataclass
class _Acc:
    """Summed figures of a set of fact rows."""

    count: int = 0
    planned_new: int = 0
    started_planned: int = 0
    started_new: int = 0
    early: int = 0
    unplanned: int = 0
    late: int = 0
    planned_complete: int = 0
    completed: int = 0
    early_completed: int = 0
    resumed: int = 0
    q1_planned: int = 0
    q1_started: int = 0
    total_investment: Decimal = ZERO
    plan: Decimal = ZERO
    ytd: Decimal = ZERO
    q1: Decimal = ZERO
    h1: Decimal = ZERO

    def add(self, row: dict[str, Any]) -> None:
        # Fact rows from `_data` hold every field, as ints and Decimals (never None).
        values = self.__dict__
        for name in _SUMMED_FIELDS:
            values[name] += row[name]


# The counts of a group of facts rows, each the named figure's condition (tuijin.facts.figures): the same condition
# the drill-down list filters by.
_COUNTED_FIGURES = {
    "planned_new": "planned_new",
    "started_planned": "started",
    "started_new": "started_new",
    "early": "early",
    "unplanned": "unplanned",
    "late": "late",
    "planned_complete": "completing",
    "completed": "finished",
    "early_completed": "early_completed",
    "q1_planned": "q1_planned",
    "q1_started": "q1_started",
}


def _period_rows(user, p: Period):
    """The period's facts rows of the annual list within the user's dashboard scope."""
    return period_facts(annual_list(user, p.year), p.start).filter(in_list=True)


def _sums() -> dict[str, Any]:
    """Aggregates of a group of facts rows: every count and sum of `_Acc`, the counts by the named figures."""
    sums = {
        "count": Count("pk"),
        "total_investment": Sum("project__total_investment"),
        "plan": Sum("plan", output_field=MONEY),
        "ytd": Sum("ytd", output_field=MONEY),
        "q1": Sum("q1", output_field=MONEY),
        "h1": Sum("h1", output_field=MONEY),
        # 开复工 = the new-start projects started (started_new) + the 续建 projects with investment this year
        "resumed": Count("pk", filter=Q(resumed=True)),
        **{name: Count("pk", filter=FIGURES[key].condition) for name, key in _COUNTED_FIGURES.items()},
    }
    # Aliased: several names are also facts fields (plan, ytd, early, late …), which the filters must still reach.
    return {f"agg_{name}": aggregate for name, aggregate in sums.items()}


def _facts(user, p: Period) -> list[dict[str, Any]]:
    """The annual list grouped by (unit, yearly category, domain, chain) with every count and sum, grouped in SQL
    over the period's maintained facts (tuijin.facts: one row per project, every figure defined there)."""
    rows = (
        _period_rows(user, p)
        .annotate(unit_label=_unit_label("project__"))
        .order_by()
        .values(
            "project__responsible_unit_id",
            "unit_label",
            "project__responsible_unit__sort_order",
            "category",
            "project__domain",
            "project__chain_id",
            "project__chain__name",
            "project__chain__sort_order",
        )
        .annotate(**_sums())
    )
    facts: list[dict[str, Any]] = []
    for row in rows:
        fact = {
            "responsible_unit_id": row["project__responsible_unit_id"],
            "unit_label": row["unit_label"],
            "responsible_unit__sort_order": row["project__responsible_unit__sort_order"],
            "yearly_category": row["category"] or None,
            "domain": row["project__domain"],
            "chain_id": row["project__chain_id"],
            "chain__name": row["project__chain__name"],
            "chain__sort_order": row["project__chain__sort_order"],
        }
        for name in _SUMMED_FIELDS:
            value = row[f"agg_{name}"]
            fact[name] = value if name in _COUNT_FIELDS else _money(value)
        # 开复工 in `_Acc.resumed` counts the 续建 part only; the started new starts are `started_new`.
        facts.append(fact)
    return facts


def _rollup(facts: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> dict[Any, _Acc]:
    groups: dict[Any, _Acc] = {}
    for row in facts:
        group_key = key(row)
        acc = groups.get(group_key)
        if acc is None:
            acc = groups[group_key] = _Acc()
        acc.add(row)
    return groups


def _total(facts: Iterable[dict[str, Any]]) -> _Acc:
    acc = _Acc()
    for row in facts:
        acc.add(row)
    return acc


# --------------------------------------------------------------------------------------------------------------
# Result types


class _AgainstSchedule:
    """完成率 (ytd ÷ annual plan) and its distance from 序时进度, for anything with `ytd`, `plan` and `schedule`."""

    ytd: Decimal
    plan: Decimal

    @property
    def rate(self) -> Decimal | None:
        return rate(self.ytd, self.plan)

    @property
    def delta(self) -> Decimal | None:
        value = self.rate
        return None if value is None else value - self.schedule  # type: ignore[attr-defined]  # subclasses

    @property
    def delta_display(self) -> str:
        return signed_pp(self.delta)


@dataclass
class Group(_AgainstSchedule):
    """One row of a breakdown: count, total investment, annual plan and completed investment of a set of projects."""

    key: Any
    label: str
    count: int
    total_investment: Decimal
    plan: Decimal
    ytd: Decimal
    query: str  # the project list filter showing these projects ("" when the list cannot filter them)
    schedule: Decimal = ZERO


@dataclass
class RankedUnit(Group):
    rank: int = 0


@dataclass
class StartFigures:
    """开工: planned new starts, how many started, early / unplanned / late starts."""

    planned: int
    started: int
    early: int
    unplanned: int
    late: int
    started_new: int  # all started new-start projects, planned or not (开复工 numerator part)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.started, self.planned)

    @property
    def rate_with_unplanned(self) -> Decimal | None:
        return rate(self.started + self.unplanned, self.planned)


@dataclass
class CompletionFigures:
    planned: int
    completed: int
    early: int

    @property
    def rate(self) -> Decimal | None:
        return rate(self.completed, self.planned)


@dataclass
class TrendPoint:
    month: int
    amount: Decimal | None  # completed in the month (None after the period)
    cumulative: Decimal | None
    plan_line: Decimal  # the annual plan × month / 12 (时序进度)


@dataclass
class ProjectRate:
    pk: int
    name: str
    unit: str
    plan: Decimal
    ytd: Decimal

    @property
    def rate(self) -> Decimal | None:
        return rate(self.ytd, self.plan)


@dataclass
class LightItem:
    rule: str
    color: str
    explanation: str


@dataclass
class LightProject:
    pk: int
    name: str
    unit: str
    color: str  # the worst colour of the project's lights
    items: list[LightItem] = field(default_factory=list)


class TargetStatus:
    ACHIEVED = "achieved"
    MISSED = "missed"
    IN_PROGRESS = "in_progress"
    NOT_APPLICABLE = "na"
    LABELS = {
        ACHIEVED: gettext_lazy("达成"),
        MISSED: gettext_lazy("未达成"),
        IN_PROGRESS: gettext_lazy("进行中"),
        NOT_APPLICABLE: gettext_lazy("无计划"),
    }


@dataclass
class TargetResult:
    """One scope's standing against 开门红 or 双过半."""

    key: Any
    label: str
    plan: Decimal
    invested: Decimal  # by the target month (or to date while in progress)
    target_rate: Decimal  # 25 / 50 (%)
    target_month: int
    status: str
    forecast_rate: Decimal | None  # at the current pace, by the target month (in progress only)
    needed_monthly: Decimal | None  # 万元 per month still needed to reach the target (in progress only)
    planned_starts: int | None = None  # 开门红: Q1 planned starts and how many started
    started: int | None = None
    query: str = ""

    @property
    def actual_rate(self) -> Decimal | None:
        return rate(self.invested, self.plan)

    @property
    def start_rate(self) -> Decimal | None:
        return rate(self.started, self.planned_starts) if self.planned_starts is not None else None

    @property
    def status_label(self) -> str:
        return str(TargetStatus.LABELS[self.status])


@dataclass
class TargetSet:
    name: str  # 开门红 / 双过半
    target_rate: Decimal
    target_month: int
    district: TargetResult
    units: list[TargetResult]
    categories: list[TargetResult]


@dataclass
class Targets:
    period: Period
    kaimenhong: TargetSet
    shuangguoban: TargetSet


@dataclass
class DashboardSummary(_AgainstSchedule):
    """Everything the 驾驶舱 shows for a period (and the notice reuses)."""

    period: Period
    project_count: int
    total_investment: Decimal
    plan: Decimal
    ytd: Decimal
    starts: StartFigures
    resumed: int  # 开复工 projects (started new starts + resumed continuing)
    completions: CompletionFigures
    trend: list[TrendPoint]
    by_category: list[Group]
    by_domain: list[Group]
    by_level: list[Group]
    by_unit: list[Group]
    by_chain: list[Group]
    unit_ranking: list[RankedUnit]
    fastest: list[ProjectRate]
    slowest: list[ProjectRate]
    red: list[LightProject]
    yellow: list[LightProject]
    targets: Targets
    query: str  # the whole annual list
    # Projects with a red / yellow light; `red` / `yellow` may hold only the first of them (`light_limit`).
    red_count: int = 0
    yellow_count: int = 0
    # The project-list query string behind each figure (facts' FIGURES key → "fact=…&period=…").
    links: dict[str, str] = field(default_factory=dict)

    @property
    def schedule(self) -> Decimal:
        return self.period.schedule

    @property
    def resume_rate(self) -> Decimal | None:
        return rate(self.resumed, self.project_count)


# --------------------------------------------------------------------------------------------------------------
# Breakdowns


def _category_groups(facts, p: Period) -> list[Group]:
    groups = _rollup(facts, lambda r: r["yearly_category"])
    result = []
    for category in [*CATEGORY_ORDER, None]:
        acc = groups.get(category)
        if acc is None:
            continue
        label = YearlyCategory(category).label if category else _("未归类")
        query = _query(p, yearly_category=category, year=p.year) if category else ""
        result.append(
            Group(category, str(label), acc.count, acc.total_investment, acc.plan, acc.ytd, query, p.schedule)
        )
    return result


def _domain_groups(facts, p: Period) -> list[Group]:
    groups = _rollup(facts, lambda r: r["domain"])
    result = []
    for domain in [*ProjectDomain.values, *[d for d in groups if d not in ProjectDomain.values]]:
        acc = groups.get(domain)
        if acc is None:
            continue
        label = ProjectDomain(domain).label if domain in ProjectDomain.values else str(domain)
        result.append(
            Group(
                domain,
                str(label),
                acc.count,
                acc.total_investment,
                acc.plan,
                acc.ytd,
                _query(p, domain=domain, year=p.year),
                p.schedule,
            )
        )
    return result


def _unit_groups(facts, p: Period) -> list[Group]:
    groups = _rollup(facts, lambda r: (r["responsible_unit__sort_order"], r["unit_label"], r["responsible_unit_id"]))
    return [
        Group(
            key[2],
            key[1],
            acc.count,
            acc.total_investment,
            acc.plan,
            acc.ytd,
            _query(p, responsible_unit=key[2], year=p.year),
            p.schedule,
        )
        for key, acc in sorted(groups.items())
    ]


def _chain_groups(facts, p: Period) -> list[Group]:
    groups = _rollup(
        facts, lambda r: (r["chain_id"] is None, r["chain__sort_order"] or 0, r["chain__name"] or "", r["chain_id"])
    )
    result = []
    for key, acc in sorted(groups.items(), key=lambda item: item[0][:3]):
        chain_id = key[3]
        label = key[2] if chain_id is not None else _("未关联产业链")
        query = _query(p, chain=chain_id, year=p.year) if chain_id is not None else ""
        result.append(
            Group(chain_id, str(label), acc.count, acc.total_investment, acc.plan, acc.ytd, query, p.schedule)
        )
    return result


def _level_groups(user, p: Period) -> list[Group]:
    """By project level (省/市/区重点…): a project with several levels counts in each (one grouped query)."""
    rows = (
        _period_rows(user, p)
        .order_by()
        .values("project__levels__id", "project__levels__name", "project__levels__sort_order")
        .annotate(
            count=Count("pk"),
            total_investment=Sum("project__total_investment"),
            plan=Sum("plan", output_field=MONEY),
            ytd=Sum("ytd", output_field=MONEY),
        )
    )
    result = []
    for row in sorted(
        rows,
        key=lambda r: (
            r["project__levels__id"] is None,
            r["project__levels__sort_order"] or 0,
            r["project__levels__name"] or "",
        ),
    ):
        level_id = row["project__levels__id"]
        label = row["project__levels__name"] if level_id is not None else _("未定级")
        query = _query(p, level=level_id, year=p.year) if level_id is not None else ""
        result.append(
            Group(
                level_id,
                str(label),
                row["count"],
                _money(row["total_investment"]),
                _money(row["plan"]),
                _money(row["ytd"]),
                query,
                p.schedule,
            )
        )
    return result


def _ranking(units: list[Group]) -> list[RankedUnit]:
    """Units by % of the (baseline) annual plan, best first; units without a plan last, unranked."""

    def order(group: Group):
        value = group.rate
        return (value is None, -(value or ZERO), -group.plan, group.label)

    ranked = []
    for position, group in enumerate(sorted(units, key=order), start=1):
        ranked.append(
            RankedUnit(
                group.key,
                group.label,
                group.count,
                group.total_investment,
                group.plan,
                group.ytd,
                group.query,
                group.schedule,
                rank=position if group.rate is not None else 0,
            )
        )
    return ranked


def _trend(user, p: Period, plan: Decimal) -> list[TrendPoint]:
    """Month by month since January: completed investment of the annual list's projects (from the facts)."""
    rows = (
        ProjectMonth.objects.filter(
            project__in=annual_list(user, p.year).order_by().values("pk"),
            in_list=True,
            period__gte=p.year_start,
            period__lte=p.start,
        )
        .order_by()
        .values("period")
        .annotate(amount=Sum("month_investment", output_field=MONEY))
    )
    by_month = {row["period"].month: _money(row["amount"]) for row in rows}
    points, cumulative = [], ZERO
    for month in range(1, 13):
        line = plan * month / 12
        if month <= p.month:
            amount = by_month.get(month, ZERO)
            cumulative += amount
            points.append(TrendPoint(month, amount, cumulative, line))
        else:
            points.append(TrendPoint(month, None, None, line))
    return points


def _extremes(user, p: Period) -> tuple[list[ProjectRate], list[ProjectRate]]:
    """十快 / 十慢: projects with a plan, by % of plan (ties by larger plan, then id); two queries of TOP_N rows."""
    rated = (
        _period_rows(user, p)
        .filter(plan__gt=0)
        .annotate(
            ratio=ExpressionWrapper(F("ytd") * Value(1.0) / F("plan"), output_field=FloatField()),
            unit_label=_unit_label("project__"),
        )
        .values("project_id", "project__name", "unit_label", "plan", "ytd")
    )

    def rows(order: str) -> list[ProjectRate]:
        return [
            ProjectRate(r["project_id"], r["project__name"], r["unit_label"], _money(r["plan"]), _money(r["ytd"]))
            for r in rated.order_by(order, "-plan", "project_id")[:TOP_N]
        ]

    return rows("-ratio"), rows("ratio")


_COLOR_WEIGHT: dict[str, int] = {LightColor.RED: 2, LightColor.YELLOW: 1, LightColor.GREEN: 0}


def _lights(user, p: Period, limit: int | None = None) -> tuple[list[LightProject], list[LightProject], int, int]:
    """Red and yellow lists of the period (a manual override, when present, wins over the evaluated colour), and how
    many projects each colour has. With `limit`, only the first `limit` projects of each colour are loaded."""
    override = LightOverride.objects.filter(
        project=OuterRef("project"), period=OuterRef("period"), rule=OuterRef("rule")
    ).values("color")[:1]
    warn = [LightColor.RED, LightColor.YELLOW]
    # Only red / yellow lights, or lights of projects with a red / yellow override, can be red or yellow in effect:
    # filtering on that first spares the per-light override lookup for the (many) green ones.
    overridden_to_warn = LightOverride.objects.filter(period=p.start, color__in=warn).values("project_id")
    lights = (
        WarningLight.objects.filter(project__in=annual_list(user, p.year).values("pk"), period=p.start)
        .filter(Q(color__in=warn) | Q(project_id__in=overridden_to_warn))
        .annotate(
            effective=Coalesce(Subquery(override), "color"),
            unit_label=Coalesce(
                NullIf("project__responsible_unit__short_name", Value("")), "project__responsible_unit__name"
            ),
        )
        .filter(effective__in=warn)
    )
    project_order = ("project__responsible_unit__sort_order", "unit_label", "project__name", "project_id")
    counts = {LightColor.RED: 0, LightColor.YELLOW: 0}
    if limit is not None:
        # One grouped query: each project's worst colour, in list order; then the lights of the first few only.
        worst = (
            lights.order_by()
            .values(*project_order)
            .annotate(red=Count("pk", filter=Q(effective=LightColor.RED)))
            .order_by(*project_order)
            .values_list("project_id", "red")
        )
        shown: list[int] = []
        for project_id, red_lights in worst:
            color = LightColor.RED if red_lights else LightColor.YELLOW
            counts[color] += 1
            if counts[color] <= limit:
                shown.append(project_id)
        lights = lights.filter(project_id__in=shown)
    rows = lights.order_by(*project_order, "rule__sort_order", "rule__code").values(
        "project_id", "project__name", "unit_label", "rule__name", "effective", "explanation"
    )
    projects: dict[int, LightProject] = {}
    for row in rows:
        item = projects.get(row["project_id"])
        if item is None:
            item = projects[row["project_id"]] = LightProject(
                row["project_id"], row["project__name"], row["unit_label"], row["effective"]
            )
        item.items.append(LightItem(row["rule__name"], row["effective"], row["explanation"]))
        if _COLOR_WEIGHT.get(row["effective"], 0) > _COLOR_WEIGHT.get(item.color, 0):
            item.color = row["effective"]
    red = [item for item in projects.values() if item.color == LightColor.RED]
    yellow = [item for item in projects.values() if item.color == LightColor.YELLOW]
    if limit is None:
        counts = {LightColor.RED: len(red), LightColor.YELLOW: len(yellow)}
    return red, yellow, counts[LightColor.RED], counts[LightColor.YELLOW]


# --------------------------------------------------------------------------------------------------------------
# Targets (开门红 / 双过半)


def _target(
    key,
    label: str,
    acc: _Acc,
    p: Period,
    *,
    month: int,
    target: Decimal,
    invested_at_target: Decimal,
    starts: tuple[int, int] | None,
    query: str,
) -> TargetResult:
    plan = acc.plan
    has_starts = starts is not None and starts[0] > 0
    planned_starts, started = starts if starts is not None else (None, None)
    if not plan and not has_starts:
        return TargetResult(
            key,
            label,
            plan,
            acc.ytd,
            target,
            month,
            TargetStatus.NOT_APPLICABLE,
            None,
            None,
            planned_starts,
            started,
            query,
        )
    if p.month >= month:
        invested_ok = not plan or (rate(invested_at_target, plan) or ZERO) >= target
        starts_ok = not has_starts or (started or 0) >= (planned_starts or 0)
        status = TargetStatus.ACHIEVED if invested_ok and starts_ok else TargetStatus.MISSED
        return TargetResult(
            key, label, plan, invested_at_target, target, month, status, None, None, planned_starts, started, query
        )
    forecast = rate(acc.ytd * month / p.month, plan)
    still_needed = max(plan * target / HUNDRED - acc.ytd, ZERO)
    needed = still_needed / (month - p.month) if plan else None
    return TargetResult(
        key,
        label,
        plan,
        acc.ytd,
        target,
        month,
        TargetStatus.IN_PROGRESS,
        forecast,
        needed,
        planned_starts,
        started,
        query,
    )


def _targets_from_facts(facts: list[dict[str, Any]], p: Period) -> Targets:
    units = _rollup(facts, lambda r: (r["responsible_unit__sort_order"], r["unit_label"], r["responsible_unit_id"]))
    categories = _rollup(facts, lambda r: r["yearly_category"])
    total = _total(facts)

    def build(name: str, month: int, target: Decimal, amount: Callable[[_Acc], Decimal], with_starts: bool):
        def one(key, label, acc, query):
            starts = (acc.q1_planned, acc.q1_started) if with_starts else None
            return _target(
                key,
                label,
                acc,
                p,
                month=month,
                target=target,
                invested_at_target=amount(acc),
                starts=starts,
                query=query,
            )

        district = one(None, _("全区"), total, _query(p, year=p.year))
        unit_rows = [
            one(key[2], key[1], acc, _query(p, responsible_unit=key[2], year=p.year))
            for key, acc in sorted(units.items())
        ]
        category_rows = [
            one(
                category,
                str(YearlyCategory(category).label),
                categories[category],
                _query(p, yearly_category=category, year=p.year),
            )
            for category in CATEGORY_ORDER
            if category in categories
        ]
        return TargetSet(name, target, month, district, unit_rows, category_rows)

    return Targets(
        p,
        kaimenhong=build(_("开门红"), 3, Decimal(25), lambda acc: acc.q1, True),
        shuangguoban=build(_("双过半"), 6, Decimal(50), lambda acc: acc.h1, False),
    )


def targets(user, year: int, month: int) -> Targets:
    """开门红 and 双过半 for the district, each responsible unit and each yearly category (two queries)."""
    p = _period(year, month)
    return _targets_from_facts(_facts(user, p), p)


# --------------------------------------------------------------------------------------------------------------
# The dashboard


def dashboard_summary(user, year: int, month: int, *, light_limit: int | None = None) -> DashboardSummary:
    """The 驾驶舱 for `year`-`month`: totals, rates, trend, breakdowns, rankings, lights, targets (≈7 queries).

    `light_limit` (the page) loads only the first projects of each light colour (`red_count` / `yellow_count`
    still count all); without it (the notice) the red / yellow lists are complete."""
    p = _period(year, month)
    facts = _facts(user, p)
    total = _total(facts)
    units = _unit_groups(facts, p)
    fastest, slowest = _extremes(user, p)
    red, yellow, red_count, yellow_count = _lights(user, p, light_limit)
    return DashboardSummary(
        period=p,
        project_count=total.count,
        total_investment=total.total_investment,
        plan=total.plan,
        ytd=total.ytd,
        starts=StartFigures(
            total.planned_new, total.started_planned, total.early, total.unplanned, total.late, total.started_new
        ),
        resumed=total.started_new + total.resumed,
        completions=CompletionFigures(total.planned_complete, total.completed, total.early_completed),
        trend=_trend(user, p, total.plan),
        by_category=_category_groups(facts, p),
        by_domain=_domain_groups(facts, p),
        by_level=_level_groups(user, p),
        by_unit=units,
        by_chain=_chain_groups(facts, p),
        unit_ranking=_ranking(units),
        fastest=fastest,
        slowest=slowest,
        red=red,
        yellow=yellow,
        targets=_targets_from_facts(facts, p),
        query=_query(p, year=p.year),
        red_count=red_count,
        yellow_count=yellow_count,
        links={key: _query(p, key) for key in FIGURES},
    )


# The models the dashboard reads: a committed change to any of them makes every cached dashboard stale
# (registered in ProgressConfig.ready; bulk writes call figures_changed() themselves). WarningLight is not listed:
# its only writer, warnings.evaluate_period, writes in bulk and calls figures_changed().
DASHBOARD_SOURCES = (
    "projects.Project",
    "projects.Project.levels",
    "projects.AnnualPlan",
    "projects.IndustryChain",
    "projects.ProjectLevel",
    "progress.ProgressReport",
    "progress.WarningRule",
    "progress.LightOverride",
    "org.OrgUnit",
    "org.Region",
)


def cached_dashboard_summary(
    user, year: int, month: int, *, light_limit: int | None = None
) -> CachedFigures[DashboardSummary]:
    """`dashboard_summary` through the figures cache (tuijin.core.figures_cache): shared by the users of one scope,
    recomputed after any committed change to DASHBOARD_SOURCES. The notice does not use it (it always recomputes)."""
    parts = ("dashboard", scope_fingerprint(user, Project, "dashboard"), get_language(), year, month, light_limit)
    return cached_figures(parts, lambda: dashboard_summary(user, year, month, light_limit=light_limit))


# --------------------------------------------------------------------------------------------------------------
# Lists for the notice: starts, missing reports, problems


@dataclass
class ProjectRow:
    pk: int
    name: str
    unit: str
    planned_start: date | None
    actual_start: date | None
    start_quarter: int | None


@dataclass
class StartLists:
    early: list[ProjectRow]  # 提前开工
    unplanned: list[ProjectRow]  # 计划外开工
    late: list[ProjectRow]  # 未按计划开工


def start_lists(user, year: int, month: int) -> StartLists:
    """The projects behind the 开工 counts (the facts' early / unplanned / late), ordered by unit then name."""
    p = _period(year, month)
    kinds = {"early": FIGURES["early"], "unplanned": FIGURES["unplanned"], "late": FIGURES["late"]}
    rows = (
        period_facts(annual_list(user, year), p.start)
        .annotate(
            unit_label=_unit_label("project__"),
            kind=_case_kind([(name, figure.condition) for name, figure in kinds.items()]),
        )
        .exclude(kind="")
        .order_by("project__responsible_unit__sort_order", "unit_label", "project__name", "project_id")
        .values(
            "project_id",
            "project__name",
            "unit_label",
            "project__planned_start",
            "start_date",
            "start_quarter",
            "kind",
        )
    )
    lists: dict[str, list[ProjectRow]] = {"early": [], "unplanned": [], "late": []}
    for r in rows:
        lists[r["kind"]].append(
            ProjectRow(
                r["project_id"],
                r["project__name"],
                r["unit_label"],
                r["project__planned_start"],
                r["start_date"],
                r["start_quarter"],
            )
        )
    return StartLists(lists["early"], lists["unplanned"], lists["late"])


def _case_kind(cases: list[tuple[str, Q]]):
    return Case(
        *[When(condition, then=Value(name)) for name, condition in cases], default=Value(""), output_field=CharField()
    )


@dataclass
class MissingUnit:
    unit_id: int
    unit: str
    projects: list[tuple[int, str]]
    query: str

    @property
    def count(self) -> int:
        return len(self.projects)


@dataclass
class MissingReports:
    period: Period
    expected: int  # projects in the annual list
    units: list[MissingUnit]

    @property
    def missing(self) -> int:
        return sum(unit.count for unit in self.units)

    @property
    def reported(self) -> int:
        return self.expected - self.missing


def missing_reports(user, period: date) -> MissingReports:
    """未上报: the projects expected to report for `period` (应报, from the facts) without a submitted report, by
    responsible unit (2 queries). `expected` counts 应报."""
    p = Period.of(period)
    facts = period_facts(Project.objects.restrict(user, "dashboard"), p.start)
    expected = facts.filter(FIGURES["expected"].condition).count()
    rows = (
        facts.filter(FIGURES["missing"].condition)
        .annotate(unit_label=_unit_label("project__"))
        .order_by(
            "project__responsible_unit__sort_order",
            "unit_label",
            "project__responsible_unit_id",
            "project__name",
            "project_id",
        )
        .values("project_id", "project__name", "project__responsible_unit_id", "unit_label")
    )
    units: dict[int, MissingUnit] = {}
    for r in rows:
        unit_id = r["project__responsible_unit_id"]
        unit = units.get(unit_id)
        if unit is None:
            unit = units[unit_id] = MissingUnit(
                unit_id, r["unit_label"], [], figure_query("missing", p, responsible_unit=unit_id)
            )
        unit.projects.append((r["project_id"], r["project__name"]))
    return MissingReports(p, expected, list(units.values()))


def report_problems(user, year: int, month: int) -> list[ProblemRow]:
    """主要问题 not yet turned into tickets: problems raised in the period's counted reports (one query)."""
    p = _period(year, month)
    rows = (
        ReportProblem.objects.filter(
            report__project__in=annual_list(user, p.year).values("pk"),
            report__period=p.start,
            report__status__in=COUNTED,
            ticket__isnull=True,  # a problem turned into a coordination ticket is reported from the ticket
        )
        .annotate(
            unit_label=Coalesce(
                NullIf("report__project__responsible_unit__short_name", Value("")),
                "report__project__responsible_unit__name",
            )
        )
        .order_by(
            "category", "report__project__responsible_unit__sort_order", "unit_label", "report__project__name", "pk"
        )
        .values(
            "report__project_id", "report__project__name", "unit_label", "category", "description", "help_requested"
        )
    )
    return [
        ProblemRow(
            r["report__project_id"],
            r["report__project__name"],
            r["unit_label"],
            r["category"],
            r["description"],
            r["help_requested"],
        )
        for r in rows
    ]
