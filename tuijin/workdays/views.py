"""Pages of the working-day calendar: the year view (with the office's bulk entry form) and deleting an entry.

Both rest on `ScopedViewMixin`: anonymous → login, no `workdays.view_holidayoverride` → 403; writes also need
the add/delete permission. The calendar is not unit-scoped, so the permission alone decides.
"""

import calendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from tuijin.core.exceptions import ApplicationError
from tuijin.core.permissions import permission_name, require
from tuijin.core.views_generic import ObjectListView, ScopedViewMixin

from .forms import MAX_YEAR, MIN_YEAR, HolidayBulkForm, HolidayNoticeForm, HolidayYearCompleteForm
from .models import HolidayOverride
from .notice import parse_holiday_notice
from .services import (
    DayInfo,
    calendar_today,
    fallback_warning,
    holiday_notice_apply,
    holiday_override_delete,
    holiday_overrides_bulk_set,
    holiday_year_set_complete,
    workday_calendar,
    year_coverage,
)

__all__ = ["HolidayNoticeView", "HolidayOverrideDeleteView", "HolidayYearCompleteView", "WorkdayCalendarView"]

WEEKDAY_LABELS = [
    gettext_lazy("一"),
    gettext_lazy("二"),
    gettext_lazy("三"),
    gettext_lazy("四"),
    gettext_lazy("五"),
    gettext_lazy("六"),
    gettext_lazy("日"),
]
KIND_CLASSES = {
    "workday": "",
    "weekend": "bg-body-secondary text-secondary",
    "holiday": "bg-danger-subtle text-danger-emphasis fw-semibold",
    "makeup": "bg-info-subtle text-info-emphasis fw-semibold",
}


def _calendar_url(year: int) -> str:
    return f"{reverse('workdays:calendar')}?year={year}"


def _month_grids(year: int, days: dict[dt.date, DayInfo]) -> list[dict[str, Any]]:
    """Twelve months as weeks of cells (None outside the month), Monday first."""
    months = []
    for month, weeks in enumerate(calendar.Calendar(firstweekday=0).yeardatescalendar(year, width=12)[0], start=1):
        rows = [
            [{"info": days[day], "css": KIND_CLASSES[days[day].kind]} if day.month == month else None for day in week]
            for week in weeks
        ]
        months.append({"month": month, "weeks": rows})
    return months


class WorkdayCalendarView(ObjectListView):
    """The year's working-day calendar and its office entries; POST pastes holiday lines (add permission)."""

    queryset = HolidayOverride.objects.all()
    template_name = "workdays/calendar.html"
    title = gettext_lazy("工作日历")

    def get_paginate_by(self, queryset):
        return None  # at most a few dozen entries a year, all on one page

    def get_year(self) -> int:
        raw = self.request.POST.get("year") if self.request.method == "POST" else self.request.GET.get("year")
        try:
            year = int(raw or "")
        except ValueError:
            return calendar_today().year
        return year if MIN_YEAR <= year <= MAX_YEAR else calendar_today().year

    def get_queryset(self):
        first, last = dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)
        return super().get_queryset().filter(date__range=(first, last))

    def dispatch(self, request, *args, **kwargs):
        self.year = self.get_year()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = self.year
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        days = {info.date: info for info in workday_calendar(first, last).days(first, last)}
        coverage = year_coverage(year)
        can_add = user.has_perm(permission_name(HolidayOverride, "add"))
        context.update(
            year=year,
            min_year=MIN_YEAR,
            max_year=MAX_YEAR,
            previous_year=year - 1 if year > MIN_YEAR else None,
            next_year=year + 1 if year < MAX_YEAR else None,
            coverage=coverage,
            fallback_warning=fallback_warning(year) if coverage in ("fallback", "partial") else "",
            can_mark_complete=coverage != "library" and user.has_perm(permission_name(HolidayOverride, "change")),
            months=_month_grids(year, days),
            weekday_labels=WEEKDAY_LABELS,
            workday_count=sum(info.is_workday for info in days.values()),
            can_add=can_add,
            can_delete=user.has_perm(permission_name(HolidayOverride, "delete")),
            form=kwargs.get("form") or (HolidayBulkForm(year=year) if can_add else None),
            notice_form=HolidayNoticeForm(year=year) if can_add else None,
        )
        return context

    def post(self, request, *args, **kwargs):
        require(request, "add", HolidayOverride, message=_("您没有访问此页面的权限。"))
        form = HolidayBulkForm(request.POST, year=self.year)
        if form.is_valid():
            try:
                result = holiday_overrides_bulk_set(
                    actor=request.user, year=form.cleaned_data["year"], text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                form.add_error("text", exc)
            except ApplicationError as exc:  # ConflictError: an entry changed by someone else meanwhile
                form.add_error("text", exc.message)
            else:
                messages.success(
                    request,
                    _("已保存节假日设置：新增 %(created)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条。")
                    % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
                )
                return redirect(_calendar_url(form.cleaned_data["year"]))
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form))


