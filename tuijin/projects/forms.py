"""Forms for projects. They only collect and type-check input; rules live in services.py."""

from typing import Any

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import OrgUnit, Person
from tuijin.org.selectors import unit_choices, units_or_picker

from .choices import ApprovalStatus, AttachmentKind, FundingSourceKind, Stage
from .models import AnnualPlan, ApprovalItem, IndustryCategory, IndustryChain, Project, SpecialList
from .services import PROJECT_FIELDS

__all__ = [
    "AnnualPlanForm",
    "ApprovalItemForm",
    "AttachmentForm",
    "BulkReassignForm",
    "FundingFormSet",
    "FundingRowForm",
    "ImportUploadForm",
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


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    construction_start = YearMonthField(label=_("建设起始年月"), required=False)
    construction_end = YearMonthField(label=_("建设截止年月"), required=False)
    stats_month = YearMonthField(label=_("纳统入库月份"), required=False)
    special_lists_text = forms.CharField(
        label=_("专项名单"), required=False, help_text=_("多个用“、”分隔，期次用冒号，例如：两重、专项债:2026年第一批")
    )

    class Meta:
        model = Project
        # the same fields the services accept (one list: PROJECT_FIELDS), in form order, plus the relations
        fields = [f for f in PROJECT_FIELDS if f != "is_demo"] + ["levels", "sponsors"]
        widgets = {
            "scale_content": forms.Textarea(attrs={"rows": 3}),
            "funding_note": forms.Textarea(attrs={"rows": 2}),
            "planned_start": DateInput(),
            "planned_finish": DateInput(),
            "actual_start": DateInput(),
            "actual_finish": DateInput(),
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
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["special_lists_text"].initial = "、".join(
                f"{e.special_list.name}:{e.batch}" if e.batch else e.special_list.name
                for e in self.instance.special_list_entries.select_related("special_list")
            )

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
        fields = ["planned_investment", "progress_target", "planned_start_quarter"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        if self.instance.pk and self.instance.monthly_plan:
            self.fields["monthly_text"].initial = ", ".join(self.instance.monthly_plan)

    def clean_monthly_text(self):
        text = self.cleaned_data.get("monthly_text", "").replace("，", ",").strip()
        return [part.strip() for part in text.split(",")] if text else None


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
