"""Pages for 违约/调整 cases, 达产跟踪, the 低效用地 thresholds and the lead's attachments.

Thin: parse input with the forms below, call a service in cases.py / results.py, render. Rows are scoped with
`restrict()`: no permission → 403, out of scope → 404. A refused input shows the page again (400) with what was
typed; a stale version shows the shared conflict page.
"""

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuijin.core.conflicts import conflict_response
from tuijin.core.exceptions import ApplicationError, ConflictError
from tuijin.core.history import object_history
from tuijin.core.permissions import DenialReason, deny, require, scoped_object_or_404
from tuijin.core.views_generic import ObjectDetailView, ObjectListView, stored_file_response
from tuijin.org.models import OrgUnit
from tuijin.projects.forms import DateInput

from . import cases, results
from .choices import PRODUCING_OR_LATER, CaseDecision, CaseStatus, LeadStage
from .forms import tracking_unit_choices
from .models import Commitment, CommitmentCase, InvestmentSettings, Lead, LeadAttachment, YearlyResult

__all__ = [
    "CaseListView",
    "CaseView",
    "ResultListView",
    "attachment_delete",
    "attachment_download",
    "attachment_upload",
    "case_decide",
    "case_open",
    "result_edit",
    "settings_edit",
]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _apply(form: forms.Form, exc: ValidationError) -> None:
    for key, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


