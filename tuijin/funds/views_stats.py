"""纳统 pages: a month's reconciliation (调度口径 next to 统计口径, the differences and alerts; the 统计局 enters,
imports and submits figures there), the alerts list, and a project's 入库 readiness with its figures' history.

Reading needs funds.view_statsfigure (projects in the user's scope: others are 404); writing goes through
`services.stats_save` / `stats_submit`, which check the permission, the scope and the lock themselves."""

import secrets
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.periods import parse_month, previous_month
from tuijin.core.permissions import require, scoped_object_or_404
from tuijin.org.models import OrgUnit
from tuijin.projects.models import Project
from tuijin.utilities.excel import XLSX_CONTENT_TYPE

from . import services, stats, stats_excel
from .models import FundsSettings, StatsFigure

__all__ = [
    "stats_alerts",
    "stats_import",
    "stats_import_apply",
    "stats_month",
    "stats_project",
    "stats_save_view",
    "stats_submit_all",
    "stats_submit_view",
    "stats_template",
]

VIEW = "funds.view_statsfigure"
SESSION_KEY = "funds_stats_import"


class UploadForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("月份"), max_length=7)
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))


def _month(request) -> date:
    """?month=YYYY-MM (default: last month, the month the bureau reports on); a bad value is last month too."""
    default = previous_month(timezone.localdate())
    raw = request.GET.get("month") or request.POST.get("month") or ""
    if not raw:
        return default
    try:
        return parse_month(raw)
    except ValueError:
        messages.warning(request, _("月份格式应为 YYYY-MM，已显示%(m)s。") % {"m": default.strftime("%Y-%m")})
        return default


def _month_url(month: date, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"month": month.strftime("%Y-%m"), **extra}.items() if v)
    return f"{reverse('stats:month')}?{query}"


def _units(user) -> list[OrgUnit]:
    ids = Project.objects.restrict(user, "view").order_by().values("responsible_unit_id")
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("path"))


def _page(request, month: date, *, errors=None, typed=None, status: int = 200):
    unit = None
    unit_id = request.GET.get("unit", "")
    units = _units(request.user)
    if unit_id.isdigit():
        unit = next((u for u in units if u.pk == int(unit_id)), None)
    flagged = request.GET.get("flagged") == "1"
    rows = stats.month_rows(request.user, month, unit=unit, flagged_only=flagged)
    for row in rows:
        row.error = (errors or {}).get(row.project_id, "")
        row.typed = (typed or {}).get(row.project_id)
    settings = FundsSettings.current()
    context = {
        "month": month,
        "month_value": month.strftime("%Y-%m"),
        "rows": rows,
        "units": units,
        "unit": unit,
        "flagged": flagged,
        "settings": settings,
        # like with like: the dispatch total over the projects that have a statistics figure
        "total_dispatch": sum((r.dispatch for r in rows if r.stats is not None), Decimal("0")),
        "total_stats": sum((r.stats for r in rows if r.stats is not None), Decimal("0")),
        "flagged_count": sum(1 for r in rows if r.flagged),
        "can_enter": request.user.has_perm("funds.add_statsfigure"),
        "can_submit": request.user.has_perm("funds.submit_statsfigure"),
        "unsubmitted": sum(1 for r in rows if r.figure is not None and not r.locked),
    }
    return render(request, "funds/stats/month.html", context, status=status)


@login_required
def stats_month(request):
    """/stats/?month=YYYY-MM[&flagged=1][&unit=<id>]: the month's reconciliation."""
    require(request, VIEW)
    return _page(request, _month(request))


@login_required
def stats_alerts(request):
    """The month's alerts (已开工未入库, 入库后零投资, 调度数远高于统计数), by kind."""
    require(request, VIEW)
    month = _month(request)
    rows = [r for r in stats.month_rows(request.user, month) if r.alerts]
    groups = [(key, label, [r for r in rows if key in r.alerts]) for key, label in stats.ALERTS.items()]
    return render(
        request,
        "funds/stats/alerts.html",
        {"month": month, "month_value": month.strftime("%Y-%m"), "groups": groups, "settings": FundsSettings.current()},
    )


@login_required
def stats_project(request, pk: int):
    """A project's 入库 readiness checklist, its figures month by month and their history (corrections)."""
    require(request, VIEW)
    project = scoped_object_or_404(request, Project.objects.all(), pk, permission=False)
    figures = list(StatsFigure.objects.filter(project=project).order_by("-month")[:24])
    history = []
    for figure in figures:
        history.extend(object_history(figure, limit=20))
    history.sort(key=lambda e: e.time, reverse=True)
    month = _month(request)
    month_row = stats.month_rows(request.user, month, projects=[project.pk])
    return render(
        request,
        "funds/stats/project.html",
        {
            "project": project,
            "readiness": stats.readiness(project),
            "figures": figures,
            "history": history[:50],
            "row": month_row[0] if month_row else None,
            "month": month,
        },
    )


