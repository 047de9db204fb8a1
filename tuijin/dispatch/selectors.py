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
- 序时进度 = the district's schedule for the month (`schedule.py`; month / 12 when it set none); ± is in
  percentage points;
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
from functools import lru_cache
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Case, CharField, DecimalField, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from tuijin.core.figures_cache import CachedFigures, cached_figures
from tuijin.core.periods import Period
from tuijin.facts.figures import FIGURES, figure_query, period_facts, total_missing_note
from tuijin.facts.models import MONTH_FIELDS, ProjectMonth
from tuijin.facts.rules import COMPLETING_CATEGORIES, CONTINUING_CATEGORIES, NEW_CATEGORIES
from tuijin.org.models import OrgUnit
from tuijin.org.scoping import scope_fingerprint
from tuijin.progress.choices import COUNTED_STATUSES as COUNTED
from tuijin.progress.choices import LightColor
from tuijin.progress.models import ReportProblem, WarningLight
from tuijin.projects.choices import ProjectDomain, YearlyCategory
from tuijin.projects.models import IndustryChain, Project, ProjectLevel
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


@lru_cache(maxsize=64)
def _listed_query(year: int, month: int) -> str:
    return _query(Period(year, month))


def _unit_query(p: Period, unit_id: int) -> str:
    """`_query(p, responsible_unit=unit_id)`, built without urlencode (called for every unit, thousands of times in
    a province-wide scope)."""
    return f"{_listed_query(p.year, p.month)}&responsible_unit={int(unit_id)}"


def _period(year: int, month: int, user=None) -> Period:
    """The period; with `user`, as the user's region sees it (its 序时进度 schedule and wording)."""
    if user is None:
        return Period(int(year), int(month))
    from .schedule import user_period

    return user_period(user, year, month)


def annual_list(user, year: int):
    """The year's annual list (projects with an AnnualPlan for `year`) within the user's dashboard scope."""
    return Project.objects.restrict(user, "dashboard").filter(annual_plans__year=year)


def _unit_label(prefix: str = ""):
    return Coalesce(NullIf(f"{prefix}responsible_unit__short_name", Value("")), f"{prefix}responsible_unit__name")


def _money(value: Any) -> Decimal:
    """A sum of money from the database as Decimal 万元 (SQLite sums decimals as floats: back to cents)."""
    if value is None:
        return ZERO
    if isinstance(value, float):
        return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    return Decimal(value)


# --------------------------------------------------------------------------------------------------------------
# Facts: one statement per period that every total, breakdown, trend, ranking, light list and target reads


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
    "red",
    "yellow",
    "total_missing",
)
_MONEY_FIELDS = ("total_investment", "plan", "ytd", "q1", "h1", *MONTH_FIELDS)
_SUMMED_FIELDS = _COUNT_FIELDS + _MONEY_FIELDS
_COUNT_WIDTH = len(_COUNT_FIELDS)
# The figures the breakdowns (unit, category, domain, chain, level) need; the total has every one.
_GROUPED_FIELDS = frozenset(
    {"count", "total_investment", "total_missing", "plan", "ytd", "q1", "h1", "q1_planned", "q1_started"}
)


class _Acc:
    """Summed figures of a set of facts rows (counts as int, money as Decimal 万元; `m01`…`m12` the months)."""

    __slots__ = _SUMMED_FIELDS
    count: int
    planned_new: int
    started_planned: int
    started_new: int
    early: int
    unplanned: int
    late: int
    planned_complete: int
    completed: int
    early_completed: int
    resumed: int  # the 续建 projects with investment this year (开复工 adds the started new starts)
    q1_planned: int
    q1_started: int
    red: int  # projects whose light in effect is red / yellow
    yellow: int
    total_missing: int  # projects whose 总投资 is 未填 (None): left out of `total_investment`
    total_investment: Decimal  # the sum of the known totals
    plan: Decimal
    ytd: Decimal
    q1: Decimal
    h1: Decimal

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        if values is None:
            values = ()
        values = list(values) or [0] * len(_SUMMED_FIELDS)
        for index, (name, value) in enumerate(zip(_SUMMED_FIELDS, values, strict=True)):
            if index < _COUNT_WIDTH:
                setattr(self, name, int(value or 0))
            else:  # most money columns of a group are the statement's 0 placeholders
                setattr(self, name, _money(value) if value else ZERO)

    def add(self, other: "_Acc") -> None:
        for name in _SUMMED_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def months(self) -> list[Decimal]:
        return [getattr(self, name) for name in MONTH_FIELDS]


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
    "red": "red",
    "yellow": "yellow",
    "total_missing": "total_missing",
}
_FLAGS = {**{name: FIGURES[key].condition for name, key in _COUNTED_FIGURES.items()}, "resumed": Q(resumed=True)}


