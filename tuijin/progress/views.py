"""Monthly report pages: the unit's reporting list, the fill-in form, the review queue, review, correction."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.figures_cache import cached_aggregate
from tuijin.core.periods import parse_month
from tuijin.core.permissions import DenialReason, denial_record, deny, require, scoped_object_or_404
from tuijin.core.redirects import safe_next
from tuijin.core.views_generic import ObjectDetailView, ObjectListView
from tuijin.projects.models import Project
from tuijin.utilities.uploads import is_upload_error

from . import services
from .choices import ReportStatus
from .forms import CorrectionForm, ProblemFormSet, ReportForm, ReviewForm
from .models import ProgressReport, ReportPhoto
from .photos import report_photo_add

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request) -> date:
    """The month of `?period=YYYY-MM`, else the month being reported now."""
    try:
        return parse_month(request.GET.get("period"))
    except ValueError:
        return services.period_for_reporting()


def _messages_of(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "message", str(exc))


class ReportQueueView(ObjectListView):
    """All reports in scope for a month, with a 'waiting for me' filter for reviewers."""

    queryset = ProgressReport.objects.select_related("project__responsible_unit", "submitted_by")
    template_name = "progress/report_list.html"
    table_template = "progress/htmx/report_table.html"
    title = gettext_lazy("月报审核")

    def get_queryset(self):
        queryset = super().get_queryset()
        self.period = _period(self.request)
        queryset = queryset.filter(period=self.period)
        status = self.request.GET.get("status", "")
        user = self.request.user
        if status == "mine":
            waiting = Q(pk__in=[])
            if user.has_perm("progress.unitapprove_progressreport"):
                waiting |= Q(status=ReportStatus.SUBMITTED)
            if user.has_perm("progress.officeapprove_progressreport"):
                waiting |= Q(status=ReportStatus.UNIT_APPROVED)
            queryset = queryset.filter(waiting)
        elif status in ReportStatus.values:
            queryset = queryset.filter(status=status)
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(Q(project__name__icontains=query) | Q(project__code__icontains=query))
        return queryset.order_by("project__responsible_unit__sort_order", "project__name")

    def get_paginator(self, queryset, per_page, **kwargs):
        """The count from the figures cache until a report or project write commits (a province-wide month holds
        100,000 reports: the count is the page's costliest query)."""
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        paginator.count = cached_aggregate("report_queue_count", queryset, lambda query: query.count(), 0)
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            period=self.period,
            statuses=ReportStatus.choices,
            status=self.request.GET.get("status", ""),
            window=services.reporting_period_get(self.period),
        )
        return context


@require_POST
@login_required
def report_open(request, project_pk: int, year: int, month: int):
    require(request, "progress.add_progressreport")
    project = scoped_object_or_404(request, Project.objects.all(), project_pk, action="change", permission=False)
    try:
        report = services.report_get_or_create(actor=request.user, project=project, period=date(year, month, 1))
    except (ApplicationError, ValueError) as exc:
        messages.error(request, _messages_of(exc))
        return redirect("dispatch:my_reports")
    except PermissionDenied as exc:
        denial_record(request, action="add", obj=ProgressReport, reason=DenialReason.REFUSED, message=str(exc))
        messages.error(request, str(exc))
        return redirect("dispatch:my_reports")
    return redirect("progress:report_edit", pk=report.pk)


class ReportView(ObjectDetailView):
    queryset = ProgressReport.objects.select_related(
        "project__responsible_unit", "submitted_by", "unit_reviewed_by", "office_reviewed_by"
    )
    template_name = "progress/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        can_unit = user.has_perm("progress.unitapprove_progressreport") and report.status == ReportStatus.SUBMITTED
        can_office = user.has_perm("progress.officeapprove_progressreport") and report.status in (
            ReportStatus.SUBMITTED,
            ReportStatus.UNIT_APPROVED,
        )
        context.update(
            figures=services.report_figures(report),
            problems=report.problems.all(),
            photos=report.photos.all(),
            events=report.events.select_related("actor")[:50],
            corrections=report.corrections.select_related("actor"),
            can_edit=report.status == ReportStatus.DRAFT and user.has_perm("progress.change_progressreport"),
            can_review=can_unit or can_office,
            can_approve=(can_unit and report.status == ReportStatus.SUBMITTED)
            or (user.has_perm("progress.officeapprove_progressreport") and report.status == ReportStatus.UNIT_APPROVED),
            can_correct=report.status == ReportStatus.OFFICE_APPROVED
            and user.has_perm("progress.correct_progressreport"),
        )
        return context


