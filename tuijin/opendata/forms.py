from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .fields import field_choices
from .services import SETTINGS_FIELDS

__all__ = ["SettingsForm", "apply_errors"]


class SettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    publisher_name = forms.CharField(label=gettext_lazy("发布单位名称"), max_length=200, required=False)
    publisher_uri = forms.URLField(label=gettext_lazy("发布单位网址"), required=False, assume_scheme="https")
    license = forms.URLField(label=gettext_lazy("数据许可协议网址"), required=False, assume_scheme="https")
    public_fields = forms.MultipleChoiceField(
        label=gettext_lazy("公开字段"), choices=field_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    public_feed = forms.BooleanField(label=gettext_lazy("开放公开下载地址（无需登录）"), required=False)

    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "version": instance.version if instance.pk else 0,
                    **{name: getattr(instance, name) for name in SETTINGS_FIELDS},
                },
            )
        super().__init__(*args, **kwargs)
        for name in ("publisher_name", "publisher_uri", "license"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["public_fields"].widget.attrs["class"] = "form-check-input"
        for name in ("publisher_uri", "license"):
            self.fields[name].error_messages["invalid"] = _("请填写完整的网址，如 https://www.example.gov.cn/。")
        self.fields["public_fields"].error_messages["invalid_choice"] = _("未知的公开字段：%(value)s")

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in SETTINGS_FIELDS if k in self.cleaned_data}


def apply_errors(form: forms.BaseForm, exc) -> None:
    """Put a service's ValidationError next to its field (or on top when it names no field of the form)."""
    for key, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for error in errors:
            form.add_error(key if key in form.fields else None, error)
