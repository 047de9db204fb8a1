"""Monthly report pages: the unit's reporting list, the fill-in form, the review queue, review, correction."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response, resubmit_data, submitted_rows
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.figures_cache import cached_aggregate
from tuijin.core.periods import parse_month
from tuijin.core.permissions import DenialReason, denial_record, deny, require, scoped_object_or_404
from tuijin.core.redirects import safe_next
from tuijin.core.views_generic import ObjectDetailView, ObjectListView, htmx_partial
from tuijin.projects.models import Project

from . import selectors, services
from .choices import ReportStatus
from .forms import BulkApproveForm, CorrectionForm, ProblemFormSet, ReportForm, ReviewForm
from .models import PendingPhoto, ProgressReport, ReportPhoto
from .photos import pending_photo_attach, pending_photo_store, pending_photos_for, report_photo_delete
from .views_anomalies import anomalies_warn

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

    queryset = ProgressReport.objects.select_related("project__responsible_unit", "submitted_by").prefetch_related(
        "anomalies"
    )
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
            queryset = queryset.filter(pk__in=selectors.reports_awaiting_review(user).values("pk"))
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
        user = self.request.user
        office = user.has_perm("progress.officeapprove_progressreport")
        approvable = ReportStatus.UNIT_APPROVED if office else ReportStatus.SUBMITTED
        can_bulk = office or user.has_perm("progress.unitapprove_progressreport")
        context.update(
            period=self.period,
            statuses=ReportStatus.choices,
            status=self.request.GET.get("status", ""),
            window=services.reporting_period_get(self.period),
            can_bulk=can_bulk,
            # which rows get a checkbox: the reports at this user's review step (not their own submissions)
            approvable=approvable if can_bulk else "",
        )
        return context


def _bulk_rows(reports: list[ProgressReport]) -> list[tuple[ProgressReport, services.ReportFigures]]:
    by_period: dict = {}
    for report in reports:
        by_period.setdefault(report.period, []).append(report)
    figures: dict = {}
    for group in by_period.values():
        figures.update(services.report_figures_bulk(group))
    return [(r, figures[r.pk]) for r in reports]


@login_required
def report_bulk_approve(request):
    """批量审核通过: POST the chosen `pk:version` pairs → a preview of exactly what will be approved (project, unit,
    month, 当月完成, 年初至今) with a confirm button; POST with `confirm` → approve each at its previewed version,
    listing what was skipped and why."""
    user = request.user
    if not (
        user.has_perm("progress.unitapprove_progressreport") or user.has_perm("progress.officeapprove_progressreport")
    ):
        deny(request, action="progress.unitapprove_progressreport", obj=ProgressReport)
    back = safe_next(request, reverse("progress:report_list") + "?status=mine")
    if request.method != "POST":
        return redirect(back)
    form = BulkApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    items = form.cleaned_data["reports"]
    if "confirm" not in request.POST:
        versions = dict(items)
        found = list(
            ProgressReport.objects.restrict(user, "view")
            .filter(pk__in=list(versions))
            .select_related("project__responsible_unit")
            .order_by("project__responsible_unit__sort_order", "project__name")[: services.BULK_LIMIT + 1]
        )
        waiting = set(
            selectors.reports_awaiting_review(user).filter(pk__in=[r.pk for r in found]).values_list("pk", flat=True)
        )
        ready = [r for r in found if r.pk in waiting and r.version == versions[r.pk]]
        excluded = [r for r in found if r not in ready]
        return render(
            request,
            "progress/report_bulk_preview.html",
            {
                "rows": _bulk_rows(ready),
                "excluded": excluded,
                "missing": len(versions) - len(found),
                "too_many": len(ready) > services.BULK_LIMIT,
                "limit": services.BULK_LIMIT,
                "back": back,
            },
        )
    try:
        result = services.report_bulk_approve(actor=user, items=items)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return render(request, "progress/report_bulk_done.html", {"result": result, "back": back})


@login_required
def report_open(request, project_pk: int, year: int, month: int):
    """填报: the month's form. No report exists until the first save: GET shows an empty form prefilled from the
    previous reports (已开工, the start date, 形象进度), the first POST with the form creates and saves the report.
    Once a report exists this opens its edit page. A POST without the form (the 填报 button of 本单位月报) redirects
    to the form."""
    require(request, "progress.add_progressreport")
    project = scoped_object_or_404(
        request, Project.objects.select_related("responsible_unit"), project_pk, action="change", permission=False
    )
    try:
        period = date(year, month, 1)
    except ValueError:
        messages.error(request, _("报告期无效。"))
        return redirect("dispatch:my_reports")
    if period > services.month_start(timezone.localdate()):
        messages.error(request, _("不能填报未来月份的月报。"))
        return redirect("dispatch:my_reports")
    existing = ProgressReport.objects.filter(project=project, period=period).first()
    if request.method == "POST" and "version" not in request.POST:
        return redirect(request.path)  # the list's 填报 button: show the form (nothing is created)
    if existing is not None and request.method != "POST":
        return redirect("progress:report_edit", pk=existing.pk)
    return _report_form(request, project=project, period=period, report=None)


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
            can_edit=report.status == ReportStatus.DRAFT and user.has_perm("progress.change_progressreport"),
            can_review=can_unit or can_office,
            can_approve=(can_unit and report.status == ReportStatus.SUBMITTED)
            or (user.has_perm("progress.officeapprove_progressreport") and report.status == ReportStatus.UNIT_APPROVED),
            can_correct=report.status == ReportStatus.OFFICE_APPROVED
            and user.has_perm("progress.correct_progressreport"),
            can_withdraw=report.status == ReportStatus.SUBMITTED and user.has_perm("progress.submit_progressreport"),
            corrections=[
                (c, services.correction_rows(report, c.before, c.after))
                for c in report.corrections.select_related("actor")
            ],
        )
        return context


@login_required
def report_edit(request, pk: int):
    report = scoped_object_or_404(request, ProgressReport.objects.select_related("project"), pk, action="change")
    if report.status != ReportStatus.DRAFT:
        messages.info(request, _("月报已提交，不能修改。"))
        return redirect(report)
    return _report_form(request, project=report.project, period=report.period, report=report)


def _problem_text(rows) -> str:
    lines = []
    for row in rows:
        description = (row.get("description") or "").strip()
        if description and not row.get("DELETE"):
            line = f"[{row.get('category') or _('其他')}] {description}"
            if (row.get("help_requested") or "").strip():
                line += _("（需要协调：%(h)s）") % {"h": row["help_requested"].strip()}
            lines.append(line)
    return "\n".join(lines) or _("（无）")


def _conflict(request, exc: ConflictError, form, rows: list[dict], pending: list[PendingPhoto] | None = None):
    current = exc.current
    title = _("保存冲突：该月报在您打开编辑页之后已被修改")
    if current is None:
        return conflict_response(
            request,
            exc,
            title=title,
            rows=[],
            retry_url=reverse("dispatch:my_reports"),
            back_url=reverse("dispatch:my_reports"),
        )
    table: list[tuple[str, object, object]] = list(submitted_rows(current, form.cleaned_data, services.EDITABLE_FIELDS))
    now = [
        {"category": p.category, "description": p.description, "help_requested": p.help_requested}
        for p in current.problems.all()
    ]
    if _problem_text(now) != _problem_text(rows):
        table.append((_("存在问题"), _problem_text(now), _problem_text(rows)))
    # A photo chosen with this save is kept as a PendingPhoto: the re-post names it, so it is attached then.
    resubmit = resubmit_data(request, exc)
    resubmit["pending_photo"] = sorted({*resubmit.get("pending_photo", []), *(str(p.pk) for p in pending or [])})
    return conflict_response(
        request,
        exc,
        title=title,
        rows=table,
        retry_url=reverse("progress:report_edit", args=[current.pk]),
        back_url=current.get_absolute_url(),
        resubmit=resubmit,
        files_kept=True,
    )


def _report_form(request, *, project, period, report: ProgressReport | None):
    """The fill-in form of a draft (`report`) or of a month not reported yet (`report` None: created by the save).
    A photo chosen on a save that fails is kept (PendingPhoto) and attached by the next successful save."""
    instance = report or ProgressReport(project=project, period=period)
    initial: dict = {"version": report.version if report is not None else 0}
    carried: dict = {}
    if report is None:
        carried = selectors.report_carry_over(project, period)
        initial.update(carried)
    form = ReportForm(request.POST or None, request.FILES or None, instance=instance, initial=initial)
    problems = ProblemFormSet(
        request.POST or None,
        prefix="problems",
        initial=[
            {"id": p.pk, "category": p.category, "description": p.description, "help_requested": p.help_requested}
            for p in (report.problems.all() if report is not None else [])
        ],
    )
    pending = pending_photos_for(request.user, project, period, request.POST.getlist("pending_photo"))
    photo_dropped = False
    if request.method == "POST":
        uploaded = request.FILES.get("photo")
        if uploaded and request.user.has_perm("progress.add_reportphoto"):
            try:
                pending.append(
                    pending_photo_store(actor=request.user, project=project, period=period, uploaded=uploaded)
                )
            except ValidationError as exc:
                form.is_valid()  # bind first: add_error needs cleaned_data
                form.add_error("photo", exc)
                photo_dropped = True
        if form.is_valid() and problems.is_valid():
            outcome = _report_form_save(request, form, problems, project, period, report, pending)
            if outcome is not None:
                return outcome
    figures = services.report_figures(instance)
    return render(
        request,
        "progress/report_form.html",
        {
            "form": form,
            "problems": problems,
            "report": report,
            "project": project,
            "period": period,
            "figures": figures,
            "carried": carried,
            "photos": list(report.photos.all()) if report is not None else [],
            "pending": pending,
            "photo_dropped": photo_dropped,
            "action_url": request.path,
        },
    )


def _report_form_save(request, form, problems, project, period, report, pending: list[PendingPhoto]):
    """Save (or create) the report and attach the kept photos in one transaction; None when the form is to be
    shown again with the errors added to it."""
    data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE_FIELDS}
    rows = [f.cleaned_data for f in problems.forms if f.cleaned_data]
    submit = "submit" in request.POST
    try:
        with transaction.atomic():
            if report is None:
                saved = services.report_create(
                    actor=request.user, project=project, period=period, data=data, problems=rows, submit=submit
                )
            else:
                saved = services.report_save(
                    actor=request.user,
                    report=ProgressReport.objects.select_related("project").get(pk=report.pk),
                    version=form.cleaned_data["version"],
                    data=data,
                    problems=rows,
                    submit=submit,
                )
            for kept in pending:
                pending_photo_attach(actor=request.user, report=saved, pending=kept)
    except ConflictError as exc:
        return _conflict(request, exc, form, rows, pending)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for key, errs in exc.message_dict.items():
                for err in errs:
                    form.add_error(key if key in form.fields else None, err)
        else:
            form.add_error(None, exc)
    except PermissionDenied as exc:
        denial_record(
            request, action="change", obj=report or ProgressReport, reason=DenialReason.REFUSED, message=str(exc)
        )
        form.add_error(None, str(exc))
    except ApplicationError as exc:
        form.add_error(None, _messages_of(exc))
    else:
        messages.success(request, _("月报已提交，等待单位审核。") if submit else _("草稿已保存。"))
        if submit:
            anomalies_warn(request, saved)
        return redirect(saved)
    return None


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


@require_POST
@login_required
def report_withdraw(request, pk: int):
    """撤回: the reporter takes a submitted report back to 草稿 until the unit approver has acted."""
    report = scoped_object_or_404(
        request, ProgressReport.objects.select_related("project__responsible_unit"), pk, action="submit"
    )
    form = ReviewForm({"version": request.POST.get("version"), "action": "approve"})
    if not form.is_valid():
        messages.error(request, _("请求无效，请刷新页面后重试。"))
        return redirect(report)
    try:
        services.report_withdraw(actor=request.user, report=report, version=form.cleaned_data["version"])
    except ConflictError as exc:
        messages.error(request, exc.message)
        return redirect(report)
    except PermissionDenied as exc:
        denial_record(request, action="submit", obj=report, reason=DenialReason.REFUSED, message=str(exc))
        messages.error(request, str(exc))
        return redirect(report)
    messages.success(request, _("已撤回为草稿，可修改后重新提交。"))
    return redirect("progress:report_edit", pk=report.pk)


@require_POST
@login_required
def photo_delete(request, pk: int):
    """Delete a photo of a draft report (its editors). From the edit page through htmx (the typed form stays as
    it is: only the photo's tile is replaced), otherwise back to the edit page."""
    require(request, "progress.change_progressreport")
    photo = scoped_object_or_404(request, ReportPhoto.objects.select_related("report__project"), pk)
    report = photo.report
    name = photo.original_name
    try:
        report_photo_delete(actor=request.user, photo=photo)
    except PermissionDenied as exc:
        denial_record(request, action="change", obj=report, reason=DenialReason.REFUSED, message=str(exc))
        raise
    except ApplicationError as exc:
        if htmx_partial(request):
            return HttpResponse(f'<div class="small text-danger">{escape(exc.message)}</div>')
        messages.error(request, exc.message)
        return redirect(report)
    text = _("已删除照片“%(n)s”。") % {"n": name}
    if htmx_partial(request):
        return HttpResponse(f'<div class="small text-muted tj-photo-deleted">{escape(text)}</div>')
    messages.success(request, text)
    return redirect("progress:report_edit", pk=report.pk)


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
    return render(
        request,
        "progress/report_correct.html",
        {"form": form, "report": report, "figures": services.report_figures(report)},
    )


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
