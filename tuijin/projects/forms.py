"""Forms for projects. They only collect and type-check input; rules live in services.py."""

from typing import Any

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import OrgUnit, Person
from tuijin.org.selectors import unit_choices, units_or_picker

from .choices import ApprovalStatus, AttachmentKind, DatePrecision, FundingSourceKind, Stage
from .models import AnnualPlan, ApprovalItem, IndustryCategory, IndustryChain, Project, SpecialList
from .partial import Amount, PartialDate, format_partial_date, parse_amount, parse_partial_date
from .services import PARTIAL_DATE_FIELDS, PROJECT_FIELDS

__all__ = [
    "AmountField",
    "AnnualPlanForm",
    "ApprovalItemForm",
    "AttachmentForm",
    "BulkReassignForm",
    "FundingFormSet",
    "FundingRowForm",
    "ImportUploadForm",
    "PartialDateField",
    "PlanChangeForm",
    "PlanImportForm",
    "ProjectForm",
    "TransitionForm",
    "YearMonthField",
]


class YearMonthField(forms.DateField):
    """A year-month as YYYY-MM (stored as the first day of the month)."""

    widget = forms.DateInput(attrs={"type": "month"})
    input_formats = ["%Y-%m", "%Y-%m-%d", "%Y/%m"]

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value

    def to_python(self, value):
        result = super().to_python(value)
        return result.replace(day=1) if result else result


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


BLANK_CHOICE_LABEL = _("（未填）")
# Set by the form from the text typed into 总投资 and the four dates, not fields of their own.
DERIVED_FIELDS = {"total_investment_approx", *(f"{name}_precision" for name in PARTIAL_DATE_FIELDS)}


