"""Excel pages of 招商: the lead list and the promise ledger exported (scoped, with the list's filters), and their
imports: download the template, upload (checked in full: errors with the annotated copy and nothing written, else a
preview), 确认导入 in one transaction. Reading and writing live in `excel.py`."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.exceptions import ApplicationError
from tuijin.core.permissions import DenialReason, deny, require
from tuijin.projects.models import ImportJob
from tuijin.utilities.excel import XLSX_CONTENT_TYPE

from . import excel, ledger
from .filtersets import LeadFilterSet
from .models import Commitment, Lead

__all__ = [
    "lead_export",
    "lead_import",
    "lead_import_annotated",
    "lead_import_apply",
    "lead_import_template",
    "ledger_export",
    "ledger_import",
    "ledger_import_annotated",
    "ledger_import_apply",
    "ledger_import_template",
]

PAGES = {
    "leads": {
        "title": gettext_lazy("导入招商项目"),
        "intro": gettext_lazy(
            "下载导入模板（或导出的招商项目清单）填写后上传。招商项目ID留空的行新增项目，填写ID的行按导出时的版本更新"
            "该项目。上传后逐行按登记表单的规则校验：有任何错误时不写入任何数据，可下载标注了错误单元格的文件；无误时核对"
            "预览后确认导入，全部写入或全部不写入。"
        ),
        "page": "investment:lead_import",
        "template": "investment:lead_import_template",
        "apply": "investment:lead_import_apply",
        "annotated": "investment:lead_import_annotated",
        "back": "investment:lead_list",
        "back_label": gettext_lazy("返回招商项目"),
        "file": "investment-leads",
    },
    "commitments": {
        "title": gettext_lazy("导入承诺台账"),
        "intro": gettext_lazy(
            "下载导入模板填写后上传，每行一条承诺（政府承诺或企业承诺），用招商项目ID或项目名称指明所属项目。导入的承诺为"
            "“草拟”状态；预览中列出每条将触发的公平竞争审查提示。有任何错误时不写入任何数据，可下载标注了错误单元格的文件。"
        ),
        "page": "investment:ledger_import",
        "template": "investment:ledger_import_template",
        "apply": "investment:ledger_import_apply",
        "annotated": "investment:ledger_import_annotated",
        "back": "investment:ledger",
        "back_label": gettext_lazy("返回承诺台账"),
        "file": "investment-ledger",
    },
}


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# --- export ---------------------------------------------------------------------------------------------------------


@login_required
def lead_export(request):
    """The lead list as .xlsx: the leads the user may see, with the list's current filters."""
    require(request, "view", Lead)
    queryset = Lead.objects.restrict(request.user, "view")
    queryset = LeadFilterSet(request.GET or None, queryset=queryset, request=request).qs
    content = excel.export_leads_xlsx(queryset)
    audit_event_record(
        event_type=AuditEventType.EXPORT, detail={"what": "investment_leads", "filters": request.GET.dict()}
    )
    return _xlsx(content, f"investment-leads-{_stamp()}")


def _ledger_lead(request) -> Lead | None:
    """The lead of `?lead=`: one whose ledger the user may read (its lead, or a line of it, in scope), else 404."""
    raw = request.GET.get("lead", "")
    if not raw:
        return None
    lead = Lead.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if lead is None:
        raise Http404(_("招商项目不存在。"))
    visible = (
        Lead.objects.restrict(request.user, "view").filter(pk=lead.pk).exists()
        or excel.ledger_queryset(request.user, lead).exists()
    )
    if not visible:
        deny(request, action="view", obj=Lead, reason=DenialReason.OUT_OF_SCOPE)
        raise Http404(_("招商项目不存在。"))
    return lead


@login_required
def ledger_export(request):
    """The promise ledger as .xlsx, both sides: every line the user may see, or one lead's (`?lead=`)."""
    require(request, "view", Commitment)
    lead = _ledger_lead(request)
    content = excel.export_ledger_xlsx(
        excel.ledger_queryset(request.user, lead), supervision=ledger.sees_supervision(request.user)
    )
    audit_event_record(
        event_type=AuditEventType.EXPORT, detail={"what": "investment_ledger", "lead": lead.pk if lead else None}
    )
    return _xlsx(content, f"investment-ledger-{lead.pk}-{_stamp()}" if lead else f"investment-ledger-{_stamp()}")


# --- import ---------------------------------------------------------------------------------------------------------


def _require(request, kind: str) -> None:
    require(request, excel.KINDS[kind].permission)


def _import_page(request, kind: str):
    _require(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "kind": kind, "page": PAGES[kind], "job": None, "check": None}
    if request.method == "POST" and form.is_valid():
        try:
            job, check = excel.import_job_create(actor=request.user, kind=kind, uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            audit_event_record(
                event_type=AuditEventType.IMPORT,
                detail={"what": f"investment_{kind}", "sha256": job.sha256, "rows": job.total_rows, "stage": "check"},
            )
            context.update(job=job, check=check, errors=check.errors[:500], rows=check.rows[:500])
    context["jobs"] = ImportJob.objects.filter(created_by=request.user, kind=kind, historical=False)[:10]
    return render(request, "investment/excel/import.html", context, status=400 if form.errors else 200)


def _own_job(request, kind: str, pk: int) -> ImportJob:
    _require(request, kind)
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user, kind=kind, historical=False)


def _apply(request, kind: str, pk: int):
    job = _own_job(request, kind, pk)
    try:
        job = excel.import_apply(actor=request.user, job=job)
    except (ApplicationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        audit_event_record(
            event_type=AuditEventType.IMPORT,
            detail={"what": f"investment_{kind}", "sha256": job.sha256, "rows": job.total_rows, "stage": "apply"},
        )
        messages.success(request, job.message)
    return redirect(str(PAGES[kind]["page"]))


def _annotated(request, kind: str, pk: int):
    job = _own_job(request, kind, pk)
    if not job.errors:
        raise Http404(_("该文件没有错误。"))
    try:
        content = excel.annotated_copy(excel.job_data(job), job.errors, kind=kind)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    return _xlsx(content, f"{PAGES[kind]['file']}-errors")


def _template(request, kind: str):
    _require(request, kind)
    content = excel.import_template(actor=request.user, kind=kind)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": f"investment_{kind}_template"})
    return _xlsx(content, f"{PAGES[kind]['file']}-template")


@login_required
def lead_import(request):
    """导入招商项目: the template, the upload (errors or a preview) and the user's recent imports."""
    return _import_page(request, "leads")


@login_required
def lead_import_template(request):
    return _template(request, "leads")


@require_POST
@login_required
def lead_import_apply(request, pk: int):
    """确认导入: the kept file checked again and written in one transaction."""
    return _apply(request, "leads", pk)


@login_required
def lead_import_annotated(request, pk: int):
    """The uploaded file with each bad cell marked red and commented in Chinese."""
    return _annotated(request, "leads", pk)


@login_required
def ledger_import(request):
    """导入承诺台账: the template, the upload (errors or a preview with the 公平竞争审查 flags), recent imports."""
    return _import_page(request, "commitments")


@login_required
def ledger_import_template(request):
    return _template(request, "commitments")


@require_POST
@login_required
def ledger_import_apply(request, pk: int):
    return _apply(request, "commitments", pk)


@login_required
def ledger_import_annotated(request, pk: int):
    return _annotated(request, "commitments", pk)
