"""对标对表 figures, each defined once here (rules on docs/figures.md, section 对标对表).

- The district's own value of an indicator, month by month: a value entered for the region marked 本区 (统计局口径)
  wins; otherwise, for an indicator the platform knows (`Indicator.platform_source`), the platform's value
  (平台口径), read only from the facts layer (`tuijin.facts`: 固投 and 工业投资 from the year-to-date completed
  investment of the annual-plan projects, 开工 from the started new projects) and from the 招商 figures
  (`tuijin.investment`: 签约 from `kpis.kpi_summary`, 投产 from the leads' 投产时间).
- The gap to each peer (at the latest month both have) and to the district's target, signed so that a positive gap
  means the district is behind.
- The pace needed for the rest of the year to reach the target.
- The projects that would close a gap (`closing`): the annual-plan projects below their 序时计划 for growth
  indicators, the planned new projects not yet started for 开工.

The benchmark figures are the district's: everyone who may read them sees the same numbers. Only the names in a
list of projects depend on the reader (`Project.objects.restrict(user, "view")`); the others are counted.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.periods import previous_month
from tuijin.facts.figures import FIGURES as FACT_FIGURES
from tuijin.facts.models import ProjectMonth
from tuijin.investment.choices import PRODUCING_OR_LATER
from tuijin.investment.kpis import KpiPeriod, kpi_summary
from tuijin.investment.models import Lead
from tuijin.projects.choices import ProjectDomain
from tuijin.projects.models import Project

from .choices import Frequency, IndicatorKind, PlatformSource
from .models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion

__all__ = [
    "CLOSABLE",
    "ENTERED",
    "GROWTH_SOURCES",
    "PLATFORM",
    "Board",
    "Closing",
    "ClosingProject",
    "Comparison",
    "Pace",
    "PeerGap",
    "Point",
    "available_months",
    "closing",
    "fmt",
    "growth",
    "investment_amounts",
    "orient",
    "period_label",
    "production_counts",
    "signing_counts",
    "start_counts",
    "unit_label",
]

ZERO = Decimal(0)
ONE_PLACE = Decimal("0.1")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

ENTERED = "entered"  # a value entered or imported (for 本区: 统计局口径)
PLATFORM = "platform"  # computed by the platform (平台口径)
GROWTH_SOURCES = frozenset({PlatformSource.INVESTMENT_GROWTH, PlatformSource.INDUSTRIAL_GROWTH})
COUNT_SOURCES = frozenset({PlatformSource.STARTS, PlatformSource.SIGNINGS, PlatformSource.PRODUCTIONS})
QUARTER_ENDS = (3, 6, 9, 12)
CLOSABLE = GROWTH_SOURCES | {PlatformSource.STARTS}  # the indicators with a list of projects that close a gap


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | int | None) -> str:
    """A value as people write it: 15.30 → "15.3", 12 → "12", None → "—"."""
    if value is None:
        return "—"
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):f}"
    return f"{number.normalize():f}"


def unit_label(indicator: Indicator) -> str:
    """What a gap of the indicator is counted in: 个百分点 (growth, share), 个 (count), 亿元 (amount)."""
    if indicator.kind == IndicatorKind.COUNT:
        return _("个")
    if indicator.kind == IndicatorKind.AMOUNT:
        return _("亿元")
    return _("个百分点")


def period_label(indicator: Indicator, month: int) -> str:
    """ "1—6月" (cumulative months), "1月", or "二季度" for a quarterly indicator."""
    if indicator.frequency == Frequency.QUARTER and month in QUARTER_ENDS:
        return [_("一季度"), _("上半年"), _("前三季度"), _("全年")][month // 3 - 1]
    return _("1月") if month == 1 else _("1—%(m)d月") % {"m": month}


def available_months(year: int, today: date | None = None) -> int:
    """The last month of `year` the platform gives a value for: the months ended before the one being reported now
    (last month, as the monthly reports are filed in the first days of the next month); 12 for a past year, 0 for a
    future one."""
    last = previous_month(today or timezone.localdate())
    if year < last.year:
        return 12
    if year == last.year:
        return last.month
    return 0


def growth(current: Decimal, previous: Decimal) -> Decimal | None:
    """累计增速: (current ÷ previous − 1) × 100, rounded half up to one decimal; None when previous ≤ 0."""
    if previous is None or previous <= 0:
        return None
    return _round((Decimal(current) - previous) * HUNDRED / previous, ONE_PLACE)


# --------------------------------------------------------------------------------------------------------------
# The platform's figures (read from the facts layer and the 招商 figures, never computed anew)


def investment_amounts(year: int, *, industry: bool = False) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """(C, L): the completed investment of the year to each month (Σ `ytd` of that month's rows of the annual-plan
    projects, the 驾驶舱's 年初至今完成) for `year` and for the year before; `industry` keeps the projects whose
    投资领域 is 产业. One query."""
    rows = ProjectMonth.objects.filter(FACT_FIGURES["listed"].condition, year__in=(year - 1, year))
    if industry:
        rows = rows.filter(domain=ProjectDomain.INDUSTRY)
    this: dict[int, Decimal] = {}
    last: dict[int, Decimal] = {}
    for row in rows.order_by().values("period").annotate(total=Sum("ytd")):
        target = this if row["period"].year == year else last
        target[row["period"].month] = row["total"] or ZERO
    return this, last


def start_counts(year: int) -> dict[int, int]:
    """新开工项目数 to each month: the facts figure 新开工项目中已开工 (`started_new`) of that month. One query."""
    rows = ProjectMonth.objects.filter(FACT_FIGURES["started_new"].condition, year=year)
    return {r["period"].month: r["n"] for r in rows.order_by().values("period").annotate(n=Count("pk"))}


def signing_counts(year: int, today: date | None = None) -> dict[int, int]:
    """签约项目数 from January to each month: the 招商驾驶舱's 签约项目数 of the district (`kpis.kpi_summary` over
    every lead), cumulated over its months."""
    summary = kpi_summary(Lead.objects.all(), KpiPeriod(year), today)
    counts, running = {}, 0
    for group in summary.by_month:
        running += group.count
        counts[int(group.key)] = running
    return counts


def production_counts(year: int) -> dict[int, int]:
    """投产项目数 from January to each month: leads now at 投产 or 达产 whose 投产时间 falls in the year up to that
    month. One query."""
    rows = (
        Lead.objects.filter(stage__in=PRODUCING_OR_LATER, production_date__year=year)
        .annotate(month=ExtractMonth("production_date"))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
    )
    by_month = {r["month"]: r["n"] for r in rows}
    counts, running = {}, 0
    for month in range(1, 13):
        running += by_month.get(month, 0)
        counts[month] = running
    return counts


# --------------------------------------------------------------------------------------------------------------
# Comparisons


@dataclass
class Point:
    """One month's value of one region's series."""

    month: int
    value: Decimal | None
    basis: str  # ENTERED or PLATFORM
    reason: str = ""  # why the value is None
    record: IndicatorValue | None = None  # the entered row (source, 发布日期)

    @property
    def basis_label(self) -> str:
        return _("统计局口径") if self.basis == ENTERED else _("平台口径")


@dataclass
class PeerGap:
    region: PeerRegion
    point: Point | None  # the peer's value used (None: nothing entered up to the month)
    self_point: Point | None  # the district's value at the same month
    gap: Decimal | None  # > 0: the district is behind
    reason: str = ""
    amount: Decimal | None = None  # growth from the platform: the extra 万元 that would close the gap now

    @property
    def month(self) -> int | None:
        return self.point.month if self.point is not None and self.gap is not None else None

    @property
    def behind(self) -> bool:
        return self.gap is not None and self.gap > 0


@dataclass
class Pace:
    """What the rest of the year needs to reach the target."""

    text: str
    required: Decimal | None = None  # per remaining month (quarter for quarterly entered indicators)
    current: Decimal | None = None  # the average so far (same unit)
    unit: str = ""
    remaining: int = 0
    needed_total: Decimal | None = None  # growth from the platform: the full-year amount N (万元)


@dataclass
class ClosingProject:
    project_id: int
    name: str
    unit: str
    shortfall: Decimal | None = None  # 万元 below the 序时计划 (growth)
    points: Decimal | None = None  # the points it closes (growth)
    start_quarter: int | None = None  # 开工: the planned start quarter
    visible: bool = True


@dataclass
class Closing:
    against: str  # "target" or a region pk
    against_label: str
    month: int
    gap: Decimal
    projects: list[ClosingProject] = field(default_factory=list)  # the ones the reader may see
    count: int = 0  # projects taken (visible or not)
    hidden: int = 0  # taken but outside the reader's scope
    covered: Decimal = ZERO  # what they close together
    enough: bool = False
    text: str = ""


@dataclass
class Comparison:
    indicator: Indicator
    year: int
    month: int
    series: dict[int, Point]  # the district's values (month → point)
    self_point: Point | None  # the latest up to `month`
    target: IndicatorTarget | None
    target_gap: Decimal | None
    peers: list[PeerGap]
    peer_series: dict[int, dict[int, Point]]  # region pk → month → point
    pace: Pace | None
    amounts: tuple[dict[int, Decimal], dict[int, Decimal]] | None = None  # (C, L) for growth from the platform
    reason: str = ""  # why the district has no value

    @property
    def unit(self) -> str:
        return unit_label(self.indicator)

    def peer_gap(self, region_pk: int) -> PeerGap | None:
        return next((g for g in self.peers if g.region.pk == region_pk), None)


def orient(indicator: Indicator, difference: Decimal) -> Decimal:
    """A difference signed so that a positive one means 本区 is behind (reversed when lower is better)."""
    return difference if indicator.higher_is_better else -difference


def _months(indicator: Indicator) -> Iterable[int]:
    return QUARTER_ENDS if indicator.frequency == Frequency.QUARTER else range(1, 13)


def _latest(series: dict[int, Point], month: int) -> Point | None:
    months = [m for m in series if m <= month]
    return series[max(months)] if months else None


class Board:
    """Everything the comparisons of one year read, loaded once: the regions, the indicators, the year's values and
    targets, and the platform's figures (each source computed at most once)."""

    def __init__(self, year: int, *, today: date | None = None, indicators: Iterable[Indicator] | None = None):
        self.year = year
        self.today = today or timezone.localdate()
        self.available = available_months(year, self.today)
        self.regions = list(PeerRegion.objects.filter(Q(is_active=True) | Q(is_self=True)))
        self.self_region = next((r for r in self.regions if r.is_self), None)
        self.peers = [r for r in self.regions if not r.is_self]
        self.indicators = list(indicators) if indicators is not None else list(Indicator.objects.all())
        self.values: dict[tuple[int, int], dict[int, IndicatorValue]] = {}
        rows = IndicatorValue.objects.filter(
            year=year, indicator__in=[i.pk for i in self.indicators], region__in=[r.pk for r in self.regions]
        )
        for value in rows:
            self.values.setdefault((value.indicator_id, value.region_id), {})[value.month] = value
        self.targets = {t.indicator_id: t for t in IndicatorTarget.objects.filter(year=year)}
        self._platform: dict[str, Any] = {}

    # -- the platform's series ------------------------------------------------------------------------------------

    def _source(self, source: str) -> Any:
        if source not in self._platform:
            if source == PlatformSource.INVESTMENT_GROWTH:
                self._platform[source] = investment_amounts(self.year)
            elif source == PlatformSource.INDUSTRIAL_GROWTH:
                self._platform[source] = investment_amounts(self.year, industry=True)
            elif source == PlatformSource.STARTS:
                self._platform[source] = start_counts(self.year)
            elif source == PlatformSource.SIGNINGS:
                self._platform[source] = signing_counts(self.year, self.today)
            elif source == PlatformSource.PRODUCTIONS:
                self._platform[source] = production_counts(self.year)
        return self._platform[source]

    def amounts(self, indicator: Indicator) -> tuple[dict[int, Decimal], dict[int, Decimal]] | None:
        if indicator.platform_source not in GROWTH_SOURCES:
            return None
        return self._source(indicator.platform_source)

    def platform_series(self, indicator: Indicator) -> dict[int, Point]:
        source = indicator.platform_source
        if not source or indicator.frequency != Frequency.MONTH or not self.available:
            return {}
        data = self._source(source)
        series: dict[int, Point] = {}
        for month in range(1, self.available + 1):
            if source in GROWTH_SOURCES:
                this, last = data
                value = growth(this.get(month, ZERO), last.get(month, ZERO))
                reason = (
                    ""
                    if value is not None
                    else _("上年同期（%(p)s）平台完成投资为 0，无法计算增速") % {"p": period_label(indicator, month)}
                )
                series[month] = Point(month, value, PLATFORM, reason)
            else:
                series[month] = Point(month, Decimal(data.get(month, 0)), PLATFORM)
        return series

    def entered_series(self, indicator: Indicator, region: PeerRegion) -> dict[int, Point]:
        rows = self.values.get((indicator.pk, region.pk), {})
        return {m: Point(m, v.value, ENTERED, record=v) for m, v in sorted(rows.items())}

    def self_series(self, indicator: Indicator) -> dict[int, Point]:
        """Month by month: the value entered for 本区 when there is one, else the platform's. When the 统计局 has
        entered values, a month the platform cannot compute (no base last year) does not hide the latest entered one."""
        series = self.platform_series(indicator)
        entered = self.entered_series(indicator, self.self_region) if self.self_region is not None else {}
        if entered:
            series = {m: p for m, p in series.items() if p.value is not None}
            series.update(entered)
        return dict(sorted(series.items()))

    # -- one indicator ---------------------------------------------------------------------------------------------

    def compare(self, indicator: Indicator, month: int) -> Comparison:
        series = self.self_series(indicator)
        self_point = _latest(series, month)
        reason = ""
        if self_point is None:
            if indicator.platform_source and indicator.frequency == Frequency.MONTH and not self.available:
                reason = _("%(y)d年尚无平台数据，且未录入") % {"y": self.year}
            else:
                reason = _("未录入")
        elif self_point.value is None:
            reason = self_point.reason
        target = self.targets.get(indicator.pk)
        target_gap = None
        if target is not None and self_point is not None and self_point.value is not None:
            target_gap = orient(indicator, target.value - self_point.value)
        amounts = self.amounts(indicator)
        peers, peer_series = [], {}
        for region in self.peers:
            their = self.entered_series(indicator, region)
            peer_series[region.pk] = their
            peers.append(self._peer_gap(indicator, region, their, series, month, amounts))
        comparison = Comparison(
            indicator=indicator,
            year=self.year,
            month=month,
            series=series,
            self_point=self_point,
            target=target,
            target_gap=target_gap,
            peers=peers,
            peer_series=peer_series,
            pace=None,
            amounts=amounts,
            reason=reason,
        )
        comparison.pace = pace(comparison)
        return comparison

    def _peer_gap(self, indicator, region, their, ours, month, amounts) -> PeerGap:
        if not their or min(their) > month:
            return PeerGap(region, None, None, None, _("未录入"))
        common = [m for m in their if m <= month and m in ours and ours[m].value is not None]
        if not common:
            return PeerGap(region, _latest(their, month), None, None, _("本区无同期数据"))
        at = max(common)
        peer, mine = their[at], ours[at]
        gap = orient(indicator, peer.value - mine.value)
        amount = None
        if amounts is not None and mine.basis == PLATFORM:
            previous = amounts[1].get(at, ZERO)
            amount = _round(gap * previous / HUNDRED, CENT) if previous > 0 else None
        return PeerGap(region, peer, mine, gap, "", amount)

    def comparisons(self, month: int) -> list[Comparison]:
        return [self.compare(indicator, month) for indicator in self.indicators]


