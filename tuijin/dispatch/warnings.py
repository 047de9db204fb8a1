"""Warning lights (预警/亮灯, 红黄绿): configurable rules evaluated per project per month, stored with history.

Every active `WarningRule` is evaluated by the evaluator of its *dimension* (so a second rule of the same dimension
with other thresholds — e.g. a 三亚-style progress rule — needs no code), with its thresholds in `params`
(missing keys fall back to `DEFAULT_PARAMS`). Facts are read "as of the period": a project counts as started when
its actual start (or the first counted report with 已开工) falls on or before the period's last day, and as finished
when its actual finish lies before the period, so re-evaluating an old month gives that month's picture.

Rules (domain.md §3.6, 银川 2025; boundaries decided here, all configurable):

- start 开工 ``{"red_after_months": 3}``: planned to start in the period month or earlier and not started by its
  end → yellow; the N-th month late counts the planned month as month 1, N ≥ 3 → red. Started → green (only for
  projects planned or started in the period's year; long-running projects get no start light).
- progress 投资进度 ``{"yellow_pp": 10, "red_pp": 30}``: year-to-date investment (counted reports) as % of the annual
  plan against the schedule: the district's 序时进度 for the month (`schedule.py`; months elapsed / 12 when it set
  none), or the monthly plan curve cumulated to the period when the plan has one. The approved baseline is used
  (baseline_investment / baseline_monthly_plan), the current plan only until one exists. Behind by < 10 pp →
  green; 10 ≤ behind ≤ 30 → yellow; > 30 → red. Compared exactly (no rounding); percentages are rounded half-up
  to 2 decimals only in the explanation. Applies to projects with an annual plan > 0 for the year that are in
  construction or planned to start in the year.
- reporting 填报 ``{}``: a counted (submitted or approved) report submitted by the window's closing day → green;
  submitted after it → yellow (逾期提交); no report or still a draft after the closing day → red (逾期未报); the
  window not closed yet → green (explanation says it is not yet submitted). Applies to projects in construction and
  to 前期 projects with an annual plan for the year.
  A month whose report is 历史数据 (imported by the project office, facts.migrated) gets no reporting light.
- stalled 停滞 ``{"months": 2}``: projects in construction; the run of consecutive months up to the period
  (counting from the start month) without investment (no counted report, or month_investment ≤ 0): ≥ 2 → red,
  1 → yellow, 0 → green.
- statistics 纳统 ``{"yellow_after_months": 1, "red_after_months": 2}``: started and not counted (stats_status, with
  stats_month after the period meaning "not yet" then): whole months since the start month ≥ 1 → yellow, ≥ 2 →
  red; counted, or started in the period month → green.

Funds and 纳统 rules (thresholds in `funds.FundsSettings`, kept by the office; no params). "As of the period" means
as of its last day, or today for the month still running:

- funds_idle 资金闲置 ``{}``: money granted (a `FundApplication` 已下达 with its arrival date on or before then) and
  not paid at all: no payment ≥ `idle_months` months after arrival → red; ≥ `idle_months` − 1 months (when that is
  at least 1) → yellow; else green; any payment by then → green. Several grants: the worst.
- funds_start 资金下达后未按期开工 ``{}``: a grant with a 开工时限 and the project not started (facts): the deadline
  passed → red, not yet → green; started → green.
- stats_gap 统计口径差异 ``{}``: the month's 统计口径 figure entered (`funds.StatsFigure`) and the dispatch figure
  (facts `month_investment`) above it by more than the tolerance (`funds.stats.tolerance`: max(amount,
  pct% × 统计)) → yellow, by more than twice the tolerance → red; else green. No figure → no light.

A funds write (grant, payment, statistics figure) re-evaluates its project's lights after commit, and a statistics
figure is a source of the cached dashboard figures (`connect_funds_relight`).

A `LightOverride` for (project, period, rule) replaces the computed colour; the explanation keeps the computed text
plus "（人工调整：…）". Evaluating a period re-states it for the evaluated projects: lights are upserted, a light
whose rule no longer applies (e.g. the project was cancelled) is removed; other periods are never touched.
Projects in 谋划/储备/暂缓/取消 get no lights.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import reduce
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuijin.core.aftercommit import EarliestByKey, earliest
from tuijin.core.exceptions import ApplicationError
from tuijin.core.figures_cache import figures_changed, register_sources
from tuijin.core.locking import bump_version
from tuijin.core.periods import add_months, month_end, month_index, month_start, parse_month, ym, ymd
from tuijin.core.permissions import check_scope
from tuijin.facts.models import ProjectMonth
from tuijin.facts.rules import MAX_IDLE_RUN, NO_REPORT_STAGES
from tuijin.funds.choices import ApplicationStatus
from tuijin.funds.models import FundApplication, FundsSettings, StatsFigure
from tuijin.funds.stats import gap_level, tolerance
from tuijin.progress.choices import LightColor, WarningDimension
from tuijin.progress.models import LightOverride, ReportingPeriod, WarningLight, WarningRule
from tuijin.progress.services import COUNTED, period_for_reporting, reporting_period_get
from tuijin.projects.models import Project

from .schedule import LINEAR, ScheduleBook, schedule_book

__all__ = [
    "DEFAULT_PARAMS",
    "EXCLUDED_STAGES",
    "FUNDS_DIMENSIONS",
    "FUNDS_IDLE",
    "FUNDS_START",
    "STATS_GAP",
    "EvaluationResult",
    "UnitOverrideCount",
    "connect_funds_relight",
    "evaluate_period",
    "light_mismatches",
    "light_override_set",
    "light_resync",
    "override_counts_by_unit",
    "parse_period",
    "reports_outstanding",
    "worst_color",
]

logger = logging.getLogger(__name__)

# The funds dimensions (rules seeded by dispatch/migrations/0003_funds_warning_rules.py); thresholds in FundsSettings.
FUNDS_IDLE, FUNDS_START, STATS_GAP = "funds_idle", "funds_start", "stats_gap"
FUNDS_DIMENSIONS = (FUNDS_IDLE, FUNDS_START, STATS_GAP)

DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    WarningDimension.START: {"red_after_months": 3},
    WarningDimension.PROGRESS: {"yellow_pp": 10, "red_pp": 30},
    WarningDimension.REPORTING: {},
    WarningDimension.STALLED: {"months": 2},
    WarningDimension.STATISTICS: {"yellow_after_months": 1, "red_after_months": 2},
    FUNDS_IDLE: {},
    FUNDS_START: {},
    STATS_GAP: {},
}
EXCLUDED_STAGES = NO_REPORT_STAGES
EXPLANATION_MAX = 300
# Months of reports loaded before the period (at least back to January) for the stalled rule's run of months.
MAX_LOOKBACK_MONTHS = 36

_CENT = Decimal("0.01")
_ZERO = Decimal("0")
_HUNDRED = Decimal("100")


# --- dates and numbers -------------------------------------------------------------------------------------------


def _q2(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _money(value: Decimal) -> str:
    return f"{_q2(value):,.2f}"


def _plain(value: Decimal) -> str:
    """A threshold as people write it: 10, 12.5 (no trailing zeros, no exponent)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


