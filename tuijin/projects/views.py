"""Project pages. Thin: parse input, call a service or selector, render. Scoping comes from the base views."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.display import display_value
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.locking import changes_since
from tuijin.core.permissions import DenialReason, denial_record, require, scoped_object_or_404
from tuijin.core.redirects import safe_next
from tuijin.core.views_generic import ObjectDetailView, ObjectListView, stored_file_response

from . import selectors, services
from .choices import PlanStatus
from .filtersets import SORTS, ProjectFilterSet, current_year
from .forms import (
    AnnualPlanForm,
    ApprovalItemForm,
    AttachmentForm,
    BulkReassignForm,
    FundingFormSet,
    ImportUploadForm,
    PlanChangeForm,
    PlanImportForm,
    ProjectForm,
    TransitionForm,
)
from .models import AnnualPlan, ApprovalItem, Attachment, FundingSource, ImportJob, PlanChange, Project
from .sections import page_context
from .yearly import yearly_category

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _posted_version(request) -> int | None:
    """The `version` a one-button form posted (None when absent: the service then uses the version it read)."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


class ProjectListView(ObjectListView):
    queryset = Project.objects.all()
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"
    table_template = "projects/htmx/project_table.html"
    title = gettext_lazy("重点项目库")
    paginate_by = 50

    def get_queryset(self):
        self.year = selectors.year_param(self.request)
        queryset = selectors.project_list_queryset(self.queryset, year=self.year)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
        queryset = self.filterset.qs
        sort = self.request.GET.get("sort", "")
        return queryset.order_by(SORTS[sort], "pk") if sort in SORTS else queryset

    def get_paginator(self, queryset, per_page, **kwargs):
        """The page count and the totals line from one cached aggregate (not a COUNT and a SUM per view)."""
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        self.totals = selectors.cached_project_totals(queryset)
        paginator.count = self.totals["count"]
        return paginator

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        columns = selectors.chosen_columns(self.request)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("sort", None)
        context.update(
            year=self.year,
            columns=columns,
            all_columns=selectors.COLUMNS,
            sort=self.request.GET.get("sort", ""),
            sort_query=query.urlencode(),
            sorts=SORTS,
            can_add=self.request.user.has_perm("projects.add_project"),
            can_bulk=self.request.user.has_perm("projects.bulkedit_project"),
            can_import=self.request.user.has_perm("projects.import_project"),
            bulk_form=BulkReassignForm(user=self.request.user)
            if self.request.user.has_perm("projects.bulkedit_project")
            else None,
            totals=self.totals,
        )
        return context