class PartialDateField(forms.CharField):
    """A date as far as it is known ("2024-03-15", "2024-03", "2024年3月", "2024年", "2022年开工"): a PartialDate."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 40}))
        kwargs.setdefault("help_text", _("如 2024-03-15；只知道月份写 2024-03，只知道年份写 2024年"))
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> PartialDate | None:  # type: ignore[override]
        return parse_partial_date(super().to_python(value))

    def prepare_value(self, value):
        if isinstance(value, PartialDate):
            return partial_date_input(value.value, value.precision)
        return partial_date_input(value, DatePrecision.DAY) if hasattr(value, "isoformat") else value


def partial_date_input(value, precision: str) -> str:
    """How a stored partly-known date is written back into a text input (and read again unchanged)."""
    if value is None:
        return ""
    if precision == DatePrecision.DAY:
        return value.isoformat()
    return format_partial_date(value, precision)


class AmountField(forms.CharField):
    """An amount in 万元 as people write it ("12000", "1,234.5", "20亿元", "约20亿元"): an Amount."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 40}))
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> Amount | None:  # type: ignore[override]
        return parse_amount(super().to_python(value))

    def prepare_value(self, value):
        if isinstance(value, Amount):
            return str(value)
        return value


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    construction_start = YearMonthField(label=_("建设起始年月"), required=False)
    construction_end = YearMonthField(label=_("建设截止年月"), required=False)
    stats_month = YearMonthField(label=_("纳统入库月份"), required=False)
    special_lists_text = forms.CharField(
        label=_("专项名单"), required=False, help_text=_("多个用“、”分隔，期次用冒号，例如：两重、专项债:2026年第一批")
    )
    total_investment = AmountField(
        label=_("总投资（万元）"),
        required=False,
        help_text=_("单位万元，如 12000；也可写“20亿元”；估算的写“约20亿元”；不知道就留空（未填）"),
    )
    planned_start = PartialDateField(label=_("计划开工日期"), required=False)
    planned_finish = PartialDateField(label=_("计划竣工日期"), required=False)
    actual_start = PartialDateField(label=_("实际开工日期"), required=False)
    actual_finish = PartialDateField(label=_("实际竣工日期"), required=False)

    class Meta:
        model = Project
        # the same fields the services accept (one list: PROJECT_FIELDS), in form order, plus the relations
        fields = [f for f in PROJECT_FIELDS if f != "is_demo" and f not in DERIVED_FIELDS] + ["levels", "sponsors"]
        widgets = {
            "scale_content": forms.Textarea(attrs={"rows": 3}),
            "funding_note": forms.Textarea(attrs={"rows": 2}),
            "remarks": forms.Textarea(attrs={"rows": 2}),
            "land_deal_date": DateInput(),
            "levels": forms.CheckboxSelectMultiple,
            "sponsors": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.restrict(user, "view")
        self.fields["responsible_unit"].queryset = units.exclude(unit_type__in=["enterprise", "university"])
        self.fields["locality"].queryset = units.filter(unit_type__in=["town", "subdistrict", "dev_zone"])
        self.fields["owner_enterprise"].queryset = units.filter(unit_type__in=["enterprise", "state_platform"])
        self.fields["sponsors"].queryset = Person.objects.restrict(user, "view").filter(is_county_leader=True)
        self.fields["industry"].queryset = IndustryCategory.objects.filter(parent__isnull=False)
        # a deactivated chain (产业链 catalogue) is not offered to new choices; a project keeps the one it has
        self.fields["chain"].queryset = IndustryChain.objects.filter(Q(is_active=True) | Q(pk=self.instance.chain_id))
        self.fields["code"].help_text = _("24位，如 2403-410702-04-01-12345X；旧版代码可录入并标记")
        for name in ("domain", "construction_nature", "investment_subject"):
            field = self.fields[name]
            field.choices = [("", BLANK_CHOICE_LABEL), *[c for c in field.choices if c[0] != ""]]  # type: ignore[attr-defined]
        if self.instance.pk:
            instance = self.instance
            if instance.total_investment is not None:
                self.initial["total_investment"] = Amount(instance.total_investment, instance.total_investment_approx)
            for name in PARTIAL_DATE_FIELDS:
                value = getattr(instance, name)
                if value is not None:
                    self.initial[name] = PartialDate(value, getattr(instance, f"{name}_precision"))
            self.fields["version"].initial = self.instance.version
            self.fields["special_lists_text"].initial = "、".join(
                f"{e.special_list.name}:{e.batch}" if e.batch else e.special_list.name
                for e in self.instance.special_list_entries.select_related("special_list")
            )

    def clean(self):
        """The typed 总投资 and dates become the stored value plus its 约 flag / precision."""
        data = super().clean()
        if "total_investment" in data:
            amount = data["total_investment"]
            data["total_investment"] = amount.value if amount else None
            data["total_investment_approx"] = bool(amount and amount.approx)
        for name in PARTIAL_DATE_FIELDS:
            if name in data:
                known = data[name]
                data[name] = known.value if known else None
                data[f"{name}_precision"] = known.precision if known else DatePrecision.DAY
        return data

    def _post_clean(self):
        super()._post_clean()
        # construct_instance only copies Meta.fields: the derived flags go onto the instance here
        for name in DERIVED_FIELDS:
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])

    def clean_special_lists_text(self):
        text = self.cleaned_data.get("special_lists_text", "")
        lists = {sl.name: sl for sl in SpecialList.objects.all()}
        result = []
        for part in [p.strip() for p in text.replace(",", "、").replace("，", "、").split("、") if p.strip()]:
            name, _sep, batch = part.replace("：", ":").partition(":")
            if name.strip() not in lists:
                raise forms.ValidationError(_("未知的专项名单：%(name)s") % {"name": name.strip()})
            result.append((lists[name.strip()], batch.strip()))
        return result


