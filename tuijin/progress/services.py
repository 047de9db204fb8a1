"""Writes for monthly reports: draft, save, submit, unit approval, office approval (lock), return, correction.

Every transition checks the role permission *and* the unit scope (restrict), is atomic, detects concurrent
reviewers (a conditional UPDATE on status + version: one wins, the other gets ConflictError), and is written to the
report's timeline and the change log.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.locking import bump_version
from tuijin.core.periods import month_start, previous_month
from tuijin.core.permissions import check_scope

from .choices import COUNTED_STATUSES, ReportEventType, ReportStatus
from .models import ProgressReport, ReportCorrection, ReportEvent, ReportingPeriod, ReportProblem

__all__ = [
    "EDITABLE_FIELDS",
    "ReportFigures",
    "month_start",
    "period_for_reporting",
    "previous_month",
    "report_correct",
    "report_figures",
    "report_figures_bulk",
    "report_get_or_create",
    "report_office_approve",
    "report_return",
    "report_save",
    "report_submit",
    "report_unit_approve",
    "reporting_period_get",
]

EDITABLE_FIELDS = [
    "month_investment",
    "construction_install",
    "equipment",
    "other_cost",
    "funds_arrived",
    "stats_investment",
    "physical_progress",
    "next_month_plan",
    "is_started",
    "started_on",
    "milestones",
    "negative_reason",
    "over_total_reason",
]
COUNTED = COUNTED_STATUSES  # the definition lives in choices (tuijin/facts reads it too)


def reporting_period_get(period: date) -> ReportingPeriod:
    """The window for `period` (a month): stored, or created with the configured default days of the next month."""
    period = month_start(period)
    found = ReportingPeriod.objects.filter(period=period).first()
    if found is not None:
        return found
    next_month = (period + timedelta(days=32)).replace(day=1)
    opens = next_month.replace(day=min(settings.TUIJIN_REPORT_WINDOW_OPEN_DAY, 28))
    closes = next_month.replace(day=min(settings.TUIJIN_REPORT_WINDOW_CLOSE_DAY, 28))
    found, _created = ReportingPeriod.objects.get_or_create(
        period=period, defaults={"opens_on": opens, "closes_on": closes}
    )
    return found


def period_for_reporting(today: date | None = None) -> date:
    """The month units report on today: last month (reports are filed in the first days of the next month)."""
    return previous_month(today or timezone.localdate())


@dataclass
class ReportFigures:
    """Computed, never typed: year-to-date, % of the annual plan, cumulative since start, % of total investment."""

    ytd: Decimal
    annual_plan: Decimal | None
    ytd_rate: Decimal | None
    cumulative: Decimal
    total_investment: Decimal
    cumulative_rate: Decimal | None


def report_figures(report: ProgressReport) -> ReportFigures:
    project = report.project
    others = ProgressReport.objects.filter(project=project, status__in=COUNTED, period__lte=report.period).exclude(
        pk=report.pk
    )
    this = report.month_investment or Decimal("0")
    ytd = (others.filter(period__year=report.period.year).aggregate(s=Sum("month_investment"))["s"] or 0) + this
    cumulative = (others.aggregate(s=Sum("month_investment"))["s"] or 0) + this
    plan = project.annual_plans.filter(year=report.period.year).first()
    annual = plan.ranking_investment if plan else None
    ytd_rate = (Decimal(ytd) * 100 / annual) if annual else None
    total = project.total_investment
    cumulative_rate = (Decimal(cumulative) * 100 / total) if total else None
    return ReportFigures(Decimal(ytd), annual, ytd_rate, Decimal(cumulative), total, cumulative_rate)


def report_figures_bulk(reports: list[ProgressReport]) -> dict[int, ReportFigures]:
    """report_figures for many reports of one month in three queries (exports, tables): no per-row queries."""
    from django.db.models.functions import Coalesce

    from tuijin.projects.models import AnnualPlan

    if not reports:
        return {}
    period = reports[0].period
    project_ids = [r.project_id for r in reports]
    counted = ProgressReport.objects.filter(project_id__in=project_ids, status__in=COUNTED, period__lte=period)
    ytd = dict(
        counted.filter(period__year=period.year)
        .values("project_id")
        .annotate(s=Sum("month_investment"))
        .values_list("project_id", "s")
    )
    cumulative = dict(counted.values("project_id").annotate(s=Sum("month_investment")).values_list("project_id", "s"))
    plans = dict(
        AnnualPlan.objects.filter(project_id__in=project_ids, year=period.year)
        .annotate(r=Coalesce("baseline_investment", "planned_investment"))
        .values_list("project_id", "r")
    )
    result = {}
    for report in reports:
        extra = Decimal("0") if report.status in COUNTED else report.month_investment
        y = Decimal(ytd.get(report.project_id) or 0) + extra
        c = Decimal(cumulative.get(report.project_id) or 0) + extra
        plan = plans.get(report.project_id)
        total = report.project.total_investment
        result[report.pk] = ReportFigures(
            y, plan, (y * 100 / plan) if plan else None, c, total, (c * 100 / total) if total else None
        )
    return result


def _event(report, actor, type, **data) -> None:
    ReportEvent.objects.create(report=report, actor=actor, type=type, data=data)


def _check(actor, report: ProgressReport, action: str) -> None:
    """Role permission and unit scope for `action` on this report; out of scope looks like not found."""
    permission = f"progress.{action}_progressreport"
    if actor is not None and not actor.has_perm(permission):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    check_scope(actor, report, action, message=_("该月报不在您的管理范围内。"))


@transaction.atomic
def report_get_or_create(*, actor, project, period: date) -> ProgressReport:
    """The project's report for the month, created as a draft if needed; the actor must be allowed to add reports
    for this project (role and scope), else PermissionDenied and nothing is created."""
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise ApplicationError(_("不能填报未来月份的月报。"), code="future_period")
    report = ProgressReport.objects.filter(project=project, period=period).first()
    if report is None:
        report = ProgressReport.objects.create(project=project, period=period)
        _event(report, actor, ReportEventType.CREATED)
    check_scope(actor, report, "add", message=_("该项目不在您的管理范围内。"))
    return report


def _validate(report: ProgressReport) -> None:
    errors: dict[str, list[str]] = {}
    parts = (report.construction_install or 0) + (report.equipment or 0) + (report.other_cost or 0)
    if parts != report.month_investment:
        errors.setdefault("month_investment", []).append(
            _("投资构成合计 %(sum)s 万元，应等于当月完成投资 %(total)s 万元。")
            % {"sum": parts, "total": report.month_investment}
        )
    if report.month_investment < 0 and not report.negative_reason.strip():
        errors.setdefault("negative_reason", []).append(_("当月投资为负数（核减）时须说明原因。"))
    if report.is_started and not report.started_on and not report.project.actual_start:
        errors.setdefault("started_on", []).append(_("已开工的项目须填写开工日期。"))
    if report.started_on and report.started_on > timezone.localdate():
        errors.setdefault("started_on", []).append(_("开工日期不能晚于今天。"))
    figures = report_figures(report)
    if figures.cumulative > figures.total_investment and not report.over_total_reason.strip():
        errors.setdefault("over_total_reason", []).append(
            _("累计完成投资 %(cum)s 万元已超过总投资 %(total)s 万元，请说明原因。")
            % {"cum": figures.cumulative, "total": figures.total_investment}
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def report_save(
    *,
    actor,
    report: ProgressReport,
    version: int | None,
    data: dict,
    problems: list[dict] | None = None,
    submit: bool = False,
) -> ProgressReport:
    """Save a draft (only drafts are editable by units), optionally submitting it in the same step."""
    _check(actor, report, "change")
    if report.status != ReportStatus.DRAFT:
        raise ApplicationError(_("月报已提交，不能修改；如需修改请联系审核人退回。"), code="not_draft")
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(report, key, value)
    report.full_clean(exclude=["project", "period"], validate_constraints=False)
    _validate(report)
    report.validate_constraints()
    _bump(report, version, expected_status=ReportStatus.DRAFT)
    if problems is not None:
        ReportProblem.objects.filter(report=report).delete()
        for row in problems:
            if (row.get("description") or "").strip():
                ReportProblem.objects.create(
                    report=report,
                    category=row.get("category") or _("其他"),
                    description=row["description"].strip(),
                    help_requested=(row.get("help_requested") or "").strip(),
                )
    _event(report, actor, ReportEventType.SAVED)
    if submit:
        return report_submit(actor=actor, report=report, version=report.version)
    return report


def _bump(report: ProgressReport, version: int | None, *, expected_status: str) -> None:
    """Save the report if nobody else changed it (status and version): core.locking.bump_version."""
    bump_version(
        report,
        expected_version=version,
        status=expected_status,
        message=_("该月报刚被他人处理（当前状态：%(status)s），您的操作未生效，请刷新后查看。"),
    )


def _transition(actor, report, version, *, action, from_status, to_status, event, extra_fields=None, **data):
    _check(actor, report, action)
    if report.status != from_status:
        raise ConflictError(
            _("该月报当前状态为“%(s)s”，不能执行此操作。") % {"s": report.get_status_display()}, current=report
        )
    report.status = to_status
    for key, value in (extra_fields or {}).items():
        setattr(report, key, value)
    _bump(report, version, expected_status=from_status)
    _event(report, actor, event, **data)
    return report


@transaction.atomic
def report_submit(*, actor, report: ProgressReport, version: int) -> ProgressReport:
    _validate(report)
    now = timezone.now()
    return _transition(
        actor,
        report,
        version,
        action="submit",
        from_status=ReportStatus.DRAFT,
        to_status=ReportStatus.SUBMITTED,
        event=ReportEventType.SUBMITTED,
        extra_fields={"submitted_at": now, "submitted_by": actor, "return_reason": ""},
    )


@transaction.atomic
def report_unit_approve(*, actor, report: ProgressReport, version: int) -> ProgressReport:
    _check(actor, report, "unitapprove")
    if actor is not None and report.submitted_by_id == actor.pk:
        raise ApplicationError(_("不能审核自己提交的月报，请由本单位其他审核人审核。"), code="self_approval")
    return _transition(
        actor,
        report,
        version,
        action="unitapprove",
        from_status=ReportStatus.SUBMITTED,
        to_status=ReportStatus.UNIT_APPROVED,
        event=ReportEventType.UNIT_APPROVED,
        extra_fields={"unit_reviewed_at": timezone.now(), "unit_reviewed_by": actor},
    )


@transaction.atomic
def report_office_approve(*, actor, report: ProgressReport, version: int) -> ProgressReport:
    return _transition(
        actor,
        report,
        version,
        action="officeapprove",
        from_status=ReportStatus.UNIT_APPROVED,
        to_status=ReportStatus.OFFICE_APPROVED,
        event=ReportEventType.OFFICE_APPROVED,
        extra_fields={"office_reviewed_at": timezone.now(), "office_reviewed_by": actor},
    )


@transaction.atomic
def report_return(*, actor, report: ProgressReport, version: int, reason: str) -> ProgressReport:
    """Either reviewer sends a submitted (or unit-approved) report back to draft, with a reason."""
    if report.status == ReportStatus.SUBMITTED:
        action = (
            "unitapprove" if actor is None or actor.has_perm("progress.unitapprove_progressreport") else "officeapprove"
        )
    elif report.status == ReportStatus.UNIT_APPROVED:
        action = "officeapprove"
    else:
        _check(actor, report, "view")
        raise ConflictError(
            _("该月报当前状态为“%(s)s”，不能退回。") % {"s": report.get_status_display()}, current=report
        )
    _check(actor, report, action)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("退回须填写原因。"), code="reason_required")
    return _transition(
        actor,
        report,
        version,
        action=action,
        from_status=report.status,
        to_status=ReportStatus.DRAFT,
        event=ReportEventType.RETURNED,
        extra_fields={"return_reason": reason},
        reason=reason,
    )


@transaction.atomic
def report_correct(*, actor, report: ProgressReport, version: int, data: dict, reason: str) -> ProgressReport:
    """Only the project office corrects a locked report; the correction keeps both versions and the reason."""
    _check(actor, report, "correct")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("更正须填写原因。"), code="reason_required")
    if report.status != ReportStatus.OFFICE_APPROVED:
        raise ApplicationError(_("只有已锁定的月报需要走更正流程；未锁定的月报请退回后修改。"), code="not_locked")
    before = {k: str(getattr(report, k)) for k in data if k in EDITABLE_FIELDS}
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(report, key, value)
    report.full_clean(exclude=["project", "period"], validate_constraints=False)
    _validate(report)
    report.validate_constraints()
    report._changelog_message = _("更正：%(r)s") % {"r": reason}
    _bump(report, version, expected_status=ReportStatus.OFFICE_APPROVED)
    after = {k: str(getattr(report, k)) for k in before}
    ReportCorrection.objects.create(report=report, reason=reason, before=before, after=after, actor=actor)
    _event(report, actor, ReportEventType.CORRECTED, reason=reason, before=before, after=after)
    return report