def _period_rows(user, p: Period):
    """The period's facts rows of the annual list (in_list: the project has an annual plan that year) within the
    user's dashboard scope."""
    return ProjectMonth.objects.restrict_inline(user, "dashboard").filter(period=p.start, in_list=True)


# Each facts row of the period, as the statement's common table `r` sees it: keys (k_), amounts (v_), and one 0/1
# flag (f_) per counted figure.
_ROW_KEYS: dict[str, Any] = {
    "k_pid": F("project_id"),
    "k_name": F("name"),
    "k_unit": F("unit_id"),
    "k_category": F("category"),
    "k_domain": F("domain"),
    "k_chain": F("chain_id"),
    "k_levels": F("levels"),
    "k_light": F("light"),
    # % of plan for 十快 / 十慢, as a float for ordering only (the rates shown are exact Decimals)
    "k_ratio": Case(
        When(plan__gt=0, then=Cast("ytd", FloatField()) / Cast("plan", FloatField())),
        default=Value(None),
        output_field=FloatField(),
    ),
}
_ROW_AMOUNTS: dict[str, Any] = {f"v_{name}": F(name) for name in _MONEY_FIELDS}
# (dimension, key column, label column, sort column) of the grouped parts of the statement
_DIMENSIONS = (
    ("unit", "k_unit"),
    ("category", "k_category"),
    ("domain", "k_domain"),
    ("chain", "k_chain"),
    ("levels", "k_levels"),
)
_NO_TEXT, _NO_INT = "CAST(NULL AS TEXT)", "CAST(NULL AS INTEGER)"  # typed, for the union's columns


@dataclass
class _Rows:
    """The period's facts rolled up: the total, each dimension's groups, and the ranked project lists."""

    total: _Acc
    groups: dict[str, list[tuple[str | None, _Acc]]]  # dim → (key, sums)
    ranked: dict[str, list[tuple[int, str, str, _Acc]]]  # fastest / slowest / red / yellow → (pk, name, unit, …)
    labels: dict[str, dict[str, tuple[int, str]]] = field(default_factory=dict)  # unit / chain id → (order, name)


def _column(name: str) -> str:
    return "COUNT(*)" if name == "count" else f"f_{name}" if name in _COUNT_FIELDS else f"v_{name}"


