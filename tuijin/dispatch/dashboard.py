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
from django.core.exceptions import ValidationError
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
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.figures_cache import cached_figures
from tuijin.core.permissions import deny, require, scoped_object_or_404
from tuijin.core.views_generic import ScopedViewMixin, htmx_partial
from tuijin.funds.stats import StatsTotals, district_totals
from tuijin.org.scoping import scope_fingerprint
from tuijin.progress.services import period_for_reporting
from tuijin.projects.models import Project

from . import notice, selectors
from .models import MONTHS, PublishedNotice, SpanStyle
from .notice_services import (
    DRAFT_FIELDS,
    next_issue_no,
    notice_draft_get,
    notice_draft_save,
    notice_publish,
    notice_style_set,
    schedule_clear,
    schedule_set,
    schedule_validate,
)
from .schedule import home_region, office_name, region_style, schedule_for_region, schedule_phrase

__all__ = [
    "DashboardView",
    "NoticeDownloadView",
    "NoticeForm",
    "NoticeStatusView",
    "NoticeView",
    "PublishedNoticeDownloadView",
    "PublishedNoticeView",
    "ScheduleForm",
    "ScheduleView",
    "dashboard_charts",
    "dashboard_period",
]

TENK = Decimal(10000)
NOTICE_PERMISSION = "progress.generate_notice"
READ_PERMISSION = "dispatch.view_publishednotice"  # units and leaders read the published notices
PUBLISH_PERMISSION = "dispatch.publish_publishednotice"
SCHEDULE_PERMISSION = "dispatch.change_progressschedule"
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
    """Every year from the earliest month the facts hold (imported history included) to this year; at least the
    last six. One indexed query (the facts' period index)."""
    from django.core.cache import cache

    from tuijin.facts.models import ProjectMonth

    this_year = timezone.localdate().year
    first_year = cache.get("tuijin:facts-first-year")
    if first_year is None:  # kept an hour: history imported meanwhile shows in the list within the hour
        first = ProjectMonth.objects.order_by("period").values_list("period", flat=True).first()
        first_year = first.year if first is not None else this_year
        cache.set("tuijin:facts-first-year", first_year, 3600)
    earliest = min(this_year - 5, first_year)
    return list(range(this_year, earliest - 1, -1))


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


def _group_url(link: str, group: selectors.Group) -> str | None:
    """The drill-down of a breakdown's group; None for a group the list cannot filter (未填, 未归类)."""
    return f"{link}?{group.query}" if group.query else None


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
            {"name": g.label, "value": _float(g.plan, TENK), "rate": _float(g.rate), "url": _group_url(link, g)}
            for g in summary.by_category
        ],
        "domain": [
            {"name": g.label, "value": _float(g.plan, TENK), "rate": _float(g.rate), "url": _group_url(link, g)}
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


def stats_totals(user, year: int, month: int) -> StatsTotals:
    """The month's 调度口径 and 统计口径 totals beside each other, through the figures cache (shared by one scope;
    funds.StatsFigure and the facts are figure sources, so a new figure or report shows at once)."""
    parts = ("stats_totals", scope_fingerprint(user, Project, "dashboard"), year, month)
    return cached_figures(parts, lambda: district_totals(user, date(year, month, 1)), allow_stale=False).value


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
            can_read_notices=self.request.user.has_perm(READ_PERMISSION),
            can_schedule=self.request.user.has_perm(SCHEDULE_PERMISSION),
            escalated=_escalated(self.request.user),
            # 超期未兑现的政府承诺: a tile loaded by htmx (investment:overdue_tile); the cached page keeps its queries
            show_overdue_commitments=self.request.user.has_perm("investment.view_commitment"),
            # 督办 completion by unit and by leader: a tile loaded by htmx (supervision:dashboard_tile)
            show_supervision=self.request.user.has_perm("supervision.dashboard_task"),
            # both 口径 of the month side by side (two aggregates; funds.stats.district_totals)
            stats_totals=stats_totals(self.request.user, year, month),
            can_view_stats=self.request.user.has_perm("funds.view_statsfigure"),
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


ACTIONS = ("save", "generate", "publish")


class NoticeForm(forms.Form):
    """The period, the format, and what the 项目办 sets before generating (kept per period in `NoticeDraft`)."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(
        label=gettext_lazy("月份"), coerce=int, choices=[(m, gettext_lazy("%(m)d月") % {"m": m}) for m in range(1, 13)]
    )
    format = forms.ChoiceField(label=gettext_lazy("格式"), choices=FORMAT_CHOICES, initial="docx")
    issue_no = forms.IntegerField(
        label=gettext_lazy("期号"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=gettext_lazy("空着自动顺延"),
    )
    doc_no = forms.CharField(label=gettext_lazy("文号"), max_length=60, required=False)
    office = forms.CharField(label=gettext_lazy("发文单位"), max_length=100, required=False)
    issue_date = forms.DateField(
        label=gettext_lazy("印发日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    next_steps = forms.CharField(
        label=gettext_lazy("下一步工作要求"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=gettext_lazy("每行一段；发布前必须填写。"),
    )
    instructions = forms.CharField(
        label=gettext_lazy("领导批示（可选）"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm" if css == "form-control" else f"{css} form-select-sm"


def _can_read_notices(user) -> bool:
    return user.has_perm(NOTICE_PERMISSION) or user.has_perm(READ_PERMISSION)


class NoticePermissionMixin(LoginRequiredMixin):
    """Login required (anonymous → login page); "progress.generate_notice" required (else 403, audited)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request, NOTICE_PERMISSION, message=_("您没有生成通报的权限。"))
        return super().dispatch(request, *args, **kwargs)


