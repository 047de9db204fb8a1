from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "tuijin.chains"
    label = "chains"
    verbose_name = _("产业链与政产学研")

    def ready(self) -> None:
        from . import (  # noqa: F401  (home-page 待我处理 items)
            attention,
            attention_universities,
            maintain,
        )

        maintain.connect()
