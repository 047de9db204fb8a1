"""数据异常 (issue 19 item 18): implausible figures in a submitted report, shown to the reviewer as flags with
reasons, to the reporter as warnings when submitting, and counted per unit for the 项目办. A flag never blocks: the
report is submitted, reviewed and counted as usual.

The rules (thresholds in settings, docs/figures.md "数据异常"):

- `over_total` 累计超总投资: the facts' 累计完成 of the report's month exceeds the project's 总投资 (known totals only);
- `pace_jump` 投资额突增: 当月完成投资 above `TUIJIN_ANOMALY_PACE_FACTOR` × the median 当月完成 of the project's
  previous months with a counted report (the latest 12), given at least `TUIJIN_ANOMALY_PACE_MIN_MONTHS` of them
  and a median above 0;
- `progress_back` 形象进度倒退: the highest percentage in 形象进度 is lower than in the previous counted report;
- `identical` 多项目数据雷同: at least `TUIJIN_ANOMALY_IDENTICAL_MIN` projects of one responsible unit have counted
  reports of the month with the same non-zero 当月完成投资 — each of them is flagged.

The money figures come from the facts layer (`tuijin.facts`, which sits above this app and registers its reader in
`FactsConfig.ready()`), so 累计完成 and 总投资 have one definition. Flags are rewritten in the transaction that
changes the report's status or figures (`anomalies_update`, called by the report services).
"""

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from .choices import COUNTED_STATUSES, AnomalyCode
from .models import ProgressReport, ReportAnomaly

__all__ = [
    "FactsReader",
    "Finding",
    "anomalies_update",
    "anomaly_counts",
    "anomaly_reports",
    "evaluate",
    "percentages",
]

PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


@dataclass(frozen=True)
class MonthFigures:
    """A project's facts for one month, as the rules read them."""

    cumulative: Decimal
    total_investment: Decimal | None


class FactsReader(Protocol):
    def month(self, project_id: int, period: date) -> MonthFigures | None: ...

    def history(self, project_id: int, before: date, limit: int) -> list[Decimal]: ...

    def same_amount(self, unit_id: int, period: date, amount: Decimal) -> list[int]: ...


# Filled at start-up by `tuijin.facts.apps.FactsConfig.ready()` (facts sits above progress in the layers).
facts_reader: FactsReader | None = None


@dataclass
class Finding:
    code: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(AnomalyCode(self.code).label)


def _setting(name: str, default):
    return getattr(settings, name, default)


def _wan(value: Decimal) -> str:
    return f"{value:,.2f}"


def _plain(value: Decimal) -> str:
    """80, 35.5 (never 8E+1)."""
    return format(value.normalize(), "f")


def _month(period: date) -> str:
    return f"{period.year}年{period.month}月"


def percentages(text: str) -> list[Decimal]:
    """The percentages written in a 形象进度 text ("主体完成 80%", "60％")."""
    return [Decimal(m) for m in PERCENT.findall(text or "")]


def _over_total(report: ProgressReport) -> Finding | None:
    if facts_reader is None:
        return None
    figures = facts_reader.month(report.project_id, report.period)
    if figures is None or figures.total_investment is None or figures.cumulative <= figures.total_investment:
        return None
    over = figures.cumulative - figures.total_investment
    reason = _("开工至今累计完成投资 %(c)s 万元，超过项目总投资 %(t)s 万元（超出 %(d)s 万元）。") % {
        "c": _wan(figures.cumulative),
        "t": _wan(figures.total_investment),
        "d": _wan(over),
    }
    if report.over_total_reason:
        reason += _("填报说明：%(r)s") % {"r": report.over_total_reason}
    return Finding(
        AnomalyCode.OVER_TOTAL,
        reason,
        {"cumulative": str(figures.cumulative), "total_investment": str(figures.total_investment)},
    )


def _pace_jump(report: ProgressReport) -> Finding | None:
    if facts_reader is None:
        return None
    factor = Decimal(str(_setting("TUIJIN_ANOMALY_PACE_FACTOR", 3)))
    min_months = int(_setting("TUIJIN_ANOMALY_PACE_MIN_MONTHS", 3))
    history = facts_reader.history(report.project_id, report.period, 12)
    if len(history) < min_months:
        return None
    median = Decimal(statistics.median(history))
    if median <= 0 or report.month_investment <= factor * median:
        return None
    return Finding(
        AnomalyCode.PACE_JUMP,
        _("当月完成投资 %(m)s 万元，是此前 %(n)s 个月月均水平（中位数 %(md)s 万元）的 %(x)s 倍，超过 %(f)s 倍。")
        % {
            "m": _wan(report.month_investment),
            "n": len(history),
            "md": _wan(median),
            "x": f"{report.month_investment / median:.1f}",
            "f": _plain(factor),
        },
        {
            "month_investment": str(report.month_investment),
            "median": str(median),
            "months": len(history),
            "factor": str(factor),
        },
    )


def _progress_back(report: ProgressReport) -> Finding | None:
    current = percentages(report.physical_progress)
    if not current:
        return None
    previous = (
        ProgressReport.objects.filter(
            project_id=report.project_id, period__lt=report.period, status__in=COUNTED_STATUSES
        )
        .exclude(physical_progress="")
        .order_by("-period")
        .only("period", "physical_progress")
        .first()
    )
    before = percentages(previous.physical_progress) if previous else []
    if previous is None or not before or max(current) >= max(before):
        return None
    return Finding(
        AnomalyCode.PROGRESS_BACK,
        _("形象进度由 %(p)s（%(pm)s）倒退为 %(c)s（本月）。")
        % {"p": f"{_plain(max(before))}%", "pm": _month(previous.period), "c": f"{_plain(max(current))}%"},
        {
            "previous_period": previous.period.isoformat(),
            "previous": str(max(before)),
            "current": str(max(current)),
        },
    )


