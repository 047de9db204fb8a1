"""Lead pages: the list (pipeline strip, filters), the detail page (fields, stage data, review state, timeline,
history, the actions of whoever may act), create/edit (optimistic locking, the shared conflict page), one POST
endpoint for every workflow step, and the conversion into a key project.

Thin: parse input, call a service in services.py, render. Rows are scoped with `restrict()`: no permission → 403,
out of scope → 404. The services check the permission and scope of every step again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuijin.core.conflicts import conflict_response, submitted_rows
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import DenialReason, denial_record, deny, require, scoped_object_or_404
from tuijin.core.views_generic import ObjectDetailView, ObjectListView
from tuijin.projects.models import Project

from . import selectors, services
from .choices import ContractKind, LeadEventType, LeadStage, ReviewStatus
from .filtersets import LeadFilterSet
from .forms import ACTIONS, LeadActionForm, LeadForm
from .models import Lead
from .panels import lead_panels
from .selectors import stage_counts

__all__ = ["LeadListView", "LeadView", "event_detail", "lead_action", "lead_actions", "lead_convert", "lead_edit"]

LIST_RELATED = ("tracking_unit", "chain", "project")
STAGE_LABELS = dict(LeadStage.choices)


def _messages_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


def event_detail(event) -> str:
    """The details of a timeline entry as one line of Chinese text."""
    data = event.data or {}
    if event.type in (LeadEventType.SUBMITTED, LeadEventType.RESUBMITTED, LeadEventType.SYNCED):
        text = f"{STAGE_LABELS.get(data.get('from', ''), '')} → {STAGE_LABELS.get(data.get('to', ''), '')}"
        if event.type == LeadEventType.SYNCED and data.get("start_date"):
            text += _("（重点项目“%(p)s”实际开工 %(d)s）") % {"p": data.get("project", ""), "d": data["start_date"]}
        if event.type == LeadEventType.SYNCED and data.get("production_date"):
            text += _("（重点项目“%(p)s”实际竣工 %(d)s，视为投产）") % {
                "p": data.get("project", ""),
                "d": data["production_date"],
            }
        return text
    if event.type in (LeadEventType.APPROVED, LeadEventType.RETURNED):
        stage = STAGE_LABELS.get(data.get("stage", ""), "")
        return f"{stage}：{data['opinion']}" if data.get("opinion") else str(stage)
    if event.type == LeadEventType.TERMINATED:
        return _("原阶段：%(s)s；原因：%(r)s") % {
            "s": STAGE_LABELS.get(data.get("from", ""), ""),
            "r": data.get("reason", ""),
        }
    if event.type == LeadEventType.RESTORED:
        return _("恢复至“%(s)s”") % {"s": STAGE_LABELS.get(data.get("to", ""), "")}
    if event.type == LeadEventType.CONVERTED:
        return str(data.get("name", ""))
    if event.type == LeadEventType.UPDATED:
        return "、".join(data.get("fields", []))
    if event.type == LeadEventType.SIGNING:
        from .signing import signing_detail

        return signing_detail(data)
    if event.type == LeadEventType.LISTED:
        from .signing import listed_detail

        return listed_detail(data)
    # the ledger, case, result and attachment entries carry their own readable line
    return str(data.get("text", ""))


def lead_actions(user, lead: Lead) -> set[str]:
    """The steps `user` may take on `lead` now (the page shows only these; the services check again)."""
    actions: set[str] = set()
    if user.has_perm("investment.change_lead"):
        actions.add("edit")
        if services.allowed_targets(lead):
            actions.add("submit")
        if lead.stage not in services.FINAL:
            actions.add("terminate")
        if lead.stage == LeadStage.TERMINATED:
            actions.add("restore")
    if (
        user.has_perm("investment.review_lead")
        and lead.review_status == ReviewStatus.PENDING
        and lead.stage != LeadStage.TERMINATED
    ):
        actions |= {"approve", "return"}
    if user.has_perm("investment.convert_lead") and services.convertible(lead)[0]:
        actions.add("convert")
    return actions


class LeadListView(ObjectListView):
    queryset = Lead.objects.select_related(*LIST_RELATED)
    filterset_class = LeadFilterSet
    template_name = "investment/lead_list.html"
    table_template = "investment/htmx/lead_table.html"
    title = gettext_lazy("招商项目")
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        for key in ("page", "stage"):
            query.pop(key, None)
        context.update(
            pipeline=stage_counts(self.queryset),
            stage_query=query.urlencode(),
            current_stage=self.request.GET.get("stage", ""),
            can_add=self.request.user.has_perm("investment.add_lead"),
        )
        return context


DETAIL_RELATED = (*LIST_RELATED, "industry", "project__responsible_unit")
ACTION_INPUTS = ("to_stage", *LeadActionForm.STAGE_DATA, "opinion", "reason", "note")


def _action_state(lead: Lead, form: LeadActionForm | None) -> dict:
    """What the action forms of the page show: the stored stage data, or — after a refused step — exactly what was
    posted (nothing typed is lost), the errors next to their fields and the version the user was working from."""
    if form is None:
        values: dict[str, str] = {name: "" for name in ACTION_INPUTS}
        for name in LeadActionForm.STAGE_DATA:
            value = getattr(lead, name)
            values[name] = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
        return {"action": "", "values": values, "errors": {}, "non_field": [], "version": lead.version}
    return {
        "action": form.data.get("action", ""),
        "values": {name: form.data.get(name, "") for name in ACTION_INPUTS},
        "errors": {k: v for k, v in form.errors.items() if k != NON_FIELD_ERRORS},
        "non_field": list(form.non_field_errors()),
        "version": form.data.get("version", lead.version),
    }


def lead_page_context(user, lead: Lead, form: LeadActionForm | None = None) -> dict:
    """The detail page beyond the lead itself: timeline, the user's actions and the state of the action forms."""
    events = list(lead.events.select_related("actor"))
    for event in events:
        event.detail = event_detail(event)
    ok, why = services.convertible(lead)
    actions = lead_actions(user, lead)
    return {
        "events": events,
        "actions": actions,
        "targets": [(t, STAGE_LABELS[t]) for t in services.allowed_targets(lead)],
        "open_stages": services.open_stages(lead),
        "contract_kinds": ContractKind.choices,
        "not_convertible": why if user.has_perm("investment.convert_lead") and not ok and not lead.project_id else "",
        "project_visible": bool(lead.project_id)
        and Project.objects.restrict(user, "view").filter(pk=lead.project_id).exists(),
        "act": _action_state(lead, form),
        "panels": lead_panels(user, lead),
        # the 操作 card holds the workflow steps; 修改 is a button in the page header
        "card_actions": actions - {"edit"},
        "project_month": selectors.project_month(lead) if lead.project_id else None,
    }