class NoticeReaderMixin(LoginRequiredMixin):
    """Login required; reading published notices ("dispatch.view_publishednotice") or generating them."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not _can_read_notices(request.user):
            deny(request, action=READ_PERMISSION, message=_("您没有查看调度通报的权限。"))
        return super().dispatch(request, *args, **kwargs)


def async_threshold() -> int:
    return int(getattr(settings, "TUIJIN_NOTICE_ASYNC_THRESHOLD", 2000))


def _published(user):
    """The published notices the user may read (their district's), newest first."""
    return PublishedNotice.objects.restrict(user, "view").select_related("published_by")


class NoticeView(NoticeReaderMixin, View):
    """Readers (units, leaders): the published issues. The 项目办 also prepares the period's notice — 期号, 文号,
    office, date, 下一步工作要求, 领导批示 (saved per period) — generates a preview (now, or in the background for a
    large portfolio) and publishes it as 第N期."""

    template_name = "progress/notice.html"

    def _render(self, request, form, *, status: int = 200):
        user = request.user
        context: dict[str, Any] = {
            "published": list(_published(user)[:50]),
            "can_generate": user.has_perm(NOTICE_PERMISSION),
            "can_publish": user.has_perm(NOTICE_PERMISSION) and user.has_perm(PUBLISH_PERMISSION),
            "can_schedule": user.has_perm(SCHEDULE_PERMISSION),
        }
        if context["can_generate"]:
            context.update(
                form=form,
                records=[_decorate(r) for r in notice.notice_records_for(user)],
                years=sorted(
                    {*_year_choices(), int(form["year"].value() or 0) or timezone.localdate().year}, reverse=True
                ),
                months=range(1, 13),
                next_issue=_next_issue(user, form),
            )
        return render(request, self.template_name, context, status=status)

    def _initial(self, request) -> dict[str, Any]:
        year, month = dashboard_period(request)
        initial: dict[str, Any] = {"year": year, "month": month, "format": "docx"}
        region = home_region(request.user)
        draft = notice_draft_get(region, year, month)
        if draft is not None:
            initial.update({name: getattr(draft, name) for name in DRAFT_FIELDS}, version=draft.version)
        if not initial.get("office"):
            initial["office"] = office_name(region_style(region))
        return initial

    def get(self, request):
        form = NoticeForm(initial=self._initial(request)) if request.user.has_perm(NOTICE_PERMISSION) else None
        return self._render(request, form)

    def post(self, request):
        require(request, NOTICE_PERMISSION, message=_("您没有生成通报的权限。"))
        form = NoticeForm(request.POST)
        action = request.POST.get("action", "generate")
        if action not in ACTIONS or not form.is_valid():
            return self._render(request, form)
        region = home_region(request.user)
        if region is None:
            messages.error(request, _("您的账户未关联行政区划，无法生成通报。"))
            return self._render(request, form)
        data = form.cleaned_data
        year, month, fmt = data["year"], data["month"], data["format"]
        try:
            draft = notice_draft_save(
                actor=request.user,
                region=region,
                year=year,
                month=month,
                values={name: data.get(name) for name in DRAFT_FIELDS},
                expected_version=data.get("version"),
            )
        except ConflictError as conflict:
            # Keep what this user typed; the next save applies it over the other version.
            current = conflict.current
            form.data = form.data.copy()
            form.data["version"] = str(getattr(current, "version", ""))
            other = getattr(current, "next_steps", "")
            form.add_error(
                None,
                _("本期通报已被他人修改，您的内容未保存，仍保留在下方；再次提交将以您的内容为准。")
                + (_("他人保存的下一步工作要求：%(text)s") % {"text": other[:300]} if other else ""),
            )
            return self._render(request, form, status=409)
        except ValidationError as error:
            form.add_error(None, error)
            return self._render(request, form)
        period_query = f"?year={year}&month={month}"
        if action == "save":
            messages.success(request, _("已保存本期通报的期号、文号和下一步工作要求。"))
            return redirect(reverse("dispatch:notice") + period_query)
        if action == "publish":
            require(request, PUBLISH_PERMISSION, message=_("您没有发布通报的权限。"))
            try:
                published = notice_publish(actor=request.user, year=year, month=month)
            except ApplicationError as error:
                form.data = form.data.copy()
                form.data["version"] = str(draft.version)
                form.add_error("next_steps" if error.code == "next_steps" else None, error.message)
                return self._render(request, form)
            messages.success(
                request,
                _("%(issue)s通报已发布，已通知各单位和领导。") % {"issue": published.issue_label},
            )
            return redirect("dispatch:published_notice", pk=published.pk)
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


def _next_issue(user, form) -> str:
    """The issue number the notice will get: the one typed, else the next free one of this year."""
    value = form["issue_no"].value()
    if value:
        return _("第%(n)s期") % {"n": value}
    region = home_region(user)
    if region is None:
        return ""
    return _("第%(n)d期") % {"n": next_issue_no(region, timezone.localdate().year)}


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


# --------------------------------------------------------------------------------------------------------------
# Published notices (readers: units, leaders, the office)


class PublishedNoticeView(NoticeReaderMixin, View):
    """One published issue: its heading, frozen figures and files (404 outside the reader's district)."""

    def get(self, request, pk: int):
        published = scoped_object_or_404(
            request, PublishedNotice.objects.select_related("published_by"), pk, permission=False
        )
        figures = published.figures or {}
        return render(
            request,
            "progress/notice_published.html",
            {
                "notice": published,
                "figures": figures,
                "next_steps": [line for line in published.next_steps.splitlines() if line.strip()],
                "instructions": [line for line in published.instructions.splitlines() if line.strip()],
                "formats": [fmt for fmt in ("docx", "pdf", "xlsx") if getattr(published, fmt)],
            },
        )


class PublishedNoticeDownloadView(NoticeReaderMixin, View):
    def get(self, request, pk: int, fmt: str):
        if fmt not in notice.FORMATS:
            raise Http404(_("通报文件不存在。"))
        published = scoped_object_or_404(request, PublishedNotice.objects.all(), pk, permission=False)
        stored = getattr(published, fmt)
        if not stored:
            raise Http404(_("通报文件不存在。"))
        audit_event_record(
            event_type=AuditEventType.EXPORT,
            detail={"what": "published_notice", "issue": published.issue_label, "format": fmt},
        )
        stem = _("月度调度通报附表") if fmt == "xlsx" else _("月度调度通报")
        filename = f"{stem}-{published.issue_year}年第{published.issue_no}期{notice.FORMATS[fmt][1]}"
        return FileResponse(
            stored.open("rb"), as_attachment=True, filename=filename, content_type=notice.FORMATS[fmt][0]
        )


# --------------------------------------------------------------------------------------------------------------
# 序时进度 and the notice style


def _percent_field(month: int) -> forms.DecimalField:
    return forms.DecimalField(
        label=gettext_lazy("%(m)d月") % {"m": month},
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "form-control form-control-sm text-end"}),
    )


