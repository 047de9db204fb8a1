"""Signing-event pages (签约活动, 三个一批): the list with each event's three list counts and amounts, create/edit
(optimistic locking, the shared conflict page), the detail page (the three lists, a preview of what generation would
add, the generate button, removing an entry), the Excel export of the lists, and recording a signing from the lead
page's 签约记录 section.

Thin: parse input, call a service in signing.py, render. No permission → 403, out of scope → 404 (audited).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
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
from tuijin.core.permissions import DenialReason, denial_record, deny, require, scoped_object_or_404
from tuijin.core.views_generic import ObjectDetailView, ObjectListView
from tuijin.projects.forms import AmountField, DateInput
from tuijin.projects.partial import Amount
from tuijin.utilities.excel import XLSX_CONTENT_TYPE, neutralize, workbook_bytes

from . import signing
from .choices import ContractKind, EventList, SigningKind
from .forms import tracking_unit_choices
from .models import EventListEntry, Lead, Signing, SigningEvent

__all__ = [
    "EventListView",
    "EventView",
    "SigningEventForm",
    "SigningForm",
    "event_edit",
    "event_entry_remove",
    "event_export",
    "event_generate",
    "export_lists_xlsx",
    "signing_add",
]

EVENT_RELATED = ("organiser", "organiser__region")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for key, errors in pairs:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


# --- forms ------------------------------------------------------------------------------------------------------------


class SigningEventForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = SigningEvent
        fields = signing.EVENT_FIELDS
        widgets = {"held_on": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = tracking_unit_choices(user)
        if self.instance.organiser_id:
            units = units | units.model._default_manager.filter(pk=self.instance.organiser_id)
        self.fields["organiser"].queryset = units.distinct()  # type: ignore[attr-defined]
        self.fields["organiser"].empty_label = "—"  # type: ignore[attr-defined]
        self.fields["name"].required = False
        self.fields["name"].help_text = _("“三个一批”活动可留空，自动命名为“‘三个一批’第N期”。")
        self.fields["batch_no"].help_text = _("“三个一批”须填写第几期；同类活动的期次不能重复。")
        self.fields["organiser"].error_messages["required"] = _("请选择组织单位。")
        self.fields["kind"].error_messages["required"] = _("请选择活动类型。")
        self.fields["held_on"].error_messages["required"] = _("请填写举办日期。")
        self.fields["held_on"].error_messages["invalid"] = _("请输入正确的日期，如 2026-03-15。")
        self.fields["batch_no"].error_messages["invalid"] = _("期次请填写正整数。")
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        _style(self)

    def _post_clean(self):  # the model's checks run in the service, with its Chinese messages
        pass

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in signing.EVENT_FIELDS}


class SigningForm(forms.Form):
    kind = forms.ChoiceField(label=_("签约类型"), choices=[("", "—"), *SigningKind.choices], required=False)
    signed_on = forms.DateField(label=_("签约时间"), required=False, widget=DateInput())
    contract_kind = forms.ChoiceField(label=_("协议/合同"), choices=[("", "—"), *ContractKind.choices], required=False)
    investor = forms.CharField(label=_("投资方"), max_length=200, required=False)
    total = AmountField(label=_("协议（合同）投资总额（万元）"), required=False)
    event = forms.ModelChoiceField(label=_("签约活动"), queryset=SigningEvent.objects.none(), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    FIELDS = ("kind", "signed_on", "contract_kind", "investor", "total", "event", "note")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = SigningEvent.objects.restrict(user, "view")  # type: ignore[attr-defined]
        self.fields["event"].error_messages["invalid_choice"] = _("请从列表中选择签约活动。")
        self.fields["signed_on"].error_messages["invalid"] = _("请输入正确的日期，如 2026-03-15。")
        self.fields["kind"].error_messages["invalid_choice"] = _("请选择签约类型。")
        self.fields["contract_kind"].error_messages["invalid_choice"] = _("请选择协议或合同。")

    def values(self) -> dict[str, str]:
        return {name: str(self.data.get(name, "")) for name in self.FIELDS}


# --- events -----------------------------------------------------------------------------------------------------------


class EventListView(ObjectListView):
    queryset = SigningEvent.objects.select_related(*EVENT_RELATED)
    template_name = "investment/signing/event_list.html"
    table_template = "investment/signing/event_table.html"
    title = gettext_lazy("签约活动")
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        events = list(context["object_list"])
        totals = signing.event_list_totals(events, EventListEntry.objects.restrict(self.request.user, "view"))
        for event in events:
            event.lists = [
                {"list": name.value, "label": name.label, **totals[event.pk][name.value]} for name in signing.LIST_ORDER
            ]
        context.update(
            object_list=events,
            can_add=self.request.user.has_perm("investment.add_signingevent"),
            list_labels=[name.label for name in signing.LIST_ORDER],
        )
        return context


def _event_conflict(request, exc: ConflictError, form: SigningEventForm):
    current = exc.current
    if current is None:
        return conflict_response(
            request,
            exc,
            title=_("保存失败：该签约活动已被删除"),
            rows=[],
            retry_url="",
            back_url=reverse("investment:event_list"),
        )
    data = form.service_data()
    return conflict_response(
        request,
        exc,
        title=_("保存冲突：该签约活动已被他人修改"),
        rows=list(submitted_rows(current, data, list(data))),
        retry_url=reverse("investment:event_edit", args=[current.pk]),
        back_url=reverse("investment:event", args=[current.pk]),
    )


@require_http_methods(["GET", "POST"])
@login_required
def event_edit(request, pk: int | None = None):
    """Create (pk None) or edit a signing event. Errors keep the input; a stale version shows the conflict page."""
    event = (
        scoped_object_or_404(request, SigningEvent.objects.select_related(*EVENT_RELATED), pk, action="change")
        if pk
        else None
    )
    if event is None:
        require(request, "add", SigningEvent)
    form = SigningEventForm(request.POST or None, instance=event or SigningEvent(), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                event = signing.event_create(actor=request.user, data=form.service_data())
            else:
                event = signing.event_update(
                    actor=request.user,
                    event=SigningEvent.objects.get(pk=event.pk),
                    version=form.cleaned_data.get("version"),
                    data=form.service_data(),
                )
        except ConflictError as exc:
            return _event_conflict(request, exc, form)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            denial_record(
                request,
                action="change" if pk else "add",
                obj=SigningEvent,
                reason=DenialReason.REFUSED,
                message=str(exc),
            )
            form.add_error("organiser", str(exc))
        else:
            messages.success(request, _("签约活动已保存。"))
            return redirect("investment:event", pk=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "investment/signing/event_form.html", {"form": form, "event": event}, status=status)


class EventView(ObjectDetailView):
    queryset = SigningEvent.objects.select_related(*EVENT_RELATED)
    template_name = "investment/signing/event.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, event = self.request.user, self.object
        entries = EventListEntry.objects.restrict(user, "view")
        in_change_scope = SigningEvent.objects.restrict(user, "change").filter(pk=event.pk).exists()
        can_generate = user.has_perm("investment.add_eventlistentry") and in_change_scope
        preview = None
        if can_generate:
            items = signing.event_lists_preview(event, leads=Lead.objects.restrict(user, "view"))
            preview = [
                {"list": name.value, "label": name.label, "items": items[name.value]} for name in signing.LIST_ORDER
            ]
        signings = Signing.objects.restrict(user, "view").filter(event=event)
        context.update(
            lists=signing.event_lists(event, entries),
            preview=preview,
            preview_count=sum(len(p["items"]) for p in preview or []),
            can_generate=can_generate,
            held=event.held_on <= timezone.localdate(),
            can_edit=user.has_perm("investment.change_signingevent") and in_change_scope,
            can_remove=user.has_perm("investment.delete_eventlistentry"),
            signing_totals=signing.signing_totals(signings),
        )
        return context


@require_POST
@login_required
def event_generate(request, pk: int):
    """生成名单: write what the preview shows (idempotent)."""
    require(request, "investment.add_eventlistentry")
    event = scoped_object_or_404(
        request, SigningEvent.objects.select_related(*EVENT_RELATED), pk, action="change", permission=False
    )
    try:
        added = signing.event_lists_generate(actor=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        deny(request, obj=event, reason=DenialReason.REFUSED, message=str(exc))
    else:
        if any(added.values()):
            messages.success(
                request,
                _("已生成名单：签约一批新增 %(s)d 个，开工一批新增 %(b)d 个，投产一批新增 %(p)d 个。")
                % {"s": added[EventList.SIGNED], "b": added[EventList.STARTED], "p": added[EventList.PRODUCING]},
            )
        else:
            messages.info(request, _("名单已是最新，没有需要新增的项目。"))
    return redirect("investment:event", pk=event.pk)


@require_POST
@login_required
def event_entry_remove(request, pk: int):
    """Take one lead off an event's list."""
    entry = scoped_object_or_404(request, EventListEntry.objects.select_related("event", "lead"), pk, action="delete")
    event_pk, lead_name, label = entry.event_id, entry.lead.name, entry.get_list_display()
    try:
        signing.event_entry_remove(actor=request.user, entry=entry)
    except PermissionDenied as exc:
        deny(request, obj=entry, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, _("已将“%(n)s”移出%(l)s。") % {"n": lead_name, "l": label})
    return redirect("investment:event", pk=event_pk)


