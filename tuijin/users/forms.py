from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from tuijin.org.choices import Role
from tuijin.org.models import OrgUnit

__all__ = ["AccountPersonForm", "LoginForm", "MembershipGrantForm", "TuijinPasswordChangeForm"]


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TuijinPasswordChangeForm(PasswordChangeForm):
    """Django's form: checks the old password and runs every AUTH_PASSWORD_VALIDATORS entry with the user."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        if getattr(user, "must_change_password", False):  # first login, or reset by the 安全管理员
            self.fields["old_password"].label = _("当前密码（初始密码或安全管理员告知的临时密码）")


class AccountPersonForm(forms.Form):
    person: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("对应人员（包联领导据此确定所包联的项目）"), queryset=None, required=False
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].empty_label = _("（无）")
        self.fields["person"].widget.attrs["class"] = "form-select form-select-sm"


class MembershipGrantForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=[("", _("请选择角色")), *Role.choices])

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("请选择单位")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
