"""The 驾驶舱 (dashboard) and the 月度调度通报 (notice) pages.

`DashboardView` shows a month's figures from `selectors.dashboard_summary` for the user's dashboard scope
(permission "projects.dashboard_project"); every number links to the project list filtered to the projects behind
it. `NoticeView` (permission "progress.generate_notice") generates the notice: small portfolios at once, large ones
(> TUIJIN_NOTICE_ASYNC_THRESHOLD projects, default 2,000) as a django-tasks task whose progress page polls with
htmx. The files are kept under MEDIA_ROOT/notices/ with a JSON record (see `notice.py`); only their creator may
open or download them.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.permissions import require
from tuijin.core.views_generic import ScopedViewMixin, htmx_partial
from tuijin.progress.services import period_for_reporting
from tuijin.projects.models import Project

from . import notice, selectors

__all__ = [
    "DashboardView",
    "NoticeDownloadView",
    "NoticeForm",
    "NoticeStatusView",
    "NoticeView",
    "dashboard_charts",
    "dashboard_period",
]

TENK = Decimal(10000)
NOTICE_PERMISSION = "progress.generate_notice"
STALE_AFTER = timedelta(hours=2)  # a notice still "running" after this is shown as failed
LIGHT_LIMIT = 20  # projects shown per light colour on the page (the notice annex lists all)
UNIT_LIMIT = 40  # units shown in the ranking, its chart and the targets table: the best and the worst half each


@dataclass(frozen=True)
class Gap:
    """Stands in a unit table for the units left out between the best and the worst (city or province scopes)."""

    hidden: int
    is_gap: bool = True


def limit_units(rows: list, limit: int | None = None, *, hidden: int = 0) -> list:
    """The first and last limit/2 rows (default UNIT_LIMIT), with a Gap between them, when there are more. Rows the
    selector already cut to those (`hidden` left out between them) get the Gap in their middle."""
    if hidden:
        half = len(rows) // 2
        return [*rows[:half], Gap(hidden), *rows[half:]]
    limit = UNIT_LIMIT if limit is None else limit
    if len(rows) <= limit:
        return list(rows)
    half = limit // 2
    return [*rows[:half], Gap(len(rows) - 2 * half), *rows[-half:]]


def _year_choices() -> list[int]:
    this_year = timezone.localdate().year
    return list(range(this_year, this_year - 6, -1))


def dashboard_period(request) -> tuple[int, int]:
    """?year=&month= when valid, else the last complete month (Asia/Shanghai)."""
    default = period_for_reporting()
    try:
        year, month = int(request.GET.get("year", "")), int(request.GET.get("month", ""))
    except ValueError:
        return default.year, default.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return default.year, default.month
    return year, month


def _float(value: Decimal | None, divisor: Decimal = Decimal(1)) -> float | None:
    shown = selectors.display(None if value is None else value / divisor)
    return None if shown is None else float(shown)


def dashboard_charts(summary: selectors.DashboardSummary) -> dict[str, Any]:
    """The chart data (亿元 and %, rounded) for the ECharts script; passed to the page with json_script."""
    link = reverse("projects:project_list")
    units = [u for u in limit_units(summary.unit_ranking, hidden=summary.units_hidden) if not isinstance(u, Gap)]
    return {
        "trend": {
            "months": [_("%(m)d月") % {"m": p.month} for p in summary.trend],
            "amount": [_float(p.amount, TENK) for p in summary.trend],
            "cumulative": [_float(p.cumulative, TENK) for p in summary.trend],
            "plan": [_float(p.plan_line, TENK) for p in summary.trend],
            "labels": [_("当月完成"), _("累计完成"), _("序时进度计划")],
        },
        "category": [
            {"name": g.label, "value": _float(g.plan, TENK), "rate": _float(g.rate), "url": f"{link}?{g.query}"}
            for g in summary.by_category
        ],
        "domain": [
            {"name": g.label, "value": _float(g.plan, TENK), "rate": _float(g.rate), "url": f"{link}?{g.query}"}
            for g in summary.by_domain
        ],
        "units": {
            "names": [u.label for u in units],
            "rates": [_float(u.rate) for u in units],
            "urls": [f"{link}?{u.query}" for u in units],
            "schedule": _float(summary.schedule),
            "schedule_label": _("序时进度"),
        },
        "unit_yi": _("亿元"),
    }


TargetPair = tuple[selectors.TargetResult | Gap, selectors.TargetResult | Gap]


def _target_rows(targets: selectors.Targets, hidden: int = 0) -> list[TargetPair]:
    """(开门红, 双过半): the district, each category, each unit (Gap pairs between best and worst)."""
    k, h = targets.kaimenhong, targets.shuangguoban
    units = limit_units(list(zip(k.units, h.units, strict=True)), hidden=hidden)
    rows: list[TargetPair] = [
        (k.district, h.district),
        *zip(k.categories, h.categories, strict=True),
        *[(row, row) if isinstance(row, Gap) else row for row in units],
    ]
    return rows


class DashboardView(ScopedViewMixin, TemplateView):
    """驾驶舱: a month's figures for the user's dashboard scope (403 without the permission)."""

    queryset = Project.objects.all()
    action = "dashboard"
    template_name = "progress/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = dashboard_period(self.request)
        cached = selectors.cached_dashboard_summary(
            self.request.user, year, month, light_limit=LIGHT_LIMIT, unit_limit=UNIT_LIMIT
        )
        summary = cached.value
        context.update(
            summary=summary,
            computed_at=cached.computed_at,
            stale=cached.stale,
            targets=summary.targets,
            year=year,
            month=month,
            years=sorted({*_year_choices(), year}, reverse=True),
            months=range(1, 13),
            charts=dashboard_charts(summary),
            project_list=reverse("projects:project_list"),
            light_limit=LIGHT_LIMIT,
            light_limit_slice=f":{LIGHT_LIMIT}",
            target_rows=_target_rows(summary.targets, summary.units_hidden),
            unit_ranking=limit_units(summary.unit_ranking, hidden=summary.units_hidden),
            unit_chart_height=max(300, 26 * min(len(summary.unit_ranking), UNIT_LIMIT) + 60),
            target_sets=[summary.targets.kaimenhong, summary.targets.shuangguoban],
            can_generate_notice=self.request.user.has_perm(NOTICE_PERMISSION),
            escalated=_escalated(self.request.user),
        )
        return context


# --------------------------------------------------------------------------------------------------------------
# Notice


FORMAT_CHOICES = [
    ("docx", gettext_lazy("Word（.docx）")),
    ("pdf", gettext_lazy("PDF")),
    ("xlsx", gettext_lazy("Excel 附表（.xlsx）")),
]


def _escalated(user) -> list:
    """Escalated coordination tickets for the leaders' view (tuijin.tickets): one query."""
    from tuijin.tickets.selectors import escalated_for

    return escalated_for(user)


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=gettext_lazy("月份"), coerce=int, choices=[(m, gettext_lazy("%(m)d月") % {"m": m}) for m in range(1, 13)]
    )
    format = forms.ChoiceField(label=gettext_lazy("格式"), choices=FORMAT_CHOICES, initial="docx")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"


