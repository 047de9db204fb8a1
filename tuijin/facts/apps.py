from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactsConfig(AppConfig):
    name = "tuijin.facts"
    label = "facts"
    verbose_name = _("统计口径")

    def ready(self) -> None:
        from tuijin.progress import anomalies, sheet

        from . import filters, maintain
        from .anomaly_reader import ProjectMonthReader
        from .figures import projects_with

        maintain.connect()
        filters.register()
        sheet.expected_projects = lambda projects, period: projects_with(projects, "expected", period)
        anomalies.facts_reader = ProjectMonthReader()
