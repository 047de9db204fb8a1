"""通报模板: the 项目办 replaces the Word layout of its region's monthly notice (docs/subsystems/notice-template.md).

- `template_page`: the current template (built-in or uploaded), downloads, the upload form, the placeholder list
  (generated from the code's names) and the history; POST uploads a candidate and goes to its preview.
- `template_preview`: the candidate's placeholder report and an outline of the current period's notice laid out by
  it; `template_preview_docx` the same notice as a DOCX; `template_activate` (POST) makes it active.
- `template_reset` (POST): 恢复默认, the built-in layout again. `template_builtin` / `template_download`: the files.

Every page needs "dispatch.change_noticetemplate" and works on the user's own region (`schedule.home_region`); a
template of another region is 404. 启用 and 恢复默认 post the active template the page showed (`expected`, 0 =
built-in): if someone changed it meanwhile, the shared conflict page answers and nothing changes.
"""

import io
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ConflictError
from tuijin.core.history import describe_changes, object_history
from tuijin.core.models import ObjectChange
from tuijin.core.periods import add_months
from tuijin.core.permissions import require, scoped_object_or_404
from tuijin.progress.services import period_for_reporting

from .models import NOTICE_TEMPLATE_MAX_BYTES, NoticeTemplate
from .notice import FORMATS
from .notice_services import (
    BLOCK,
    INLINE,
    builtin_template_bytes,
    notice_template_activate,
    notice_template_active,
    notice_template_check,
    notice_template_outline,
    notice_template_read,
    notice_template_render,
    notice_template_reset,
    notice_template_upload,
    placeholder_list,
)
from .schedule import home_region

__all__ = [
    "TEMPLATE_PERMISSION",
    "template_activate",
    "template_builtin",
    "template_download",
    "template_page",
    "template_preview",
    "template_preview_docx",
    "template_reset",
]

TEMPLATE_PERMISSION = "dispatch.change_noticetemplate"
DOCX_TYPE = FORMATS["docx"][0]
HISTORY_LIMIT = 50


class TemplateUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Word 模板（.docx）"),
        help_text=gettext_lazy("不超过 2 MB；不含宏。上传后先预览，确认无误再启用。"),
        error_messages={"required": gettext_lazy("请选择要上传的 .docx 文件。")},
        widget=forms.ClearableFileInput(
            attrs={
                "class": "form-control",
                "accept": ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            }
        ),
    )


def _region(request):
    require(request, TEMPLATE_PERMISSION, message=_("您没有设置通报模板的权限。"))
    region = home_region(request.user)
    if region is None:
        raise Http404(_("您的账户未关联行政区划。"))
    return region


def _template(request, pk: int) -> NoticeTemplate:
    """The template `pk` of the user's own region (404 otherwise, audited when it exists)."""
    region = _region(request)
    queryset = NoticeTemplate.objects.filter(region=region).select_related("uploaded_by", "activated_by")
    return scoped_object_or_404(request, queryset, pk, action="change", permission=False)


def _period(request) -> tuple[int, int]:
    """?period=2026-9 or ?year=&month= when valid, else the current reporting period (the notice's month)."""
    default = period_for_reporting()
    raw = request.GET.get("period", "")
    parts = raw.split("-", 1) if raw else [request.GET.get("year", ""), request.GET.get("month", "")]
    try:
        year, month = int(parts[0]), int(parts[1])
    except (ValueError, IndexError):
        return default.year, default.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return default.year, default.month
    return year, month


def _docx(content: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=DOCX_TYPE)


def _region_history(region) -> list:
    content_type = ContentType.objects.get_for_model(NoticeTemplate)
    ids = NoticeTemplate.objects.filter(region=region).values("pk")
    changes = list(
        ObjectChange.objects.filter(changed_object_type=content_type, changed_object_id__in=ids).select_related(
            "changed_object_type"
        )[:HISTORY_LIMIT]
    )
    return describe_changes(changes)


