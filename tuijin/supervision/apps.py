from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "tuijin.supervision"
    label = "supervision"
    verbose_name = _("督查督办")

    def ready(self) -> None:
        from . import (  # noqa: F401  (home-page 待我处理 items, 驾驶舱 panel)
            attention,
            panels,
        )
