"""纳统: the statistics bureau's figure (统计口径) of a project and month next to the dispatch figure (调度口径), the
differences beyond the office's tolerance, the alerts, and the 入库 readiness checklist. Reads only.

Rules (docs: 纳统):

- **调度口径** of a project and month: the month's counted investment, `facts.ProjectMonth.month_investment` (the
  figure the 驾驶舱 and the notice use; 0 when the project has no row that month). Never recomputed here.
- **统计口径**: `StatsFigure.stats_investment` of the month (none entered: no comparison).
- **差异** = 调度 − 统计. **Tolerance** = max(`FundsSettings.stats_tolerance_amount`, `stats_tolerance_pct`% × 统计).
  A difference is **beyond tolerance** when |调度 − 统计| > tolerance (equal to the tolerance is within it).
- **入库** in a month: the month's figure's 是否入库; without one, the latest earlier figure's; without any figure, the
  project's 纳统状态 as of the month (facts `stats_counted`).
- Alerts of a month: **已开工未入库** — started by the month's end (facts `started`: the actual start date, else the
  first counted report saying 已开工) and not 入库; **入库后零投资** — 入库 and a 统计口径 figure of 0 in each of the
  last `ZERO_MONTHS` months (1: the month itself); **调度数远高于统计数** — 调度 − 统计 > tolerance.
- The month's list: the projects in scope expected to report or started that month (facts), and any project with a
  figure for the month.
- **入库 readiness** (`readiness`): 计划总投资 ≥ 500 万元; an approval document (an approval item 已办结 with a 批准文号
  or an attachment, the 施工许可 excepted, or a project attachment of kind 审批文件); a contract or dated site photos
  (a report photo with an EXIF shooting time, a project attachment of kind 现场照片, or an attachment whose file
  name contains "合同"); a licence (the 施工许可 item 已办结, or marked 不涉及).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.periods import add_months, month_end, month_start
from tuijin.facts.models import ProjectMonth
from tuijin.projects.choices import ApprovalStatus, AttachmentKind, StatsStatus
from tuijin.projects.constants import PERMIT_ITEM_CODE
from tuijin.projects.models import ApprovalItem, Attachment, Project

from .models import FundsSettings, StatsFigure

__all__ = [
    "ALERTS",
    "MIN_TOTAL",
    "ZERO_MONTHS",
    "Readiness",
    "ReadinessItem",
    "StatsRow",
    "StatsTotals",
    "beyond_tolerance",
    "dispatch_high",
    "district_totals",
    "gap_level",
    "month_rows",
    "readiness",
    "tolerance",
]

ZERO = Decimal("0")
HUNDRED = Decimal("100")
MIN_TOTAL = Decimal("500")  # 万元: 计划总投资 500 万元及以上 enters the statistics database
ZERO_MONTHS = 1  # 入库后零投资: the 统计口径 figure is 0 in the month (and the months before it, up to this many)

STARTED_NOT_IN_DB = "started_not_in_db"
ZERO_AFTER_DB = "zero_after_db"
DISPATCH_HIGH = "dispatch_high"
ALERTS = {
    STARTED_NOT_IN_DB: gettext_lazy("已开工未入库"),
    ZERO_AFTER_DB: gettext_lazy("入库后零投资"),
    DISPATCH_HIGH: gettext_lazy("调度数远高于统计数"),
}


# --- the tolerance -------------------------------------------------------------------------------------------------


def tolerance(stats: Decimal, settings: FundsSettings | None = None) -> Decimal:
    """The difference allowed around a 统计口径 figure: max(the amount, the percentage of the figure)."""
    settings = settings or FundsSettings.current()
    return max(settings.stats_tolerance_amount, settings.stats_tolerance_pct * stats / HUNDRED)


def beyond_tolerance(dispatch: Decimal, stats: Decimal, settings: FundsSettings | None = None) -> bool:
    """|调度 − 统计| > tolerance (compared exactly)."""
    return abs(dispatch - stats) > tolerance(stats, settings)


def dispatch_high(dispatch: Decimal, stats: Decimal, settings: FundsSettings | None = None) -> bool:
    """调度数远高于统计数: 调度 − 统计 > tolerance."""
    return dispatch - stats > tolerance(stats, settings)


def gap_level(dispatch: Decimal, stats: Decimal, settings: FundsSettings | None = None) -> str:
    """The 统计口径差异 light's colour: "red" when 调度 − 统计 > 2 × tolerance, "yellow" when > tolerance, else
    "green"."""
    allowed = tolerance(stats, settings)
    over = dispatch - stats
    if over > 2 * allowed:
        return "red"
    if over > allowed:
        return "yellow"
    return "green"


# --- a month's reconciliation --------------------------------------------------------------------------------------


@dataclass
class StatsRow:
    """One project's two figures for a month, their difference and the alerts."""

    project_id: int
    name: str
    code: str
    unit_id: int | None
    unit_name: str
    dispatch: Decimal
    started: bool
    in_database: bool
    figure: StatsFigure | None = None
    tolerance: Decimal | None = None
    beyond: bool = False
    alerts: list[str] = field(default_factory=list)
    error: str = ""  # the page's message for this row after a refused save
    typed: dict | None = None  # what was typed in the refused save (kept in the form)

    @property
    def stats(self) -> Decimal | None:
        return self.figure.stats_investment if self.figure is not None else None

    @property
    def gap(self) -> Decimal | None:
        """调度 − 统计 (None without a figure)."""
        return None if self.figure is None else self.dispatch - self.figure.stats_investment

    @property
    def locked(self) -> bool:
        return self.figure is not None and self.figure.submitted_at is not None

    @property
    def flagged(self) -> bool:
        return self.beyond or bool(self.alerts)

    @property
    def alert_labels(self) -> list[str]:
        return [str(ALERTS[key]) for key in self.alerts]