class ProjectView(ObjectDetailView):
    queryset = Project.objects.all()
    template_name = "projects/project.html"

    def get_queryset(self):
        return selectors.project_detail_queryset(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project, user = self.object, self.request.user
        year = selectors.year_param(self.request)  # ?year= shows another year's months (default this year)
        context.update(
            year=year,
            this_year=current_year(),
            yearly_category=yearly_category(project, year),
            funding_total=sum((f.amount for f in project.funding_sources.all()), 0),
            plans=project.annual_plans.all(),
            plan_rows=selectors.plan_rows(project.annual_plans.all()),
            approvals=project.approval_items.all(),
            attachments=project.attachments.all(),
            events=project.events.all()[:100],
            can_edit=user.has_perm("projects.change_project"),
            can_transition=user.has_perm("projects.transition_project"),
            can_plan=user.has_perm("projects.change_annualplan"),
            can_approve_plan=user.has_perm("projects.approve_annualplan"),
            can_upload=user.has_perm("projects.add_attachment"),
            transition_form=TransitionForm(initial={"version": project.version}),
            attachment_form=AttachmentForm(),
            calendar_warnings=selectors.fast_track_calendar_warnings(project),
        )
        # the year's months, light and tickets, from the apps above `projects` (sections.py)
        context.update(page_context(user, project, year))
        return context


def _project_input(form, funding_formset) -> services.ProjectInput:
    data = dict(form.cleaned_data)
    funding = None
    if funding_formset is not None:
        funding = [
            services.FundingRow(f.cleaned_data["kind"], f.cleaned_data["amount"], f.cleaned_data.get("note", ""))
            for f in funding_formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("kind")
        ]
    return services.ProjectInput(
        fields={k: v for k, v in data.items() if k in services.PROJECT_FIELDS},
        levels=list(data.get("levels") or []),
        sponsors=list(data.get("sponsors") or []),
        special_lists=data.get("special_lists_text") or [],
        funding=funding,
    )


def _apply_service_errors(form, exc: ValidationError) -> None:
    for key, messages_ in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for message in messages_:
            form.add_error(key if key in form.fields else None, message)


def _funding_text(rows) -> str:
    """Funding rows one per line: 企业自筹 600.00 万元（说明）."""
    kind = FundingSource._meta.get_field("kind")
    return "\n".join(
        f"{display_value(kind, r.kind)} {r.amount:.2f} {_('万元')}{f'（{r.note}）' if r.note else ''}" for r in rows
    )


def _project_conflict(request, exc: ConflictError, form, data: services.ProjectInput):
    """The shared conflict page for a stale project save: the fields, special lists and funding rows that differ,
    and the user's whole form (funding rows included) ready to post again over the current version."""
    current = exc.current
    if current is None:
        return conflict_response(
            request,
            exc,
            title=_("保存失败：该项目已被删除"),
            rows=[],
            retry_url="",
            back_url=reverse("projects:project_list"),
        )
    fields = [f for f in services.PROJECT_FIELDS if f != "is_demo"] + ["levels", "sponsors"]
    rows: list[tuple[str, object, object]] = list(submitted_rows(current, form.cleaned_data, fields))
    now_lists = "、".join(str(e) for e in current.special_list_entries.select_related("special_list"))
    mine_lists = "、".join(f"{sl.name}{' ' + batch if batch else ''}" for sl, batch in data.special_lists or [])
    if now_lists != mine_lists:
        rows.append((_("专项名单"), now_lists or "—", mine_lists or "—"))
    if data.funding is not None:
        stored = list(current.funding_sources.order_by("pk"))
        key = lambda r: (r.kind, r.amount, (r.note or "").strip())  # noqa: E731
        if sorted(map(key, stored)) != sorted(map(key, data.funding)):
            rows.append((_("资金来源"), _funding_text(stored) or "—", _funding_text(data.funding) or "—"))
    return conflict_response(
        request,
        exc,
        title=_("保存冲突：该项目已被他人修改"),
        rows=rows,
        retry_url=reverse("projects:project_edit", args=[current.pk]),
        back_url=current.get_absolute_url(),
    )


@login_required
def project_edit(request, pk: int | None = None):
    """Create (pk None) or edit a project. A stale version shows the conflict page; nothing is overwritten."""
    project = scoped_object_or_404(request, Project.objects.all(), pk, action="change") if pk else None
    if project is None:
        require(request, "add", Project)
    instance = project or Project()
    form = ProjectForm(request.POST or None, instance=instance, user=request.user)
    formset = FundingFormSet(request.POST or None, instance=instance, prefix="funding")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = _project_input(form, formset)
        try:
            with transaction.atomic():
                if project is None:
                    project = services.project_create(actor=request.user, data=data)
                else:
                    version = form.cleaned_data.get("version") or 0
                    project = services.project_update(
                        actor=request.user, project=Project.objects.get(pk=project.pk), version=version, data=data
                    )
        except ConflictError as exc:
            return _project_conflict(request, exc, form, data)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except PermissionDenied as exc:
            action = "change" if pk else "add"
            denial_record(request, action=action, obj=Project, reason=DenialReason.REFUSED, message=str(exc))
            form.add_error("responsible_unit", str(exc))
        else:
            messages.success(request, _("项目已保存。"))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "formset": formset, "project": project})


@require_POST
@login_required
def project_transition(request, pk: int):
    project = scoped_object_or_404(request, Project.objects.all(), pk, action="change")
    require(request, "transition", Project)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.project_transition(
                actor=request.user,
                project=project,
                version=form.cleaned_data["version"],
                to_stage=form.cleaned_data["to_stage"],
                reason=form.cleaned_data["reason"],
                actual_start=form.cleaned_data["actual_start"],
                actual_finish=form.cleaned_data["actual_finish"],
            )
            messages.success(request, _("项目阶段已变更。"))
        except ConflictError as exc:
            messages.error(request, exc.message)
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "；".join(exc.messages))  # type: ignore[union-attr]
    else:
        messages.error(request, _("请检查填写的内容。"))
    return redirect(project)


