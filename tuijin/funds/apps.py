from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "tuijin.funds"
    label = "funds"
    verbose_name = _("争取上级资金与纳统")

    def ready(self) -> None:
        from . import attention  # noqa: F401  (home-page 待我处理 items)
        from .project_page import register as register_project_page

        # The project's page shows its 前期成熟度, applications and eligible open batches (`funds_panel`).
        register_project_page()