# --------------------------------------------------------------------------------------------------------------
# Pace


def _remaining(indicator: Indicator, month: int) -> int:
    """The periods left in the year after `month`: months, or quarters for a quarterly indicator."""
    if indicator.frequency == Frequency.QUARTER:
        return (12 - month) // 3
    return 12 - month


def pace(comparison: Comparison) -> Pace | None:
    """The pace needed for the rest of the year to reach the target (None: no target, or no value to start from).

    - 固投/工业投资增速 from the platform: the full-year amount needed N = L12 × (1 + g*/100) (L12: last year's
      full-year amount), and the average monthly completion needed N − Cm over the 12 − m months left, against
      this year's average so far Cm ÷ m (万元/月).
    - counts (签约, 开工, 投产) and amounts: (target − value) ÷ the months left, against value ÷ m.
    - other growth and share indicators (entered): the gap to the target ÷ the periods left (个百分点 per month,
      or per quarter for a quarterly indicator).
    """
    indicator, point, target = comparison.indicator, comparison.self_point, comparison.target
    if target is None:
        return Pace(_("未设定%(y)d年目标") % {"y": comparison.year})
    if point is None or point.value is None:
        return Pace(_("本区暂无数据，无法计算所需进度"))
    m = point.month
    remaining = _remaining(indicator, m)
    if remaining <= 0:
        return Pace(_("全年已结束，不再计算所需进度"))
    gap = comparison.target_gap or ZERO
    per = _("季度") if indicator.frequency == Frequency.QUARTER else _("月")
    if comparison.amounts is not None:
        this, last = comparison.amounts
        full_last = last.get(12, ZERO)
        if full_last <= 0:
            return Pace(_("上年全年平台完成投资为 0，无法按目标增速推算"), remaining=remaining)
        if m not in this:
            return Pace(_("平台尚无%(p)s的完成投资") % {"p": period_label(indicator, m)}, remaining=remaining)
        done = this[m]
        needed = _round(full_last * (HUNDRED + target.value) / HUNDRED, CENT)
        required = _round((needed - done) / remaining, CENT)
        current = _round(done / m, CENT)
        if needed <= done:
            text = _("按目标增速全年需完成 %(n)s 万元，%(p)s已完成 %(d)s 万元，已达到全年所需") % {
                "n": fmt(needed),
                "p": period_label(indicator, m),
                "d": fmt(done),
            }
        else:
            text = _(
                "按目标增速 %(g)s%% 全年需完成 %(n)s 万元（上年 %(l)s 万元），剩余 %(r)d 个月需月均完成 %(q)s 万元，"
                "今年以来月均 %(c)s 万元"
            ) % {
                "g": fmt(target.value),
                "n": fmt(needed),
                "l": fmt(full_last),
                "r": remaining,
                "q": fmt(required),
                "c": fmt(current),
            }
        return Pace(text, required, current, _("万元/月"), remaining, needed)
    if indicator.kind in (IndicatorKind.COUNT, IndicatorKind.AMOUNT):
        unit = _("个") if indicator.kind == IndicatorKind.COUNT else _("亿元")
        required = _round(gap / remaining, CENT)
        current = _round(point.value / m, CENT)
        if gap <= 0:
            return Pace(_("已达到全年目标"), ZERO, current, unit + "/" + _("月"), remaining)
        text = _("距全年目标还差 %(g)s %(u)s，剩余 %(r)d 个月需月均 %(q)s %(u)s，今年以来月均 %(c)s %(u)s") % {
            "g": fmt(gap),
            "u": unit,
            "r": remaining,
            "q": fmt(required),
            "c": fmt(current),
        }
        return Pace(text, required, current, unit + "/" + _("月"), remaining)
    required = _round(gap / remaining, CENT)
    if gap <= 0:
        return Pace(_("已达到目标"), ZERO, None, _("个百分点/%(p)s") % {"p": per}, remaining)
    verb = _("提高") if indicator.higher_is_better else _("降低")
    text = _("距目标还差 %(g)s 个百分点，剩余 %(r)d 个%(p)s平均每%(p)s需%(v)s %(q)s 个百分点") % {
        "g": fmt(gap),
        "r": remaining,
        "p": per,
        "v": verb,
        "q": fmt(required),
    }
    return Pace(text, required, None, _("个百分点/%(p)s") % {"p": per}, remaining)


