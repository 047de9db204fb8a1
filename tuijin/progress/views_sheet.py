"""The monthly 调度表 pages: download a month's sheet, upload it (errors → annotated copy; else drafts saved and a
summary with 一键提交), submit the imported drafts together. Reading and writing live in `sheet.py`."""

import uuid
from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.periods import month_start, parse_month
from tuijin.core.permissions import DenialReason, deny, require
from tuijin.utilities.excel import XLSX_CONTENT_TYPE, XLSX_TYPES
from tuijin.utilities.uploads import check_upload

from . import services, sheet
from .choices import ReportStatus
from .models import ProgressReport

__all__ = ["sheet_annotated", "sheet_download", "sheet_import", "sheet_submit"]

ANNOTATED_SESSION = "progress_sheet_annotated"
SUBMIT_LIMIT = 1000


class SheetUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("调度表文件（.xlsx）"))
    reason = forms.CharField(label=gettext_lazy("代填原因"), max_length=200, required=False)

    def __init__(self, *args, proxy: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.proxy = proxy
        self.fields["reason"].required = proxy
        self.fields["reason"].error_messages["required"] = _(
            "代填须填写代填原因（如：单位填报员休假，经电话确认数据）。"
        )


def _require_sheet(request) -> None:
    """A unit's reporter (fills its own reports) or the project office (代填); anybody else: audited 403."""
    user = request.user
    if not (user.has_perm("progress.add_progressreport") or sheet.is_proxy(user)):
        deny(request, action="progress.add_progressreport", reason=DenialReason.NO_PERMISSION)


def _default_period() -> date:
    return services.period_for_reporting()


@login_required
def sheet_download(request, year: int, month: int):
    """本单位 (or, for the office, the district's) 调度表 of a month as .xlsx."""
    _require_sheet(request)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404(_("报告期无效。"))
    period = date(year, month, 1)
    if period > month_start(timezone.localdate()):
        raise Http404(_("不能下载未来月份的调度表。"))
    content = sheet.build_sheet(actor=request.user, period=period)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "report_sheet", "period": f"{period:%Y-%m}"})
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="report-sheet-{period:%Y-%m}.xlsx"'
    return response


def _keep_annotated(request, content: bytes) -> str:
    """Store the annotated error copy for this user's session; its token for the download link."""
    token = uuid.uuid4().hex
    path = default_storage.save(f"imports/report-sheets/{token}.xlsx", ContentFile(content))
    kept = dict(request.session.get(ANNOTATED_SESSION, {}))
    for old in list(kept)[:-4]:  # keep the last five per session
        default_storage.delete(kept.pop(old))
    kept[token] = path
    request.session[ANNOTATED_SESSION] = kept
    return token


@login_required
def sheet_import(request):
    """Upload the 调度表: every row validated; errors listed with the annotated copy and nothing written, else the
    drafts created or updated in one transaction and a summary with 一键提交."""
    _require_sheet(request)
    proxy = sheet.is_proxy(request.user)
    try:
        period = parse_month(request.GET.get("period"))
    except ValueError:
        period = _default_period()
    form = SheetUploadForm(request.POST or None, request.FILES or None, proxy=proxy)
    context: dict = {"form": form, "proxy": proxy, "period": period, "report": None, "token": None, "done": False}
    if request.method == "POST" and form.is_valid():
        try:
            checked = check_upload(form.cleaned_data["file"], XLSX_TYPES)
            report = sheet.parse_sheet(checked.content, actor=request.user)
            if report.fatal:
                details = [e["message"] for e in report.errors if e["message"] != report.fatal]
                raise ValidationError(" ".join([report.fatal, *details]))
            context["report"] = report
            period = report.period or period
            context["period"] = period
            if report.errors:
                context["token"] = _keep_annotated(request, sheet.annotated_sheet_copy(checked.content, report.errors))
            else:
                sheet.apply_sheet(report, actor=request.user, proxy_reason=form.cleaned_data.get("reason", ""))
                context["done"] = True
                context["drafts"] = sheet.submittable(report)
            audit_event_record(
                event_type=AuditEventType.IMPORT,
                detail={"what": "report_sheet", "sha256": checked.sha256, "rows": report.total_rows, "proxy": proxy},
            )
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        except ApplicationError as exc:
            form.add_error("file", exc.message)
    if context["report"] is not None:
        context["errors"] = sorted(context["report"].errors, key=lambda e: e["row"])[:500]
        context["summary"] = context["report"].summary(done=context["done"])
        context["skipped"] = context["report"].of("skipped")
    context["can_submit"] = request.user.has_perm("progress.submit_progressreport")
    return render(request, "progress/sheet_import.html", context)


@login_required
def sheet_annotated(request, token: str):
    """The annotated error copy of this session's last uploads (another session's token: 404)."""
    _require_sheet(request)
    path = request.session.get(ANNOTATED_SESSION, {}).get(token)
    if not path or not default_storage.exists(path):
        raise Http404(_("文件已过期，请重新上传。"))
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="report-sheet-errors.xlsx"'
    return response


def _posted_items(request) -> list[tuple[int, int]]:
    items = []
    for raw in request.POST.getlist("report")[:SUBMIT_LIMIT]:
        pk, _sep, version = raw.partition(":")
        if pk.isdigit() and version.isdigit():
            items.append((int(pk), int(version)))
    return items


@require_POST
@login_required
def sheet_submit(request):
    """一键提交: submit each imported draft through `report_submit` at the version the summary showed; a report
    changed since, out of scope or failing validation is skipped with the reason (the others are submitted)."""
    require(request, "progress.submit_progressreport")
    items = _posted_items(request)
    reports = {
        r.pk: r
        for r in ProgressReport.objects.restrict(request.user, "submit")
        .filter(pk__in=[pk for pk, _v in items])
        .select_related("project__responsible_unit")
    }
    submitted, skipped = [], []
    period = None
    for pk, version in items:
        report = reports.get(pk)
        if report is None:
            skipped.append(_("第 %(pk)d 号月报不存在或不在您的管理范围内。") % {"pk": pk})
            continue
        period = report.period
        try:
            with transaction.atomic():
                if report.status != ReportStatus.DRAFT or report.version != version:
                    raise ConflictError(
                        _("导入后已被处理（当前状态：%(s)s）。") % {"s": report.get_status_display()}, current=report
                    )
                services.report_submit(actor=request.user, report=report, version=version)
        except (ApplicationError, PermissionDenied, ValidationError) as exc:
            message = getattr(exc, "message", None) or "；".join(getattr(exc, "messages", [])) or str(exc)
            skipped.append(f"{report.project.name}：{message}")
        else:
            submitted.append(report)
    if submitted:
        messages.success(request, _("已提交 %(n)d 份月报，等待单位审核。") % {"n": len(submitted)})
    if skipped:
        messages.warning(request, _("以下月报未提交：%(list)s") % {"list": "；".join(skipped)})
    if not items:
        messages.warning(request, _("没有可提交的月报。"))
    url = reverse("dispatch:my_reports")
    return redirect(f"{url}?period={period:%Y-%m}" if period else url)
