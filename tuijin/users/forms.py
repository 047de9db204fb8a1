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


class AccountPersonForm(forms.Form):
    person: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("对应人员（包联领导据此确定所包联的项目）"), queryset=None, required=False
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class MembershipGrantForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("单位"), queryset=OrgUnit.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
