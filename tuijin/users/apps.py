from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "tuijin.users"
    label = "users"
    verbose_name = _("账户与认证")

    def ready(self) -> None:
        from tuijin.core.context_processors import register_shell_context

        from .shell import SHELL_DEFAULTS, shell_context

        register_shell_context(shell_context, defaults=SHELL_DEFAULTS)  # the password-expiry warning in the page frame

        from django.core import checks

        from .two_factor import check_required_roles

        checks.register(check_required_roles)