# --------------------------------------------------------------------------------------------------------------
# The projects that would close a gap


def _against(comparison: Comparison, against: str | None) -> tuple[str, str, Decimal | None, int | None]:
    """(key, label, gap, month) of the gap to close: the target (`against` "target"), a peer (its pk), or by default
    the target when behind it, else the peer furthest ahead."""
    point = comparison.self_point
    target_month = point.month if point is not None else None
    if against == "target":
        return "target", _("目标"), comparison.target_gap, target_month
    if against and str(against).isdigit():
        gap = comparison.peer_gap(int(against))
        if gap is not None:
            return str(gap.region.pk), gap.region.name, gap.gap, gap.month
    if comparison.target_gap is not None and comparison.target_gap > 0:
        return "target", _("目标"), comparison.target_gap, target_month
    behind = [g for g in comparison.peers if g.behind]
    if behind:
        worst = max(behind, key=lambda g: (g.gap, -g.region.sort_order))
        return str(worst.region.pk), worst.region.name, worst.gap, worst.month
    return "", "", None, None


def closing(comparison: Comparison, user, against: str | None = None) -> Closing | None:
    """The projects that would close the gap (None when the indicator has no project list or there is no gap).

    Growth from the platform: every annual-plan project below its 序时计划 at the gap's month m (for 工业投资, the
    产业 ones), its shortfall r = 序时计划 − 年初至今完成, closing r ÷ Lm × 100 points (Lm: last year's completed
    investment to month m); taken by shortfall, largest first, until together they cover the gap. 开工: the planned
    new projects not yet started, by planned start quarter, one each. The names shown are those of the projects in
    `Project.objects.restrict(user, "view")`; the others are counted."""
    source = comparison.indicator.platform_source
    if source not in CLOSABLE:
        return None
    key, label, gap, month = _against(comparison, against)
    if gap is None or gap <= 0 or month is None:
        return None
    result = Closing(key, label, month, gap)
    period = date(comparison.year, month, 1)
    if source in GROWTH_SOURCES:
        candidates = _shortfalls(comparison, period)
    else:
        candidates = _planned_starts(period)
    taken: list[ClosingProject] = []
    total = ZERO
    for candidate in candidates:
        if total >= gap:
            break
        taken.append(candidate)
        total += candidate.points if candidate.points is not None else Decimal(1)
    visible = set(
        Project.objects.restrict(user, "view").filter(pk__in=[c.project_id for c in taken]).values_list("pk", flat=True)
    )
    for candidate in taken:
        candidate.visible = candidate.project_id in visible
    result.projects = [c for c in taken if c.visible]
    result.count, result.hidden = len(taken), len(taken) - len(result.projects)
    result.enough = total >= gap
    result.text = _closing_text(comparison, result, taken, total)
    return result


