"""Warning lights: the month's lights by colour with their explanations, manual overrides, evaluation on demand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.exceptions import ApplicationError
from tuijin.core.permissions import DenialReason, denial_record, require, scoped_object_or_404
from tuijin.core.redirects import safe_next
from tuijin.core.views_generic import ObjectListView
from tuijin.progress.choices import LightColor
from tuijin.progress.models import LightOverride, WarningLight, WarningRule
from tuijin.progress.views import _period
from tuijin.projects.models import Project

__all__ = ["WarningLightListView", "light_override", "lights_evaluate", "missing_reports_view"]


class WarningLightListView(ObjectListView):
    queryset = WarningLight.objects.select_related("project__responsible_unit", "rule")
    template_name = "progress/light_list.html"
    table_template = "progress/htmx/light_table.html"
    title = gettext_lazy("红黄绿灯预警")

    def get_queryset(self):
        self.period = _period(self.request)
        queryset = super().get_queryset().filter(period=self.period)
        color = self.request.GET.get("color", "")
        if color in LightColor.values:
            queryset = queryset.filter(color=color)
        else:
            queryset = queryset.exclude(color=LightColor.GREEN)
        rule = self.request.GET.get("rule", "")
        if rule:
            queryset = queryset.filter(rule__code=rule)
        severity = Case(
            When(color=LightColor.RED, then=Value(0)),
            When(color=LightColor.YELLOW, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )  # red first (the colour codes sort yellow before red)
        return queryset.order_by(severity, "project__responsible_unit__sort_order", "project__name", "rule__sort_order")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            period=self.period,
            colors=LightColor.choices,
            rules=WarningRule.objects.filter(is_active=True),
            color=self.request.GET.get("color", ""),
            rule=self.request.GET.get("rule", ""),
            can_override=user.has_perm("progress.add_lightoverride"),
            can_evaluate=user.has_perm("progress.evaluate_warninglight"),
            reasons=LightOverride.REASONS,
        )
        return context


def _override_counts(user, year: int):
    from .warnings import override_counts_by_unit

    return override_counts_by_unit(user, year)


@require_POST
@login_required
def lights_evaluate(request):
    require(request, "progress.evaluate_warninglight")
    from .warnings import evaluate_period

    period = _period(request)
    result = evaluate_period(period)
    label = f"{period:%Y年%m月}"
    messages.success(request, _("已重新评估 %(p)s 的预警灯：%(s)s") % {"p": label, "s": result.summary()})
    return redirect(safe_next(request, "/progress/lights/"))


@require_POST
@login_required
def light_override(request, pk: int):
    require(request, "progress.add_lightoverride")
    from .warnings import light_override_set

    light = scoped_object_or_404(
        request, WarningLight.objects.select_related("rule"), pk, action="view", permission=False
    )
    project = scoped_object_or_404(request, Project.objects.all(), light.project_id, action="view", permission=False)
    try:
        light_override_set(
            actor=request.user,
            project=project,
            period=light.period,
            rule=light.rule,
            color=request.POST.get("color", ""),
            reason_code=request.POST.get("reason_code", ""),
            reason=request.POST.get("reason", ""),
            recovery_plan=request.POST.get("recovery_plan", ""),
        )
        messages.success(request, _("已人工调整亮灯，原因与转绿计划已记录。"))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        denial_record(request, action="add", obj=light, reason=DenialReason.REFUSED, message=str(exc))
        messages.error(request, str(exc))
    except ApplicationError as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    return redirect(safe_next(request, f"/progress/lights/?period={light.period:%Y-%m}"))


@login_required
def missing_reports_view(request):
    """未上报: the projects expected to report (应报, tuijin.facts) without a submitted report, by unit."""
    from django.shortcuts import render

    from .selectors import missing_reports

    require(request, "projects.dashboard_project")
    period = _period(request)
    return render(
        request, "progress/missing_reports.html", {"data": missing_reports(request.user, period), "period": period}
    )