class LeadView(ObjectDetailView):
    queryset = Lead.objects.select_related(*DETAIL_RELATED)

    template_name = "investment/lead.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(lead_page_context(self.request.user, self.object))
        return context


def _action_refused(request, lead: Lead, form: LeadActionForm):
    """A refused step: the lead page again (400), the bound form's values and errors in place, nothing written."""
    lead = Lead.objects.select_related(*DETAIL_RELATED).get(pk=lead.pk)
    context = {"object": lead, "lead": lead, "history": object_history(lead)}
    context.update(lead_page_context(request.user, lead, form))
    return render(request, "investment/lead.html", context, status=400)


def _apply_service_errors(form, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


def _lead_conflict(request, exc: ConflictError, form):
    current = exc.current
    if current is None:
        return conflict_response(
            request,
            exc,
            title=_("保存失败：该招商项目已被删除"),
            rows=[],
            retry_url="",
            back_url=reverse("investment:lead_list"),
        )
    data = form.service_data()
    data["planned_investment_approx"] = form.cleaned_data.get("planned_investment_approx", False)
    rows: list[tuple[str, object, object]] = list(submitted_rows(current, data, list(data)))
    return conflict_response(
        request,
        exc,
        title=_("保存冲突：该招商项目已被他人修改"),
        rows=rows,
        retry_url=reverse("investment:lead_edit", args=[current.pk]),
        back_url=current.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
@login_required
def lead_edit(request, pk: int | None = None):
    """Register (pk None) or edit a lead. A stale version shows the conflict page; nothing typed is lost."""
    lead = scoped_object_or_404(request, Lead.objects.all(), pk, action="change") if pk else None
    if lead is None:
        require(request, "add", Lead)
    form = LeadForm(request.POST or None, instance=lead or Lead(), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        data["planned_investment_approx"] = form.cleaned_data.get("planned_investment_approx", False)
        try:
            if lead is None:
                lead = services.lead_create(actor=request.user, data=data)
            else:
                lead = services.lead_update(
                    actor=request.user,
                    lead=Lead.objects.get(pk=lead.pk),
                    version=form.cleaned_data.get("version"),
                    data=data,
                )
        except ConflictError as exc:
            return _lead_conflict(request, exc, form)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except PermissionDenied as exc:
            denial_record(
                request, action="change" if pk else "add", obj=Lead, reason=DenialReason.REFUSED, message=str(exc)
            )
            form.add_error("tracking_unit", str(exc))
        else:
            messages.success(request, _("招商项目已保存。"))
            return redirect(lead)
    return render(request, "investment/lead_form.html", {"form": form, "lead": lead})


def _perform(user, lead: Lead, form: LeadActionForm) -> str:
    data = form.cleaned_data
    action, version = data["action"], data["version"]
    if action == "submit":
        to = data.get("to_stage") or ""
        services.lead_submit_stage(actor=user, lead=lead, version=version, to_stage=to, data=form.stage_data())
        return _("已提交“%(s)s”阶段资料，等待审核。") % {"s": STAGE_LABELS.get(to, to)}
    if action == "approve":
        services.lead_review(actor=user, lead=lead, version=version, approve=True, opinion=data.get("opinion", ""))
        return _("已审核通过。")
    if action == "return":
        services.lead_review(actor=user, lead=lead, version=version, approve=False, opinion=data.get("opinion", ""))
        return _("已退回跟踪单位修改。")
    if action == "terminate":
        services.lead_terminate(actor=user, lead=lead, version=version, reason=data.get("reason", ""))
        return _("招商项目已终止。")
    services.lead_restore(actor=user, lead=lead, version=version, note=data.get("note", ""))
    return _("招商项目已恢复。")


def _action_conflict(request, exc: ConflictError, form: LeadActionForm):
    current = exc.current
    action = form.cleaned_data["action"]
    label = str(dict(ACTIONS).get(action, action))
    if current is None:
        return conflict_response(
            request,
            exc,
            title=_("操作未完成：该招商项目已不存在"),
            rows=[],
            retry_url="",
            back_url=reverse("investment:lead_list"),
        )
    rows: list[tuple[str, object, object]] = [
        (
            _("操作"),
            _("当前：%(s)s · %(r)s") % {"s": current.get_stage_display(), "r": current.get_review_status_display()},
            label,
        )
    ]
    for name in ("to_stage", *LeadActionForm.STAGE_DATA, "opinion", "reason", "note"):
        value = form.cleaned_data.get(name)
        if value not in (None, ""):
            rows.append((str(form.fields[name].label), "—", str(value)))
    again = action in lead_actions(request.user, current)
    return conflict_response(
        request,
        exc,
        title=_("操作未完成：该招商项目已被他人处理"),
        rows=rows,
        retry_url=reverse("investment:lead_action", args=[current.pk]) if again else "",
        back_url=current.get_absolute_url(),
        resubmit_label=_("按最新版本重新提交“%(a)s”") % {"a": label},
    )


@require_http_methods(["GET", "POST"])
@login_required
def lead_action(request, pk: int):
    """Every workflow step of the detail page. GET (the conflict page's 载入最新版本) goes to the lead page."""
    lead = scoped_object_or_404(request, Lead.objects.select_related("tracking_unit"), pk)
    if request.method == "GET":
        return redirect(lead)
    form = LeadActionForm(request.POST)
    if not form.is_valid():
        if "action" in form.errors or "version" in form.errors:
            messages.error(request, _("请求无效，请刷新页面后重试。"))
            return redirect(lead)
        return _action_refused(request, lead, form)
    try:
        done = _perform(request.user, lead, form)
    except ConflictError as exc:
        return _action_conflict(request, exc, form)
    except ValidationError as exc:
        _apply_service_errors(form, exc)
        return _action_refused(request, lead, form)
    except ApplicationError as exc:
        form.add_error(None, _messages_of(exc))
        return _action_refused(request, lead, form)
    except PermissionDenied as exc:
        deny(
            request,
            obj=lead,
            reason=DenialReason.REFUSED,
            message=str(exc),
            extra={"action": form.cleaned_data["action"]},
        )
    else:
        messages.success(request, done)
    return redirect(lead)


@require_POST
@login_required
def lead_convert(request, pk: int):
    """转为重点项目: one step, the project filled from the lead; a second conversion is refused."""
    lead = scoped_object_or_404(request, Lead.objects.all(), pk, action="convert")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("请求无效，请刷新页面后重试。"))
        return redirect(lead)
    try:
        project = services.lead_to_project(actor=request.user, lead=lead, version=version)
    except ConflictError as exc:
        messages.error(request, exc.message)
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _messages_of(exc))
    except PermissionDenied as exc:
        deny(request, obj=lead, reason=DenialReason.REFUSED, message=str(exc))
    else:
        messages.success(request, _("已转为重点项目“%(n)s”，请补全项目的其他信息。") % {"n": project.name})
        return redirect(project)
    return redirect(lead)
