from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    name = "tuijin.benchmarks"
    label = "benchmarks"
    verbose_name = _("对标对表")

    def ready(self) -> None:
        from . import attention  # noqa: F401  (home-page 待我处理 item)
