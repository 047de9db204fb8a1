from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "tuijin.org"
    label = "org"
    verbose_name = _("组织机构")

    def ready(self) -> None:
        from tuijin.core.context_processors import register_shell_context
        from tuijin.core.scoping import register_scope_filter

        from .scoping import scope_filter
        from .shell import shell_context

        register_scope_filter(scope_filter)  # the rules behind RestrictedQuerySet.restrict()
        register_shell_context(shell_context)  # the user's units and roles in the page frame
