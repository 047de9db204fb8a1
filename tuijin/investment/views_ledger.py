"""Pages of the promise ledger (承诺台账) and the 公平竞争审查 pre-check: the lead page's section (its context is built
here, ledger.ledger_panel registers it), the ledger, the list of flagged lines, the POST endpoints of every step, and
the office's category list.

Thin: parse the input, call a service in ledger.py, render. No permission → 403 (audited), a line or lead outside the
scope → 404. A refused step shows its page again (400) with the errors next to the fields and everything typed kept;
a stale version shows the shared conflict page.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import DenialReason, deny, require, scoped_object_or_404
from tuijin.core.views_generic import htmx_partial
from tuijin.org.models import OrgUnit
from tuijin.projects.forms import AmountField, DateInput

from . import ledger
from .choices import (
    GOVERNMENT_CATEGORIES,
    INVESTOR_CATEGORIES,
    CommitmentCategory,
    CommitmentSide,
    CommitmentState,
    CommitmentStatus,
    Confirmation,
)
from .models import Commitment, FairCompetitionCategory, Lead

__all__ = [
    "agreement_sign",
    "commitment_action",
    "commitment_add",
    "fc_categories",
    "fc_category_edit",
    "fc_flags",
    "ledger_view",
    "overdue_tile",
    "panel_context",
]

PANEL_TEMPLATE = "investment/panels/ledger.html"
PAGE_SIZE = 100
LINE_ACTIONS = ("edit", "status", "justify", "review", "confirm")
CATEGORY_LABELS = dict(CommitmentCategory.choices)


# --- forms (typing only; the rules are the services') ---------------------------------------------------------------


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxInput | forms.CheckboxSelectMultiple):
            continue
        css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def county_units(lead: Lead):
    """The government units of the lead's district that may be responsible for a promise (no enterprises)."""
    path = lead.tracking_unit.region.path
    parts = [p for p in path.split("/") if p]
    county = path
    for i, code in enumerate(parts):
        if len(code) >= 6:
            county = "/".join(parts[: i + 1]) + "/"
            break
    return (
        OrgUnit.objects.filter(is_active=True, region__path__startswith=county)
        .exclude(unit_type__in=["enterprise"])
        .order_by("sort_order", "name", "pk")
    )


