"""The rule of every figure, written once (docs/figures.md): one project's facts for each month, from its record,
its annual plans and its reports.

Pure Python over plain inputs, so the maintained table (`maintain`), the rebuild command and the tests all run
exactly this code. Each rule reads the data *as of the month's end*: re-reading an old month gives that month's
picture with today's knowledge (a start date typed later counts from that date).
"""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tuijin.core.periods import month_end, month_index, month_start
from tuijin.progress.choices import COUNTED_STATUSES
from tuijin.projects.choices import Stage, StatsStatus, YearlyCategory
from tuijin.projects.yearly import yearly_category

__all__ = [
    "COMPLETING_CATEGORIES",
    "CONTINUING_CATEGORIES",
    "NEW_CATEGORIES",
    "NO_REPORT_STAGES",
    "PlanIn",
    "ProjectIn",
    "ReportIn",
    "plan_curve",
    "project_months",
    "start_as_of",
    "years_in_play",
]

ZERO = Decimal("0")
CENT = Decimal("0.01")
NEW_CATEGORIES = frozenset({YearlyCategory.NEW, YearlyCategory.NEW_COMPLETED})
CONTINUING_CATEGORIES = frozenset({YearlyCategory.CONTINUING, YearlyCategory.CONTINUING_COMPLETED})
COMPLETING_CATEGORIES = frozenset({YearlyCategory.NEW_COMPLETED, YearlyCategory.CONTINUING_COMPLETED})
# Projects in these stages are not expected to report and get no lights.
NO_REPORT_STAGES = frozenset({Stage.CONCEIVED, Stage.RESERVE, Stage.SUSPENDED, Stage.CANCELLED})


@dataclass(slots=True)
class ProjectIn:
    pk: int
    stage: str
    planned_start: date | None
    planned_finish: date | None
    actual_start: date | None
    actual_finish: date | None
    construction_start: date | None
    construction_end: date | None
    stats_status: str
    stats_month: date | None
    name: str = ""
    unit_id: int | None = None  # the responsible unit
    domain: str = ""
    chain_id: int | None = None
    total_investment: Decimal | None = None  # None = 未填
    levels: str = ""  # the project's level ids, sorted and comma-joined ("1,3"; "" = none)


@dataclass(slots=True)
class PlanIn:
    year: int
    planned_investment: Decimal
    baseline_investment: Decimal | None
    start_quarter: int | None
    monthly_plan: Any
    baseline_monthly_plan: Any

    @property
    def amount(self) -> Decimal:
        """年度计划 for rates and rankings: the approved baseline, else the current plan."""
        return self.baseline_investment if self.baseline_investment is not None else self.planned_investment


@dataclass(slots=True)
class ReportIn:
    period: date
    status: str
    month_investment: Decimal
    is_started: bool
    started_on: date | None
    submitted_at: datetime | None
    migration_job_id: int | None = None  # imported as 历史数据

    @property
    def migrated(self) -> bool:
        return self.migration_job_id is not None

    @property
    def counted(self) -> bool:
        return self.status in COUNTED_STATUSES


def plan_curve(plan: PlanIn) -> list[Decimal] | None:
    """The 12 monthly amounts of the plan used (baseline's when approved), or None when it has none."""
    chosen = plan.baseline_monthly_plan if plan.baseline_investment is not None else plan.monthly_plan
    if not chosen or len(chosen) != 12:
        return None
    try:
        return [Decimal(str(v)) for v in chosen]
    except (InvalidOperation, ValueError):
        return None


