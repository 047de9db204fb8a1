"""Pages of 对标对表 (/benchmarks/): the table of indicators × regions for a month, an indicator's page (trend,
gaps, pace, the projects that would close the gap), the 二产占比 trend, the values (list, entry, correction,
deletion), the targets, the peer regions and the indicators, and Excel in and out.

Thin: forms parse, services decide, figures.py and selectors.py read. Reading needs the model's view permission
(403 otherwise); the figures are the district's, the names of projects are those the user may see. Refused input
shows the form again (400) with what was typed and the Chinese error next to the field; a stale version shows the
shared conflict page (409)."""

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import require, scoped_object_or_404
from tuijin.utilities.excel import XLSX_CONTENT_TYPE, XLSX_TYPES
from tuijin.utilities.uploads import check_upload

from . import excel, selectors, services
from .choices import Frequency
from .figures import CLOSABLE, QUARTER_ENDS, Board, closing, fmt, period_label
from .forms import IndicatorForm, RegionForm, TargetForm, UploadForm, ValueForm, apply_errors, month_choices
from .models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion

__all__ = [
    "export",
    "import_apply",
    "import_view",
    "index",
    "indicator_detail",
    "indicator_edit",
    "indicator_list",
    "region_edit",
    "region_list",
    "share",
    "target_edit",
    "target_list",
    "template",
    "value_delete",
    "value_edit",
    "value_list",
]

SESSION_KEY = "benchmarks_import"


def _period(request) -> tuple[int, int]:
    """?year=&month= when valid, else last month."""
    default = selectors.default_period()
    try:
        year, month = int(request.GET.get("year", "")), int(request.GET.get("month", ""))
    except ValueError:
        return default
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return default
    return year, month


def _period_query(year: int, month: int) -> str:
    return f"?year={year}&month={month}"


def _perms(user) -> dict[str, bool]:
    has = user.has_perm
    return {
        "add_value": has("benchmarks.add_indicatorvalue"),
        "change_value": has("benchmarks.change_indicatorvalue"),
        "delete_value": has("benchmarks.delete_indicatorvalue"),
        "import": has("benchmarks.import_indicatorvalue"),
        "export": has("benchmarks.export_indicatorvalue"),
        "add_target": has("benchmarks.add_indicatortarget"),
        "change_target": has("benchmarks.change_indicatortarget"),
        "view_target": has("benchmarks.view_indicatortarget"),
        "view_value": has("benchmarks.view_indicatorvalue"),
        "view_region": has("benchmarks.view_peerregion"),
        "add_region": has("benchmarks.add_peerregion"),
        "change_region": has("benchmarks.change_peerregion"),
        "add_indicator": has("benchmarks.add_indicator"),
        "change_indicator": has("benchmarks.change_indicator"),
    }


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


# -- the table and an indicator -----------------------------------------------------------------------------------


@login_required
def index(request):
    """/benchmarks/?year=&month=: every indicator × 本区, its target and each active peer, with the gaps."""
    require(request, "view", Indicator)
    year, month = _period(request)
    board = Board(year)
    comparisons = board.comparisons(month)
    return render(
        request,
        "benchmarks/index.html",
        {
            "year": year,
            "month": month,
            "years": selectors.year_choices(),
            "months": month_choices(),
            "board": board,
            "comparisons": comparisons,
            "perms": _perms(request.user),
            "query": _period_query(year, month),
            "share_code": selectors.SHARE_CODE,
        },
    )


def _indicator_chart(comparison, board: Board) -> dict[str, Any]:
    indicator = comparison.indicator
    months = list(QUARTER_ENDS) if indicator.frequency == Frequency.QUARTER else list(range(1, 13))

    def values(series):
        return [None if m not in series or series[m].value is None else float(series[m].value) for m in months]

    series = [{"name": str(_("本区")), "data": values(comparison.series), "self": True}]
    for region in board.peers:
        series.append({"name": region.name, "data": values(comparison.peer_series.get(region.pk, {})), "self": False})
    target = comparison.target.value if comparison.target is not None else None
    return {
        "labels": [period_label(indicator, m) for m in months],
        "series": series,
        "target": {"name": str(_("目标")), "value": None if target is None else float(target)},
        "unit": "" if indicator.kind in ("count", "amount") else "%",
    }


