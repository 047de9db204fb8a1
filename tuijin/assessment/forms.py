import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tuijin.org.choices import UnitType
from tuijin.org.models import OrgUnit

from . import rules
from .choices import CRITERIA, AdjustmentKind, CaseDecision, PeriodType
from .metrics import metric_choices
from .models import Adjustment, Exemption, Indicator, LeniencyCase, Rubric, RubricGroup


class _Bootstrap:
    def style(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


def _units():
    return (
        OrgUnit.objects.filter(is_active=True)
        .exclude(unit_type__in=["enterprise", "university"])
        .order_by("sort_order", "name")
    )


class RoundCreateForm(_Bootstrap, forms.Form):
    rubric = forms.ModelChoiceField(label=_("考核办法"), queryset=Rubric.objects.filter(is_active=True))
    anchor = forms.DateField(
        label=_("考核周期内的任一日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("如 2026-06-30 表示第二季度或 6 月。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class PublishForm(_Bootstrap, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    appeal_until = forms.DateField(
        label=_("申诉截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("不填则为发布后第 5 个工作日。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class AppealForm(_Bootstrap, forms.Form):
    line: forms.ModelChoiceField = forms.ModelChoiceField(label=_("申诉的得分项"), queryset=None, empty_label=None)
    reason = forms.CharField(label=_("申诉理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("证明材料（文号、链接等）"), max_length=300, required=False)
    requested_points = forms.DecimalField(
        label=_("申请调整为（分，可不填）"), max_digits=9, decimal_places=2, required=False
    )

    def __init__(self, *args, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self.fields["line"].label_from_instance = lambda line: "%s（%s 分）" % (line.label, line.points)
        self.style()


class AppealDecideForm(_Bootstrap, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        label=_("审核结果"),
        choices=[("1", _("采纳")), ("0", _("不予采纳"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    points = forms.DecimalField(
        label=_("调整后得分"), max_digits=9, decimal_places=2, required=False, min_value=-1000, max_value=1000
    )
    reason = forms.CharField(label=_("审核意见"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean(self):
        data = super().clean()
        if data.get("accept") and data.get("points") is None:
            self.add_error("points", _("采纳申诉须填写调整后得分。"))
        return data


class AdjustmentForm(_Bootstrap, forms.ModelForm):
    class Meta:
        model = Adjustment
        fields = ["rubric", "unit", "occurred_on", "kind", "category", "points", "reason", "evidence"]
        widgets = {"occurred_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        self.fields["rubric"].queryset = Rubric.objects.filter(is_active=True)
        self.fields["kind"].choices = AdjustmentKind.choices
        self.fields["category"].widget.attrs["list"] = "tj-adjustment-categories"
        self.style()


class CaseForm(_Bootstrap, forms.ModelForm):
    criteria = forms.MultipleChoiceField(
        label=_("对照情形（区别开来）"), choices=CRITERIA, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = LeniencyCase
        fields = ["matter", "unit", "person", "circumstances", "criteria", "adjustments"]
        widgets = {"circumstances": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        self.fields["adjustments"].queryset = Adjustment.objects.filter(
            kind=AdjustmentKind.DEDUCTION, withdrawn=False
        ).select_related("unit")
        self.fields["adjustments"].required = False
        self.fields["adjustments"].help_text = _("认定容错免责后，所选扣分不再计入考核。")
        self.style()


class CaseDecideForm(_Bootstrap, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("认定结果"),
        choices=[c for c in CaseDecision.choices if c[0] != CaseDecision.PENDING],
        widget=forms.RadioSelect,
    )
    reduce_percent = forms.IntegerField(label=_("减轻比例（%）"), required=False, min_value=1, max_value=99)
    note = forms.CharField(label=_("认定意见"), max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean(self):
        data = super().clean()
        if data.get("decision") == CaseDecision.REDUCE and not data.get("reduce_percent"):
            self.add_error("reduce_percent", _("减轻责任须填写减轻比例。"))
        return data


class VersionForm(_Bootstrap, forms.Form):
    effective_from = forms.DateField(label=_("施行日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("修订说明"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class _JsonField(forms.CharField):
    """A JSON object or list typed in a textarea; refused in Chinese when it is not JSON."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2, "class": "font-monospace"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return {}
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            raise ValidationError(_('须为 JSON 格式，例如 {"step": 10, "per_step": 1, "max": 10}。')) from None


class RubricForm(_Bootstrap, forms.ModelForm):
    effective_from = forms.DateField(label=_("首版施行日期"), widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Rubric
        fields = ["name", "code", "period_type", "region", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_type"].choices = PeriodType.choices
        self.style()


class IndicatorForm(_Bootstrap, forms.ModelForm):
    metric = forms.ChoiceField(label=_("数据来源"), choices=())
    params = _JsonField(
        label=_("计分参数"),
        help_text=_(
            "线性：base、pivot、step、per_step、min、max；分档：bands（如 [[80, 15], [70, 10]]）、else；"
            "名次：points（如 [5, 3, 1]）、else；按件：per_item、min、max。可选 round（取整单位，默认 0.01）。"
        ),
    )
    quarter_weights = _JsonField(label=_("分季度权重"), required=False, help_text=_('如 {"1": 1.5}：一季度权重 1.5。'))

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "metric",
            "rule_kind",
            "params",
            "max_points",
            "weight",
            "quarter_weights",
            "no_data",
            "groups",
            "note",
            "sort_order",
        ]
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()
        self.fields["groups"].queryset = RubricGroup.objects.filter(rubric_version=version)
        self.fields["groups"].required = False
        self.fields["groups"].help_text = _("不选则适用于全部分组。")
        self.version = version
        self.style()

    def clean_quarter_weights(self):
        value = self.cleaned_data.get("quarter_weights") or {}
        if not isinstance(value, dict) or any(k not in ("1", "2", "3", "4") for k in value):
            raise ValidationError(_('分季度权重须写成 {"季度": 权重}，季度为 1–4。'))
        for weight in value.values():
            try:
                float(weight)
            except (TypeError, ValueError):
                raise ValidationError(_("权重须为数字。")) from None
        return value

    def clean(self):
        data = super().clean()
        kind, params = data.get("rule_kind"), data.get("params")
        if kind and isinstance(params, dict):
            try:
                rules.validate_params(kind, params)
            except rules.RuleError as exc:
                self.add_error("params", str(exc))
        elif kind and params is not None and not isinstance(params, dict):
            self.add_error("params", _("计分参数须为 JSON 对象。"))
        if self.version is not None and data.get("code"):
            clash = Indicator.objects.filter(rubric_version=self.version, code=data["code"]).exclude(
                pk=self.instance.pk
            )
            if clash.exists():
                self.add_error("code", _("本版本已有同代码的指标。"))
        return data


class GroupForm(_Bootstrap, forms.ModelForm):
    unit_types = forms.MultipleChoiceField(
        label=_("单位类型"),
        choices=[c for c in UnitType.choices if c[0] not in ("enterprise", "university", "party_gov")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RubricGroup
        fields = ["name", "unit_types", "units", "excluded_units", "red_count", "black_count", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units()
        self.fields["excluded_units"].queryset = _units()
        self.style()


class ExemptionForm(_Bootstrap, forms.ModelForm):
    class Meta:
        model = Exemption
        fields = ["indicator", "unit", "starts", "ends", "reason"]
        widgets = {"starts": forms.DateInput(attrs={"type": "date"}), "ends": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(rubric_version=version)
        self.fields["unit"].queryset = _units()
        self.style()