class NoticePermissionMixin(LoginRequiredMixin):
    """Login required (anonymous → login page); "progress.generate_notice" required (else 403, audited)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request, NOTICE_PERMISSION, message=_("您没有生成通报的权限。"))
        return super().dispatch(request, *args, **kwargs)


def async_threshold() -> int:
    return int(getattr(settings, "TUIJIN_NOTICE_ASYNC_THRESHOLD", 2000))


class NoticeView(NoticePermissionMixin, View):
    """Choose a period and a format; generate now (small portfolio) or in the background (large)."""

    template_name = "progress/notice.html"

    def _render(self, request, form):
        return render(
            request,
            self.template_name,
            {"form": form, "records": [_decorate(r) for r in notice.notice_records_for(request.user)]},
        )

    def get(self, request):
        default = period_for_reporting()
        return self._render(request, NoticeForm(initial={"year": default.year, "month": default.month}))

    def post(self, request):
        form = NoticeForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        year, month, fmt = form.cleaned_data["year"], form.cleaned_data["month"], form.cleaned_data["format"]
        size = selectors.annual_list(request.user, year).count()
        if size > async_threshold():
            result = notice.generate_notice_task.enqueue(request.user.pk, year, month, fmt)
            notice_id = str(result.id)
            messages.info(request, _("项目较多（%(n)d个），通报正在后台生成，完成后可在本页下载。") % {"n": size})
        else:
            try:
                record = notice.notice_store(user=request.user, year=year, month=month, fmt=fmt)
            except Exception:  # the record says "failed"; the details are in the log
                messages.error(request, _("通报生成失败，请稍后重试或联系管理员。"))
                return self._render(request, form)
            notice_id = record["id"]
        return redirect("dispatch:notice_status", notice_id=notice_id)


def _decorate(record: dict[str, Any]) -> dict[str, Any]:
    """The record for display: its period as a date, whether the file is ready; a record left "running" by a
    killed worker for longer than STALE_AFTER shows as failed (so the page stops polling)."""
    status = record.get("status")
    created = record.get("created")
    if status == "running" and created:
        try:
            if timezone.now() - datetime.fromisoformat(created) > STALE_AFTER:
                status = "failed"
        except (TypeError, ValueError):
            pass
    return {
        **record,
        "status": status,
        "period": date(record["year"], record["month"], 1),
        "ready": notice.notice_file(record) is not None,
    }


def _task_state(notice_id: str, user) -> dict[str, Any] | None:
    """A queued/running/failed background notice that has no record yet, if it is the user's."""
    from django_tasks.base import TaskResultStatus

    try:
        result = notice.generate_notice_task.get_result(notice_id)
    except Exception:  # unknown id, a backend without result storage, or another task's id
        return None
    args = list(result.args or [])
    if len(args) < 4 or args[0] != user.pk:
        return None
    status = {
        TaskResultStatus.READY: "queued",
        TaskResultStatus.RUNNING: "running",
        TaskResultStatus.FAILED: "failed",
        TaskResultStatus.SUCCESSFUL: "running",  # finished, the record is about to be read
    }.get(result.status, "queued")
    return {
        "id": notice_id,
        "user_id": user.pk,
        "year": args[1],
        "month": args[2],
        "format": args[3],
        "status": status,
        "filename": notice.notice_filename(selectors.Period(args[1], args[2]), args[3]),
    }


