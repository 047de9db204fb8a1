from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tuijin.tickets"
    label = "tickets"
    verbose_name = _("问题协调与企业服务")

    def ready(self) -> None:
        from . import attention  # noqa: F401  (home-page 待我处理 items)