@login_required
def indicator_detail(request, pk: int):
    """An indicator in a year: the trend of 本区, the peers and the target; the gap table; the pace; the projects
    that would close the gap (?against=target|<region pk>); the year's values; the history."""
    indicator = scoped_object_or_404(request, Indicator.objects.all(), pk)
    year, month = _period(request)
    board = Board(year, indicators=[indicator])
    comparison = board.compare(indicator, month)
    closing_list = closing(comparison, request.user, request.GET.get("against"))
    values = list(
        IndicatorValue.objects.filter(indicator=indicator, year=year)
        .select_related("region")
        .order_by("region__sort_order", "region_id", "month")
    )
    return render(
        request,
        "benchmarks/indicator.html",
        {
            "indicator": indicator,
            "year": year,
            "month": month,
            "years": selectors.year_choices(),
            "months": month_choices(),
            "board": board,
            "c": comparison,
            "closing": closing_list,
            "closable": indicator.platform_source in CLOSABLE,
            "chart": _indicator_chart(comparison, board),
            "values": values,
            "history": object_history(indicator),
            "perms": _perms(request.user),
            "query": _period_query(year, month),
            "share_code": selectors.SHARE_CODE,
        },
    )


@login_required
def share(request):
    """二产占比: its trend over five years by quarter, against its yearly target and the peers."""
    require(request, "view", Indicator)
    indicator = Indicator.objects.filter(code=selectors.SHARE_CODE).first()
    if indicator is None:
        raise Http404(_("没有“二产占比”指标（代码 %(c)s）。") % {"c": selectors.SHARE_CODE})
    year, _month = _period(request)
    trend = selectors.share_trend(indicator, year)
    return render(
        request,
        "benchmarks/share.html",
        {
            "indicator": indicator,
            "year": year,
            "years": selectors.year_choices(),
            "trend": trend,
            "rows": list(reversed(trend.rows)),
            "chart": trend.chart(),
            "perms": _perms(request.user),
        },
    )


# -- values ---------------------------------------------------------------------------------------------------------


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def value_list(request):
    """The entered values (?indicator=&region=&year=), newest period first; ?todo=missing: the values still to
    enter (the home page's to-do)."""
    require(request, "view", IndicatorValue)
    get = request.GET
    if get.get("todo") == "missing":
        return render(
            request,
            "benchmarks/missing.html",
            {"missing": selectors.missing_values(), "perms": _perms(request.user)},
        )
    rows = IndicatorValue.objects.select_related("region", "indicator").order_by(
        "-year", "-month", "indicator__sort_order", "indicator_id", "region__sort_order", "region_id"
    )
    filters = {name: _int(get.get(name)) for name in ("indicator", "region", "year")}
    for name, value in filters.items():
        if value is not None:
            rows = rows.filter(**{name: value})
    page = Paginator(rows, 50).get_page(get.get("page"))
    return render(
        request,
        "benchmarks/value_list.html",
        {
            "page": page,
            "filters": filters,
            "indicators": Indicator.objects.all(),
            "regions": PeerRegion.objects.all(),
            "years": selectors.year_choices(),
            "perms": _perms(request.user),
        },
    )


def _next_url(request, value: IndicatorValue | None) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/benchmarks/") and "//" not in nxt:
        return nxt
    if value is not None:
        return reverse("benchmarks:indicator", args=[value.indicator_id]) + _period_query(value.year, value.month)
    return reverse("benchmarks:index")


def _form_page(request, template_context: dict, status: int):
    return render(request, "benchmarks/form.html", template_context, status=status)


def _conflict(request, exc: ConflictError, form, retry_url: str, back_url: str, title: str):
    fields = [k for k in form.service_fields if k in form.cleaned_data]
    rows: list[tuple[str, object, object]] = []
    if exc.current is not None:
        rows = list(submitted_rows(exc.current, form.cleaned_data, fields))
    return conflict_response(
        request, exc, title=title, rows=rows, retry_url=retry_url if exc.current is not None else "", back_url=back_url
    )


