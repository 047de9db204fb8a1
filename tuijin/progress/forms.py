"""Report forms: they type-check input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.projects.choices import Stage

from .models import ProgressReport
from .services import EDITABLE_FIELDS

__all__ = [
    "PROBLEM_CATEGORIES",
    "CorrectionForm",
    "ProblemForm",
    "ProblemFormSet",
    "ReportFilterForm",
    "ReportForm",
    "ReviewForm",
]

PROBLEM_CATEGORIES = [
    "用地",
    "规划",
    "环评",
    "节能",
    "用水",
    "电力",
    "燃气",
    "热力",
    "通信",
    "资金/融资",
    "用工/人才",
    "审批手续",
    "征收拆迁",
    "政策兑现",
    "其他",
]


class ReportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    photo = forms.FileField(label=_("现场照片（JPG/PNG，可选）"), required=False)

    class Meta:
        model = ProgressReport
        fields = EDITABLE_FIELDS  # exactly what the services let a unit edit
        widgets = {
            "physical_progress": forms.Textarea(attrs={"rows": 3}),
            "next_month_plan": forms.Textarea(attrs={"rows": 2}),
            "started_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ProblemForm(forms.Form):
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", "—")] + [(c, c) for c in PROBLEM_CATEGORIES], required=False
    )
    description = forms.CharField(label=_("问题描述"), required=False, max_length=500)
    help_requested = forms.CharField(label=_("需协调事项"), required=False, max_length=500)


ProblemFormSet = forms.formset_factory(ProblemForm, extra=2, max_num=10)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("approve", _("审核通过")), ("return", _("退回"))])
    reason = forms.CharField(label=_("退回原因"), required=False, max_length=300)


class CorrectionForm(ReportForm):
    reason = forms.CharField(label=_("更正原因（必填）"), max_length=300)
    photo = None  # type: ignore[assignment]  # photos are not part of a correction

    class Meta(ReportForm.Meta):
        pass


class ReportFilterForm(forms.Form):
    period = forms.CharField(required=False)
    status = forms.CharField(required=False)
    stage = forms.ChoiceField(required=False, choices=[("", "")] + list(Stage.choices))