class CommitmentForm(forms.Form):
    side = forms.ChoiceField(label=gettext_lazy("承诺方"), choices=CommitmentSide.choices)
    category = forms.ChoiceField(label=gettext_lazy("承诺类别"), choices=CommitmentCategory.choices)
    content = forms.CharField(label=gettext_lazy("承诺事项"), max_length=500)
    clause = forms.CharField(label=gettext_lazy("承诺依据（合同条款）"), max_length=200, required=False)
    condition = forms.CharField(label=gettext_lazy("兑现条件"), max_length=500, required=False)
    due_date = forms.DateField(label=gettext_lazy("计划兑现时间"), widget=DateInput)
    amount = AmountField(label=gettext_lazy("承诺金额（万元）"), required=False)
    target_value = forms.DecimalField(label=gettext_lazy("承诺指标值"), max_digits=16, decimal_places=2, required=False)
    target_unit = forms.CharField(label=gettext_lazy("指标单位"), max_length=20, required=False)
    responsible_unit = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"), queryset=OrgUnit.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, lead: Lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = county_units(lead)  # type: ignore[attr-defined]
        _style(self)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        amount = data.get("amount")
        data["amount"] = amount.value if amount is not None else None
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("兑现状态"), choices=CommitmentStatus.choices)
    realised_amount = AmountField(label=gettext_lazy("兑现金额（万元）"), required=False)
    realised_value = forms.DecimalField(
        label=gettext_lazy("实际完成值"), max_digits=16, decimal_places=2, required=False
    )
    fulfilled_on = forms.DateField(label=gettext_lazy("兑现日期"), required=False, widget=DateInput)
    evidence = forms.CharField(label=gettext_lazy("兑现佐证"), max_length=500, required=False)
    status_note = forms.CharField(label=gettext_lazy("情况说明"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        amount = data.get("realised_amount")
        data["realised_amount"] = amount.value if amount is not None else None
        return data


class JustifyForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("保留理由"), max_length=500, required=False)
    basis = forms.CharField(label=gettext_lazy("法律依据（文号）"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("复核结论"),
        choices=[("approve", gettext_lazy("同意保留")), ("reject", gettext_lazy("不同意"))],
    )
    opinion = forms.CharField(label=gettext_lazy("复核意见"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConfirmForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("确认"), choices=[("agree", gettext_lazy("确认无误")), ("dispute", gettext_lazy("有异议"))]
    )
    comment = forms.CharField(label=gettext_lazy("企业意见"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "status": StatusForm,
    "justify": JustifyForm,
    "review": ReviewForm,
    "confirm": ConfirmForm,
}
ACTION_LABELS = {
    "edit": gettext_lazy("修改承诺"),
    "status": gettext_lazy("更新兑现情况"),
    "justify": gettext_lazy("说明保留理由"),
    "review": gettext_lazy("公平竞争审查复核"),
    "confirm": gettext_lazy("企业确认"),
}


class FairCompetitionCategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("类别名称"), max_length=100)
    keywords = forms.CharField(
        label=gettext_lazy("关键词"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("每行一个；承诺内容或合同条款含其一即提示"),
    )
    commitment_categories = forms.MultipleChoiceField(
        label=gettext_lazy("对应承诺类别"),
        choices=CommitmentCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "政府承诺总是按全部启用的类别检查；企业承诺只按勾选了其类别的类别检查；都不勾选则适用全部承诺"
        ),
    )
    basis = forms.CharField(label=gettext_lazy("审查依据"), max_length=300, required=False)
    sort_order = forms.IntegerField(label=gettext_lazy("排序"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


# --- shared helpers -------------------------------------------------------------------------------------------------


def _messages_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return getattr(exc, "message", None) or str(exc)


def _form_errors(form: forms.Form | None, exc: Exception | None = None) -> tuple[dict[str, list[str]], list[str]]:
    """(errors by field, errors of the whole form) from the form and a service's ValidationError/ApplicationError."""
    errors: dict[str, list[str]] = {}
    non_field: list[str] = []
    if form is not None:
        for key, messages_ in form.errors.items():
            texts = [str(m) for m in messages_]
            if key == NON_FIELD_ERRORS:
                non_field.extend(texts)
            else:
                errors.setdefault(key, []).extend(texts)
    if isinstance(exc, ValidationError):
        items: list[tuple[str, list[str]]] = (
            list(exc.message_dict.items()) if hasattr(exc, "error_dict") else [(NON_FIELD_ERRORS, exc.messages)]
        )
        for key, found in items:
            if key == NON_FIELD_ERRORS or (form is not None and key not in form.fields):
                non_field.extend(str(m) for m in found)
            else:
                errors.setdefault(key, []).extend(str(m) for m in found)
    elif exc is not None:
        non_field.append(_messages_of(exc))
    return errors, non_field


def _state(form_id: str, request, form=None, exc=None) -> dict[str, Any]:
    """What a refused form shows again: the posted values, the errors, which form it was."""
    errors, non_field = _form_errors(form, exc)
    values = {key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"}
    return {"form": form_id, "values": values, "errors": errors, "non_field": non_field}


def _line_form_id(commitment_id: int, action: str) -> str:
    return f"{action}-{commitment_id}"


# --- the lead page's section ----------------------------------------------------------------------------------------


def _category_groups() -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (
            str(CommitmentSide.GOVERNMENT),
            str(CommitmentSide.GOVERNMENT.label),
            [(str(c), str(c.label)) for c in GOVERNMENT_CATEGORIES],
        ),
        (
            str(CommitmentSide.INVESTOR),
            str(CommitmentSide.INVESTOR.label),
            [(str(c), str(c.label)) for c in INVESTOR_CATEGORIES],
        ),
    ]


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value.pk)
    return str(value)


def line_defaults(c: Commitment, action: str) -> dict[str, str]:
    """What a line's form shows before anything is typed: the stored values."""
    if action == "edit":
        edited = ("side", "category", "content", "clause", "condition", "due_date", "amount", "target_value")
        values = {name: _text(getattr(c, name)) for name in edited}
        values.update(target_unit=c.target_unit, responsible_unit=_text(c.responsible_unit_id))
        return values
    if action == "status":
        fields = ("status", "realised_amount", "realised_value", "fulfilled_on", "evidence", "status_note")
        return {name: _text(getattr(c, name)) for name in fields}
    if action == "justify":
        return {"reason": c.fc_reason, "basis": c.fc_basis}
    return {}


def _form_state(state: dict[str, Any] | None, form_id: str, defaults: dict[str, str]) -> dict[str, Any]:
    """One form of the page: open with the posted values and errors when it is the refused one, else its defaults."""
    if state and state.get("form") == form_id:
        return {
            "open": True,
            "values": {**defaults, **state["values"]},
            "errors": state["errors"],
            "non_field": state["non_field"],
        }
    return {"open": False, "values": defaults, "errors": {}, "non_field": []}


def panel_context(user, lead: Lead, state: dict[str, Any] | None = None) -> dict[str, Any]:
    """The 承诺台账 section of a lead page: both sides, the user's actions on each line, the add form and what would
    block 保存为已签订. `state` carries a refused form's values and errors."""
    rows = list(
        lead.commitments.select_related(
            "responsible_unit", "fc_reviewer", "fc_requested_by", "ticket", "lead"
        ).order_by("side", "due_date", "pk")
    )
    change_ids = (
        set(Commitment.objects.restrict(user, "change").filter(lead=lead).values_list("pk", flat=True))
        if user.has_perm("investment.change_commitment")
        else set()
    )
    today = timezone.localdate()
    sides = []
    for side, label in CommitmentSide.choices:
        lines = []
        for c in rows:
            if c.side != side:
                continue
            actions = ledger.line_actions(user, c, lead_change=c.pk in change_ids)
            lines.append(
                {
                    "c": c,
                    "actions": actions,
                    "overdue": c.is_overdue(today),
                    "forms": {a: _form_state(state, _line_form_id(c.pk, a), line_defaults(c, a)) for a in actions},
                }
            )
        sides.append({"side": side, "label": label, "lines": lines})
    lead_open = lead.stage in [str(s) for s in ledger.SIGNED_OR_LATER]
    can_change = bool(change_ids) or (
        user.has_perm("investment.change_commitment")
        and Lead.objects.restrict(user, "change").filter(pk=lead.pk).exists()
    )
    can_add = (
        lead_open
        and user.has_perm("investment.add_commitment")
        and Lead.objects.restrict(user, "change").filter(pk=lead.pk).exists()
    )
    has_drafts = any(c.state == CommitmentState.DRAFT for c in rows)
    sign = ledger.sign_blockers(lead) if has_drafts and can_change and lead_open else None
    units = (
        list(county_units(lead))
        if can_add or any("edit" in line["actions"] for s in sides for line in s["lines"])
        else []
    )
    return {
        "template": PANEL_TEMPLATE,
        "order": 30,
        "lead": lead,
        "sides": sides,
        "count": len(rows),
        "can_add": can_add,
        "lead_open": lead_open,
        "sign": sign,
        "blockers": [{"c": c, "flags": sign.flags[c.pk]} for c in sign.blockers] if sign else [],
        "state": state or {"form": "", "values": {}, "errors": {}, "non_field": []},
        "add": _form_state(state, "add", {"side": CommitmentSide.GOVERNMENT.value}),
        "category_groups": _category_groups(),
        "statuses": CommitmentStatus.choices,
        "units": units,
        "today": today,
    }


def _lead_page(request, lead: Lead, state: dict[str, Any], status: int = 400) -> HttpResponse:
    """The lead page again (400), this section showing the refused form with what was typed."""
    from .views import DETAIL_RELATED, lead_page_context

    lead = Lead.objects.select_related(*DETAIL_RELATED).get(pk=lead.pk)
    context: dict[str, Any] = {"object": lead, "lead": lead, "history": object_history(lead)}
    context.update(lead_page_context(request.user, lead))
    context["panels"] = [
        panel_context(request.user, lead, state) if panel.get("template") == PANEL_TEMPLATE else panel
        for panel in context["panels"]
    ]
    return render(request, "investment/lead.html", context, status=status)


def _lead_anchor(lead_id: int) -> str:
    return reverse("investment:lead", args=[lead_id]) + "#tj-ledger"


# --- the ledger and the flags ---------------------------------------------------------------------------------------

LEDGER_FILTERS = ("side", "status", "overdue", "unit", "lead", "confirmation", "flagged", "state", "mine", "q")


def _filtered(request, queryset):
    """The ledger's filters: 承诺方, 兑现状态, 超期, 责任单位, 招商项目, 企业确认, 公平竞争审查, 签订状态,
    本单位负责, and a search."""
    params = request.GET
    today = timezone.localdate()
    side = params.get("side", "")
    if side in CommitmentSide.values:
        queryset = queryset.filter(side=side)
    status = params.get("status", "")
    if status in CommitmentStatus.values:
        queryset = queryset.filter(status=status, state=CommitmentState.SIGNED)
    if params.get("overdue") == "1":
        queryset = queryset.filter(ledger.overdue_condition(today))
    unit = params.get("unit", "")
    if unit.isdigit():
        queryset = queryset.filter(responsible_unit_id=int(unit))
    lead = params.get("lead", "")
    if lead.isdigit():
        queryset = queryset.filter(lead_id=int(lead))
    confirmation = params.get("confirmation", "")
    if confirmation in Confirmation.values:
        queryset = queryset.filter(confirmation=confirmation, state=CommitmentState.SIGNED)
    flagged = params.get("flagged", "")
    if flagged in ledger.FLAG_STATES and ledger.sees_supervision(request.user):
        queryset = queryset.filter(ledger.FLAG_STATES[flagged])
    state = params.get("state", "")
    if state in CommitmentState.values:
        queryset = queryset.filter(state=state)
    if params.get("mine") == "responsible":
        condition = ledger._responsible_condition(request.user)
        queryset = queryset.filter(condition) if condition is not None else queryset.none()
    text = params.get("q", "").strip()
    if text:
        queryset = queryset.filter(
            Q(content__icontains=text) | Q(lead__name__icontains=text) | Q(clause__icontains=text)
        )
    return queryset


def _decorate(
    user,
    page_rows: list[Commitment],
    state: dict[str, Any] | None = None,
    keep: frozenset[str] = frozenset({"confirm"}),
) -> list[dict[str, Any]]:
    """Each row with the user's actions offered on this page (`keep`) and whether its lead page is open to the user
    (two queries)."""
    ids = [c.pk for c in page_rows]
    change_ids = (
        set(Commitment.objects.restrict(user, "change").filter(pk__in=ids).values_list("pk", flat=True))
        if user.has_perm("investment.change_commitment")
        else set()
    )
    lead_ids = {c.lead_id for c in page_rows}
    visible_leads = (
        set(Lead.objects.restrict(user, "view").filter(pk__in=lead_ids).values_list("pk", flat=True))
        if user.has_perm("investment.view_lead")
        else set()
    )
    today = timezone.localdate()
    rows = []
    for c in page_rows:
        actions = ledger.line_actions(user, c, lead_change=c.pk in change_ids) & keep
        rows.append(
            {
                "c": c,
                "actions": actions,
                "lead_visible": c.lead_id in visible_leads,
                "overdue": c.is_overdue(today),
                "forms": {a: _form_state(state, _line_form_id(c.pk, a), {}) for a in actions},
            }
        )
    return rows


def _refused_anchor(state: dict[str, Any] | None) -> str:
    """The anchor of the line whose form was refused (shown again with its errors further down the ledger)."""
    line_id = (state or {}).get("form", "").rsplit("-", 1)[-1]
    return f"commitment-{line_id}" if line_id.isdigit() else ""


def _ledger_render(request, state: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    base = ledger.visible_commitments(request.user)
    counts = ledger.ledger_counts(base)
    queryset = ledger.ledger_rows(_filtered(request, base))
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    units = OrgUnit.objects.filter(pk__in=base.exclude(responsible_unit=None).values("responsible_unit")).order_by(
        "sort_order", "name"
    )
    context = {
        "title": _("承诺台账"),
        "page_obj": page,
        "rows": _decorate(request.user, list(page.object_list), state),
        "counts": counts,
        "params": {key: request.GET.get(key, "") for key in LEDGER_FILTERS},
        "querystring": query.urlencode(),
        "sides": CommitmentSide.choices,
        "statuses": CommitmentStatus.choices,
        "confirmations": Confirmation.choices,
        "flag_states": FLAG_LABELS,
        "units": units,
        "state": state or {"form": "", "values": {}, "errors": {}, "non_field": []},
        "is_enterprise": request.user.has_perm("investment.confirm_commitment"),
        "supervision": ledger.sees_supervision(request.user),
        "refused_anchor": _refused_anchor(state),
        "dashboard_url": reverse("investment:ledger") + "?overdue=1&side=government",
    }
    template = "investment/ledger/_table.html" if htmx_partial(request) else "investment/ledger/ledger.html"
    return render(request, template, context, status=status)


FLAG_LABELS = [
    ("pending_reason", gettext_lazy("待说明理由")),
    ("pending_review", gettext_lazy("待第二人复核")),
    ("approved", gettext_lazy("已复核同意")),
]


@require_GET
@login_required
def ledger_view(request):
    """承诺台账: every line the user may read, both sides, with filters and counts; an enterprise sees its own leads'
    lines and confirms or disputes each one here."""
    require(request, "investment.view_commitment")
    return _ledger_render(request)


@require_GET
@login_required
def fc_flags(request):
    """公平竞争审查提示: the flagged lines (待说明理由 / 待第二人复核 / 已复核同意) in the user's scope."""
    require(request, "investment.view_commitment")
    if not ledger.sees_supervision(request.user):  # internal supervision: never an enterprise account
        deny(request, action="investment.view_lead", message=_("公平竞争审查提示仅供政府部门内部使用。"))
    base = ledger.visible_commitments(request.user).filter(fc_flagged=True)
    state = request.GET.get("state", "")
    queryset = base.filter(ledger.FLAG_STATES[state]) if state in ledger.FLAG_STATES else base
    counts = ledger.ledger_counts(base)
    page = Paginator(ledger.ledger_rows(queryset), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = _decorate(request.user, list(page.object_list), keep=frozenset({"review", "justify"}))
    return render(
        request,
        "investment/ledger/_table.html" if htmx_partial(request) else "investment/ledger/flags.html",
        {
            "state": {"form": "", "values": {}, "errors": {}, "non_field": []},
            "title": _("公平竞争审查提示"),
            "rows": rows,
            "page_obj": page,
            "counts": counts,
            "current": state,
            "flag_states": FLAG_LABELS,
            "querystring": query.urlencode(),
            "can_configure": request.user.has_perm("investment.view_faircompetitioncategory"),
            "supervision": True,
        },
    )


# --- the steps ------------------------------------------------------------------------------------------------------


def _conflict(request, exc: ConflictError, commitment: Commitment, action_label: str, form: forms.Form):
    current = exc.current
    back = _lead_anchor(commitment.lead_id)
    rows: list[tuple[str, object, object]] = [(_("操作"), "—", action_label)]
    for key, value in request.POST.items():
        if key in ("csrfmiddlewaretoken", "version", "action", "from") or value in ("", None):
            continue
        field = form.fields.get(key)
        label = str(field.label) if field is not None and field.label else key
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = str(dict(field.choices).get(value, value))  # type: ignore[arg-type]
        rows.append((label, "—", value))
    return conflict_response(
        request,
        exc,
        title=_("操作未完成：该承诺已被他人修改"),
        rows=rows,
        retry_url=reverse("investment:commitment_action", args=[current.pk]) if current is not None else "",
        back_url=back,
    )


@require_POST
@login_required
def commitment_add(request, pk: int):
    """Add a line to a signed lead's agreement (草拟). Bad input: the lead page again (400) with what was typed."""
    lead = scoped_object_or_404(request, Lead.objects.select_related("tracking_unit__region"), pk)
    require(request, "investment.add_commitment")
    form = CommitmentForm(request.POST, lead=lead)
    if not form.is_valid():
        return _lead_page(request, lead, _state("add", request, form))
    try:
        ledger.commitment_create(actor=request.user, lead=lead, **form.service_data())
    except (ValidationError, ApplicationError) as exc:
        return _lead_page(request, lead, _state("add", request, form, exc))
    except PermissionDenied as exc:
        deny(request, obj=lead, reason=DenialReason.REFUSED, message=str(exc), extra={"action": "commitment_add"})
    messages.success(request, _("承诺已登记（草拟）。全部录入后请点击“保存为已签订”。"))
    return redirect(_lead_anchor(lead.pk))


def _perform(request, commitment: Commitment, action: str, form: forms.Form) -> str:
    user, data = request.user, form.cleaned_data
    version = data.get("version")
    if action == "edit":
        assert isinstance(form, CommitmentForm)
        ledger.commitment_update(actor=user, commitment=commitment, version=version, **form.service_data())
        return _("承诺已修改。")
    if action == "status":
        assert isinstance(form, StatusForm)
        ledger.commitment_set_status(actor=user, commitment=commitment, version=version, **form.service_data())
        return _("兑现情况已更新，已请企业确认。")
    if action == "justify":
        ledger.commitment_flag_justify(
            actor=user, commitment=commitment, version=version, reason=data["reason"], basis=data["basis"]
        )
        return _("保留理由已提交，等待第二人复核。")
    if action == "review":
        approve = data["decision"] == "approve"
        ledger.commitment_flag_review(
            actor=user, commitment=commitment, version=version, approve=approve, opinion=data["opinion"]
        )
        return _("已复核同意保留。") if approve else _("已退回，并通知提出理由的人。")
    agree = data["decision"] == "agree"
    ledger.commitment_confirm(actor=user, commitment=commitment, version=version, agree=agree, comment=data["comment"])
    return _("已确认该承诺。") if agree else _("已提出异议，跟踪单位将处理。")


@require_http_methods(["GET", "POST"])
@login_required
def commitment_action(request, pk: int):
    """Every step on one line: `action` = edit / status / justify / review / confirm, with `version`. `from=ledger`
    comes back to the ledger (an enterprise does not open lead pages). GET (the conflict page's 载入最新版本) goes
    to the line's page."""
    commitment = scoped_object_or_404(
        request, Commitment.objects.select_related("lead__tracking_unit__region", "lead"), pk
    )
    from_ledger = request.POST.get("from") == "ledger"
    back = (
        f"{reverse('investment:ledger')}?lead={commitment.lead_id}" if from_ledger else _lead_anchor(commitment.lead_id)
    )
    if request.method == "GET":
        if (
            request.user.has_perm("investment.view_lead")
            and Lead.objects.restrict(request.user, "view").filter(pk=commitment.lead_id).exists()
        ):
            return redirect(_lead_anchor(commitment.lead_id))
        return redirect(f"{reverse('investment:ledger')}?lead={commitment.lead_id}")
    action = request.POST.get("action", "")
    if action not in LINE_ACTIONS:
        messages.error(request, _("请求无效，请刷新页面后重试。"))
        return redirect(back)
    form: forms.Form
    if action == "edit":
        form = CommitmentForm(request.POST, lead=commitment.lead)
    else:
        form = ACTION_FORMS[action](request.POST)
    form_id = _line_form_id(commitment.pk, action)

    def refused(exc=None):
        state = _state(form_id, request, form, exc)
        if from_ledger:
            return _ledger_render(request, state, status=400)
        return _lead_page(request, commitment.lead, state)

    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _("请求无效，请刷新页面后重试。"))
            return redirect(back)
        return refused()
    try:
        done = _perform(request, commitment, action, form)
    except ConflictError as exc:
        return _conflict(request, exc, commitment, str(ACTION_LABELS[action]), form)
    except (ValidationError, ApplicationError) as exc:
        return refused(exc)
    except PermissionDenied as exc:
        deny(request, obj=commitment, reason=DenialReason.REFUSED, message=str(exc), extra={"action": action})
    messages.success(request, done)
    return redirect(back)


@require_POST
@login_required
def agreement_sign(request, pk: int):
    """保存为已签订: every draft line of the lead, after the 公平竞争审查 pre-check; refused (400), naming the lines."""
    lead = scoped_object_or_404(request, Lead.objects.select_related("tracking_unit__region"), pk)
    require(request, "investment.change_commitment")
    try:
        signed = ledger.agreement_sign(actor=request.user, lead=lead)
    except (ValidationError, ApplicationError) as exc:
        return _lead_page(request, lead, _state("sign", request, None, exc))
    except PermissionDenied as exc:
        deny(request, obj=lead, reason=DenialReason.REFUSED, message=str(exc), extra={"action": "agreement_sign"})
    messages.success(request, _("%(n)d 项承诺已保存为已签订，已请企业确认。") % {"n": len(signed)})
    return redirect(_lead_anchor(lead.pk))


# --- the office's category list -------------------------------------------------------------------------------------


@require_GET
@login_required
def fc_categories(request):
    """公平竞争审查类别: the list the pre-check matches against (never deleted; deactivated instead)."""
    require(request, "investment.view_faircompetitioncategory")
    rows = list(FairCompetitionCategory.objects.order_by("sort_order", "pk"))
    for row in rows:
        row.category_labels = [str(CATEGORY_LABELS.get(c, c)) for c in row.commitment_categories or []]
    return render(
        request,
        "investment/ledger/fc_categories.html",
        {
            "title": _("公平竞争审查类别"),
            "rows": rows,
            "can_add": request.user.has_perm("investment.add_faircompetitioncategory"),
            "can_change": request.user.has_perm("investment.change_faircompetitioncategory"),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def fc_category_edit(request, pk: int | None = None):
    """Add (pk None) or edit a category; a stale version shows the conflict page."""
    category = None
    if pk is not None:
        require(request, "investment.change_faircompetitioncategory")
        category = scoped_object_or_404(request, FairCompetitionCategory.objects.all(), pk, action="change")
    else:
        require(request, "investment.add_faircompetitioncategory")
    if request.method == "POST":
        form = FairCompetitionCategoryForm(request.POST)
    elif category is not None:
        form = FairCompetitionCategoryForm(
            initial={
                "name": category.name,
                "keywords": category.keywords,
                "commitment_categories": category.commitment_categories,
                "basis": category.basis,
                "sort_order": category.sort_order,
                "is_active": category.is_active,
                "version": category.version,
            }
        )
    else:
        form = FairCompetitionCategoryForm()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            ledger.fc_category_save(actor=request.user, category=category, version=version, data=data)
        except ConflictError as exc:
            return conflict_response(
                request,
                exc,
                title=_("保存冲突：该类别已被他人修改"),
                rows=[(str(form.fields[k].label), "—", str(v)) for k, v in data.items() if v not in ("", None, [])],
                retry_url=reverse("investment:fc_category_edit", args=[category.pk]) if category else "",
                back_url=reverse("investment:fc_categories"),
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(key if key in form.fields else None, error)
        else:
            messages.success(request, _("公平竞争审查类别已保存。"))
            return redirect("investment:fc_categories")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "investment/ledger/fc_category_form.html",
        {"form": form, "category": category, "title": _("公平竞争审查类别")},
        status=status,
    )


# --- the 驾驶舱's tile ----------------------------------------------------------------------------------------------

TILE_LIMIT = 10


@require_GET
@login_required
def overdue_tile(request):
    """超期未兑现的政府承诺 for the 驾驶舱 (loaded by htmx into the dashboard): the count in the user's ledger, the
    longest overdue lines first, and the link to the ledger filtered to exactly them. Two queries."""
    require(request, "investment.view_commitment")
    today = timezone.localdate()
    queryset = ledger.visible_commitments(request.user).filter(ledger.overdue_government_condition(today))
    rows = list(queryset.select_related("lead", "responsible_unit", "ticket").order_by("due_date", "pk")[:TILE_LIMIT])
    for row in rows:
        row.days_overdue = (today - row.due_date).days
    return render(
        request,
        "investment/ledger/overdue_tile.html",
        {
            "count": queryset.count(),
            "rows": rows,
            "url": reverse("investment:ledger") + "?overdue=1&side=government",
            "supervision": ledger.sees_supervision(request.user),
        },
    )
