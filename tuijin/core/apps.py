from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tuijin.core"
    label = "core"
    verbose_name = _("核心")

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (register receivers and system checks)
        from .bounds import install

        install()  # plausible dates and text lengths on every field (issue 19 item 12)
