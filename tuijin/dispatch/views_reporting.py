"""本单位月报: the reporting list of a unit for a month, from the facts' 应报 / 已报 (the same 未上报 as everywhere)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from tuijin.core.permissions import require
from tuijin.facts.figures import FIGURES, period_facts
from tuijin.progress import services
from tuijin.progress.models import ProgressReport
from tuijin.progress.views import _period
from tuijin.projects.choices import Stage
from tuijin.projects.models import Project

__all__ = ["my_reports"]


@login_required
def my_reports(request):
    """Every project in scope expected to report for the month (应报), with its report (未上报 when none is
    submitted yet); the count is the facts' 未上报 for this scope."""
    require(request, "progress.view_progressreport")
    period = _period(request)
    in_scope = Project.objects.restrict(request.user, "view")
    expected = (
        period_facts(in_scope, period)
        .filter(FIGURES["expected"].condition)
        .select_related("project__responsible_unit")
        .order_by("project__responsible_unit__sort_order", "project__name", "project_id")
    )
    reports = {r.project_id: r for r in ProgressReport.objects.restrict(request.user, "view").filter(period=period)}
    expected = list(expected)
    rows = [(fact.project, reports.get(fact.project_id), True) for fact in expected]
    # Other active projects (前期 without an annual plan, …) may report without being expected to: listed after
    # the expected ones, marked 非必报, never counted as 未上报 (also for a past month: a late report stays possible).
    seen = {fact.project_id for fact in expected}
    others = (
        in_scope.filter(stage__in=[Stage.PREPARATION, Stage.CONSTRUCTION])
        .exclude(pk__in=seen)
        .select_related("responsible_unit")
        .order_by("responsible_unit__sort_order", "name", "pk")
    )
    rows += [(project, reports.get(project.pk), False) for project in others]
    missing = sum(1 for fact in expected if not fact.reported)
    return render(
        request,
        "progress/my_reports.html",
        {
            "period": period,
            "rows": rows,
            "missing": missing,
            "window": services.reporting_period_get(period),
            "can_fill": request.user.has_perm("progress.add_progressreport"),
            "today": timezone.localdate(),
        },
    )
