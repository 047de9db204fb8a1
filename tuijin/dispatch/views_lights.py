"""Warning lights: the month's lights by colour with their explanations, manual overrides, evaluation on demand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.exceptions import ApplicationError
from tuijin.core.permissions import DenialReason, denial_record, require, scoped_object_or_404
from tuijin.core.redirects import safe_next
from tuijin.core.views_generic import ObjectListView
from tuijin.progress.choices import LightColor
from tuijin.progress.models import LightOverride, WarningLight, WarningRule
from tuijin.progress.views import _period
from tuijin.projects.models import Project
from tuijin.utilities.excel import XLSX_CONTENT_TYPE, table_xlsx

EXPORT_LIMIT = 100_000

__all__ = [
    "WarningLightListView",
    "light_export",
    "light_override",
    "lights_evaluate",
    "missing_export",
    "missing_reports_view",
    "missing_urge",
]


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
        if self.request.GET.get("undecided") == "1":  # 红灯待研判: no override decision yet (the home to-do)
            from .attention import undecided_red_lights

            queryset = queryset.filter(pk__in=undecided_red_lights(self.request.user, self.period).values("pk"))
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
            undecided=self.request.GET.get("undecided") == "1",
            export_query=self.request.GET.urlencode(),
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
def light_export(request):
    """The lights page's rows (same filters, red first) as XLSX: project, unit, rule, colour, explanation."""
    require(request, "progress.export_progressreport")
    view = WarningLightListView()
    view.setup(request)
    rows = view.get_queryset().restrict(request.user, "view")[:EXPORT_LIMIT]
    content = table_xlsx(
        f"{view.period:%Y年%m月}红黄绿灯",
        [_("项目名称"), _("项目代码"), _("责任单位"), _("预警规则"), _("灯色"), _("说明"), _("报告期")],
        (
            [
                light.project.name,
                light.project.code or "",
                light.project.responsible_unit.name,
                light.rule.name,
                light.get_color_display(),
                light.explanation,
                f"{light.period:%Y-%m}",
            ]
            for light in rows
        ),
        widths=[40, 20, 18, 18, 8, 60, 10],
    )
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "lights", "filters": request.GET.dict()})
    return _xlsx(content, f"lights-{view.period:%Y-%m}.xlsx")


@login_required
def missing_reports_view(request):
    """未上报: the projects expected to report (应报, tuijin.facts) without a submitted report, by unit; the office
    may 催报 each unit or all of them (dispatch.services.report_urge)."""
    from .selectors import missing_reports
    from .services import last_urges, urge_interval

    require(request, "projects.dashboard_project")
    period = _period(request)
    data = missing_reports(request.user, period)
    can_urge = request.user.has_perm("progress.officeapprove_progressreport")
    urges = last_urges(period, {u.unit_id for u in data.units}) if can_urge else {}
    for unit in data.units:
        unit.last_urge = urges.get(unit.unit_id)  # type: ignore[attr-defined]
    context = {"data": data, "period": period, "can_urge": can_urge, "urge_hours": urge_interval().seconds // 3600}
    return render(request, "progress/missing_reports.html", context)


@require_POST
@login_required
def missing_urge(request):
    """催报: POST `unit` (one unit id) or nothing (every unit with 未上报 projects in the user's scope)."""
    from .services import report_urge

    require(request, "progress.officeapprove_progressreport")
    period = _period(request)
    unit = request.POST.get("unit", "")
    unit_ids = None
    if unit:
        if not unit.isdigit():
            messages.error(request, _("请求无效，请刷新页面后重试。"))
            return redirect(f"{reverse('dispatch:missing_reports')}?period={period:%Y-%m}")
        unit_ids = [int(unit)]
    result = report_urge(actor=request.user, period=period, unit_ids=unit_ids)
    (messages.success if result.urged else messages.info)(request, result.summary())
    return redirect(f"{reverse('dispatch:missing_reports')}?period={period:%Y-%m}")


@login_required
def missing_export(request):
    """未上报 as XLSX: one row per project, by unit (the page's figures)."""
    from .selectors import missing_reports

    require(request, "projects.dashboard_project")
    period = _period(request)
    data = missing_reports(request.user, period)
    content = table_xlsx(
        f"{period:%Y年%m月}未上报",
        [_("序号"), _("责任单位"), _("项目名称"), _("报告期")],
        (
            [i, unit.unit, name, f"{period:%Y-%m}"]
            for i, (unit, name) in enumerate(((u, n) for u in data.units for _pk, n in u.projects), start=1)
        ),
        widths=[6, 20, 50, 10],
    )
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "missing", "period": f"{period:%Y-%m}"})
    return _xlsx(content, f"missing-{period:%Y-%m}.xlsx")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