class _Starts:
    """`start_as_of` for many month ends of one project, each in O(log n) of its start claims."""

    def __init__(self, project: ProjectIn, reports: Sequence[ReportIn]):
        self.actual = project.actual_start
        claims = sorted((r.period, r.started_on) for r in reports if r.counted and r.is_started)
        self.periods = [period for period, _on in claims]
        self.first_dates: list[date | None] = []  # the earliest 开工日期 among the claims up to each one
        earliest: date | None = None
        for _period, on in claims:
            if on is not None and (earliest is None or on < earliest):
                earliest = on
            self.first_dates.append(earliest)

    def as_of(self, end: date) -> tuple[date | None, str]:
        if self.actual is not None:
            return (self.actual, "actual") if self.actual <= end else (None, "")
        count = bisect_right(self.periods, month_start(end))
        if not count:
            return None, ""
        earliest = self.first_dates[count - 1]
        return (earliest if earliest is not None and earliest <= end else self.periods[0]), "report"


def start_as_of(project: ProjectIn, reports: Sequence[ReportIn], end: date) -> tuple[date | None, str]:
    """已开工 by `end` (a month's last day): (start date, source) or (None, "").

    The actual start date (实际开工日期) wins whenever it is recorded: started when it lies on or before `end`.
    Without one, the first counted report up to `end`'s month saying 已开工 is the start: on the earliest 开工日期
    such reports give when that lies on or before `end`, else on the first day of the first such report's month."""
    return _Starts(project, reports).as_of(end)


HISTORY_YEARS = 3  # an active project without plans or reports gets rows this many years back at most


def years_in_play(project: ProjectIn, plans: Iterable[PlanIn], reports: Iterable[ReportIn], today: date) -> list[int]:
    """The years a project has rows for: those with an annual plan or a report, and — while it may be expected to
    report (not in a no-report stage) — every year from its start (at most HISTORY_YEARS back) to this year or
    its finish."""
    reports = list(reports)
    years = {p.year for p in plans} | {r.period.year for r in reports}
    if project.stage not in NO_REPORT_STAGES:
        start, _source = start_as_of(project, reports, date(today.year, 12, 31))
        if start is not None:
            last = today.year if project.actual_finish is None else min(project.actual_finish.year, today.year)
            years.update(range(max(start.year, today.year - HISTORY_YEARS), last + 1))
    return sorted(y for y in years if 2000 <= y <= 2100)


def _money(value: Decimal | None) -> Decimal:
    return ZERO if value is None else Decimal(value)