class FundingRowForm(forms.Form):
    """One funding row as typed: no database id, so rows replaced by someone else's save never make the form invalid
    (the version check then shows the conflict page with this input kept)."""

    kind = forms.ChoiceField(
        label=_("资金来源"), choices=[("", "---------"), *FundingSourceKind.choices], required=False
    )
    amount = forms.DecimalField(label=_("金额（万元）"), max_digits=14, decimal_places=2, min_value=0, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        if data.get("kind") and data.get("amount") is None:
            self.add_error("amount", _("请填写该资金来源的金额。"))
        if not data.get("kind") and data.get("amount") is not None:
            self.add_error("kind", _("请选择资金来源。"))
        return data


_FundingRows: Any = formset_factory(FundingRowForm, extra=2, can_delete=True)


class FundingFormSet(_FundingRows):
    """The project's funding rows, initially as stored (`instance`), posted back as plain values."""

    def __init__(self, data=None, *args, instance: Project | None = None, prefix: str = "funding", **kwargs):
        initial = []
        if instance is not None and instance.pk:
            initial = [
                {"kind": row.kind, "amount": row.amount, "note": row.note}
                for row in instance.funding_sources.order_by("pk")
            ]
        super().__init__(data, *args, initial=initial, prefix=prefix, **kwargs)


class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_stage = forms.ChoiceField(label=_("变更为"), choices=Stage.choices)
    reason = forms.CharField(label=_("原因（暂缓/取消必填）"), required=False, max_length=200)
    actual_start = forms.DateField(label=_("实际开工日期"), required=False, widget=DateInput())
    actual_finish = forms.DateField(label=_("实际竣工日期"), required=False, widget=DateInput())


class AnnualPlanForm(forms.ModelForm):
    monthly_text = forms.CharField(label=_("月度计划（万元，12个数，用逗号分隔，可留空）"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AnnualPlan
        fields = [
            "planned_investment",
            "progress_target",
            "planned_start_quarter",
            "planned_start_month",
            "planned_finish_month",
        ]
        help_texts = {
            "planned_start_month": _("1～12，本年度计划开工的月份，可留空"),
            "planned_finish_month": _("1～12，本年度计划竣工的月份，不早于开工月份，可留空"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if self.instance.pk and self.instance.monthly_plan:
            self.fields["monthly_text"].initial = ", ".join(self.instance.monthly_plan)

    def clean_monthly_text(self):
        text = self.cleaned_data.get("monthly_text", "").replace("，", ",").strip()
        return [part.strip() for part in text.split(",")] if text else None

    def clean(self):
        data = super().clean()
        start, finish = data.get("planned_start_month"), data.get("planned_finish_month")
        if start is not None and finish is not None and finish < start:
            self.add_error(
                "planned_finish_month",
                _("计划竣工月份（%(f)d月）不能早于计划开工月份（%(s)d月）。") % {"f": finish, "s": start},
            )
        return data


class PlanChangeForm(forms.Form):
    new_investment = forms.DecimalField(label=_("调整后计划投资（万元）"), max_digits=14, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("调整原因"), max_length=300)
    monthly_text = forms.CharField(label=_("调整后月度计划（可留空）"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the plan's

    def clean_monthly_text(self):
        text = self.cleaned_data.get("monthly_text", "").replace("，", ",").strip()
        return [part.strip() for part in text.split(",")] if text else None


class ApprovalItemForm(forms.ModelForm):
    file = forms.FileField(label=_("附件（PDF/图片/Word）"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ApprovalItem
        fields = ["status", "department", "due_date", "completed_date", "permit_no", "note"]
        widgets = {"due_date": DateInput(), "completed_date": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = OrgUnit.objects.restrict(user, "view").filter(
            unit_type__in=["department", "party_gov", "dev_zone"]
        )
        self.fields["status"].choices = ApprovalStatus.choices
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("文件"))


class BulkReassignForm(forms.Form):
    pk = forms.ModelMultipleChoiceField(queryset=Project.objects.none(), label=_("项目"))
    responsible_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), required=False, label=_("新责任单位"))
    sponsors = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), required=False, label=_("新包联领导"))

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("auto_id", "id_bulk_%s")  # the list page also has the filter form's id_responsible_unit
        super().__init__(*args, **kwargs)
        self.fields["pk"].queryset = Project.objects.restrict(user, "change")
        units = self.fields["responsible_unit"]
        units.queryset = unit_choices(OrgUnit.objects.restrict(user, "view"), "responsible")
        self.fields["sponsors"].queryset = Person.objects.restrict(user, "view").filter(is_county_leader=True)
        # A scope with thousands of units gets a search box (org:orgunit_options) instead of every unit.
        self.unit_picker_url = ""
        if not self.is_bound:
            options = units_or_picker(units.queryset)
            units.choices = [("", "---------"), *((u.pk, str(u)) for u in options or [])]
            if options is None:
                self.unit_picker_url = f"{reverse('org:orgunit_options')}?kind=responsible&blank=none"


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class PlanImportForm(forms.Form):
    file = forms.FileField(label=_("年度计划 Excel 文件（.xlsx）"))
