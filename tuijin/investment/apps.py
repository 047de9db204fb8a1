from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "tuijin.investment"
    label = "investment"
    verbose_name = _("招商引资")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from tuijin.projects.models import Project

        from . import (  # noqa: F401  (their lead-page panels and to-dos)
            attention,  # noqa: F401  (home-page 待我处理 items)
            cases,
            ledger,
            results,
            signing,
        )
        from .project_page import register as register_project_page
        from .sync import project_saved

        # A converted lead follows its key project: the project's 实际开工 moves the lead to 开工 (sync.py).
        post_save.connect(project_saved, sender=Project, dispatch_uid="investment_project_saved")
        # The project's page names the lead it came from (`source_lead`).
        register_project_page()