def _own_notice(request, notice_id: str) -> dict[str, Any]:
    record = notice.notice_record(notice_id)
    if record is not None and record.get("user_id") != request.user.pk:
        record = None
    if record is None:
        record = _task_state(notice_id, request.user)
    if record is None:
        raise Http404(_("通报不存在。"))
    return record


class NoticeStatusView(NoticePermissionMixin, View):
    """A notice's state; the page polls itself (htmx, every 2 s) until the file is ready or generation failed."""

    def get(self, request, notice_id: str):
        record = _decorate(_own_notice(request, notice_id))
        context = {"record": record, "polling": record["status"] in ("queued", "running")}
        if htmx_partial(request):
            return render(request, "progress/htmx/dashboard_notice_status.html", context)
        return render(request, "progress/notice_status.html", context)


class NoticeDownloadView(NoticePermissionMixin, View):
    def get(self, request, notice_id: str):
        record = _own_notice(request, notice_id)
        path = notice.notice_file(record)
        if path is None:
            raise Http404(_("通报文件不存在或尚未生成完成。"))
        content_type = notice.FORMATS[record["format"]][0]
        audit_event_record(
            event_type=AuditEventType.EXPORT,
            detail={"what": "notice", "period": f"{record['year']}-{record['month']:02d}", "format": record["format"]},
        )
        return FileResponse(path.open("rb"), as_attachment=True, filename=record["filename"], content_type=content_type)
