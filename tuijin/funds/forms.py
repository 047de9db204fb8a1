"""Forms of the 争取上级资金 pages: they parse and explain bad input in Chinese next to the field; the services in
services.py decide (permissions, scope, the workflow and the duplicate-application check)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.projects.choices import ProjectDomain
from tuijin.projects.forms import DateInput
from tuijin.projects.models import IndustryChain

from .choices import Channel
from .filtersets import unit_choices
from .models import FundingBatch, FundsSettings, ProjectPrep
from .services import BATCH_FIELDS, CHANNEL_DOCUMENTS, PREP_FIELDS

__all__ = [
    "AdvanceForm",
    "ApplicationForm",
    "ArrivalForm",
    "BatchForm",
    "DecideForm",
    "FileForm",
    "PaymentForm",
    "PrepForm",
    "ReasonForm",
    "SettingsForm",
    "apply_errors",
    "channel_documents",
]

DATE_INVALID = gettext_lazy("请输入正确的日期，如 2027-03-15。")
NUMBER_INVALID = gettext_lazy("请输入数字（单位：万元），如 1200 或 1200.50。")


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if field.label and "required" in field.error_messages:
            # "请填写申请金额（万元）。" reads better than a generic "必填"
            template = _("请选择%(f)s。") if isinstance(field, forms.ChoiceField) else _("请填写%(f)s。")
            field.error_messages["required"] = template % {"f": field.label}
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = DATE_INVALID
        if isinstance(field, forms.DecimalField):
            field.error_messages["invalid"] = NUMBER_INVALID
        if isinstance(
            widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxInput | forms.CheckboxSelectMultiple
        ):
            continue
        css = "form-select" if isinstance(widget, forms.Select | forms.SelectMultiple) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def apply_errors(form: forms.BaseForm, exc) -> None:
    """Put a service's ValidationError next to its field (or on top when it names no field of the form)."""
    for key, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


def channel_documents(channel: str | None) -> list[tuple[str, str]]:
    """The checklist entries to offer: the channel's, or every channel's (first label of a key) when none is chosen."""
    if channel in CHANNEL_DOCUMENTS:
        return [(k, str(v)) for k, v in CHANNEL_DOCUMENTS[channel]]
    seen: dict[str, str] = {}
    for entries in CHANNEL_DOCUMENTS.values():
        for key, label in entries:
            seen.setdefault(key, str(label))
    return list(seen.items())


class BatchForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    domains = forms.MultipleChoiceField(
        label=gettext_lazy("投资领域"),
        choices=ProjectDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选 = 不限领域"),
    )
    chains = forms.ModelMultipleChoiceField(
        label=gettext_lazy("产业链"),
        queryset=IndustryChain.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选 = 不限产业链"),
    )
    document_url = forms.URLField(label=gettext_lazy("通知链接"), required=False, assume_scheme="https")
    required_documents = forms.MultipleChoiceField(
        label=gettext_lazy("申报材料清单"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("不选 = 该资金渠道的默认清单"),
    )

    class Meta:
        model = FundingBatch
        fields = [f for f in BATCH_FIELDS if f not in ("domains", "required_documents")]
        widgets = {
            "opens_on": DateInput(),
            "deadline": DateInput(),
            "eligibility_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = unit_choices(user)
        self.fields["organiser"].required = False
        self.fields["organiser"].help_text = _("不选 = 本人所在单位")
        self.fields["organiser"].empty_label = "—"  # type: ignore[attr-defined]
        self.fields["channel"].choices = [("", "—"), *Channel.choices]
        channel = (self.data.get("channel") if self.is_bound else None) or self.initial.get("channel")
        channel = channel or self.instance.channel
        self.fields["required_documents"].choices = channel_documents(channel)
        self.fields["required_documents"].error_messages["invalid_choice"] = _(
            "所选材料“%(value)s”不在该资金渠道的清单中。"
        )
        self.fields["chains"].queryset = IndustryChain.objects.order_by("sort_order", "name", "pk")
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)
            self.initial.setdefault("domains", list(self.instance.domains or []))
            self.initial.setdefault("required_documents", list(self.instance.required_documents or []))
        style(self)

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        chosen = data.get("required_documents") or []
        if channel and chosen:
            allowed = {k for k, _label in channel_documents(channel)}
            foreign = [k for k in chosen if k not in allowed]
            if foreign:
                labels = dict(channel_documents(None))
                self.add_error(
                    "required_documents",
                    _("以下材料不属于该资金渠道的清单：%(d)s。") % {"d": "、".join(labels.get(k, k) for k in foreign)},
                )
        low, high = data.get("min_total_investment"), data.get("max_total_investment")
        if low is not None and high is not None and high < low:
            self.add_error("max_total_investment", _("总投资上限不能低于下限。"))
        opens, deadline = data.get("opens_on"), data.get("deadline")
        if opens and deadline and deadline < opens:
            self.add_error("deadline", _("申报截止不能早于申报开始。"))
        return data

    def _post_clean(self):
        # the service validates the model (full_clean); the form only types the input
        pass

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in BATCH_FIELDS}
        data["domains"] = list(self.cleaned_data.get("domains") or [])
        data["required_documents"] = list(self.cleaned_data.get("required_documents") or [])
        data["chains"] = list(self.cleaned_data.get("chains") or [])
        if data.get("organiser") is None:
            data.pop("organiser", None)
        return data


