"""Where each assessment indicator reads its figure: a registry of per-unit measures over a period.

Every measure is read from the module that defines the figure — the facts layer's FIGURES and sums for projects
(docs/figures.md), the lights engine for report timeliness, 招商 KPIs, 督办 completion, funds' KPI table — grouped by
unit. None recomputes a figure: where a module defines a figure only district-wide, the same definition (its `Q`
condition or its selector) is applied per unit. A quarter, half-year or year reads the facts row of its last month
(facts rows are year-to-date, as of month end).

A measure carries the figure in words ("开工率 7/9 = 77.8%") and the records behind it (the projects not started …),
which the score page shows as evidence.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.periods import Period, add_months, month_start
from tuijin.facts.figures import FIGURES, figure_query
from tuijin.facts.models import ProjectMonth

__all__ = ["METRICS", "Measure", "Metric", "Span", "measure_all", "metric_choices"]

EVIDENCE_LIMIT = 30  # records listed on a line; the link opens the full list
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Span:
    """A round's period: whole months within one calendar year."""

    start: date
    end: date

    @property
    def year(self) -> int:
        return self.end.year

    @property
    def last_month(self) -> date:
        return month_start(self.end)

    @property
    def months(self) -> list[date]:
        months, current = [], month_start(self.start)
        while current <= self.last_month:
            months.append(current)
            current = add_months(current, 1)
        return months

    @property
    def period(self) -> Period:
        return Period.of(self.last_month)


@dataclass
class Measure:
    value: Decimal | None  # None: nothing to measure (no denominator)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    count: int = 0
    figure: str = ""
    evidence: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str | Promise
    unit: str  # "%", "个百分点", "个", "万元"
    rule: str | Promise  # the definition, for the rubric page and docs/subsystems/assessment.md
    compute: Callable[[Sequence[int], Span], dict[int, Measure]]
    counts_items: bool = False  # a per-item indicator scores `count`