@login_required
def value_edit(request, pk: int | None = None):
    """Enter a value (pk None; ?indicator=&region=&year=&month= pre-fill it) or correct one."""
    value = scoped_object_or_404(request, IndicatorValue.objects.all(), pk, action="change") if pk else None
    if value is None:
        require(request, "add", IndicatorValue)
        initial = {k: request.GET.get(k) for k in ("indicator", "region", "year", "month") if request.GET.get(k)}
        form = ValueForm(request.POST or None, instance=IndicatorValue(), initial=initial)
    else:
        form = ValueForm(request.POST or None, instance=value)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.value_save(
                    actor=request.user,
                    data=form.service_data(),
                    value=IndicatorValue.objects.get(pk=value.pk) if value else None,
                    version=form.cleaned_data.get("version"),
                )
            except ConflictError as exc:
                return _conflict(
                    request,
                    exc,
                    form,
                    reverse("benchmarks:value_edit", args=[pk]) if pk else "",
                    _next_url(request, value),
                    _("保存冲突：该数值已被他人修改"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("已保存：%(r)s %(i)s %(y)d年%(p)s %(v)s")
                    % {
                        "r": saved.region.name,
                        "i": saved.indicator.name,
                        "y": saved.year,
                        "p": period_label(saved.indicator, saved.month),
                        "v": fmt(saved.value),
                    },
                )
                return redirect(_next_url(request, saved))
    context = {
        "form": form,
        "obj": value,
        "title": _("修改指标数值") if value else _("录入指标数值"),
        "form_id": "tj-value-form",
        "back_url": _next_url(request, value),
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "history": object_history(value) if value else None,
        "delete_url": reverse("benchmarks:value_delete", args=[value.pk])
        if value and request.user.has_perm("benchmarks.delete_indicatorvalue")
        else "",
        "crumbs": [(reverse("benchmarks:index"), _("对标对表")), (reverse("benchmarks:value_list"), _("指标数值"))],
    }
    return _form_page(request, context, status)


@require_POST
@login_required
def value_delete(request, pk: int):
    rows = IndicatorValue.objects.select_related("indicator", "region")
    value = scoped_object_or_404(request, rows, pk, action="delete")
    back = reverse("benchmarks:indicator", args=[value.indicator_id]) + _period_query(value.year, value.month)
    try:
        services.value_delete(actor=request.user, value=value, version=request.POST.get("version"))
    except ConflictError as exc:
        title = _("删除冲突：该数值已被他人修改")
        return conflict_response(request, exc, title=title, rows=[], retry_url="", back_url=back)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(back)
    names = {"r": value.region.name, "i": value.indicator.name, "y": value.year, "m": value.month}
    messages.success(request, _("已删除：%(r)s %(i)s %(y)d年%(m)d月") % names)
    return redirect(back)


# -- targets, regions, indicators -------------------------------------------------------------------------------------


@login_required
def target_list(request):
    require(request, "view", IndicatorTarget)
    year = _int(request.GET.get("year")) or selectors.default_period()[0]
    targets = {t.indicator_id: t for t in IndicatorTarget.objects.filter(year=year)}
    rows = [(indicator, targets.get(indicator.pk)) for indicator in Indicator.objects.all()]
    return render(
        request,
        "benchmarks/target_list.html",
        {"year": year, "years": selectors.year_choices(), "rows": rows, "perms": _perms(request.user)},
    )


def _edit_page(request, *, form_class, service, kwarg: str, obj, title: str, form_id: str, list_url: str, initial=None):
    """The shared add/edit flow of a target, a region or an indicator (`kwarg`: the service's name for the row)."""
    model = form_class._meta.model
    form = form_class(request.POST or None, instance=obj or model(), initial=initial or {})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            current = {kwarg: model.objects.get(pk=obj.pk)} if obj else {}
            try:
                saved = service(
                    actor=request.user, data=form.service_data(), version=form.cleaned_data.get("version"), **current
                )
            except ConflictError as exc:
                return _conflict(request, exc, form, request.path if obj else "", list_url, _("保存冲突：已被他人修改"))
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已保存：%(o)s") % {"o": saved})
                return redirect(list_url)
    context = {
        "form": form,
        "obj": obj,
        "title": title,
        "form_id": form_id,
        "back_url": list_url,
        "history": object_history(obj) if obj else None,
        "crumbs": [(reverse("benchmarks:index"), _("对标对表")), (list_url, title)],
    }
    return _form_page(request, context, status)


@login_required
def target_edit(request, pk: int | None = None):
    """Set a target (pk None; ?indicator=&year= pre-fill it) or change one."""
    target = scoped_object_or_404(request, IndicatorTarget.objects.all(), pk, action="change") if pk else None
    if target is None:
        require(request, "add", IndicatorTarget)
    year = target.year if target else _int(request.GET.get("year")) or selectors.default_period()[0]
    initial = {k: request.GET.get(k) for k in ("indicator", "year") if request.GET.get(k)}
    return _edit_page(
        request,
        form_class=TargetForm,
        service=services.target_save,
        kwarg="target",
        obj=target,
        title=_("修改本区目标") if target else _("设定本区目标"),
        form_id="tj-target-form",
        list_url=f"{reverse('benchmarks:target_list')}?year={year}",
        initial=initial,
    )


@login_required
def region_list(request):
    require(request, "view", PeerRegion)
    return render(
        request,
        "benchmarks/region_list.html",
        {"regions": PeerRegion.objects.all(), "perms": _perms(request.user)},
    )


@login_required
def region_edit(request, pk: int | None = None):
    region = scoped_object_or_404(request, PeerRegion.objects.all(), pk, action="change") if pk else None
    if region is None:
        require(request, "add", PeerRegion)
    return _edit_page(
        request,
        form_class=RegionForm,
        service=services.region_save,
        kwarg="region",
        obj=region,
        title=_("修改对标地区") if region else _("新增对标地区"),
        form_id="tj-region-form",
        list_url=reverse("benchmarks:region_list"),
    )


@login_required
def indicator_list(request):
    require(request, "view", Indicator)
    return render(
        request,
        "benchmarks/indicator_list.html",
        {"indicators": Indicator.objects.all(), "perms": _perms(request.user)},
    )


@login_required
def indicator_edit(request, pk: int | None = None):
    indicator = scoped_object_or_404(request, Indicator.objects.all(), pk, action="change") if pk else None
    if indicator is None:
        require(request, "add", Indicator)
    return _edit_page(
        request,
        form_class=IndicatorForm,
        service=services.indicator_save,
        kwarg="indicator",
        obj=indicator,
        title=_("修改对标指标") if indicator else _("新增对标指标"),
        form_id="tj-indicator-form",
        list_url=reverse("benchmarks:indicator_list"),
    )


# -- Excel ------------------------------------------------------------------------------------------------------------


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def template(request):
    """The import template of a period (?year=&month=): every active region × indicator, what is entered filled in."""
    require(request, "import", IndicatorValue)
    year, month = _period(request)
    detail = {"what": "benchmarks_template", "period": f"{year}-{month:02d}"}
    audit_event_record(event_type=AuditEventType.EXPORT, detail=detail)
    return _xlsx(excel.template_xlsx(year, month), f"benchmarks-template-{year}-{month:02d}.xlsx")


@login_required
def export(request):
    """The year's values and the comparison table of the month (?year=&month=) as .xlsx."""
    require(request, "export", IndicatorValue)
    year, month = _period(request)
    content = excel.export_xlsx(Board(year), month)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "benchmarks", "period": f"{year}-{month:02d}"})
    return _xlsx(content, f"benchmarks-{year}-{month:02d}.xlsx")