def project_months(
    project: ProjectIn, plans: Iterable[PlanIn], reports: Iterable[ReportIn], *, today: date
) -> list[dict[str, Any]]:
    """Every month's facts of one project: a list of ProjectMonth field dicts (project_id included)."""
    plans_by_year = {p.year: p for p in plans}
    reports = sorted(reports, key=lambda r: r.period)
    by_period = {r.period: r for r in reports}
    counted = [r for r in reports if r.counted]
    rows: list[dict[str, Any]] = []
    invested_periods = {r.period for r in counted if _money(r.month_investment) > 0}
    starts = _Starts(project, counted)
    for year in years_in_play(project, plans_by_year.values(), reports, today):
        plan = plans_by_year.get(year)
        category = yearly_category(project, year) or ""
        amount = plan.amount if plan is not None else None
        curve = plan_curve(plan) if plan is not None else None
        start_quarter = plan.start_quarter if plan is not None else None
        planned_start, planned_finish = project.planned_start, project.planned_finish
        new = category in NEW_CATEGORIES
        start_later_year = planned_start is not None and planned_start.year > year
        planned_new = new and not start_later_year
        completing = category in COMPLETING_CATEGORIES
        finish_later_year = planned_finish is not None and planned_finish.year > year
        q1_planned = start_quarter == 1 or (
            planned_start is not None and date(year, 1, 1) <= planned_start <= date(year, 3, 31)
        )
        cumulative_before = sum((_money(r.month_investment) for r in counted if r.period.year < year), ZERO)
        ytd = q1 = h1 = ZERO
        amounts: list[Decimal] = []
        invested_months = 0
        idle, previous_start = 0, None
        q1_start: date | None = None
        for month in range(1, 13):
            period = date(year, month, 1)
            end = month_end(period)
            report = by_period.get(period)
            is_counted = report is not None and report.counted
            invested = _money(report.month_investment) if report is not None and is_counted else ZERO
            ytd += invested
            amounts.append(invested)
            if month <= 3:
                q1 = ytd
            if month <= 6:
                h1 = ytd
            if invested > 0:
                invested_months += 1
            start_date, start_source = starts.as_of(end)
            started = start_date is not None
            if start_date is None:
                idle = 0
            elif month > 1 and start_date == previous_start:  # the same run as last month, one month longer
                idle = 0 if invested > 0 else min(idle + 1, MAX_IDLE_RUN)
            else:
                idle = _idle_run(period, start_date, invested_periods)
            previous_start = start_date
            if month <= 3:
                q1_start = start_date
            finished = project.actual_finish is not None and project.actual_finish <= end
            finished_before = project.actual_finish is not None and project.actual_finish < period
            active = project.stage not in NO_REPORT_STAGES
            expected = active and not finished_before and (started or plan is not None)
            due = (planned_start is not None and planned_start <= end) or (
                planned_start is None and start_quarter is not None and start_quarter <= month // 3
            )
            if curve is not None:
                to_date = sum(curve[:month], ZERO)
            elif amount is not None:
                to_date = (amount * month / 12).quantize(CENT)
            else:
                to_date = None
            stats_counted = project.stats_status == StatsStatus.COUNTED and (
                project.stats_month is None or project.stats_month <= end
            )
            rows.append(
                {
                    "project_id": project.pk,
                    "period": period,
                    "year": year,
                    "category": category,
                    "in_list": plan is not None,
                    "plan_current": plan.planned_investment if plan is not None else None,
                    "plan_baseline": plan.baseline_investment if plan is not None else None,
                    "plan": amount,
                    "plan_to_date": to_date,
                    "plan_by_month": curve is not None,
                    "start_quarter": start_quarter,
                    "expected": expected,
                    "reported": expected and is_counted,
                    "report_status": report.status if report is not None else "",
                    "submitted_at": report.submitted_at if report is not None else None,
                    "migrated": report is not None and report.migrated,
                    "month_investment": invested,
                    "ytd": ytd,
                    "q1": q1,
                    "h1": h1,
                    "cumulative": cumulative_before + ytd,
                    "invested_months": invested_months,
                    "idle_months": idle,
                    "started": started,
                    "start_date": start_date,
                    "start_source": start_source,
                    "planned_new": planned_new,
                    "unplanned_new": new and start_later_year,
                    "start_due": planned_new and due,
                    "late": planned_new and due and not started,
                    "early": planned_new and started and planned_start is not None and planned_start > end,
                    "q1_planned": q1_planned,
                    "q1_started": q1_planned and q1_start is not None,
                    "resumed": category in CONTINUING_CATEGORIES and invested_months > 0,
                    "completing": completing and not finish_later_year,
                    "finished": finished,
                    "early_completed": completing and finish_later_year and finished,
                    "operating": project.stage == Stage.OPERATING,
                    "stats_counted": stats_counted,
                    "name": project.name,
                    "unit_id": project.unit_id,
                    "domain": project.domain,
                    "chain_id": project.chain_id,
                    "total_investment": project.total_investment,
                    "levels": project.levels,
                    "light": "",
                    **{f"m{k:02d}": amounts[k - 1] if k <= month else ZERO for k in range(1, 13)},
                }
            )
    return rows


MAX_IDLE_RUN = 36


def _idle_run(period: date, start: date | None, invested: set[date]) -> int:
    """停滞: consecutive months up to `period`, from the start month on, without counted investment > 0 (capped)."""
    if start is None:
        return 0
    first = month_index(start)
    index, run = month_index(period), 0
    while index >= first and run < MAX_IDLE_RUN:
        if date(index // 12, index % 12 + 1, 1) in invested:
            break
        run += 1
        index -= 1
    return run