def _shortfalls(comparison: Comparison, period: date) -> list[ClosingProject]:
    assert comparison.amounts is not None  # noqa: S101 - growth indicators only
    previous = comparison.amounts[1].get(period.month, ZERO)
    if previous <= 0:
        return []
    rows = ProjectMonth.objects.filter(
        FACT_FIGURES["listed"].condition, period=period, plan_to_date__isnull=False, plan_to_date__gt=F("ytd")
    )
    if comparison.indicator.platform_source == PlatformSource.INDUSTRIAL_GROWTH:
        rows = rows.filter(domain=ProjectDomain.INDUSTRY)
    found = []
    for row in rows.order_by().values("project_id", "name", "plan_to_date", "ytd", "unit__short_name", "unit__name"):
        shortfall = row["plan_to_date"] - row["ytd"]
        found.append(
            ClosingProject(
                row["project_id"],
                row["name"],
                row["unit__short_name"] or row["unit__name"] or "",
                shortfall=shortfall,
                points=shortfall * HUNDRED / previous,
            )
        )
    found.sort(key=lambda c: (-(c.shortfall or ZERO), c.name, c.project_id))
    return found


def _planned_starts(period: date) -> list[ClosingProject]:
    rows = ProjectMonth.objects.filter(FACT_FIGURES["planned_new"].condition, period=period, started=False)
    found = [
        ClosingProject(
            row["project_id"],
            row["name"],
            row["unit__short_name"] or row["unit__name"] or "",
            start_quarter=row["start_quarter"],
        )
        for row in rows.order_by().values("project_id", "name", "start_quarter", "unit__short_name", "unit__name")
    ]
    found.sort(key=lambda c: (c.start_quarter is None, c.start_quarter or 0, c.name, c.project_id))
    return found