@login_required
def import_view(request):
    """Upload values: every row checked (nothing written), then the preview with the row errors in Chinese."""
    require(request, "import", IndicatorValue)
    year, month = _period(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "check": None, "max_mb": excel.MAX_MB, "year": year, "month": month}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                checked = check_upload(form.cleaned_data["file"], XLSX_TYPES, max_mb=excel.MAX_MB)
                check = excel.import_check(actor=request.user, data=checked.content)
            except ValidationError as exc:
                form.add_error("file", "；".join(exc.messages))
            else:
                context["check"] = check
                if check.ok:
                    token = secrets.token_urlsafe(12)
                    request.session[SESSION_KEY] = {"token": token, **check.session_data()}
                    context["token"] = token
                    status = 200
                elif not check.errors:
                    status = 200
    return render(request, "benchmarks/import.html", context, status=status)


@require_POST
@login_required
def import_apply(request):
    """确认导入: the previewed rows written in one transaction (all or none)."""
    require(request, "import", IndicatorValue)
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("token") != request.POST.get("token"):
        messages.error(request, _("导入预览已失效，请重新上传文件。"))
        return redirect(reverse("benchmarks:import"))
    check = excel.ImportCheck.from_session(kept)
    try:
        count = excel.import_apply(actor=request.user, check=check)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("benchmarks:import"))
    request.session.pop(SESSION_KEY, None)
    audit_event_record(event_type=AuditEventType.IMPORT, detail={"what": "benchmarks", "rows": count})
    messages.success(request, _("已导入 %(n)d 条对标数据。") % {"n": count})
    return redirect(reverse("benchmarks:value_list"))
