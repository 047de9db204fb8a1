from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "tuijin.progress"
    label = "progress"
    verbose_name = _("月度调度")

    def ready(self) -> None:
        from tuijin.core.figures_cache import register_sources

        from .selectors import DASHBOARD_SOURCES

        register_sources(*DASHBOARD_SOURCES)

        from tuijin.facts.maintain import facts_changed

        from .warnings import on_facts_changed

        # Lights never go stale: a committed write that changed a project's facts re-evaluates its lights.
        facts_changed.connect(on_facts_changed, dispatch_uid="progress-relight", weak=False)