def _pct(numerator: Decimal, denominator: Decimal) -> Decimal:
    return (numerator * HUNDRED / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text == "-0" else text


def _project_url(pk: int) -> str:
    return reverse("projects:project", args=[pk])


def _list_url(key: str, span: Span, unit_id: int) -> str:
    return "%s?%s" % (reverse("projects:project_list"), figure_query(key, span.period, responsible_unit=unit_id))


def _rows(span: Span, unit_ids: Sequence[int]):
    return ProjectMonth.objects.filter(period=span.last_month, unit_id__in=list(unit_ids))


def _ratio_metric(num_key: str, den_key: str, name: str | Promise, missing: str | Promise):
    """A rate of two facts figures per unit (one aggregate query) and, as evidence, the projects of the denominator
    the numerator does not count ("未开工：…")."""

    def compute(unit_ids: Sequence[int], span: Span) -> dict[int, Measure]:
        num, den = FIGURES[num_key].condition, FIGURES[den_key].condition
        totals = {
            r["unit_id"]: r
            for r in _rows(span, unit_ids)
            .values("unit_id")
            .annotate(n=Count("pk", filter=num), d=Count("pk", filter=den))
            .order_by()
        }
        short: dict[int, list[dict[str, str]]] = defaultdict(list)
        for row in (
            _rows(span, unit_ids)
            .filter(den)
            .exclude(num)
            .order_by("unit_id", "name", "project_id")
            .values("unit_id", "project_id", "name")
        ):
            if len(short[row["unit_id"]]) < EVIDENCE_LIMIT:
                short[row["unit_id"]].append(
                    {"label": row["name"], "url": _project_url(row["project_id"]), "note": str(missing)}
                )
        measures = {}
        for unit_id in unit_ids:
            r = totals.get(unit_id, {"n": 0, "d": 0})
            n, d = Decimal(r["n"]), Decimal(r["d"])
            if not d:
                measures[unit_id] = Measure(None, n, d, figure=_("%(name)s：无考核项目") % {"name": name})
                continue
            value = _pct(n, d)
            evidence = short.get(unit_id, [])
            if evidence:
                evidence = [*evidence, {"label": _("全部清单"), "url": _list_url(den_key, span, unit_id), "note": ""}]
            measures[unit_id] = Measure(
                value,
                n,
                d,
                count=int(n),
                figure="%s %d/%d = %s%%" % (name, n, d, _fmt(value)),
                evidence=evidence,
            )
        return measures

    return compute


def _count_metric(key: str, name: str | Promise, *, within_period: bool):
    """How many projects a facts figure counts per unit: as of the period's end, or (`within_period`) those it
    counts at the end but not in the month before the period (same year) — e.g. 新开工 during the quarter."""

    def compute(unit_ids: Sequence[int], span: Span) -> dict[int, Measure]:
        condition = FIGURES[key].condition
        at_end = _rows(span, unit_ids).filter(condition)
        before = None
        if within_period and span.start.month > 1:
            before = ProjectMonth.objects.filter(
                condition, period=add_months(month_start(span.start), -1), unit_id__in=list(unit_ids)
            ).values("project_id")
            at_end = at_end.exclude(project_id__in=before)
        records: dict[int, list[dict[str, str]]] = defaultdict(list)
        counts: dict[int, int] = defaultdict(int)
        for row in at_end.order_by("unit_id", "name", "project_id").values("unit_id", "project_id", "name"):
            counts[row["unit_id"]] += 1
            if len(records[row["unit_id"]]) < EVIDENCE_LIMIT:
                records[row["unit_id"]].append(
                    {"label": row["name"], "url": _project_url(row["project_id"]), "note": ""}
                )
        return {
            unit_id: Measure(
                Decimal(counts[unit_id]),
                count=counts[unit_id],
                figure=_("%(name)s %(n)d 个") % {"name": name, "n": counts[unit_id]},
                evidence=records.get(unit_id, []),
            )
            for unit_id in unit_ids
        }

    return compute


def _investment(unit_ids: Sequence[int], span: Span, *, against_schedule: bool) -> dict[int, Measure]:
    """完成率 = Σ年初至今完成 ÷ Σ考核年度计划 over the unit's listed projects (the dashboard's unit ranking);
    against the schedule, the line is 完成率 − 序时进度 in percentage points."""
    from tuijin.dispatch.schedule import schedule_book
    from tuijin.org.models import OrgUnit

    sums = {
        r["unit_id"]: r
        for r in _rows(span, unit_ids)
        .filter(FIGURES["listed"].condition)
        .values("unit_id")
        .annotate(plan=Sum("plan"), ytd=Sum("ytd"))
        .order_by()
    }
    regions = dict(OrgUnit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "region__path"))
    book = schedule_book(span.year) if against_schedule else None  # every schedule of the year: two queries
    measures = {}
    for unit_id in unit_ids:
        row = sums.get(unit_id) or {"plan": None, "ytd": None}
        plan, ytd = row["plan"] or Decimal(0), row["ytd"] or Decimal(0)
        if not plan:
            measures[unit_id] = Measure(None, ytd, plan, figure=_("投资完成率：无年度计划"))
            continue
        rate = _pct(ytd, plan)
        figure = _("投资完成率 %(ytd)s/%(plan)s 万元 = %(rate)s%%") % {
            "ytd": _fmt(ytd),
            "plan": _fmt(plan),
            "rate": _fmt(rate),
        }
        value = rate
        if against_schedule:
            assert book is not None
            curve = book.curve(regions.get(unit_id))  # the unit's region or its nearest ancestor with a schedule
            schedule = curve.at(span.last_month.month).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            value = rate - schedule
            figure += _("，序时进度 %(s)s%%，差 %(d)s 个百分点") % {"s": _fmt(schedule), "d": _fmt(value)}
        measures[unit_id] = Measure(value, ytd, plan, figure=figure)
    return measures