def _decimal(raw: str) -> Decimal:
    try:
        value = Decimal((raw or "").strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError({"stats_investment": _("请填写数字（万元）。")}) from None
    if not value.is_finite():
        raise ValidationError({"stats_investment": _("请填写数字（万元）。")})
    return value


def _messages(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or _("您没有执行此操作的权限。")


@require_POST
@login_required
def stats_save_view(request):
    """Enter (or change before submission) one project's figure; with `submit` also 报送 it at once."""
    require(request, VIEW)
    month = _month(request)
    project = scoped_object_or_404(request, Project.objects.all(), request.POST.get("project", "0"), permission=False)
    post = request.POST
    typed = {
        "stats_investment": post.get("stats_investment", ""),
        "in_database": post.get("in_database") == "on",
        "note": post.get("note", ""),
    }
    version = post.get("version") or None
    try:
        figure = services.stats_save(
            actor=request.user,
            project=project,
            month=month,
            stats_investment=_decimal(typed["stats_investment"]),
            in_database=typed["in_database"],
            note=typed["note"],
            version=version,
        )
        if post.get("submit"):
            services.stats_submit(actor=request.user, figure=figure, version=figure.version)
    except ConflictError as exc:
        return conflict_response(
            request,
            exc,
            title=_("统计口径数据已被他人修改"),
            rows=[],
            retry_url=reverse("stats:save"),
            back_url=_month_url(month),
        )
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        return _page(request, month, errors={project.pk: _messages(exc)}, typed={project.pk: typed}, status=400)
    messages.success(
        request,
        (_("已报送：%(p)s") if post.get("submit") else _("已保存：%(p)s")) % {"p": project.name},
    )
    return redirect(_month_url(month, flagged="1" if post.get("flagged") == "1" else ""))


@require_POST
@login_required
def stats_submit_view(request, pk: int):
    """报送 one figure; on a submitted one, 更正报送 with the new values and a reason."""
    require(request, VIEW)
    figure = scoped_object_or_404(request, StatsFigure.objects.select_related("project"), pk, permission=False)
    post = request.POST
    values: dict = {}
    typed = {"stats_investment": post.get("stats_investment", ""), "note": post.get("note", "")}
    try:
        if "stats_investment" in post:
            values["stats_investment"] = _decimal(post["stats_investment"])
            values["in_database"] = post.get("in_database") == "on"
            values["note"] = post.get("note", "")[:300]
        services.stats_submit(
            actor=request.user,
            figure=figure,
            version=post.get("version"),
            correction_reason=post.get("correction_reason", ""),
            **values,
        )
    except ConflictError as exc:
        return conflict_response(
            request,
            exc,
            title=_("统计口径数据已被他人修改"),
            rows=[],
            retry_url=reverse("stats:submit", args=[figure.pk]),
            back_url=_month_url(figure.month),
        )
    except (ApplicationError, ValidationError, PermissionDenied) as exc:
        return _page(
            request,
            figure.month,
            errors={figure.project_id: _messages(exc)},
            typed={figure.project_id: typed},
            status=400,
        )
    messages.success(request, _("已报送：%(p)s") % {"p": figure.project.name})
    return redirect(_month_url(figure.month))


@require_POST
@login_required
def stats_submit_all(request):
    """报送 every entered, not yet submitted figure of the month in the user's scope."""
    require(request, "funds.submit_statsfigure")
    month = _month(request)
    ids = Project.objects.restrict(request.user, "view").order_by().values("pk")
    done, failed = 0, []
    for figure in StatsFigure.objects.filter(month=month, submitted_at__isnull=True, project_id__in=ids).select_related(
        "project"
    ):
        try:
            services.stats_submit(actor=request.user, figure=figure, version=figure.version)
            done += 1
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            failed.append("%s：%s" % (figure.project.name, _messages(exc)))
    if done:
        messages.success(request, _("已报送 %(n)d 个项目的统计口径数据。") % {"n": done})
    if failed:
        messages.error(request, "；".join(failed[:10]))
    if not done and not failed:
        messages.info(request, _("本月没有待报送的数据。"))
    return redirect(_month_url(month))


@login_required
def stats_template(request):
    require(request, "funds.add_statsfigure")
    month = _month(request)
    content = stats_excel.template_xlsx(request.user, month)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "funds_stats_template", "month": str(month)})
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="stats-{month:%Y-%m}.xlsx"'
    return response


@login_required
def stats_import(request):
    """Upload a month's figures: every row checked (nothing written), then the preview with the row errors."""
    require(request, "funds.add_statsfigure")
    month = _month(request)
    form = UploadForm(request.POST or None, request.FILES or None, initial={"month": month.strftime("%Y-%m")})
    context: dict = {"form": form, "month": month, "check": None, "max_mb": stats_excel.MAX_MB}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > stats_excel.MAX_MB * 1024 * 1024:
            form.add_error("file", _("文件超过 %(mb)d MB 的上限。") % {"mb": stats_excel.MAX_MB})
        else:
            try:
                check = stats_excel.import_check(actor=request.user, month=month, data=upload.read())
            except ValidationError as exc:
                form.add_error("file", "；".join(exc.messages))
            else:
                context["check"] = check
                if check.ok:
                    token = secrets.token_urlsafe(12)
                    request.session[SESSION_KEY] = {"token": token, **check.session_data()}
                    context["token"] = token
                else:
                    status = 400
    if form.errors:
        status = 400
    return render(request, "funds/stats/import.html", context, status=status)


@require_POST
@login_required
def stats_import_apply(request):
    """确认导入: the previewed rows written in one transaction (all or none)."""
    require(request, "funds.add_statsfigure")
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("token") != request.POST.get("token"):
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect(reverse("stats:import"))
    check = stats_excel.ImportCheck.from_session(kept)
    try:
        count = stats_excel.import_apply(actor=request.user, check=check)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('stats:import')}?month={check.month:%Y-%m}")
    request.session.pop(SESSION_KEY, None)
    audit_event_record(event_type=AuditEventType.IMPORT, detail={"what": "funds_stats", "rows": count})
    messages.success(request, _("已导入 %(n)d 个项目的统计口径数据。") % {"n": count})
    return redirect(_month_url(check.month))