def _page_context(request, region) -> dict:
    active = notice_template_active(region)
    items = placeholder_list(request.user)
    return {
        "region": region,
        "active": active,
        "expected": active.pk if active is not None else 0,
        "templates": list(
            NoticeTemplate.objects.filter(region=region)
            .select_related("uploaded_by", "activated_by")
            .defer("content")[:30]
        ),
        "blocks": [p for p in items if p.kind == BLOCK],
        "inline": [p for p in items if p.kind == INLINE],
        "history": _region_history(region),
        "max_mb": NOTICE_TEMPLATE_MAX_BYTES // (1024 * 1024),
    }


@login_required
def template_page(request):
    region = _region(request)
    if request.method != "POST":
        return render(
            request, "progress/notice_template.html", {**_page_context(request, region), "form": TemplateUploadForm()}
        )
    form = TemplateUploadForm(request.POST, request.FILES)
    if form.is_valid():
        name, content = notice_template_read(form.cleaned_data["file"])
        try:
            template, _report = notice_template_upload(actor=request.user, region=region, name=name, content=content)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.info(request, _("已上传“%(n)s”，尚未启用。请核对预览后再启用。") % {"n": template.name})
            return redirect("dispatch:notice_template_preview", pk=template.pk)
    return render(request, "progress/notice_template.html", {**_page_context(request, region), "form": form})


@login_required
def template_builtin(request):
    _region(request)
    return _docx(builtin_template_bytes(), _("内置通报模板.docx"))


@login_required
def template_download(request, pk: int):
    template = _template(request, pk)
    return _docx(bytes(template.content), template.name)


@login_required
def template_preview(request, pk: int):
    template = _template(request, pk)
    region = template.region
    year, month = _period(request)
    report = notice_template_check(template.name, bytes(template.content))
    rendered = notice_template_render(request.user, template, year, month)
    active = notice_template_active(region)
    current = period_for_reporting()
    context = {
        "template": template,
        "report": report,
        "outline": notice_template_outline(rendered),
        "period": date(year, month, 1),
        "periods": sorted({add_months(current, -i) for i in range(12)} | {date(year, month, 1)}, reverse=True),
        "active": active,
        "expected": active.pk if active is not None else 0,
        "is_active": active is not None and active.pk == template.pk,
        "history": object_history(template),
    }
    return render(request, "progress/notice_template_preview.html", context)


@login_required
def template_preview_docx(request, pk: int):
    template = _template(request, pk)
    year, month = _period(request)
    content = notice_template_render(request.user, template, year, month)
    return _docx(content, _("通报模板预览-%(y)d年%(m)02d月.docx") % {"y": year, "m": month})


def _expected(request) -> int | None:
    try:
        return int(request.POST.get("expected", ""))
    except ValueError:
        return None


def _conflict(request, exc: ConflictError, *, mine: str, retry_url: str, label: str):
    current = exc.current
    now = current.name if current is not None else _("内置模板")
    return conflict_response(
        request,
        exc,
        title=_("通报模板已被他人更改"),
        rows=[(_("启用的通报模板"), now, mine)] if now != mine else [],
        retry_url=retry_url,
        back_url=reverse("dispatch:notice_template"),
        resubmit={"expected": [str(current.pk if current is not None else 0)]},
        resubmit_label=label,
    )


@login_required
@require_POST
def template_activate(request, pk: int):
    template = _template(request, pk)
    url = reverse("dispatch:notice_template_activate", args=[template.pk])
    try:
        notice_template_activate(actor=request.user, template=template, expected_active=_expected(request))
    except ConflictError as exc:
        return _conflict(request, exc, mine=template.name, retry_url=url, label=_("仍然启用此模板"))
    messages.success(request, _("已启用通报模板“%(n)s”，此后生成和发布的通报将按此模板排版。") % {"n": template.name})
    return redirect("dispatch:notice_template")


@login_required
@require_POST
def template_reset(request):
    region = _region(request)
    url = reverse("dispatch:notice_template_reset")
    try:
        count = notice_template_reset(actor=request.user, region=region, expected_active=_expected(request))
    except ConflictError as exc:
        return _conflict(request, exc, mine=_("内置模板"), retry_url=url, label=_("仍然恢复默认"))
    if count:
        messages.success(request, _("已恢复默认通报模板（内置模板）；上传过的模板仍保留在历史中，可随时再次启用。"))
    else:
        messages.info(request, _("当前已在使用内置模板。"))
    return redirect("dispatch:notice_template")