def _reporting(unit_ids: Sequence[int], span: Span) -> dict[int, Measure]:
    """按时报送率 = project-months the reporting light shows green ÷ project-months it judged (green, yellow, red),
    over the period's months (the lights engine's rule: green on time, yellow late, red missing)."""
    from tuijin.progress.choices import LightColor, WarningDimension
    from tuijin.progress.models import WarningLight

    lights = WarningLight.objects.filter(
        period__in=span.months,
        rule__dimension=WarningDimension.REPORTING,
        rule__is_active=True,
        project__responsible_unit_id__in=list(unit_ids),
        color__in=[LightColor.GREEN, LightColor.YELLOW, LightColor.RED],
    )
    totals = {
        r["project__responsible_unit_id"]: r
        for r in lights.values("project__responsible_unit_id")
        .annotate(ok=Count("pk", filter=Q(color=LightColor.GREEN)), all=Count("pk"))
        .order_by()
    }
    late: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in (
        lights.exclude(color=LightColor.GREEN)
        .order_by("project__responsible_unit_id", "period", "project__name")
        .values("project__responsible_unit_id", "project_id", "project__name", "period", "color")
    ):
        bucket = late[row["project__responsible_unit_id"]]
        if len(bucket) < EVIDENCE_LIMIT:
            note = _("逾期报送") if row["color"] == LightColor.YELLOW else _("未报送")
            bucket.append(
                {
                    "label": row["project__name"],
                    "url": _project_url(row["project_id"]),
                    "note": "%d年%d月 %s" % (row["period"].year, row["period"].month, note),
                }
            )
    measures = {}
    for unit_id in unit_ids:
        r = totals.get(unit_id)
        if not r or not r["all"]:
            measures[unit_id] = Measure(None, figure=_("按时报送率：无应报月报"))
            continue
        value = _pct(Decimal(r["ok"]), Decimal(r["all"]))
        measures[unit_id] = Measure(
            value,
            Decimal(r["ok"]),
            Decimal(r["all"]),
            count=r["all"] - r["ok"],
            figure=_("按时报送率 %(ok)d/%(all)d = %(v)s%%") % {"ok": r["ok"], "all": r["all"], "v": _fmt(value)},
            evidence=late.get(unit_id, []),
        )
    return measures


def _signings(unit_ids: Sequence[int], span: Span, *, amount: bool) -> dict[int, Measure]:
    """招商签约 (项目数 / 金额 万元) of the period by tracking unit, from investment.kpis.kpi_summary."""
    from tuijin.investment.kpis import KpiPeriod, kpi_summary
    from tuijin.investment.models import Lead

    summary = kpi_summary(
        Lead.objects.filter(tracking_unit_id__in=list(unit_ids)),
        KpiPeriod(span.year, span.start.month, span.end.month),
    )
    groups = {int(g.key): g for g in summary.by_unit if str(g.key).isdigit()}
    measures = {}
    for unit_id in unit_ids:
        g = groups.get(unit_id)
        count = g.count if g else 0
        money = g.amount if g else Decimal(0)
        evidence = (
            [
                {
                    "label": _("签约项目清单"),
                    "url": "%s?%s" % (reverse("investment:lead_list"), g.count_query),
                    "note": "",
                }
            ]
            if g and g.count_query
            else []
        )
        if amount:
            measures[unit_id] = Measure(
                money, figure=_("签约金额 %(v)s 万元") % {"v": _fmt(money)}, count=count, evidence=evidence
            )
        else:
            measures[unit_id] = Measure(
                Decimal(count), count=count, figure=_("签约项目 %(n)d 个") % {"n": count}, evidence=evidence
            )
    return measures


def _supervision(unit_ids: Sequence[int], span: Span) -> dict[int, Measure]:
    """督办按时办结率 = tasks due in the period finished by their deadline ÷ tasks due in the period that are finished
    (supervision.selectors.stats_by_unit)."""
    from tuijin.supervision.models import Task
    from tuijin.supervision.selectors import stats_by_unit

    stats = {
        s.key: s
        for s in stats_by_unit(
            Task.objects.filter(responsible_unit_id__in=list(unit_ids), deadline__range=(span.start, span.end))
        )
    }
    measures = {}
    for unit_id in unit_ids:
        s = stats.get(unit_id)
        if s is None or not s.assigned:
            measures[unit_id] = Measure(None, figure=_("督办按时办结率：本期无到期督办事项"))
            continue
        value = _pct(Decimal(s.done_on_time), Decimal(s.assigned))
        measures[unit_id] = Measure(
            value,
            Decimal(s.done_on_time),
            Decimal(s.assigned),
            count=s.assigned - s.done_on_time,
            figure=_("督办按期办结 %(a)d/%(b)d = %(v)s%%（逾期未办结 %(o)d 项）")
            % {"a": s.done_on_time, "b": s.assigned, "v": _fmt(value), "o": s.overdue},
        )
    return measures


