"""Writes for monthly reports: draft, save, submit, unit approval, office approval (lock), return, correction.

Every transition checks the role permission *and* the unit scope (restrict), is atomic, detects concurrent
reviewers (a conditional UPDATE on status + version: one wins, the other gets ConflictError), and is written to the
report's timeline and the change log.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.locking import bump_version, changes_since
from tuijin.core.periods import month_start, previous_month
from tuijin.core.permissions import check_scope
from tuijin.notifications.services import Message, notify_many

from .anomalies import anomalies_update
from .choices import COUNTED_STATUSES, ReportEventType, ReportStatus
from .models import ProgressReport, ReportCorrection, ReportEvent, ReportingPeriod, ReportProblem
from .selectors import report_office_reviewers, report_unit_approvers, report_unit_reporters

__all__ = [
    "BULK_LIMIT",
    "EDITABLE_FIELDS",
    "BulkResult",
    "ReportFigures",
    "month_start",
    "period_for_reporting",
    "previous_month",
    "report_bulk_approve",
    "report_correct",
    "report_create",
    "report_figures",
    "report_figures_bulk",
    "report_get_or_create",
    "report_office_approve",
    "report_return",
    "report_save",
    "report_submit",
    "report_unit_approve",
    "report_withdraw",
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
    """Computed, never typed: year-to-date, % of the annual plan, cumulative since start, % of total investment
    (None when the project's total investment is not known)."""

    ytd: Decimal
    annual_plan: Decimal | None
    ytd_rate: Decimal | None
    cumulative: Decimal
    total_investment: Decimal | None
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


def report_figures_many(reports: Sequence[ProgressReport]) -> list[ReportFigures]:
    """`report_figures` of each report (saved or not, of any months), in two queries for all of them: the sheet
    and the bulk create validate thousands of rows with it. Each report's own stored amount is replaced by the
    one it carries, exactly as `report_figures` does."""
    from tuijin.projects.models import AnnualPlan

    if not reports:
        return []
    project_ids = {r.project_id for r in reports}
    last = max(r.period for r in reports)
    counted: dict[int, list[tuple[date, int, Decimal]]] = {}
    for pid, period, pk, amount in (
        ProgressReport.objects.filter(project_id__in=project_ids, status__in=COUNTED, period__lte=last)
        .order_by()
        .values_list("project_id", "period", "pk", "month_investment")
    ):
        counted.setdefault(pid, []).append((period, pk, Decimal(amount or 0)))
    years = {r.period.year for r in reports}
    plans = {
        (plan.project_id, plan.year): plan
        for plan in AnnualPlan.objects.filter(project_id__in=project_ids, year__in=years).order_by()
    }
    result = []
    for report in reports:
        this = report.month_investment or Decimal("0")
        ytd = cumulative = Decimal("0")
        for period, pk, amount in counted.get(report.project_id, ()):
            if period <= report.period and pk != report.pk:
                cumulative += amount
                if period.year == report.period.year:
                    ytd += amount
        ytd, cumulative = ytd + this, cumulative + this
        plan = plans.get((report.project_id, report.period.year))
        annual = plan.ranking_investment if plan else None
        total = report.project.total_investment
        result.append(
            ReportFigures(
                ytd,
                annual,
                (ytd * 100 / annual) if annual else None,
                cumulative,
                total,
                (cumulative * 100 / total) if total else None,
            )
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


ON_BEHALF_ACTIONS = ("correct", "officeapprove")


def _on_behalf_reason(actor, on_behalf_reason: str | None) -> str | None:
    """The stripped reason of a 代填 (None: the actor fills in for itself). Only users holding a project-office
    permission (`ON_BEHALF_ACTIONS`) fill in for a unit, and they must say why."""
    if on_behalf_reason is None:
        return None
    if actor is None:
        raise ValueError("a 代填 names the office user who fills in: actor cannot be None")
    if not any(actor.has_perm(f"progress.{action}_progressreport") for action in ON_BEHALF_ACTIONS):
        raise PermissionDenied(_("您没有代填月报的权限。"))
    reason = on_behalf_reason.strip()
    if not reason:
        raise ApplicationError(_("代填须填写代填原因。"), code="reason_required")
    return reason


def _check_on_behalf(actor, report: ProgressReport) -> None:
    """The office user's own scope covers the report (through any of the on-behalf permissions)."""
    for action in ON_BEHALF_ACTIONS:
        if actor.has_perm(f"progress.{action}_progressreport"):
            if ProgressReport.objects.restrict(actor, action).filter(pk=report.pk).exists():
                return
    raise PermissionDenied(_("该项目不在您的管理范围内。"))


def _record_on_behalf(report: ProgressReport, actor, reason: str | None) -> None:
    if reason is not None:
        _event(report, actor, ReportEventType.PROXY_FILLED, reason=reason)


def _existing_conflict(actor, existing: ProgressReport) -> ConflictError:
    check_scope(actor, existing, "view", message=_("该项目不在您的管理范围内。"))
    return ConflictError(
        _("该月报已由他人先行创建（当前状态：%(s)s），您填写的内容未保存。") % {"s": existing.get_status_display()},
        current=existing,
        changes=changes_since(existing, 0),
    )


@transaction.atomic
def report_create(
    *,
    actor,
    project,
    period: date,
    data: dict,
    problems: list[dict] | None = None,
    submit: bool = False,
    on_behalf_reason: str | None = None,
) -> ProgressReport:
    """The first save of a month's report (no draft exists before it), in ONE write: the report is validated with
    `report_save`'s rules and inserted with the form's values (optionally submitting), its timeline recording
    创建草稿 and 保存 as `report_get_or_create` + `report_save` would. The actor needs the fill permissions and
    scope (add and change), or fills in on behalf of the unit (`on_behalf_reason`, see `report_save`). If the
    report was created meanwhile (another tab or a colleague), nothing is written and ConflictError carries the
    existing report."""
    period = month_start(period)
    if period > month_start(timezone.localdate()):
        raise ApplicationError(_("不能填报未来月份的月报。"), code="future_period")
    reason = _on_behalf_reason(actor, on_behalf_reason)
    if reason is None and actor is not None and not actor.has_perm("progress.change_progressreport"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    existing = ProgressReport.objects.filter(project=project, period=period).first()
    if existing is not None:
        raise _existing_conflict(actor, existing)
    report = ProgressReport(project=project, period=period)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(report, key, value)
    report.full_clean(exclude=["project", "period"], validate_constraints=False)
    _validate(report)
    report.validate_constraints(exclude=["project", "period"])  # (project, period) is the insert's to check
    if reason is not None:
        report._changelog_message = _("代填：%(r)s") % {"r": reason[:100]}
    try:
        with transaction.atomic():
            report.save(force_insert=True)
    except IntegrityError:  # created concurrently between the check and the insert
        existing = ProgressReport.objects.filter(project=project, period=period).first()
        if existing is None:
            raise
        raise _existing_conflict(actor, existing) from None
    if reason is None:
        check_scope(actor, report, "add", message=_("该项目不在您的管理范围内。"))
        check_scope(actor, report, "change", message=_("该月报不在您的管理范围内。"))
    else:
        _check_on_behalf(actor, report)
    if problems is not None:
        _problems_apply(report, problems)
    _event(report, actor, ReportEventType.CREATED)
    _event(report, actor, ReportEventType.SAVED)
    _record_on_behalf(report, actor, reason)
    if submit:
        return report_submit(actor=actor, report=report, version=report.version)
    return report


@dataclass
class NewReport:
    """One report for `reports_create_bulk`: the project (its responsible unit and total loaded), the form's values
    and the problem rows (None: none)."""

    project: Any  # projects.Project
    data: dict
    problems: list[dict] | None = None


@transaction.atomic
def reports_create_bulk(
    *,
    actor,
    period: date,
    rows: Sequence[NewReport],
    on_behalf_reason: str | None = None,
    at_row: Callable[[int], None] | None = None,
) -> list[ProgressReport]:
    """`report_create` for many projects of one month with a fixed number of queries per batch (the 调度表 import):
    the same permission and scope checks, the same validation (figures computed in bulk), the same history,
    timeline (创建草稿, 保存, 代填) and facts, written with bulk inserts. Nothing is written unless every row passes.
    `at_row(i)` is called with the index of the row being checked, so the caller can name it in an error.
    A report that exists already raises ConflictError, as `report_create` does."""
    from tuijin.core.changelog import object_changes_bulk_record
    from tuijin.core.choices import ChangeAction
    from tuijin.core.figures_cache import figures_changed

    period = month_start(period)
    if not rows:
        return []
    if period > month_start(timezone.localdate()):
        raise ApplicationError(_("不能填报未来月份的月报。"), code="future_period")
    reason = _on_behalf_reason(actor, on_behalf_reason)
    if reason is None and actor is not None and not actor.has_perm("progress.change_progressreport"):
        raise PermissionDenied(_("您没有执行此操作的权限。"))
    project_ids = [row.project.pk for row in rows]
    existing = ProgressReport.objects.filter(project_id__in=project_ids, period=period).order_by("project_id").first()
    if existing is not None:
        if at_row is not None:
            at_row(project_ids.index(existing.project_id))
        raise _existing_conflict(actor, existing)
    reports = []
    for row in rows:
        report = ProgressReport(project=row.project, period=period)
        for key, value in row.data.items():
            if key in EDITABLE_FIELDS:
                setattr(report, key, value)
        reports.append(report)
    for i, (report, figures) in enumerate(zip(reports, report_figures_many(reports), strict=True)):
        if at_row is not None:
            at_row(i)
        report.full_clean(exclude=["project", "period"], validate_constraints=False)
        _validate(report, figures)  # the check constraints' rules, exactly (the database stays the backstop)
    ProgressReport.objects.bulk_create(reports, batch_size=500)
    created = [r.pk for r in reports]
    if actor is not None:
        if reason is None:
            needed = [("add", _("该项目不在您的管理范围内。")), ("change", _("该月报不在您的管理范围内。"))]
            for action, message in needed:
                allowed = set(
                    ProgressReport.objects.restrict(actor, action).filter(pk__in=created).values_list("pk", flat=True)
                )
                refused = next((i for i, pk in enumerate(created) if pk not in allowed), None)
                if refused is not None:
                    if at_row is not None:
                        at_row(refused)
                    check_scope(actor, reports[refused], action, message=message)  # denial audited, raises
        else:
            allowed = set()
            for action in ON_BEHALF_ACTIONS:
                if actor.has_perm(f"progress.{action}_progressreport"):
                    allowed |= set(
                        ProgressReport.objects.restrict(actor, action)
                        .filter(pk__in=created)
                        .values_list("pk", flat=True)
                    )
            refused = next((i for i, pk in enumerate(created) if pk not in allowed), None)
            if refused is not None:
                if at_row is not None:
                    at_row(refused)
                _check_on_behalf(actor, reports[refused])  # raises
    message = _("代填：%(r)s") % {"r": reason[:100]} if reason is not None else ""
    object_changes_bulk_record(reports, ChangeAction.CREATE, message)
    problems = [
        ReportProblem(report=report, category=c, description=d, help_requested=h)
        for report, row in zip(reports, rows, strict=True)
        for problem_row in row.problems or []
        if not problem_row.get("DELETE")
        for c, d, h in [_problem_values(problem_row)]
        if d
    ]
    ReportProblem.objects.bulk_create(problems, batch_size=500)
    object_changes_bulk_record(problems, ChangeAction.CREATE, message)
    events = []
    for report in reports:
        events.append(ReportEvent(report=report, actor=actor, type=ReportEventType.CREATED, data={}))
        events.append(ReportEvent(report=report, actor=actor, type=ReportEventType.SAVED, data={}))
        if reason is not None:
            events.append(
                ReportEvent(report=report, actor=actor, type=ReportEventType.PROXY_FILLED, data={"reason": reason})
            )
    ReportEvent.objects.bulk_create(events, batch_size=1000)
    figures_changed(project_ids, since=period)
    return reports


def _wan(value) -> str:
    """An amount in 万元 as people write it in a message: thousands separated, two decimals (SQLite sums come back
    with many trailing zeros)."""
    return f"{Decimal(value or 0).quantize(Decimal('0.01')):,}"


def _validate(report: ProgressReport, figures: ReportFigures | None = None) -> None:
    """The report's own rules beyond its fields (`full_clean`): breakdown, 核减 reason, start date, 超总投资 reason.
    `figures`: the report's `report_figures` when the caller computed them in bulk (`report_figures_many`)."""
    errors: dict[str, list[str]] = {}
    parts = (report.construction_install or 0) + (report.equipment or 0) + (report.other_cost or 0)
    if parts != report.month_investment:
        errors.setdefault("month_investment", []).append(
            _("投资构成合计 %(sum)s 万元，应等于当月完成投资 %(total)s 万元。")
            % {"sum": _wan(parts), "total": _wan(report.month_investment)}
        )
    if report.month_investment < 0 and not report.negative_reason.strip():
        errors.setdefault("negative_reason", []).append(_("当月投资为负数（核减）时须说明原因。"))
    if report.is_started and not report.started_on and not report.project.actual_start:
        errors.setdefault("started_on", []).append(_("已开工的项目须填写开工日期。"))
    if report.started_on and report.started_on > timezone.localdate():
        errors.setdefault("started_on", []).append(_("开工日期不能晚于今天。"))
    figures = figures if figures is not None else report_figures(report)
    total = figures.total_investment
    if total is not None and figures.cumulative > total and not report.over_total_reason.strip():
        errors.setdefault("over_total_reason", []).append(
            _("累计完成投资 %(cum)s 万元已超过总投资 %(total)s 万元，请说明原因。")
            % {"cum": _wan(figures.cumulative), "total": _wan(figures.total_investment)}
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
    on_behalf_reason: str | None = None,
) -> ProgressReport:
    """Save a draft (only drafts are editable by units), optionally submitting it in the same step.

    With `on_behalf_reason` the project office fills in for the unit (代填): the actor must hold
    `progress.correct_progressreport` or `progress.officeapprove_progressreport` with the report in that scope
    instead of the fill permissions; the save is recorded under the actor, with a 代填 event carrying the reason
    and the change log saying 代填."""
    reason = _on_behalf_reason(actor, on_behalf_reason)
    if reason is None:
        _check(actor, report, "change")
    else:
        _check_on_behalf(actor, report)
    _refuse_migrated(report)
    if report.status != ReportStatus.DRAFT:
        raise ApplicationError(_("月报已提交，不能修改；如需修改请联系审核人退回。"), code="not_draft")
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(report, key, value)
    report.full_clean(exclude=["project", "period"], validate_constraints=False)
    _validate(report)
    report.validate_constraints()
    if reason is not None:
        report._changelog_message = _("代填：%(r)s") % {"r": reason[:100]}
    bump_version(
        report,
        expected_version=version,
        status=ReportStatus.DRAFT,
        message=_(
            "您打开编辑页之后，该月报已被保存过（您编辑的是第 %(mine)d 版，当前为第 %(now)d 版，"
            "可能来自另一个窗口或其他人），您这次的修改尚未保存。"
        ),
    )
    if problems is not None:
        _problems_apply(report, problems)
    _event(report, actor, ReportEventType.SAVED)
    _record_on_behalf(report, actor, reason)
    if submit:
        return report_submit(actor=actor, report=report, version=report.version)
    return report


def _problem_values(row: dict) -> tuple[str, str, str]:
    """(category, description, help requested) of a problem row as stored: trimmed, 其他 when no category."""
    description = (row.get("description") or "").strip()
    return (row.get("category") or _("其他"), description, (row.get("help_requested") or "").strip())


def _problems_apply(report: ProgressReport, rows: list[dict]) -> None:
    """Bring the report's problem rows to `rows` in place: a row with the `id` of an existing problem updates it
    (saved only when something changed), a row without one first takes an existing problem with the same content
    (the API sends no ids), a row with an empty description or `DELETE` removes its problem, the rest are added.
    Problems not named by any row are deleted. The history thus records what changed, not delete-and-re-add."""
    existing = {p.pk: p for p in ReportProblem.objects.filter(report=report)}
    wanted: list[tuple[ReportProblem | None, tuple[str, str, str]]] = []
    claimed: set[int] = set()
    for row in rows:
        values = _problem_values(row)
        description = values[1]
        raw = row.get("id")
        pk: int | None = None
        if raw is not None and raw != "":
            try:
                pk = int(raw)
            except (TypeError, ValueError):
                pk = None
        problem = existing.get(pk) if pk is not None and pk not in claimed else None
        if row.get("DELETE") or not description:
            continue  # its problem, if any, stays unclaimed and is deleted below
        if problem is not None:
            claimed.add(problem.pk)
        wanted.append((problem, values))
    unnamed = [p for pk, p in existing.items() if pk not in claimed]
    for i, (problem, values) in enumerate(wanted):
        if problem is None:
            same = next((p for p in unnamed if (p.category, p.description, p.help_requested) == values), None)
            if same is not None:
                unnamed.remove(same)
                wanted[i] = (same, values)
    for problem in unnamed:
        problem.delete()
    for problem, (category, description, help_requested) in wanted:
        if problem is None:
            ReportProblem.objects.create(
                report=report, category=category, description=description, help_requested=help_requested
            )
        elif (problem.category, problem.description, problem.help_requested) != (
            category,
            description,
            help_requested,
        ):
            problem.category, problem.description, problem.help_requested = category, description, help_requested
            problem.save()


def _bump(report: ProgressReport, version: int | None, *, expected_status: str) -> None:
    """Save the report if nobody else changed it (status and version): core.locking.bump_version."""
    bump_version(
        report,
        expected_version=version,
        status=expected_status,
        message=_("该月报刚被他人处理（当前状态：%(status)s），您的操作未生效，请刷新后查看。"),
    )


def _refuse_migrated(report: ProgressReport) -> None:
    """历史数据 is locked: never edited, withdrawn or returned; the project office corrects it (report_correct)."""
    if report.migration_job_id is None:
        return
    job = report.migration_job
    assert job is not None
    raise ApplicationError(
        _(
            "该月报为历史数据（由 %(who)s 于 %(when)s 导入），已锁定，不能修改、撤回或退回；"
            "如需修改，请由项目办走更正流程。"
        )
        % {"who": _who(job.created_by), "when": f"{timezone.localtime(job.created):%Y-%m-%d %H:%M}"},
        code="migrated",
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


def _label(report: ProgressReport) -> str:
    return f"{report.project.name} {report.period.year}年{report.period.month}月"


def _who(actor) -> str:
    if actor is None:
        return _("系统")
    return getattr(actor, "display_name", "") or actor.get_username()


def _notify(users, report: ProgressReport, actor, title: str, body: str, *, level: str = "info") -> None:
    """Tell `users` (the actor excluded, each once) about `report`, in-app and through the channel; the link opens
    the report. Sent after the surrounding transaction commits (notify_many)."""
    url = report.get_absolute_url()
    seen: set[int] = set()
    messages = []
    for user in users:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        seen.add(user.pk)
        messages.append(Message(user, title, body, url, level=level, kind="report"))
    if messages:
        notify_many(messages)


def _figure(value) -> str:
    return "—" if value is None else f"{value:,.2f}"


@transaction.atomic
def report_submit(*, actor, report: ProgressReport, version: int) -> ProgressReport:
    _validate(report)
    now = timezone.now()
    report = _transition(
        actor,
        report,
        version,
        action="submit",
        from_status=ReportStatus.DRAFT,
        to_status=ReportStatus.SUBMITTED,
        event=ReportEventType.SUBMITTED,
        extra_fields={"submitted_at": now, "submitted_by": actor, "return_reason": ""},
    )
    anomalies_update(report)  # 数据异常: flags for the reviewer, a warning to the reporter; never blocking
    _notify(
        report_unit_approvers(report),
        report,
        actor,
        _("月报待审核：%(r)s") % {"r": _label(report)},
        _("%(who)s 已提交，当月完成投资 %(m)s 万元，请审核。")
        % {"who": _who(actor), "m": _figure(report.month_investment)},
    )
    return report


@transaction.atomic
def report_withdraw(*, actor, report: ProgressReport, version: int) -> ProgressReport:
    """The reporter takes a submitted report back to 草稿 until the unit approver has acted on it (then it can
    only be returned by a reviewer). Refused once reviewed; a concurrent review wins (version and status check)."""
    _check(actor, report, "submit")
    _refuse_migrated(report)
    if report.status != ReportStatus.SUBMITTED:
        raise ConflictError(
            _("该月报当前状态为“%(s)s”，审核人已处理，不能撤回；如需修改请联系审核人退回。")
            % {"s": report.get_status_display()},
            current=report,
        )
    report = _transition(
        actor,
        report,
        version,
        action="submit",
        from_status=ReportStatus.SUBMITTED,
        to_status=ReportStatus.DRAFT,
        event=ReportEventType.WITHDRAWN,
        extra_fields={"submitted_at": None, "submitted_by": None},
    )
    anomalies_update(report)
    _notify(
        report_unit_approvers(report),
        report,
        actor,
        _("月报已撤回：%(r)s") % {"r": _label(report)},
        _("%(who)s 撤回了该月报，修改后将重新提交，暂无需审核。") % {"who": _who(actor)},
    )
    return report


@transaction.atomic
def report_unit_approve(*, actor, report: ProgressReport, version: int, notify: bool = True) -> ProgressReport:
    _check(actor, report, "unitapprove")
    if actor is not None and report.submitted_by_id == actor.pk:
        raise ApplicationError(_("不能审核自己提交的月报，请由本单位其他审核人审核。"), code="self_approval")
    report = _transition(
        actor,
        report,
        version,
        action="unitapprove",
        from_status=ReportStatus.SUBMITTED,
        to_status=ReportStatus.UNIT_APPROVED,
        event=ReportEventType.UNIT_APPROVED,
        extra_fields={"unit_reviewed_at": timezone.now(), "unit_reviewed_by": actor},
    )
    if notify:
        _notify_unit_approved([report], actor)
    return report


def _notify_unit_approved(reports: list[ProgressReport], actor) -> None:
    """Tell the project office reviewers over each report that it waits for them (recipients once per unit)."""
    reviewers: dict[int, list] = {}
    for report in reports:
        unit_id = report.project.responsible_unit_id
        if unit_id not in reviewers:
            reviewers[unit_id] = report_office_reviewers(report)
        _notify(
            reviewers[unit_id],
            report,
            actor,
            _("月报待项目办审核：%(r)s") % {"r": _label(report)},
            _("%(unit)s 已审核通过（%(who)s），请项目办审核。")
            % {"unit": report.project.responsible_unit, "who": _who(actor)},
        )


@transaction.atomic
def report_office_approve(*, actor, report: ProgressReport, version: int, notify: bool = True) -> ProgressReport:
    report = _transition(
        actor,
        report,
        version,
        action="officeapprove",
        from_status=ReportStatus.UNIT_APPROVED,
        to_status=ReportStatus.OFFICE_APPROVED,
        event=ReportEventType.OFFICE_APPROVED,
        extra_fields={"office_reviewed_at": timezone.now(), "office_reviewed_by": actor},
    )
    if notify:
        _notify_office_approved([report], actor)
    return report


def _notify_office_approved(reports: list[ProgressReport], actor) -> None:
    from tuijin.users.models import User

    reporters = {u.pk: u for u in User.objects.filter(pk__in={r.submitted_by_id for r in reports if r.submitted_by_id})}
    for report in reports:
        _notify(
            [reporters.get(report.submitted_by_id)],
            report,
            actor,
            _("月报已审核通过：%(r)s") % {"r": _label(report)},
            _("项目办已审核通过（%(who)s），月报已锁定。") % {"who": _who(actor)},
            level="success",
        )


@transaction.atomic
def report_return(*, actor, report: ProgressReport, version: int, reason: str) -> ProgressReport:
    """Either reviewer sends a submitted (or unit-approved) report back to draft, with a reason."""
    if report.migration_job_id is not None:
        _check(actor, report, "view")
        _refuse_migrated(report)
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
    submitted_by = report.submitted_by
    report = _transition(
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
    anomalies_update(report)
    _notify(
        [*report_unit_reporters(report), submitted_by],
        report,
        actor,
        _("月报被退回：%(r)s") % {"r": _label(report)},
        _("退回原因：%(reason)s（退回人：%(who)s）。请修改后重新提交。") % {"reason": reason, "who": _who(actor)},
        level="warning",
    )
    return report


def _shown(report: ProgressReport, name: str, value) -> str:
    """A field value as people read it: 是/否, dates, amounts with two decimals, （无） for empty."""
    if value is None or value == "":
        return _("（无）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _stored(value) -> str:
    """A value kept in a correction record (older records hold str() of the raw value: None, True …)."""
    if value in (None, "", "None"):
        return _("（无）")
    return {"True": _("是"), "False": _("否")}.get(str(value), str(value))


def correction_rows(report: ProgressReport, before: dict, after: dict) -> list[tuple[str, str, str]]:
    """(field label, before, after) of a correction, in form order, as people read them."""
    rows = []
    for name in EDITABLE_FIELDS:
        if name in before or name in after:
            label = str(getattr(ProgressReport._meta.get_field(name), "verbose_name", name))
            rows.append((label, _stored(before.get(name)), _stored(after.get(name))))
    return rows


@transaction.atomic
def report_correct(*, actor, report: ProgressReport, version: int, data: dict, reason: str) -> ProgressReport:
    """Only the project office corrects a locked report; the correction keeps the changed fields' old and new
    values (as people read them) and the reason, and tells the unit's reporters and approvers."""
    _check(actor, report, "correct")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("更正须填写原因。"), code="reason_required")
    if report.status != ReportStatus.OFFICE_APPROVED:
        raise ApplicationError(_("只有已锁定的月报需要走更正流程；未锁定的月报请退回后修改。"), code="not_locked")
    old = {k: getattr(report, k) for k in data if k in EDITABLE_FIELDS}
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(report, key, value)
    report.full_clean(exclude=["project", "period"], validate_constraints=False)
    _validate(report)
    report.validate_constraints()
    changed = [k for k in old if _shown(report, k, old[k]) != _shown(report, k, getattr(report, k))]
    if not changed:
        raise ApplicationError(_("没有修改任何内容，无需更正。"), code="no_change")
    before = {k: _shown(report, k, old[k]) for k in changed}
    after = {k: _shown(report, k, getattr(report, k)) for k in changed}
    report._changelog_message = _("更正：%(r)s") % {"r": reason}
    _bump(report, version, expected_status=ReportStatus.OFFICE_APPROVED)
    ReportCorrection.objects.create(report=report, reason=reason, before=before, after=after, actor=actor)
    anomalies_update(report, before_amount=old.get("month_investment"))
    _event(report, actor, ReportEventType.CORRECTED, reason=reason, before=before, after=after)
    what = "；".join(f"{label}：{b} → {a}" for label, b, a in correction_rows(report, before, after))
    _notify(
        [*report_unit_reporters(report), *report_unit_approvers(report)],
        report,
        actor,
        _("月报已被项目办更正：%(r)s") % {"r": _label(report)},
        _("更正原因：%(reason)s。更正内容：%(what)s（更正人：%(who)s）。")
        % {"reason": reason, "what": what, "who": _who(actor)},
        level="warning",
    )
    return report


BULK_LIMIT = 100


@dataclass
class BulkResult:
    approved: list[ProgressReport]
    skipped: list[tuple[ProgressReport | None, str]]  # (report or None when not found, why)


def report_bulk_approve(*, actor, items: list[tuple[int, int]]) -> BulkResult:
    """Approve several reports, each at the version the user previewed: unit approvers approve 已提交 reports,
    the project office 单位审核通过 ones. Each report is its own transaction; one that changed since the preview,
    is out of scope or not approvable is skipped with the reason (nothing of it is written). At most BULK_LIMIT
    reports; the notifications go out once per recipient group at the end."""
    if len(items) > BULK_LIMIT:
        raise ApplicationError(_("一次最多批量审核 %(n)d 份月报。") % {"n": BULK_LIMIT}, code="too_many")
    office = actor is None or actor.has_perm("progress.officeapprove_progressreport")
    wanted = dict(items)
    reports = {
        r.pk: r
        for r in ProgressReport.objects.restrict(actor, "view")
        .filter(pk__in=list(wanted))
        .select_related("project__responsible_unit")
    }
    result = BulkResult([], [])
    for pk, version in items:
        report = reports.get(pk)
        if report is None:
            result.skipped.append((None, _("月报不存在或不在您的管理范围内。")))
            continue
        if report.version != version:
            result.skipped.append(
                (report, _("预览后该月报已被他人处理（当前状态：%(s)s）。") % {"s": report.get_status_display()})
            )
            continue
        try:
            with transaction.atomic():
                if office and report.status == ReportStatus.UNIT_APPROVED:
                    report_office_approve(actor=actor, report=report, version=version, notify=False)
                elif not office and report.status == ReportStatus.SUBMITTED:
                    report_unit_approve(actor=actor, report=report, version=version, notify=False)
                else:
                    raise ApplicationError(
                        _("当前状态为“%(s)s”，不在您的审核环节。") % {"s": report.get_status_display()}
                    )
        except ConflictError:
            report.refresh_from_db()
            result.skipped.append(
                (report, _("预览后该月报已被他人处理（当前状态：%(s)s）。") % {"s": report.get_status_display()})
            )
        except (ApplicationError, PermissionDenied, ValidationError) as exc:
            message = getattr(exc, "message", None) or "；".join(getattr(exc, "messages", [])) or str(exc)
            result.skipped.append((report, message))
        else:
            result.approved.append(report)
    with transaction.atomic():
        if office:
            _notify_office_approved(result.approved, actor)
        else:
            _notify_unit_approved(result.approved, actor)
    return result