class ScheduleForm(forms.Form):
    """12 cumulative percentages (non-decreasing, 0–100, December 100), the office name and the month style."""

    office = forms.CharField(
        label=gettext_lazy("发文单位"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    span_style = forms.ChoiceField(
        label=gettext_lazy("月份写法"),
        choices=SpanStyle.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    style_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for month, name in enumerate(MONTHS, start=1):
            self.fields[name] = _percent_field(month)

    @property
    def month_fields(self):
        return [self[name] for name in MONTHS]

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(name) for name in MONTHS]
        if all(v is not None for v in values):
            try:
                schedule_validate(values)
            except ValidationError as error:
                for message in error.messages:
                    self.add_error(None, message)
        return cleaned


class ScheduleView(LoginRequiredMixin, View):
    """序时进度设置: the 项目办 sets its region's schedule per year (default month ÷ 12) and the notice wording."""

    template_name = "progress/dashboard_schedule.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request, SCHEDULE_PERMISSION, message=_("您没有设置序时进度的权限。"))
        self.region = home_region(request.user)
        if self.region is None:
            raise Http404(_("您的账户未关联行政区划。"))
        return super().dispatch(request, *args, **kwargs)

    def _year(self, request) -> int:
        raw = request.POST.get("year") or request.GET.get("year") or ""
        try:
            year = int(raw)
        except ValueError:
            return timezone.localdate().year
        return year if 2000 <= year <= 2100 else timezone.localdate().year

    def _render(self, request, form, year: int, *, status: int = 200):
        from .models import ProgressSchedule

        row = ProgressSchedule.objects.filter(region=self.region, year=year).first()
        style = region_style(self.region)
        curve = schedule_for_region(self.region, year)
        span_style = style.span_style if style is not None else ""
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "year": year,
                "years": sorted({*_year_choices(), timezone.localdate().year + 1, year}, reverse=True),
                "region": self.region,
                "custom": row is not None,
                "inherited": row is None and curve.custom,
                "phrases": [schedule_phrase(m, curve, span_style) for m in range(1, 13)],
            },
            status=status,
        )

    def get(self, request):
        from .models import ProgressSchedule

        year = self._year(request)
        row = ProgressSchedule.objects.filter(region=self.region, year=year).first()
        curve = schedule_for_region(self.region, year)
        values = row.values if row is not None else [selectors.display(v) for v in curve.cumulative]
        style = region_style(self.region)
        initial: dict[str, Any] = dict(zip(MONTHS, values, strict=True))
        initial.update(
            office=office_name(style),
            span_style=style.span_style if style is not None else SpanStyle.ARABIC,
            version=row.version if row is not None else None,
            style_version=style.version if style is not None and style.region_id == self.region.pk else None,
        )
        initial[MONTHS[-1]] = Decimal(100)
        return self._render(request, ScheduleForm(initial=initial), year)

    def post(self, request):
        year = self._year(request)
        url = reverse("dispatch:schedule") + f"?year={year}"
        if request.POST.get("action") == "reset":
            schedule_clear(actor=request.user, region=self.region, year=year)
            messages.success(request, _("已恢复%(y)d年默认序时进度（按月平均，月数÷12）。") % {"y": year})
            return redirect(url)
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, year)
        data = form.cleaned_data
        try:
            schedule_set(
                actor=request.user,
                region=self.region,
                year=year,
                values=[data[name] for name in MONTHS],
                expected_version=data.get("version"),
            )
            notice_style_set(
                actor=request.user,
                region=self.region,
                office=data["office"].strip(),
                span_style=data["span_style"],
                expected_version=data.get("style_version"),
            )
        except ConflictError:
            form.add_error(None, _("序时进度已被他人修改，您的输入仍保留在下方，请核对后重新保存。"))
            return self._render(request, form, year, status=409)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self._render(request, form, year)
        messages.success(request, _("已保存%(y)d年序时进度，预警亮灯将按新的序时进度重新评估。") % {"y": year})
        return redirect(url)