def _funds(unit_ids: Sequence[int], span: Span) -> dict[int, Measure]:
    """争取资金 下达金额 (万元) in the year, by the project's responsible unit (funds.selectors.kpi_table)."""
    from tuijin.funds.models import FundApplication
    from tuijin.funds.selectors import kpi_table

    table = kpi_table(FundApplication.objects.filter(project__responsible_unit_id__in=list(unit_ids)), span.year)
    rows = {row.key: row for row in table["units"]}
    measures = {}
    for unit_id in unit_ids:
        row = rows.get(unit_id)
        money = row.amounts.get("approved", Decimal(0)) if row else Decimal(0)
        n = row.counts.get("approved", 0) if row else 0
        measures[unit_id] = Measure(
            money, count=n, figure=_("争取资金下达 %(n)d 笔 %(v)s 万元") % {"n": n, "v": _fmt(money)}
        )
    return measures


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "invest_pace",
            gettext_lazy("投资完成率与序时进度之差"),
            "个百分点",
            gettext_lazy("Σ年初至今完成 ÷ Σ考核年度计划 − 序时进度（本单位年度计划项目，期末月）"),
            lambda units, span: _investment(units, span, against_schedule=True),
        ),
        Metric(
            "invest_rate",
            gettext_lazy("投资完成率"),
            "%",
            gettext_lazy("Σ年初至今完成 ÷ Σ考核年度计划（本单位年度计划项目，期末月）"),
            lambda units, span: _investment(units, span, against_schedule=False),
        ),
        Metric(
            "start_rate",
            gettext_lazy("开工率"),
            "%",
            gettext_lazy("计划新开工中已开工 ÷ 计划新开工（期末月）"),
            _ratio_metric("started", "planned_new", gettext_lazy("开工率"), gettext_lazy("未开工")),
        ),
        Metric(
            "finish_rate",
            gettext_lazy("竣工率"),
            "%",
            gettext_lazy("计划当年竣工中已竣工 ÷ 计划当年竣工（期末月）"),
            _ratio_metric("finished", "completing", gettext_lazy("竣工率"), gettext_lazy("未竣工")),
        ),
        Metric(
            "stats_rate",
            gettext_lazy("纳统率"),
            "%",
            gettext_lazy("已纳统 ÷ 年度计划项目（期末月）"),
            _ratio_metric("stats_counted", "listed", gettext_lazy("纳统率"), gettext_lazy("未纳统")),
        ),
        Metric(
            "new_starts",
            gettext_lazy("本期新开工项目数"),
            "个",
            gettext_lazy("期末月“新开工项目中已开工”且期初前一月（同年）未计入的项目"),
            _count_metric("started_new", gettext_lazy("本期新开工"), within_period=True),
            counts_items=True,
        ),
        Metric(
            "late_starts",
            gettext_lazy("未按计划开工项目数"),
            "个",
            gettext_lazy("期末月“未按计划开工”的项目"),
            _count_metric("late", gettext_lazy("未按计划开工"), within_period=False),
            counts_items=True,
        ),
        Metric(
            "operating",
            gettext_lazy("已投产项目数"),
            "个",
            gettext_lazy("期末月“已投产”的年度计划项目"),
            _count_metric("operating", gettext_lazy("已投产"), within_period=False),
            counts_items=True,
        ),
        Metric(
            "reporting",
            gettext_lazy("月报按时报送率"),
            "%",
            gettext_lazy("填报预警为绿灯的项目月 ÷ 填报预警判定的项目月（期内各月）"),
            _reporting,
        ),
        Metric(
            "signings",
            gettext_lazy("招商签约项目数"),
            "个",
            gettext_lazy("期内签约的招商项目（跟踪单位）"),
            lambda units, span: _signings(units, span, amount=False),
            counts_items=True,
        ),
        Metric(
            "signed_amount",
            gettext_lazy("招商签约金额"),
            "万元",
            gettext_lazy("期内签约的招商项目的签约金额（跟踪单位）"),
            lambda units, span: _signings(units, span, amount=True),
        ),
        Metric(
            "supervision",
            gettext_lazy("督办按时办结率"),
            "%",
            gettext_lazy("期内到期的督办事项中按期办结的 ÷ 期内到期的督办事项（责任单位）"),
            _supervision,
        ),
        Metric(
            "funds_won",
            gettext_lazy("争取上级资金下达额"),
            "万元",
            gettext_lazy("当年下达的争取资金（项目责任单位）"),
            _funds,
        ),
    )
}


def metric_choices() -> list[tuple[str, Any]]:
    return [(key, metric.label) for key, metric in METRICS.items()]


def measure_all(keys: Iterable[str], unit_ids: Sequence[int], span: Span) -> dict[str, dict[int, Measure]]:
    """Each metric of `keys` for every unit, each computed once."""
    return {key: METRICS[key].compute(unit_ids, span) for key in dict.fromkeys(keys)}
