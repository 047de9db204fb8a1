"""历史数据导入 pages: one page with the three steps (项目 → 年度计划 → 月报); each step downloads its template,
uploads a file (validated in full: errors with the annotated copy, else a preview), and 确认导入 writes it in one
transaction. The logic lives in `history.py`."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.exceptions import ApplicationError
from tuijin.core.periods import month_start, parse_month, previous_month
from tuijin.core.permissions import DenialReason, deny
from tuijin.projects.models import ImportJob
from tuijin.utilities.excel import XLSX_CONTENT_TYPE

from . import history

__all__ = ["history_annotated", "history_apply", "history_page", "history_template", "history_upload"]


class HistoryUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))


def _require(request) -> None:
    if not history.can_import_history(request.user):
        missing = next((p for p in history.PERMISSIONS if not request.user.has_perm(p)), history.PERMISSIONS[0])
        deny(request, action=missing, reason=DenialReason.NO_PERMISSION)


def _kind(kind: str) -> str:
    if kind not in history.KINDS:
        raise Http404(_("未知的导入内容。"))
    return kind


def _defaults() -> dict:
    today = timezone.localdate()
    last = previous_month(month_start(today))
    first = date(last.year, 1, 1)
    return {"year": last.year, "first": first, "last": last}


def _steps(request, active: str | None = None, **extra) -> list[dict]:
    jobs = ImportJob.objects.filter(created_by=request.user, historical=True).order_by("-created", "-pk")
    steps = []
    for number, (kind, label) in enumerate(history.KINDS.items(), start=1):
        step = {
            "number": number,
            "kind": kind,
            "label": label,
            "form": HistoryUploadForm(),
            "jobs": list(jobs.filter(kind=kind)[:5]),
            "done": jobs.filter(kind=kind, status="done").exists(),
        }
        if kind == active:
            step.update(extra)
        steps.append(step)
    return steps


def _render(request, active: str | None = None, **extra):
    return render(request, "progress/history.html", {"steps": _steps(request, active, **extra), **_defaults()})


@login_required
def history_page(request):
    """The three steps, their recent imports and their templates."""
    _require(request)
    return _render(request)


@login_required
def history_template(request, kind: str):
    """A step's file to fill in: 项目 (the import template), 年度计划 (?year=), 月报 (?first=&last= months)."""
    _require(request)
    kind = _kind(kind)
    defaults = _defaults()
    year = defaults["year"]
    first, last = defaults["first"], defaults["last"]
    try:
        if request.GET.get("year"):
            year = int(request.GET["year"])
            if not 2000 <= year <= 2100:
                raise ValueError
        if request.GET.get("first"):
            first = parse_month(request.GET["first"])
        if request.GET.get("last"):
            last = parse_month(request.GET["last"])
    except ValueError:
        raise Http404(_("年度或月份无效。")) from None
    content = history.history_template(actor=request.user, kind=kind, year=year, first=first, last=last)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": f"history_template_{kind}"})
    names = {"projects": "history-projects", "plans": f"history-plans-{year}", "reports": "history-reports"}
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{names[kind]}.xlsx"'
    return response


@require_POST
@login_required
def history_upload(request, kind: str):
    """Upload a step's file: validated in full and kept; the page shows its errors or its preview."""
    _require(request)
    kind = _kind(kind)
    form = HistoryUploadForm(request.POST, request.FILES)
    extra: dict = {"form": form}
    if form.is_valid():
        try:
            job, check = history.history_job_create(actor=request.user, kind=kind, uploaded=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            audit_event_record(
                event_type=AuditEventType.IMPORT,
                detail={"what": f"history_{kind}", "sha256": job.sha256, "rows": job.total_rows, "stage": "check"},
            )
            extra.update(job=job, check=check, errors=check.errors[:500])
    return _render(request, kind, **extra)


def _own_job(request, pk: int) -> ImportJob:
    _require(request)
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user, historical=True)


@require_POST
@login_required
def history_apply(request, pk: int):
    """确认导入: the job's file re-validated and written in one transaction."""
    job = _own_job(request, pk)
    try:
        job = history.history_apply(actor=request.user, job=job)
    except (ApplicationError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        audit_event_record(
            event_type=AuditEventType.IMPORT,
            detail={"what": f"history_{job.kind}", "sha256": job.sha256, "rows": job.total_rows, "stage": "apply"},
        )
        messages.success(request, job.message)
    return redirect(f"{reverse('progress:history')}#step-{job.kind}")


@login_required
def history_annotated(request, pk: int):
    """The job's file with each erroneous cell marked red and commented."""
    job = _own_job(request, pk)
    if not job.errors:
        raise Http404(_("该文件没有错误。"))
    response = HttpResponse(history.annotated_history_copy(job), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="history-{job.kind}-errors.xlsx"'
    return response