class HolidayOverrideDeleteView(ScopedViewMixin, View):
    """Delete one office entry (POST only; `workdays.delete_holidayoverride`; unknown id → 404)."""

    queryset = HolidayOverride.objects.all()
    action = "delete"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        override = get_object_or_404(self.get_queryset(), pk=pk)
        holiday_override_delete(actor=request.user, override=override)
        messages.success(request, _("已删除 %(date)s 的节假日设置。") % {"date": override.date.isoformat()})
        return redirect(_calendar_url(override.date.year))


class HolidayNoticeView(ScopedViewMixin, View):
    """Paste the State Council's notice (POST, `workdays.add_holidayoverride`): preview the parsed entries; with
    `confirm`, save them all in one transaction and go back to that year's calendar."""

    queryset = HolidayOverride.objects.all()
    action = "add"
    http_method_names = ["post"]
    template_name = "workdays/notice_preview.html"

    def post(self, request):
        form = HolidayNoticeForm(request.POST)
        if not form.is_valid():
            year = form.cleaned_data.get("year") or calendar_today().year
            return self.render(form, year=year)
        text, year = form.cleaned_data["text"], form.cleaned_data["year"]
        if "confirm" in request.POST:
            try:
                parsed, result = holiday_notice_apply(actor=request.user, text=text, default_year=year)
            except ValidationError as exc:
                form.add_error("text", exc)
            except ApplicationError as exc:  # ConflictError: an entry changed by someone else meanwhile
                form.add_error("text", exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "已按通知保存 %(year)s 年节假日设置：新增 %(created)s 条，更新 %(updated)s 条，未变 "
                        "%(unchanged)s 条。核对无误后，请点击“标记全年安排已录入”。"
                    )
                    % {
                        "year": parsed.year,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return redirect(_calendar_url(parsed.year))
        return self.render(form, year=year)

    def render(self, form: HolidayNoticeForm, *, year: int):
        parsed = parse_holiday_notice(form.data.get("text", ""), year) if form.data.get("text") else None
        existing: dict[dt.date, HolidayOverride] = {}
        if parsed is not None and parsed.entries:
            dates = [entry.date for entry in parsed.entries]
            existing = {row.date: row for row in HolidayOverride.objects.filter(date__in=dates)}
        rows = []
        for entry in parsed.entries if parsed else []:
            row = existing.get(entry.date)
            changes = row is not None and (row.is_workday, row.name) != (entry.is_workday, entry.name)
            if row is None:
                state = _("新增")
            elif changes:
                kind = _("班") if row.is_workday else _("休")
                state = _("更新（原为%(kind)s·%(name)s）") % {"kind": kind, "name": row.name}
            else:
                state = _("不变")
            rows.append({"entry": entry, "state": state, "changes": changes})
        context = {
            "title": _("从国务院通知导入节假日"),
            "form": form,
            "parsed": parsed,
            "rows": rows,
            "page_year": year,
            "calendar_url": _calendar_url(parsed.year if parsed else year),
        }
        return TemplateResponse(self.request, self.template_name, context)


class HolidayYearCompleteView(ScopedViewMixin, View):
    """Set or unset a year's "全年安排已录入" flag (POST, `workdays.change_holidayoverride`); the calendar's
    "not published" warning for a year the library does not cover stays up until it is set."""

    queryset = HolidayOverride.objects.all()
    action = "change"
    http_method_names = ["post"]

    def post(self, request, year: int):
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise Http404(_("年份超出范围。"))
        form = HolidayYearCompleteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请求无效，请刷新页面后重试。"))
            return redirect(_calendar_url(year))
        complete = form.cleaned_data["complete"]
        try:
            holiday_year_set_complete(actor=request.user, year=year, complete=complete)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            if complete:
                messages.success(request, _("已标记 %(year)s 年全年节假日安排已录入。") % {"year": year})
            else:
                messages.success(
                    request, _("已取消 %(year)s 年“全年安排已录入”标记，该年将重新显示提醒。") % {"year": year}
                )
        return redirect(_calendar_url(year))
