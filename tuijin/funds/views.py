"""Pages of 争取上级资金: the funding windows (申报窗口) and a batch's ranked projects, the batch form, applications
(list, XLSX export, new, the application page with its checklist, timeline and the actions the user may take now),
a project's 谋划/入库 record, 资金统计 and the settings.

Thin: forms parse, services (services.py) decide, selectors read. Rows are scoped with `restrict()` (no permission →
403, out of scope → 404). Refused input shows the page again (400) with what was typed and the Chinese error next to
the field; a stale version shows the shared conflict page (409).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.core.audit import audit_event_record
from tuijin.core.choices import AuditEventType
from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import DenialReason, deny, require, scoped_object_or_404
from tuijin.core.views_generic import ObjectListView, stored_file_response
from tuijin.projects.choices import ProjectDomain
from tuijin.projects.models import Project

from . import selectors, services
from .choices import APPLICATION_FLOW, LIVE_APPLICATION, PREP_ORDER, ApplicationStatus, LibraryStatus, PrepStage
from .filtersets import ApplicationFilterSet, BatchFilterSet
from .forms import (
    AdvanceForm,
    ApplicationForm,
    ArrivalForm,
    BatchForm,
    DecideForm,
    FileForm,
    PaymentForm,
    PrepForm,
    ReasonForm,
    SettingsForm,
    apply_errors,
)
from .models import ApplicationFile, FundApplication, FundingBatch, FundsSettings

__all__ = [
    "ApplicationListView",
    "application_act",
    "application_add",
    "application_detail",
    "application_export",
    "application_file",
    "application_upload",
    "batch_detail",
    "batch_edit",
    "batch_list",
    "kpis",
    "prep_edit",
    "settings_edit",
]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APP_RELATED = ("project__responsible_unit", "batch")
MATCH_LIMIT = 50


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


def audit_export(request, what: str, rows: int) -> None:
    audit_event_record(
        event_type=AuditEventType.EXPORT, detail={"what": what, "rows": rows, "filters": request.GET.dict()}
    )


def _readiness(project):
    """The project's 前期成熟度 (readiness.py), None while that module is not there."""
    try:
        from .readiness import readiness
    except ImportError:
        return None
    return readiness(project)


def _match(batch, user, *, projects=None, limit=None) -> list | None:
    try:
        from .matching import match_batch
    except ImportError:
        return None
    return match_batch(batch, projects=projects, user=user, limit=limit)


# -- funding windows ----------------------------------------------------------------------------------------------


@require_GET
@login_required
def batch_list(request):
    """申报窗口: the batches by state (open now with the days left, upcoming, closed), filtered by channel and year."""
    require(request, "view", FundingBatch)
    queryset = FundingBatch.objects.restrict(request.user, "view")
    filterset = BatchFilterSet(request.GET or None, queryset=queryset, request=request)
    settings = FundsSettings.current()
    context = {
        "title": _("申报窗口"),
        "filterset": filterset,
        "groups": selectors.batch_calendar(filterset.qs, remind_days=settings.remind_days),
        "remind_days": settings.remind_days,
        "can_add": request.user.has_perm("funds.add_fundingbatch"),
    }
    return render(request, "funds/batch_list.html", context)


PREP_LABELS = dict(PrepStage.choices)
LIBRARY_LABELS = dict(LibraryStatus.choices)
DOMAIN_LABELS = dict(ProjectDomain.choices)