def _closing_text(comparison: Comparison, result: Closing, taken: list[ClosingProject], total: Decimal) -> str:
    gap_text = fmt(result.gap)
    if comparison.indicator.platform_source == PlatformSource.STARTS:
        result.covered = total
        if not taken:
            return _("没有尚未开工的计划新开工项目（差距 %(g)s 个）") % {"g": gap_text}
        if result.enough:
            return _("这 %(n)d 个计划新开工项目开工可弥补 %(c)s 个（差距 %(g)s 个）") % {
                "n": len(taken),
                "c": fmt(total),
                "g": gap_text,
            }
        return _("全部 %(n)d 个尚未开工的计划新开工项目开工可弥补 %(c)s 个，仍差 %(r)s 个（差距 %(g)s 个）") % {
            "n": len(taken),
            "c": fmt(total),
            "r": fmt(result.gap - total),
            "g": gap_text,
        }
    for candidate in taken:
        candidate.points = _round(candidate.points, CENT) if candidate.points is not None else None
    result.covered = _round(total, CENT)
    if not taken and (comparison.amounts is None or comparison.amounts[1].get(result.month, ZERO) <= 0):
        return _("上年同期（%(p)s）平台完成投资为 0，无法按项目测算可弥补的百分点（差距 %(g)s 个百分点）") % {
            "p": period_label(comparison.indicator, result.month),
            "g": gap_text,
        }
    if not taken:
        return _("年度计划项目均已达到序时计划，差距 %(g)s 个百分点需靠其他投资弥补") % {"g": gap_text}
    if result.enough:
        return _("这 %(n)d 个项目达到序时计划可弥补 %(c)s 个百分点（差距 %(g)s 个百分点）") % {
            "n": len(taken),
            "c": fmt(result.covered),
            "g": gap_text,
        }
    text = _(
        "全部 %(n)d 个低于序时计划的项目达到序时计划可弥补 %(c)s 个百分点，仍差 %(r)s 个百分点（差距 %(g)s 个百分点）"
    )
    return text % {
        "n": len(taken),
        "c": fmt(result.covered),
        "r": fmt(_round(result.gap - total, CENT)),
        "g": gap_text,
    }