def _identical_finding(report: ProgressReport, project_ids: list[int]) -> Finding:
    names = list(
        ProgressReport.objects.filter(project_id__in=project_ids, period=report.period)
        .order_by("project__name")
        .values_list("project__name", flat=True)[:10]
    )
    return Finding(
        AnomalyCode.IDENTICAL,
        _("本单位 %(n)s 个项目本月完成投资均为 %(m)s 万元：%(names)s%(more)s。")
        % {
            "n": len(project_ids),
            "m": _wan(report.month_investment),
            "names": "、".join(names),
            "more": _("等") if len(project_ids) > len(names) else "",
        },
        {"amount": str(report.month_investment), "count": len(project_ids), "projects": sorted(project_ids)},
    )


def _identical_group(report: ProgressReport) -> list[int]:
    """The projects of the report's unit whose counted report of the month has its (non-zero) amount, when there are
    at least `TUIJIN_ANOMALY_IDENTICAL_MIN` of them; else []."""
    if facts_reader is None or report.month_investment == 0:
        return []
    unit_id = report.project.responsible_unit_id
    if unit_id is None:
        return []
    project_ids = facts_reader.same_amount(unit_id, report.period, report.month_investment)
    return project_ids if len(project_ids) >= int(_setting("TUIJIN_ANOMALY_IDENTICAL_MIN", 3)) else []


def evaluate(report: ProgressReport) -> list[Finding]:
    """Every rule's finding for `report` as it stands (the facts already rewritten for it)."""
    findings = [f for f in (_over_total(report), _pace_jump(report), _progress_back(report)) if f]
    group = _identical_group(report)
    if report.project_id in group:
        findings.append(_identical_finding(report, group))
    return findings


def _store(report: ProgressReport, findings: Iterable[Finding], codes: Iterable[str]) -> None:
    """Make the report's flags of `codes` exactly `findings`."""
    findings = list(findings)
    keep = {f.code for f in findings}
    ReportAnomaly.objects.filter(report=report, code__in=[c for c in codes if c not in keep]).delete()
    for finding in findings:
        ReportAnomaly.objects.update_or_create(
            report=report, code=finding.code, defaults={"reason": finding.reason, "data": finding.data}
        )


def _refresh_identical(unit_id: int | None, period: date, amount: Decimal, skip: int) -> None:
    """Re-flag (or un-flag) the other counted reports of the unit and month with `amount`."""
    if unit_id is None or amount == 0 or facts_reader is None:
        return
    project_ids = facts_reader.same_amount(unit_id, period, amount)
    enough = len(project_ids) >= int(_setting("TUIJIN_ANOMALY_IDENTICAL_MIN", 3))
    peers = ProgressReport.objects.filter(
        project__responsible_unit_id=unit_id, period=period, month_investment=amount, status__in=COUNTED_STATUSES
    ).exclude(pk=skip)
    for peer in peers.select_related("project"):
        findings = [_identical_finding(peer, project_ids)] if enough and peer.project_id in project_ids else []
        _store(peer, findings, [AnomalyCode.IDENTICAL])
    if not enough:
        ReportAnomaly.objects.filter(
            code=AnomalyCode.IDENTICAL,
            report__project__responsible_unit_id=unit_id,
            report__period=period,
            report__month_investment=amount,
        ).exclude(report_id=skip).delete()


def anomalies_update(report: ProgressReport, *, before_amount: Decimal | None = None) -> list[Finding]:
    """Rewrite `report`'s flags after a change of its status or figures (inside the service's transaction): a
    counted report gets a flag per finding, a draft none. The unit's other reports of the month that shared its
    amount (before and after) are re-checked for `identical`. Returns the report's findings."""
    counted = report.status in COUNTED_STATUSES
    findings = evaluate(report) if counted else []
    _store(report, findings, AnomalyCode.values)
    unit_id = report.project.responsible_unit_id
    for amount in {report.month_investment, before_amount}:
        if amount is not None:
            _refresh_identical(unit_id, report.period, amount, report.pk)
    return findings


def anomaly_reports(user, period: date) -> QuerySet[ReportAnomaly]:
    """The flags of the month's counted reports in the user's view scope (the reports' permission and scope: a
    flag is part of its report)."""
    reports = ProgressReport.objects.restrict(user, "view").filter(period=period, status__in=COUNTED_STATUSES)
    return ReportAnomaly.objects.filter(report__in=reports.values("pk"))


@dataclass
class UnitCounts:
    unit_id: int
    unit_name: str
    counts: dict[str, int]
    total: int  # flags
    reports: int  # flagged reports (a report with two kinds counts once)


def anomaly_counts(user, period: date) -> list[UnitCounts]:
    """数据异常 per responsible unit and kind for the month (the user's scope), most flagged reports first."""
    flags = anomaly_reports(user, period)
    rows = (
        flags.values("report__project__responsible_unit", "report__project__responsible_unit__name", "code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    units: dict[int, UnitCounts] = {}
    for row in rows:
        unit_id = row["report__project__responsible_unit"]
        entry = units.setdefault(
            unit_id,
            UnitCounts(
                unit_id,
                row["report__project__responsible_unit__name"] or "",
                dict.fromkeys(AnomalyCode.values, 0),
                0,
                0,
            ),
        )
        entry.counts[row["code"]] = row["n"]
        entry.total += row["n"]
    reports = flags.values("report__project__responsible_unit").annotate(n=Count("report", distinct=True)).order_by()
    for row in reports:
        units[row["report__project__responsible_unit"]].reports = row["n"]
    return sorted(units.values(), key=lambda u: (-u.reports, u.unit_name))