class ApplicationForm(forms.Form):
    requested_amount = forms.DecimalField(
        label=gettext_lazy("申请金额（万元）"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    other_funds_statement = forms.CharField(
        label=gettext_lazy("其他中央资金申请情况"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("申报中央资金须说明是否重复申请；本年度已申报其他中央资金的，须说明建设内容的区别"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_amount"].error_messages["min_value"] = _("申请金额须大于 0。")
        style(self)


class _Versioned(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].error_messages["required"] = _("请求无效，请刷新页面后重试。")
        style(self)


class AdvanceForm(_Versioned):
    note = forms.CharField(label=gettext_lazy("说明"), max_length=500, required=False)


class ReasonForm(_Versioned):
    """退回 / 撤回: a reason is required (the service says so in Chinese)."""

    reason = forms.CharField(label=gettext_lazy("理由"), max_length=300, required=False)


class DecideForm(_Versioned):
    outcome = forms.ChoiceField(
        label=gettext_lazy("结果"),
        choices=[("approved", gettext_lazy("下达")), ("rejected", gettext_lazy("未入选"))],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(label=gettext_lazy("下达金额（万元）"), max_digits=14, decimal_places=2, required=False)
    approval_doc = forms.CharField(label=gettext_lazy("下达文号"), max_length=100, required=False)
    approval_date = forms.DateField(label=gettext_lazy("下达日期"), required=False, widget=DateInput())
    arrived_on = forms.DateField(label=gettext_lazy("资金到位日期"), required=False, widget=DateInput())
    start_deadline = forms.DateField(label=gettext_lazy("开工时限"), required=False, widget=DateInput())
    reason = forms.CharField(label=gettext_lazy("未入选原因"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = _("请选择下达或未入选。")


class ArrivalForm(_Versioned):
    arrived_on = forms.DateField(label=gettext_lazy("资金到位日期"), required=False, widget=DateInput())
    start_deadline = forms.DateField(label=gettext_lazy("开工时限"), required=False, widget=DateInput())


class PaymentForm(_Versioned):
    paid_on = forms.DateField(label=gettext_lazy("支付日期"), widget=DateInput())
    amount = forms.DecimalField(label=gettext_lazy("支付金额（万元）"), max_digits=14, decimal_places=2)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].error_messages["required"] = _("请填写支付日期。")
        self.fields["amount"].error_messages["required"] = _("请填写支付金额。")


class FileForm(forms.Form):
    doc_key = forms.CharField(max_length=40, widget=forms.HiddenInput)
    file = forms.FileField(label=gettext_lazy("文件"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        self.fields["file"].error_messages["required"] = _("请选择要上传的文件。")


class PrepForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProjectPrep
        fields = list(PREP_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version if self.instance.pk else 0)
        style(self)

    def _post_clean(self):
        pass  # the service runs full_clean

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in PREP_FIELDS}


SETTINGS_FIELDS = ("idle_months", "remind_days", "stats_tolerance_pct", "stats_tolerance_amount")


class SettingsForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = FundsSettings
        fields = list(SETTINGS_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("version", self.instance.version if self.instance.pk else 0)
        for name in ("idle_months", "remind_days"):
            self.fields[name].error_messages["invalid"] = _("请输入整数。")
        style(self)

    def clean(self):
        data = super().clean()
        for name in ("stats_tolerance_pct", "stats_tolerance_amount"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("不能为负数。"))
        if data.get("idle_months") == 0:
            self.add_error("idle_months", _("须至少 1 个月。"))
        return data

    def _post_clean(self):
        pass

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in SETTINGS_FIELDS if k in self.cleaned_data}
