"""Report forms: they type-check input; the rules live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.projects.choices import Stage

from .models import ProgressReport
from .services import EDITABLE_FIELDS

__all__ = [
    "PROBLEM_CATEGORIES",
    "BulkApproveForm",
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
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(
        label=_("问题类别"), choices=[("", _("请选择"))] + [(c, c) for c in PROBLEM_CATEGORIES], required=False
    )
    description = forms.CharField(
        label=_("问题描述"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("如：剩余5亩用地未交付")}),
    )
    help_requested = forms.CharField(
        label=_("需要协调"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("需要哪个部门协调解决什么")}),
    )


ProblemFormSet = forms.formset_factory(ProblemForm, extra=1, max_num=10, can_delete=True)


class BulkApproveForm(forms.Form):
    """The reports chosen on the review queue: `pk:version` pairs (the version the user saw)."""

    reports = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = [(v, v) for v in self.data.getlist("reports")] if self.data else []

    def clean_reports(self) -> list[tuple[int, int]]:
        pairs = []
        for value in self.cleaned_data["reports"]:
            pk, _sep, version = value.partition(":")
            if not (pk.isdigit() and version.isdigit()):
                raise forms.ValidationError(_("请求无效，请刷新页面后重试。"))
            pairs.append((int(pk), int(version)))
        if not pairs:
            raise forms.ValidationError(_("请先勾选要审核通过的月报。"))
        return list(dict(pairs).items())


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