def _plan_conflict(request, exc: ConflictError, form, project: Project, year: int):
    """A stale or locked annual-plan save: the shared conflict page, the user's input kept. A draft plan is saved
    again over the current version; a plan approved meanwhile can only change through an adjustment request, so the
    values are carried to that form instead (the reason still to fill in)."""
    current = exc.current
    rows: list[tuple[str, object, object]] = []
    retry_url = reverse("projects:plan_edit", args=[project.pk, year])
    resubmit = None
    label = None
    if current is not None:
        fields = [
            "planned_investment",
            "progress_target",
            "planned_start_quarter",
            "planned_start_month",
            "planned_finish_month",
        ]
        rows = list(submitted_rows(current, form.cleaned_data, fields))
        now = [str(v) for v in current.monthly_plan or []]
        mine = form.cleaned_data.get("monthly_text") or []
        if [Decimal(v) for v in now] != [Decimal(v) if _is_number(v) else v for v in mine]:
            rows.append((str(form.fields["monthly_text"].label), ", ".join(now) or "—", ", ".join(mine) or "—"))
        if current.status != PlanStatus.DRAFT:
            retry_url = reverse("projects:plan_change_request", args=[current.pk])
            resubmit = {
                "new_investment": [request.POST.get("planned_investment", "")],
                "monthly_text": [request.POST.get("monthly_text", "")],
                "reason": [""],
            }
            label = _("转为调整申请（保留我的内容）")
    return conflict_response(
        request,
        exc,
        title=_("保存冲突：%(y)d 年计划已被他人修改") % {"y": year},
        rows=rows,
        retry_url=retry_url,
        back_url=project.get_absolute_url(),
        resubmit=resubmit,
        resubmit_label=label,
    )


def _is_number(value) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return True


@login_required
def plan_edit(request, pk: int, year: int):
    """Create or change the year's draft plan. A stale save (changed, created or approved by someone else since the
    page was opened) shows the shared conflict page with the input kept."""
    project = scoped_object_or_404(request, Project.objects.all(), pk, action="change")
    require(request, "change", AnnualPlan)
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    if plan is not None and plan.status != PlanStatus.DRAFT and request.method != "POST":
        return redirect(reverse("projects:plan_change_request", args=[plan.pk]))
    form = AnnualPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        # No version posted means the page was opened before the plan existed: any plan found now is someone else's.
        version = form.cleaned_data["version"] if form.cleaned_data["version"] is not None else 0
        try:
            services.annual_plan_save(
                actor=request.user,
                project=project,
                year=year,
                planned_investment=form.cleaned_data["planned_investment"],
                progress_target=form.cleaned_data["progress_target"],
                monthly_plan=form.cleaned_data["monthly_text"],
                planned_start_quarter=form.cleaned_data["planned_start_quarter"],
                planned_start_month=form.cleaned_data["planned_start_month"],
                planned_finish_month=form.cleaned_data["planned_finish_month"],
                version=version,
            )
            messages.success(request, _("%(y)d 年计划已保存。") % {"y": year})
            return redirect(project)
        except ConflictError as exc:
            return _plan_conflict(request, exc, form, project, year)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except ApplicationError as exc:
            if exc.code != "plan_locked":
                form.add_error(None, exc.message)
            else:  # approved since the page was opened
                current = AnnualPlan.objects.get(project=project, year=year)
                conflict = ConflictError(exc.message, current=current, changes=changes_since(current, version))
                return _plan_conflict(request, conflict, form, project, year)
    return render(request, "projects/plan_form.html", {"form": form, "project": project, "year": year})