def batch_rules(batch: FundingBatch) -> list[str]:
    """The batch's eligibility rules in words, one line each."""
    rules = []
    if batch.domains:
        rules.append(_("投资领域：%(d)s") % {"d": "、".join(str(DOMAIN_LABELS.get(d, d)) for d in batch.domains)})
    chains = [c.name for c in batch.chains.all()]
    if chains:
        rules.append(_("产业链：%(c)s") % {"c": "、".join(chains)})
    low, high = batch.min_total_investment, batch.max_total_investment
    if low is not None and high is not None:
        rules.append(_("总投资 %(a)s～%(b)s 万元") % {"a": low, "b": high})
    elif low is not None:
        rules.append(_("总投资不低于 %(a)s 万元") % {"a": low})
    elif high is not None:
        rules.append(_("总投资不高于 %(b)s 万元") % {"b": high})
    if batch.min_prep_stage and batch.min_prep_stage != PREP_ORDER[0]:
        rules.append(_("前期工作至少达到“%(s)s”") % {"s": PREP_LABELS.get(batch.min_prep_stage, "")})
    if batch.min_library_status and batch.min_library_status != LibraryStatus.NONE:
        rules.append(_("国家重大建设项目库至少为“%(s)s”") % {"s": LIBRARY_LABELS.get(batch.min_library_status, "")})
    for flag, text in (
        ("require_code", _("须有项目代码")),
        ("require_land", _("须落实用地")),
        ("require_capital", _("须落实资本金")),
        ("require_debt_system", _("须入财政部专项债项目库")),
        ("require_approvals", _("须审批手续齐全")),
    ):
        if getattr(batch, flag):
            rules.append(str(text))
    if batch.min_revenue_coverage is not None:
        rules.append(_("收益覆盖本息倍数不低于 %(x)s") % {"x": batch.min_revenue_coverage})
    return rules


