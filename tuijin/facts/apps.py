from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactsConfig(AppConfig):
    name = "tuijin.facts"
    label = "facts"
    verbose_name = _("统计口径")

    def ready(self) -> None:
        from . import filters, maintain

        maintain.connect()
        filters.register()