def _scope(user, action: str):
    return Project.objects.restrict(user, action)


def month_rows(
    user, month: date, *, action: str = "view", unit=None, flagged_only: bool = False, projects=None
) -> list[StatsRow]:
    """The month's reconciliation for the projects `user` may `action` (optionally one responsible unit and its
    sub-units, or these `projects`), by unit and name. Five queries whatever the number of projects."""
    month = month_start(month)
    settings = FundsSettings.current()
    scope = _scope(user, action)
    if unit is not None:
        scope = scope.filter(responsible_unit__path__startswith=unit.path)
    if projects is not None:
        scope = scope.filter(pk__in=[getattr(p, "pk", p) for p in projects])
    scope_ids = scope.order_by().values("pk")
    facts = {
        pid: (amount, started, counted)
        for pid, amount, started, counted in ProjectMonth.objects.filter(period=month, project_id__in=scope_ids)
        .filter(Q(expected=True) | Q(started=True))
        .order_by()
        .values_list("project_id", "month_investment", "started", "stats_counted")
    }
    figures = {
        f.project_id: f
        for f in StatsFigure.objects.filter(month=month, project_id__in=scope_ids).select_related("entered_by")
    }
    ids = set(facts) | set(figures)
    if not ids:
        return []
    # earlier figures: the 入库 fallback and the zero-investment run
    earlier: dict[int, list[StatsFigure]] = defaultdict(list)
    for f in StatsFigure.objects.filter(project_id__in=ids, month__lt=month).order_by("project_id", "-month"):
        earlier[f.project_id].append(f)
    month_last = month_end(month)
    rows = []
    for pid, name, code, unit_id, unit_name, status, stats_month in (
        Project.objects.filter(pk__in=ids)
        .order_by("responsible_unit__name", "name", "pk")
        .values_list(
            "pk", "name", "code", "responsible_unit_id", "responsible_unit__name", "stats_status", "stats_month"
        )
    ):
        amount, started, counted = facts.get(pid, (ZERO, False, None))
        if counted is None:  # no facts row that month: the project's 纳统状态 as of the month, by the same rule
            counted = status == StatsStatus.COUNTED and (stats_month is None or stats_month <= month_last)
        figure = figures.get(pid)
        before = earlier.get(pid, [])
        if figure is not None:
            in_db = figure.in_database
        elif before:
            in_db = before[0].in_database
        else:
            in_db = bool(counted)
        row = StatsRow(pid, name, code, unit_id, unit_name or "", amount, started, in_db, figure)
        if figure is not None:
            row.tolerance = tolerance(figure.stats_investment, settings)
            row.beyond = abs(row.dispatch - figure.stats_investment) > row.tolerance
            if row.dispatch - figure.stats_investment > row.tolerance:
                row.alerts.append(DISPATCH_HIGH)
        if started and not in_db:
            row.alerts.insert(0, STARTED_NOT_IN_DB)
        if in_db and _zero_run(figure, before, month):
            row.alerts.insert(1 if STARTED_NOT_IN_DB in row.alerts else 0, ZERO_AFTER_DB)
        if flagged_only and not row.flagged:
            continue
        rows.append(row)
    return rows


def _zero_run(figure: StatsFigure | None, before: list[StatsFigure], month: date) -> bool:
    """The 统计口径 figure is 0 and 入库 in each of the last ZERO_MONTHS months up to `month`."""
    by_month = {f.month: f for f in before}
    if figure is not None:
        by_month[month] = figure
    for back in range(ZERO_MONTHS):
        f = by_month.get(add_months(month, -back))
        if f is None or f.stats_investment != 0 or not f.in_database:
            return False
    return True