parse_period = parse_month  # the commands' --period (tuijin.core.periods)


# --- rule parameters -----------------------------------------------------------------------------------------------


def _param_decimal(rule: WarningRule, key: str) -> Decimal:
    default = DEFAULT_PARAMS[rule.dimension][key]
    raw = (rule.params or {}).get(key, default)
    try:
        value = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        logger.warning("warning rule %s: invalid %s=%r, using %s", rule.code, key, raw, default)
        return Decimal(str(default))
    if not value.is_finite() or value < 0:
        logger.warning("warning rule %s: invalid %s=%r, using %s", rule.code, key, raw, default)
        return Decimal(str(default))
    return value


def _param_months(rule: WarningRule, key: str) -> int:
    return max(1, min(int(_param_decimal(rule, key)), MAX_LOOKBACK_MONTHS))


# --- facts -----------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Facts:
    """A project as the rules see it in the period: its record, and its month's row of tuijin.facts (every figure
    — start, 应报, year-to-date, plan, idle months — is read from there, never recomputed here)."""

    pk: int
    name: str
    unit_id: int
    stage: str
    planned_start: date | None
    actual_start: date | None
    actual_finish: date | None
    stats_status: str
    stats_month: date | None
    start: date | None = None  # 已开工 as of the period's end (facts.start_date)
    expected: bool = False  # 应报
    in_list: bool = False
    plan: Decimal | None = None
    plan_to_date: Decimal | None = None
    plan_by_month: bool = False
    ytd: Decimal = _ZERO
    month_investment: Decimal = _ZERO
    idle_months: int = 0
    report_status: str = ""
    submitted_at: datetime | None = None
    stats_counted: bool = False
    start_quarter: int | None = None  # the annual plan's planned start quarter (used when no planned date)
    region_path: str = ""  # the responsible unit's region (whose 序时进度 schedule applies)
    light: str | None = None  # the facts row's light as stored (None: the project has no row that month)
    migrated: bool = False  # the month's report is 历史数据 (imported): no lateness is judged on it


@dataclass(slots=True)
class _Grant:
    """Money granted to a project (an application 已下达), as of the period."""

    number: str
    batch: str
    approval_date: date
    arrived_on: date | None
    start_deadline: date | None
    first_paid: date | None  # the first payment on or before the cut-off


@dataclass
class _Context:
    period: date
    period_end: date
    today: date
    window: ReportingPeriod
    facts: list[_Facts] = field(default_factory=list)
    schedules: ScheduleBook | None = None  # the year's 序时进度 schedules by region
    # the funds rules' inputs (loaded only when one of them is active)
    funds_settings: FundsSettings | None = None
    grants: dict[int, list[_Grant]] = field(default_factory=dict)
    stats: dict[int, Decimal] = field(default_factory=dict)  # the month's 统计口径 figure by project

    @property
    def cutoff(self) -> date:
        """ "As of the period" for the funds rules: its last day, or today while the month runs."""
        return min(self.period_end, self.today)


def _active(facts: _Facts) -> bool:
    return facts.stage not in EXCLUDED_STAGES


def _finished_before(facts: _Facts, day: date) -> bool:
    return facts.actual_finish is not None and facts.actual_finish < day


def _in_construction(facts: _Facts, ctx: _Context) -> bool:
    return _active(facts) and facts.start is not None and not _finished_before(facts, ctx.period)


