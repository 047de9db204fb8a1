from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "tuijin.users"
    label = "users"
    verbose_name = _("账户与认证")