@dataclass(frozen=True)
class StatsTotals:
    """Both 口径 of a month summed over the projects in scope."""

    dispatch: Decimal
    stats: Decimal
    figures: int  # projects with a 统计口径 figure

    @property
    def gap(self) -> Decimal:
        return self.dispatch - self.stats


def district_totals(user, month: date, *, action: str = "dashboard") -> StatsTotals:
    """Over the projects the 统计局 has a figure for (so the two sums compare like with like): 调度口径 = Σ their
    当月完成 (facts), 统计口径 = Σ their figures; `count` of them. Two aggregate queries."""
    month = month_start(month)
    stats = StatsFigure.objects.filter(month=month, project_id__in=_scope(user, action).order_by().values("pk"))
    agg = stats.aggregate(s=Sum("stats_investment"), n=Count("pk"))
    dispatch = (
        ProjectMonth.objects.restrict_inline(user, action)
        .filter(period=month, project_id__in=stats.order_by().values("project_id"))
        .aggregate(s=Sum("month_investment"))
    )
    return StatsTotals(dispatch["s"] or ZERO, agg["s"] or ZERO, agg["n"] or 0)


# --- 入库 readiness --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class Readiness:
    items: list[ReadinessItem]

    @property
    def ready(self) -> bool:
        return all(item.ok for item in self.items)

    @property
    def missing(self) -> list[str]:
        return [item.label for item in self.items if not item.ok]

    @property
    def text(self) -> str:
        """ "计划总投资≥500万元 ✓，审批文件 ✗（…）…" """
        return "，".join(
            "%s %s%s" % (item.label, "✓" if item.ok else "✗", "" if item.ok else _("（%(d)s）") % {"d": item.detail})
            for item in self.items
        )


def _has_proof(item: ApprovalItem) -> bool:
    return bool(item.permit_no.strip()) or item.attachment_id is not None


def readiness(project: Project) -> Readiness:
    """The 入库 checklist of a project, each point ✓/✗ with what is there or what is missing."""
    from tuijin.progress.models import ReportPhoto

    items = []
    total = project.total_investment
    if total is None:
        items.append(ReadinessItem("size", _("计划总投资≥500万元"), False, _("未填总投资")))
    else:
        ok = total >= MIN_TOTAL
        items.append(
            ReadinessItem(
                "size",
                _("计划总投资≥500万元"),
                ok,
                _("总投资 %(t)s 万元") % {"t": total} if ok else _("总投资 %(t)s 万元，不足500万元") % {"t": total},
            )
        )
    approvals = list(ApprovalItem.objects.filter(project=project).select_related("item_type"))
    documents = [
        a
        for a in approvals
        if a.item_type.code != PERMIT_ITEM_CODE and a.status == ApprovalStatus.DONE and _has_proof(a)
    ]
    attachments = list(Attachment.objects.filter(project=project).only("kind", "original_name"))
    approval_files = [a for a in attachments if a.kind == AttachmentKind.APPROVAL]
    if documents:
        detail = "、".join(
            "%s%s" % (a.item_type.name, _("（%(n)s）") % {"n": a.permit_no} if a.permit_no else "")
            for a in documents[:3]
        )
    elif approval_files:
        detail = _("审批文件附件：%(n)s") % {"n": approval_files[0].original_name}
    else:
        detail = _("无已办结且有批准文号或附件的审批事项，也无审批文件附件")
    items.append(ReadinessItem("approval", _("审批文件"), bool(documents or approval_files), detail))
    photos = ReportPhoto.objects.filter(report__project=project, taken_at__isnull=False).order_by("taken_at")
    first_photo = photos.first()
    site_files = [a for a in attachments if a.kind == AttachmentKind.PHOTO or "合同" in a.original_name]
    if first_photo is not None:
        detail = _("月报现场照片（拍摄于 %(d)s）") % {"d": first_photo.taken_at.date().isoformat()}
    elif site_files:
        detail = _("附件：%(n)s") % {"n": site_files[0].original_name}
    else:
        detail = _("无施工合同，也无带拍摄时间的现场照片")
    items.append(
        ReadinessItem("evidence", _("施工合同或现场照片"), first_photo is not None or bool(site_files), detail)
    )
    permit = next((a for a in approvals if a.item_type.code == PERMIT_ITEM_CODE), None)
    if permit is not None and permit.status == ApprovalStatus.NOT_APPLICABLE:
        items.append(ReadinessItem("licence", _("施工许可证"), True, _("不涉及")))
    elif permit is not None and permit.status == ApprovalStatus.DONE:
        items.append(ReadinessItem("licence", _("施工许可证"), True, permit.permit_no or _("已办结")))
    else:
        items.append(ReadinessItem("licence", _("施工许可证"), False, _("施工许可尚未办结")))
    return Readiness(items)