def _number(label, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(label=label, required=False, **kwargs)
    field.error_messages["invalid"] = _("请输入数字，如 1200 或 35.5。")
    return field


# --- 违约/调整 ------------------------------------------------------------------------------------------------------


class CaseFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CaseStatus.choices, label=gettext_lazy("处理状态"))
    decision = django_filters.ChoiceFilter(choices=CaseDecision.choices, label=gettext_lazy("处理方式"))
    unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.none(), method="filter_unit", label=gettext_lazy("跟踪单位")
    )

    class Meta:
        model = CommitmentCase
        fields = ["status", "decision", "unit"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["unit"].queryset = tracking_unit_choices(getattr(request, "user", None))
        for name in ("status", "decision", "unit"):
            self.filters[name].extra["empty_label"] = _("全部")

    def filter_unit(self, queryset, name, value):
        return queryset.filter(commitment__lead__tracking_unit__path__startswith=value.path)


CASE_RELATED = ("commitment", "commitment__lead", "commitment__lead__tracking_unit", "opened_by", "decided_by")


class CaseListView(ObjectListView):
    queryset = CommitmentCase.objects.select_related(*CASE_RELATED)
    filterset_class = CaseFilterSet
    template_name = "investment/cases/case_list.html"
    table_template = "investment/cases/case_table.html"
    title = gettext_lazy("违约/调整")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        eligible = []
        if self.request.user.has_perm(cases.ADD):
            eligible = list(cases.eligible_commitments(self.request.user)[:100])
        context["eligible"] = eligible
        return context


class DecideForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=gettext_lazy("处理方式"),
        choices=CaseDecision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(label=gettext_lazy("处理理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    new_due_date = forms.DateField(label=gettext_lazy("新的兑现时间"), required=False, widget=DateInput())
    new_target_value = _number(gettext_lazy("新的指标值（可不填）"), max_digits=16, decimal_places=2)
    clawback_amount = _number(gettext_lazy("追回金额（万元）"), max_digits=14, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].error_messages["required"] = _("请选择处理方式：重新约定、追回奖补或免予追究。")
        self.fields["reason"].error_messages["required"] = _("请填写处理理由。")
        self.fields["new_due_date"].error_messages["invalid"] = _("请输入正确的日期，如 2026-03-15。")
        _style(self)

    def service_input(self) -> cases.CaseDecisionInput:
        data = self.cleaned_data
        return cases.CaseDecisionInput(
            decision=data["decision"],
            reason=data["reason"],
            new_due_date=data.get("new_due_date"),
            new_target_value=data.get("new_target_value"),
            clawback_amount=data.get("clawback_amount"),
        )


def _case_context(user, case: CommitmentCase, form: DecideForm | None = None) -> dict:
    can_decide = user.has_perm(cases.DECIDE) and case.status == CaseStatus.OPEN
    if can_decide:
        can_decide = CommitmentCase.objects.restrict(user, "decide").filter(pk=case.pk).exists()
    if form is None and can_decide:
        form = DecideForm(initial={"version": case.version})
    lead = case.commitment.lead
    return {
        "case": case,
        "commitment": case.commitment,
        "lead": lead,
        "lead_visible": Lead.objects.restrict(user, "view").filter(pk=lead.pk).exists(),
        "form": form,
        "can_decide": can_decide,
        "clawback_limit": cases.clawback_limit(lead, exclude_case=case) if can_decide else None,
    }


class CaseView(ObjectDetailView):
    queryset = CommitmentCase.objects.select_related(*CASE_RELATED)
    template_name = "investment/cases/case.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_case_context(self.request.user, self.object))
        return context


def _case_page(request, case: CommitmentCase, form: DecideForm, status: int):
    case = CommitmentCase.objects.select_related(*CASE_RELATED).get(pk=case.pk)
    context = {"object": case, "history": object_history(case)}
    context.update(_case_context(request.user, case, form))
    return render(request, "investment/cases/case.html", context, status=status)


@require_POST
@login_required
def case_decide(request, pk: int):
    """处理: 重新约定 / 追回奖补 / 免予追究, with a reason. Bad input: the page again (400), everything typed kept."""
    case = scoped_object_or_404(request, CommitmentCase.objects.select_related(*CASE_RELATED), pk, action="decide")
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, form, 400)
    try:
        cases.case_decide(
            actor=request.user, case=case, version=form.cleaned_data["version"], data=form.service_input()
        )
    except ConflictError as exc:
        return conflict_response(
            request,
            exc,
            title=_("处理未保存：该违约/调整事项已被他人处理"),
            rows=[(_("处理方式"), "—", dict(CaseDecision.choices).get(form.cleaned_data["decision"], ""))],
            retry_url="",
            back_url=reverse("investment:case", args=[case.pk]),
        )
    except ValidationError as exc:
        _apply(form, exc)
        return _case_page(request, case, form, 400)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _case_page(request, case, form, 400)
    except PermissionDenied as exc:
        deny(request, obj=case, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, _("违约/调整事项已处理，已通知跟踪单位和企业。"))
    return redirect(reverse("investment:case", args=[case.pk]))


class OpenCaseForm(forms.Form):
    shortfall = forms.CharField(
        label=gettext_lazy("差距说明"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("承诺了什么、实际完成多少、差在哪里，企业的说法。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shortfall"].error_messages["required"] = _("请填写差距说明：承诺了什么、实际完成多少、差在哪里。")
        _style(self)


@require_http_methods(["GET", "POST"])
@login_required
def case_open(request, pk: int):
    """开启违约/调整 on commitment `pk` (GET: the form; POST: the case)."""
    require(request, cases.ADD)
    commitment = scoped_object_or_404(
        request, Commitment.objects.select_related("lead", "lead__tracking_unit"), pk, permission=False
    )
    form = OpenCaseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                case = cases.case_open(
                    actor=request.user, commitment=commitment, shortfall=form.cleaned_data["shortfall"]
                )
            except ValidationError as exc:
                _apply(form, exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied as exc:
                deny(request, obj=commitment, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("已开启违约/调整事项，等待商务局/项目办处理。"))
                return redirect(reverse("investment:case", args=[case.pk]))
    context = {
        "form": form,
        "commitment": commitment,
        "lead": commitment.lead,
        "eligible": cases.is_eligible(commitment),
    }
    return render(request, "investment/cases/open.html", context, status=status)


# --- 达产跟踪 ---------------------------------------------------------------------------------------------------------


class ResultFilterSet(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(
        choices=[c for c in LeadStage.choices if c[0] in PRODUCING_OR_LATER], label=gettext_lazy("阶段")
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=OrgUnit.objects.none(), method="filter_unit", label=gettext_lazy("跟踪单位")
    )
    warning = django_filters.ChoiceFilter(
        choices=[("low", gettext_lazy("低效用地")), ("ok", gettext_lazy("未预警"))],
        method="filter_warning",
        label=gettext_lazy("低效用地预警"),
    )
    missing = django_filters.ChoiceFilter(
        choices=[("1", gettext_lazy("上年度待填报"))], method="filter_missing", label=gettext_lazy("填报情况")
    )

    class Meta:
        model = Lead
        fields = ["stage", "unit", "warning", "missing"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.filters["unit"].queryset = tracking_unit_choices(getattr(request, "user", None))
        for name in ("stage", "unit", "warning", "missing"):
            self.filters[name].extra["empty_label"] = _("全部")

    def filter_unit(self, queryset, name, value):
        return queryset.filter(tracking_unit__path__startswith=value.path)

    def filter_warning(self, queryset, name, value):
        condition = results.low_condition(InvestmentSettings.current())
        return queryset.filter(condition) if value == "low" else queryset.exclude(condition)

    def filter_missing(self, queryset, name, value):
        return queryset.filter(results.to_fill_condition())


class ResultListView(ObjectListView):
    """Produced leads (投产/达产) with their latest recorded year, 亩均 figures and the 低效用地 warning."""

    queryset = Lead.objects.select_related("tracking_unit")
    filterset_class = ResultFilterSet
    template_name = "investment/results/result_list.html"
    table_template = "investment/results/result_table.html"
    title = gettext_lazy("达产跟踪")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(request, "investment.view_yearlyresult", message=_("您没有访问此页面的权限。"))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        self.queryset = results.with_latest_result(results.produced_leads(self.queryset)).order_by(
            "-production_date", "-pk"
        )
        return super().get_queryset()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings = InvestmentSettings.current()
        for lead in context["object_list"]:
            lead.output_per_mu = results.per_mu(lead.latest_output, lead.land_mu)
            lead.tax_per_mu = results.per_mu(lead.latest_tax, lead.land_mu)
            lead.low = lead.latest_year is not None and results.is_low(lead.tax_per_mu, lead.output_per_mu, settings)
        context["settings"] = settings
        context["can_configure"] = self.request.user.has_perm("investment.change_investmentsettings")
        return context


class ResultForm(forms.Form):
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int, choices=[])
    output = _number(gettext_lazy("产值（万元）"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    tax = _number(gettext_lazy("税收（万元）"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    jobs = forms.IntegerField(label=gettext_lazy("就业人数"), required=False, min_value=0)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)

    def __init__(self, *args, years: list[int], editing: YearlyResult | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(y, f"{y}") for y in years]
        if editing is not None:
            choices = [(editing.year, f"{editing.year}")]
            self.fields["year"].disabled = True
            self.fields["year"].initial = editing.year
        self.fields["year"].choices = choices  # type: ignore[attr-defined]
        self.fields["year"].error_messages["invalid_choice"] = _("请选择可填报的年度。")
        self.fields["jobs"].error_messages["invalid"] = _("就业人数须为整数。")
        _style(self)

    def service_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in ("output", "tax", "jobs", "note")}


@require_http_methods(["GET", "POST"])
@login_required
def result_edit(request, pk: int | None = None, lead_pk: int | None = None):
    """Record a year of 达产跟踪 for lead `lead_pk`, or correct result `pk` (optimistic locking)."""
    if pk is not None:
        result = scoped_object_or_404(request, YearlyResult.objects.select_related("lead"), pk, action="change")
        lead = result.lead
    else:
        require(request, "investment.add_yearlyresult")
        result = None
        lead = scoped_object_or_404(request, Lead.objects.all(), lead_pk, action="change", permission=False)
    recorded = set(lead.yearly_results.values_list("year", flat=True))
    years = [y for y in results.result_years(lead) if y not in recorded]
    initial = {}
    if result is not None:
        initial = {k: getattr(result, k) for k in ("year", "output", "tax", "jobs", "note")}
        initial["version"] = result.version
    elif request.GET.get("year", "").isdigit():
        initial["year"] = int(request.GET["year"])
    form = ResultForm(request.POST or None, initial=initial, years=years, editing=result)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                results.result_save(
                    actor=request.user,
                    lead=lead,
                    year=form.cleaned_data["year"],
                    data=form.service_data(),
                    result=result,
                    version=form.cleaned_data.get("version"),
                )
            except ConflictError as exc:
                return conflict_response(
                    request,
                    exc,
                    title=_("保存冲突：该年度数据已被他人修改"),
                    rows=[],
                    retry_url=request.path,
                    back_url=lead.get_absolute_url() + "#tj-results",
                )
            except ValidationError as exc:
                _apply(form, exc)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except PermissionDenied as exc:
                deny(request, obj=lead, reason=DenialReason.REFUSED, message=str(exc))
            else:
                messages.success(request, _("达产跟踪数据已保存。"))
                return redirect(lead.get_absolute_url() + "#tj-results")
    context = {
        "form": form,
        "lead": lead,
        "result": result,
        "promised": results.promised(lead),
        "producing": lead.stage in PRODUCING_OR_LATER and lead.production_date is not None,
    }
    return render(request, "investment/results/result_form.html", context, status=status)


# --- 低效用地 thresholds ----------------------------------------------------------------------------------------------


class SettingsForm(forms.Form):
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    low_tax_per_mu = _number(gettext_lazy("亩均税收预警线（万元/亩）"), max_digits=10, decimal_places=2)
    low_output_per_mu = _number(gettext_lazy("亩均产值预警线（万元/亩）"), max_digits=10, decimal_places=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("low_tax_per_mu", "low_output_per_mu"):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = _("请填写%(f)s。") % {"f": self.fields[name].label}
        _style(self)


@require_http_methods(["GET", "POST"])
@login_required
def settings_edit(request):
    """The 低效用地 lines: 预览影响 (how many produced leads would warn, nothing written), then 保存."""
    require(request, "investment.change_investmentsettings", message=_("您没有修改招商设置的权限。"))
    current = InvestmentSettings.current()
    initial = {
        "version": current.version,
        "low_tax_per_mu": current.low_tax_per_mu,
        "low_output_per_mu": current.low_output_per_mu,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    context: dict = {"form": form, "current": current, "preview": None}
    if current.pk:
        context["history"] = object_history(current)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "investment/results/settings.html", context, status=400)
        data = form.cleaned_data
        low_tax, low_output = data["low_tax_per_mu"], data["low_output_per_mu"]
        try:
            if request.POST.get("action") != "save":
                context["preview"] = results.settings_preview(request.user, low_tax, low_output)
                context["current_count"] = results.settings_preview(
                    request.user, current.low_tax_per_mu, current.low_output_per_mu
                )
                return render(request, "investment/results/settings.html", context)
            results.settings_update(
                actor=request.user,
                settings=current,
                version=data.get("version"),
                low_tax=low_tax,
                low_output=low_output,
            )
        except ConflictError as exc:
            return conflict_response(
                request,
                exc,
                title=_("保存冲突：招商设置已被他人修改"),
                rows=[],
                retry_url=reverse("investment:settings"),
                back_url=reverse("investment:results"),
            )
        except ValidationError as exc:
            _apply(form, exc)
            return render(request, "investment/results/settings.html", context, status=400)
        messages.success(request, _("低效用地预警线已保存。"))
        return redirect(reverse("investment:settings"))
    return render(request, "investment/results/settings.html", context)


# --- attachments ------------------------------------------------------------------------------------------------------


class AttachmentForm(forms.Form):
    stage = forms.ChoiceField(label=gettext_lazy("阶段"), choices=[c for c in LeadStage.choices])
    file = forms.FileField(label=gettext_lazy("文件"))


@require_POST
@login_required
def attachment_upload(request, pk: int):
    """Upload a file to lead `pk` (the projects' checks: content type, extension, size). Errors are shown as a
    message on the lead page, like a project's attachment."""
    require(request, "investment.add_leadattachment")
    lead = scoped_object_or_404(request, Lead.objects.all(), pk, action="change", permission=False)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            results.attachment_create(
                actor=request.user, lead=lead, uploaded=form.cleaned_data["file"], stage=form.cleaned_data["stage"]
            )
            messages.success(request, _("附件已上传。"))
        except ValidationError as exc:
            messages.error(request, _("附件未上传：%(e)s") % {"e": "；".join(exc.messages)})
        except PermissionDenied as exc:
            deny(request, obj=lead, reason=DenialReason.REFUSED, message=str(exc))
    else:
        messages.error(request, _("请选择阶段和要上传的文件。"))
    return redirect(lead.get_absolute_url() + "#tj-attachments")


@login_required
def attachment_download(request, pk: int):
    return stored_file_response(scoped_object_or_404(request, LeadAttachment.objects.all(), pk))


@require_POST
@login_required
def attachment_delete(request, pk: int):
    attachment = scoped_object_or_404(request, LeadAttachment.objects.select_related("lead"), pk, action="delete")
    lead = attachment.lead
    try:
        results.attachment_delete(actor=request.user, attachment=attachment)
    except PermissionDenied as exc:
        deny(request, obj=lead, reason=DenialReason.REFUSED, message=str(exc))
    messages.success(request, _("附件已删除。"))
    return redirect(lead.get_absolute_url() + "#tj-attachments")
