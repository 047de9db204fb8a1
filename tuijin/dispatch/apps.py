from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    """The monthly dispatch's readers: 驾驶舱, 月度通报, 红黄绿灯 and 未上报, all from tuijin.facts."""

    name = "tuijin.dispatch"
    label = "dispatch"
    verbose_name = _("调度驾驶舱")

    def ready(self) -> None:
        from tuijin.core.figures_cache import register_sources
        from tuijin.facts.maintain import facts_changed

        from . import (
            attention,  # noqa: F401  (home-page 待我处理 items)
            project_page,
        )
        from .selectors import DASHBOARD_SOURCES
        from .warnings import on_facts_changed

        register_sources(*DASHBOARD_SOURCES)
        project_page.register()  # the project page's 月度进展/预警亮灯/协调工单 and the export's facts columns
        # Lights never go stale: a committed write that changed a project's facts re-evaluates its lights.
        facts_changed.connect(on_facts_changed, dispatch_uid="dispatch-relight", weak=False)