def _statement(inner_sql: str, light_limit: int | None, quote: Callable[[str], str]) -> str:
    """The statement around the rows' query `r`. The total sums every figure over `r`; the breakdowns sum only
    `_GROUPED_FIELDS`, in two steps (the finest grouping `g`, then each dimension over `g`'s fewer rows); the
    ranked lists take the first rows of `r` in their order (with the unit's name and order for the light lists).
    Only fixed names and int limits are formatted in (S608); every value stays a parameter of `inner_sql`."""
    grouped = [name for name in _SUMMED_FIELDS if name in _GROUPED_FIELDS]
    keys = ", ".join(key for _dim, key in _DIMENSIONS)
    fine = ", ".join(f"{'COUNT(*)' if n == 'count' else f'SUM({_column(n)})'} AS s_{n}" for n in grouped)
    parts = []
    for dim, key in _DIMENSIONS:
        sums = ", ".join(f"SUM(s_{n})" if n in _GROUPED_FIELDS else "0" for n in _SUMMED_FIELDS)
        head = f"'{dim}', CAST({key} AS TEXT), {_NO_TEXT}, {_NO_TEXT}, {_NO_INT}"
        parts.append(f"SELECT {head}, {sums} FROM g GROUP BY {key}")  # noqa: S608
    total = ", ".join("COUNT(*)" if n == "count" else f"SUM({_column(n)})" for n in _SUMMED_FIELDS)
    parts.append(f"SELECT 'total', {_NO_TEXT}, {_NO_TEXT}, {_NO_TEXT}, {_NO_INT}, {total} FROM r")  # noqa: S608
    own = ", ".join({"count": "1", "plan": "v_plan", "ytd": "v_ytd"}.get(n, "0") for n in _SUMMED_FIELDS)
    units = quote(OrgUnit._meta.db_table)
    label = "COALESCE(NULLIF(u.short_name, ''), u.name)"
    columns = "r.k_pid, r.k_name, r.k_unit, r.k_ratio, r.v_plan, r.v_ytd"
    for dim, order in (("fastest", "k_ratio DESC, v_plan DESC, k_pid"), ("slowest", "k_ratio ASC, v_plan DESC, k_pid")):
        first = f"SELECT {columns} FROM r WHERE v_plan > 0 ORDER BY {order} LIMIT {TOP_N}"  # noqa: S608
        rank = f"CAST(ROW_NUMBER() OVER (ORDER BY {order}) AS INTEGER)"
        parts.append(
            f"SELECT '{dim}', CAST(k_pid AS TEXT), k_name, {label}, {rank}, {own} "  # noqa: S608
            f"FROM ({first}) r LEFT JOIN {units} u ON u.id = r.k_unit"
        )
    order = f"u.sort_order, {label}, r.k_name, r.k_pid"  # unit, then project name (the lists' order)
    cut = "" if light_limit is None else f" LIMIT {int(light_limit)}"
    for dim, color in (("red", LightColor.RED), ("yellow", LightColor.YELLOW)):
        first = (
            f"SELECT {columns}, {label} AS k_unit_label, ROW_NUMBER() OVER (ORDER BY {order}) AS rk "  # noqa: S608
            f"FROM r LEFT JOIN {units} u ON u.id = r.k_unit WHERE r.k_light = '{color}' ORDER BY {order}{cut}"
        )
        parts.append(
            f"SELECT '{dim}', CAST(k_pid AS TEXT), k_name, k_unit_label, CAST(rk AS INTEGER), {own} FROM ({first}) r"  # noqa: S608
        )
    fine_table = f"SELECT {keys}, {fine} FROM r GROUP BY {keys}"  # noqa: S608
    return f"WITH r AS MATERIALIZED ({inner_sql}), g AS MATERIALIZED ({fine_table}) " + " UNION ALL ".join(parts)


def _labels(result: "_Rows") -> dict[str, dict[str, tuple[int, str]]]:
    """(sort order, name) of the units and chains in the groups: two small queries."""
    unit_ids = [int(key) for key, _acc in result.groups["unit"] if key]
    chain_ids = [int(key) for key, _acc in result.groups["chain"] if key]
    units = {
        str(pk): (sort_order or 0, short_name or name)
        for pk, sort_order, short_name, name in OrgUnit.objects.filter(pk__in=unit_ids)
        .order_by()
        .values_list("pk", "sort_order", "short_name", "name")
    }
    chains = {
        str(pk): (sort_order or 0, name)
        for pk, sort_order, name in IndustryChain.objects.filter(pk__in=chain_ids)
        .order_by()
        .values_list("pk", "sort_order", "name")
    }
    return {"unit": units, "chain": chains}


def _rows(user, p: Period, *, light_limit: int | None = None) -> _Rows:
    """Everything the dashboard counts, sums and ranks, in ONE statement over the period's maintained facts rows
    (tuijin.facts: one row per project, every figure defined there): the rows in scope become a materialized common
    table, grouped by unit, category, domain, chain and level set, totalled, and ranked (十快 / 十慢 by % of plan; the
    first `light_limit` red / yellow projects, all when None)."""
    flags = {
        f"f_{name}": Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
        for name, condition in _FLAGS.items()
    }
    inner = (
        _period_rows(user, p)
        .annotate(**_ROW_KEYS, **_ROW_AMOUNTS, **flags)
        .order_by()
        .values(*_ROW_KEYS, *_ROW_AMOUNTS, *flags)
    )
    result = _Rows(_Acc(), {dim: [] for dim, *_ in _DIMENSIONS}, {})
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:  # nothing in scope
        return result
    connection = connections[inner.db]
    with transaction.atomic(using=inner.db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # room to group and sort the period's rows in memory
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_statement(sql, light_limit, connection.ops.quote_name), params)
        fetched = cursor.fetchall()
    width = len(_SUMMED_FIELDS)
    ranked: dict[str, list[tuple[int, int, str, str, _Acc]]] = {}
    for dim, key, label, label2, rank, *values in fetched:
        acc = _Acc(values[:width])
        if dim == "total":
            result.total = acc
        elif dim in result.groups:
            result.groups[dim].append((key, acc))
        else:
            ranked.setdefault(dim, []).append((int(rank), int(key), label, label2, acc))
    result.ranked = {dim: [row[1:] for row in sorted(rows)] for dim, rows in ranked.items()}
    result.labels = _labels(result)
    return result


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