@login_required
def report_edit(request, pk: int):
    report = scoped_object_or_404(request, ProgressReport.objects.select_related("project"), pk, action="change")
    if report.status != ReportStatus.DRAFT:
        messages.info(request, _("月报已提交，不能修改。"))
        return redirect(report)
    form = ReportForm(request.POST or None, request.FILES or None, instance=report, initial={"version": report.version})
    problems = ProblemFormSet(
        request.POST or None,
        prefix="problems",
        initial=[
            {"category": p.category, "description": p.description, "help_requested": p.help_requested}
            for p in report.problems.all()
        ],
    )
    if request.method == "POST" and form.is_valid() and problems.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
        rows = [f.cleaned_data for f in problems.forms if f.cleaned_data]
        submit = "submit" in request.POST
        try:
            with transaction.atomic():
                saved = services.report_save(
                    actor=request.user,
                    report=ProgressReport.objects.get(pk=report.pk),
                    version=form.cleaned_data["version"],
                    data=data,
                    problems=rows,
                    submit=submit,
                )
                if form.cleaned_data.get("photo"):
                    report_photo_add(actor=request.user, report=saved, uploaded=form.cleaned_data["photo"])
        except ConflictError as exc:
            messages.error(request, exc.message)
            return redirect(report)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for key, errs in exc.message_dict.items():
                    for err in errs:
                        form.add_error(key if key in form.fields else None, err)
            else:
                form.add_error("photo" if is_upload_error(exc) else None, exc)
        except PermissionDenied as exc:
            denial_record(request, action="change", obj=report, reason=DenialReason.REFUSED, message=str(exc))
            form.add_error(None, str(exc))
        except ApplicationError as exc:
            form.add_error(None, _messages_of(exc))
        else:
            messages.success(request, _("月报已提交，等待单位审核。") if submit else _("草稿已保存。"))
            return redirect(saved)
    figures = services.report_figures(report)
    return render(
        request, "progress/report_form.html", {"form": form, "problems": problems, "report": report, "figures": figures}
    )


@require_POST
@login_required
def report_review(request, pk: int):
    report = scoped_object_or_404(request, ProgressReport.objects.select_related("project"), pk)
    if not (
        request.user.has_perm("progress.unitapprove_progressreport")
        or request.user.has_perm("progress.officeapprove_progressreport")
    ):
        deny(request, action="unitapprove", obj=report)  # holds neither unit nor office approval
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请刷新页面后重试。"))
        return redirect(report)
    version = form.cleaned_data["version"]
    try:
        if form.cleaned_data["action"] == "return":
            services.report_return(
                actor=request.user, report=report, version=version, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("已退回，填报人将看到退回原因。"))
        elif report.status == ReportStatus.SUBMITTED:
            services.report_unit_approve(actor=request.user, report=report, version=version)
            messages.success(request, _("单位审核通过。"))
        else:
            services.report_office_approve(actor=request.user, report=report, version=version)
            messages.success(request, _("项目办审核通过，月报已锁定。"))
    except ConflictError as exc:
        messages.error(request, exc.message)
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _messages_of(exc))
    except PermissionDenied as exc:
        denial_record(request, obj=report, reason=DenialReason.REFUSED, message=str(exc))
        messages.error(request, str(exc) or _("您没有执行此操作的权限。"))
    return redirect(safe_next(request, reverse("progress:report", args=[report.pk])))


@login_required
def report_correct_view(request, pk: int):
    report = scoped_object_or_404(request, ProgressReport.objects.select_related("project"), pk, action="correct")
    form = CorrectionForm(request.POST or None, instance=report, initial={"version": report.version})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
        try:
            services.report_correct(
                actor=request.user,
                report=ProgressReport.objects.get(pk=report.pk),
                version=form.cleaned_data["version"],
                data=data,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已更正，原值与更正原因已记录。"))
            return redirect(report)
        except ValidationError as exc:
            for key, errs in getattr(exc, "message_dict", {None: exc.messages}).items():
                for err in errs:
                    form.add_error(key if key in form.fields else None, err)
        except (ApplicationError, ConflictError) as exc:
            form.add_error(None, exc.message)
    return render(request, "progress/report_correct.html", {"form": form, "report": report})


@login_required
def photo_view(request, pk: int):
    photo = scoped_object_or_404(request, ReportPhoto.objects.all(), pk)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_export(request):
    from .export import reports_xlsx

    require(request, "progress.export_progressreport")
    period = _period(request)
    queryset = ProgressReport.objects.restrict(request.user, "view").filter(period=period)
    content = reports_xlsx(queryset, period)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "reports", "period": period.isoformat()})
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="reports-{period:%Y-%m}.xlsx"'
    return response