def _expects_report(facts: _Facts, ctx: _Context) -> bool:
    """应报 (tuijin.facts)."""
    return facts.expected


def _restricted(queryset: QuerySet, lookup: str, projects) -> QuerySet:
    if projects is None:
        return queryset
    return queryset.filter(**{f"{lookup}__in": projects})


def _project_ids(projects) -> Any:
    """None (all projects), a subquery of primary keys, or a list of them."""
    if projects is None:
        return None
    if isinstance(projects, QuerySet):
        return projects.order_by().values("pk")
    return [getattr(p, "pk", p) for p in projects]


_FACT_FIELDS = (
    "project_id",
    "start_date",
    "expected",
    "in_list",
    "plan",
    "plan_to_date",
    "plan_by_month",
    "ytd",
    "month_investment",
    "idle_months",
    "report_status",
    "submitted_at",
    "stats_counted",
    "start_quarter",
    "light",
    "migrated",
)


def _load(period: date, projects, *, today: date | None) -> _Context:
    """Every project with its facts row for the period: two queries whatever the number of projects."""
    ids = _project_ids(projects)
    ctx = _Context(
        period=period,
        period_end=month_end(period),
        today=today or timezone.localdate(),
        window=reporting_period_get(period),
    )
    rows = (
        _restricted(Project.objects.all(), "pk", ids)
        .order_by()
        .values_list(
            "pk",
            "name",
            "responsible_unit_id",
            "stage",
            "planned_start",
            "actual_start",
            "actual_finish",
            "stats_status",
            "stats_month",
            "responsible_unit__region__path",
        )
    )
    ctx.facts = []
    for *fields, region_path in rows:
        facts = _Facts(*fields)
        facts.region_path = region_path or ""
        ctx.facts.append(facts)
    ctx.schedules = schedule_book(period.year)
    month_rows = {
        row[0]: row
        for row in _restricted(ProjectMonth.objects.filter(period=period), "project_id", ids)
        .order_by()
        .values_list(*_FACT_FIELDS)
    }
    for facts in ctx.facts:
        row = month_rows.get(facts.pk)
        if row is None:
            # No row: the project is not in play that year (no plan, no report, not active): only a recorded actual
            # start can make it started, by the same rule (tuijin.facts.rules.start_as_of without reports).
            facts.start = facts.actual_start if facts.actual_start and facts.actual_start <= ctx.period_end else None
            continue
        (
            _pid,
            facts.start,
            facts.expected,
            facts.in_list,
            facts.plan,
            facts.plan_to_date,
            facts.plan_by_month,
            facts.ytd,
            facts.month_investment,
            facts.idle_months,
            facts.report_status,
            facts.submitted_at,
            facts.stats_counted,
            facts.start_quarter,
            facts.light,
            facts.migrated,
        ) = row
    return ctx


def _load_funds(ctx: _Context, ids) -> None:
    """The funds rules' inputs: the grants with their first payment, and the month's statistics figures (two
    queries)."""
    ctx.funds_settings = FundsSettings.current()
    cutoff = ctx.cutoff
    grants = (
        _restricted(FundApplication.objects.filter(status=ApplicationStatus.APPROVED), "project_id", ids)
        .filter(approval_date__lte=cutoff)
        .filter(Q(arrived_on__isnull=False) | Q(start_deadline__isnull=False))
        .annotate(first_paid=Min("payments__paid_on", filter=Q(payments__paid_on__lte=cutoff)))
        .order_by("project_id", "pk")
        .values_list(
            "project_id", "number", "batch__name", "approval_date", "arrived_on", "start_deadline", "first_paid"
        )
    )
    ctx.grants = {}
    for pid, *values in grants:
        ctx.grants.setdefault(pid, []).append(_Grant(*values))
    figures = _restricted(StatsFigure.objects.filter(month=ctx.period), "project_id", ids).order_by()
    ctx.stats = dict(figures.values_list("project_id", "stats_investment"))


# --- the rules -------------------------------------------------------------------------------------------------------

_Outcome = tuple[str, str] | None