class _KnownTotal:
    """A sum of 总投资 that leaves the unknown ones out and says so: `total_investment` sums the known totals,
    `total_missing` counts the projects whose 总投资 is 未填 (figure `total_missing`)."""

    total_investment: Decimal
    total_missing: int

    @property
    def total_note(self) -> str:
        """ "另有 2 个项目未填总投资" ("" when every total is known)."""
        return total_missing_note(self.total_missing)


@dataclass
class Group(_KnownTotal, _AgainstSchedule):
    """One row of a breakdown: count, total investment, annual plan and completed investment of a set of projects.
    `total_investment` sums the known totals only; `total_missing` counts the projects without one (未填)."""

    key: Any
    label: str
    count: int
    total_investment: Decimal
    plan: Decimal
    ytd: Decimal
    query: str  # the project list filter showing these projects ("" when the list cannot filter them)
    schedule: Decimal = ZERO
    total_missing: int = 0  # projects of the group whose 总投资 is 未填 (left out of total_investment)


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
    plan_line: Decimal  # the annual plan × month / 12 (序时进度)


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
class DashboardSummary(_KnownTotal, _AgainstSchedule):
    """Everything the 驾驶舱 shows for a period (and the notice reuses)."""

    period: Period
    project_count: int
    total_investment: Decimal  # the sum of the known totals (`total_missing` projects have none: 未填)
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
    # Units left out between the first and the last of by_unit, unit_ranking and the targets' units (`unit_limit`).
    units_hidden: int = 0
    # The project-list query string behind each figure (facts' FIGURES key → "fact=…&period=…").
    links: dict[str, str] = field(default_factory=dict)
    # Projects of the annual list whose 总投资 is 未填 (None): not in `total_investment` (figure `total_missing`).
    total_missing: int = 0

    @property
    def schedule(self) -> Decimal:
        return self.period.schedule

    @property
    def resume_rate(self) -> Decimal | None:
        return rate(self.resumed, self.project_count)


# --------------------------------------------------------------------------------------------------------------
# Breakdowns


def _group(key: Any, label: str, acc: _Acc, query: str, p: Period) -> Group:
    return Group(key, label, acc.count, acc.total_investment, acc.plan, acc.ytd, query, p.schedule, acc.total_missing)


def _by_category(rows: _Rows) -> dict[str | None, _Acc]:
    return {key or None: acc for key, acc in rows.groups["category"]}


def _by_unit(rows: _Rows) -> list[tuple[tuple[int, str, int], _Acc]]:
    """((sort order, label, unit id), sums) per responsible unit, in unit order."""
    labels = rows.labels.get("unit", {})
    units = [((*labels.get(key, (0, "")), int(key)), acc) for key, acc in rows.groups["unit"] if key]
    return sorted(units, key=lambda item: item[0])


def _category_groups(rows: _Rows, p: Period) -> list[Group]:
    groups = _by_category(rows)
    result = []
    for category in [*CATEGORY_ORDER, None]:
        acc = groups.get(category)
        if acc is None:
            continue
        label = YearlyCategory(category).label if category else _("未归类")
        query = _query(p, yearly_category=category, year=p.year) if category else ""
        result.append(_group(category, str(label), acc, query, p))
    return result


def _domain_groups(rows: _Rows, p: Period) -> list[Group]:
    """By 投资领域, in the choices' order; projects whose 投资领域 is 未填 ("") form the last group, 未填 (no
    drill-down link: the list cannot filter a blank 投资领域)."""
    groups: dict[str, _Acc] = {}
    for key, sums in rows.groups["domain"]:
        groups.setdefault(key or "", _Acc()).add(sums)
    others = sorted(d for d in groups if d not in ProjectDomain.values and d)
    result = []
    for domain in [*ProjectDomain.values, *others, ""]:
        acc = groups.get(domain)
        if acc is None:
            continue
        if not domain:
            result.append(_group(None, _("未填"), acc, "", p))
            continue
        label = ProjectDomain(domain).label if domain in ProjectDomain.values else str(domain)
        result.append(_group(domain, str(label), acc, _query(p, domain=domain, year=p.year), p))
    return result