@require_POST
@login_required
def plan_approve(request, pk: int):
    plan = scoped_object_or_404(request, AnnualPlan.objects.all(), pk, action="approve")
    try:
        services.annual_plan_approve(actor=request.user, plan=plan, version=_posted_version(request))
        messages.success(request, _("年度计划已批准为基线。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(plan.project)


@login_required
def plan_change_request(request, pk: int):
    plan = scoped_object_or_404(request, AnnualPlan.objects.select_related("project"), pk, action="change")
    form = PlanChangeForm(request.POST or None, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_change_request(
                actor=request.user,
                plan=plan,
                new_investment=form.cleaned_data["new_investment"],
                reason=form.cleaned_data["reason"],
                new_monthly_plan=form.cleaned_data["monthly_text"],
                version=form.cleaned_data["version"],
            )
            messages.success(request, _("调整申请已提交，待项目办审批。"))
            return redirect(plan.project)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
    return render(request, "projects/plan_change_form.html", {"form": form, "plan": plan, "project": plan.project})


class PlanChangeListView(ObjectListView):
    queryset = PlanChange.objects.select_related("plan__project", "requested_by", "decided_by")
    table_template = "projects/htmx/plan_change_table.html"
    title = gettext_lazy("年度计划调整审批")


@require_POST
@login_required
def plan_change_decide(request, pk: int):
    require(request, "approve", AnnualPlan)
    change = scoped_object_or_404(request, PlanChange.objects.select_related("plan__project"), pk, permission=False)
    try:
        services.plan_change_decide(
            actor=request.user,
            change=change,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", "")[:300],
            version=_posted_version(request),
        )
        messages.success(request, _("已处理调整申请。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("projects:plan_change_list")


@login_required
def approval_item_edit(request, pk: int):
    queryset = ApprovalItem.objects.select_related("project", "item_type")
    item = scoped_object_or_404(request, queryset, pk, action="change")
    form = ApprovalItemForm(request.POST or None, request.FILES or None, instance=item, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                attachment = None
                if form.cleaned_data.get("file"):
                    attachment = services.attachment_create(
                        actor=request.user, project=item.project, uploaded=form.cleaned_data["file"], kind="approval"
                    )
                services.approval_item_update(
                    actor=request.user,
                    item=ApprovalItem.objects.get(pk=item.pk),
                    attachment=attachment,
                    version=form.cleaned_data["version"],
                    **{
                        k: form.cleaned_data[k]
                        for k in ("status", "department", "due_date", "completed_date", "permit_no", "note")
                    },
                )
            messages.success(request, _("审批事项已更新。"))
            return redirect(item.project.get_absolute_url() + "#approvals")
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except ApplicationError as exc:  # ConflictError: changed by someone else meanwhile
            form.add_error(None, exc.message)
    return render(request, "projects/approval_form.html", {"form": form, "item": item, "project": item.project})


@require_POST
@login_required
def attachment_upload(request, pk: int):
    require(request, "add", Attachment)
    project = scoped_object_or_404(request, Project.objects.all(), pk, action="change", permission=False)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_create(
                actor=request.user, project=project, uploaded=form.cleaned_data["file"], kind=form.cleaned_data["kind"]
            )
            messages.success(request, _("附件已上传。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("请选择要上传的文件。"))
    return redirect(project.get_absolute_url() + "#attachments")


@login_required
def attachment_download(request, pk: int):
    return stored_file_response(scoped_object_or_404(request, Attachment.objects.all(), pk))


@require_POST
@login_required
def project_bulk_reassign(request):
    require(request, "bulkedit", Project)
    form = BulkReassignForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            count = services.project_bulk_reassign(
                actor=request.user,
                projects=list(form.cleaned_data["pk"]),
                responsible_unit=form.cleaned_data["responsible_unit"],
                sponsors=form.cleaned_data["sponsors"] if request.POST.get("change_sponsors") else None,
            )
            messages.success(request, _("已调整 %(n)d 个项目。") % {"n": count})
        except (ApplicationError, ConflictError) as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied as exc:
            denial_record(request, action="change", obj=Project, reason=DenialReason.REFUSED, message=str(exc))
            messages.error(request, str(exc))
    else:
        messages.error(request, _("请勾选项目并选择新的责任单位或包联领导。"))
    return redirect(safe_next(request, reverse("projects:project_list")))


@login_required
def project_export(request):
    from .excel import export_projects_xlsx

    require(request, "export", Project)
    year = selectors.year_param(request)
    queryset = selectors.project_list_queryset(Project.objects.restrict(request.user, "view"), year=year)
    queryset = ProjectFilterSet(request.GET or None, queryset=queryset, request=request).qs
    content = export_projects_xlsx(queryset, year=year)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "projects", "filters": request.GET.dict()})
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="projects-{stamp}.xlsx"'
    return response


@login_required
def project_template(request):
    from .excel import build_template

    require(request, "import", Project)
    response = HttpResponse(build_template(actor=request.user), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="project-import-template.xlsx"'
    return response


@login_required
def project_import(request):
    from .tasks import import_job_create

    require(request, "import", Project)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(actor=request.user, uploaded=form.cleaned_data["file"], only_valid=False)
        except (ValidationError, ApplicationError) as exc:
            form.add_error("file", getattr(exc, "message", None) or "；".join(exc.messages))  # type: ignore[union-attr]
        else:
            audit_event_record(
                event_type=AuditEventType.IMPORT,
                detail={  # rows and errors are known here only when the validation already ran (no worker queue)
                    "file": job.original_name,
                    "sha256": job.sha256,
                    "job": job.pk,
                    "rows": job.total_rows,
                    "errors": job.error_rows,
                },
            )
            return redirect("projects:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(created_by=request.user, kind="projects", historical=False)[:10]
    return render(request, "projects/import.html", {"form": form, "jobs": jobs})


def _own_job(request, pk: int) -> ImportJob:
    require(request, "import", Project)
    # the 历史数据 files (tuijin.progress.history) have their own page and reader
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user, kind="projects", historical=False)


@login_required
def import_job(request, pk: int):
    job = _own_job(request, pk)
    if request.htmx and not job.in_progress:  # the page polled while the worker ran: reload it with the outcome
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    template = "projects/htmx/import_job_status.html" if request.htmx else "projects/import_job.html"
    return render(request, template, {"job": job, "errors": job.errors[:500]})


@require_POST
@login_required
def import_job_apply(request, pk: int):
    from .tasks import import_job_start

    job = _own_job(request, pk)
    only_valid = request.POST.get("only_valid") == "1"
    if job.status == "validating":
        messages.error(request, _("正在校验，请稍候。"))
    elif job.status != "validated":
        messages.error(request, _("该导入任务已执行。"))
    elif job.error_rows and not only_valid:
        messages.error(request, _("文件中有错误，未导入任何数据。请修正后重新上传，或选择“仅导入无误的行”。"))
    else:
        job.only_valid = only_valid
        job.save(update_fields=["only_valid"])
        import_job_start(job)
    return redirect("projects:import_job", pk=job.pk)


@require_POST
@login_required
def import_job_retry(request, pk: int):
    """Run again a job whose worker died (or failed on a system error): its file, validated again."""
    from .tasks import import_job_retry as retry

    job = _own_job(request, pk)
    if not job.can_retry:
        messages.error(request, _("该导入任务不能重新执行。"))
    else:
        retry(job)
    return redirect("projects:import_job", pk=job.pk)


@login_required
def import_job_annotated(request, pk: int):
    """The annotated copy built by the background validation; for a job validated before it kept one, built now
    (bounded by the file's cells and the time limit)."""
    from django.conf import settings

    from .excel import annotated_copy, deadline_after

    job = _own_job(request, pk)
    if job.annotated:
        with job.annotated.open("rb") as handle:
            content = handle.read()
    elif job.status == "validating":
        messages.info(request, _("正在校验，请稍候。"))
        return redirect("projects:import_job", pk=job.pk)
    else:
        with job.file.open("rb") as handle:
            data = handle.read()
        try:
            content = annotated_copy(data, job.errors, deadline=deadline_after(settings.TUIJIN_IMPORT_TIME_LIMIT))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("projects:import_job", pk=job.pk)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="import-errors.xlsx"'
    return response


# ---------------------------------------------------------------------------------------------------------------
# Annual plans in bulk: the year's workbook, its import, bulk baseline approval, any year from the project page
# ---------------------------------------------------------------------------------------------------------------

PLAN_ANNOTATED_SESSION = "projects_plan_import_annotated"


@login_required
def plan_year(request, pk: int):
    """The project page's 「编制计划」 form: any year (?year=) → that year's plan form (or its adjustment)."""
    project = scoped_object_or_404(request, Project.objects.all(), pk, action="change")
    require(request, "change", AnnualPlan)
    return redirect("projects:plan_edit", pk=project.pk, year=selectors.year_param(request))


@login_required
def plan_workbook(request):
    """The year's plan workbook: every project the user may plan, pre-filled (also the import template)."""
    from .plan_excel import build_plan_workbook

    require(request, "change", AnnualPlan)
    year = selectors.year_param(request)
    content = build_plan_workbook(actor=request.user, year=year)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "annual_plans", "year": year})
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="annual-plans-{year}.xlsx"'
    return response


def _keep_annotated(request, content: bytes) -> str:
    """Store the annotated error copy for this user's session; its token for the download link."""
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    token = uuid.uuid4().hex
    path = default_storage.save(f"imports/plans/{token}.xlsx", ContentFile(content))
    kept = dict(request.session.get(PLAN_ANNOTATED_SESSION, {}))
    for old in list(kept)[:-4]:  # keep the last five per session
        default_storage.delete(kept.pop(old))
    kept[token] = path
    request.session[PLAN_ANNOTATED_SESSION] = kept
    return token


@login_required
def plan_import(request):
    """Upload the plan workbook: every row validated; errors listed (with the annotated copy), else the plans are
    created or updated as drafts in one transaction and the outcome is shown (skipped baselines included)."""
    from tuijin.utilities.excel import XLSX_TYPES
    from tuijin.utilities.uploads import check_upload

    from .plan_excel import annotated_plan_copy, apply_plan_import, parse_plan_workbook

    require(request, "change", AnnualPlan)
    year = selectors.year_param(request) if request.method != "POST" else selectors.year_param_post(request)
    form = PlanImportForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form, "year": year, "report": None, "token": None, "done": False}
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            checked = check_upload(uploaded, XLSX_TYPES)
            report = parse_plan_workbook(checked.content, actor=request.user)
            if report.fatal:
                details = [e["message"] for e in report.errors if e["message"] != report.fatal]
                raise ValidationError(" ".join([report.fatal, *details]))
            context["report"] = report
            if report.errors:
                context["token"] = _keep_annotated(request, annotated_plan_copy(checked.content, report.errors))
            else:
                apply_plan_import(report, actor=request.user)
                context["done"] = True
            audit_event_record(
                event_type=AuditEventType.IMPORT,
                detail={"what": "annual_plans", "sha256": checked.sha256, "rows": report.total_rows},
            )
        except ValidationError as exc:
            form.add_error("file", "；".join(exc.messages))
        except ApplicationError as exc:
            form.add_error("file", exc.message)
    if context["report"] is not None:
        context["errors"] = context["report"].errors[:500]
        context["summary"] = context["report"].summary(done=context["done"])
    return render(request, "projects/plan_import.html", context)


@login_required
def plan_import_annotated(request, token: str):
    """The annotated error copy of this session's last plan uploads (another session's token: 404)."""
    from django.core.files.storage import default_storage
    from django.http import Http404

    require(request, "change", AnnualPlan)
    path = request.session.get(PLAN_ANNOTATED_SESSION, {}).get(token)
    if not path or not default_storage.exists(path):
        raise Http404(_("文件已过期，请重新上传。"))
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="annual-plans-errors.xlsx"'
    return response


def _posted_plan_items(request) -> list[tuple[int, int]]:
    """(plan pk, version) pairs from the checked boxes ("pk:version")."""
    items = []
    for raw in request.POST.getlist("plan"):
        pk, _sep, version = raw.partition(":")
        if pk.isdigit() and version.isdigit():
            items.append((int(pk), int(version)))
    return items


@login_required
def plan_bulk_approve(request):
    """Draft plans of a year with checkboxes (GET); POST: the preview of what would be approved, to confirm."""
    require(request, "approve", AnnualPlan)
    if request.method == "POST":
        year = selectors.year_param_post(request)
        items = dict(_posted_plan_items(request))
        plans = list(selectors.draft_plans(request.user, year, pks=list(items)))
        if not plans:
            messages.error(request, _("请至少勾选一个编制中的计划。"))
            return redirect(f"{reverse('projects:plan_bulk_approve')}?year={year}")
        for plan in plans:  # the version the user saw in the list, so a change since then is caught at confirm
            plan.seen_version = items[plan.pk]
            plan.changed_since_list = plan.version != plan.seen_version
        total = sum((p.planned_investment for p in plans), Decimal("0"))
        return render(
            request,
            "projects/plan_bulk_approve.html",
            {"year": year, "plans": plans, "preview": True, "total": total},
        )
    year = selectors.year_param(request)
    plans = list(selectors.draft_plans(request.user, year))
    return render(request, "projects/plan_bulk_approve.html", {"year": year, "plans": plans, "preview": False})


@require_POST
@login_required
def plan_bulk_approve_confirm(request):
    """Approve the previewed plans, each with the version previewed; the rest are skipped with the reason."""
    require(request, "approve", AnnualPlan)
    year = selectors.year_param_post(request)
    result = services.annual_plans_approve_bulk(actor=request.user, items=_posted_plan_items(request))
    if result.approved:
        messages.success(request, _("已批准 %(n)d 个年度计划为基线。") % {"n": len(result.approved)})
    for plan, reason in result.skipped:
        label = plan.project.name if isinstance(plan, AnnualPlan) else f"#{plan}"
        messages.warning(request, _("未批准「%(p)s」：%(r)s") % {"p": label, "r": reason})
    return redirect(f"{reverse('projects:plan_bulk_approve')}?year={year}")
