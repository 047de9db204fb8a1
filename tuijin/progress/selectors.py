"""Reads for monthly reports: what waits for a user's review, what was returned to them, who is told about a
report (its unit's reporters and approvers, the project office reviewers over it), and what a new month's form
starts with (carry-over from the previous reports)."""

from datetime import date

from django.db.models import QuerySet

from tuijin.core.periods import month_start, next_month
from tuijin.org.choices import Role, ScopeKind
from tuijin.users.recipients import users_covering

from .choices import COUNTED_STATUSES, ReportStatus
from .models import ProgressReport

__all__ = [
    "CARRIED_FIELDS",
    "report_carry_over",
    "report_office_reviewers",
    "report_unit_approvers",
    "report_unit_reporters",
    "reports_awaiting_review",
    "reports_returned",
]

# What a new month's form takes from the latest earlier report: the project's state, not the month's figures.
CARRIED_FIELDS = ("is_started", "started_on", "physical_progress")


def reports_awaiting_review(user) -> QuerySet[ProgressReport]:
    """The reports `user` can approve now: for the project office (officeapprove) the unit-approved ones in its
    scope; for a unit approver the submitted ones in its scope except those the user submitted (nobody approves
    their own report). The 待我审核 filter of the review queue and the home page's to-do use this."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ProgressReport.objects.none()
    if user.has_perm("progress.officeapprove_progressreport"):
        return ProgressReport.objects.restrict(user, "officeapprove").filter(status=ReportStatus.UNIT_APPROVED)
    if user.has_perm("progress.unitapprove_progressreport"):
        return (
            ProgressReport.objects.restrict(user, "unitapprove")
            .filter(status=ReportStatus.SUBMITTED)
            .exclude(submitted_by=user)
        )
    return ProgressReport.objects.none()


def reports_returned(user) -> QuerySet[ProgressReport]:
    """Returned reports waiting for `user` to correct and resubmit: drafts with a return reason that the user may
    edit (the unit's reporters)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ProgressReport.objects.none()
    if not user.has_perm("progress.submit_progressreport"):
        return ProgressReport.objects.none()
    return ProgressReport.objects.restrict(user, "change").filter(status=ReportStatus.DRAFT).exclude(return_reason="")


def report_unit_approvers(report: ProgressReport) -> list:
    """The 单位审核人 whose scope covers the report's project (told when a report is submitted or withdrawn, and
    when the project office corrects it). Unit-scoped only: the district office holds unit approval too."""
    unit = report.project.responsible_unit
    return list(users_covering(unit, "progress.unitapprove_progressreport", kinds=(ScopeKind.UNIT,)))


def report_unit_reporters(report: ProgressReport) -> list:
    """The 单位填报员 whose scope covers the report's project (told when it is returned or corrected)."""
    unit = report.project.responsible_unit
    covering = users_covering(unit, "progress.submit_progressreport", kinds=(ScopeKind.UNIT,))
    return list(covering.filter(memberships__role=Role.UNIT_REPORTER).distinct())


def report_office_reviewers(report: ProgressReport) -> list:
    """The users holding 项目办审核 whose scope covers the report's project (told when the unit approved it)."""
    return list(users_covering(report.project.responsible_unit, "progress.officeapprove_progressreport"))


def report_carry_over(project, period: date) -> dict:
    """The initial values of a new month's report: 已开工, the start date and 形象进度 of the latest earlier report
    (submitted ones first, else the latest draft); the project's actual start date when it is recorded."""
    period = month_start(period)
    earlier = ProgressReport.objects.filter(project=project, period__lt=period).order_by("-period")
    previous = earlier.filter(status__in=COUNTED_STATUSES).first() or earlier.first()
    initial: dict = {}
    if previous is not None:
        initial = {name: getattr(previous, name) for name in CARRIED_FIELDS}
    actual_start = getattr(project, "actual_start", None)
    if actual_start is not None and actual_start < next_month(period):
        initial["is_started"] = True
        initial["started_on"] = initial.get("started_on") or actual_start
    return initial