def _unit_groups(rows: _Rows, p: Period) -> list[Group]:
    return [_group(key[2], key[1], acc, _unit_query(p, key[2]), p) for key, acc in _by_unit(rows)]


def _chain_groups(rows: _Rows, p: Period) -> list[Group]:
    labels = rows.labels.get("chain", {})
    chains = sorted(((key is None, *labels.get(key or "", (0, "")), key), acc) for key, acc in rows.groups["chain"])
    result = []
    for (_none, _sort, name, key), acc in chains:
        chain_id = int(key) if key is not None else None
        label = name if chain_id is not None else _("未关联产业链")
        query = _query(p, chain=chain_id, year=p.year) if chain_id is not None else ""
        result.append(_group(chain_id, str(label), acc, query, p))
    return result


def _level_groups(rows: _Rows, p: Period) -> list[Group]:
    """By project level (省/市/区重点…): a project with several levels counts in each; the facts rows carry each
    project's level set, so the sets' sums are spread over their levels (one small query for the names)."""
    by_level: dict[int | None, _Acc] = {}
    for key, acc in rows.groups["levels"]:
        levels: list[int | None] = [int(part) for part in (key or "").split(",") if part]
        for level in levels or [None]:
            by_level.setdefault(level, _Acc()).add(acc)
    names = {
        pk: (sort_order, name)
        for pk, sort_order, name in ProjectLevel.objects.filter(pk__in=[k for k in by_level if k is not None])
        .order_by()
        .values_list("pk", "sort_order", "name")
    }
    ordered = sorted(
        (level for level in by_level if level is None or level in names),
        key=lambda level: (level is None, *(names[level] if level is not None else (0, ""))),
    )
    result = []
    for level in ordered:
        label = names[level][1] if level is not None else _("未定级")
        query = _query(p, level=level, year=p.year) if level is not None else ""
        result.append(_group(level, str(label), by_level[level], query, p))
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
                group.total_missing,
                rank=position if group.rate is not None else 0,
            )
        )
    return ranked


def _trend(total: _Acc, p: Period) -> list[TrendPoint]:
    """Month by month since January: completed investment of the annual list (each row's month amounts)."""
    points, cumulative = [], ZERO
    curve = getattr(p, "curve", None)
    curve = curve if curve is not None and curve.custom else None
    for month, amount in enumerate(total.months, start=1):
        line = total.plan * curve.at(month) / HUNDRED if curve is not None else total.plan * month / 12
        if month <= p.month:
            cumulative += amount
            points.append(TrendPoint(month, amount, cumulative, line))
        else:
            points.append(TrendPoint(month, None, None, line))
    return points


def _extremes(rows: _Rows) -> tuple[list[ProjectRate], list[ProjectRate]]:
    """十快 / 十慢: projects with a plan, by % of plan (ties by larger plan, then id)."""

    def rates(dim: str) -> list[ProjectRate]:
        return [ProjectRate(pk, name, unit, acc.plan, acc.ytd) for pk, name, unit, acc in rows.ranked.get(dim, [])]

    return rates("fastest"), rates("slowest")


def _lights(rows: _Rows, p: Period) -> tuple[list[LightProject], list[LightProject], int, int]:
    """The red and yellow projects of the period as ranked in `rows` (by the light in effect on their facts row,
    overrides applied), each with its red / yellow lights (one query), and how many projects have each colour."""
    red = [LightProject(pk, name, unit, LightColor.RED) for pk, name, unit, _acc in rows.ranked.get("red", [])]
    yellow = [LightProject(pk, name, unit, LightColor.YELLOW) for pk, name, unit, _acc in rows.ranked.get("yellow", [])]
    shown = {item.pk: item for item in red + yellow}
    if shown:
        lights = (
            WarningLight.objects.filter(
                project_id__in=list(shown),
                period=p.start,
                color__in=[LightColor.RED, LightColor.YELLOW],
                rule__is_active=True,
            )
            .order_by("project_id", "rule__sort_order", "rule__code")
            .values_list("project_id", "rule__name", "color", "explanation")
        )
        for project_id, rule_name, color, explanation in lights:
            shown[project_id].items.append(LightItem(rule_name, color, explanation))
    return red, yellow, rows.total.red, rows.total.yellow


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
    forecast = rate(acc.ytd * _pace(p, month), plan)
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


