"""Forms of the 对标对表 pages: they parse and explain bad input in Chinese next to the field; the services decide."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.projects.forms import DateInput

from .models import Indicator, IndicatorTarget, IndicatorValue, PeerRegion
from .services import INDICATOR_FIELDS, REGION_FIELDS, TARGET_FIELDS, VALUE_FIELDS

__all__ = [
    "IndicatorForm",
    "RegionForm",
    "TargetForm",
    "UploadForm",
    "ValueForm",
    "apply_errors",
    "month_choices",
]

NUMBER_INVALID = gettext_lazy("请输入数字，如 8.5 或 12。")
DATE_INVALID = gettext_lazy("请输入正确的日期，如 2026-07-15。")


def month_choices() -> list[tuple[int, str]]:
    return [(m, _("%(m)d月") % {"m": m}) for m in range(1, 13)]


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        if field.label and "required" in field.error_messages:
            template = _("请选择%(f)s。") if isinstance(field, forms.ChoiceField) else _("请填写%(f)s。")
            field.error_messages["required"] = template % {"f": field.label}
        if isinstance(field, forms.DecimalField):
            field.error_messages["invalid"] = NUMBER_INVALID
        elif isinstance(field, forms.IntegerField):  # (DecimalField is one too)
            field.error_messages["invalid"] = _("请输入整数。")
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = DATE_INVALID
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def apply_errors(form: forms.BaseForm, exc) -> None:
    """Put a service's ValidationError next to its field (or on top when it names no field of the form)."""
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    for key, errors in pairs:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)


class _VersionedForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    service_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
        _style(self)

    def _post_clean(self):
        """No model validation here: the service validates (and says so in Chinese) when it saves."""

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.service_fields if name in self.cleaned_data}


class RegionForm(_VersionedForm):
    service_fields = REGION_FIELDS

    class Meta:
        model = PeerRegion
        fields = list(REGION_FIELDS)
        help_texts = {"group": gettext_lazy("如：省辖市、县级市、开发区"), "sort_order": gettext_lazy("小的在前")}


class IndicatorForm(_VersionedForm):
    service_fields = INDICATOR_FIELDS

    class Meta:
        model = Indicator
        fields = list(INDICATOR_FIELDS)
        help_texts = {
            "code": gettext_lazy("英文字母、数字、下划线或连字符，导入时可代替指标名称"),
            "platform_source": gettext_lazy("平台能算出本区数值的指标选对应来源；其余由统计局录入或导入"),
            "higher_is_better": gettext_lazy("不勾选：数值越低越好（差距方向相反）"),
        }
        widgets = {"note": forms.TextInput}


class ValueForm(_VersionedForm):
    service_fields = VALUE_FIELDS
    month = forms.TypedChoiceField(label=gettext_lazy("截至月份"), coerce=int, choices=())

    class Meta:
        model = IndicatorValue
        fields = list(VALUE_FIELDS)
        widgets = {"published_on": DateInput, "note": forms.TextInput}
        help_texts = {
            "value": gettext_lazy("增速、占比填百分数（如 8.5 表示 8.5%）；个数填整数；金额填亿元"),
            "source": gettext_lazy("如：鹤壁市统计局《1—6月全市经济运行情况》"),
            "month": gettext_lazy("累计数据的截至月份；季度指标填季末月份"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices()
        current = self.instance.region_id
        self.fields["region"].queryset = PeerRegion.objects.filter(Q(is_active=True) | Q(is_self=True) | Q(pk=current))
        self.fields["region"].empty_label = _("请选择")
        self.fields["indicator"].empty_label = _("请选择")
        self.fields["published_on"].required = True
        self.fields["source"].required = True
        if not self.is_bound and self.instance.pk is None:
            self.fields["year"].initial = self.initial.get("year") or timezone.localdate().year
        _style(self)


class TargetForm(_VersionedForm):
    service_fields = TARGET_FIELDS

    class Meta:
        model = IndicatorTarget
        fields = list(TARGET_FIELDS)
        help_texts = {
            "value": gettext_lazy("增速、占比填百分数；个数填全年目标个数；金额填亿元"),
            "source": gettext_lazy("如：区政府工作报告"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].empty_label = _("请选择")
        if not self.is_bound and self.instance.pk is None:
            self.fields["year"].initial = self.initial.get("year") or timezone.localdate().year


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = _("请选择要上传的 Excel 文件。")