def _rule_start(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    """开工: due by the planned start date, or — without one — by the end of the annual plan's planned start
    quarter (the facts' `start_due`, so every project counted 未按计划开工 gets this light)."""
    planned, when = facts.planned_start, ""
    if planned is None and facts.start_quarter:
        planned = date(ctx.period.year, facts.start_quarter * 3, 1)  # due when the quarter's last month ends
        when = _("%(y)d年第%(q)d季度") % {"y": ctx.period.year, "q": facts.start_quarter}
    if not _active(facts) or planned is None or planned > ctx.period_end:
        return None
    when = when or ym(planned)
    if facts.start is not None:
        if facts.start.year < ctx.period.year and planned.year < ctx.period.year:
            return None
        return LightColor.GREEN, _("计划于%(p)s开工，已于%(a)s开工。") % {"p": when, "a": ymd(facts.start)}
    late = month_index(ctx.period) - month_index(planned) + 1
    red_after = _param_months(rule, "red_after_months")
    values = {"p": when, "m": ctx.period.month, "n": late, "r": red_after}
    if late >= red_after:
        return LightColor.RED, _(
            "计划于%(p)s开工，截至%(m)d月底仍未开工，已连续%(n)d个月未按计划开工（连续%(r)d个月及以上为红灯）。"
        ) % values
    return LightColor.YELLOW, _(
        "计划于%(p)s开工，截至%(m)d月底尚未开工，已连续%(n)d个月未按计划开工（连续%(r)d个月为红灯）。"
    ) % values


def _rule_progress(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    plan = facts.plan
    if not _active(facts) or plan is None or plan <= 0:
        return None
    if _finished_before(facts, date(ctx.period.year, 1, 1)):
        return None
    planned_this_year = facts.planned_start is not None and facts.planned_start.year == ctx.period.year
    if not (_in_construction(facts, ctx) or planned_this_year):
        return None
    elapsed = ctx.period.month
    ytd = facts.ytd
    # The schedule as an exact fraction numerator / denominator (万元), so boundaries compare without rounding.
    if facts.plan_by_month and facts.plan_to_date is not None:
        numerator, denominator = facts.plan_to_date, Decimal(1)
        label = _("序时进度（按月度计划）")
    else:
        curve = ctx.schedules.curve(facts.region_path) if ctx.schedules is not None else LINEAR
        if curve.custom:  # the district's schedule: numerator / denominator = plan × its % ÷ 100
            numerator, denominator = plan * curve.at(elapsed), _HUNDRED
        else:
            numerator, denominator = plan * elapsed, Decimal(12)
        label = _("序时进度")
    yellow, red = _param_decimal(rule, "yellow_pp"), _param_decimal(rule, "red_pp")
    shortfall = _HUNDRED * (numerator - denominator * ytd)  # = behind_pp × denominator × plan
    scale = denominator * plan
    if shortfall > red * scale:
        color = LightColor.RED
    elif shortfall >= yellow * scale:
        color = LightColor.YELLOW
    else:
        color = LightColor.GREEN
    expected = _q2(_HUNDRED * numerator / scale)
    actual = _q2(_HUNDRED * ytd / plan)
    values = {
        "m": elapsed,
        "ytd": _money(ytd),
        "rate": actual,
        "label": label,
        "exp": expected,
        "gap": abs(expected - actual),
        "y": _plain(yellow),
        "r": _plain(red),
    }
    text = _("截至%(m)d月累计完成投资 %(ytd)s 万元，占年度计划 %(rate)s%%，") % values
    if shortfall > 0:
        text += _("低于%(label)s %(exp)s%% 共 %(gap)s 个百分点") % values
        text += {
            LightColor.RED: _("（超过%(r)s个百分点为红灯）"),
            LightColor.YELLOW: _("（低于%(y)s–%(r)s个百分点为黄灯）"),
            LightColor.GREEN: _("（落后不足%(y)s个百分点为绿灯）"),
        }[color] % values
    elif shortfall == 0:
        text += _("与%(label)s %(exp)s%% 持平") % values
    else:
        text += _("高于%(label)s %(exp)s%% 共 %(gap)s 个百分点") % values
    return color, text


def _rule_reporting(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    if not _expects_report(facts, ctx) or facts.migrated:
        return None  # 历史数据: imported as already approved, never submitted on the platform — no lateness to judge
    closes = ctx.window.closes_on
    values = {"p": ym(ctx.period), "c": ymd(closes)}
    if facts.report_status in COUNTED:
        if facts.submitted_at is None:
            return LightColor.GREEN, _("%(p)s月报已提交。") % values
        submitted = timezone.localdate(facts.submitted_at)
        values["s"] = ymd(submitted)
        if submitted > closes:
            return LightColor.YELLOW, _("%(p)s月报于%(s)s提交，晚于填报截止日%(c)s（逾期提交为黄灯）。") % values
        return LightColor.GREEN, _("%(p)s月报已于%(s)s按时提交（截止%(c)s）。") % values
    state = _("草稿未提交") if facts.report_status else _("未填报")
    values["state"] = state
    if ctx.today > closes:
        return LightColor.RED, _("%(p)s月报填报已于%(c)s截止，仍未提交（%(state)s）。") % values
    return LightColor.GREEN, _("%(p)s月报填报截止日为%(c)s，尚未截止（目前%(state)s）。") % values


def _rule_stalled(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    if not _in_construction(facts, ctx):
        return None
    assert facts.start is not None  # noqa: S101 - implied by _in_construction
    red_after = _param_months(rule, "months")
    run = facts.idle_months
    if run == 0:
        return LightColor.GREEN, _("%(m)d月完成投资 %(x)s 万元。") % {
            "m": ctx.period.month,
            "x": _money(facts.month_investment),
        }
    truncated = run >= MAX_IDLE_RUN  # the facts count at most MAX_IDLE_RUN months back
    if run == 1:
        months = ym(ctx.period)
    else:
        months = _("%(from)s至%(to)s连续%(n)d个月") % {
            "from": ym(add_months(ctx.period, -(run - 1))),
            "to": ym(ctx.period),
            "n": run,
        }
    values = {"months": months, "r": red_after, "more": _("及以上") if truncated else ""}
    if run >= red_after:
        return LightColor.RED, _("在建项目%(months)s%(more)s无投资完成（连续%(r)d个月及以上为红灯）。") % values
    return LightColor.YELLOW, _("在建项目%(months)s无投资完成（连续%(r)d个月为红灯）。") % values


def _rule_statistics(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    if not _active(facts) or facts.start is None or _finished_before(facts, ctx.period):
        return None
    if facts.stats_counted:
        if facts.stats_month is not None:
            return LightColor.GREEN, _("已于%(s)s纳统入库。") % {"s": ym(facts.stats_month)}
        return LightColor.GREEN, _("已纳统入库。")
    months = month_index(ctx.period) - month_index(facts.start)
    yellow, red = _param_months(rule, "yellow_after_months"), _param_months(rule, "red_after_months")
    values = {"s": ymd(facts.start), "n": months, "y": yellow, "r": red}
    if months < yellow:
        return LightColor.GREEN, _("%(s)s开工，开工不满%(y)d个月，尚未纳统入库。") % values
    if months >= red:
        return LightColor.RED, _("%(s)s开工，已%(n)d个月未纳统入库（%(r)d个月及以上为红灯）。") % values
    return LightColor.YELLOW, _("%(s)s开工，已%(n)d个月未纳统入库（%(r)d个月及以上为红灯）。") % values


def _months_after(day: date, months: int) -> date:
    """The same day `months` months later (the month's last day when it has no such day)."""
    first = add_months(day, months)
    return first.replace(day=min(day.day, month_end(first).day))


def _worst(outcomes: list[tuple[str, str]]) -> _Outcome:
    return max(outcomes, key=lambda o: _WEIGHT.get(o[0], 0)) if outcomes else None


def _rule_funds_idle(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    cutoff = ctx.cutoff
    grants = [g for g in ctx.grants.get(facts.pk, ()) if g.arrived_on is not None and g.arrived_on <= cutoff]
    if not _active(facts) or not grants:
        return None
    assert ctx.funds_settings is not None  # noqa: S101 - loaded with the grants
    months = max(1, int(ctx.funds_settings.idle_months))
    outcomes: list[tuple[str, str]] = []
    for g in grants:
        assert g.arrived_on is not None  # noqa: S101 - filtered above
        due = _months_after(g.arrived_on, months)
        values = {"b": g.batch, "a": ymd(g.arrived_on), "n": months, "d": ymd(due)}
        if g.first_paid is not None:
            values["p"] = ymd(g.first_paid)
            outcomes.append((LightColor.GREEN, _("“%(b)s”资金于%(a)s到位，已于%(p)s开始支付。") % values))
        elif cutoff >= due:
            outcomes.append(
                (
                    LightColor.RED,
                    _("“%(b)s”资金于%(a)s到位，满%(n)d个月仍未支付（到位后%(n)d个月内须支付，未支付为红灯）。")
                    % values,
                )
            )
        elif months > 1 and cutoff >= _months_after(g.arrived_on, months - 1):
            values["y"] = months - 1
            outcomes.append(
                (
                    LightColor.YELLOW,
                    _("“%(b)s”资金于%(a)s到位，已满%(y)d个月仍未支付，须于%(d)s前支付（逾期为红灯）。") % values,
                )
            )
        else:
            outcomes.append((LightColor.GREEN, _("“%(b)s”资金于%(a)s到位，尚未支付，须于%(d)s前支付。") % values))
    return _worst(outcomes)


def _rule_funds_start(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    deadlines = [g for g in ctx.grants.get(facts.pk, ()) if g.start_deadline is not None]
    if not _active(facts) or not deadlines:
        return None
    grant = min(deadlines, key=lambda g: g.start_deadline or date.max)
    assert grant.start_deadline is not None  # noqa: S101 - filtered above
    values = {"b": grant.batch, "d": ymd(grant.start_deadline)}
    if facts.start is not None:
        values["s"] = ymd(facts.start)
        return LightColor.GREEN, _("“%(b)s”资金下达，开工时限%(d)s，已于%(s)s开工。") % values
    if ctx.cutoff > grant.start_deadline:
        values["c"] = ymd(ctx.cutoff)
        return LightColor.RED, _("“%(b)s”资金下达后须于%(d)s前开工，截至%(c)s仍未开工。") % values
    return LightColor.GREEN, _("“%(b)s”资金下达后须于%(d)s前开工，尚未开工。") % values


def _rule_stats_gap(rule: WarningRule, facts: _Facts, ctx: _Context) -> _Outcome:
    stats = ctx.stats.get(facts.pk)
    if stats is None or not _active(facts):
        return None
    dispatch = facts.month_investment
    level = gap_level(dispatch, stats, ctx.funds_settings)
    allowed = tolerance(stats, ctx.funds_settings)
    values = {
        "m": ctx.period.month,
        "d": _money(dispatch),
        "s": _money(stats),
        "g": _money(abs(dispatch - stats)),
        "t": _money(allowed),
    }
    text = _("%(m)d月调度口径完成投资 %(d)s 万元，统计口径 %(s)s 万元") % values
    if level == "red":
        return LightColor.RED, text + _("，调度数高出 %(g)s 万元，超过容忍度 %(t)s 万元的2倍（红灯）。") % values
    if level == "yellow":
        return LightColor.YELLOW, text + _("，调度数高出 %(g)s 万元，超过容忍度 %(t)s 万元（超过2倍为红灯）。") % values
    return LightColor.GREEN, text + _("，差异在容忍度 %(t)s 万元以内。") % values


_EVALUATORS: dict[str, Callable[[WarningRule, _Facts, _Context], _Outcome]] = {
    WarningDimension.START: _rule_start,
    WarningDimension.PROGRESS: _rule_progress,
    WarningDimension.REPORTING: _rule_reporting,
    WarningDimension.STALLED: _rule_stalled,
    WarningDimension.STATISTICS: _rule_statistics,
    FUNDS_IDLE: _rule_funds_idle,
    FUNDS_START: _rule_funds_start,
    STATS_GAP: _rule_stats_gap,
}


# --- evaluation ------------------------------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """What one evaluation did: counts of lights by colour and of rows created / updated / unchanged / removed."""

    period: date
    projects: int = 0
    rules: int = 0
    lights: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    overridden: int = 0
    colors: dict[str, int] = field(default_factory=lambda: {c.value: 0 for c in LightColor})
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe (a task's return value)."""
        return {
            "period": self.period.isoformat(),
            "projects": self.projects,
            "rules": self.rules,
            "lights": self.lights,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "overridden": self.overridden,
            "colors": dict(self.colors),
            "seconds": round(self.seconds, 3),
        }

    def summary(self) -> str:
        return _(
            "%(p)s：评估 %(n)d 个项目，亮灯 %(l)d 个（红 %(r)d、黄 %(y)d、绿 %(g)d，人工调整 %(o)d），"
            "新增 %(c)d、更新 %(u)d、未变 %(k)d、移除 %(d)d，用时 %(s).2f 秒"
        ) % {
            "p": ym(self.period),
            "n": self.projects,
            "l": self.lights,
            "r": self.colors[LightColor.RED],
            "y": self.colors[LightColor.YELLOW],
            "g": self.colors[LightColor.GREEN],
            "o": self.overridden,
            "c": self.created,
            "u": self.updated,
            "k": self.unchanged,
            "d": self.deleted,
            "s": self.seconds,
        }


def _with_override(explanation: str, override_row: tuple[str, str, str]) -> tuple[str, str]:
    color, reason_code, reason = override_row
    reasons = dict(LightOverride.REASONS)
    suffix = _("（人工调整：%(code)s，%(reason)s）") % {"code": reasons.get(reason_code, reason_code), "reason": reason}
    text = explanation + suffix
    if len(text) > EXPLANATION_MAX:
        text = text[: EXPLANATION_MAX - 1] + "…"
    return color, text


def evaluate_period(period: date, *, projects=None, today: date | None = None) -> EvaluationResult:
    """Evaluate every active rule for the month of `period` for all projects (or `projects`: a queryset or a list of
    projects / primary keys) and store the lights (upsert per project, period and rule; stale ones removed).

    `today` (default: the local date) only decides whether the reporting window has closed.
    """
    began = time.monotonic()
    period = month_start(period)
    result = EvaluationResult(period=period)
    with translation.override(settings.LANGUAGE_CODE):
        rules = [r for r in WarningRule.objects.filter(is_active=True) if r.dimension in _EVALUATORS]
        ctx = _load(period, projects, today=today)
        if any(r.dimension in FUNDS_DIMENSIONS for r in rules):
            _load_funds(ctx, _project_ids(projects))
        desired: dict[tuple[int, int], tuple[str, str]] = {}
        for facts in ctx.facts:
            for rule in rules:
                outcome = _EVALUATORS[rule.dimension](rule, facts, ctx)
                if outcome is not None:
                    desired[(facts.pk, rule.pk)] = (str(outcome[0]), outcome[1][:EXPLANATION_MAX])
        ids = _project_ids(projects)
        rule_ids = [r.pk for r in rules]
        overrides = _restricted(
            LightOverride.objects.filter(period=period, rule_id__in=rule_ids), "project_id", ids
        ).values_list("project_id", "rule_id", "color", "reason_code", "reason")
        for pid, rid, color, reason_code, reason in overrides:
            key = (pid, rid)
            if key in desired:
                desired[key] = _with_override(desired[key][1], (color, reason_code, reason))
                result.overridden += 1
        existing_rows = (
            _restricted(WarningLight.objects.filter(period=period, rule_id__in=rule_ids), "project_id", ids)
            .order_by()
            .values_list("pk", "project_id", "rule_id", "color", "explanation")
        )
        existing = {(pid, rid): (pk, color, text) for pk, pid, rid, color, text in existing_rows}
    stale = [row[0] for key, row in existing.items() if key not in desired]
    now = timezone.now()
    lights = [
        WarningLight(project_id=pid, period=period, rule_id=rid, color=color, explanation=text, evaluated_at=now)
        for (pid, rid), (color, text) in desired.items()
    ]
    with transaction.atomic():
        figures_changed()  # the bulk writes below send no signals
        for start in range(0, len(stale), 500):
            WarningLight.objects.filter(pk__in=stale[start : start + 500]).delete()
        WarningLight.objects.bulk_create(
            lights,
            update_conflicts=True,
            unique_fields=["project", "period", "rule"],
            update_fields=["color", "explanation", "evaluated_at"],
        )
        _store_worst(period, ctx.facts, desired)
    for key, (color, text) in desired.items():
        result.colors[color] = result.colors.get(color, 0) + 1
        before = existing.get(key)
        if before is None:
            result.created += 1
        elif (before[1], before[2]) != (color, text):
            result.updated += 1
        else:
            result.unchanged += 1
    result.projects, result.rules, result.lights, result.deleted = len(ctx.facts), len(rules), len(desired), len(stale)
    result.seconds = time.monotonic() - began
    logger.info("warning lights %s", result.as_dict())
    return result


_WEIGHT: dict[str, int] = {LightColor.RED: 3, LightColor.YELLOW: 2, LightColor.GREEN: 1}


def worst_color(colors) -> str:
    """The worst of these light colours (red > yellow > green); "" for none."""
    return max(colors, key=lambda color: _WEIGHT.get(color, 0), default="")


def _store_worst(period: date, evaluated: list[_Facts], desired: dict[tuple[int, int], tuple[str, str]]) -> None:
    """Each evaluated project's light in effect that month (its worst colour, overrides applied) onto its facts row
    (tuijin.facts `light`), where it changed: the dashboard counts and lists red / yellow from there."""
    colors: dict[int, list[str]] = {}
    for (pid, _rid), (color, _text) in desired.items():
        colors.setdefault(pid, []).append(color)
    changed: dict[str, list[int]] = {}
    for facts in evaluated:
        if facts.light is None:  # no facts row that month
            continue
        worst = worst_color(colors.get(facts.pk, ()))
        if worst != facts.light:
            changed.setdefault(worst, []).append(facts.pk)
    for color, ids in changed.items():
        for start in range(0, len(ids), 1000):
            ProjectMonth.objects.filter(period=period, project_id__in=ids[start : start + 1000]).update(light=color)


def _stored_worst(period: date | None) -> tuple[dict[tuple[int, date], str], dict[tuple[int, date], str]]:
    """(facts rows' light, worst colour of the stored lights of the active rules), per (project, month)."""
    rows = ProjectMonth.objects.all() if period is None else ProjectMonth.objects.filter(period=month_start(period))
    stored = {(pid, p): light for pid, p, light in rows.order_by().values_list("project_id", "period", "light")}
    lights = WarningLight.objects.filter(rule__is_active=True)
    if period is not None:
        lights = lights.filter(period=month_start(period))
    colors: dict[tuple[int, date], list[str]] = {}
    for pid, p, color in lights.order_by().values_list("project_id", "period", "color"):
        colors.setdefault((pid, p), []).append(color)
    return stored, {key: worst_color(colors.get(key, ())) for key in stored}


def light_mismatches(period: date | None = None) -> list[str]:
    """Facts rows whose `light` differs from the worst colour of the stored lights of the active rules (empty when
    kept exact)."""
    stored, wanted = _stored_worst(period)
    return [f"{key}: light {stored[key]!r} ≠ {wanted[key]!r}" for key in sorted(stored) if stored[key] != wanted[key]]


def light_resync(period: date | None = None) -> int:
    """Repair: set the facts rows' `light` from the stored lights (after lights were written other than by
    `evaluate_period`, e.g. restored from a backup). Returns the number of rows changed."""
    stored, wanted = _stored_worst(period)
    changed = 0
    with transaction.atomic():
        figures_changed([])  # the dashboards read `light`
        for (pid, p), light in wanted.items():
            if stored[(pid, p)] != light:
                ProjectMonth.objects.filter(project_id=pid, period=p).update(light=light)
                changed += 1
    return changed


def reports_outstanding(period: date, *, projects=None, today: date | None = None) -> dict[int, dict[str, Any]]:
    """Projects expected to report for `period` (see the reporting rule) without a submitted report: project id →
    {"name", "unit_id", "state": "draft" | "missing"}. A fixed number of queries."""
    period = month_start(period)
    ctx = _load(period, projects, today=today)
    outstanding: dict[int, dict[str, Any]] = {}
    for facts in ctx.facts:
        if not _expects_report(facts, ctx):
            continue
        if facts.report_status in COUNTED:
            continue
        outstanding[facts.pk] = {
            "name": facts.name,
            "unit_id": facts.unit_id,
            "state": "draft" if facts.report_status else "missing",
        }
    return outstanding


# --- overrides -------------------------------------------------------------------------------------------------------


@transaction.atomic
def light_override_set(
    *,
    actor,
    project: Project,
    period: date,
    rule: WarningRule | str,
    color: str,
    reason_code: str,
    reason: str,
    recovery_plan: str,
    version: int | None = None,
) -> LightOverride:
    """Set (or change) the manual colour of a project's light for a month and re-evaluate that project.

    Needs progress.add_lightoverride (progress.change_lightoverride to change one) within the actor's scope, a reason
    and a plan back to green; a rule that gives the project no light that month cannot be overridden. `version`: the
    override's version the user changed (None: as read); a change made meanwhile is a ConflictError.
    """
    period = month_start(period)
    if isinstance(rule, str):
        rule = WarningRule.objects.get(code=rule)
    reason, recovery_plan = (reason or "").strip(), (recovery_plan or "").strip()
    errors: dict[str, list[str]] = {}
    if color not in LightColor.values:
        errors.setdefault("color", []).append(_("请选择调整后的颜色。"))
    if reason_code not in dict(LightOverride.REASONS):
        errors.setdefault("reason_code", []).append(_("请选择原因类别。"))
    if not reason:
        errors.setdefault("reason", []).append(_("人工调整亮灯须说明原因。"))
    if not recovery_plan:
        errors.setdefault("recovery_plan", []).append(_("人工调整亮灯须填写转绿计划（时间表、措施、责任人）。"))
    if errors:
        raise ValidationError(errors)
    override = LightOverride.objects.filter(project=project, period=period, rule=rule).first()
    action = "change" if override is not None else "add"
    if actor is None or not actor.has_perm(f"progress.{action}_lightoverride"):
        raise PermissionDenied(_("您没有调整亮灯的权限。"))
    creating = override is None
    if override is None:
        override = LightOverride(project=project, period=period, rule=rule)
    expected = override.version if version is None else version
    override.color, override.reason_code, override.reason = color, reason_code, reason[:300]
    override.recovery_plan, override.actor = recovery_plan[:300], actor
    override._changelog_message = _("人工调整亮灯：%(r)s") % {"r": reason[:100]}
    if creating:
        override.save()
    else:
        bump_version(
            override,
            expected_version=expected,
            message=_("该亮灯调整已被他人修改（您修改的是第 %(mine)d 版，当前为第 %(now)d 版），请刷新后查看。"),
        )
    check_scope(actor, override, action, message=_("该项目不在您的管理范围内。"))
    evaluate_period(period, projects=[project.pk])
    if not WarningLight.objects.filter(project=project, period=period, rule=rule).exists():
        raise ApplicationError(
            _("该项目在%(p)s没有“%(r)s”预警灯，无需人工调整。") % {"p": ym(period), "r": rule.name}, code="no_light"
        )
    return override


@dataclass(frozen=True)
class UnitOverrideCount:
    unit_id: int
    unit_name: str
    total: int
    to_green: int
    to_yellow: int
    to_red: int


def override_counts_by_unit(user, year: int) -> list[UnitOverrideCount]:
    """Manual overrides in `year` per responsible unit (most first), only over the overrides `user` may view."""
    rows = (
        LightOverride.objects.restrict(user, "view")
        .filter(period__year=year)
        .order_by()
        .values("project__responsible_unit_id", "project__responsible_unit__name")
        .annotate(
            total=Count("pk"),
            green=Count("pk", filter=Q(color=LightColor.GREEN)),
            yellow=Count("pk", filter=Q(color=LightColor.YELLOW)),
            red=Count("pk", filter=Q(color=LightColor.RED)),
        )
        .order_by("-total", "project__responsible_unit__name")
    )
    return [
        UnitOverrideCount(
            r["project__responsible_unit_id"],
            r["project__responsible_unit__name"],
            r["total"],
            r["green"],
            r["yellow"],
            r["red"],
        )
        for r in rows
    ]


# --- kept current --------------------------------------------------------------------------------------------------


def relight(project_ids: list[int], since: date | None = None, *, today: date | None = None) -> list[date]:
    """Re-evaluate these projects' lights from `since` on (None: every month they have lights for), and for the
    month being reported now: the months whose facts a committed write changed. Returns the months evaluated."""
    if not project_ids:
        return []
    lit = WarningLight.objects.filter(project_id__in=project_ids)
    if since is not None:
        lit = lit.filter(period__gte=month_start(since))
    periods = set(lit.order_by().values_list("period", flat=True).distinct())
    current = period_for_reporting(today)
    if since is None or current >= month_start(since):
        periods.add(current)
    for period in sorted(periods):
        evaluate_period(period, projects=project_ids, today=today)
    return sorted(periods)


def on_facts_changed(sender, project_ids: list[int], since: date | None = None, **kwargs) -> None:
    """tuijin.facts announced (after commit) that these projects' facts changed: their lights follow at once."""
    relight(project_ids, since)


def _relight_pending(pending: dict[int, date | None]) -> None:
    """Every project a committed transaction touched, from the earliest month any of them changed: one evaluation
    per month for all of them (an import of a thousand 纳统 figures relights once, not a thousand times)."""
    since = reduce(earliest, pending.values())
    relight(sorted(pending), since)


_relight_after_commit = EarliestByKey(_relight_pending, name="relight")


def _relight_later(project_id: int, since: date | None) -> None:
    _relight_after_commit.add([project_id], since)


def _on_application_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw or instance.status != ApplicationStatus.APPROVED:
        return
    _relight_later(instance.project_id, instance.arrived_on or instance.approval_date)


def _on_payment_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    _relight_later(instance.application.project_id, instance.paid_on)


def _on_stats_changed(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    _relight_later(instance.project_id, instance.month)


def connect_funds_relight() -> None:
    """Lights follow the funds writes: a grant, a payment or a statistics figure re-evaluates its project's lights
    from its month on, after commit (the facts do the same for reports; these are not facts)."""
    post_save.connect(_on_application_saved, sender=FundApplication, dispatch_uid="dispatch-relight-grant")
    post_save.connect(_on_payment_changed, sender="funds.FundPayment", dispatch_uid="dispatch-relight-payment")
    post_delete.connect(_on_payment_changed, sender="funds.FundPayment", dispatch_uid="dispatch-relight-payment-del")
    post_save.connect(_on_stats_changed, sender=StatsFigure, dispatch_uid="dispatch-relight-stats")
    register_sources("funds.StatsFigure")  # the dashboard's 统计口径 total (dashboard.stats_totals) is cached


# Connected on import (DispatchConfig.ready imports this module); dispatch_uid keeps it to one connection.
connect_funds_relight()