@require_GET
@login_required
def batch_detail(request, pk: int):
    """A batch: its document, rules in words, the ranked projects (each rule ✓/✗ with its explanation, the score and
    its four review points, what would make a near miss eligible, 发起申报 on eligible rows) and its applications."""
    batch = scoped_object_or_404(request, FundingBatch.objects.select_related("organiser"), pk)
    user = request.user
    today = timezone.localdate()
    can_match = user.has_perm("funds.match_fundingbatch") or user.has_perm("funds.add_fundapplication")
    matches = _match(batch, user, limit=MATCH_LIMIT) if can_match else None
    can_apply: set[int] = set()
    is_open = batch.is_active and batch.opens_on <= today <= batch.deadline
    if matches and user.has_perm("funds.add_fundapplication") and is_open:
        pks = [m.project.pk for m in matches if m.eligible]
        can_apply = set(Project.objects.restrict(user, "view").filter(pk__in=pks).values_list("pk", flat=True))
    # a project with a live application to this batch is not offered 发起申报 again (one live application each)
    applied = set(
        FundApplication.objects.filter(batch=batch, status__in=LIVE_APPLICATION).values_list("project_id", flat=True)
    )
    can_apply -= applied
    applications = (
        FundApplication.objects.restrict(user, "view").filter(batch=batch).select_related(*APP_RELATED).order_by("pk")
    )
    context = {
        "batch": batch,
        "object": batch,
        "rules": batch_rules(batch),
        "documents": services.document_labels(batch),
        "matches": matches,
        "matching_missing": can_match and matches is None,
        "eligible": [m for m in matches or [] if m.eligible],
        "near_misses": [m for m in matches or [] if not m.eligible and m.near_miss],
        "can_apply": can_apply,
        "applied": applied,
        "is_open": is_open,
        "days_left": (batch.deadline - today).days if is_open else None,
        "urgent": is_open and (batch.deadline - today).days <= FundsSettings.current().remind_days,
        "applications": applications,
        "can_change": user.has_perm("funds.change_fundingbatch")
        and FundingBatch.objects.restrict(user, "change").filter(pk=batch.pk).exists(),
        "history": object_history(batch),
    }
    return render(request, "funds/batch.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def batch_edit(request, pk: int | None = None):
    """New batch (pk None) or edit one, with its eligibility rules and checklist."""
    batch = scoped_object_or_404(request, FundingBatch.objects.all(), pk, action="change") if pk else None
    if batch is None:
        require(request, "add", FundingBatch)
    initial = {"channel": request.GET.get("channel", "")} if batch is None else {}
    form = BatchForm(request.POST or None, instance=batch or FundingBatch(), user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.service_data()
            try:
                saved = services.batch_save(
                    actor=request.user,
                    data=dict(data),
                    batch=FundingBatch.objects.get(pk=batch.pk) if batch else None,
                    version=form.cleaned_data.get("version"),
                )
            except ConflictError as exc:
                fields = [k for k in data if k != "chains"]
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：该申报批次已被他人修改"),
                    rows=submitted_rows(exc.current, data, fields),
                    retry_url=reverse("funds:batch_edit", args=[pk]) if exc.current is not None else "",
                    back_url=reverse("funds:batch_list"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error("organiser" if "组织单位" in str(exc) else None, str(exc))
            else:
                messages.success(request, _("申报批次已保存。"))
                return redirect(saved)
    return render(request, "funds/batch_form.html", {"form": form, "batch": batch}, status=status)


# -- applications -------------------------------------------------------------------------------------------------


class ApplicationListView(ObjectListView):
    queryset = FundApplication.objects.select_related(*APP_RELATED)
    filterset_class = ApplicationFilterSet
    template_name = "funds/application_list.html"
    table_template = "funds/application_table.html"
    title = gettext_lazy("资金申报")

    def get_queryset(self):
        self.queryset = selectors.with_paid(self.queryset).order_by("-pk")
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.request.GET
        todo, kpi = data.get("todo", ""), data.get("kpi", "")
        if todo in selectors.TODOS:
            context["title"] = selectors.TODOS[todo]
        elif kpi in selectors.FIGURES:
            context["title"] = _("资金申报 · %(f)s（%(y)s年）") % {
                "f": selectors.FIGURES[kpi].label,
                "y": data.get("year", ""),
            }
        context["can_export"] = self.request.user.has_perm("funds.export_fundapplication")
        return context


EXPORT_LIMIT = 20000


@require_GET
@login_required
def application_export(request):
    """The list (with its filters) as XLSX, audited; text cells are neutralised (no formulas)."""
    require(request, "funds.export_fundapplication")
    from tuijin.utilities.excel import table_xlsx

    queryset = selectors.with_paid(FundApplication.objects.restrict(request.user, "view").select_related(*APP_RELATED))
    filterset = ApplicationFilterSet(request.GET or None, queryset=queryset.order_by("pk"), request=request)
    rows = list(filterset.qs[:EXPORT_LIMIT])
    audit_export(request, "funds.fundapplication", len(rows))
    content = table_xlsx(
        str(_("资金申报")),
        [
            str(_("编号")),
            str(_("项目")),
            str(_("责任单位")),
            str(_("资金渠道")),
            str(_("申报批次")),
            str(_("状态")),
            str(_("申请金额（万元）")),
            str(_("下达金额（万元）")),
            str(_("下达文号")),
            str(_("下达日期")),
            str(_("资金到位日期")),
            str(_("已支付（万元）")),
            str(_("支付进度（%）")),
            str(_("其他中央资金申请情况")),
        ],
        [
            [
                a.number,
                a.project.name,
                a.project.responsible_unit.name,
                a.batch.get_channel_display(),
                a.batch.name,
                a.get_status_display(),
                a.requested_amount,
                a.approved_amount,
                a.approval_doc,
                a.approval_date,
                a.arrived_on,
                a.paid,
                selectors.pay_rate(a.paid, a.approved_amount),
                a.other_funds_statement,
            ]
            for a in rows
        ],
        widths=[14, 36, 20, 22, 36, 10, 14, 14, 20, 12, 12, 14, 12, 36],
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''funds-{timezone.localdate():%Y%m%d}.xlsx"
    return response


def _pick(request, queryset, key: str):
    value = request.GET.get(key) or request.POST.get(key) or ""
    if not str(value).isdigit():
        return None
    return scoped_object_or_404(request, queryset, int(value), permission=False)


@require_http_methods(["GET", "POST"])
@login_required
def application_add(request):
    """发起申报 for `?batch=&project=`: the requested amount and the other-funds statement (the duplicate check's
    message shows next to it)."""
    require(request, "add", FundApplication)
    batch = _pick(request, FundingBatch.objects.all(), "batch")
    project = _pick(request, Project.objects.select_related("responsible_unit"), "project")
    if batch is None or project is None:
        messages.error(request, _("请从申报批次的匹配项目中选择要申报的项目。"))
        return redirect("funds:batch_list")
    form = ApplicationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                application = services.application_create(
                    actor=request.user,
                    project=project,
                    batch=batch,
                    requested_amount=form.cleaned_data["requested_amount"],
                    other_funds_statement=form.cleaned_data.get("other_funds_statement", ""),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=project, reason=DenialReason.REFUSED, message=str(exc))
            else:
                done = _("申报 %(n)s 已创建，请上传申报材料后提交区审核。") % {"n": application.number}
                messages.success(request, done)
                return redirect(application)
    others = list(services.duplicates(project, batch))
    context = {
        "form": form,
        "batch": batch,
        "project": project,
        "others": others,
        "documents": services.document_labels(batch),
        "readiness": _readiness(project),
    }
    return render(request, "funds/application_form.html", context, status=status)


ACTION_FORMS = {
    "submit": AdvanceForm,
    "forward": AdvanceForm,
    "return": ReasonForm,
    "decide": DecideForm,
    "arrival": ArrivalForm,
    "withdraw": ReasonForm,
    "pay": PaymentForm,
}
ACTION_LABELS = {
    "submit": gettext_lazy("提交区审核"),
    "forward": gettext_lazy("转报上一级"),
    "return": gettext_lazy("退回"),
    "decide": gettext_lazy("登记结果"),
    "arrival": gettext_lazy("登记资金到位"),
    "withdraw": gettext_lazy("撤回"),
    "pay": gettext_lazy("登记支付"),
}
DECIDABLE = (ApplicationStatus.CITY, ApplicationStatus.PROVINCE, ApplicationStatus.NATIONAL)
FORWARDABLE = (ApplicationStatus.DISTRICT_REVIEW, ApplicationStatus.CITY, ApplicationStatus.PROVINCE)


def fully_paid(application) -> bool:
    """Everything granted is paid out: no 登记支付 form to offer (the service would refuse any amount)."""
    from django.db.models import Sum

    paid = application.payments.aggregate(s=Sum("amount"))["s"]
    return bool(application.approved_amount) and paid is not None and paid >= application.approved_amount


def application_actions(user, application: FundApplication) -> set[str]:
    """The steps `user` may take on `application` now (the page shows only these; the services check again)."""
    status = application.status
    actions: set[str] = set()
    changeable = user.has_perm("funds.change_fundapplication") and (
        FundApplication.objects.restrict(user, "change").filter(pk=application.pk).exists()
    )
    if changeable and status == ApplicationStatus.DRAFTING:
        actions.add("submit")
    if changeable and status in APPLICATION_FLOW:
        actions.add("withdraw")
    if user.has_perm("funds.review_fundapplication"):
        if status in FORWARDABLE:
            actions.add("forward")
        if status == ApplicationStatus.DISTRICT_REVIEW:
            actions.add("return")
    if user.has_perm("funds.record_fundapplication") and status in DECIDABLE:
        actions.add("decide")
    if user.has_perm("funds.record_fundapplication") and status == ApplicationStatus.APPROVED:
        actions.add("arrival")
    if user.has_perm("funds.add_fundpayment") and status == ApplicationStatus.APPROVED and not fully_paid(application):
        actions.add("pay")
    if (
        changeable
        and user.has_perm("funds.add_applicationfile")
        and status in (ApplicationStatus.DRAFTING, ApplicationStatus.DISTRICT_REVIEW)
    ):
        actions.add("upload")
    return actions


def _application_context(request, application: FundApplication, bound: dict | None = None) -> dict:
    user = request.user
    bound = bound or {}
    actions = application_actions(user, application)
    files = list(application.files.all())
    checklist = []
    for key, label in services.document_labels(application.batch):
        checklist.append({"key": key, "label": label, "files": [f for f in files if f.doc_key == key]})
    payments = list(application.payments.all())
    paid = sum((p.amount for p in payments), start=selectors.ZERO)
    forms = {}
    initial = {
        "version": application.version,
        "arrived_on": application.arrived_on,
        "start_deadline": application.start_deadline,
    }
    for name, form_class in ACTION_FORMS.items():
        if name in actions:
            forms[name] = bound.get(name) or form_class(initial=initial)
    upload_form = bound.get("upload") or (FileForm() if "upload" in actions else None)
    events = list(application.events.select_related("actor"))
    return {
        "application": application,
        "object": application,
        "project_visible": Project.objects.restrict(user, "view").filter(pk=application.project_id).exists(),
        "checklist": checklist,
        "missing": [label for key, label in services.document_labels(application.batch) if not _has(files, key)],
        "events": events,
        "payments": payments,
        "paid": paid,
        "pay_rate": selectors.pay_rate(paid, application.approved_amount),
        "actions": actions,
        "forms": forms,
        "upload_form": upload_form,
        "upload_key": bound.get("upload_key", ""),
        "action_labels": ACTION_LABELS,
        "history": object_history(application),
    }


def _has(files, key: str) -> bool:
    return any(f.doc_key == key for f in files)


@require_GET
@login_required
def application_detail(request, pk: int):
    application = scoped_object_or_404(request, FundApplication.objects.select_related(*APP_RELATED), pk)
    return render(request, "funds/application.html", _application_context(request, application))


def _application_page(request, application, bound: dict, status: int = 400):
    application = FundApplication.objects.select_related(*APP_RELATED).get(pk=application.pk)
    return render(request, "funds/application.html", _application_context(request, application, bound), status=status)


def _perform(user, application: FundApplication, action: str, data: dict) -> str:
    version = data["version"]
    if action in ("submit", "forward"):
        application = services.application_advance(
            actor=user, application=application, version=version, note=data.get("note", "")
        )
        return _("已%(a)s，当前状态：%(s)s。") % {"a": ACTION_LABELS[action], "s": application.get_status_display()}
    if action == "return":
        services.application_return(actor=user, application=application, version=version, reason=data["reason"])
        return _("已退回申报单位修改。")
    if action == "withdraw":
        services.application_withdraw(actor=user, application=application, version=version, reason=data["reason"])
        return _("申报已撤回。")
    if action == "decide":
        approved = data["outcome"] == "approved"
        services.application_decide(
            actor=user,
            application=application,
            version=version,
            approved=approved,
            amount=data.get("amount"),
            approval_doc=data.get("approval_doc", ""),
            approval_date=data.get("approval_date"),
            arrived_on=data.get("arrived_on"),
            start_deadline=data.get("start_deadline"),
            reason=data.get("reason", ""),
        )
        return _("已登记下达。") if approved else _("已登记未入选。")
    if action == "arrival":
        services.application_arrival_set(
            actor=user,
            application=application,
            version=version,
            arrived_on=data.get("arrived_on"),
            start_deadline=data.get("start_deadline"),
        )
        return _("资金到位信息已保存。")
    if application.version != version:
        # a payment does not change the application's row; a stale page still must not pay twice
        raise ConflictError(
            _("该申报在您打开页面后已被他人处理（当前版本 %(now)d），请核对后重试。") % {"now": application.version},
            current=application,
        )
    services.payment_add(
        actor=user, application=application, paid_on=data["paid_on"], amount=data["amount"], note=data.get("note", "")
    )
    return _("支付已登记。")


@require_POST
@login_required
def application_act(request, pk: int, action: str):
    """Every step of the application page, each a POST with the version the user saw."""
    if action not in ACTION_FORMS:
        raise Http404
    application = scoped_object_or_404(request, FundApplication.objects.select_related(*APP_RELATED), pk)
    if action not in application_actions(request.user, application):
        deny(request, obj=application, reason=DenialReason.REFUSED, message=_("当前不能执行此操作。"))
    form = ACTION_FORMS[action](request.POST)
    if not form.is_valid():
        return _application_page(request, application, {action: form})
    try:
        done = _perform(request.user, application, action, form.cleaned_data)
    except ConflictError as exc:
        typed = {k: v for k, v in form.cleaned_data.items() if k != "version" and v not in (None, "")}
        current = exc.current
        return conflict_response(
            request,
            exc,
            title=_("操作未完成：该资金申报已被他人处理"),
            rows=[
                (
                    _("操作"),
                    current.get_status_display() if current is not None else "—",
                    str(ACTION_LABELS[action]),
                ),
                *[(str(form.fields[k].label), "—", v) for k, v in typed.items()],
            ],
            retry_url="",
            back_url=reverse("funds:application", args=[application.pk]),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _application_page(request, application, {action: form})
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _application_page(request, application, {action: form})
    except PermissionDenied as exc:
        deny(request, obj=application, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, done)
    return redirect(reverse("funds:application", args=[application.pk]))


@require_POST
@login_required
def application_upload(request, pk: int):
    """Upload one checklist document (checked by content)."""
    application = scoped_object_or_404(request, FundApplication.objects.select_related(*APP_RELATED), pk)
    require(request, "funds.add_applicationfile")
    form = FileForm(request.POST, request.FILES)
    key = request.POST.get("doc_key", "")
    if not form.is_valid():
        return _application_page(request, application, {"upload": form, "upload_key": key})
    try:
        services.application_file_add(
            actor=request.user, application=application, doc_key=key, uploaded=form.cleaned_data["file"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error("file", message)
        return _application_page(request, application, {"upload": form, "upload_key": key})
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        return _application_page(request, application, {"upload": form, "upload_key": key})
    except PermissionDenied as exc:
        deny(request, obj=application, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, _("材料已上传。"))
    return redirect(reverse("funds:application", args=[application.pk]) + "#checklist")


@require_GET
@login_required
def application_file(request, pk: int):
    stored = scoped_object_or_404(request, ApplicationFile.objects.all(), pk)
    return stored_file_response(stored)


# -- a project's 谋划 and 入库 ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def prep_edit(request, project_pk: int):
    """Edit a project's 谋划/入库 record, beside its 前期成熟度 and what is missing."""
    require(request, "funds.change_projectprep")
    project = scoped_object_or_404(
        request, Project.objects.select_related("responsible_unit"), project_pk, action="change", permission=False
    )
    prep = services.prep_for(project)
    form = PrepForm(request.POST or None, instance=prep)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.prep_save(
                    actor=request.user,
                    project=project,
                    version=form.cleaned_data.get("version"),
                    data=form.service_data(),
                )
            except ConflictError as exc:
                return _prep_conflict(request, exc, project, form)
            except ApplicationError as exc:
                if exc.code == "conflict":
                    return _prep_conflict(
                        request, ConflictError(exc.message, current=services.prep_for(project)), project, form
                    )
                form.add_error(None, exc.message)
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                deny(request, obj=project, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("谋划与储备信息已保存。"))
                return redirect(reverse("funds:prep", args=[project.pk]))
    context = {"form": form, "project": project, "prep": prep, "readiness": _readiness(project)}
    return render(request, "funds/prep_form.html", context, status=status)


def _prep_conflict(request, exc: ConflictError, project, form):
    current = type(project).objects.get(pk=project.pk).prep if exc.current is not None else None
    data = form.service_data()
    return conflict_response(
        request,
        ConflictError(exc.message, current=current, changes=exc.changes),
        title=_("保存冲突：该项目的谋划与储备信息已被他人修改"),
        rows=submitted_rows(current, data),
        retry_url=reverse("funds:prep", args=[project.pk]),
        back_url=project.get_absolute_url(),
    )


# -- 资金统计 and settings -------------------------------------------------------------------------------------------


@require_GET
@login_required
def kpis(request):
    """申报 / 下达 / 支付 per channel and per unit for a year; each number links to the list it counts."""
    require(request, "view", FundApplication)
    this_year = timezone.localdate().year
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else this_year
    table = selectors.kpi_table(FundApplication.objects.restrict(request.user, "view"), year)
    context = {
        "title": _("资金统计"),
        "table": table,
        "sections": [("channels", table["channels"]), ("units", table["units"])],
        "year": year,
        "years": list(range(this_year + 1, this_year - 6, -1)),
        "list_url": reverse("funds:application_list"),
    }
    return render(request, "funds/kpis.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def settings_edit(request):
    require(request, "funds.change_fundssettings")
    row = FundsSettings.current()
    form = SettingsForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.settings_save(
                    actor=request.user, version=form.cleaned_data.get("version"), data=form.service_data()
                )
            except ConflictError as exc:
                data = form.service_data()
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：资金与纳统设置已被他人修改"),
                    rows=submitted_rows(exc.current, data),
                    retry_url=reverse("funds:settings"),
                    back_url=reverse("funds:settings"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("设置已保存。"))
                return redirect("funds:settings")
    return render(request, "funds/settings.html", {"form": form, "settings_row": row}, status=status)