def _pace(p: Period, month: int) -> Decimal:
    """How much the year-to-date grows by `month` at the scheduled pace: schedule(month) ÷ schedule(now) (the
    district's schedule when set, else month ÷ p.month)."""
    curve = getattr(p, "curve", None)
    share = curve.share(p.month, month) if curve is not None and curve.custom else None
    return share if share is not None else Decimal(month) / p.month


def _targets_from_rows(rows: _Rows, p: Period, *, unit_limit: int | None = None) -> Targets:
    units = _keep(_by_unit(rows), unit_limit)
    categories = _by_category(rows)
    total = rows.total

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

        district = one(None, getattr(p, "place_word", "") or _("全区"), total, _query(p, year=p.year))
        unit_rows = [one(key[2], key[1], acc, _unit_query(p, key[2])) for key, acc in units]
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
    """开门红 and 双过半 for the district, each responsible unit and each yearly category (one statement)."""
    p = _period(year, month, user)
    return _targets_from_rows(_rows(user, p, light_limit=0), p)


# --------------------------------------------------------------------------------------------------------------
# The dashboard


def _keep(rows: list, limit: int | None) -> list:
    """The first and the last limit/2 rows (all of them when there are no more than `limit`)."""
    if limit is None or len(rows) <= limit:
        return rows
    half = limit // 2
    return [*rows[:half], *rows[-half:]]


def dashboard_summary(
    user, year: int, month: int, *, light_limit: int | None = None, unit_limit: int | None = None
) -> DashboardSummary:
    """The 驾驶舱 for `year`-`month`: totals, rates, trend, breakdowns, rankings, lights, targets (one statement
    and three small queries).

    `light_limit` (the page) loads only the first projects of each light colour (`red_count` / `yellow_count`
    still count all); without it (the notice) the red / yellow lists are complete. `unit_limit` (the page, in a
    city or province scope) keeps only the first and last unit_limit/2 units of the unit table, the ranking and
    the targets (`units_hidden` says how many are left out between them); the notice keeps every unit."""
    p = _period(year, month, user)
    rows = _rows(user, p, light_limit=light_limit)
    total = rows.total
    all_units = _unit_groups(rows, p)
    units = _keep(all_units, unit_limit)
    units_hidden = len(all_units) - len(units)
    fastest, slowest = _extremes(rows)
    red, yellow, red_count, yellow_count = _lights(rows, p)
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
        trend=_trend(total, p),
        by_category=_category_groups(rows, p),
        by_domain=_domain_groups(rows, p),
        by_level=_level_groups(rows, p),
        by_unit=units,
        by_chain=_chain_groups(rows, p),
        unit_ranking=_keep(_ranking(all_units), unit_limit),
        fastest=fastest,
        slowest=slowest,
        red=red,
        yellow=yellow,
        targets=_targets_from_rows(rows, p, unit_limit=unit_limit),
        query=_query(p, year=p.year),
        red_count=red_count,
        yellow_count=yellow_count,
        units_hidden=units_hidden,
        links={key: _query(p, key) for key in FIGURES},
        total_missing=total.total_missing,
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
    "dispatch.ProgressSchedule",
    "dispatch.NoticeStyle",
    "org.OrgUnit",
    "org.Region",
)


def cached_dashboard_summary(
    user, year: int, month: int, *, light_limit: int | None = None, unit_limit: int | None = None
) -> CachedFigures[DashboardSummary]:
    """`dashboard_summary` through the figures cache (tuijin.core.figures_cache): shared by the users of one scope,
    recomputed after any committed change to DASHBOARD_SOURCES. The notice does not use it (it always recomputes)."""
    parts = (
        "dashboard",
        scope_fingerprint(user, Project, "dashboard"),
        get_language(),
        year,
        month,
        light_limit,
        unit_limit,
    )
    return cached_figures(
        parts, lambda: dashboard_summary(user, year, month, light_limit=light_limit, unit_limit=unit_limit)
    )


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