EXPORT_HEADERS = [
    gettext_lazy("序号"),
    gettext_lazy("项目名称"),
    gettext_lazy("投资方"),
    gettext_lazy("产业链"),
    gettext_lazy("跟踪单位"),
    gettext_lazy("阶段"),
    gettext_lazy("签约时间"),
    gettext_lazy("开工时间"),
    gettext_lazy("投产时间"),
    gettext_lazy("投资额（万元）"),
]


def _cell(value):
    return neutralize(value) if isinstance(value, str) else value


def export_lists_xlsx(event: SigningEvent, lists: list[dict]) -> bytes:
    """The event's three lists, one sheet each, with a total row. Text is neutralised against formula injection."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for item in lists:
        sheet = book.create_sheet(title=str(item["label"]))
        sheet.append([_cell(f"{event.name}（{event.held_on:%Y-%m-%d}）· {item['label']}")])
        sheet.append([str(h) for h in EXPORT_HEADERS])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A3"
        for number, entry in enumerate(item["entries"], start=1):
            lead = entry.lead
            sheet.append(
                [
                    number,
                    _cell(lead.name),
                    _cell(lead.investor),
                    _cell(lead.chain.name if lead.chain_id and lead.chain else ""),
                    _cell(lead.tracking_unit.name),
                    _cell(lead.get_stage_display()),
                    entry.signed_on if item["list"] == "signed" else lead.signed_date,
                    lead.start_date,
                    lead.production_date,
                    entry.amount,
                ]
            )
        sheet.append([_("合计"), _("%(n)d 个") % {"n": item["count"]}, "", "", "", "", "", "", "", item["amount"]])
        for column, width in zip("ABCDEFGHIJ", (6, 36, 30, 12, 18, 8, 12, 12, 12, 14), strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=3, min_col=7, max_col=9):
            for cell in row:
                cell.number_format = "yyyy-mm-dd"
    return workbook_bytes(book)


@require_GET
@login_required
def event_export(request, pk: int):
    """The three lists as an .xlsx workbook (the rows the user may see)."""
    event = scoped_object_or_404(request, SigningEvent.objects.select_related(*EVENT_RELATED), pk)
    lists = signing.event_lists(event, EventListEntry.objects.restrict(request.user, "view"))
    content = export_lists_xlsx(event, lists)
    audit_event_record(event_type=AuditEventType.EXPORT, detail={"what": "signing_event_lists", "event": event.pk})
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="signing-event-{event.pk}-lists.xlsx"'
    return response


# --- recording a signing from the lead page ---------------------------------------------------------------------------


def _lead_page_again(request, lead: Lead, form: SigningForm):
    """A refused signing: the lead page again (400) with the 签约记录 form as it was posted and its errors."""
    from .views import DETAIL_RELATED, lead_page_context

    lead = Lead.objects.select_related(*DETAIL_RELATED).get(pk=lead.pk)
    errors: dict[str, list[str]] = {}
    for key, messages_ in form.errors.items():
        errors.setdefault(key if key != "__all__" else NON_FIELD_ERRORS, []).extend(str(m) for m in messages_)
    state = signing.signing_form_state(lead, values=form.values(), errors=errors)
    page = lead_page_context(request.user, lead)
    page["panels"] = [
        signing.signings_panel(request.user, lead, state) if panel.get("key") == "signings" else panel
        for panel in page["panels"]
    ]
    context = {"object": lead, "lead": lead, "history": object_history(lead), **page}
    return render(request, "investment/lead.html", context, status=400)


@require_POST
@login_required
def signing_add(request, pk: int):
    """登记签约 on a lead (首次签约, 升格, 增资, 更换投资方); 签约甄别 computes what it counts."""
    require(request, "investment.add_signing")
    lead = signing.leads_for_signing(request.user).select_related("tracking_unit").filter(pk=pk).first()
    if lead is None:
        if Lead.objects.filter(pk=pk).exists():
            deny(request, action="investment.add_signing", obj=Lead, reason=DenialReason.OUT_OF_SCOPE)
        raise Http404(_("对象不存在。"))
    form = SigningForm(request.POST, user=request.user)
    if not form.is_valid():
        return _lead_page_again(request, lead, form)
    data = form.cleaned_data
    total = data.get("total")
    try:
        recorded = signing.signing_record(
            actor=request.user,
            lead=lead,
            kind=data.get("kind") or "",
            signed_on=data.get("signed_on"),
            contract_kind=data.get("contract_kind") or "",
            investor=data.get("investor") or "",
            total=total.value if isinstance(total, Amount) else total,
            event=data.get("event"),
            note=data.get("note") or "",
        )
    except ValidationError as exc:
        _apply_errors(form, exc)
        return _lead_page_again(request, lead, form)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _lead_page_again(request, lead, form)
    except PermissionDenied as exc:
        deny(request, obj=lead, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(
        request,
        _("已登记%(k)s，计入签约额 %(a)s 万元%(p)s。")
        % {
            "k": recorded.get_kind_display(),
            "a": f"{recorded.counted_amount:,.2f}",
            "p": _("，计入签约项目数") if recorded.counts_project else "",
        },
    )
    return redirect(reverse("investment:lead", args=[lead.pk]) + "#tj-signings")
